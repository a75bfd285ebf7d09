/* Exact money. Amounts on documents are int64 cents; prices are int64 micro-USD (10^-6 USD)
 * per pricing unit; unrounded costs are cb_i128 pico-USD (10^-12 USD), which is exactly
 * tokens × micro-USD-per-million-tokens. No binary floating point touches money. */
#ifndef CB_MONEY_H
#define CB_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 cb_i128;
__extension__ typedef unsigned __int128 cb_u128;

#define MONEY_PICO_PER_CENT  ((cb_i128)10000000000) /* 10^10 pico-USD in one cent */
#define MONEY_MICRO_PER_CENT 10000                  /* 10^4 micro-USD in one cent */

/* The largest amount the tool bills, in cents: 10^12 currency units (one trillion). Every
 * configured amount is at most this, and a run whose figures go beyond it stops with an error,
 * so cents × 10^4 (micro-units) always fits an int64 and nothing wraps. */
#define MONEY_MAX_CENTS ((int64_t)100000000000000)

/* Parses a decimal string ("15000.00", "-3", "0.0001") into an integer scaled by 10^scale,
 * digit by digit. At most `scale` fraction digits are accepted; more is an error (never a
 * silent rounding). Returns true on success; false on any other text or on overflow. */
bool money_parse(const char *s, int scale, int64_t *out);

/* Divides num by den (den > 0) rounding half away from zero. */
cb_i128 money_div_round(cb_i128 num, cb_i128 den);

/* v clamped into [-(10 × MONEY_MAX_CENTS), 10 × MONEY_MAX_CENTS]: a result past the billing
 * bound stays past it (so the bound check sees it) without overflowing the int64 sums after. */
int64_t money_clamp(cb_i128 v);

/* Rounds a pico-USD amount to cents, half away from zero. */
int64_t money_pico_to_cents(cb_i128 pico);

/* Formats `value` scaled by 10^scale as a plain decimal with exactly `places` fraction digits
 * (places <= scale; extra digits are rounded half away from zero): money_format_fixed(123456, 2,
 * 2) = "1234.56". Locale-independent. Writes at most size bytes, always NUL-terminated. */
void money_format_fixed(int64_t value, int scale, int places, char *buf, size_t size);

/* Cents as "1234.56" (the report.json and CSV form). */
void money_format(int64_t cents, char *buf, size_t size);

/* Cents with thousands separators, "1,234.56" (documents). Negative: "-1,234.56". */
void money_format_grouped(int64_t cents, char *buf, size_t size);

/* Any integer with thousands separators: "15,000,000". */
void money_format_count(int64_t n, char *buf, size_t size);

/* Largest-remainder split of `pool` (any integer unit) among n parts in proportion to
 * weights[i] >= 0. When every weight is 0 the pool is split evenly. Remainder units go to the
 * largest fractional remainders; ties go to the lower index (callers order parts by team id).
 * The parts always sum to pool exactly. Negative pools are split by magnitude, then negated. */
void money_split(int64_t pool, const cb_i128 *weights, size_t n, int64_t *out);

#endif

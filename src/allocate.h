/* The arithmetic of SPEC §5 that does not depend on how a report is assembled: invoice line
 * amounts, splits of a pool among teams, and the four chargeback models. Every function here is
 * pure integer arithmetic on cents, micro-USD and token counts; parts of a split always add up
 * to the pool exactly (largest remainder, ties to the lower index = the team id sorting first). */
#ifndef CB_ALLOCATE_H
#define CB_ALLOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "money.h"

/* The amount in cents of quantity × unit_price_micros per `per` units, rounded once, half away
 * from zero: round(quantity × unit_price_micros / (per × 10^4)). per must be > 0. Computed in
 * 128 bits; a result beyond the billing bound is clamped by money_clamp (callers check
 * MONEY_MAX_CENTS). */
int64_t alloc_line_amount(int64_t quantity, int64_t unit_price_micros, int64_t per);

/* round(cents × rate_e6 / 10^6), half away from zero (overhead, markup, fixed share); clamped
 * like alloc_line_amount. */
int64_t alloc_rate(int64_t cents, int64_t rate_e6);

/* Splits `pool` cents among n teams (ordered by id) by `kind`: SPLIT_PROPORTIONAL by usage[i]
 * (cents), SPLIT_EVEN evenly, SPLIT_WEIGHTS by weights_e6[i]. All-zero bases split evenly.
 * Writes n parts into out; they sum to pool. usage/weights_e6 may be NULL when not used. */
void alloc_split(int64_t pool, enum split_kind kind, const int64_t *usage,
                 const int64_t *weights_e6, size_t n, int64_t *out);

/* Hybrid model: the fixed part round(pool × fixed_share_e6 / 10^6) is split by headcount
 * (BASIS_HEADCOUNT; missing headcounts count 0, all zero = even) or evenly; the rest by direct
 * cost. out_fixed and out_usage each get n parts; Σ out_fixed + Σ out_usage = pool. Returns the
 * fixed part of the pool. */
int64_t alloc_hybrid(int64_t pool, int64_t fixed_share_e6, enum fixed_basis basis,
                     const int64_t *headcount, const int64_t *direct, size_t n, int64_t *out_fixed,
                     int64_t *out_usage);

/* One priced slice of a tiered charge. */
struct alloc_tier_part {
    size_t tier;    /* index into the config's tiers */
    int64_t tokens; /* tokens priced in this slice */
    int64_t per_million_micros;
    int64_t amount; /* cents, rounded once */
};

/* Prices `tokens` through the tiers (n_tiers >= 1, ascending up_to, the last may be open).
 * Graduated: each tier's slice at its own rate; volume: all tokens at the rate of the tier
 * reached. Writes at most n_tiers parts (only tiers used; none for 0 tokens) into parts, sets
 * *n_parts, and returns the total in cents (Σ parts' amounts). Tokens above a closed last tier
 * are priced at the last tier's rate. */
int64_t alloc_tiered(const struct config_tier *tiers, size_t n_tiers, enum tier_mode mode,
                     int64_t tokens, struct alloc_tier_part *parts, size_t *n_parts);

/* share = part / whole in 10^4 units (10000 = 100 %), rounded half away from zero; 0 when
 * whole is 0. */
int64_t alloc_share_e4(int64_t part, int64_t whole);

#endif

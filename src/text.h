/* Text forms of the report model's numbers, one for every format: the HTML view, the PDF, the
 * workbook's text cells and the explanations the model writes, so a figure reads the same
 * everywhere (36.72% in each, never 36.7% in one). Locale-independent; no floating point.
 * Each function returns its text by value in a struct text (valid to the end of the full
 * expression, or copy it out); none can fail, and every text fits. */
#ifndef CB_TEXT_H
#define CB_TEXT_H

#include <stdint.h>

struct text {
    char s[48];
};

/* Cents with thousands separators: 123456 -> "1,234.56"; -1087 -> "-10.87". */
struct text text_money(int64_t cents);
/* Cents with a sign when positive: 613 -> "+6.13", -613 -> "-6.13", 0 -> "0.00". */
struct text text_signed(int64_t cents);
/* A count with thousands separators: 15000000 -> "15,000,000". */
struct text text_count(int64_t n);
/* A 10^4-scaled share or utilization: 3672 -> "36.72%". */
struct text text_percent(int64_t e4);
/* A rate scaled by 10^6, trailing zeros dropped: 100000 -> "10%", 125000 -> "12.5%". */
struct text text_rate(int64_t e6);
/* A factor in hundredths: 674 -> "6.74×". */
struct text text_factor(int64_t e2);
/* A decimal scaled by 10^6, trailing zeros dropped: 1500000 -> "1.5". */
struct text text_e6(int64_t e6);
/* A unit price in micro-USD: whole cents grouped with two decimals ("1,234.50", "3.00"), else
 * up to six decimals ("0.005", "1.875"). */
struct text text_price(int64_t micros);
/* A cost per unit of outcome in micro-units, as money a reader can take in: to the cent from one
 * cent up (rounded half away from zero: 3184417 -> "3.18", 15000 -> "0.02"), else to four
 * decimals (3100 -> "0.0031", 0 -> "0.00"). */
struct text text_unit_cost(int64_t micros);
/* A count and its noun: (1, "request", "requests") -> "1 request"; 2 -> "2 requests". */
struct text text_plural(int64_t n, const char *one, const char *many);
/* The key names are put in order by (a new string; compare keys with strcmp): letters without
 * case, the Latin letters with diacritics as their base letters ("Équipe" with "Equipe", "ß" as
 * "ss"), runs of digits by their value ("Team 9" before "Team 10"), every other character by its
 * code point. Names whose keys are equal are then ordered by their bytes. */
char *text_sort_key(const char *name);
/* Orders two names so (strcmp's sign): their text_sort_key, then their bytes. For a few names;
 * many are sorted faster on keys made once. */
int text_name_cmp(const char *a, const char *b);

#endif

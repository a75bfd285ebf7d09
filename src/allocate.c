/* Line amounts, splits and the chargeback models (SPEC §5), kept apart from report assembly. */
#include "allocate.h"

#include <stdlib.h>

#include "xalloc.h"

int64_t alloc_line_amount(int64_t quantity, int64_t unit_price_micros, int64_t per)
{
    return money_clamp(money_div_round((cb_i128)quantity * unit_price_micros,
                                       (cb_i128)per * MONEY_MICRO_PER_CENT));
}

int64_t alloc_rate(int64_t cents, int64_t rate_e6)
{
    return money_clamp(money_div_round((cb_i128)cents * rate_e6, 1000000));
}

int64_t alloc_share_e4(int64_t part, int64_t whole)
{
    if (whole == 0)
        return 0;
    cb_i128 num = (cb_i128)part * 10000;
    if (whole < 0) {
        num = -num;
        whole = -whole;
    }
    return (int64_t)money_div_round(num, whole);
}

void alloc_split(int64_t pool, enum split_kind kind, const int64_t *usage,
                 const int64_t *weights_e6, size_t n, int64_t *out)
{
    if (n == 0)
        return;
    cb_i128 *w = xcalloc(n, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        if (kind == SPLIT_PROPORTIONAL && usage)
            w[i] = usage[i] > 0 ? usage[i] : 0;
        else if (kind == SPLIT_WEIGHTS && weights_e6)
            w[i] = weights_e6[i] > 0 ? weights_e6[i] : 0;
        else
            w[i] = 1;
    }
    money_split(pool, w, n, out);
    free(w);
}

int64_t alloc_hybrid(int64_t pool, int64_t fixed_share_e6, enum fixed_basis basis,
                     const int64_t *headcount, const int64_t *direct, size_t n, int64_t *out_fixed,
                     int64_t *out_usage)
{
    int64_t fixed = alloc_rate(pool, fixed_share_e6);
    if (basis == BASIS_HEADCOUNT)
        alloc_split(fixed, SPLIT_WEIGHTS, NULL, headcount, n, out_fixed);
    else
        alloc_split(fixed, SPLIT_EVEN, NULL, NULL, n, out_fixed);
    alloc_split(pool - fixed, SPLIT_PROPORTIONAL, direct, NULL, n, out_usage);
    return fixed;
}

int64_t alloc_tiered(const struct config_tier *tiers, size_t n_tiers, enum tier_mode mode,
                     int64_t tokens, struct alloc_tier_part *parts, size_t *n_parts)
{
    *n_parts = 0;
    if (n_tiers == 0 || tokens <= 0)
        return 0;
    int64_t total = 0;
    if (mode == TIER_VOLUME) {
        size_t t = n_tiers - 1;
        for (size_t i = 0; i < n_tiers; i++)
            if (!tiers[i].has_up_to || tokens <= tiers[i].up_to) {
                t = i;
                break;
            }
        parts[0].tier = t;
        parts[0].tokens = tokens;
        parts[0].per_million_micros = tiers[t].per_million_micros;
        parts[0].amount = alloc_line_amount(tokens, tiers[t].per_million_micros, 1000000);
        *n_parts = 1;
        return parts[0].amount;
    }
    int64_t below = 0; /* tokens already priced by lower tiers */
    for (size_t i = 0; i < n_tiers && below < tokens; i++) {
        bool last = i + 1 == n_tiers;
        int64_t cap = (!last && tiers[i].has_up_to) ? tiers[i].up_to : tokens;
        if (cap > tokens)
            cap = tokens;
        int64_t slice = cap - below;
        if (slice <= 0)
            continue;
        struct alloc_tier_part *p = &parts[(*n_parts)++];
        p->tier = i;
        p->tokens = slice;
        p->per_million_micros = tiers[i].per_million_micros;
        p->amount = alloc_line_amount(slice, tiers[i].per_million_micros, 1000000);
        total += p->amount;
        below = cap;
    }
    return total;
}

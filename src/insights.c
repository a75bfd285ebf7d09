/* Insights of a team's month, from its priced figures and its ledger bucket: the budget state,
 * anomalous days, unit economics and the recommendations with their estimated savings. The
 * prose of each recommendation is built from the constants its arithmetic uses. */
#include "insights.h"

#include "budgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "text.h"
#include "xalloc.h"

/* Recommendation rules (SPEC §5): batch at 50 % of the non-batch price; of a repeated
 * workflow's uncached input, 50 % is taken as a cacheable prefix, read back at 10 % of the
 * input price; a workflow is repeated from 100 requests in the month. */
#define BATCH_DISCOUNT_E6 500000
#define CACHEABLE_E6      500000
#define CACHE_READ_E6     100000
#define REPEATED_REQUESTS 100

static int64_t pico_cents(cb_i128 pico)
{
    return money_pico_to_cents(pico);
}

void insights_budget(struct report_team *t, const struct config_team *ct)
{
    if (!ct || !ct->has_budget)
        return;
    /* the same rule as project and user budgets (budgets.c) */
    budgets_state(&t->budget, ct->budget_is_tokens, ct->budget_monthly,
                  ct->budget_is_tokens ? t->usage.total_tokens : t->total, ct->thresholds_e6,
                  ct->n_thresholds);
}

void insights_anomalies(struct report_team *t, const struct ledger_bucket *b, int64_t factor_e6)
{
    size_t nd = t->n_days;
    if (!b || nd == 0)
        return;
    cb_i128 total = 0;
    for (size_t d = 0; d < nd; d++)
        total += ledger_bucket_day(b, (int)d + 1)->cost;
    if (total <= 0)
        return;
    /* the mean of the day rows the documents show, and each factor from those two figures */
    int64_t mean = (int64_t)money_div_round((cb_i128)t->list_cost, (cb_i128)nd);
    for (size_t d = 0; d < nd; d++) {
        cb_i128 day = ledger_bucket_day(b, (int)d + 1)->cost;
        /* day > factor × total / nd, exactly: day × nd × 10^6 > factor_e6 × total */
        if (day * (cb_i128)nd * 1000000 <= (cb_i128)factor_e6 * total)
            continue;
        t->anomalies = xreallocarray(t->anomalies, t->n_anomalies + 1, sizeof *t->anomalies);
        struct report_anomaly *a = &t->anomalies[t->n_anomalies++];
        snprintf(a->date, sizeof a->date, "%s", t->days[d].date);
        a->list_cost = t->days[d].list_cost;
        a->mean_daily = mean;
        a->factor_e2 = mean > 0 ? (int64_t)money_div_round((cb_i128)a->list_cost * 100, mean) : 0;
    }
}

void insights_unit_economics(struct report_team *t, const struct ledger_bucket *b,
                             const struct config_team *ct)
{
    size_t n_cfg = ct ? ct->n_metrics : 0;
    const struct {
        const char *name;
        int64_t units;
    } cc[] = {
        {"Claude Code sessions", b ? b->metrics.sessions : 0},
        {"commits by Claude Code", b ? b->metrics.commits : 0},
        {"pull requests by Claude Code", b ? b->metrics.pull_requests : 0},
    };
    size_t n_cc = 0;
    for (size_t k = 0; k < sizeof cc / sizeof cc[0]; k++)
        n_cc += cc[k].units > 0;
    if (n_cfg + n_cc == 0)
        return;
    t->metrics = xcalloc(n_cfg + n_cc, sizeof *t->metrics);
    for (size_t k = 0; k < n_cfg; k++) {
        t->metrics[t->n_metrics].name = xstrdup(ct->metrics[k].name);
        t->metrics[t->n_metrics++].units_e6 = ct->metrics[k].units_e6;
    }
    for (size_t k = 0; k < sizeof cc / sizeof cc[0]; k++)
        if (cc[k].units > 0) {
            t->metrics[t->n_metrics].name = xstrdup(cc[k].name);
            t->metrics[t->n_metrics++].units_e6 = cc[k].units * 1000000;
        }
    for (size_t k = 0; k < t->n_metrics; k++) {
        struct report_value_metric *m = &t->metrics[k];
        /* cents × 10^4 = micro-USD; / (units_e6 / 10^6) */
        m->cost_per_unit_micros =
            m->units_e6 > 0 ? (int64_t)money_div_round(
                                  (cb_i128)t->total * MONEY_MICRO_PER_CENT * 1000000, m->units_e6)
                            : 0;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **insights_batch_workflows(const struct ledger *l, size_t *n)
{
    const char **v = NULL;
    *n = 0;
    for (size_t i = 0; i < l->n_buckets; i++) {
        const struct ledger_bucket *b = &l->buckets[i];
        for (size_t k = 0; k < b->n_groups[DIM_WORKFLOW]; k++) {
            const struct ledger_group *g = &b->groups[DIM_WORKFLOW][k];
            if (g->key && g->batch_requests > 0) {
                v = xreallocarray(v, *n + 1, sizeof *v);
                v[(*n)++] = g->key;
            }
        }
    }
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void add_rec(struct report_team *t, enum report_rec_kind kind, int64_t saving, char *expl)
{
    if (saving < 1) {
        free(expl);
        return;
    }
    t->recommendations =
        xreallocarray(t->recommendations, t->n_recommendations + 1, sizeof *t->recommendations);
    struct report_recommendation *x = &t->recommendations[t->n_recommendations++];
    x->kind = kind;
    x->saving = saving;
    x->explanation = expl;
}

void insights_recommendations(struct report_team *t, const struct ledger_bucket *b,
                              const char *const *bw, size_t n_bw)
{
    if (!b)
        return;
    int64_t routing = pico_cents(b->routing_saving);
    add_rec(t, REC_MODEL_ROUTING, routing,
            xasprintf("%s requests on Opus or Sonnet had fewer than 1,000 input and 500 output "
                      "tokens; priced at the Haiku rate instead, they would have cost %s less "
                      "(their list cost minus the same tokens at Haiku prices).",
                      text_count(b->routing_requests).s, text_money(routing).s));
    cb_i128 nonbatch = 0, uncached = 0;
    size_t n_batchable = 0, n_repeated = 0;
    for (size_t k = 0; k < b->n_groups[DIM_WORKFLOW]; k++) {
        const struct ledger_group *g = &b->groups[DIM_WORKFLOW][k];
        if (!g->key)
            continue;
        if (n_bw && bsearch(&g->key, bw, n_bw, sizeof *bw, cmp_str) &&
            g->cost_nonbatch_tokens > 0) {
            nonbatch += g->cost_nonbatch_tokens;
            n_batchable++;
        }
        if (g->usage.requests >= REPEATED_REQUESTS && g->uncached_input_cost > 0) {
            uncached += g->uncached_input_cost;
            n_repeated++;
        }
    }
    /* each saving is worked from the amount the sentence shows, in cents, so that the equation
     * it prints holds to the cent ("5.15 × 50% = 2.58", not 2.57 from the unrounded 5.1466) */
    int64_t nb = pico_cents(nonbatch);
    int64_t bsave = (int64_t)money_div_round((cb_i128)nb * BATCH_DISCOUNT_E6, (cb_i128)1000000);
    add_rec(t, REC_BATCHING, bsave,
            xasprintf("%s that also ran through the Batch API elsewhere spent %s on "
                      "non-batch tokens; at the %s batch discount: %s × %s = %s.",
                      text_plural((int64_t)n_batchable, "workflow", "workflows").s,
                      text_money(nb).s, text_rate(BATCH_DISCOUNT_E6).s, text_money(nb).s,
                      text_rate(BATCH_DISCOUNT_E6).s, text_money(bsave).s));
    int64_t un = pico_cents(uncached);
    /* saving = uncached × cacheable × (1 − cache read price) */
    int64_t csave = (int64_t)money_div_round((cb_i128)un * CACHEABLE_E6 * (1000000 - CACHE_READ_E6),
                                             (cb_i128)1000000 * 1000000);
    add_rec(t, REC_CACHING, csave,
            xasprintf("%s (at least %s this month) spent %s on uncached input tokens. Assuming "
                      "%s of that input is a cacheable prefix and cache reads cost %s of the "
                      "input price: %s × %s × (1 − %s) = %s.",
                      text_plural((int64_t)n_repeated, "repeated workflow", "repeated workflows").s,
                      text_plural(REPEATED_REQUESTS, "request", "requests").s, text_money(un).s,
                      text_rate(CACHEABLE_E6).s, text_rate(CACHE_READ_E6).s, text_money(un).s,
                      text_rate(CACHEABLE_E6).s, text_e6(CACHE_READ_E6).s, text_money(csave).s));
    int64_t premium = pico_cents(b->premium);
    add_rec(t, REC_PREMIUM_MODIFIERS, premium,
            xasprintf("%s requests ran in fast mode or with US-only inference; the same tokens at "
                      "standard speed with global inference would have cost %s less (their "
                      "list cost minus the same tokens at the model's standard prices, before "
                      "the fast-mode and US-only multipliers).",
                      text_count(b->premium_requests).s, text_money(premium).s));
}

/* The explanation text of a month (see explain.h). */
#include "explain.h"

#include <string.h>

#include "text.h"
#include "xalloc.h"

const char *explain_metric_words(enum tier_metric m)
{
    return m == METRIC_INPUT_TOKENS    ? "input tokens"
           : m == METRIC_OUTPUT_TOKENS ? "output tokens"
                                       : "total tokens";
}

const char *explain_split_words(enum split_kind k)
{
    return k == SPLIT_PROPORTIONAL ? "split by each team's own usage"
           : k == SPLIT_EVEN       ? "split evenly"
                                   : "split by team weight";
}

/* A corrected revision replaces the signed invoice: its total is the corrected amount, and the
 * revision block beside it says what remains to settle against what was invoiced, so neither is
 * called "due" on its own. */
const char *explain_amount_label(bool shadow, bool revision)
{
    return shadow ? "Would be charged" : revision ? "Corrected total" : "Amount due";
}

const char *explain_total_label(bool shadow, bool revision)
{
    return shadow ? "Total (not billed)" : revision ? "Corrected total" : "Total due";
}

const char *explain_charged_label(bool shadow)
{
    return shadow ? "Would be charged to teams" : "Charged to teams";
}

const char *explain_invoice_title(bool shadow)
{
    return shadow ? "Shadow invoice" : "Invoice";
}

const char *explain_summary_title(bool shadow)
{
    return shadow ? "Shadow chargeback summary" : "Chargeback summary";
}

void explain_method(struct strbuf *out, const struct explain_split *f)
{
    switch (f->model) {
    case CB_MODEL_USAGE:
        strbuf_printf(out,
                      "Usage: the team is charged its usage including shared pools at list "
                      "price, %s (its own usage %s + shared costs %s).",
                      text_money(f->direct).s, text_money(f->list_cost).s, text_money(f->shared).s);
        break;
    case CB_MODEL_FIXED:
        if (f->equal)
            strbuf_printf(out, "Fixed: the %s pool split equally among %zu teams — %s = %s.",
                          text_money(f->pool).s, f->n_teams, text_percent(f->share_e4).s,
                          text_money(f->amount).s);
        else
            strbuf_printf(out,
                          "Fixed: the %s pool split by team weight — weight %s of %s (%s) "
                          "= %s.",
                          text_money(f->pool).s, text_e6(f->weight_e6).s,
                          text_e6(f->weight_sum_e6).s, text_percent(f->share_e4).s,
                          text_money(f->amount).s);
        break;
    case CB_MODEL_HYBRID: {
        int64_t fs = f->fixed_share_e6, rest = f->pool - f->hybrid_fixed;
        strbuf_printf(out, "Hybrid: %s of the %s pool (%s) ", text_rate(fs).s,
                      text_money(f->pool).s, text_money(f->hybrid_fixed).s);
        if (f->by_headcount)
            strbuf_printf(out, "split by headcount — %s of %s people (%s) = %s; ",
                          text_count(f->headcount).s, text_count(f->headcount_sum).s,
                          text_percent(f->share_e4).s, text_money(f->fixed_part).s);
        else
            strbuf_printf(out, "split equally among %zu teams (%s) = %s; ", f->n_teams,
                          text_percent(f->share_e4).s, text_money(f->fixed_part).s);
        if (f->sum_direct > 0)
            strbuf_printf(out,
                          "the other %s (%s) split by usage including shared pools — %s of %s "
                          "(%s) = %s.",
                          text_rate(1000000 - fs).s, text_money(rest).s, text_money(f->direct).s,
                          text_money(f->sum_direct).s, text_percent(f->usage_share_e4).s,
                          text_money(f->usage_part).s);
        else
            strbuf_printf(out, "the other %s (%s) split equally, as no team had usage = %s.",
                          text_rate(1000000 - fs).s, text_money(rest).s,
                          text_money(f->usage_part).s);
        break;
    }
    case CB_MODEL_TIERED:
        strbuf_printf(out, "Tiered (%s): %s %s priced through the tiers = %s",
                      f->volume ? "volume" : "graduated", text_count(f->tokens).s,
                      explain_metric_words(f->metric), text_money(f->amount).s);
        if (f->shared)
            strbuf_printf(out, "; shared costs at list price %s", text_money(f->shared).s);
        strbuf_printf(out, "; charge %s (usage at list price would be %s).",
                      text_money(f->charge).s, text_money(f->list_cost).s);
        break;
    }
}

char *explain_fixed_line(int64_t pool, int64_t share_e4)
{
    return xasprintf("Fixed share of the %s pool (%s)", text_money(pool).s,
                     text_percent(share_e4).s);
}

char *explain_hybrid_fixed_line(int64_t fixed_share_e6, int64_t pool, bool by_headcount)
{
    return xasprintf("Fixed part: %s of the %s pool, %s", text_rate(fixed_share_e6).s,
                     text_money(pool).s, by_headcount ? "split by headcount" : "split equally");
}

char *explain_hybrid_usage_line(int64_t fixed_share_e6, int64_t pool, int64_t share_e4)
{
    return xasprintf("Usage part: %s of the %s pool, split by usage including shared pools (%s)",
                     text_rate(1000000 - fixed_share_e6).s, text_money(pool).s,
                     text_percent(share_e4).s);
}

char *explain_tier_line(size_t tier, bool volume, bool last, enum tier_metric metric, int64_t from,
                        int64_t up_to, int64_t tokens)
{
    if (volume)
        return xasprintf("Tier %zu (volume): all %s %s at the rate of the tier reached", tier + 1,
                         text_count(tokens).s, explain_metric_words(metric));
    if (!last)
        return xasprintf("Tier %zu: %s from %s to %s", tier + 1, explain_metric_words(metric),
                         text_count(from).s, text_count(up_to).s);
    return xasprintf("Tier %zu: %s above %s", tier + 1, explain_metric_words(metric),
                     text_count(from).s);
}

char *explain_shared_line(const char *pool, enum split_kind kind, int64_t share_e4, int64_t cost)
{
    return xasprintf("%s — %s (%s of %s)", pool, explain_split_words(kind),
                     text_percent(share_e4).s, text_money(cost).s);
}

char *explain_true_up_line(int64_t share_e4, int64_t difference)
{
    return xasprintf("Adjustment to the provider's invoice (true-up): %s of the %s difference, "
                     "split by usage including shared pools",
                     text_percent(share_e4).s, text_signed(difference).s);
}

char *explain_overhead_line(int64_t rate_e6, int64_t base)
{
    return xasprintf("Platform overhead %s of %s", text_rate(rate_e6).s, text_money(base).s);
}

char *explain_markup_line(int64_t rate_e6, int64_t base)
{
    return xasprintf("Markup %s of %s", text_rate(rate_e6).s, text_money(base).s);
}

void explain_true_up(struct strbuf *out, int64_t difference, int64_t direct, int64_t base_direct,
                     int64_t share_e4, int64_t true_up)
{
    if (!true_up)
        return;
    strbuf_printf(out,
                  " Adjustment to the provider's invoice (true-up): the %s difference between "
                  "the invoice and usage at list price, split by usage including shared pools "
                  "— %s of %s (%s) = %s.",
                  text_signed(difference).s, text_money(direct).s, text_money(base_direct).s,
                  text_percent(share_e4).s, text_signed(true_up).s);
}

void explain_overhead(struct strbuf *out, int64_t rate_e6, int64_t base, int64_t overhead)
{
    if (rate_e6)
        strbuf_printf(out, " Platform overhead %s of %s = %s.", text_rate(rate_e6).s,
                      text_money(base).s, text_money(overhead).s);
}

void explain_markup(struct strbuf *out, int64_t rate_e6, int64_t base, int64_t markup)
{
    if (rate_e6)
        strbuf_printf(out, " Markup %s of %s = %s.", text_rate(rate_e6).s, text_money(base).s,
                      text_money(markup).s);
}

char *explain_reconciliation(const struct explain_reconciliation *f)
{
    if (!f->has_provider_total)
        return xstrdup("");
    struct strbuf s = STRBUF_INIT;
    strbuf_printf(&s,
                  "Provider invoice %s; list-price total %s (teams' usage including shared "
                  "pools %s + "
                  "unallocated %s); difference %s. ",
                  text_money(f->provider_total).s, text_money(f->period_list_total).s,
                  text_money(f->period_list_total - f->unallocated_shown).s,
                  text_money(f->unallocated_shown).s, text_signed(f->difference).s);
    if (f->n_teams == 0) {
        strbuf_printf(&s, "No team is in the month, so nothing is charged; the difference is "
                          "shown here only.");
        return strbuf_detach(&s);
    }
    switch (f->model) {
    case CB_MODEL_USAGE:
        strbuf_printf(&s,
                      "The difference is charged as adjustment lines (true-up) split by usage "
                      "including shared pools, so "
                      "the teams' charges before overhead and markup (%s) plus the unallocated "
                      "usage shown (%s) equal the provider invoice (%s) to the cent.",
                      text_money(f->before).s, text_money(f->unallocated_shown).s,
                      text_money(f->provider_total).s);
        break;
    case CB_MODEL_FIXED:
    case CB_MODEL_HYBRID:
        if (f->has_amount)
            strbuf_printf(&s, "The configured pool %s is charged; the difference is not.",
                          text_money(f->pool).s);
        else
            strbuf_printf(&s,
                          "The pool charged is the provider invoice less the unallocated usage "
                          "shown: %s − %s = %s, so charges before overhead and markup (%s) plus "
                          "unallocated (%s) equal the provider invoice.",
                          text_money(f->provider_total).s, text_money(f->unallocated_shown).s,
                          text_money(f->pool).s, text_money(f->before).s,
                          text_money(f->unallocated_shown).s);
        break;
    case CB_MODEL_TIERED:
        strbuf_printf(&s, "Tiered charges follow the tier prices; the difference is shown here "
                          "only and not charged to teams.");
        break;
    }
    return strbuf_detach(&s);
}

char *explain_summary_method(const struct explain_summary *f)
{
    const struct config *c = f->config;
    struct strbuf s = STRBUF_INIT;
    const char *pool_from = c->has_amount ? "the configured amount"
                            : c->has_provider_total
                                ? "the provider invoice less unallocated usage"
                                : "the sum of the teams' usage including shared pools";
    switch (f->model) {
    case CB_MODEL_USAGE:
        strbuf_printf(&s, "Usage model: each team is charged its own usage at list price plus "
                          "its share of shared pools.");
        break;
    case CB_MODEL_FIXED:
        strbuf_printf(&s,
                      "Fixed model: a pool of %s (%s) is split among the %zu teams by team "
                      "weight (equal by default); usage is shown at list price for "
                      "information.",
                      text_money(f->pool).s, pool_from, f->n_teams);
        break;
    case CB_MODEL_HYBRID:
        strbuf_printf(&s,
                      "Hybrid model: %s of a %s pool (%s) is split by %s, the other %s by "
                      "each team's usage including shared pools.",
                      text_rate(c->fixed_share_e6).s, text_money(f->pool).s, pool_from,
                      c->fixed_basis == BASIS_HEADCOUNT ? "headcount" : "equal shares",
                      text_rate(1000000 - c->fixed_share_e6).s);
        break;
    case CB_MODEL_TIERED:
        strbuf_printf(&s,
                      "Tiered model: each team's monthly %s are priced through %s "
                      "(%s); shared pools are added at list price.",
                      explain_metric_words(c->tier_metric),
                      text_plural((int64_t)c->n_tiers, "tier", "tiers").s,
                      c->tier_mode == TIER_VOLUME ? "volume: all tokens at the rate of the tier "
                                                    "reached"
                                                  : "graduated: each tier's tokens at its rate");
        break;
    }
    for (size_t i = 0; i < c->n_shared; i++)
        strbuf_printf(&s, " Shared pool \"%s\" is %s.",
                      c->shared[i].name ? c->shared[i].name : "Shared pool",
                      f->n_teams ? explain_split_words(c->shared[i].split)
                                 : "unallocated (no team in the month to split it among)");
    if (f->unallocated_shown)
        strbuf_printf(&s, " Usage without a team (%s) is shown on the summary and not charged.",
                      text_money(f->unallocated_list_cost).s);
    else
        strbuf_printf(
            &s, " Usage without a team (%s) is %s among the teams.",
            text_money(f->unallocated_list_cost).s,
            explain_split_words(c->unallocated == UNALLOC_EVEN ? SPLIT_EVEN : SPLIT_PROPORTIONAL));
    if (f->true_up)
        strbuf_printf(&s,
                      " An adjustment to the provider's invoice (true-up) of %s brings the "
                      "charges to that invoice, split by usage including shared pools.",
                      text_signed(f->true_up).s);
    if (c->overhead_e6)
        strbuf_printf(&s, " Platform overhead of %s is added to every team's charge.",
                      text_rate(c->overhead_e6).s);
    strbuf_printf(&s, " Amounts are exact to the cent; every split uses the largest remainder "
                      "method (ties to the team id sorting first).");
    return strbuf_detach(&s);
}

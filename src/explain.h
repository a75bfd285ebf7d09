/* The explanation text of a month (explain.c): how each team's charge was computed, in words
 * with its numbers, the description of each allocated line, the reconciliation sentence and the
 * summary's method. report.c computes the numbers and hands them here as plain facts; nothing
 * here computes an amount, and nothing there writes a sentence. */
#ifndef CB_EXPLAIN_H
#define CB_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "strbuf.h"

/* One team's split under its chargeback model, as report.c computed it. Amounts in cents,
 * rates ×10^6, shares ×10^4. */
struct explain_split {
    enum cb_model model;
    size_t n_teams;
    int64_t pool;   /* fixed, hybrid: the pool split */
    int64_t amount; /* fixed: the team's part; tiered: the tier charge */
    /* usage */
    int64_t direct, list_cost, shared;
    /* fixed */
    bool equal;                       /* every team has the same weight */
    int64_t weight_e6, weight_sum_e6; /* the team's weight and the sum */
    int64_t share_e4;                 /* the team's part of the pool */
    /* hybrid */
    int64_t fixed_share_e6; /* the configured fixed share */
    int64_t hybrid_fixed;   /* the fixed part of the pool */
    bool by_headcount;      /* the fixed part split by headcount (else equally) */
    int64_t headcount, headcount_sum;
    int64_t fixed_part, usage_part; /* the team's two parts */
    int64_t sum_direct;             /* every team's direct cost */
    int64_t usage_share_e4;         /* direct / sum_direct */
    /* tiered */
    bool volume;
    enum tier_metric metric;
    int64_t tokens, charge;
};

/* Appends the team's method sentence (its model, without true-up, overhead and markup). */
void explain_method(struct strbuf *out, const struct explain_split *f);

/* Descriptions of allocated lines (new strings). */
char *explain_fixed_line(int64_t pool, int64_t share_e4);
char *explain_hybrid_fixed_line(int64_t fixed_share_e6, int64_t pool, bool by_headcount);
char *explain_hybrid_usage_line(int64_t fixed_share_e6, int64_t pool, int64_t share_e4);
/* tier (0-based) of `n` tiers: from..up_to of the metric, or above from for the last one, or
 * all `tokens` at the tier's rate in volume mode */
char *explain_tier_line(size_t tier, bool volume, bool last, enum tier_metric metric, int64_t from,
                        int64_t up_to, int64_t tokens);
char *explain_shared_line(const char *pool, enum split_kind kind, int64_t share_e4, int64_t cost);
/* A true-up line: its share of the difference between the provider invoice and list price. */
char *explain_true_up_line(int64_t share_e4, int64_t difference);
char *explain_overhead_line(int64_t rate_e6, int64_t base);
char *explain_markup_line(int64_t rate_e6, int64_t base);

/* Appends the true-up, overhead and markup sentences of a team's method (each only when its
 * amount is there: rate 0 or amount 0 leaves it out). */
void explain_true_up(struct strbuf *out, int64_t difference, int64_t direct, int64_t base_direct,
                     int64_t share_e4, int64_t true_up);
void explain_overhead(struct strbuf *out, int64_t rate_e6, int64_t base, int64_t overhead);
void explain_markup(struct strbuf *out, int64_t rate_e6, int64_t base, int64_t markup);

/* The words of a tier metric and a split kind ("total tokens", "split by each team's own usage").
 */
const char *explain_metric_words(enum tier_metric m);
const char *explain_split_words(enum split_kind k);

/* Display words that depend on whether the month is billed. A shadow month says what would be
 * charged and carries no payment words ("due", "payable", "pay"); every document takes these
 * labels from here. Borrowed static strings. */
/* "Amount due" / "Would be charged" / "Corrected total" (a corrected revision) */
const char *explain_amount_label(bool shadow, bool revision);
/* "Total due" / "Total (not billed)" / "Corrected total" */
const char *explain_total_label(bool shadow, bool revision);
/* the summary's headline: "Charged to teams" / "Would be charged to teams" */
const char *explain_charged_label(bool shadow);
/* the documents' titles, so a shadow document never reads as an invoice under its banner:
 * "Invoice" / "Shadow invoice" and "Chargeback summary" / "Shadow chargeback summary" */
const char *explain_invoice_title(bool shadow);
const char *explain_summary_title(bool shadow);
/* The footer every shadow document carries in place of the configured invoice.footer (which is
 * written for billed invoices and may ask for payment). */
#define EXPLAIN_SHADOW_FOOTER "Shadow month: for information only; nothing is billed."

/* The reconciliation of the month to the provider invoice. */
struct explain_reconciliation {
    bool has_provider_total;
    enum cb_model model;
    size_t n_teams;
    bool has_amount; /* a configured pool */
    int64_t provider_total, period_list_total, unallocated_shown, difference;
    int64_t before; /* the teams' charges before overhead and markup, true-up included */
    int64_t pool;
};
/* A new string; "" without a provider total. */
char *explain_reconciliation(const struct explain_reconciliation *f);

/* The summary's method: the model, the shared pools, unallocated usage, true-up, overhead. */
struct explain_summary {
    const struct config *config;
    enum cb_model model;
    size_t n_teams;
    int64_t pool;
    bool unallocated_shown; /* the policy is "show" */
    int64_t unallocated_list_cost;
    int64_t true_up;
};
char *explain_summary_method(const struct explain_summary *f);

#endif

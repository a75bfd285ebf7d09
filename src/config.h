/* The organization configuration (SPEC §4), loaded from JSON with every key checked. */
#ifndef CB_CONFIG_H
#define CB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "status.h"
#include "tags.h"

enum cb_model { CB_MODEL_USAGE, CB_MODEL_FIXED, CB_MODEL_HYBRID, CB_MODEL_TIERED };
enum split_kind { SPLIT_PROPORTIONAL, SPLIT_EVEN, SPLIT_WEIGHTS };
enum unallocated_policy { UNALLOC_SHOW, UNALLOC_PROPORTIONAL, UNALLOC_EVEN };
enum fixed_basis { BASIS_HEADCOUNT, BASIS_EQUAL };
enum tier_mode { TIER_GRADUATED, TIER_VOLUME };
enum tier_metric { METRIC_TOTAL_TOKENS, METRIC_INPUT_TOKENS, METRIC_OUTPUT_TOKENS };

/* One condition: tag `tag` equals one of `values`. */
struct config_cond {
    enum tag tag;
    char **values;
    size_t n_values;
};

/* A match is the conjunction of its conditions. */
struct config_match {
    struct config_cond *conds;
    size_t n_conds;
};

struct config_rule { /* attribution: first match wins, fills missing tags */
    struct config_match match;
    char *set[TAG_COUNT]; /* NULL where the rule sets nothing */
};

struct config_shared { /* a shared-cost pool */
    struct config_match match;
    enum split_kind split;
    char *name; /* display name: "name" key, else built from the match */
};

struct config_tier {
    bool has_up_to;             /* false for the last, open tier */
    int64_t up_to;              /* tokens */
    int64_t per_million_micros; /* micro-USD per million tokens */
};

struct config_value_metric {
    char *name;       /* "tickets resolved" */
    int64_t units_e6; /* units × 10^6 (fractional units allowed) */
};

/* Someone an alert is addressed to (a budget's owner, finance); either field may be NULL. */
struct config_person {
    char *name, *email;
};

/* What a budget of the `budgets` list is on: a project or a user tag value (a team's budget is
 * kept on its config_team, wherever it was given). */
enum config_scope { SCOPE_TEAM, SCOPE_PROJECT, SCOPE_USER };

struct config_budget {
    enum config_scope scope; /* SCOPE_PROJECT or SCOPE_USER */
    char *key;               /* the project or user tag value */
    bool is_tokens;          /* monthly_tokens rather than money */
    int64_t monthly;         /* cents, or tokens */
    int64_t *thresholds_e6;  /* sorted ascending */
    size_t n_thresholds;
    struct config_person owner;
    size_t index; /* its position in budgets[], for messages */
};

struct config_team {
    char *id;                                        /* the key in "teams", the team tag */
    char *name, *cost_center, *contact, *gl_account; /* NULL when absent */
    char *owner;     /* the team's owner (a name), NULL when absent */
    char *reference; /* a purchase order or internal reference, NULL when absent */
    struct config_person budget_owner; /* the budget's own owner, when given */
    bool has_headcount;
    int64_t headcount;
    int64_t weight_e6; /* default 1000000 */
    int64_t markup_e6; /* default 0 */
    bool has_budget;
    bool budget_is_tokens;
    int64_t budget_monthly; /* cents, or tokens when budget_is_tokens */
    int64_t *thresholds_e6; /* sorted ascending; e.g. 500000 for 0.5 */
    size_t n_thresholds;
    struct config_value_metric *metrics; /* from value_metrics[id] */
    size_t n_metrics;
};

struct config {
    char *organization; /* default "Organization" */
    char *currency;     /* "USD" */
    enum cb_model model;
    bool has_amount;
    int64_t amount_cents;
    int64_t fixed_share_e6;
    enum fixed_basis fixed_basis;
    struct config_tier *tiers;
    size_t n_tiers;
    enum tier_mode tier_mode;
    enum tier_metric tier_metric;
    int64_t overhead_e6;
    struct config_team *teams; /* sorted by id */
    size_t n_teams;
    struct config_rule *rules;
    size_t n_rules;
    struct config_shared *shared;
    size_t n_shared;
    enum unallocated_policy unallocated;
    /* provider_invoice: what the provider billed, by month ({"2026-10": "950.06"}) */
    struct config_provider_month {
        int year, month;
        int64_t cents;
    } * provider_months;
    size_t n_provider_months;
    /* the rendered month's provider total (from provider_months or a Cost report), set by the
     * pipeline once the month is known (pipeline_provider_total) */
    bool has_provider_total;
    int64_t provider_total_cents;
    bool provider_from_cost_report; /* ... and it came from a Cost report among the inputs */
    char *number_prefix;            /* default "CB-" */
    char *issuer, *footer;          /* NULL when absent */
    char *paper;                    /* "A4" (default) or "Letter" */
    int64_t payment_terms_days;     /* invoice.payment_terms_days: due = issue + terms (30) */
    char *credit_account;           /* journal.credit_account, NULL when absent */
    int64_t skill_rate_micros;      /* micro-USD per call; 0 when absent */
    int64_t mcp_rate_micros;
    char *gl_account;          /* NULL when absent */
    int64_t anomaly_factor_e6; /* default 2000000 */
    /* project and user budgets of `budgets`, sorted by scope then key (config_budget_find) */
    struct config_budget *budgets;
    size_t n_budgets;
    struct config_person finance; /* "finance": who anomalies and unallocated usage go to */
    bool has_unallocated_limit;   /* "alerts": {"unallocated_share": 0.05} */
    int64_t unallocated_limit_e6;
    json_t *prices; /* borrowed-by-nobody: owned here, NULL when absent */
    char *source;   /* the file it came from, "(built-in)" for the default */
};

/* Returns a new configuration with the built-in defaults (usage model, no overhead). */
struct config *config_new_default(void);

/* Loads and validates a configuration file. Unknown keys and wrong types are errors naming the
 * key's path ("chargeback.tiers[1].per_million: expected a decimal string"). Returns CB_OK and
 * sets *out (free with config_free), or CB_EUSAGE/CB_EIO with err filled and *out NULL. */
enum cb_status config_load(const char *path, struct config **out, struct cb_error *err);
/* Same, from a parsed document (takes no ownership of doc). */
enum cb_status config_from_json(json_t *doc, const char *source, struct config **out,
                                struct cb_error *err);
void config_free(struct config *c);
/* Overrides the chargeback model (--model) after the checks the configured model passes (tiers
 * for tiered, headcounts for hybrid by headcount). CB_OK, or CB_EUSAGE naming the missing key
 * (c unchanged). */
enum cb_status config_set_model(struct config *c, enum cb_model m, struct cb_error *err);

/* Finds a configured team by id. Borrowed pointer or NULL. */
const struct config_team *config_team(const struct config *c, const char *id);
/* Finds the budget of `budgets` on a project or user value (binary search). Borrowed or NULL. */
const struct config_budget *config_budget_find(const struct config *c, enum config_scope scope,
                                               const char *key);
/* True when every condition of m holds for the tag values (NULL = tag absent). */
bool config_match(const struct config_match *m, const char *const tags[TAG_COUNT]);

const char *config_model_name(enum cb_model m);
/* Parses "fixed|usage|hybrid|tiered". Returns false on anything else. */
bool config_model_parse(const char *s, enum cb_model *out);

#endif

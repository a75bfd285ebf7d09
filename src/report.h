/* The renderer-neutral model of a priced month: every number on every document. Built by
 * report_build (report.c) from the ledger, configuration and price book; renderers only read it.
 * Money is int64 cents unless named otherwise; rates and shares are int64 scaled by 10^4
 * ("_e4": 9430 = 94.30 %) or 10^6 ("_e6"). Every string is owned by the report
 * but the lines' units, which are static. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"
#include "reconcile.h"
#include "money.h"
#include "prices.h"
#include "status.h"

struct comparison; /* compare.h */

enum line_kind {
    LINE_INPUT,
    LINE_OUTPUT,
    LINE_CACHE_READ,
    LINE_CACHE_WRITE_5M,
    LINE_CACHE_WRITE_1H,
    LINE_WEB_SEARCH,
    LINE_SKILL,
    LINE_MCP,
    LINE_SHARED,
    LINE_FIXED,
    LINE_USAGE_SHARE,
    LINE_TIER,
    LINE_OVERHEAD,
    LINE_MARKUP,
    LINE_TRUE_UP,
    LINE_KIND_COUNT
};

/* "input", "output", ... as in report.json. */
const char *report_line_kind_name(enum line_kind k);

/* One invoice line. amount = round(quantity × unit_price_micros / per / 10^4) cents, rounded
 * once, half away from zero — except allocation lines (shared, fixed, usage_share, overhead,
 * markup, true_up), which carry quantity 1, per 1 and unit_price_micros = amount × 10^4. */
struct report_line {
    enum line_kind kind;
    char *model; /* NULL for lines not tied to a model */
    bool batch;
    uint8_t band, speed, geo; /* enum price_band, price_speed, price_geo (token lines) */
    char *description;
    int64_t quantity;
    int64_t unit_price_micros; /* micro-USD per `per` units */
    int64_t per;               /* 1000000 for tokens, 1000 for searches, 1 otherwise */
    const char *unit;          /* static: "1M tokens", "1K searches", "call", "allocation" */
    int64_t amount;            /* cents */
    cb_i128 list_pico; /* quantity × unit price, unrounded, pico-USD (focus.csv ListCost) */
};

/* True when the line's amount is its quantity × unit price / per rounded once to the cent, so a
 * spreadsheet formula of those cells reproduces it (allocation lines: 1 × the amount). */
bool report_line_reproducible(const struct report_line *l);

struct report_usage {
    int64_t requests;
    int64_t input_tokens, output_tokens, cache_read_input_tokens;
    int64_t cache_write_5m_input_tokens, cache_write_1h_input_tokens;
    int64_t web_search_requests, skill_invocations, mcp_operations;
    int64_t total_tokens; /* the five token classes summed */
};

/* A row of a breakdown table (by project, user, model, ...). */
struct report_group {
    char *key; /* "(untagged)" for records without the tag */
    struct report_usage usage;
    int64_t list_cost; /* cents, rounded once from the exact sum */
    int64_t share_e4;  /* of the owner's list cost */
};

/* The by-model row of skill and MCP charges at internal rates (they belong to no model), so a
 * team's by-model rows add up to its list cost. */
#define REPORT_INTERNAL_RATES_ROW "Skills and MCP (internal rates)"

struct report_groups {
    struct report_group *items; /* sorted by list_cost descending, then key */
    size_t n;
};

struct report_day {
    char date[11];     /* "2026-10-01" */
    int64_t list_cost; /* cents */
    int64_t requests;
    int64_t tokens;
};

/* A budget's state, decided once in the model; report_budget_state_text words it. */
enum report_budget_state {
    BUDGET_STATE_NONE,   /* no budget */
    BUDGET_STATE_WITHIN, /* no threshold crossed */
    BUDGET_STATE_ALERT,  /* a threshold crossed, not over */
    BUDGET_STATE_OVER,   /* used above the monthly budget */
};

/* "no budget", "within budget", "threshold crossed", "over budget"; static. */
const char *report_budget_state_text(enum report_budget_state s);

struct report_budget {
    bool present;
    enum report_budget_state state;
    bool tokens;                    /* a token budget (monthly_tokens) rather than money */
    int64_t monthly;                /* cents, or tokens */
    int64_t used;                   /* cents charged, or tokens used */
    int64_t utilization_e4;         /* used / monthly, 10^4 = 100 % (rounded half away from zero) */
    int64_t *thresholds_crossed_e6; /* e.g. 500000 for 0.5 */
    size_t n_thresholds_crossed;
    bool over;
};

/* The thresholds a budget crossed as documents show them, "80%, 90%, 100%" ("" when none).
 * Returns a new string; free with free(). */
char *report_thresholds_text(const struct report_budget *b);

/* ---- budgets on projects and users, and the alerts of the month (budgets.c) ---- */

/* What a budget or an alert is about. */
enum report_entity { ENTITY_TEAM, ENTITY_PROJECT, ENTITY_USER, ENTITY_ORGANIZATION };

/* Whom an alert is for: the budget's owner, the team (its owner and contact), or finance. */
enum report_role { ROLE_BUDGET_OWNER, ROLE_TEAM, ROLE_FINANCE, ROLE_NONE };

struct report_recipient {
    enum report_role role;
    char *name, *email; /* "" when unknown */
};

/* A budget of the configuration's `budgets` on a project or a user. `budget.used` is list price
 * (cents) or tokens across the organization: every team's invoice row for it, plus its usage in
 * shared pools and without a team. */
struct report_entity_budget {
    enum report_entity entity; /* ENTITY_PROJECT or ENTITY_USER */
    char *key;                 /* the project or user tag value */
    struct report_budget budget;
    struct report_recipient owner; /* who its alerts are for */
};

/* What every document says under project and user budgets. */
#define REPORT_ENTITY_BUDGET_NOTE                                                                  \
    "Project and user budgets are measured at list price across the organization (every "          \
    "team's usage, shared pools and usage without a team): shared pools, overhead and markup "     \
    "are allocated to teams, not to projects or users."

/* A project or user budget on a team invoice: the budget, and this team's part of its use. */
struct report_team_budget {
    size_t index;      /* into report.budgets */
    int64_t team_used; /* this team's invoice row for the project or user: cents, or tokens */
};

/* A budget crossed or over (a team's, a project's or a user's), for the summary. */
struct report_budget_row {
    enum report_entity entity;
    const char *key, *name;             /* borrowed from the report */
    const struct report_budget *budget; /* borrowed from the report */
};

enum report_alert_kind {
    ALERT_BUDGET_THRESHOLD, /* a budget's alert threshold crossed */
    ALERT_BUDGET_OVER,      /* a budget exceeded */
    ALERT_ANOMALY,          /* a day above anomaly_factor × the team's mean day */
    ALERT_UNALLOCATED,      /* usage without a team above alerts.unallocated_share */
};

/* One entry of alerts.json (and report.json `alerts`). */
struct report_alert {
    enum report_alert_kind kind;
    enum report_entity entity;
    char *key, *name;     /* team id and name, project, user; "" for the organization */
    int64_t figure;       /* utilization or share (10^4), or an anomaly's factor (10^2) */
    int64_t threshold_e6; /* the threshold, 1 (100 %), anomaly_factor or the share limit */
    bool tokens;          /* value and limit are tokens */
    int64_t value, limit; /* budget: used, monthly; anomaly: the day, the mean day; unallocated:
                             its list cost, all list cost (cents unless tokens) */
    char date[11];        /* anomalies: the day */
    char *rule;           /* the rule and the figures in words */
    struct report_recipient to;
};

struct report_anomaly {
    char date[11];
    int64_t list_cost;  /* that day's list cost, cents (the team's day row) */
    int64_t mean_daily; /* the team's mean daily list cost, cents */
    int64_t factor_e2;  /* list_cost / mean_daily rounded once to hundredths: 674 = 6.74× */
};

enum report_rec_kind {
    REC_MODEL_ROUTING,
    REC_BATCHING,
    REC_CACHING,
    REC_PREMIUM_MODIFIERS,
    REC_KIND_COUNT
};

/* "model_routing", "batching", "caching", "premium_modifiers" (report.json); static. */
const char *report_rec_kind_name(enum report_rec_kind k);
/* The heading every format shows ("Cache repeated prompts"); static. */
const char *report_rec_title(enum report_rec_kind k);

struct report_recommendation {
    enum report_rec_kind kind;
    int64_t saving;    /* estimated monthly saving, cents */
    char *explanation; /* the formula in words, with its numbers */
};

struct report_value_metric {
    char *name; /* "tickets resolved" */
    int64_t units_e6;
    int64_t cost_per_unit_micros; /* charge / units, micro-USD */
};

struct report_mom { /* month over month, with --previous */
    bool present;
    char previous_month[8];
    int64_t previous_total;
    int64_t previous_list_cost;
    int64_t delta_total; /* this month - previous */
    bool has_pct;
    int64_t delta_pct_e4; /* relative change, 10^4 = 100 % */
};

struct report_team {
    char *id;   /* the team tag */
    char *name; /* display name (config, else the id) */
    char *slug; /* [a-z0-9-], unique */
    char *invoice_number;
    char *cost_center; /* "" when none */
    char *contact;     /* "" when none */
    char *gl_account;  /* "" when none */
    char *owner;       /* the bill-to person (teams.X.owner), "" when none */
    char *reference;   /* a purchase order or internal reference, "" when none */
    bool configured;   /* in the config's teams (false: seen only in data) */
    int64_t headcount;
    struct report_usage usage;
    int64_t list_cost; /* U_t: Σ usage lines at list price (showback) */
    int64_t shared;    /* share of shared pools */
    int64_t direct;    /* D_t = list_cost + shared */
    int64_t charge;    /* by the chargeback model, before true-up, overhead and markup */
    int64_t true_up, overhead, markup;
    int64_t total;    /* Σ lines */
    int64_t share_e4; /* total / totals.charged */
    struct report_line *lines;
    size_t n_lines;
    /* The team's priced consumption at list price when the invoice does not bill it line by line
     * (fixed, hybrid, tiered): one per model, token class, batch or not, price entry. Empty under
     * usage, where these lines are the first of `lines`. focus.csv writes them as unbilled usage.
     */
    struct report_line *usage_lines;
    size_t n_usage_lines;
    char *method; /* how the charge was computed, in words */
    struct report_groups by_project, by_user, by_workflow, by_environment, by_model;
    struct report_day *days; /* one per day of the month */
    size_t n_days;
    struct report_budget budget;
    struct report_anomaly *anomalies;
    size_t n_anomalies;
    struct report_recommendation *recommendations;
    size_t n_recommendations;
    struct report_value_metric *metrics;
    size_t n_metrics;
    struct report_mom mom;
    struct report_team_budget *entity_budgets; /* its projects' then users' budgets, by key */
    size_t n_entity_budgets;
    char *supersedes_invoice; /* revision > 1: this team's number in the superseded month, ""
                                 when the team had no invoice there */
    /* revision > 1: that invoice as the superseded month posted it, borrowed from
       r->supersedes.invoices; NULL when the team had none (it is new in this revision) */
    const struct report_superseded_invoice *superseded;
    /* revision > 1: what the superseded month invoiced this team; every document shows the
       three figures under these labels */
#define REPORT_REVISION_PREVIOUS "Previously invoiced"
#define REPORT_REVISION_THIS     "This revision"
#define REPORT_REVISION_SETTLE   "Difference to settle"
/* the summary's total row of the three columns, and the note on a team without an invoice in
   the revision (its superseded invoice is reversed and not replaced) */
#define REPORT_REVISION_ALL  "All teams"
#define REPORT_REVISION_GONE "no invoice in this revision"
    struct report_revision {
        bool present;
        int64_t previous_total; /* cents; 0 when the team had no invoice there */
        int64_t difference;     /* total - previous_total: what remains to settle, signed */
    } revision;
};

/* One invoice of the month a corrected revision supersedes, as that month's report.json gives
 * it: charges.csv reverses it on the accounts it was posted to (their values then, not this
 * configuration's), so the signed month plus the revision post the corrected totals. */
struct report_superseded_invoice {
    char *team, *name, *invoice_number;         /* name: the id when the report had none */
    char *cost_center, *reference, *gl_account; /* "" when none */
    int64_t total;                              /* cents: what the invoice charged */
};

struct report_file {
    char *path;
    char sha256[65];
    int64_t bytes;
    int64_t records;
    char *format;
};

struct report_reject_reason {
    char *reason; /* "unknown model" */
    int64_t count;
    char **examples; /* "file:line: message" */
    size_t n_examples;
};

struct report_tag_coverage {
    char *tag;         /* "project" */
    int64_t list_cost; /* cents of cost carrying the tag */
    int64_t share_e4;  /* of all billed list cost */
};

/* One step of the summary bridge: a signed amount on the way from where the money comes from
 * (the provider invoice, else usage at list price) to the amount charged to teams. */
struct report_bridge_step {
    char *label;    /* "Provider invoice", "Usage without a team, not charged", ... */
    int64_t amount; /* signed cents */
};

/* The label of the line every summary prints under the bridge: Σ steps = totals.charged. */
#define REPORT_BRIDGE_RESULT "Charged to teams"

struct report_totals {
    int64_t list_cost, shared, unallocated, overhead, markup, true_up, charged;
    int64_t charge; /* Σ teams' charge by the model, before true-up, overhead and markup */
    struct report_bridge_step *bridge; /* in order; the amounts add up to `charged` exactly */
    size_t n_bridge;
    bool has_provider_total;
    int64_t provider_total;
    int64_t period_list_total;         /* Σ D_t + unallocated (what reconciliation compares) */
    int64_t reconciliation_difference; /* provider_total - period_list_total */
};

struct report {
    char *tool_version;
    char **warnings; /* every warning of the run up to rendering (SPEC §7), owned */
    size_t n_warnings;
    char *organization, *currency;
    char month[8];         /* "2026-10" */
    char period_start[21]; /* "2026-10-01T00:00:00Z" */
    char period_end[21];   /* "2026-11-01T00:00:00Z" */
    char period_label[32]; /* "October 2026" */
    /* from SOURCE_DATE_EPOCH, else the first day after the period; a corrected revision is
       never dated before the day its superseded month was signed */
    char issue_date[11];
    char due_date[11]; /* issue_date + payment_terms_days */
    int64_t payment_terms_days;
    char *credit_account; /* journal.credit_account, "" when none (charges.csv balancing line) */
    bool shadow;          /* mode "shadow" */
    enum cb_model model;
    char *issuer, *footer;     /* "" when none */
    char *paper;               /* "A4" or "Letter" */
    char *method;              /* the summary's explanation of the whole allocation */
    char *reconciliation_text; /* "" without a provider invoice */
    char *unallocated_policy;  /* "show", "proportional", "even" */
    struct report_file *files;
    size_t n_files;
    int64_t records_read, records_billed, records_rejected, duplicates, outside_period;
    struct report_reject_reason *rejects;
    size_t n_rejects;
    char price_book_checked[11];
    char price_book_sha256[65];
    struct report_totals totals;
    struct report_team *teams; /* sorted by id (lookups, report.json) */
    size_t n_teams;
    /* The order every document lists teams in: indices into teams, by display name (bytewise
     * UTF-8), then id. A table that ranks teams by amount says so in its heading. */
    size_t *order;
    /* The order of rankings (charts of spend, "largest charges"): indices into teams by total
     * descending, then display order. Charts show the first REPORT_CHART_TOP and one "others"
     * bar of the rest, whose total is ranked_others_total (totals.charged less the top). */
    size_t *ranked;
#define REPORT_CHART_TOP 15
    size_t n_ranked_shown; /* min(n_teams, REPORT_CHART_TOP), or n_teams when only one is left */
    int64_t ranked_others_total; /* cents; 0 when every team is shown */
    int64_t ranked_max; /* the longest bar: the largest shown total, or the others bar, cents */
    struct report_usage unallocated_usage;
    int64_t unallocated_list_cost;
    struct report_line *unallocated_lines; /* shown, not charged, under policy "show" */
    size_t n_unallocated_lines;
    struct report_groups shared_pools; /* one per shared rule: key = pool name */
    struct report_tag_coverage *coverage;
    size_t n_coverage;
    struct report_groups top_projects, top_users, by_model; /* organization-wide */
    struct report_day *days;                                /* organization-wide daily trend */
    size_t n_days;
    int revision;              /* 1, or N for a corrected revision (--supersedes) */
    struct report_supersedes { /* revision > 1: the signed month this one corrects */
        char *folder;          /* as given on the command line */
        char *signed_by, *signed_at;
        char signoff_sha256[65]; /* of its SIGNOFF.json, which lists every file's hash */
        /* the credit account its charges.csv balanced against ("" for a charge list: no credit
           lines to reverse); this configuration's when its report.json does not say */
        char *credit_account;
        struct report_superseded_invoice *invoices; /* every invoice it had, by team id */
        size_t n_invoices;
        /* indices into invoices of the teams without an invoice in this revision, in display
           order (name, then id): their invoices are reversed and not replaced */
        size_t *gone;
        size_t n_gone;
        int64_t previous_total; /* Σ invoices[].total: what the superseded month charged */
        int64_t difference;     /* totals.charged - previous_total: what remains to settle */
    } supersedes;
    /* the provider's billed amounts beside the tool's list price, when a Cost report was among
     * the inputs (reconcile.h); NULL otherwise; owned */
    struct recon *recon;
    bool provider_from_cost_report; /* totals.provider_total came from that report */
    /* each team's total under every chargeback model (compare.h), on a shadow month or with
     * --compare; NULL otherwise; owned */
    struct comparison *comparison;
    struct report_entity_budget *budgets; /* projects' then users', each by key */
    size_t n_budgets;
    struct report_budget_row *budgets_crossed; /* every budget crossed or over, by utilization
                                                  descending, then entity and key */
    size_t n_budgets_crossed;
    struct report_alert *alerts; /* by entity, key, kind, then threshold or date */
    size_t n_alerts;
    int64_t unallocated_share_e4; /* unallocated list cost / all list cost */
    /* --previous: the whole month against the one before. previous_total and previous_list_cost
     * are Σ of every team of that month (teams[].mom lists those still here); delta_total =
     * totals.charged - previous_total. The teams of that month without an invoice this month
     * are counted apart, so the per-team previous column plus them adds up to previous_total. */
    struct report_mom mom;
    size_t mom_gone_teams;  /* teams of the previous month not in this one */
    int64_t mom_gone_total; /* what they were charged then, cents */
    char *mom_note; /* what the summary's month-over-month columns mean; NULL without --previous */
};

/* The headings of the summary's month-over-month columns, the same in every format. */
#define REPORT_MOM_PREVIOUS "Previous"
#define REPORT_MOM_CHANGE   "Change"

struct prior_month; /* prior.h */

struct report_opts {
    const struct config *config;
    const struct price_book *prices;
    const struct ledger *ledger;
    bool shadow;
    bool has_model_override;
    enum cb_model model_override;
    const struct prior_month *previous;   /* --previous, read by prior_read_previous; or NULL */
    const struct prior_month *superseded; /* --supersedes, read by prior_read_signed; or NULL */
    const char *source_date_epoch;        /* the SOURCE_DATE_EPOCH value, or NULL */
};

/* Builds the priced, allocated, sorted report and runs the consistency checks of SPEC §5. Reads
 * no file: earlier months come in as plain data. Returns CB_OK with *out set (free with
 * report_free); CB_EINTERNAL when an identity fails; CB_EUSAGE for a superseded month of
 * another period, or a shadow month that supersedes one. */
enum cb_status report_build(const struct report_opts *opts, struct report **out,
                            struct cb_error *err);

/* Re-runs the identities of SPEC §5 on a built report. CB_OK or CB_EINTERNAL with err. */
enum cb_status report_check(const struct report *r, struct cb_error *err);

/* Sets r->order, r->ranked and the chart's split (n_ranked_shown, ranked_others_total,
 * ranked_max) from the teams' names, ids and totals and totals.charged; report_build calls it
 * once every total is known. A lone team beyond the top is shown rather than folded into an
 * "others" bar of one. */
void report_order_teams(struct report *r);

/* Whether any shared pool of the month has usage: the PDF and HTML summaries leave out a Shared
 * pools table of pools nothing matched (a row of zeros says nothing; the workbook keeps its
 * sheet, so that every summary workbook has the same sheets). */
bool report_pools_used(const struct report *r);
void report_free(struct report *r);

#endif

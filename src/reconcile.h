/* Reconciliation against what the provider billed, line by line (SPEC §2.2b): when a Cost report
 * is among the inputs, the tool's list-price computation of the month beside the billed amounts
 * by model × token type and by day, and the billed amounts by workspace. Amounts are cents,
 * each rounded once from its exact sum. */
#ifndef CB_RECONCILE_H
#define CB_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger.h"

struct recon_line {
    const char *model; /* borrowed from the ledger; NULL for costs of no model */
    const char *kind;  /* "uncached_input_tokens", ..., "web_search", or the report's own */
    int64_t computed;  /* the tool's list price, cents */
    int64_t billed;    /* the provider's amount, cents */
};

struct recon_day {
    int day; /* of the month */
    int64_t computed, billed;
};

struct recon_workspace {
    const char *workspace; /* NULL: the default workspace */
    int64_t billed;
};

struct recon {
    int64_t computed, billed; /* the month's totals, cents */
    struct recon_line *lines; /* by model, then kind; only with a report by description */
    size_t n_lines;
    struct recon_day *days; /* days with usage or billed amounts */
    size_t n_days;
    struct recon_workspace *workspaces; /* only with a report by workspace */
    size_t n_workspaces;
};

/* Builds the detail for a ledger whose billed.present is set; NULL otherwise. `skill_micros`
 * and `mcp_micros` are the internal rates, which the provider never bills. */
struct recon *recon_build(const struct ledger *l, int64_t skill_micros, int64_t mcp_micros);
void recon_free(struct recon *r);

/* How documents name a cost kind: "input tokens", "cache writes (5 min)", "web searches", ...;
 * a kind of the report's own that is not listed is shown as written. */
const char *recon_kind_label(const char *kind);
/* How documents name a model of the reconciliation: its id, or "(no model)". */
const char *recon_model_label(const char *model);

/* A warning repeated per item (a team in the data but not in the configuration) is given for the
 * first REPORT_WARNINGS_PER_KIND items, then once for the rest with their count. */
#define REPORT_WARNINGS_PER_KIND 20

/* Documents list the first REPORT_NOTES_SHOWN warnings in their "Notes on the data" box and say
 * how many more report.json holds. It is above REPORT_WARNINGS_PER_KIND + 1, so a kind's summary
 * line ("and 30 more teams ... 50 in all") is shown with its first items, never cut to "and 1
 * more". */
#define REPORT_NOTES_SHOWN 30

#endif

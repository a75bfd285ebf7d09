/* The chargeback-model comparison (SPEC §7 `comparison`): each team's total under every model,
 * from the same month, configuration and price book. Each column is a whole report_build with
 * the model overridden, so the numbers come from the allocation code itself, never a copy of it. */
#ifndef CB_COMPARE_H
#define CB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "report.h"
#include "status.h"

#define COMPARE_MODELS 4 /* indexed by enum cb_model: usage, fixed, hybrid, tiered */

struct comparison_team {
    char *id, *name;                 /* the report team's */
    int64_t charges[COMPARE_MODELS]; /* its total (cents) under each model present */
};

struct comparison {
    enum cb_model configured;       /* the model the invoices use */
    bool present[COMPARE_MODELS];   /* tiered only with tiers; a model that cannot be built
                                       for this month (left_out says why) is absent */
    char *left_out[COMPARE_MODELS]; /* why an absent model is absent; NULL for a present one */
    enum fixed_basis hybrid_basis;  /* the basis hybrid's column split its fixed share by */
    bool hybrid_equal;              /* ... equal shares although the configured basis is
                                       headcount: not every team has a headcount */
    struct comparison_team *teams;  /* in the report's order (sorted by id) */
    size_t n_teams;
    int64_t totals[COMPARE_MODELS]; /* Σ of each column */
    char *note;    /* how the columns were made (hybrid's basis, what was left out), in words */
    char *reading; /* who gains and who pays more under each other model, in words */
};

/* Builds the comparison for the report `r` built from `opts`: one report per model, with the
 * same ledger, configuration, price book and mode, its team totals kept and the report freed.
 * The configured model's column must equal r's invoices to the cent. Warnings of those builds
 * are not printed (the month's own build printed them). Returns CB_OK with a new *out (free with
 * compare_free); CB_EINTERNAL when a build fails its checks or the configured column differs
 * from the invoices. A model whose build refuses this month's configuration (CB_EUSAGE, e.g. a
 * provider invoice below the unallocated usage) is left out, with the reason, not an error. */
enum cb_status compare_build(const struct report_opts *opts, const struct report *r,
                             struct comparison **out, struct cb_error *err);

void compare_free(struct comparison *c);

/* "Usage", "Fixed", "Hybrid", "Tiered" (a column heading); static. */
const char *compare_model_title(enum cb_model m);

/* Team i's change under model m against the configured model (signed cents). */
int64_t compare_change(const struct comparison *c, size_t i, enum cb_model m);

/* A change as documents show it: "+1,234.56", "-12.00", "0.00" (buf always NUL-terminated when
 * size > 1). */
void compare_format_change(int64_t cents, char *buf, size_t size);

#endif

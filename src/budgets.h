/* Budgets at every level (team, project, user) and the month's alerts: the threshold crossings,
 * budgets exceeded, anomalies and unallocated share that alerts.json lists, each addressed to
 * the person the configuration names for it. Reads a report whose teams are finished (totals,
 * breakdowns, budgets, anomalies) and fills the report's budget and alert fields. */
#ifndef CB_BUDGETS_H
#define CB_BUDGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"
#include "report.h"

/* Decides a budget's state from what was used: utilization = used / monthly (10^4, rounded half
 * away from zero), each threshold crossed when used >= threshold × monthly, over when used >
 * monthly. Fills *out (its thresholds_crossed_e6 is a new array the report frees). Never fails. */
void budgets_state(struct report_budget *out, bool tokens, int64_t monthly, int64_t used,
                   const int64_t *thresholds_e6, size_t n_thresholds);

/* Fills r->budgets (project and user budgets of c), each team's entity_budgets,
 * r->budgets_crossed, r->unallocated_share_e4 and r->alerts, from the finished teams of r and
 * the non-team buckets of l. Borrows c and l; everything it adds is owned by r and freed by
 * budgets_free. Never fails (out of memory aborts). */
void budgets_build(struct report *r, const struct config *c, const struct ledger *l);

/* Frees what budgets_build added to r (report_free calls it). Accepts a report without any. */
void budgets_free(struct report *r);

/* "team", "project", "user", "organization"; static. */
const char *budgets_entity_name(enum report_entity e);
/* "Team", "Project", "User", "Organization"; static. */
const char *budgets_entity_title(enum report_entity e);
/* "budget_owner", "team", "finance", "none" (alerts.json); static. */
const char *budgets_role_name(enum report_role r);
/* "budget_threshold", "budget_over", "anomaly", "unallocated_share" (alerts.json); static. */
const char *budgets_alert_kind_name(enum report_alert_kind k);

#endif

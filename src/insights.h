/* Insights of a team's month (insights.c): budget state, anomalies, unit economics and
 * recommendations, filled into a team of the report model after its charge and its day rows. */
#ifndef CB_INSIGHTS_H
#define CB_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ledger.h"
#include "report.h"

/* Sets t->budget from the team's configuration (nothing without a budget): utilization of the
 * charge (or tokens), the thresholds crossed, over budget, the state. */
void insights_budget(struct report_team *t, const struct config_team *ct);

/* Appends the days whose exact list cost exceeds factor_e6 / 10^6 × the team's mean day; each
 * shows the team's day row, the mean of the rows and their ratio rounded once (factor_e2).
 * Needs t->days and t->list_cost. */
void insights_anomalies(struct report_team *t, const struct ledger_bucket *b, int64_t factor_e6);

/* Sets t->metrics: the charge per unit of each configured value metric, then of Claude Code's
 * sessions, commits and pull requests of the team's people (the Analytics report's
 * core_metrics, summed in the bucket). Needs t->total. */
void insights_unit_economics(struct report_team *t, const struct ledger_bucket *b,
                             const struct config_team *ct);

/* Returns a new array (free with free) of the workflow keys that ran in batch in any bucket,
 * sorted by strcmp, with their count in *n; the keys are borrowed from the ledger. */
const char **insights_batch_workflows(const struct ledger *l, size_t *n);

/* Appends the recommendations worth at least a cent: model routing, batching (workflows in
 * bw, sorted, that ran in batch elsewhere), caching, premium modifiers. */
void insights_recommendations(struct report_team *t, const struct ledger_bucket *b,
                              const char *const *bw, size_t n_bw);

#endif

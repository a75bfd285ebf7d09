/* A hand-built report for renderer tests, consistent to the cent (Σ lines = totals), so the
 * renderers can be tested without the ingest and allocation stages. */
#ifndef CB_SUPPORT_FIXTURE_H
#define CB_SUPPORT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct fixture_opts {
    bool shadow;
    size_t n_teams;           /* 0 means 3 */
    size_t lines_per_team;    /* usage lines per team; 0 means 6 (large values force page breaks) */
    size_t groups_per_team;   /* rows in each breakdown; 0 means 5 */
    const char *const *names; /* display names for the teams (NULL: built-in, with Unicode) */
};

/* Returns a new report (free with report_free) that passes report_check. */
struct report *fixture_report(const struct fixture_opts *o);

#endif

/* The report turned into view data for the templates: a jansson tree in which every string a
 * template shows is already formatted (money with thousands separators, percentages, dates,
 * chart geometry), so templates hold no logic beyond sections. */
#ifndef CB_VIEW_H
#define CB_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "report.h"

/* The other documents of the same run, which the pages link to (only those written). */
struct view_links {
    bool pdf, xlsx; /* teams/<slug>.pdf, teams/<slug>.xlsx */
};

/* Returns a new reference: the data of the summary page (index.html). */
json_t *view_summary(const struct report *r, const struct view_links *links);
/* Returns a new reference: the data of one team's invoice (teams/<slug>.html). */
json_t *view_team(const struct report *r, size_t team_index, const struct view_links *links);

#endif

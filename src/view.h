/* The report turned into view data for the templates: a jansson tree in which every string a
 * template shows is already formatted (money with thousands separators, percentages, dates,
 * chart geometry), so templates hold no logic beyond sections. */
#ifndef CB_VIEW_H
#define CB_VIEW_H

#include <stddef.h>

#include <jansson.h>

#include "report.h"

/* Returns a new reference: the data of the summary page (index.html). */
json_t *view_summary(const struct report *r);
/* Returns a new reference: the data of one team's invoice (teams/<slug>.html). */
json_t *view_team(const struct report *r, size_t team_index);

/* Formats a 10^4-scaled ratio as a percentage with two decimals: 9430 -> "94.30%". */
void view_format_percent(int64_t e4, char *buf, size_t size);

#endif

/* Team slugs (slug.c): the file names of the per-team documents, never paths. */
#ifndef CB_SLUG_H
#define CB_SLUG_H

#include <stddef.h>

#include "report.h"

#define SLUG_MAX 60

/* Returns a new string (free with free): the id in lower-case [a-z0-9-], Latin-1 letters
 * transliterated, other characters dropped or turned into one dash, at most SLUG_MAX bytes,
 * "team" when nothing is left. */
char *slug_from_id(const char *id);

/* Sets teams[i].slug (a new string each) for teams in id order: slug_from_id, and for a slug
 * already taken by an earlier team "-2", "-3", ... (cut to stay within SLUG_MAX). Linear in
 * the number of teams. */
void slug_assign(struct report_team *teams, size_t n);

#endif

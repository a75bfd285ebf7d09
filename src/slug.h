/* Team slugs (SPEC §6): the file names of teams/<slug>.html, .pdf, .xlsx and the tail of the
 * invoice numbers. One module holds the rule so every renderer and the report agree. */
#ifndef CB_SLUG_H
#define CB_SLUG_H

#include <stdbool.h>
#include <stddef.h>

#define SLUG_MAX 60

/* The slug of one team id before uniqueness: lower-case [a-z0-9-], Latin-1 letters folded to
 * ASCII, other scripts dropped, runs of anything else one '-', at most SLUG_MAX bytes, "team"
 * when nothing is left. A name Windows reserves for a device (con, prn, aux, nul, com0-9,
 * lpt0-9) gets "-team" appended, so teams/con.html can be opened there. Returns a new string. */
char *slug_base(const char *id);

/* Gives n teams unique slugs: out[i] is a new string (free each). Teams with claims_first[i]
 * (the configured teams) claim their slugs before the others, in index order, so a configured
 * team's slug never depends on what else the data holds; a slug already taken gets -2, -3, ...
 * Runs in O(n log n): a hash set of taken slugs and one suffix counter per base. */
void slug_assign(const char *const *ids, const bool *claims_first, size_t n, char **out);

#endif

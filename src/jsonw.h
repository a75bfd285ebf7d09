/* A streaming JSON writer for report.json and alerts.json. It writes, value by value, the bytes
 * jansson's json_dump_callback gives for the same tree built with JSON_PRESERVE_ORDER, in one of
 * the two layouts the tool uses: JSON_INDENT(2) or JSON_COMPACT (same separators, same string
 * escapes, same integers; reals are formatted by jansson itself). Nothing is held but the open
 * containers, so a month of 100,000 teams is written without building a tree per team.
 *
 * Use: jw_new, then one object or array as the root (jw_object / jw_array ... jw_end), every
 * member of an object preceded by jw_key, then jw_close. Misuse (a key outside an object, two
 * roots, an unclosed container) and invalid UTF-8 make jw_close fail, as an I/O error does. */
#ifndef CB_JSONW_H
#define CB_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

/* A writer to f (borrowed; not closed), indented by two spaces or compact. Never fails. */
struct jw *jw_new(FILE *f, bool compact);
/* Flushes and frees w; true when every byte was written and the document was well formed. */
bool jw_close(struct jw *w);

void jw_object(struct jw *w); /* opens an object as the next value */
void jw_array(struct jw *w);  /* opens an array as the next value */
void jw_end(struct jw *w);    /* closes the innermost open object or array */
void jw_key(struct jw *w, const char *key);

void jw_string(struct jw *w, const char *s); /* NULL writes "" */
void jw_integer(struct jw *w, int64_t v);
void jw_real(struct jw *w, double v); /* as jansson with JSON_REAL_PRECISION(12) */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

#endif

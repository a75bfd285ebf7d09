/* A Mustache template engine over jansson values (the full spec: variables, sections, inverted
 * sections, comments, partials with indentation, set delimiters, standalone lines). */
#ifndef CB_MUSTACHE_H
#define CB_MUSTACHE_H

#include <stdio.h>

#include <jansson.h>

#include "status.h"
#include "strbuf.h"

/* Looks up a partial by name. Returns a new string (freed by the engine) or NULL when there is
 * no such partial (it renders as empty, as the spec says). */
typedef char *(*mustache_partial_fn)(const char *name, void *ctx);

/* Renders `tmpl` with `data` appending to `out`. `name` labels errors (a file name).
 * Values: strings as they are, integers exactly, reals in the shortest form that reads back the
 * same ("1.21", "100", "1e+21"; '.' whatever the locale), true/false as words, null, objects
 * and lists as nothing; {{x}} escapes & < > " ' (and shows controls other than tab, LF and CR,
 * DEL and the bidi controls U+202A-U+202E, U+2066-U+2069 as U+FFFD) and {{{x}}} / {{&x}} do not.
 * Falsey for sections: missing, null, false, [] and "" (0 and {} are truthy). Partials are loaded
 * once per call and start with the default delimiters. Bounds: sections nest at most 100 deep in
 * one template, partials 50 deep, 5M nodes are visited per call, and `out` keeps its limit (256 MiB
 * when it has none). Returns CB_OK, or CB_EUSAGE with err naming `name` and the line: a malformed,
 * unclosed or mismatched tag or section (in a partial: the including line, with the partial's own
 * line in the text), or a bound passed. `out` may hold partial output on error; `data` is borrowed.
 */
enum cb_status mustache_render(const char *tmpl, const char *name, json_t *data,
                               mustache_partial_fn partials, void *partials_ctx, struct strbuf *out,
                               struct cb_error *err);

/* The `template` subcommand: renders file `tmpl_path` with the JSON in `data_path` to `out`.
 * Partials come from `partials_dir` (NULL: the template's folder) as NAME.mustache; a name with
 * a slash or a leading dot, or a missing file, renders as nothing (the spec's failed lookup).
 * Returns CB_OK; CB_EIO when a file cannot be read or `out` cannot be written; CB_EUSAGE for
 * data that is not JSON (err names the data file and line) or a template error as above.
 * Nothing is written to `out` unless the whole render succeeded. */
enum cb_status mustache_render_file(const char *tmpl_path, const char *data_path,
                                    const char *partials_dir, FILE *out, struct cb_error *err);

#endif

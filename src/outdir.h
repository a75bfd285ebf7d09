/* Atomic output folders (SPEC §6): a month is written into a temporary folder beside the
 * target and renamed into place whole. */
#ifndef CB_OUTDIR_H
#define CB_OUTDIR_H

#include <stddef.h>

#include "status.h"

/* Render may replace only what it made (SPEC §6). Returns CB_OK when `target` is missing, an
 * empty folder, or an earlier unsigned render (a report.json of ours, and only the files a render
 * writes); otherwise CB_EUSAGE naming what is in the way: a signed month at, above or below the
 * target, one of `inputs` (files or folders the run reads; "-" and NULL are skipped) at or under
 * it, or a file the tool did not write. Reads nothing but the folders' listings and report.json.
 * Borrows every string. */
enum cb_status outdir_check(const char *target, const char *const *inputs, size_t n_inputs,
                            struct cb_error *err);
/* The first entry of the rendered month `dir` that render did not write (a new string naming
 * it, "…, which chargeback did not write"), or NULL when it holds only render's files. */
char *outdir_foreign(const char *dir);
/* Drops what outdir_check remembers of the last earlier report.json it read (it reads an
 * unchanged one only once). */
void outdir_forget(void);
/* Creates a fresh temporary folder beside `target` (and target's parents as needed).
 * Returns CB_OK with *tmp a new string (free it); CB_EUSAGE when target is a signed month;
 * CB_EIO on failure. */
enum cb_status outdir_begin(const char *target, char **tmp, struct cb_error *err);
/* Replaces `target` with `tmp` (the old unsigned folder, if any, is removed after the rename). */
enum cb_status outdir_commit(const char *tmp, const char *target, struct cb_error *err);
/* Removes the temporary folder and everything in it. Accepts NULL. */
void outdir_abort(const char *tmp);

#endif

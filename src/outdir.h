/* Atomic output folders (SPEC §6): a month is written into a temporary folder beside the
 * target and renamed into place whole. */
#ifndef CB_OUTDIR_H
#define CB_OUTDIR_H

#include "status.h"

/* Creates a fresh temporary folder beside `target` (and target's parents as needed).
 * Returns CB_OK with *tmp a new string (free it); CB_EUSAGE when target is a signed month;
 * CB_EIO on failure. */
enum cb_status outdir_begin(const char *target, char **tmp, struct cb_error *err);
/* Replaces `target` with `tmp` (the old unsigned folder, if any, is removed after the rename). */
enum cb_status outdir_commit(const char *tmp, const char *target, struct cb_error *err);
/* Removes the temporary folder and everything in it. Accepts NULL. */
void outdir_abort(const char *tmp);

#endif

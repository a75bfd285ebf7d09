/* Placeholder while the module is being written; replaced by its implementation. */
#include "outdir.h"
enum cb_status outdir_begin(const char *target, char **tmp, struct cb_error *err) { (void)target; *tmp = 0; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "outdir: not built yet"); }
enum cb_status outdir_commit(const char *tmp, const char *target, struct cb_error *err) { (void)tmp; (void)target; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "outdir: not built yet"); }
void outdir_abort(const char *tmp) { (void)tmp; }

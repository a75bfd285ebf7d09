/* Placeholder while the module is being written; replaced by its implementation. */
#include "report.h"
enum cb_status report_build(const struct report_opts *opts, struct report **out, struct cb_error *err) { (void)opts; *out = 0; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "report: not built yet"); }
enum cb_status report_check(const struct report *r, struct cb_error *err) { (void)r; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "report: not built yet"); }

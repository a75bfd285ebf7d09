/* Placeholder while the module is being written; replaced by its implementation. */
#include "render.h"
enum cb_status render_csv(const struct report *r, const struct render_dest *d, struct cb_error *err) { (void)r; (void)d; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "csv: not built yet"); }
enum cb_status render_focus(const struct report *r, const struct render_dest *d, struct cb_error *err) { (void)r; (void)d; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "focus: not built yet"); }

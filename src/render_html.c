/* Placeholder while the module is being written; replaced by its implementation. */
#include "render.h"
enum cb_status render_html(const struct report *r, const struct render_dest *d, struct cb_error *err) { (void)r; (void)d; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "html: not built yet"); }

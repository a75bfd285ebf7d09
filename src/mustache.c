/* Placeholder while the module is being written; replaced by its implementation. */
#include "mustache.h"
enum cb_status mustache_render(const char *tmpl, const char *name, json_t *data, mustache_partial_fn partials, void *partials_ctx, struct strbuf *out, struct cb_error *err) { (void)tmpl; (void)name; (void)data; (void)partials; (void)partials_ctx; (void)out; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "mustache: not built yet"); }
enum cb_status mustache_render_file(const char *tmpl_path, const char *data_path, const char *partials_dir, FILE *out, struct cb_error *err) { (void)tmpl_path; (void)data_path; (void)partials_dir; (void)out; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "mustache: not built yet"); }

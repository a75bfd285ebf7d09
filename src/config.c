/* Placeholder while the module is being written; replaced by its implementation. */
#include "config.h"
#include <string.h>
#include "xalloc.h"
struct config *config_new_default(void) { struct config *c = xcalloc(1, sizeof *c); return c; }
enum cb_status config_load(const char *path, struct config **out, struct cb_error *err) { (void)path; *out = 0; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "config: not built yet"); }
enum cb_status config_from_json(json_t *doc, const char *source, struct config **out, struct cb_error *err) { (void)doc; (void)source; *out = 0; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "config: not built yet"); }
void config_free(struct config *c) { (void)c; }
const struct config_team *config_team(const struct config *c, const char *id) { (void)c; (void)id; return 0; }
bool config_match(const struct config_match *m, const char *const tags[TAG_COUNT]) { (void)m; (void)tags; return false; }
const char *config_model_name(enum cb_model m) { (void)m; return ""; }
bool config_model_parse(const char *s, enum cb_model *out) { static const char *n[] = {"usage","fixed","hybrid","tiered"}; for (int i = 0; i < 4; i++) if (!strcmp(s, n[i])) { *out = (enum cb_model)i; return true; } return false; }

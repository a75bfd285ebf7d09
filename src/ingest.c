/* Placeholder while the module is being written; replaced by its implementation. */
#include "ingest.h"
enum cb_status ingest_run(const struct ingest_opts *opts, struct ledger **out, struct cb_error *err) { (void)opts; *out = 0; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "ingest: not built yet"); }

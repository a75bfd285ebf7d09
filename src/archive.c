/* Placeholder while the module is being written; replaced by its implementation. */
#include "archive.h"
enum cb_status archive_keygen(const char *path, struct cb_error *err) { (void)path; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "keygen: not built yet"); }
enum cb_status archive_sign(const char *dir, const char *by, const char *key, struct cb_error *err) { (void)dir; (void)by; (void)key; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "sign: not built yet"); }
enum cb_status archive_verify(const char *dir, const char *pubkey, struct cb_error *err) { (void)dir; (void)pubkey; return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "verify: not built yet"); }
bool archive_is_signed(const char *dir) { (void)dir; return false; }

/* Sign-off and verification of a rendered month (SPEC §8). */
#ifndef CB_ARCHIVE_H
#define CB_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

/* Makes an Ed25519 key pair: `path` (secret key, mode 0600) and `path`.pub. */
enum cb_status archive_keygen(const char *path, bool force, struct cb_error *err);
/* Signs folder `dir` as approved by `by`; with `key` also writes SIGNOFF.sig. Refuses shadow
 * months and folders already signed (CB_EUSAGE). */
enum cb_status archive_sign(const char *dir, const char *by, const char *key, struct cb_error *err);
/* Re-checks a signed folder, printing each file added, removed or changed to stdout. Returns
 * CB_OK when all match, CB_EDATA on any difference or a bad signature. */
enum cb_status archive_verify(const char *dir, const char *pubkey, struct cb_error *err);
/* The same comparison as archive_verify, silent and without a key, for commands that need a
 * month to be signed and unchanged (mail): CB_OK when every file matches SIGNOFF.json; CB_EDATA
 * with err naming the first difference; CB_EUSAGE when dir is not signed; CB_EIO on a read error.
 */
enum cb_status archive_check(const char *dir, struct cb_error *err);
/* Hashes the file at `path` (symbolic links are not followed): SHA-256 as 64 hex digits and a NUL
 * into hex, its size into *bytes. CB_EIO with err naming the file when it cannot be read. */
enum cb_status archive_hash_file(const char *path, char hex[65], uint64_t *bytes,
                                 struct cb_error *err);
/* True when `dir` holds a SIGNOFF.json. */
bool archive_is_signed(const char *dir);

#endif

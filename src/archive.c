/* Sign-off and verification of a rendered month (SPEC §8).
 *
 * SIGNOFF.json lists the SHA-256 and size of every regular file of the folder, sorted by path;
 * SIGNOFF.sig is the detached Ed25519 signature (hex) of the exact bytes of SIGNOFF.json.
 * Key files are text: "chargeback-ed25519-secret-key\n<hex>\n" (mode 0600) and
 * "chargeback-ed25519-public-key <hex>\n". */
#include "archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "sha256.h"
#include "strbuf.h"
#include "msg.h"
#include "outdir.h"
#include "xalloc.h"

#define SIGNOFF_JSON   "SIGNOFF.json"
#define SIGNOFF_SIG    "SIGNOFF.sig"
#define SIGNOFF_SCHEMA "chargeback-signoff/1"
#define SECRET_HEADER  "chargeback-ed25519-secret-key"
#define PUBLIC_HEADER  "chargeback-ed25519-public-key"
#define KEY_FILE_MAX   4096
#define SIGNOFF_MAX    (64u << 20)

struct entry {
    char *path; /* relative to the month folder, '/'-separated */
    char sha256[crypto_hash_sha256_BYTES * 2 + 1];
    uint64_t bytes;
};

struct entries {
    struct entry *v;
    size_t n, cap;
};

static void entries_free(struct entries *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i].path);
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static enum cb_status crypto_ready(struct cb_error *err)
{
    if (!cb_sodium_start())
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "libsodium failed to start");
    return CB_OK;
}

enum cb_status archive_hash_file(const char *path, char hex[65], uint64_t *bytes,
                                 struct cb_error *err)
{
    enum cb_status st = CB_OK;
    unsigned char buf[65536];
    struct sha256 h;
    sha256_init(&h, true);
    *bytes = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
            goto cleanup;
        }
        if (n == 0)
            break;
        sha256_update(&h, buf, (size_t)n);
        *bytes += (uint64_t)n;
    }
    sha256_final_hex(&h, hex);
cleanup:
    if (fd >= 0)
        close(fd);
    return st;
}

/* Walks `root`/`rel` and appends every regular file, hashed, to `out`, leaving out SIGNOFF.json
 * and SIGNOFF.sig at the top. Links are never followed. When signing, a symbolic link or special
 * file is an error (an archive holds plain files only); when `verifying`, it is listed with an
 * empty hash so the comparison names it. */
static enum cb_status walk(const char *root, const char *rel, bool verifying, struct entries *out,
                           struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *dir = rel[0] ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(dir);
    if (!d) {
        st = cb_error_set(err, CB_EIO, dir, 0, NULL, "cannot read folder: %s", strerror(errno));
        goto cleanup;
    }
    struct dirent *e;
    while (st == CB_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!rel[0] &&
            (strcmp(e->d_name, SIGNOFF_JSON) == 0 || strcmp(e->d_name, SIGNOFF_SIG) == 0))
            continue;
        char *child_rel = rel[0] ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        char *child = xasprintf("%s/%s", root, child_rel);
        struct stat sb;
        if (lstat(child, &sb) != 0) {
            st = cb_error_set(err, CB_EIO, child, 0, NULL, "cannot read: %s", strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            st = walk(root, child_rel, verifying, out, err);
        } else if (S_ISREG(sb.st_mode) || verifying) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 32;
                out->v = xreallocarray(out->v, out->cap, sizeof *out->v);
            }
            struct entry *en = &out->v[out->n];
            memset(en, 0, sizeof *en);
            en->bytes = (uint64_t)sb.st_size;
            /* A link or special file found by verify keeps an empty hash, which matches no
             * listed file: it is reported as added or changed, never followed. */
            if (S_ISREG(sb.st_mode))
                st = archive_hash_file(child, en->sha256, &en->bytes, err);
            if (st == CB_OK) {
                en->path = child_rel;
                child_rel = NULL;
                out->n++;
            }
        } else {
            st =
                cb_error_set(err, CB_EUSAGE, child, 0, NULL,
                             "not a regular file or folder; a month folder holds plain files only");
        }
        free(child);
        free(child_rel);
    }
cleanup:
    if (d)
        closedir(d);
    free(dir);
    return st;
}

static enum cb_status list_files(const char *root, bool verifying, struct entries *out,
                                 struct cb_error *err)
{
    enum cb_status st = walk(root, "", verifying, out, err);
    if (st == CB_OK)
        qsort(out->v, out->n, sizeof *out->v, entry_cmp);
    return st;
}

/* Reads a whole small file into a new NUL-terminated buffer (free it). */
static enum cb_status read_small(const char *path, size_t max, char **data, size_t *len,
                                 struct cb_error *err)
{
    enum cb_status st = CB_OK;
    struct strbuf b = STRBUF_INIT;
    b.limit = max;
    char buf[8192];
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        st = cb_error_set(err, errno == ENOENT ? CB_EUSAGE : CB_EIO, path, 0, NULL,
                          "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_append(&b, buf, n);
    if (ferror(f)) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    if (b.overflow) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, NULL, "file too large (over %zu bytes)", max);
        goto cleanup;
    }
    strbuf_putc(&b, '\0'); /* guarantees a buffer even for an empty file */
    *len = b.len - 1;
    *data = strbuf_detach(&b);
cleanup:
    if (f)
        fclose(f);
    strbuf_free(&b);
    return st;
}

/* Parses a key file: `header`, one separator (newline or space), the key in hex, an optional
 * newline. */
static enum cb_status read_key(const char *path, const char *header, unsigned char *key,
                               size_t key_len, struct cb_error *err)
{
    enum cb_status st;
    char *data = NULL;
    size_t len = 0, hlen = strlen(header), bin_len = 0;
    st = read_small(path, KEY_FILE_MAX, &data, &len, err);
    if (st != CB_OK)
        goto cleanup;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        data[--len] = '\0';
    if (len < hlen + 1 || strncmp(data, header, hlen) != 0 ||
        (data[hlen] != '\n' && data[hlen] != ' ')) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, NULL, "not a %s file (first word \"%s\")",
                          header, header);
        goto cleanup;
    }
    const char *hex = data + hlen + 1;
    if (strlen(hex) != key_len * 2 ||
        sodium_hex2bin(key, key_len, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
        bin_len != key_len) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, NULL, "malformed key: expected %zu hex digits",
                          key_len * 2);
        goto cleanup;
    }
cleanup:
    if (data) {
        sodium_memzero(data, len);
        free(data);
    }
    return st;
}

/* Writes `len` bytes to a new file `path` (refusing to replace one) with `mode`. */
static enum cb_status write_new(const char *path, const void *buf, size_t len, mode_t mode,
                                struct cb_error *err)
{
    enum cb_status st = CB_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        st = cb_error_set(err, errno == EEXIST ? CB_EUSAGE : CB_EIO, path, 0, NULL,
                          errno == EEXIST ? "already exists; refusing to overwrite it"
                                          : "cannot create: %s",
                          strerror(errno));
        goto cleanup;
    }
    if (fchmod(fd, mode) != 0) { /* exactly `mode`, whatever the umask */
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot set mode: %s", strerror(errno));
        goto cleanup;
    }
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
            goto cleanup;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
cleanup:
    if (fd >= 0 && close(fd) != 0 && st == CB_OK)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
    if (fd >= 0 && st != CB_OK)
        unlink(path);
    return st;
}

/* Writes a new key pair: `path` (the 64-byte libsodium secret key, seed then public half, in
 * hex, mode 0600) and `path`.pub. Refuses (CB_EUSAGE) when either file exists; on any error
 * neither file is left behind. Borrows `path`. */
/* The git work tree holding `path` (the nearest folder above it with a .git), as a new string,
 * or NULL. */
static char *git_work_tree(const char *path)
{
    char *dir = realpath(".", NULL);
    if (!dir)
        return NULL;
    /* the folder the key goes into: its parent part, resolved from the working directory */
    const char *slash = strrchr(path, '/');
    if (slash) {
        /* the nearest folder of the path that exists (keygen makes the missing ones) */
        char *parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
        char *abs;
        while (!(abs = realpath(parent, NULL))) {
            char *up = strrchr(parent, '/');
            if (!up) {
                abs = realpath(".", NULL);
                break;
            }
            if (up == parent) {
                abs = xstrdup("/");
                break;
            }
            *up = '\0';
        }
        free(parent);
        free(dir);
        if (!abs)
            return NULL;
        dir = abs;
    }
    for (;;) {
        char *git = xasprintf("%s/.git", dir);
        struct stat sb;
        bool found = lstat(git, &sb) == 0;
        free(git);
        if (found)
            return dir;
        char *up = strrchr(dir, '/');
        if (!up || up == dir) {
            free(dir);
            return NULL;
        }
        *up = '\0';
    }
}

enum cb_status archive_keygen(const char *path, bool force, struct cb_error *err)
{
    enum cb_status st;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char sk_hex[sizeof sk * 2 + 1], pk_hex[sizeof pk * 2 + 1];
    char *pub_path = xasprintf("%s.pub", path);
    char *sk_text = NULL, *pk_text = NULL;
    st = crypto_ready(err);
    if (st != CB_OK)
        goto cleanup;
    struct stat sb;
    if (lstat(pub_path, &sb) == 0) {
        st = cb_error_set(err, CB_EUSAGE, pub_path, 0, NULL,
                          "already exists; refusing to overwrite it");
        goto cleanup;
    }
    char *tree = force ? NULL : git_work_tree(path);
    if (tree) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, NULL,
                          "is inside the git work tree %s, one `git add` from publishing the "
                          "secret key; write it outside (e.g. ~/.config/chargeback/), or give "
                          "--force",
                          tree);
        free(tree);
        goto cleanup;
    }
    /* the key's folder is made when missing (private: 0700), so ~/.config/chargeback/key works */
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        char *dir = xstrndup(path, (size_t)(p - path));
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            st = cb_error_set(err, CB_EIO, dir, 0, NULL, "cannot create the key's folder: %s",
                              strerror(errno));
            free(dir);
            goto cleanup;
        }
        free(dir);
    }
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(sk_hex, sizeof sk_hex, sk, sizeof sk);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    sk_text = xasprintf("%s\n%s\n", SECRET_HEADER, sk_hex);
    pk_text = xasprintf("%s %s\n", PUBLIC_HEADER, pk_hex);
    st = write_new(path, sk_text, strlen(sk_text), 0600, err);
    if (st != CB_OK)
        goto cleanup;
    st = write_new(pub_path, pk_text, strlen(pk_text), 0644, err);
    if (st != CB_OK)
        unlink(path); /* a secret key without its public half is useless */
cleanup:
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk_hex, sizeof sk_hex);
    if (sk_text) {
        sodium_memzero(sk_text, strlen(sk_text));
        free(sk_text);
    }
    free(pk_text);
    free(pub_path);
    return st;
}

/* True when `dir`/SIGNOFF.json exists (whatever its content: a damaged sign-off still marks the
 * month final). Never fails. */
bool archive_is_signed(const char *dir)
{
    char *p = xasprintf("%s/%s", dir, SIGNOFF_JSON);
    struct stat sb;
    bool signed_ = lstat(p, &sb) == 0;
    free(p);
    return signed_;
}

/* RFC 3339 UTC time of signing: SOURCE_DATE_EPOCH when set (reproducible runs), else now. */
static enum cb_status signing_time(char out[32], struct cb_error *err)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t;
    if (sde && *sde) {
        long long v = 0;
        for (const char *c = sde; *c; c++) {
            if (*c < '0' || *c > '9' || v > (INT64_MAX - 9) / 10)
                return cb_error_set(err, CB_EUSAGE, NULL, 0, "SOURCE_DATE_EPOCH",
                                    "expected seconds since 1970 as digits, got \"%s\"", sde);
            v = v * 10 + (*c - '0');
        }
        t = (time_t)v;
    } else {
        t = time(NULL);
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return cb_error_set(err, CB_EUSAGE, NULL, 0, "SOURCE_DATE_EPOCH", "time out of range");
    return CB_OK;
}

/* Makes everything under `path` read-only (files first, then each folder, the top last).
 * Returns 0 or -1 with errno set. */
static int make_read_only(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return -1;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return -1;
        struct dirent *e;
        int rc = 0;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *child = xasprintf("%s/%s", path, e->d_name);
            rc = make_read_only(child);
            free(child);
        }
        closedir(d);
        if (rc != 0)
            return rc;
    } else if (!S_ISREG(sb.st_mode)) {
        return 0;
    }
    return chmod(path, sb.st_mode & (mode_t) ~(S_IWUSR | S_IWGRP | S_IWOTH) & 07777);
}

/* Reads report.json of `dir` and returns its period.month (new string) after refusing shadow
 * months. */
static enum cb_status read_report(const char *dir, char **month, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = xasprintf("%s/report.json", dir);
    json_error_t je;
    json_t *root = NULL;
    *month = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "not a rendered month: no report.json (render it with --formats "
                          "including json)");
        goto cleanup;
    }
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        st = cb_error_set(err, CB_EUSAGE, path, je.line, NULL, "%s", je.text);
        goto cleanup;
    }
    const char *mode = json_string_value(json_object_get(root, "mode"));
    const char *m = json_string_value(json_object_get(json_object_get(root, "period"), "month"));
    if (mode && strcmp(mode, "shadow") == 0) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "a shadow month cannot be signed (it was never billed)");
        goto cleanup;
    }
    if (!mode || strcmp(mode, "billing") != 0) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, "mode", "expected \"billing\"");
        goto cleanup;
    }
    if (!m) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, "period.month", "missing");
        goto cleanup;
    }
    *month = xstrdup(m);
cleanup:
    json_decref(root);
    free(path);
    return st;
}

static char *build_signoff(const char *month, const char *by, const char *when,
                           const struct entries *files, struct cb_error *err)
{
    json_t *root = json_object();
    json_t *by_j = json_string(by);
    char *text = NULL, *out = NULL;
    if (!by_j) {
        cb_error_set(err, CB_EUSAGE, NULL, 0, "--by", "not valid UTF-8");
        goto cleanup;
    }
    json_object_set_new(root, "schema", json_string(SIGNOFF_SCHEMA));
    json_object_set_new(root, "period", json_string(month));
    json_object_set_new(root, "signed_by", by_j);
    json_object_set_new(root, "signed_at", json_string(when));
    json_object_set_new(root, "tool_version", json_string(CB_VERSION));
    json_t *arr = json_array();
    for (size_t i = 0; i < files->n; i++) {
        json_t *path = json_string(files->v[i].path);
        if (!path) {
            cb_error_set(err, CB_EUSAGE, files->v[i].path, 0, NULL,
                         "file name is not valid UTF-8; cannot be listed");
            json_decref(arr);
            goto cleanup;
        }
        json_t *f = json_object();
        json_object_set_new(f, "path", path);
        json_object_set_new(f, "sha256", json_string(files->v[i].sha256));
        json_object_set_new(f, "bytes", json_integer((json_int_t)files->v[i].bytes));
        json_array_append_new(arr, f);
    }
    json_object_set_new(root, "files", arr);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    out = xasprintf("%s\n", text);
cleanup:
    free(text);
    json_decref(root);
    return out;
}

/* Signs the billing month in `dir` for `by` (optionally with the secret key file `key`), then
 * makes the folder read-only. CB_EUSAGE for a shadow month, a folder without report.json, one
 * already signed, or a bad key; CB_EIO for disk errors. Everything that can fail is checked
 * before anything is written; SIGNOFF.sig goes before SIGNOFF.json, whose existence marks the
 * month signed, so a failed sign leaves no SIGNOFF file. Borrows all strings. */
enum cb_status archive_sign(const char *dir, const char *by, const char *key, struct cb_error *err)
{
    enum cb_status st;
    struct entries files = {0};
    unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    char sig_hex[sizeof sig * 2 + 2];
    char when[32];
    char *month = NULL, *doc = NULL, *json_path = xasprintf("%s/%s", dir, SIGNOFF_JSON);
    char *sig_path = xasprintf("%s/%s", dir, SIGNOFF_SIG);
    bool wrote_sig = false;
    st = crypto_ready(err);
    if (st != CB_OK)
        goto cleanup;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL, "not a folder");
        goto cleanup;
    }
    if (archive_is_signed(dir)) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "already signed (SIGNOFF.json exists); a signed month is final");
        goto cleanup;
    }
    if (lstat(sig_path, &sb) == 0) {
        st = cb_error_set(err, CB_EUSAGE, sig_path, 0, NULL,
                          "exists without SIGNOFF.json; remove it before signing");
        goto cleanup;
    }
    if (!by || !*by) {
        st = cb_error_set(err, CB_EUSAGE, NULL, 0, "--by", "the signer's name is required");
        goto cleanup;
    }
    st = read_report(dir, &month, err);
    if (st != CB_OK)
        goto cleanup;
    if (key) {
        st = read_key(key, SECRET_HEADER, sk, sizeof sk, err);
        if (st != CB_OK)
            goto cleanup;
    }
    st = signing_time(when, err);
    if (st != CB_OK)
        goto cleanup;
    st = list_files(dir, false, &files, err);
    if (st != CB_OK)
        goto cleanup;
    /* everything in the folder is signed, and a sign-off is final: a file left there by hand
     * (page images, notes) would stand in it as part of the approved month */
    char *foreign = outdir_foreign(dir);
    if (foreign) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "holds %s; a sign-off covers what render wrote, and nothing can be "
                          "taken out of it later: move it away, then sign",
                          foreign);
        free(foreign);
        goto cleanup;
    }
    doc = build_signoff(month, by, when, &files, err);
    if (!doc) {
        st = CB_EUSAGE;
        goto cleanup;
    }
    if (key) {
        crypto_sign_detached(sig, NULL, (const unsigned char *)doc, strlen(doc), sk);
        sodium_bin2hex(sig_hex, sizeof sig_hex - 1, sig, sizeof sig);
        sig_hex[sizeof sig * 2] = '\n'; /* one line: the hex, then a newline */
        sig_hex[sizeof sig * 2 + 1] = '\0';
        st = write_new(sig_path, sig_hex, strlen(sig_hex), 0444, err);
        if (st != CB_OK)
            goto cleanup;
        wrote_sig = true;
    }
    st = write_new(json_path, doc, strlen(doc), 0444, err);
    if (st != CB_OK)
        goto cleanup;
    if (make_read_only(dir) != 0)
        st = cb_error_set(err, CB_EIO, dir, 0, NULL,
                          "signed, but could not make every file read-only: %s", strerror(errno));
cleanup:
    if (st != CB_OK && wrote_sig && !archive_is_signed(dir))
        unlink(sig_path);
    sodium_memzero(sk, sizeof sk);
    entries_free(&files);
    free(doc);
    free(month);
    free(sig_path);
    free(json_path);
    return st;
}

/* Reads the file list of a SIGNOFF.json document into `out`, sorted by path. */
static enum cb_status parse_signoff(const char *path, const char *doc, size_t len,
                                    struct entries *out, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    json_error_t je;
    json_t *root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        st = cb_error_set(err, CB_EUSAGE, path, je.line, NULL, "%s", je.text);
        goto cleanup;
    }
    const char *schema = json_string_value(json_object_get(root, "schema"));
    if (!schema || strcmp(schema, SIGNOFF_SCHEMA) != 0) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, "schema", "expected \"%s\"", SIGNOFF_SCHEMA);
        goto cleanup;
    }
    json_t *arr = json_object_get(root, "files");
    if (!json_is_array(arr)) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, "files", "expected an array");
        goto cleanup;
    }
    size_t n = json_array_size(arr);
    out->v = xcalloc(n ? n : 1, sizeof *out->v);
    out->cap = n;
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(arr, i);
        const char *p = json_string_value(json_object_get(f, "path"));
        const char *h = json_string_value(json_object_get(f, "sha256"));
        json_t *b = json_object_get(f, "bytes");
        if (!p || !h || strlen(h) != crypto_hash_sha256_BYTES * 2 || !json_is_integer(b) ||
            json_integer_value(b) < 0) {
            st = cb_error_set(err, CB_EUSAGE, path, 0, "files",
                              "entry %zu: expected path, sha256 (64 hex digits) and bytes", i);
            goto cleanup;
        }
        out->v[i].path = xstrdup(p);
        memcpy(out->v[i].sha256, h, sizeof out->v[i].sha256);
        out->v[i].bytes = (uint64_t)json_integer_value(b);
        out->n++;
    }
    qsort(out->v, out->n, sizeof *out->v, entry_cmp);
cleanup:
    json_decref(root);
    return st;
}

/* Checks SIGNOFF.sig against `doc` with the public key file `pubkey`. Returns CB_OK with
 * *valid set, or an error when the key file is unusable. */
static enum cb_status check_signature(const char *dir, const char *pubkey, const char *doc,
                                      size_t len, bool *valid, struct cb_error *err)
{
    enum cb_status st;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    char *sig_path = xasprintf("%s/%s", dir, SIGNOFF_SIG);
    char *text = NULL;
    size_t tlen = 0, bin_len = 0;
    *valid = false;
    st = read_key(pubkey, PUBLIC_HEADER, pk, sizeof pk, err);
    if (st != CB_OK)
        goto cleanup;
    struct cb_error ignored;
    if (read_small(sig_path, KEY_FILE_MAX, &text, &tlen, &ignored) != CB_OK) {
        printf("signature: MISSING (no %s)\n", SIGNOFF_SIG);
        goto cleanup;
    }
    while (tlen > 0 && (text[tlen - 1] == '\n' || text[tlen - 1] == '\r'))
        text[--tlen] = '\0';
    *valid = tlen == sizeof sig * 2 &&
             sodium_hex2bin(sig, sizeof sig, text, tlen, NULL, &bin_len, NULL) == 0 &&
             bin_len == sizeof sig &&
             crypto_sign_verify_detached(sig, (const unsigned char *)doc, len, pk) == 0;
    printf("signature: %s\n", *valid ? "valid" : "INVALID");
cleanup:
    free(text);
    free(sig_path);
    return st;
}

/* Counts one difference between SIGNOFF.json and the folder: prints "KIND: PATH" unless quiet,
 * and keeps the first one (a new string) in *first for the quiet caller's message. */
static void note_diff(const char *kind, const char *path, bool quiet, size_t *diffs, char **first)
{
    if (!quiet) { /* a file named "a\nverified: 12 files match" must not forge a verdict */
        printf("%s: ", kind);
        msg_write_safe(stdout, path);
        putchar('\n');
    }
    if (!*first)
        *first = xasprintf("%s: %s", kind, path);
    (*diffs)++;
}

/* archive_verify and archive_check: the same comparison, printed or summed up in err. */
static enum cb_status verify(const char *dir, const char *pubkey, bool quiet, struct cb_error *err)
{
    enum cb_status st;
    struct entries want = {0}, have = {0};
    char *json_path = xasprintf("%s/%s", dir, SIGNOFF_JSON);
    char *doc = NULL, *first = NULL;
    size_t len = 0, diffs = 0;
    bool sig_ok = true;
    st = crypto_ready(err);
    if (st != CB_OK)
        goto cleanup;
    if (!archive_is_signed(dir)) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "not a signed month (no SIGNOFF.json); sign it first with "
                          "chargeback sign %s --by NAME",
                          dir);
        goto cleanup;
    }
    st = read_small(json_path, SIGNOFF_MAX, &doc, &len, err);
    if (st != CB_OK)
        goto cleanup;
    st = parse_signoff(json_path, doc, len, &want, err);
    if (st != CB_OK)
        goto cleanup;
    st = list_files(dir, true, &have, err);
    if (st != CB_OK)
        goto cleanup;
    size_t i = 0, j = 0;
    while (i < want.n || j < have.n) {
        int c = i == want.n ? 1 : j == have.n ? -1 : strcmp(want.v[i].path, have.v[j].path);
        if (c < 0) {
            note_diff("removed", want.v[i++].path, quiet, &diffs, &first);
        } else if (c > 0) {
            note_diff("added", have.v[j++].path, quiet, &diffs, &first);
        } else {
            if (want.v[i].bytes != have.v[j].bytes ||
                strcmp(want.v[i].sha256, have.v[j].sha256) != 0)
                note_diff("changed", want.v[i].path, quiet, &diffs, &first);
            i++;
            j++;
        }
    }
    if (pubkey) {
        st = check_signature(dir, pubkey, doc, len, &sig_ok, err);
        if (st != CB_OK)
            goto cleanup;
    } else if (!quiet) {
        char *sig_path = xasprintf("%s/%s", dir, SIGNOFF_SIG);
        struct stat sb;
        printf("signature: not checked (%s)\n", lstat(sig_path, &sb) == 0
                                                    ? "give --pubkey FILE to check it"
                                                    : "the month has no SIGNOFF.sig");
        free(sig_path);
    }
    if (quiet) {
        if (diffs > 0)
            st = cb_error_set(err, CB_EDATA, dir, 0, NULL,
                              "changed since it was signed (%s%s); chargeback verify %s lists "
                              "every difference",
                              first, diffs > 1 ? ", and more" : "", dir);
    } else if (diffs == 0 && sig_ok) {
        printf("verified: %zu file%s match\n", want.n, want.n == 1 ? "" : "s");
        if (!pubkey)
            printf("hashes only: the files match SIGNOFF.json, but without --pubkey nothing "
                   "shows who wrote SIGNOFF.json; anyone able to rewrite this folder could have "
                   "rewritten it too\n");
    } else {
        printf("verification FAILED: %zu difference%s%s\n", diffs, diffs == 1 ? "" : "s",
               sig_ok ? "" : ", signature not valid");
        st = CB_EDATA;
    }
    if (!quiet)
        fflush(stdout);
cleanup:
    entries_free(&have);
    entries_free(&want);
    free(first);
    free(doc);
    free(json_path);
    return st;
}

/* Re-hashes every file of the signed month `dir` and, with `pubkey`, checks SIGNOFF.sig. Prints
 * "changed:/removed:/added: PATH", "signature: …" and a final verdict line to stdout (they are
 * the command's output). CB_OK when everything matches; CB_EDATA on any difference or a bad or
 * missing signature, with err left empty; CB_EUSAGE for an unsigned folder or a bad key file;
 * CB_EIO when a file cannot be read. Borrows both strings. */
enum cb_status archive_verify(const char *dir, const char *pubkey, struct cb_error *err)
{
    return verify(dir, pubkey, false, err);
}

/* The same check as archive_verify without a key and without printing: CB_OK when every file
 * matches SIGNOFF.json; CB_EDATA with err naming the first difference; CB_EUSAGE when `dir`
 * is not signed; CB_EIO when a file cannot be read. */
enum cb_status archive_check(const char *dir, struct cb_error *err)
{
    return verify(dir, NULL, true, err);
}

/* archive.c: keygen, sign and verify on folders built by hand (no render needed). Every
 * tampering is named, a wrong key or a forged SIGNOFF.json fails the signature, and the
 * refusals of SPEC §8 hold. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "archive.h"
#include "xalloc.h"

#define REPORT_BILLING                                                                             \
    "{\"schema\":\"chargeback-report/"                                                             \
    "1\",\"period\":{\"month\":\"2026-10\"},\"mode\":\"billing\"}\n"
#define REPORT_SHADOW                                                                              \
    "{\"schema\":\"chargeback-report/"                                                             \
    "1\",\"period\":{\"month\":\"2026-10\"},\"mode\":\"shadow\"}\n"
/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *c = xasprintf("%s/%s", path, e->d_name);
            rm_rf(c);
            free(c);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Writes `text` to dir/name, making the folder and the file writable first (a signed month is
 * read-only; the tests play the tamperer). */
static void put(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    chmod(p, 0755);
    *slash = '/';
    chmod(p, 0644);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static bool exists(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    bool ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = xmalloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Runs archive_verify with stdout captured; returns the status and *out (free it). */
static enum cb_status verify_capture(const char *dir, const char *pubkey, char **out,
                                     struct cb_error *err)
{
    char path[] = "/tmp/cb-test-archive-out-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    enum cb_status st = archive_verify(dir, pubkey, err);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fd);
    *out = slurp(path);
    unlink(path);
    return st;
}

struct ctx {
    char *root;  /* scratch folder */
    char *month; /* root/2026-10: a small rendered month */
    char *key;   /* root/key (secret) */
    char *pub;   /* root/key.pub */
};

static int setup(void **state)
{
    struct ctx *c = xcalloc(1, sizeof *c);
    c->root = xstrdup("/tmp/cb-test-archive-XXXXXX");
    if (!mkdtemp(c->root))
        return -1;
    c->month = xasprintf("%s/2026-10", c->root);
    c->key = xasprintf("%s/key", c->root);
    c->pub = xasprintf("%s/key.pub", c->root);
    mkdir(c->month, 0755);
    char *teams = xasprintf("%s/teams", c->month);
    mkdir(teams, 0755);
    free(teams);
    put(c->month, "report.json", REPORT_BILLING);
    put(c->month, "index.html", "abc");
    put(c->month, "teams/data.pdf", "%PDF-1.4 pretend\n");
    put(c->month, "teams/web.html", "<html>web</html>\n");
    setenv("SOURCE_DATE_EPOCH", "1793491200", 1); /* 2026-11-01T00:00:00Z */
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    rm_rf(c->root);
    free(c->root);
    free(c->month);
    free(c->key);
    free(c->pub);
    free(c);
    unsetenv("SOURCE_DATE_EPOCH");
    return 0;
}

static void keygen_modes_and_formats(void **state)
{
    struct ctx *c = *state;
    struct cb_error err;
    assert_int_equal(archive_keygen(c->key, false, &err), CB_OK);
    struct stat st;
    assert_int_equal(stat(c->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *sk = slurp(c->key), *pk = slurp(c->pub);
    assert_int_equal(strncmp(sk, "chargeback-ed25519-secret-key\n", 30), 0);
    assert_int_equal(strlen(sk), 30 + 128 + 1);
    assert_int_equal(strncmp(pk, "chargeback-ed25519-public-key ", 30), 0);
    assert_int_equal(strlen(pk), 30 + 64 + 1);
    /* The public key is the second half of libsodium's secret key. */
    assert_memory_equal(sk + 30 + 64, pk + 30, 64);
    /* A second keygen onto the same name is refused and changes nothing. */
    assert_int_equal(archive_keygen(c->key, false, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "refusing to overwrite"));
    char *sk2 = slurp(c->key);
    assert_string_equal(sk, sk2);
    /* An existing .pub alone also blocks it, and no secret key is left behind. */
    char *k3 = xasprintf("%s/k3", c->root);
    put(c->root, "k3.pub", "mine\n");
    assert_int_equal(archive_keygen(k3, false, &err), CB_EUSAGE);
    assert_false(exists(c->root, "k3"));
    free(k3);
    free(sk2);
    free(sk);
    free(pk);
}

static void sign_writes_manifest_and_locks_folder(void **state)
{
    struct ctx *c = *state;
    struct cb_error err;
    assert_int_equal(archive_keygen(c->key, false, &err), CB_OK);
    cb_error_clear(&err);
    assert_int_equal(archive_sign(c->month, "Ann Finance", c->key, &err), CB_OK);
    assert_true(archive_is_signed(c->month));
    char *path = xasprintf("%s/SIGNOFF.json", c->month);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "chargeback-signoff/1");
    assert_string_equal(json_string_value(json_object_get(doc, "period")), "2026-10");
    assert_string_equal(json_string_value(json_object_get(doc, "signed_by")), "Ann Finance");
    assert_string_equal(json_string_value(json_object_get(doc, "signed_at")),
                        "2026-11-01T00:00:00Z");
    assert_non_null(json_string_value(json_object_get(doc, "tool_version")));
    static const struct {
        const char *path;
        const char *sha256;
        long long bytes;
    } want[] = {
        {"index.html", SHA256_ABC, 3},
        {"report.json", NULL, sizeof REPORT_BILLING - 1},
        {"teams/data.pdf", NULL, 17},
        {"teams/web.html", NULL, 17},
    };
    json_t *files = json_object_get(doc, "files");
    assert_int_equal(json_array_size(files), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *f = json_array_get(files, i);
        assert_string_equal(json_string_value(json_object_get(f, "path")), want[i].path);
        assert_int_equal(json_integer_value(json_object_get(f, "bytes")), want[i].bytes);
        const char *h = json_string_value(json_object_get(f, "sha256"));
        assert_int_equal(strlen(h), 64);
        if (want[i].sha256)
            assert_string_equal(h, want[i].sha256);
    }
    json_decref(doc);
    free(path);
    /* The signature: one line of 128 hex digits. */
    path = xasprintf("%s/SIGNOFF.sig", c->month);
    char *sig = slurp(path);
    assert_int_equal(strlen(sig), 129);
    assert_int_equal(sig[128], '\n');
    free(sig);
    free(path);
    /* Read-only: every file and folder, the month folder itself included. */
    static const char *const names[] = {
        "", "/teams", "/teams/data.pdf", "/index.html", "/SIGNOFF.json", "/SIGNOFF.sig"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = xasprintf("%s%s", c->month, names[i]);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        if (st.st_mode & 0222)
            fail_msg("%s is still writable (mode %o)", p, st.st_mode & 07777);
        free(p);
    }
    /* And it verifies, with and without the public key. */
    char *out = NULL;
    assert_int_equal(verify_capture(c->month, c->pub, &out, &err), CB_OK);
    assert_string_equal(out, "signature: valid\nverified: 4 files match\n");
    free(out);
    assert_int_equal(verify_capture(c->month, NULL, &out, &err), CB_OK);
    assert_non_null(strstr(out, "verified: 4 files match\n"));
    free(out);
}

static void tampering_is_named(void **state)
{
    struct ctx *c = *state;
    static const struct {
        const char *what;
        const char *remove; /* file to delete, or NULL */
        const char *write;  /* file to (over)write, or NULL */
        const char *text;
        const char *want[3]; /* lines verify must print */
        int diffs;
    } cases[] = {
        {"one byte flipped",
         NULL,
         "teams/data.pdf",
         "%PDF-1.4 pretenD\n",
         {"changed: teams/data.pdf\n"},
         1},
        {"size changed", NULL, "index.html", "abcd", {"changed: index.html\n"}, 1},
        {"file deleted", "teams/web.html", NULL, NULL, {"removed: teams/web.html\n"}, 1},
        {"file added", NULL, "teams/extra.html", "new", {"added: teams/extra.html\n"}, 1},
        {"deleted and added",
         "index.html",
         "zzz.txt",
         "z",
         {"removed: index.html\n", "added: zzz.txt\n"},
         2},
        {"signature file is not hashed itself", "SIGNOFF.sig", NULL, NULL, {NULL}, 0},
        {"file replaced by a link",
         "index.html",
         "@index.html",
         NULL,
         {"changed: index.html\n"},
         1},
        {"link added", NULL, "@teams/passwd", NULL, {"added: teams/passwd\n"}, 1},
    };
    struct cb_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        teardown(state); /* a fresh month for every case */
        setup(state);
        c = *state;
        assert_int_equal(archive_keygen(c->key, false, &err), CB_OK);
        assert_int_equal(archive_sign(c->month, "Bo", c->key, &err), CB_OK);
        if (cases[i].remove) {
            char *p = xasprintf("%s/%s", c->month, cases[i].remove);
            char *dir = xstrdup(p);
            *strrchr(dir, '/') = '\0';
            chmod(dir, 0755);
            assert_int_equal(unlink(p), 0);
            free(dir);
            free(p);
        }
        if (cases[i].write && cases[i].write[0] == '@') {
            char *p = xasprintf("%s/%s", c->month, cases[i].write + 1);
            chmod(c->month, 0755);
            char *teams = xasprintf("%s/teams", c->month);
            chmod(teams, 0755);
            free(teams);
            assert_int_equal(symlink("/etc/passwd", p), 0);
            free(p);
        } else if (cases[i].write) {
            put(c->month, cases[i].write, cases[i].text);
        }
        char *out = NULL;
        cb_error_clear(&err);
        enum cb_status st = verify_capture(c->month, NULL, &out, &err);
        if (cases[i].diffs == 0) {
            if (st != CB_OK || !strstr(out, "verified: 4 files match"))
                fail_msg("%s: got %d\n%s", cases[i].what, st, out);
            free(out);
            continue;
        }
        if (st != CB_EDATA)
            fail_msg("%s: status %d, want CB_EDATA\n%s", cases[i].what, st, out);
        assert_string_equal(err.text, ""); /* differences are output, not an error message */
        for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
            if (!strstr(out, cases[i].want[k]))
                fail_msg("%s: no \"%s\" in:\n%s", cases[i].what, cases[i].want[k], out);
        char *tail = xasprintf("verification FAILED: %d difference%s\n", cases[i].diffs,
                               cases[i].diffs == 1 ? "" : "s");
        if (!strstr(out, tail))
            fail_msg("%s: no \"%s\" in:\n%s", cases[i].what, tail, out);
        free(tail);
        free(out);
    }
}

static void signature_catches_wrong_key_and_forgery(void **state)
{
    struct ctx *c = *state;
    struct cb_error err;
    char *other = xasprintf("%s/other", c->root), *other_pub = xasprintf("%s/other.pub", c->root);
    assert_int_equal(archive_keygen(c->key, false, &err), CB_OK);
    assert_int_equal(archive_keygen(other, false, &err), CB_OK);
    assert_int_equal(archive_sign(c->month, "Ann", c->key, &err), CB_OK);
    char *out = NULL;
    assert_int_equal(verify_capture(c->month, other_pub, &out, &err), CB_EDATA);
    assert_non_null(strstr(out, "signature: INVALID\n"));
    assert_non_null(strstr(out, "verification FAILED: 0 differences, signature not valid\n"));
    free(out);
    /* A forger changes a file and rewrites its hash in SIGNOFF.json: the hashes agree again, so
     * only the signature can tell. */
    put(c->month, "index.html", "abd");
    char *path = xasprintf("%s/SIGNOFF.json", c->month);
    char *doc = slurp(path);
    char *at = strstr(doc, SHA256_ABC);
    assert_non_null(at);
    memcpy(at, "a6b2b2c5df5e63f2e3ad7b6fd35ff21d1dc0a91b2e0c3a5de7e4c2c5e0b0b5a1", 64);
    put(c->month, "SIGNOFF.json", doc);
    free(doc);
    free(path);
    assert_int_equal(verify_capture(c->month, c->pub, &out, &err), CB_EDATA);
    assert_non_null(strstr(out, "signature: INVALID\n"));
    free(out);
    /* A folder signed without --key has no signature to check: --pubkey reports it missing. */
    char *m2 = xasprintf("%s/m2", c->root);
    mkdir(m2, 0755);
    put(m2, "report.json", REPORT_BILLING);
    assert_int_equal(archive_sign(m2, "Ann", NULL, &err), CB_OK);
    assert_false(exists(m2, "SIGNOFF.sig"));
    assert_int_equal(verify_capture(m2, c->pub, &out, &err), CB_EDATA);
    assert_non_null(strstr(out, "signature: MISSING"));
    free(out);
    /* A secret key given as the public key is not a public key: a usage error. */
    assert_int_equal(verify_capture(c->month, c->key, &out, &err), CB_EUSAGE);
    free(out);
    free(m2);
    free(other);
    free(other_pub);
}

static void refusals(void **state)
{
    struct ctx *c = *state;
    struct cb_error err;
    assert_int_equal(archive_keygen(c->key, false, &err), CB_OK);
    char *shadow = xasprintf("%s/shadow", c->root), *empty = xasprintf("%s/empty", c->root);
    char *badkey = xasprintf("%s/badkey", c->root), *nodir = xasprintf("%s/nope", c->root);
    mkdir(shadow, 0755);
    put(shadow, "report.json", REPORT_SHADOW);
    mkdir(empty, 0755);
    put(empty, "index.html", "x");
    put(c->root, "badkey", "chargeback-ed25519-secret-key\nnot hex\n");
    static const struct {
        int dir; /* 0 shadow, 1 empty, 2 nope, 3 month */
        int key; /* 0 none, 1 good, 2 bad, 3 public key given as secret */
        const char *by;
        const char *text;
    } cases[] = {
        {0, 0, "Ann", "a shadow month cannot be signed"},
        {0, 1, "Ann", "a shadow month cannot be signed"},
        {1, 0, "Ann", "no report.json"},
        {2, 0, "Ann", "not a folder"},
        {3, 2, "Ann", "malformed key"},
        {3, 3, "Ann", "not a chargeback-ed25519-secret-key file"},
        {3, 0, "", "signer"},
    };
    const char *dirs[] = {shadow, empty, nodir, c->month};
    const char *keys[] = {NULL, c->key, badkey, c->pub};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_error_clear(&err);
        enum cb_status st = archive_sign(dirs[cases[i].dir], cases[i].by, keys[cases[i].key], &err);
        if (st != CB_EUSAGE || !strstr(err.text, cases[i].text))
            fail_msg("case %zu: status %d, text \"%s\"; want 2 and \"%s\"", i, st, err.text,
                     cases[i].text);
        if (archive_is_signed(dirs[cases[i].dir]) || exists(dirs[cases[i].dir], "SIGNOFF.sig"))
            fail_msg("case %zu: a refused sign left SIGNOFF files behind", i);
    }
    /* A symbolic link in a month is refused at signing: the archive would depend on its target. */
    char *linked = xasprintf("%s/linked", c->root);
    mkdir(linked, 0755);
    put(linked, "report.json", REPORT_BILLING);
    char *lp = xasprintf("%s/passwd", linked);
    assert_int_equal(symlink("/etc/passwd", lp), 0);
    cb_error_clear(&err);
    assert_int_equal(archive_sign(linked, "Ann", NULL, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "plain files only"));
    assert_false(archive_is_signed(linked));
    free(lp);
    free(linked);
    /* A file render did not write (page images left by hand) is refused at signing: everything
     * in the folder would be signed, for good. */
    char *stray = xasprintf("%s/stray", c->root);
    mkdir(stray, 0755);
    put(stray, "report.json", REPORT_BILLING);
    put(stray, "page-1.png", "not part of the month");
    cb_error_clear(&err);
    assert_int_equal(archive_sign(stray, "Ann", NULL, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "page-1.png, which chargeback did not write"));
    assert_false(archive_is_signed(stray));
    free(stray);
    /* Signing twice is refused, and the first sign-off is kept as it was. */
    assert_int_equal(archive_sign(c->month, "Ann", NULL, &err), CB_OK);
    char *path = xasprintf("%s/SIGNOFF.json", c->month);
    char *first = slurp(path);
    cb_error_clear(&err);
    assert_int_equal(archive_sign(c->month, "Mallory", NULL, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "already signed"));
    char *second = slurp(path);
    assert_string_equal(first, second);
    /* Verifying a folder that was never signed is a usage error, with nothing on stdout. */
    char *out = NULL;
    assert_int_equal(verify_capture(empty, NULL, &out, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "not a signed month"));
    assert_string_equal(out, "");
    free(out);
    free(first);
    free(second);
    free(path);
    free(shadow);
    free(empty);
    free(badkey);
    free(nodir);
}

static void signing_time_without_source_date_epoch(void **state)
{
    struct ctx *c = *state;
    struct cb_error err;
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(archive_sign(c->month, "Ann", NULL, &err), CB_OK);
    char *path = xasprintf("%s/SIGNOFF.json", c->month);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    const char *t = json_string_value(json_object_get(doc, "signed_at"));
    assert_non_null(t);
    /* YYYY-MM-DDTHH:MM:SSZ */
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    assert_int_equal(strlen(t), sizeof shape - 1);
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != shape[i])
            fail_msg("signed_at \"%s\" is not RFC 3339 UTC", t);
    assert_true(strncmp(t, "2025", 4) >= 0); /* the real clock, not the epoch */
    json_decref(doc);
    free(path);
    /* A malformed SOURCE_DATE_EPOCH is refused rather than guessed. */
    char *m2 = xasprintf("%s/m2", c->root);
    mkdir(m2, 0755);
    put(m2, "report.json", REPORT_BILLING);
    setenv("SOURCE_DATE_EPOCH", "12x", 1);
    assert_int_equal(archive_sign(m2, "Ann", NULL, &err), CB_EUSAGE);
    assert_false(archive_is_signed(m2));
    free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keygen_modes_and_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(sign_writes_manifest_and_locks_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(tampering_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_catches_wrong_key_and_forgery, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(signing_time_without_source_date_epoch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

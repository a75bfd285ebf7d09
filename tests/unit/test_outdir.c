/* outdir.c: a month folder appears whole or not at all; a signed month is refused; leftovers of
 * killed runs are cleaned up (only ours), and a folder set aside mid-replace is restored. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "outdir.h"
#include "xalloc.h"

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

static void put(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static char *get(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return NULL;
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return xstrdup(buf);
}

static bool exists(const char *dir, const char *name)
{
    char *p = name ? xasprintf("%s/%s", dir, name) : xstrdup(dir);
    struct stat st;
    bool ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

/* Number of entries of `dir` whose name starts with `prefix`. */
static int count_prefix(const char *dir, const char *prefix)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    char *root = xstrdup("/tmp/cb-test-outdir-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    *state = root;
    return 0;
}

static int teardown(void **state)
{
    rm_rf(*state);
    free(*state);
    return 0;
}

static void begin_makes_parents_and_tmp_beside_target(void **state)
{
    const char *root = *state;
    char *target = xasprintf("%s/out/deep/2026-10", root);
    char *parent = xasprintf("%s/out/deep", root);
    char *tmp = NULL;
    struct cb_error err;
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    assert_non_null(tmp);
    char *want_prefix = xasprintf("%s/.2026-10.tmp-", parent);
    assert_int_equal(strncmp(tmp, want_prefix, strlen(want_prefix)), 0);
    assert_int_equal(strlen(tmp), strlen(want_prefix) + 6);
    assert_true(exists(tmp, "teams"));
    assert_false(exists(target, NULL));
    outdir_abort(tmp);
    assert_false(exists(tmp, NULL));
    assert_false(exists(target, NULL));
    free(want_prefix);
    free(tmp);
    free(parent);
    free(target);
}

static void commit_into_new_and_existing_targets(void **state)
{
    const char *root = *state;
    /* Trailing slashes and a bare relative-looking name are handled alike. */
    static const char *const targets[] = {"m", "m2/", "a/b/m3//"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        char *target = xasprintf("%s/%s", root, targets[i]);
        struct cb_error err;
        char *tmp = NULL;
        /* First run: no old month. */
        assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
        put(tmp, "old.txt", "first run\n");
        put(tmp, "teams/a.html", "a1\n");
        assert_int_equal(outdir_commit(tmp, target, &err), CB_OK);
        free(tmp);
        char *s = get(target, "old.txt");
        assert_string_equal(s, "first run\n");
        free(s);
        /* Second run replaces the whole folder: files of the first run are gone. */
        assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
        put(tmp, "new.txt", "second run\n");
        assert_int_equal(outdir_commit(tmp, target, &err), CB_OK);
        assert_false(exists(tmp, NULL));
        free(tmp);
        s = get(target, "new.txt");
        assert_string_equal(s, "second run\n");
        free(s);
        assert_false(exists(target, "old.txt"));
        assert_false(exists(target, "teams/a.html"));
        assert_true(exists(target, "teams"));
        free(target);
    }
    /* No hidden leftovers beside any target. */
    assert_int_equal(count_prefix(root, ".m"), 0);
    char *ab = xasprintf("%s/a/b", root);
    assert_int_equal(count_prefix(ab, "."), 2); /* only "." and ".." */
    free(ab);
}

static void abort_leaves_old_month_intact(void **state)
{
    const char *root = *state;
    char *target = xasprintf("%s/2026-09", root);
    char *tmp = NULL;
    struct cb_error err;
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    put(tmp, "report.json", "{\"v\":1}\n");
    assert_int_equal(outdir_commit(tmp, target, &err), CB_OK);
    free(tmp);
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    put(tmp, "report.json", "{\"v\":2, half written");
    outdir_abort(tmp);
    assert_false(exists(tmp, NULL));
    free(tmp);
    char *s = get(target, "report.json");
    assert_string_equal(s, "{\"v\":1}\n");
    free(s);
    assert_int_equal(count_prefix(root, ".2026-09"), 0);
    outdir_abort(NULL); /* accepts NULL */
    free(target);
}

static void signed_target_refused(void **state)
{
    const char *root = *state;
    char *target = xasprintf("%s/2026-08", root);
    assert_int_equal(mkdir(target, 0755), 0);
    put(target, "SIGNOFF.json", "{}\n");
    put(target, "report.json", "signed content\n");
    char *tmp = (char *)"sentinel";
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_EUSAGE);
    assert_null(tmp);
    assert_non_null(strstr(err.text, "signed"));
    char *hint = xasprintf("--supersedes %s (writes %s-r2", target, target);
    assert_non_null(strstr(err.text, hint));
    free(hint);
    assert_int_equal(count_prefix(root, ".2026-08"), 0);
    char *s = get(target, "report.json");
    assert_string_equal(s, "signed content\n");
    free(s);
    free(target);
}

static void target_that_is_a_file_refused(void **state)
{
    const char *root = *state;
    put(root, "plainfile", "x");
    char *target = xasprintf("%s/plainfile", root);
    char *tmp = NULL;
    struct cb_error err;
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_EUSAGE);
    assert_null(tmp);
    free(target);
    /* A parent that is a file cannot be created: an I/O error, not a crash. */
    target = xasprintf("%s/plainfile/m", root);
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_EIO);
    assert_null(tmp);
    free(target);
}

static void stale_leftovers_cleaned_only_ours(void **state)
{
    const char *root = *state;
    static const struct {
        const char *name;
        bool removed;
    } cases[] = {
        {".mm.tmp-abc123", true},   /* killed run: no lock held */
        {".mm.tmp-zzzzzz", true},   /* another killed run */
        {".mm.tmp-abc1234", false}, /* not mkdtemp's six characters */
        {".mmx.tmp-abc123", false}, /* another target's */
        {".m.tmp-abc123", false},   /* another target's */
        {"mm.tmp-abc123", false},   /* not hidden */
        {".mm.tmp-locked", false},  /* a live run holds its lock */
    };
    int lock_fd = -1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = xasprintf("%s/%s", root, cases[i].name);
        assert_int_equal(mkdir(p, 0755), 0);
        put(p, "half.html", "<html");
        if (strcmp(cases[i].name, ".mm.tmp-locked") == 0) {
            lock_fd = open(p, O_RDONLY | O_DIRECTORY);
            assert_true(lock_fd >= 0);
            assert_int_equal(flock(lock_fd, LOCK_EX), 0);
        }
        free(p);
    }
    char *target = xasprintf("%s/mm", root);
    char *tmp = NULL;
    struct cb_error err;
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (exists(root, cases[i].name) == cases[i].removed)
            fail_msg("%s: removed %d, want %d", cases[i].name, !exists(root, cases[i].name),
                     cases[i].removed);
    assert_true(exists(tmp, NULL)); /* our own fresh folder survives */
    outdir_abort(tmp);
    free(tmp);
    close(lock_fd);
    free(target);
}

static void set_aside_month_restored(void **state)
{
    const char *root = *state;
    /* A crash between "old month aside" and "new month in" (fallback path) leaves no target and
     * a .old- folder: the next run puts the old month back before doing anything. */
    char *old = xasprintf("%s/.2026-07.old-Ab12Cd", root);
    assert_int_equal(mkdir(old, 0755), 0);
    put(old, "report.json", "previous\n");
    char *target = xasprintf("%s/2026-07", root);
    char *tmp = NULL;
    struct cb_error err;
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    assert_false(exists(old, NULL));
    char *s = get(target, "report.json");
    assert_non_null(s);
    assert_string_equal(s, "previous\n");
    free(s);
    outdir_abort(tmp);
    free(tmp);
    /* When the target exists, a stray .old- folder is just removed. */
    assert_int_equal(mkdir(old, 0755), 0);
    put(old, "report.json", "older\n");
    assert_int_equal(outdir_begin(target, &tmp, &err), CB_OK);
    assert_false(exists(old, NULL));
    s = get(target, "report.json");
    assert_string_equal(s, "previous\n");
    free(s);
    outdir_abort(tmp);
    free(tmp);
    free(target);
    free(old);
}

/* outdir_check reads an earlier report.json once while it stays the same file, and again as
 * soon as it changes: a report rewritten in place with another team's slug (the same size)
 * makes the old team's files foreign between two checks of one run. */
static void earlier_report_read_again_when_changed(void **state)
{
    char *target = xasprintf("%s/2026-10", (char *)*state);
    assert_int_equal(mkdir(target, 0755), 0);
    char *teams = xasprintf("%s/teams", target);
    assert_int_equal(mkdir(teams, 0755), 0);
    const char *report_a =
        "{\"schema\": \"chargeback-report/3\", \"teams\": [{\"slug\": \"aa\"}]}\n";
    const char *report_b =
        "{\"schema\": \"chargeback-report/3\", \"teams\": [{\"slug\": \"bb\"}]}\n";
    put(target, "report.json", report_a);
    put(teams, "aa.pdf", "%PDF\n");
    struct cb_error err;
    assert_int_equal(outdir_check(target, NULL, 0, &err), CB_OK);
    assert_int_equal(outdir_check(target, NULL, 0, &err), CB_OK); /* remembered */
    /* the same length, and the change time moves even within one second */
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    put(target, "report.json", report_b);
    assert_int_equal(outdir_check(target, NULL, 0, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "aa.pdf"));
    put(teams, "bb.pdf", "%PDF\n");
    char *aa = xasprintf("%s/aa.pdf", teams);
    unlink(aa);
    assert_int_equal(outdir_check(target, NULL, 0, &err), CB_OK);
    outdir_forget();
    assert_int_equal(outdir_check(target, NULL, 0, &err), CB_OK);
    outdir_forget();
    free(aa);
    free(teams);
    free(target);
}

static void unusable_names_refused(void **state)
{
    (void)state;
    static const char *const names[] = {"", "/", ".", "..", "a/..", "a/."};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *tmp = NULL;
        struct cb_error err;
        if (outdir_begin(names[i], &tmp, &err) != CB_EUSAGE)
            fail_msg("outdir_begin(\"%s\") accepted", names[i]);
        assert_null(tmp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(begin_makes_parents_and_tmp_beside_target, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_into_new_and_existing_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(abort_leaves_old_month_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(signed_target_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(target_that_is_a_file_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_leftovers_cleaned_only_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(set_aside_month_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(earlier_report_read_again_when_changed, setup, teardown),
        cmocka_unit_test(unusable_names_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

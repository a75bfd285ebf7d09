/* input.c: a file that changes while it is read (truncated, rewritten in place, appended to) is
 * an input error at its end, never a partial read billed as the whole. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "input.h"

enum change { NONE, TRUNCATE, REWRITE, APPEND };

/* Reads the whole input, applying `change` to the file after the first chunk. */
static enum cb_status read_with_change(const char *path, enum change change, struct cb_error *err)
{
    struct input *in = NULL;
    enum cb_status st = input_open(path, &in, err);
    if (st != CB_OK)
        return st;
    static char buf[64 * 1024];
    size_t got = 0;
    bool first = true;
    do {
        st = input_read(in, buf, sizeof buf, &got, err);
        if (first && change != NONE) {
            int fd = open(path, O_WRONLY);
            assert_true(fd >= 0);
            if (change == TRUNCATE)
                assert_int_equal(ftruncate(fd, 300 * 1024), 0);
            if (change == REWRITE) { /* same size, other bytes, another modification time */
                assert_int_equal(pwrite(fd, "XXXX", 4, 700 * 1024), 4);
                struct timespec ts[2] = {{0, UTIME_OMIT}, {1234567890, 0}};
                assert_int_equal(futimens(fd, ts), 0);
            }
            if (change == APPEND)
                assert_int_equal(pwrite(fd, "{}\n", 3, 1024 * 1024), 3);
            close(fd);
        }
        first = false;
    } while (st == CB_OK && got > 0);
    input_close(in);
    return st;
}

static void changes_table(void **state)
{
    (void)state;
    static const struct {
        enum change change;
        enum cb_status want;
    } cases[] = {{NONE, CB_OK}, {TRUNCATE, CB_EIO}, {REWRITE, CB_EIO}, {APPEND, CB_EIO}};
    char path[] = "/tmp/cb-test-input-XXXXXX";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        static char line[1024];
        memset(line, 'a', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        for (int k = 0; k < 1024; k++) /* 1 MiB: longer than what input_open peeks */
            assert_int_equal(write(fd, line, sizeof line), (ssize_t)sizeof line);
        close(fd);
        struct cb_error err;
        cb_error_clear(&err);
        enum cb_status st = read_with_change(path, cases[i].change, &err);
        unlink(path);
        strcpy(path, "/tmp/cb-test-input-XXXXXX");
        if (st != cases[i].want)
            fail_msg("case %zu: status %d, want %d (%s)", i, st, cases[i].want, err.text);
        if (st == CB_EIO && !strstr(err.text, "changed while it was read"))
            fail_msg("case %zu: message \"%s\"", i, err.text);
    }
}

/* A 1 MiB file of 1 KiB lines "aaa...\n" at a new path (the caller unlinks it). */
static void make_file(char path[static 32])
{
    strcpy(path, "/tmp/cb-test-input-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static char line[1024];
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (int k = 0; k < 1024; k++)
        assert_int_equal(write(fd, line, sizeof line), (ssize_t)sizeof line);
    close(fd);
}

/* Part read, part mapped and taken, the rest read again: the same bytes and the same SHA-256 as
 * a file read from end to end. */
static void mapped_then_read(void **state)
{
    (void)state;
    char path[32];
    make_file(path);
    struct cb_error err;
    struct input *in = NULL;
    char want[65], got[65];
    static char buf[1 << 20];
    size_t n = 0, total = 0;
    assert_int_equal(input_open(path, &in, &err), CB_OK);
    do {
        assert_int_equal(input_read(in, buf, sizeof buf, &n, &err), CB_OK);
    } while (n > 0);
    input_sha256(in, want);
    input_close(in);

    assert_int_equal(input_open(path, &in, &err), CB_OK);
    assert_int_equal(input_read(in, buf, 65536, &n, &err), CB_OK);
    assert_int_equal(n, 65536);
    assert_true(input_mappable(in));
    atomic_int fault = 0;
    struct input_window w;
    assert_true(input_map(in, 60000, 500000, &fault, 7, &w)); /* not page-aligned */
    assert_int_equal(w.off, 60000);
    assert_int_equal(w.len, 500000);
    assert_int_equal(w.data[1023 - 60000 % 1024], '\n');
    /* input_open peeked more than was read: what is taken starts after the peek */
    assert_int_equal(input_offset(in), 65536);
    int64_t peeked = input_consumed(in);
    assert_true(peeked >= 65536 && peeked < 560000);
    input_take(in, w.data + (peeked - 60000), (size_t)(560000 - peeked));
    assert_int_equal(input_consumed(in), 560000);
    input_unmap(&w);
    assert_null(w.base);
    assert_int_equal(input_resume(in, 560000, &err), CB_OK);
    total = 560000;
    do {
        assert_int_equal(input_read(in, buf, sizeof buf, &n, &err), CB_OK);
        if (total == 560000 && n > 0)
            assert_int_equal(buf[1023 - 560000 % 1024], '\n');
        total += n;
    } while (n > 0);
    assert_int_equal(total, 1 << 20);
    input_sha256(in, got);
    assert_string_equal(got, want);
    /* a window past the file's end, or of standard input, is refused */
    assert_false(input_map(in, 1 << 20, 10, &fault, 7, &w));
    input_close(in);
    assert_int_equal(fault, 0);
    unlink(path);
}

/* A mapped file cut short: reading past its new end gives zeros instead of SIGBUS, and the
 * window's flag says which input it was; the bytes before the cut are the file's. */
static void mapped_cut_short(void **state)
{
    (void)state;
    char path[32];
    make_file(path);
    struct cb_error err;
    struct input *in = NULL;
    static char buf[65536];
    size_t n = 0;
    assert_int_equal(input_open(path, &in, &err), CB_OK);
    assert_int_equal(input_read(in, buf, sizeof buf, &n, &err), CB_OK);
    atomic_int fault = 0;
    struct input_window w;
    assert_true(input_map(in, 65536, 1 << 20, &fault, 3, &w));
    assert_int_equal(w.len, (1 << 20) - 65536); /* clipped to the size at open */
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 300 * 1024), 0);
    close(fd);
    volatile const char *p = w.data;
    assert_int_equal(p[300 * 1024 - 65536 - 1], '\n'); /* before the cut: still the file */
    assert_int_equal(fault, 0);
    assert_int_equal(p[600 * 1024 - 65536], 0); /* past it: a page of zeros */
    assert_int_equal(fault, 3);
    input_unmap(&w);
    input_close(in);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(changes_table),
                                       cmocka_unit_test(mapped_then_read),
                                       cmocka_unit_test(mapped_cut_short)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

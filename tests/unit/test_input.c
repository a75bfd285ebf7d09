/* input.c: a file that changes while it is read (truncated, rewritten in place, appended to) is
 * an input error at its end, never a partial read billed as the whole. */
#define _GNU_SOURCE
#include <fcntl.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(changes_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

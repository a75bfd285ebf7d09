/* render.c and the message holds under it: what lets the formats render at the same time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "render.h"

/* Two threads each take gmtime() and ctime() of their own moment, wait until the other has
 * taken its own, and only then read their results: with one static buffer for the process
 * (glibc's), the second call would overwrite the first thread's result. */
struct moment {
    time_t t;
    pthread_barrier_t *both;
    struct tm tm;     /* gmtime's result as read after the barrier */
    char text[32];    /* ctime's */
    struct tm expect; /* gmtime_r's */
    char expect_text[32];
};

static void *take_moment(void *arg)
{
    struct moment *m = arg;
    struct tm *tm = gmtime(&m->t);
    char *text = ctime(&m->t);
    pthread_barrier_wait(m->both);
    pthread_barrier_wait(m->both); /* the other thread has called both too */
    m->tm = *tm;
    snprintf(m->text, sizeof m->text, "%s", text);
    gmtime_r(&m->t, &m->expect);
    struct tm local;
    localtime_r(&m->t, &local);
    asctime_r(&local, m->expect_text);
    return NULL;
}

static void gmtime_and_ctime_are_per_thread(void **state)
{
    (void)state;
    /* links render.c, which defines them, into this program before a sanitizer's runtime,
     * first on the link line, supplies libc's */
    assert_non_null(render_format_list());
    pthread_barrier_t both;
    pthread_barrier_init(&both, NULL, 2);
    /* 2026-11-01T00:00:00Z and 2026-12-04T18:32:45Z */
    struct moment a = {.t = 1793491200, .both = &both}, b = {.t = 1796409165, .both = &both};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, take_moment, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, take_moment, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&both);
    struct moment *ms[] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ms[i]->tm.tm_year, ms[i]->expect.tm_year);
        assert_int_equal(ms[i]->tm.tm_mon, ms[i]->expect.tm_mon);
        assert_int_equal(ms[i]->tm.tm_mday, ms[i]->expect.tm_mday);
        assert_int_equal(ms[i]->tm.tm_hour, ms[i]->expect.tm_hour);
        assert_int_equal(ms[i]->tm.tm_sec, ms[i]->expect.tm_sec);
        assert_string_equal(ms[i]->text, ms[i]->expect_text);
    }
    assert_int_equal(a.tm.tm_mon, 10);
    assert_int_equal(a.tm.tm_hour, 0);
    assert_int_equal(b.tm.tm_mon, 11);
    assert_int_equal(b.tm.tm_sec, 45);
}

/* A format's thread holds its messages, and the workers drawing its documents hold theirs,
 * which the format's thread releases: they must land in the format's hold, in order, not on
 * stderr before the messages of the formats ahead of it. */
static void *worker_warns(void *arg)
{
    char **text = arg;
    msg_hold_begin();
    msg_warn("from the worker");
    *text = msg_hold_end();
    return NULL;
}

static void holds_nest(void **state)
{
    (void)state;
    msg_hold_begin();
    msg_warn("before");
    char *worker = NULL;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, worker_warns, &worker), 0);
    pthread_join(t, NULL);
    assert_non_null(worker);
    msg_release(worker); /* into this thread's hold */
    msg_warn("after");
    char *all = msg_hold_end();
    assert_non_null(all);
    const char *p1 = strstr(all, "before"), *p2 = strstr(all, "from the worker"),
               *p3 = strstr(all, "after");
    assert_non_null(p1);
    assert_non_null(p2);
    assert_non_null(p3);
    assert_true(p1 < p2 && p2 < p3);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gmtime_and_ctime_are_per_thread),
        cmocka_unit_test(holds_nest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

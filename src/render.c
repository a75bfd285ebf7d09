#include "render.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "xalloc.h"

/* ---- thread-safe gmtime and ctime ----------------------------------------------------------
 * libxlsxwriter 1.1.4 formats a workbook's dates with gmtime() and libharu 2.3.0 calls ctime()
 * (localtime()) for every PDF: in glibc both return the one static struct tm of the process, so
 * with documents drawn on several threads, and the formats rendered at the same time
 * (render_all), a workbook's "created" date could be read after another thread overwrote it
 * (a workbook of the 1,000-team bench month came out with 00:00:32 for 00:00:00). These
 * definitions take the place of libc's for the whole program, libraries included (the
 * executable's symbols come first), with a buffer per thread; POSIX lets gmtime and ctime keep
 * their result anywhere. They are here because this file is linked into every program that
 * renders. */
struct tm *gmtime(const time_t *t)
{
    static _Thread_local struct tm tm;
    return gmtime_r(t, &tm);
}

char *ctime(const time_t *t)
{
    static _Thread_local struct tm tm;
    static _Thread_local char text[26];
    return localtime_r(t, &tm) ? asctime_r(&tm, text) : NULL;
}

/* "json" writes report.json and alerts.json. */
const struct render_format render_formats[] = {
    {"json", render_json}, {"json", render_alerts}, {"csv", render_csv},   {"focus", render_focus},
    {"html", render_html}, {"pdf", render_pdf},     {"xlsx", render_xlsx},
};

const size_t render_format_count = sizeof render_formats / sizeof render_formats[0];

static char format_list[128];
static pthread_once_t format_list_once = PTHREAD_ONCE_INIT;

/* The table's names, a format with several renderers listed once. */
static void format_list_init(void)
{
    size_t o = 0;
    for (size_t i = 0; i < render_format_count; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(render_formats[k].name, render_formats[i].name) == 0;
        if (!seen && o + strlen(render_formats[i].name) + 2 < sizeof format_list)
            o += (size_t)snprintf(format_list + o, sizeof format_list - o, "%s%s", o ? "," : "",
                                  render_formats[i].name);
    }
}

const char *render_format_list(void)
{
    pthread_once(&format_list_once, format_list_init);
    return format_list;
}

/* ---- per-team documents on worker threads ---------------------------------------------------- */

struct each {
    size_t n;
    render_job job;
    void *ctx;
    atomic_size_t next;
    atomic_bool failed;
    enum cb_status *st;     /* per index */
    struct cb_error **errs; /* per index, allocated on failure */
    char **held;            /* per index: its messages */
};

static void *each_worker(void *arg)
{
    struct each *e = arg;
    for (;;) {
        if (atomic_load(&e->failed))
            break;
        size_t i = atomic_fetch_add(&e->next, 1);
        if (i >= e->n)
            break;
        struct cb_error err = {0};
        msg_hold_begin();
        e->st[i] = e->job(i, e->ctx, &err);
        e->held[i] = msg_hold_end();
        if (e->st[i] != CB_OK) {
            e->errs[i] = xmalloc(sizeof err);
            *e->errs[i] = err;
            atomic_store(&e->failed, true);
        }
    }
    return NULL;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

enum cb_status render_each(const struct render_dest *d, size_t n, render_job job, void *ctx,
                           struct cb_error *err)
{
    int threads = d->threads > 0 ? d->threads : default_threads();
    if (threads > 64)
        threads = 64;
    if ((size_t)threads > n)
        threads = (int)n;
    if (threads <= 1) {
        for (size_t i = 0; i < n; i++) {
            enum cb_status st = job(i, ctx, err);
            if (st != CB_OK)
                return st;
        }
        return CB_OK;
    }
    struct each e = {.n = n, .job = job, .ctx = ctx};
    atomic_init(&e.next, 0);
    atomic_init(&e.failed, false);
    e.st = xcalloc(n, sizeof *e.st);
    e.errs = xcalloc(n, sizeof *e.errs);
    e.held = xcalloc(n, sizeof *e.held);
    for (size_t i = 0; i < n; i++)
        e.st[i] = CB_OK;
    pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
    int started = 0;
    while (started < threads && pthread_create(&tids[started], NULL, each_worker, &e) == 0)
        started++;
    if (started == 0)
        each_worker(&e); /* no thread could start: this one does the work */
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    /* in index order, as one thread would have: messages up to the first failure */
    enum cb_status st = CB_OK;
    for (size_t i = 0; i < n; i++) {
        if (st == CB_OK) {
            msg_release(e.held[i]);
            if (e.st[i] != CB_OK) {
                st = e.st[i];
                *err = *e.errs[i];
            }
        } else
            free(e.held[i]);
        free(e.errs[i]);
    }
    free(tids);
    free(e.held);
    free(e.errs);
    free(e.st);
    return st;
}

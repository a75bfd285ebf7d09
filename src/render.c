#include "render.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "xalloc.h"

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

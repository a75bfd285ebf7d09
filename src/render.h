/* The output formats. Every renderer has the same shape: it reads a finished report and writes
 * its files into a folder the caller owns. The list of formats is the table render_formats. */
#ifndef CB_RENDER_H
#define CB_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "status.h"

struct render_dest {
    const char *dir;           /* the (temporary) month folder; "teams/" is created inside */
    const char *templates_dir; /* templates/ */
    const char *fonts_dir;     /* fonts/ */
    int threads;               /* threads for per-team documents; <= 0 means one per core */
    bool pdf, xlsx;            /* this run also writes PDF / XLSX documents (pages link them) */
};

/* One per-team document: job(i, ctx, err) for team i. */
typedef enum cb_status (*render_job)(size_t i, void *ctx, struct cb_error *err);

/* Runs job for i = 0 .. n-1 on up to d->threads threads, each taking the next index from a
 * shared counter; a job must touch only its own objects and files. The result is as if run in
 * order: each job's warnings are held and printed in index order, and on failure the first
 * failing index's error is returned (warnings of later jobs are dropped, and no new job starts
 * once one failed). */
enum cb_status render_each(const struct render_dest *d, size_t n, render_job job, void *ctx,
                           struct cb_error *err);

typedef enum cb_status (*render_fn)(const struct report *r, const struct render_dest *d,
                                    struct cb_error *err);

struct render_format {
    const char *name; /* as in --formats: "html", "pdf", "xlsx", "json", "csv", "focus" */
    render_fn render;
};

extern const struct render_format render_formats[];
extern const size_t render_format_count;
/* The format names of the table, each once, comma-separated ("json,csv,..."): for help and
 * messages. Borrowed, static. */
const char *render_format_list(void);

/* Each renderer's entry point (render_<name>.c). */
enum cb_status render_html(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
enum cb_status render_pdf(const struct report *r, const struct render_dest *d,
                          struct cb_error *err);
enum cb_status render_xlsx(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
enum cb_status render_json(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
/* alerts.json, written with report.json (the "json" format); in render_json.c. */
enum cb_status render_alerts(const struct report *r, const struct render_dest *d,
                             struct cb_error *err);
enum cb_status render_csv(const struct report *r, const struct render_dest *d,
                          struct cb_error *err);
enum cb_status render_focus(const struct report *r, const struct render_dest *d,
                            struct cb_error *err);

#endif

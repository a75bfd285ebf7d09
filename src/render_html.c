/* HTML: the summary page and one invoice page per team, from templates/ through Mustache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"
#include "paths.h"
#include "render.h"
#include "utf8.h"
#include "view.h"
#include "xalloc.h"

#define TEMPLATE_MAX ((size_t)4 << 20)

/* Reads a whole template file. Returns a new string, or NULL with err filled. */
static char *read_template(const char *path, struct cb_error *err)
{
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read template: %s", strerror(errno));
        return NULL;
    }
    struct strbuf b = STRBUF_INIT;
    b.limit = TEMPLATE_MAX;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&b, chunk, n);
    if (ferror(f) || b.overflow) {
        cb_error_set(err, CB_EIO, path, 0, NULL, "%s",
                     b.overflow ? "template too large" : strerror(errno));
        strbuf_free(&b);
    } else {
        strbuf_cstr(&b);
        buf = strbuf_detach(&b);
    }
    fclose(f);
    return buf;
}

/* Partials are NAME.mustache beside the page templates; names never leave the folder. */
static char *load_partial(const char *name, void *ctx)
{
    const char *dir = ctx;
    if (!*name || strchr(name, '/') || strstr(name, ".."))
        return NULL;
    char *file = xasprintf("%s.mustache", name);
    char *path = paths_join(dir, file);
    struct cb_error ignored;
    char *text = read_template(path, &ignored);
    free(path);
    free(file);
    return text;
}

static enum cb_status write_file(const char *path, const struct strbuf *b, struct cb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
    size_t ok = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    if (fclose(f) != 0 || ok != b->len)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
    return CB_OK;
}

static enum cb_status render_page(const char *tmpl, const char *tmpl_name, json_t *data,
                                  const struct render_dest *d, const char *out_rel,
                                  struct cb_error *err)
{
    struct strbuf out = STRBUF_INIT;
    char *path = NULL;
    enum cb_status st =
        mustache_render(tmpl, tmpl_name, data, load_partial, (void *)d->templates_dir, &out, err);
    if (st != CB_OK)
        goto cleanup;
    /* XML 1.0 forbidden characters (a tag holding U+FFFE) would make the page's inline SVG,
     * and the page as XHTML, ill-formed: shown as U+FFFD */
    size_t n_safe = 0;
    char *safe = utf8_xml_safe(out.data ? out.data : "", out.len, &n_safe);
    if (safe) {
        strbuf_free(&out);
        strbuf_append(&out, safe, n_safe);
        free(safe);
    }
    path = paths_join(d->dir, out_rel);
    st = write_file(path, &out, err);
cleanup:
    free(path);
    strbuf_free(&out);
    return st;
}

struct html_job {
    const struct report *r;
    const struct render_dest *d;
    const char *tmpl, *tmpl_name;
};

static enum cb_status team_page(size_t i, void *ctx, struct cb_error *err)
{
    const struct html_job *j = ctx;
    char *rel = xasprintf("teams/%s.html", j->r->teams[i].slug);
    struct view_links links = {.pdf = j->d->pdf, .xlsx = j->d->xlsx};
    json_t *view = view_team(j->r, i, &links);
    enum cb_status st = render_page(j->tmpl, j->tmpl_name, view, j->d, rel, err);
    json_decref(view);
    free(rel);
    return st;
}

enum cb_status render_html(const struct report *r, const struct render_dest *d,
                           struct cb_error *err)
{
    char *summary_path = paths_join(d->templates_dir, "summary.html");
    char *invoice_path = paths_join(d->templates_dir, "invoice.html");
    char *summary = NULL, *invoice = NULL;
    enum cb_status st = CB_EIO;
    summary = read_template(summary_path, err);
    if (!summary)
        goto cleanup;
    invoice = read_template(invoice_path, err);
    if (!invoice)
        goto cleanup;
    struct view_links links = {.pdf = d->pdf, .xlsx = d->xlsx};
    json_t *view = view_summary(r, &links);
    st = render_page(summary, summary_path, view, d, "index.html", err);
    json_decref(view);
    if (st == CB_OK) {
        /* the invoices on worker threads, each its own view and page buffer */
        struct html_job job = {.r = r, .d = d, .tmpl = invoice, .tmpl_name = invoice_path};
        st = render_each(d, r->n_teams, team_page, &job, err);
    }
cleanup:
    free(invoice);
    free(summary);
    free(invoice_path);
    free(summary_path);
    return st;
}

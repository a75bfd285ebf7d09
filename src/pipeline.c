/* render, check and prices: configuration + price book -> ingest -> report -> renderers. */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "compare.h"
#include "config.h"
#include "ingest.h"
#include "ledger.h"
#include "money.h"
#include "msg.h"
#include "outdir.h"
#include "paths.h"
#include "prices.h"
#include "prior.h"
#include "render.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/* What every run needs before it reads a record. Owned pointers start NULL. */
struct setup {
    struct config *config;
    struct price_book *prices;
};

static void setup_free(struct setup *s)
{
    price_book_free(s->prices);
    config_free(s->config);
}

static enum cb_status setup_load(const struct cli_opts *o, struct setup *s, struct cb_error *err)
{
    enum cb_status st;
    if (o->config)
        st = config_load(o->config, &s->config, err);
    else {
        s->config = config_new_default();
        st = CB_OK;
    }
    if (st != CB_OK)
        return st;
    if (o->has_model && (st = config_set_model(s->config, o->model, err)) != CB_OK)
        return st;
    s->prices = price_book_new_builtin();
    if (s->config->prices) {
        st = price_book_merge_json(s->prices, s->config->prices, s->config->source, err);
        if (st != CB_OK)
            return st;
    }
    if (o->prices)
        st = price_book_merge_file(s->prices, o->prices, err);
    if (st == CB_OK)
        st = price_book_check_units(s->prices, err);
    return st;
}

static bool format_selected(const char *list, const char *name)
{
    if (!list)
        return true;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, name, n) == 0)
            return true;
        p += k;
        if (*p == ',')
            p++;
    }
    return false;
}

static bool show_progress(const struct cli_opts *o)
{
    if (o->progress < 0)
        return false;
    return o->progress > 0 || isatty(STDERR_FILENO);
}

static int cmp_file_hash(const void *a, const void *b)
{
    const struct ledger_file *x = *(const struct ledger_file *const *)a;
    const struct ledger_file *y = *(const struct ledger_file *const *)b;
    int c = strcmp(x->sha256, y->sha256);
    return c ? c : (x > y) - (x < y); /* equal hashes: command-line order */
}

/* The same bytes given twice would be billed twice (records without request ids are not
 * de-duplicated): two inputs with one SHA-256 and any record are refused, naming both. Inputs
 * without records (empty days) may repeat. Sorted by hash: not quadratic in the inputs. */
static enum cb_status check_repeated_inputs(const struct ledger *l, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    const struct ledger_file **v = xcalloc(l->n_files ? l->n_files : 1, sizeof *v);
    for (size_t i = 0; i < l->n_files; i++)
        v[i] = &l->files[i];
    qsort(v, l->n_files, sizeof *v, cmp_file_hash);
    for (size_t i = 1; i < l->n_files && st == CB_OK; i++)
        if (strcmp(v[i - 1]->sha256, v[i]->sha256) == 0 && v[i]->records > 0)
            st = cb_error_set(err, CB_EUSAGE, v[i]->path, 0, NULL,
                              "the same content as %s (SHA-256 %s): the input is given twice, "
                              "and its records would be billed twice; give each input once",
                              v[i - 1]->path, v[i]->sha256);
    free(v);
    return st;
}

/* report_build on a thread of its own: a new thread takes over the heap the ingest worker
 * left behind (glibc gives an exited thread's arena to the next thread), which after the ledger
 * was copied out is mostly free, so the report is built in that memory instead of beside it
 * (100,000 teams: peak RSS 727 -> 590 MB). The result is the same on any thread. */
struct build_job {
    const struct report_opts *ro;
    struct report *report;
    struct cb_error *err;
    enum cb_status st;
};

static void *build_main(void *arg)
{
    struct build_job *j = arg;
    j->st = report_build(j->ro, &j->report, j->err);
    return NULL;
}

static enum cb_status build_report(const struct report_opts *ro, struct report **out,
                                   struct cb_error *err)
{
    struct build_job j = {.ro = ro, .err = err};
    pthread_t t;
    if (pthread_create(&t, NULL, build_main, &j) != 0)
        build_main(&j);
    else
        pthread_join(t, NULL);
    *out = j.report;
    return j.st;
}

/* One output format rendered on its own thread (render_formats). */
struct format_job {
    const struct render_format *f;
    const struct report *report;
    const struct render_dest *dest;
    enum cb_status st;
    struct cb_error err;
    char *held; /* its messages */
    pthread_t thread;
    bool started;
};

static void *format_main(void *arg)
{
    struct format_job *j = arg;
    msg_hold_begin();
    j->st = j->f->render(j->report, j->dest, &j->err);
    j->held = msg_hold_end();
    return NULL;
}

/* Renders the selected formats. With more than one thread they run at the same time, each on
 * its own thread: the formats write different files from the same finished report, and a
 * format written by one thread (report.json, focus.csv, the cross-team summaries) then overlaps
 * the per-team documents of the others instead of leaving a core idle (2 cores, the 1,000-team
 * bench month in every format written to tmpfs, 4 alternating pairs: 8.3 s one format after
 * another, 7.9 s at the same time, medians). The result is as if run in table order: the same
 * files, each format's messages printed in that order, and the first failing format's error
 * returned. */
static enum cb_status render_all(const struct cli_opts *o, const struct report *report,
                                 const struct render_dest *dest, struct cb_error *err)
{
    struct format_job jobs[16];
    size_t n = 0;
    for (size_t i = 0; i < render_format_count && n < sizeof jobs / sizeof jobs[0]; i++)
        if (format_selected(o->formats, render_formats[i].name))
            jobs[n++] =
                (struct format_job){.f = &render_formats[i], .report = report, .dest = dest};
    bool parallel = o->threads != 1 && n > 1;
    if (parallel && sysconf(_SC_NPROCESSORS_ONLN) < 2 && o->threads <= 0)
        parallel = false;
    if (!parallel) {
        for (size_t i = 0; i < n; i++) {
            enum cb_status st = jobs[i].f->render(report, dest, err);
            if (st != CB_OK)
                return st;
        }
        return CB_OK;
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].started = pthread_create(&jobs[i].thread, NULL, format_main, &jobs[i]) == 0;
        if (!jobs[i].started) /* no thread: this one renders the format */
            format_main(&jobs[i]);
    }
    enum cb_status st = CB_OK;
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].started)
            pthread_join(jobs[i].thread, NULL);
        if (st == CB_OK) {
            msg_release(jobs[i].held);
            if (jobs[i].st != CB_OK) {
                st = jobs[i].st;
                *err = jobs[i].err;
            }
        } else
            free(jobs[i].held);
    }
    return st;
}

static enum cb_status run_ingest(const struct cli_opts *o, const struct setup *s, FILE *rejected,
                                 struct ledger **ledger, struct cb_error *err)
{
    struct ingest_opts io = {
        .inputs = o->inputs,
        .n_inputs = o->n_inputs,
        .year = o->year,
        .month = o->mon,
        .config = s->config,
        .prices = s->prices,
        .rejected = rejected,
        .threads = o->threads,
        .progress = show_progress(o),
    };
    enum cb_status st = ingest_run(&io, ledger, err);
    if (st == CB_OK)
        st = check_repeated_inputs(*ledger, err);
    return st;
}

static void print_counts(FILE *out, const struct ledger *l)
{
    const struct ledger_counts *c = &l->counts;
    char read[32], billed[32], rejected[32], dups[32], outside[32];
    money_format_count(c->records_read, read, sizeof read);
    money_format_count(c->billed, billed, sizeof billed);
    money_format_count(c->rejected, rejected, sizeof rejected);
    money_format_count(c->duplicates, dups, sizeof dups);
    money_format_count(c->outside_period, outside, sizeof outside);
    fprintf(out,
            "period %04d-%02d: %s records read: %s billed, %s rejected, %s duplicates, %s outside "
            "the period\n",
            l->year, l->month, read, billed, rejected, dups, outside);
}

static void print_rejects(FILE *out, const struct ledger *l)
{
    for (int r = 0; r < REJ_COUNT; r++) {
        if (l->counts.by_reason[r] == 0)
            continue;
        fprintf(out, "  rejected, %s: %lld\n", ledger_reject_reason_name((enum reject_reason)r),
                (long long)l->counts.by_reason[r]);
        for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++)
            if (l->counts.examples[r][k]) {
                fputs("    ", out);
                msg_write_safe(out, l->counts.examples[r][k]);
                fputc('\n', out);
            }
    }
}

/* Prints " ID" for the team list of check: as it is when it is one plain word, else quoted with
 * '"' and '\\' escaped, so a name holding spaces, quotes or controls cannot run into the next. */
static void print_team_id(const char *id)
{
    bool plain = id[0] != '\0';
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || (unsigned char)*p == 0x7f)
            plain = false;
    if (plain) {
        putchar(' ');
        msg_write_safe(stdout, id);
        return;
    }
    fputs(" \"", stdout);
    for (const char *p = id; *p;) {
        size_t n = strcspn(p, "\"\\");
        char *part = xstrndup(p, n);
        msg_write_safe(stdout, part);
        free(part);
        p += n;
        if (*p) {
            putchar('\\');
            putchar(*p++);
        }
    }
    putchar('"');
}

/* Copies the rejected records from the temporary stream into the month folder. */
static enum cb_status copy_rejected(FILE *src, const char *dir, struct cb_error *err)
{
    char *path = paths_join(dir, "rejected.jsonl");
    enum cb_status st = CB_OK;
    FILE *dst = fopen(path, "wb");
    if (!dst) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    rewind(src);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, src)) > 0)
        if (fwrite(buf, 1, n, dst) != n) {
            st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
            break;
        }
    if (fclose(dst) != 0 && st == CB_OK)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
cleanup:
    free(path);
    return st;
}

/* A provider invoice far from the usage at list price is applied as configured, but said:
 * rounding and a lagging price book move the two by well under RECON_GAP_PERCENT; usage missing
 * from the inputs, another month's invoice, or a discount the price book does not know move
 * them by more. Printed once, and kept in report.json `warnings`. */
#define RECON_GAP_PERCENT 5

static void warn_reconciliation_gap(const struct report *r, bool has_amount)
{
    const struct report_totals *T = &r->totals;
    if (!T->has_provider_total || T->period_list_total <= 0)
        return;
    int64_t d = T->reconciliation_difference, mag = d < 0 ? -d : d;
    if (mag < 100 || (cb_i128)mag * 100 <= (cb_i128)T->period_list_total * RECON_GAP_PERCENT)
        return;
    char pct[40];
    money_format_fixed((int64_t)((cb_i128)d * 10000 / T->period_list_total), 2, 1, pct, sizeof pct);
    const char *what;
    switch (r->model) {
    case CB_MODEL_USAGE:
        what = "the true-up lines charge it to the teams in proportion to usage";
        break;
    case CB_MODEL_FIXED:
    case CB_MODEL_HYBRID:
        what = has_amount ? "the configured pool is charged and the difference is not"
                          : "the pool charged to the teams follows the provider invoice";
        break;
    default: what = "it is shown on the summary only"; break;
    }
    msg_warn("the provider invoice for %s (%s) differs from the usage at list price (%s) by %s "
             "(%s%s %%): %s; a gap this large usually means usage missing from the inputs, the "
             "invoice of another month, or a discount or credit the price book does not know",
             r->month, text_money(T->provider_total).s, text_money(T->period_list_total).s,
             text_signed(d).s, d > 0 ? "+" : "", pct, what);
}

/* The pricing facts of the month a reader should know (SPEC §3): printed once each, and kept
 * in report.json `warnings`. */
static void warn_variants(const struct ledger *l)
{
    const struct ledger_counts *c = &l->counts;
    if (c->cache_rest_records > 0)
        msg_warn("cache_creation_input_tokens above their cache_creation.ephemeral_5m/1h split "
                 "in %s; the tokens not in the split (%s) are priced as 5-minute cache writes",
                 text_plural(c->cache_rest_records, "record", "records").s,
                 text_plural(c->cache_rest_tokens, "token", "tokens").s);
    if (c->long_unflagged > 0)
        msg_warn("pre-aggregated rows averaging a prompt above their model's long-prompt "
                 "threshold without \"long_prompt\": true: %s, priced at the standard rates "
                 "(roll up long prompts into rows of their own, flagged)",
                 text_plural(c->long_unflagged, "row", "rows").s);
}

/* What the provider billed for the rendered month (SPEC §2.2b, §5): the configured
 * provider_invoice entry of that month, or the Cost report's rows of that month. A configured
 * total of other months only, a cost report without rows in the month, and the two disagreeing
 * are errors: a total is never applied to a month it is not of. */
static enum cb_status provider_total(struct config *c, const struct ledger *l, struct cb_error *err)
{
    const struct ledger_billed *B = &l->billed;
    char month[16];
    snprintf(month, sizeof month, "%04d-%02d", l->year, l->month);
    const struct config_provider_month *pm = NULL;
    for (size_t i = 0; i < c->n_provider_months; i++)
        if (c->provider_months[i].year == l->year && c->provider_months[i].month == l->month)
            pm = &c->provider_months[i];
    if (c->n_provider_months && !pm) {
        char have[200] = "";
        size_t o = 0;
        for (size_t i = 0; i < c->n_provider_months && i < 12 && o < sizeof have; i++)
            o += (size_t)snprintf(have + o, sizeof have - o, "%s%04d-%02d", i ? ", " : "",
                                  c->provider_months[i].year, c->provider_months[i].month);
        return cb_error_set(err, CB_EUSAGE, c->source, 0, "provider_invoice",
                            "has totals for %s, none for %s, the month rendered: add \"%s\" "
                            "(or give that month's Cost report), or remove provider_invoice",
                            have, month, month);
    }
    c->has_provider_total = false;
    c->provider_from_cost_report = false;
    if (B->present) {
        if (B->rows == 0) {
            char other[160] = "";
            size_t o = 0;
            for (size_t i = 0; i < B->n_other_months && o < sizeof other; i++)
                o += (size_t)snprintf(other + o, sizeof other - o, "%s%s", i ? ", " : "",
                                      B->other_months[i]);
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "the Cost report among the inputs has no rows for %s, the month "
                                "rendered%s%s%s: give that month's report",
                                month, o ? " (it covers " : "", other, o ? ")" : "");
        }
        int64_t billed = money_pico_to_cents(B->total);
        if (pm && pm->cents != billed) {
            char a[40], b[40];
            money_format_grouped(pm->cents, a, sizeof a);
            money_format_grouped(billed, b, sizeof b);
            return cb_error_set(err, CB_EUSAGE, c->source, 0, "provider_invoice",
                                "\"%s\" is %s but the Cost report's rows of %s add up to %s: "
                                "correct one of them (or remove the configured total)",
                                month, a, month, b);
        }
        if (B->other_rows)
            msg_warn("the Cost report's %lld rows of other months (%s%s) are not counted in %s",
                     (long long)B->other_rows, B->other_months[0],
                     B->n_other_months > 1 ? ", ..." : "", month);
        c->has_provider_total = true;
        c->provider_total_cents = billed;
        c->provider_from_cost_report = true;
    } else if (pm) {
        c->has_provider_total = true;
        c->provider_total_cents = pm->cents;
    }
    return CB_OK;
}

/* Render may replace only what it made (SPEC §6): checks `target` against every file and folder
 * the run reads (inputs, --config, --prices, --previous, --supersedes). */
static enum cb_status check_target(const struct cli_opts *o, const char *target,
                                   struct cb_error *err)
{
    size_t n = o->n_inputs + 4;
    const char **read = xcalloc(n, sizeof *read);
    for (size_t i = 0; i < o->n_inputs; i++)
        read[i] = o->inputs[i];
    read[o->n_inputs] = o->config;
    read[o->n_inputs + 1] = o->prices;
    read[o->n_inputs + 2] = o->previous;
    read[o->n_inputs + 3] = o->supersedes;
    enum cb_status st = outdir_check(target, read, n, err);
    free(read);
    return st;
}

/* With the month known only from the data: the folder of the month the first records of the
 * inputs fall in (ingest_peek_month), refused at once when it is signed, before hours of reading
 * end in the same refusal. Any other state of that folder waits for the check after the read,
 * which also catches data whose month turns out different. */
static enum cb_status check_peeked_target(const struct cli_opts *o, const struct setup *s,
                                          struct cb_error *err)
{
    struct ingest_opts io = {
        .inputs = o->inputs,
        .n_inputs = o->n_inputs,
        .config = s->config,
        .prices = s->prices,
    };
    int year, month;
    if (!ingest_peek_month(&io, &year, &month))
        return CB_OK;
    char *guess = xasprintf("out/%04d-%02d%s", year, month, o->shadow ? "-shadow" : "");
    enum cb_status st = archive_is_signed(guess) ? check_target(o, guess, err) : CB_OK;
    free(guess);
    return st;
}

enum cb_status pipeline_render(const struct cli_opts *o)
{
    struct cb_error err;
    cb_error_clear(&err);
    struct setup s = {0};
    struct ledger *ledger = NULL;
    struct report *report = NULL;
    struct prior_month *previous = NULL, *superseded = NULL;
    FILE *rejected = NULL;
    char *data_dir = NULL, *target = NULL, *tmp = NULL, *templates = NULL, *fonts = NULL;
    /* The output folder is checked before any input is read when it is known without the data:
     * --out, --month, or --supersedes (the signed month's folder and revision say it), and again
     * once the month is known. The earlier months are small folders, read first for that. */
    enum cb_status st = CB_OK;
    if (o->previous && (st = prior_read_previous(o->previous, &previous, &err)) != CB_OK)
        goto cleanup;
    if (o->supersedes && (st = prior_read_signed(o->supersedes, &superseded, &err)) != CB_OK)
        goto cleanup;
    if (o->out)
        target = xstrdup(o->out);
    else if (superseded)
        target = xasprintf("%s-r%d", o->supersedes, superseded->revision + 1);
    else if (o->month)
        target = xasprintf("out/%s%s", o->month, o->shadow ? "-shadow" : "");
    if (target && (st = check_target(o, target, &err)) != CB_OK)
        goto cleanup;
    st = setup_load(o, &s, &err);
    if (st != CB_OK)
        goto cleanup;
    bool needs_data = format_selected(o->formats, "html") || format_selected(o->formats, "pdf");
    if (needs_data) {
        data_dir = paths_data_dir(o->data_dir);
        if (!data_dir) {
            st = cb_error_set(&err, CB_EUSAGE, o->data_dir, 0, NULL,
                              "cannot find the templates/ and fonts/ folders (use --data-dir or "
                              "CHARGEBACK_DATA_DIR)");
            goto cleanup;
        }
        templates = paths_join(data_dir, "templates");
        fonts = paths_join(data_dir, "fonts");
    }
    rejected = tmpfile();
    if (!rejected) {
        st = cb_error_set(&err, CB_EIO, NULL, 0, NULL, "cannot create a temporary file: %s",
                          strerror(errno));
        goto cleanup;
    }
    if (!target && (st = check_peeked_target(o, &s, &err)) != CB_OK)
        goto cleanup;
    st = run_ingest(o, &s, rejected, &ledger, &err);
    if (st != CB_OK)
        goto cleanup;
    if (o->progress >= 0) {
        print_counts(stderr, ledger);
        print_rejects(stderr, ledger);
    }
    if (o->strict && ledger->counts.rejected > 0) {
        st = cb_error_set(&err, CB_EDATA, NULL, 0, NULL,
                          "--strict: %s rejected; no invoices written",
                          text_plural(ledger->counts.rejected, "record", "records").s);
        goto cleanup;
    }
    warn_variants(ledger);
    st = provider_total(s.config, ledger, &err);
    if (st != CB_OK)
        goto cleanup;
    /* the earlier months (read above) are handed to the model as plain data */
    struct report_opts ro = {
        .config = s.config,
        .prices = s.prices,
        .ledger = ledger,
        .shadow = o->shadow,
        .has_model_override = o->has_model,
        .model_override = o->model,
        .previous = previous,
        .superseded = superseded,
        .source_date_epoch = getenv("SOURCE_DATE_EPOCH"),
    };
    st = build_report(&ro, &report, &err); /* which ends with report_check */
    if (st == CB_OK && (o->shadow || o->compare))
        st = compare_build(&ro, report, &report->comparison, &err);
    if (st != CB_OK)
        goto cleanup;
    warn_reconciliation_gap(report, s.config->has_amount);
    report->recon = recon_build(ledger, s.config->skill_rate_micros, s.config->mcp_rate_micros);
    report->provider_from_cost_report = s.config->provider_from_cost_report;
    report->warnings = msg_warnings_copy(&report->n_warnings);

    if (!target)
        target = xasprintf("out/%s%s", report->month, o->shadow ? "-shadow" : "");
    st = check_target(o, target, &err);
    if (st == CB_OK)
        st = outdir_begin(target, &tmp, &err);
    if (st != CB_OK)
        goto cleanup;
    struct render_dest dest = {.dir = tmp,
                               .templates_dir = templates,
                               .fonts_dir = fonts,
                               .threads = o->threads,
                               .pdf = format_selected(o->formats, "pdf"),
                               .xlsx = format_selected(o->formats, "xlsx")};
    st = render_all(o, report, &dest, &err);
    if (st == CB_OK)
        st = copy_rejected(rejected, tmp, &err);
    if (st == CB_OK) /* again: the folder may have changed while the month was rendered */
        st = check_target(o, target, &err);
    if (st == CB_OK)
        st = outdir_commit(tmp, target, &err);
    if (st == CB_OK && o->progress >= 0) {
        struct text teams = text_plural((int64_t)report->n_teams, "team", "teams");
        if (report->shadow)
            msg_info("wrote %s (%s, would be charged %s %s: shadow month, nothing billed)", target,
                     teams.s, text_money(report->totals.charged).s, report->currency);
        else
            msg_info("wrote %s (%s, total charged %s %s)", target, teams.s,
                     text_money(report->totals.charged).s, report->currency);
    }
cleanup:
    if (st != CB_OK) {
        outdir_abort(tmp);
        if (err.text[0])
            msg_error_at(&err);
    }
    free(tmp);
    free(target);
    report_free(report);
    prior_free(previous);
    prior_free(superseded);
    ledger_free(ledger);
    if (rejected)
        fclose(rejected);
    free(templates);
    free(fonts);
    free(data_dir);
    setup_free(&s);
    outdir_forget();
    return st;
}

enum cb_status pipeline_check(const struct cli_opts *o)
{
    struct cb_error err;
    cb_error_clear(&err);
    struct setup s = {0};
    struct ledger *ledger = NULL;
    enum cb_status st = setup_load(o, &s, &err);
    if (st != CB_OK)
        goto cleanup;
    st = run_ingest(o, &s, NULL, &ledger, &err);
    if (st != CB_OK)
        goto cleanup;
    st = provider_total(s.config, ledger, &err);
    if (st != CB_OK)
        goto cleanup;
    print_counts(stdout, ledger);
    print_rejects(stdout, ledger);
    for (size_t i = 0; i < ledger->n_files; i++) {
        fputs("input ", stdout);
        msg_write_safe(stdout, ledger->files[i].path);
        printf(" (%s): %lld %s, %lld bytes, sha256 %s\n", ledger->files[i].format,
               (long long)ledger->files[i].records,
               strcmp(ledger->files[i].format, "cost-report") == 0 ? "cost rows" : "records",
               (long long)ledger->files[i].bytes, ledger->files[i].sha256);
        if (ledger->files[i].not_requests)
            printf("  and %lld events that are not API requests (counted, not billed)\n",
                   (long long)ledger->files[i].not_requests);
    }
    /* which rules decided the counts below: without a configuration no attribution rule or
     * shared pool applies, so the unallocated count differs from a render with one */
    const struct config *c = s.config;
    if (o->config) {
        fputs("configuration: ", stdout);
        msg_write_safe(stdout, o->config);
        printf(" (%zu attribution rule%s, %zu shared pool%s)\n", c->n_rules,
               c->n_rules == 1 ? "" : "s", c->n_shared, c->n_shared == 1 ? "" : "s");
    } else
        printf("configuration: none (no -c): no attribution rules and no shared pools, so every "
               "request without a team tag is unallocated\n");
    /* the first CHECK_TEAMS_SHOWN ids and a count: a month of 100,000 teams is not one line */
    enum { CHECK_TEAMS_SHOWN = 20 };
    printf("teams:");
    size_t n_team_buckets = 0;
    for (size_t i = 0; i < ledger->n_buckets; i++)
        if (ledger->buckets[i].kind == BUCKET_TEAM && n_team_buckets++ < CHECK_TEAMS_SHOWN)
            print_team_id(ledger->buckets[i].team);
    if (n_team_buckets > CHECK_TEAMS_SHOWN)
        printf(" and %zu more (%zu teams in all; render lists every one in report.json)",
               n_team_buckets - CHECK_TEAMS_SHOWN, n_team_buckets);
    printf("%s\n", n_team_buckets ? "" : " (none)");
    const struct ledger_bucket *u = ledger_unallocated(ledger);
    if (u->usage.requests == 0)
        printf("unallocated: 0 requests\n");
    else if (o->config)
        printf("unallocated: %lld requests (no team tag; no attribution rule or shared pool "
               "matched)\n",
               (long long)u->usage.requests);
    else
        printf("unallocated: %lld requests without a team tag (a configuration's attribution "
               "rules and shared pools, -c FILE, may assign some)\n",
               (long long)u->usage.requests);
    if (o->config && c->credit_account) {
        fputs("charges.csv: a balanced journal, each invoice credited to ", stdout);
        msg_write_safe(stdout, c->credit_account);
        fputc('\n', stdout);
    } else if (o->config)
        printf("charges.csv: a charge list, not a balanced journal (no journal.credit_account)\n");
    if (s.config->has_provider_total) {
        char t[40];
        money_format_grouped(s.config->provider_total_cents, t, sizeof t);
        printf("provider total %04d-%02d: %s (%s)\n", ledger->year, ledger->month, t,
               s.config->provider_from_cost_report ? "the Cost report" : "the configuration");
    }
    if (ledger->counts.rejected > 0)
        st = CB_EDATA;
cleanup:
    if (st != CB_OK && err.text[0])
        msg_error_at(&err);
    ledger_free(ledger);
    setup_free(&s);
    return st;
}

/* Formats micro-USD with at least two decimals and no trailing zeros beyond them. */
static void format_price(int64_t micros, char *buf, size_t size)
{
    money_format_fixed(micros, 6, 6, buf, size);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0' && n >= 4 && buf[n - 3] != '.')
        buf[--n] = '\0';
}

/* "×2", "×1.1": a multiplier in thousandths, shortest exact form. */
static void format_multiplier(int64_t e3, char *buf, size_t size)
{
    char num[24];
    money_format_fixed(e3, 3, 3, num, sizeof num);
    size_t n = strlen(num);
    while (n > 0 && num[n - 1] == '0')
        num[--n] = '\0';
    if (n > 0 && num[n - 1] == '.')
        num[--n] = '\0';
    snprintf(buf, size, "\u00d7%s", num);
}

enum cb_status pipeline_prices(const struct cli_opts *o)
{
    struct cb_error err;
    cb_error_clear(&err);
    struct setup s = {0};
    enum cb_status st = setup_load(o, &s, &err);
    if (st != CB_OK)
        goto cleanup;
    int32_t at = 0;
    if (o->at)
        for (const char *p = o->at; *p; p++) /* validated YYYY-MM-DD by cli_parse */
            if (*p != '-')
                at = at * 10 + (*p - '0');
    printf("# price book checked %s, sha256 %s\n", price_book_checked(s.prices),
           price_book_sha256(s.prices));
    printf("# USD per million tokens; web search per 1,000 searches%s%s\n",
           o->at ? "; in force on " : "", o->at ? o->at : "");
    printf("%-30s %-10s %9s %9s %10s %9s %9s %10s %6s\n", "model", "from", "input", "output",
           "cache_read", "write_5m", "write_1h", "web_search", "batch");
    size_t n = price_book_count(s.prices);
    for (size_t i = 0; i < n; i++) {
        const struct price_entry *e = price_book_entry(s.prices, i);
        if (at && price_book_resolve(s.prices, e->model, at) != e)
            continue;
        char p[TOK_CLASS_COUNT][32], ws[32], bd[32];
        for (int k = 0; k < TOK_CLASS_COUNT; k++)
            format_price(e->per_mtok[k], p[k], sizeof p[k]);
        format_price(e->web_search_per_k, ws, sizeof ws);
        money_format_fixed(e->batch_discount_e6, 4, 0, bd, sizeof bd);
        printf("%-30s %-10s %9s %9s %10s %9s %9s %10s %5s%%\n", e->model,
               e->effective_from[0] ? e->effective_from : "-", p[TOK_INPUT], p[TOK_OUTPUT],
               p[TOK_CACHE_READ], p[TOK_CACHE_WRITE_5M], p[TOK_CACHE_WRITE_1H], ws, bd);
        if (e->long_above > 0) {
            for (int k = 0; k < TOK_CLASS_COUNT; k++)
                format_price(e->long_per_mtok[k], p[k], sizeof p[k]);
            char above[32];
            money_format_count(e->long_above, above, sizeof above);
            printf("  prompts over %s tokens: %s %s %s %s %s\n", above, p[TOK_INPUT], p[TOK_OUTPUT],
                   p[TOK_CACHE_READ], p[TOK_CACHE_WRITE_5M], p[TOK_CACHE_WRITE_1H]);
        }
        char fast[16] = "-", us[16] = "-";
        if (e->speed_fast_e3 > 0)
            format_multiplier(e->speed_fast_e3, fast, sizeof fast);
        if (e->geo_us_e3 > 0)
            format_multiplier(e->geo_us_e3, us, sizeof us);
        printf("  fast mode %s, US-only inference %s; source %s%s%s%s\n", fast, us,
               e->source && e->source[0] ? e->source : "-", e->checked[0] ? " (checked " : "",
               e->checked, e->checked[0] ? ")" : "");
    }
cleanup:
    if (st != CB_OK && err.text[0])
        msg_error_at(&err);
    setup_free(&s);
    return st;
}

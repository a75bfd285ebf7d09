/* XLSX rendering of the fixture report: files, byte-identical re-renders with fixed zip entry
 * times, the XML parts (sheet names, each invoice line's ROUND formula with its cached cents,
 * the SUM totals, the summary's team charges and totals, document properties), formula-like
 * text kept as strings, the shadow header on every sheet, I/O errors; and, through
 * /usr/bin/python3 with openpyxl, every workbook read back against report.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "allocate.h"
#include "money.h"
#include "render.h"
#include "strbuf.h"
#include "support_fixture.h"
#include "xalloc.h"

#define CHECKER CB_TEST_SOURCE_DIR "/tests/scripts/xlsx_check.py"

/* set when a test is skipped because a tool is missing: main then exits 77 */
static bool skipped;

static char *make_dir(void)
{
    char tmpl[] = "/tmp/cb-xlsx-XXXXXX";
    char *dir = xstrdup(mkdtemp(tmpl));
    char *teams = xasprintf("%s/teams", dir);
    mkdir(teams, 0755);
    free(teams);
    return dir;
}

static void remove_dir(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

static enum cb_status render_into(const struct report *r, const char *dir, struct cb_error *err)
{
    struct render_dest d = {.dir = dir,
                            .templates_dir = CB_TEST_SOURCE_DIR "/templates",
                            .fonts_dir = CB_TEST_SOURCE_DIR "/fonts"};
    cb_error_clear(err);
    return render_xlsx(r, &d, err);
}

static char *read_all(FILE *f)
{
    struct strbuf s = STRBUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&s, chunk, n);
    strbuf_cstr(&s);
    return strbuf_detach(&s);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf s = STRBUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&s, chunk, n);
    fclose(f);
    *len = s.len;
    strbuf_cstr(&s);
    return strbuf_detach(&s);
}

/* One part of the zip through `unzip -p`; a new string ("" when the part is missing). */
static char *part(const char *xlsx, const char *name)
{
    char *cmd = xasprintf("unzip -p '%s' '%s' 2>/dev/null", xlsx, name);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    char *s = read_all(p);
    pclose(p);
    return s;
}

/* The cells of a sheet's XML: reference, formula text (or NULL), value text (or NULL), type. */
struct cell {
    char ref[16];
    char *f, *v;
    char t[8];
};

struct cells {
    struct cell *v;
    size_t n;
};

static char *between(const char *s, const char *end, const char *open, const char *close)
{
    const char *a = strstr(s, open);
    if (!a || a >= end)
        return NULL;
    a = strchr(a, '>') + 1;
    const char *b = strstr(a, close);
    if (!b || b > end)
        return NULL;
    return xstrndup(a, (size_t)(b - a));
}

static struct cells parse_cells(const char *xml)
{
    struct cells cs = {NULL, 0};
    for (const char *p = strstr(xml, "<c r=\""); p; p = strstr(p + 1, "<c r=\"")) {
        const char *q = p + 6;
        const char *qe = strchr(q, '"');
        const char *tag_end = strchr(p, '>');
        const char *end = tag_end[-1] == '/' ? tag_end : strstr(p, "</c>");
        cs.v = xreallocarray(cs.v, cs.n + 1, sizeof *cs.v);
        struct cell *c = &cs.v[cs.n++];
        memset(c, 0, sizeof *c);
        snprintf(c->ref, sizeof c->ref, "%.*s", (int)(qe - q), q);
        const char *t = strstr(p, " t=\"");
        if (t && t < tag_end)
            snprintf(c->t, sizeof c->t, "%.*s", (int)strcspn(t + 4, "\""), t + 4);
        if (tag_end[-1] != '/') {
            c->f = between(tag_end, end, "<f", "</f>");
            c->v = between(tag_end, end, "<v", "</v>");
        }
    }
    return cs;
}

static void cells_free(struct cells *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->v[i].f);
        free(cs->v[i].v);
    }
    free(cs->v);
}

static const struct cell *cell_at(const struct cells *cs, const char *ref)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->v[i].ref, ref) == 0)
            return &cs->v[i];
    return NULL;
}

/* A cached value as cents. Cell values are doubles and libxlsxwriter prints them with %.16G, so
 * 98.43 may read "98.43000000000001": the same double. The value must be exactly the double
 * nearest to the decimal cents / 100. */
static int64_t value_cents(const char *v)
{
    assert_non_null(v);
    char *end = NULL;
    double d = strtod(v, &end);
    assert_true(end && *end == '\0' && end != v);
    double c = d * 100.0;
    int64_t cents = (int64_t)(c < 0 ? c - 0.5 : c + 0.5);
    if ((double)cents / 100.0 != d)
        fail_msg("cached value \"%s\" is not the double of a whole cent", v);
    return cents;
}

static bool is_col(const char *ref, char col)
{
    return ref[0] == col && ref[1] >= '0' && ref[1] <= '9';
}

/* Invoice sheet: the ROUND formulas of column H in order are the team's lines, each with its
 * cached cents; then the SUM of exactly those rows with the team total cached. */
static void check_invoice_xml(const char *xlsx, const struct report_team *t)
{
    char *xml = part(xlsx, "xl/worksheets/sheet1.xml");
    struct cells cs = parse_cells(xml);
    size_t k = 0;
    long first = 0, last = 0;
    const struct cell *sum = NULL;
    for (size_t i = 0; i < cs.n; i++) {
        const struct cell *c = &cs.v[i];
        if (!is_col(c->ref, 'H') || !c->f)
            continue;
        long row = strtol(c->ref + 1, NULL, 10);
        if (strncmp(c->f, "ROUND(", 6) == 0) {
            assert_true(k < t->n_lines);
            const struct report_line *l = &t->lines[k++];
            char want[96];
            if (l->per == 1)
                snprintf(want, sizeof want, "ROUND(E%ld*G%ld,2)", row, row);
            else
                snprintf(want, sizeof want, "ROUND(E%ld*G%ld/%lld,2)", row, row, (long long)l->per);
            assert_string_equal(c->f, want);
            assert_int_equal(value_cents(c->v), l->amount);
            if (!first)
                first = row;
            last = row;
        } else if (strncmp(c->f, "SUM(", 4) == 0 && !sum) {
            sum = c; /* the lines' total; the composition's SUM comes after it */
        }
    }
    assert_int_equal(k, t->n_lines);
    assert_non_null(sum);
    char want[64];
    snprintf(want, sizeof want, "SUM(H%ld:H%ld)", first, last);
    assert_string_equal(sum->f, want);
    assert_int_equal(value_cents(sum->v), t->total);
    cells_free(&cs);
    free(xml);
}

/* Summary sheet (no --previous): team charges in E, the "All teams" SUMs of E and G with cached
 * totals, the bridge's result a SUM of D; team rows in the documents' order (r->order). */
static void check_summary_xml(const char *xlsx, const struct report *r)
{
    char *xml = part(xlsx, "xl/worksheets/sheet1.xml");
    struct cells cs = parse_cells(xml);
    const struct cell *e_sum = NULL, *g_sum = NULL, *bridge = NULL;
    for (size_t i = 0; i < cs.n; i++) {
        if (cs.v[i].f && strncmp(cs.v[i].f, "SUM(E", 5) == 0 && !e_sum)
            e_sum = &cs.v[i];
        if (cs.v[i].f && strncmp(cs.v[i].f, "SUM(D", 5) == 0 && !bridge)
            bridge = &cs.v[i];
        if (cs.v[i].f && strncmp(cs.v[i].f, "SUM(G", 5) == 0 && !g_sum)
            g_sum = &cs.v[i];
    }
    assert_non_null(e_sum);
    assert_non_null(g_sum);
    assert_int_equal(value_cents(e_sum->v), r->totals.charged);
    assert_non_null(bridge);
    assert_int_equal(value_cents(bridge->v), r->totals.charged);
    assert_int_equal(value_cents(g_sum->v), r->totals.list_cost);
    /* the team rows are the rows the SUM covers, in the documents' order */
    long first = 0, last = 0;
    assert_int_equal(sscanf(e_sum->f, "SUM(E%ld:E%ld)", &first, &last), 2);
    assert_int_equal((size_t)(last - first + 1), r->n_teams);
    for (size_t i = 0; i < r->n_teams; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "E%ld", first + (long)i);
        const struct cell *c = cell_at(&cs, ref);
        assert_non_null(c);
        assert_null(c->f);
        assert_int_equal(value_cents(c->v), r->teams[r->order[i]].total);
    }
    cells_free(&cs);
    free(xml);
}

/* Every zip local file header carries the fixed DOS time 00:00 and date 1980-01-01. */
static void check_zip_times(const char *buf, size_t len)
{
    size_t entries = 0;
    for (size_t i = 0; i + 30 <= len; i++) {
        if (memcmp(buf + i, "PK\x03\x04", 4) != 0)
            continue;
        const unsigned char *h = (const unsigned char *)buf + i;
        unsigned time = h[10] | h[11] << 8, date = h[12] | h[13] << 8;
        assert_int_equal(time, 0);
        assert_int_equal(date, (0u << 9) | (1u << 5) | 1u);
        entries++;
    }
    assert_true(entries >= 8);
}

static const char *const team_sheets[] = {"Invoice",        "By project", "By user", "By workflow",
                                          "By environment", "By model",   "Daily",   "Method"};
static const char *const summary_sheets[] = {
    "Summary",      "Spend",     "Budgets",  "All lines",    "Unallocated",  "Daily",
    "Top projects", "Top users", "By model", "Shared pools", "Tag coverage", "Inputs"};

static void check_sheet_names(const char *xlsx, const char *const *names, size_t n)
{
    char *wb = part(xlsx, "xl/workbook.xml");
    const char *p = wb;
    for (size_t i = 0; i < n; i++) {
        char *want = xasprintf("<sheet name=\"%s\"", names[i]);
        p = strstr(p, want);
        assert_non_null(p); /* present, in this order */
        free(want);
    }
    free(wb);
}

/* Appends to the first team lines whose exact amount is a half cent, at prices a binary double
 * cannot hold (0.30, 0.03, 1.10 ... per million): the hardest case for a spreadsheet's ROUND to
 * agree with report.c's integer rounding (half away from zero). Keeps the totals consistent,
 * and adds a provider invoice total so the reconciliation's difference formula is written. */
static void add_tie_lines(struct report *r)
{
    static const int64_t prices[] = {300000, 30000, 80000, 1100000, 3750000, 1230000};
    struct report_team *t = &r->teams[0];
    for (size_t k = 0; k < sizeof prices / sizeof prices[0]; k++) {
        size_t found = 0;
        for (int64_t q = 1; q < 2000000000 && found < 3; q++) {
            if (((cb_i128)q * prices[k]) % 10000000000 != 5000000000)
                continue;
            t->lines = xreallocarray(t->lines, t->n_lines + 1, sizeof *t->lines);
            struct report_line *l = &t->lines[t->n_lines++];
            memset(l, 0, sizeof *l);
            l->kind = LINE_CACHE_READ;
            l->model = xstrdup("claude-sonnet-4-6");
            l->description =
                xasprintf("half-cent case %lld tokens at %lld", (long long)q, (long long)prices[k]);
            l->quantity = q;
            l->unit_price_micros = prices[k];
            l->per = 1000000;
            l->unit = "1M tokens";
            l->amount = alloc_line_amount(q, prices[k], 1000000);
            t->total += l->amount;
            t->list_cost += l->amount;
            t->charge += l->amount;
            t->direct += l->amount;
            r->totals.charged += l->amount;
            r->totals.charge += l->amount;
            r->totals.list_cost += l->amount;
            r->totals.period_list_total += l->amount;
            r->totals.bridge[0].amount += l->amount; /* the usage at list price */
            found++;
            q = q * 7;
        }
        assert_int_equal(found, 3);
    }
    /* and a provider invoice 12.34 above the list-price total, for the reconciliation */
    r->totals.has_provider_total = true;
    r->totals.provider_total = r->totals.period_list_total + 1234;
    r->totals.reconciliation_difference = 1234;
}

static const struct {
    const char *name;
    struct fixture_opts fo;
    bool ties;
} cases[] = {
    {"billing", {.n_teams = 3}, false},
    {"shadow", {.shadow = true, .n_teams = 2}, false},
    {"60 lines per team", {.n_teams = 2, .lines_per_team = 60}, false},
    {"one team", {.n_teams = 1}, false},
    {"half-cent lines", {.n_teams = 2}, true},
};

static void every_case_renders_identical_workbooks(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct report *r = fixture_report(&cases[c].fo);
        if (cases[c].ties)
            add_tie_lines(r);
        char *a = make_dir(), *b = make_dir();
        struct cb_error err;
        assert_int_equal(render_into(r, a, &err), CB_OK);
        assert_int_equal(render_into(r, b, &err), CB_OK);
        for (size_t i = 0; i <= r->n_teams; i++) {
            char *rel = i < r->n_teams ? xasprintf("teams/%s.xlsx", r->teams[i].slug)
                                       : xstrdup("summary.xlsx");
            char *pa = xasprintf("%s/%s", a, rel), *pb = xasprintf("%s/%s", b, rel);
            size_t la = 0, lb = 0;
            char *da = slurp(pa, &la), *db = slurp(pb, &lb);
            assert_non_null(da);
            assert_non_null(db);
            assert_int_equal(la, lb);
            assert_memory_equal(da, db, la);
            check_zip_times(da, la);
            if (i < r->n_teams) {
                check_sheet_names(pa, team_sheets, 8);
                check_invoice_xml(pa, &r->teams[i]);
            } else {
                check_sheet_names(pa, summary_sheets,
                                  sizeof summary_sheets / sizeof *summary_sheets);
                check_summary_xml(pa, r);
            }
            /* shadow: every sheet's header and its title row carry the mark, else none does */
            char *strings = part(pa, "xl/sharedStrings.xml");
            size_t n_sheets = i < r->n_teams ? 8 : 10;
            for (size_t s = 1; s <= n_sheets; s++) {
                char *name = xasprintf("xl/worksheets/sheet%zu.xml", s);
                char *xml = part(pa, name);
                bool header = strstr(xml, "&amp;R&amp;\"-,Bold\"SHADOW \xE2\x80\x94 "
                                          "NOT BILLED \xC2\xB7 &amp;A</oddHeader>") != NULL;
                assert_int_equal(header, r->shadow);
                free(xml);
                free(name);
            }
            assert_int_equal(strstr(strings, "<t>SHADOW \xE2\x80\x94 NOT BILLED \xC2\xB7 ") != NULL,
                             r->shadow);
            free(strings);
            free(da);
            free(db);
            free(pa);
            free(pb);
            free(rel);
        }
        remove_dir(a);
        remove_dir(b);
        report_free(r);
    }
}

static void properties_are_fixed_from_the_issue_date(void **state)
{
    (void)state;
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 1});
    char *dir = make_dir();
    struct cb_error err;
    assert_int_equal(render_into(r, dir, &err), CB_OK);
    char *path = xasprintf("%s/teams/%s.xlsx", dir, r->teams[0].slug);
    char *core = part(path, "docProps/core.xml");
    char *app = part(path, "docProps/app.xml");
    assert_non_null(strstr(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-01T00:00:"
                                 "00Z</dcterms:created>"));
    assert_non_null(strstr(core, "<dc:title>Invoice CB-2026-10-TEAM-01 \xE2\x80\x94 Data "
                                 "Platform</dc:title>"));
    assert_non_null(strstr(core, "2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z"));
    assert_non_null(strstr(core, "<cp:keywords>chargeback, invoice, 2026-10, team-01"));
    assert_non_null(strstr(app, "<Company>Acme Corp</Company>"));
    free(core);
    free(app);
    free(path);
    remove_dir(dir);
    report_free(r);
}

/* Text from the data that looks like a formula is stored as a shared string, never a formula,
 * and the only formulas are the renderer's own. */
static void formula_like_text_stays_text(void **state)
{
    (void)state;
    static const char *const names[] = {"=HYPERLINK(\"http://x.example\",\"pay\")", "+1+1",
                                        "@SUM(A1)"};
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 3, .names = names});
    free(r->teams[0].lines[0].description);
    r->teams[0].lines[0].description = xstrdup("-2+3 cmd|' /C calc'!A0");
    free(r->teams[0].by_project.items[0].key);
    r->teams[0].by_project.items[0].key = xstrdup("=1+2");
    char *dir = make_dir();
    struct cb_error err;
    assert_int_equal(render_into(r, dir, &err), CB_OK);
    const char *books[] = {"teams/team-01.xlsx", "summary.xlsx"};
    for (size_t b = 0; b < 2; b++) {
        char *path = xasprintf("%s/%s", dir, books[b]);
        char *strings = part(path, "xl/sharedStrings.xml");
        assert_non_null(strstr(strings, "<t>=HYPERLINK(\"http://x.example\",\"pay\")</t>"));
        assert_non_null(strstr(strings, "<t>-2+3 cmd|' /C calc'!A0</t>"));
        for (size_t s = 1; s <= 10; s++) {
            char *name = xasprintf("xl/worksheets/sheet%zu.xml", s);
            char *xml = part(path, name);
            struct cells cs = parse_cells(xml);
            for (size_t i = 0; i < cs.n; i++) {
                const char *f = cs.v[i].f;
                if (!f)
                    continue;
                assert_null(strstr(f, "HYPERLINK"));
                assert_null(strstr(f, "cmd"));
                /* or a reference to one cell of the summary sheet (the Spend chart's data) */
                const char *c = strncmp(f, "Summary!", 8) == 0 ? f + 8 : f;
                size_t letters = strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                bool ref = letters > 0 && c[letters + strspn(c + letters, "0123456789")] == '\0';
                assert_true(strncmp(f, "ROUND(", 6) == 0 || strncmp(f, "SUM(", 4) == 0 || ref);
            }
            cells_free(&cs);
            free(xml);
            free(name);
        }
        free(strings);
        free(path);
    }
    remove_dir(dir);
    report_free(r);
}

static void an_unwritable_folder_is_an_io_error_naming_the_file(void **state)
{
    (void)state;
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 1});
    char *dir = make_dir();
    char *gone = xasprintf("%s/missing", dir);
    struct cb_error err;
    assert_int_equal(render_into(r, gone, &err), CB_EIO);
    char *want = xasprintf("%s/teams/team-01.xlsx", gone);
    assert_string_equal(err.file, want);
    assert_non_null(strstr(err.text, "No such file"));
    free(want);
    free(gone);
    remove_dir(dir);
    report_free(r);
}

/* openpyxl reads every workbook back: formulas, cached values and strings against report.json
 * (written by render_json into the same folder). Skipped when python3-openpyxl is missing. */
static void openpyxl_reads_the_cached_values_of_report_json(void **state)
{
    (void)state;
    if (system("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") != 0) {
        skipped = true;
        skip();
    }
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct report *r = fixture_report(&cases[c].fo);
        if (cases[c].ties)
            add_tie_lines(r);
        char *dir = make_dir();
        struct render_dest d = {.dir = dir};
        struct cb_error err;
        assert_int_equal(render_json(r, &d, &err), CB_OK);
        assert_int_equal(render_into(r, dir, &err), CB_OK);
        char *cmd = xasprintf("/usr/bin/python3 '%s' '%s'", CHECKER, dir);
        FILE *p = popen(cmd, "r");
        char *out = read_all(p);
        int rc = pclose(p);
        if (rc != 0)
            fprintf(stderr, "case %s:\n%s", cases[c].name, out);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "workbooks ok"));
        free(out);
        free(cmd);
        remove_dir(dir);
        report_free(r);
    }
}

/* A spreadsheet engine recomputes every formula to its cached value: LibreOffice loads each
 * workbook with "always recalculate" (a private profile) and saves it; xlsx_recalc.py compares.
 * Uses the half-cent lines. Skipped when soffice or openpyxl is missing. */
static void libreoffice_recalculates_the_cached_values(void **state)
{
    (void)state;
    if (system("command -v soffice >/dev/null 2>&1") != 0 ||
        system("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") != 0) {
        print_message("libreoffice (soffice) or openpyxl missing: recalculation not checked\n");
        skipped = true;
        skip();
    }
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 2});
    add_tie_lines(r);
    char *dir = make_dir();
    struct cb_error err;
    assert_int_equal(render_into(r, dir, &err), CB_OK);
    char *profile = xasprintf("%s/lo-profile/user", dir);
    char *cmd = xasprintf("mkdir -p '%s'", profile);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *xcu = xasprintf("%s/registrymodifications.xcu", profile);
    FILE *f = fopen(xcu, "w");
    assert_non_null(f);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" "
          "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
          "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
          "<item oor:path=\"/org.openoffice.Office.Calc/Formula/Load\"><prop "
          "oor:name=\"OOXMLRecalcMode\" oor:op=\"fuse\"><value>0</value></prop></item>\n"
          "</oor:items>\n",
          f);
    assert_int_equal(fclose(f), 0);
    const char *books[] = {"teams/team-01.xlsx", "teams/team-02.xlsx", "summary.xlsx"};
    for (size_t i = 0; i < 3; i++) {
        cmd = xasprintf("cd '%s' && soffice -env:UserInstallation=file://%s/lo-profile --headless "
                        "--convert-to xlsx --outdir lo/%s %s >/dev/null 2>&1 && "
                        "/usr/bin/python3 '%s/tests/scripts/xlsx_recalc.py' %s lo/%s",
                        dir, dir, strchr(books[i], '/') ? "teams" : ".", books[i],
                        CB_TEST_SOURCE_DIR, books[i], books[i]);
        FILE *p = popen(cmd, "r");
        char *out = read_all(p);
        int rc = pclose(p);
        print_message("%s: %s", books[i], out);
        assert_int_equal(rc, 0);
        free(out);
        free(cmd);
    }
    /* the control: a wrong cached value must be caught, or LibreOffice did not recalculate */
    char *wrong = xasprintf("%s/wrong.xlsx", dir);
    lxw_workbook *wb = workbook_new(wrong);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Invoice");
    worksheet_write_formula_num(ws, 0, 0, "=ROUND(50000*0.3/1000000,2)", NULL, 0.01);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    cmd = xasprintf("cd '%s' && soffice -env:UserInstallation=file://%s/lo-profile --headless "
                    "--convert-to xlsx --outdir lo wrong.xlsx >/dev/null 2>&1 && "
                    "/usr/bin/python3 '%s/tests/scripts/xlsx_recalc.py' wrong.xlsx lo/wrong.xlsx",
                    dir, dir, CB_TEST_SOURCE_DIR);
    FILE *p = popen(cmd, "r");
    char *out = read_all(p);
    int rc = pclose(p);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "cached 0.01, recalculated 0.02"));
    free(out);
    free(cmd);
    free(wrong);
    free(xcu);
    free(profile);
    remove_dir(dir);
    report_free(r);
}

/* Not an assertion on speed: prints the sizes and the median write time for the record. */
/* libxlsxwriter's temporary files are streams over memory (lxw_tmpfile in render_xlsx.c): what
 * is written reads back the same after a rewind, seeks work, and a part past 64 MiB moves to a
 * real temporary file without losing a byte. */
static void temporary_parts_are_in_memory_and_spill(void **state)
{
    (void)state;
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    assert_int_equal(fileno(f), -1); /* no file behind it: render_xlsx.c's, not the library's */
    fprintf(f, "<row r=\"%d\"/>", 1);
    fputs("<c/>", f);
    assert_int_equal(fflush(f), 0);
    rewind(f);
    char small[32] = {0};
    assert_int_equal(fread(small, 1, sizeof small, f), 16);
    assert_true(feof(f));
    assert_string_equal(small, "<row r=\"1\"/><c/>");
    assert_int_equal(fseek(f, 5, SEEK_SET), 0);
    assert_int_equal(fgetc(f), 'r');
    assert_int_equal(fseek(f, -4, SEEK_END), 0);
    assert_int_equal(fgetc(f), '<');
    assert_int_equal(ftell(f), 13);
    fclose(f);

    enum { CHUNK = 65536, CHUNKS = 64 * 16 + 3 }; /* 64 MiB and three chunks more */
    f = lxw_tmpfile(NULL);
    assert_non_null(f);
    unsigned char *chunk = malloc(CHUNK), *back = malloc(CHUNK);
    assert_non_null(chunk);
    assert_non_null(back);
    for (int i = 0; i < CHUNKS; i++) {
        for (int k = 0; k < CHUNK; k++)
            chunk[k] = (unsigned char)(i * 7 + k);
        assert_int_equal(fwrite(chunk, 1, CHUNK, f), CHUNK);
    }
    assert_int_equal(fflush(f), 0);
    assert_false(ferror(f));
    rewind(f);
    for (int i = 0; i < CHUNKS; i++) {
        assert_int_equal(fread(back, 1, CHUNK, f), CHUNK);
        for (int k = 0; k < CHUNK; k++)
            if (back[k] != (unsigned char)(i * 7 + k))
                fail_msg("byte %d of chunk %d read back as %d", k, i, back[k]);
    }
    assert_int_equal(fread(back, 1, 1, f), 0);
    assert_true(feof(f));
    assert_int_equal(fclose(f), 0);
    free(chunk);
    free(back);
}

static void sizes_and_time_for_the_record(void **state)
{
    (void)state;
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 5, .lines_per_team = 60});
    char *dir = make_dir();
    struct cb_error err;
    double ms[5];
    for (size_t k = 0; k < 5; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(render_into(r, dir, &err), CB_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms[k] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    for (size_t i = 0; i < 5; i++)
        for (size_t j = i + 1; j < 5; j++)
            if (ms[j] < ms[i]) {
                double x = ms[i];
                ms[i] = ms[j];
                ms[j] = x;
            }
    struct stat st;
    char *team = xasprintf("%s/teams/team-01.xlsx", dir), *sum = xasprintf("%s/summary.xlsx", dir);
    assert_int_equal(stat(team, &st), 0);
    long long team_bytes = (long long)st.st_size;
    assert_int_equal(stat(sum, &st), 0);
    print_message("xlsx: 5 teams x 61 lines: team workbook %lld bytes, summary %lld bytes, "
                  "6 workbooks in %.1f ms (median of 5)\n",
                  team_bytes, (long long)st.st_size, ms[2]);
    assert_true(team_bytes > 0 && st.st_size > 0);
    free(team);
    free(sum);
    remove_dir(dir);
    report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_renders_identical_workbooks),
        cmocka_unit_test(properties_are_fixed_from_the_issue_date),
        cmocka_unit_test(formula_like_text_stays_text),
        cmocka_unit_test(an_unwritable_folder_is_an_io_error_naming_the_file),
        cmocka_unit_test(openpyxl_reads_the_cached_values_of_report_json),
        cmocka_unit_test(libreoffice_recalculates_the_cached_values),
        cmocka_unit_test(temporary_parts_are_in_memory_and_spill),
        cmocka_unit_test(sizes_and_time_for_the_record),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* a check whose tool is missing did not pass: ctest reports 77 as skipped */
    return failed ? failed : skipped ? 77 : 0;
}

/* PDF rendering of the fixture report: files, page counts, page breaks, PDF/A marking, shadow
 * marking, paper size, byte-identical re-renders, text sanitizing and I/O errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdf_doc.h"
#include "render.h"
#include "strbuf.h"
#include "support_fixture.h"
#include "xalloc.h"

#define FONTS CB_TEST_SOURCE_DIR "/fonts"

struct blob {
    char *data;
    size_t len;
};

static struct blob slurp(const char *dir, const char *rel)
{
    char *path = xasprintf("%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    free(path);
    struct blob b = {NULL, 0};
    if (!f)
        return b;
    struct strbuf s = STRBUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&s, chunk, n);
    fclose(f);
    b.len = s.len;
    strbuf_cstr(&s);
    b.data = strbuf_detach(&s);
    return b;
}

static size_t count_in(const struct blob *b, const char *needle, char not_next)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= b->len; i++)
        if (memcmp(b->data + i, needle, k) == 0 && (i + k == b->len || b->data[i + k] != not_next))
            n++;
    return n;
}

/* Page objects ("/Type /Page" not followed by 's'); streams are compressed but dictionaries
 * are plain text in libharu's PDF 1.4 output. */
static size_t page_count(const struct blob *b)
{
    return count_in(b, "/Type /Page", 's');
}

static bool contains(const struct blob *b, const char *needle)
{
    return count_in(b, needle, '\0') > 0;
}

static char *make_dir(void)
{
    char tmpl[] = "/tmp/cb-pdf-XXXXXX";
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

static enum cb_status render_into(const struct report *r, const char *dir, const char *fonts,
                                  struct cb_error *err)
{
    struct render_dest d = {
        .dir = dir, .templates_dir = CB_TEST_SOURCE_DIR "/templates", .fonts_dir = fonts};
    cb_error_clear(err);
    return render_pdf(r, &d, err);
}

static const char *const unicode_names[] = {"Équipe données", "Данные", "Ωmega Research"};

static const struct {
    const char *name;
    struct fixture_opts fo;
    const char *paper;
    size_t min_invoice_pages, max_invoice_pages;
} cases[] = {
    {"billing", {.n_teams = 3}, NULL, 2, 3},
    {"shadow", {.shadow = true, .n_teams = 2}, NULL, 2, 3},
    {"60 lines per team", {.n_teams = 2, .lines_per_team = 60}, NULL, 4, 5},
    {"unicode names", {.n_teams = 3, .names = unicode_names}, NULL, 2, 3},
    {"letter paper", {.n_teams = 1}, "Letter", 2, 3},
};

static void every_case_renders_deterministic_files(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct report *r = fixture_report(&cases[c].fo);
        if (cases[c].paper) {
            free(r->paper);
            r->paper = xstrdup(cases[c].paper);
        }
        char *a = make_dir(), *b = make_dir();
        struct cb_error err;
        if (render_into(r, a, FONTS, &err) != CB_OK || render_into(r, b, FONTS, &err) != CB_OK)
            fail_msg("%s: render_pdf: %s: %s", cases[c].name, err.file, err.text);
        for (size_t i = 0; i <= r->n_teams; i++) {
            char *rel = i < r->n_teams ? xasprintf("teams/%s.pdf", r->teams[i].slug)
                                       : xstrdup("summary.pdf");
            struct blob x = slurp(a, rel), y = slurp(b, rel);
            if (!x.data || !y.data)
                fail_msg("%s: %s missing", cases[c].name, rel);
            assert_true(x.len > 1000);
            assert_memory_equal(x.data, "%PDF-1.", 7);
            assert_true(contains(&x, "%%EOF"));
            /* determinism: the second render is byte-identical */
            assert_int_equal(x.len, y.len);
            assert_memory_equal(x.data, y.data, x.len);
            size_t pages = page_count(&x);
            char *count = xasprintf("/Count %zu\n", pages);
            assert_true(contains(&x, count));
            free(count);
            if (i < r->n_teams) {
                if (pages < cases[c].min_invoice_pages || pages > cases[c].max_invoice_pages)
                    fail_msg("%s: %s has %zu pages", cases[c].name, rel, pages);
            }
            /* fonts are embedded (FontFile2) as Identity-H CID fonts, two of them */
            assert_int_equal(count_in(&x, "/FontFile2", '\0'), 2);
            assert_true(contains(&x, "/Identity-H"));
            /* PDF/A-1b for billing documents, a translucent watermark for shadow ones */
            bool shadow = cases[c].fo.shadow;
            assert_int_equal(contains(&x, "pdfaid:conformance='B'"), !shadow);
            assert_int_equal(contains(&x, "/ca 0.16"), shadow);
            assert_int_equal(contains(&x, "/S /GTS_PDFA1"), !shadow);
            assert_int_equal(contains(&x, "/DestOutputProfile "), !shadow);
            assert_int_equal(contains(&x, "/Subtype /XML"), !shadow);
            assert_true(contains(&x, "/CreationDate (D:20261101000000+00'00')"));
            assert_true(contains(&x, "/ID ["));
            const char *box = cases[c].paper ? "/MediaBox [ 0 0 612 792 ]"
                                             : "/MediaBox [ 0 0 595.276 841.89001 ]";
            assert_int_equal(count_in(&x, box, '\0'), pages);
            free(x.data);
            free(y.data);
            free(rel);
        }
        remove_dir(a);
        remove_dir(b);
        report_free(r);
    }
}

static void long_invoices_have_more_pages(void **state)
{
    (void)state;
    size_t pages[2];
    for (int k = 0; k < 2; k++) {
        struct report *r =
            fixture_report(&(struct fixture_opts){.n_teams = 1, .lines_per_team = k ? 90 : 6});
        char *dir = make_dir();
        struct cb_error err;
        assert_int_equal(render_into(r, dir, FONTS, &err), CB_OK);
        struct blob x = slurp(dir, "teams/team-01.pdf");
        assert_non_null(x.data);
        pages[k] = page_count(&x);
        free(x.data);
        remove_dir(dir);
        report_free(r);
    }
    /* 84 more rows of ~17 pt each need at least two more pages */
    assert_true(pages[1] >= pages[0] + 2);
}

static void missing_fonts_and_unwritable_folder_are_io_errors(void **state)
{
    (void)state;
    struct report *r = fixture_report(&(struct fixture_opts){.n_teams = 1});
    char *dir = make_dir();
    struct cb_error err;
    assert_int_equal(render_into(r, dir, "/nonexistent/fonts", &err), CB_EIO);
    assert_non_null(strstr(err.file, "DejaVuSans.ttf"));
    char *bad = xasprintf("%s/no-such-folder", dir);
    assert_int_equal(render_into(r, bad, FONTS, &err), CB_EIO);
    assert_non_null(strstr(err.file, "no-such-folder/teams/team-01.pdf"));
    assert_non_null(strstr(err.text, "libharu"));
    free(bad);
    remove_dir(dir);
    report_free(r);
}

static const struct {
    const char *in;
    bool keep_newlines;
    const char *want;
} clean_cases[] = {
    {"Данные", false, "Данные"},
    {"Ωmega Research", false, "Ωmega Research"},
    {"Équipe données", false, "Équipe données"},
    {"a\tb\x01"
     "c\x7f",
     false, "a b c "},
    {"line1\nline2", true, "line1\nline2"},
    {"line1\nline2", false, "line1 line2"},
    {"\xE6\x95\xB0", false, "\xE6\x95\xB0"}, /* CJK: Droid Sans Fallback */
    {"\xEB\x8D\xB0\xEC\x9D\xB4\xED\x84\xB0", false,
     "\xEB\x8D\xB0\xEC\x9D\xB4\xED\x84\xB0"}, /* Hangul: Nanum */
    {"\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", false,
     "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"}, /* Hebrew: kept logical */
    {"a\xE2\x80\xAE"
     "b",
     false,
     "a\xEF\xBF\xBD"
     "b"},                                           /* U+202E: shown, as in the HTML */
    {"x\xF0\x9F\x9A\x80y", false, "x\xEF\xBF\xBDy"}, /* emoji (outside the BMP) */
    {"bad\xFF!", false, "bad\xEF\xBF\xBD!"},         /* invalid byte */
    {"\xC0\xAF", false, "\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong: each byte replaced */
    {"\xED\xA0\x80", false, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* surrogate */
    {"\xC2\x85", false, " "},                                        /* C1 control */
};

static void text_is_cleaned_to_drawable_utf8(void **state)
{
    (void)state;
    struct pdf_fonts fonts;
    memset(&fonts, 0, sizeof fonts);
    struct cb_error err;
    assert_int_equal(pdf_fonts_load(&fonts, FONTS, &err), CB_OK);
    assert_string_equal(fonts.replacement, "\xEF\xBF\xBD");
    struct pdf_doc d;
    assert_int_equal(pdf_doc_open(&d, &fonts, "A4", false, "2026-11-01", "t", "test", &err), CB_OK);
    struct strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < sizeof clean_cases / sizeof clean_cases[0]; i++) {
        const char *got =
            pdf_clean(&d, clean_cases[i].in, NULL, clean_cases[i].keep_newlines, &out);
        if (strcmp(got, clean_cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, clean_cases[i].want);
    }
    /* widths are measured from the font: wider text, wider box; wrapping respects the width */
    assert_true(pdf_width(&d, d.regular, 10, "WWWW") > pdf_width(&d, d.regular, 10, "iiii"));
    /* Arabic is measured shaped: "سلام" as seen-initial, lam-alef-final, meem-isolated */
    float shaped = pdf_width(&d, d.regular, 10, "\xEF\xBA\xB3\xEF\xBB\xBC\xEF\xBB\xA1");
    assert_true(shaped > 0);
    assert_true(fabsf(pdf_width(&d, d.regular, 10, "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85") - shaped) <
                0.001f);
    /* a CJK character is measured in the fallback font (1 em), not as DejaVu's missing glyph */
    assert_true(fabsf(pdf_width(&d, d.regular, 10, "\xE6\x95\xB0") - 10) < 0.001f);
    struct strbuf lines = STRBUF_INIT;
    size_t n = pdf_wrap(&d, d.regular, 10, 60, "one two three four five six seven", &lines);
    assert_true(n >= 3);
    char *p = lines.data;
    for (size_t i = 0; i < n; i++) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        assert_true(pdf_width(&d, d.regular, 10, p) <= 60);
        p = nl + 1;
    }
    /* an unbreakable word is cut by characters */
    strbuf_reset(&lines);
    n = pdf_wrap(&d, d.regular, 10, 50, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &lines);
    assert_true(n >= 3);
    strbuf_free(&lines);
    strbuf_free(&out);
    pdf_doc_free(&d);
    pdf_fonts_free(&fonts);
}

/* Draws one small document with `text` in both DejaVu faces and saves it as dir/name. */
static void draw_one(struct pdf_fonts *fonts, const char *dir, const char *name, const char *text)
{
    struct cb_error err;
    struct pdf_doc d;
    assert_int_equal(pdf_doc_open(&d, fonts, "A4", false, "2026-11-01", "t", "test", &err), CB_OK);
    pdf_text(&d, d.regular, 10, 50, 700, text);
    pdf_text(&d, d.bold, 12, 50, 680, text);
    pdf_doc_identify(&d, "seed", true);
    char *path = xasprintf("%s/%s", dir, name);
    assert_int_equal(pdf_doc_save(&d, path, &err), CB_OK);
    free(path);
    pdf_doc_free(&d);
}

/* Documents reuse a libharu document (issue 19): one drawn after others, with other glyphs and
 * a fallback font, is byte for byte the one a run of its own draws. */
static void a_kept_document_draws_as_a_fresh_one(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/cb-pdf-XXXXXX";
    char *dir = xstrdup(mkdtemp(tmpl));
    struct cb_error err;
    struct pdf_fonts fresh, kept;
    memset(&fresh, 0, sizeof fresh);
    memset(&kept, 0, sizeof kept);
    assert_int_equal(pdf_fonts_load(&fresh, FONTS, &err), CB_OK);
    assert_int_equal(pdf_fonts_load(&kept, FONTS, &err), CB_OK);
    /* each drawn first by a libharu document of its own (a fallback font drops its document) */
    const char *cjk = "\xE6\x95\xB0\xE6\x8D\xAE \xEB\x8D\xB0\xEC\x9D\xB4\xED\x84\xB0";
    const char *latin = "Invoice 42 \xE2\x80\x94 Platform";
    const char *hangul = "\xEB\x8D\xB0\xEC\x9D\xB4\xED\x84\xB0";
    draw_one(&fresh, dir, "cjk_alone.pdf", cjk);
    draw_one(&fresh, dir, "hangul_alone.pdf", hangul);
    draw_one(&fresh, dir, "alone.pdf", latin);
    /* and after others, on the document they leave */
    draw_one(&kept, dir, "greek.pdf",
             "\xCE\x91\xCE\xBD\xCE\xB1\xCE\xBB\xCF\x85\xCF\x84\xCE\xB9\xCE\xBA\xCE\xAE "
             "\xD0\x90\xD0\xBD\xD0\xB0\xD0\xBB\xD0\xB8\xD0\xB7 \xC3\xA9\xC3\xA7");
    draw_one(&kept, dir, "after_greek.pdf", latin);
    draw_one(&kept, dir, "cjk.pdf", cjk);
    draw_one(&kept, dir, "cjk_again.pdf", cjk);
    draw_one(&kept, dir, "after_cjk.pdf", latin);
    draw_one(&kept, dir, "hangul.pdf", hangul);
    struct blob alone = slurp(dir, "alone.pdf"), greek = slurp(dir, "greek.pdf");
    assert_true(alone.len > 0 && greek.len > 0);
    assert_false(alone.len == greek.len && memcmp(alone.data, greek.data, alone.len) == 0);
    const char *later[][2] = {{"after_greek.pdf", "alone.pdf"},
                              {"cjk.pdf", "cjk_alone.pdf"},
                              {"cjk_again.pdf", "cjk_alone.pdf"},
                              {"after_cjk.pdf", "alone.pdf"},
                              {"hangul.pdf", "hangul_alone.pdf"}};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        struct blob b = slurp(dir, later[i][0]), want = slurp(dir, later[i][1]);
        if (!want.len || b.len != want.len || memcmp(b.data, want.data, b.len) != 0)
            fail_msg("%s differs from the same document drawn alone (%zu vs %zu bytes)",
                     later[i][0], b.len, want.len);
        free(b.data);
        free(want.data);
    }
    free(alone.data);
    free(greek.data);
    pdf_fonts_free(&kept);
    pdf_fonts_free(&fresh);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_renders_deterministic_files),
        cmocka_unit_test(long_invoices_have_more_pages),
        cmocka_unit_test(missing_fonts_and_unwritable_folder_are_io_errors),
        cmocka_unit_test(text_is_cleaned_to_drawable_utf8),
        cmocka_unit_test(a_kept_document_draws_as_a_fresh_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

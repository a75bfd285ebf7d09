/* HTML rendering of the fixture report: files, escaping, links, shadow marking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render.h"
#include "strbuf.h"
#include "support_fixture.h"
#include "xalloc.h"

static char *slurp(const char *dir, const char *rel)
{
    char *path = xasprintf("%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return NULL;
    struct strbuf b = STRBUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&b, chunk, n);
    fclose(f);
    strbuf_cstr(&b);
    return strbuf_detach(&b);
}

static char *render_fixture(bool shadow, struct report **out)
{
    char tmpl[] = "/tmp/cb-html-XXXXXX";
    char *dir = xstrdup(mkdtemp(tmpl));
    char *teams = xasprintf("%s/teams", dir);
    mkdir(teams, 0755);
    free(teams);
    struct fixture_opts fo = {.shadow = shadow, .n_teams = 5};
    struct report *r = fixture_report(&fo);
    struct render_dest d = {.dir = dir,
                            .templates_dir = CB_TEST_SOURCE_DIR "/templates",
                            .fonts_dir = CB_TEST_SOURCE_DIR "/fonts"};
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st = render_html(r, &d, &err);
    if (st != CB_OK)
        fail_msg("render_html: %s:%ld: %s", err.file, err.line, err.text);
    *out = r;
    return dir;
}

static void cleanup_dir(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

static void summary_links_every_invoice_and_escapes_names(void **state)
{
    (void)state;
    struct report *r;
    char *dir = render_fixture(false, &r);
    char *index = slurp(dir, "index.html");
    assert_non_null(index);
    for (size_t i = 0; i < r->n_teams; i++) {
        char *href = xasprintf("href=\"teams/%s.html\"", r->teams[i].slug);
        assert_non_null(strstr(index, href));
        free(href);
        char *rel = xasprintf("teams/%s.html", r->teams[i].slug);
        char *page = slurp(dir, rel);
        assert_non_null(page);
        assert_non_null(strstr(page, r->teams[i].invoice_number));
        assert_null(strstr(page, "SHADOW"));
        free(page);
        free(rel);
    }
    /* The fifth fixture team is named with markup: it must arrive escaped, never raw. */
    assert_null(strstr(index, "Support <b>"));
    assert_non_null(strstr(index, "Support &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;Ops&quot;"));
    assert_non_null(strstr(index, "Данные"));
    assert_non_null(strstr(index, "<svg"));
    free(index);
    report_free(r);
    cleanup_dir(dir);
}

static void shadow_pages_say_so(void **state)
{
    (void)state;
    struct report *r;
    char *dir = render_fixture(true, &r);
    char *index = slurp(dir, "index.html");
    assert_non_null(strstr(index, "SHADOW \xe2\x80\x94 NOT BILLED"));
    free(index);
    for (size_t i = 0; i < r->n_teams; i++) {
        char *rel = xasprintf("teams/%s.html", r->teams[i].slug);
        char *page = slurp(dir, rel);
        assert_non_null(strstr(page, "SHADOW \xe2\x80\x94 NOT BILLED"));
        free(page);
        free(rel);
    }
    report_free(r);
    cleanup_dir(dir);
}

static void same_report_same_bytes(void **state)
{
    (void)state;
    struct report *r1, *r2;
    char *a = render_fixture(false, &r1), *b = render_fixture(false, &r2);
    char *x = slurp(a, "index.html"), *y = slurp(b, "index.html");
    assert_string_equal(x, y);
    free(x);
    free(y);
    report_free(r1);
    report_free(r2);
    cleanup_dir(a);
    cleanup_dir(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(summary_links_every_invoice_and_escapes_names),
        cmocka_unit_test(shadow_pages_say_so),
        cmocka_unit_test(same_report_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* mustache.c: every case of the Mustache spec suite (each its own check), plus errors with
 * their lines, escaping, numbers, truthiness, caps and the template command's file handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mustache.h"
#include "xalloc.h"

/* ---- the spec suite ---- */

struct spec_case {
    char *file; /* e.g. "sections.json" */
    char *name; /* "sections: Truthy", the check's name */
    json_t *test;
};

static size_t spec_passed;

static char *object_partial(const char *name, void *ctx)
{
    json_t *p = json_object_get(ctx, name);
    return json_is_string(p) ? xstrdup(json_string_value(p)) : NULL;
}

static void run_spec_case(void **state)
{
    const struct spec_case *c = *state;
    const char *tmpl = json_string_value(json_object_get(c->test, "template"));
    const char *want = json_string_value(json_object_get(c->test, "expected"));
    assert_non_null(tmpl);
    assert_non_null(want);
    struct strbuf out = STRBUF_INIT;
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st =
        mustache_render(tmpl, c->name, json_object_get(c->test, "data"), object_partial,
                        json_object_get(c->test, "partials"), &out, &err);
    const char *got = strbuf_cstr(&out);
    if (st != CB_OK)
        print_error("%s (%s): error %s:%ld: %s\n", c->name, c->file, err.file, err.line, err.text);
    else if (strcmp(got, want) != 0)
        print_error("%s (%s):\n  template: %s\n  expected: [%s]\n  actual:   [%s]\n", c->name,
                    c->file, tmpl, want, got);
    bool ok = st == CB_OK && strcmp(got, want) == 0;
    strbuf_free(&out);
    if (!ok)
        fail_msg("%s: mismatch", c->name);
    spec_passed++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.json of `dir` in name order. Returns the number of cases (0 when none). */
static size_t load_suite(const char *dir, struct spec_case **cases, json_t ***docs, size_t *n_docs)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n_names = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = xreallocarray(names, n_names + 1, sizeof *names);
            names[n_names++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n_names, sizeof *names, by_name);
    size_t n = 0;
    *docs = xcalloc(n_names ? n_names : 1, sizeof **docs);
    *n_docs = 0;
    for (size_t i = 0; i < n_names; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        json_error_t je;
        json_t *doc = json_load_file(path, 0, &je);
        if (!doc)
            fail_msg("%s:%d: %s", path, je.line, je.text);
        free(path);
        (*docs)[(*n_docs)++] = doc;
        json_t *tests = json_object_get(doc, "tests");
        char *group = xstrndup(names[i], strlen(names[i]) - 5);
        for (size_t k = 0; k < json_array_size(tests); k++) {
            json_t *t = json_array_get(tests, k);
            *cases = xreallocarray(*cases, n + 1, sizeof **cases);
            (*cases)[n].file = xstrdup(names[i]);
            (*cases)[n].name =
                xasprintf("%s: %s", group, json_string_value(json_object_get(t, "name")));
            (*cases)[n].test = t;
            n++;
        }
        free(group);
        free(names[i]);
    }
    free(names);
    return n;
}

static int run_spec_suite(void)
{
    char shared[] = CB_TEST_SHARED_DIR "/conformance/mustache";
    char vendored[] = CB_TEST_SOURCE_DIR "/tests/conformance/mustache";
    struct stat sb;
    const char *dir = stat(shared, &sb) == 0 && S_ISDIR(sb.st_mode) ? shared : vendored;
    struct spec_case *cases = NULL;
    json_t **docs = NULL;
    size_t n_docs = 0;
    size_t n = load_suite(dir, &cases, &docs, &n_docs);
    if (n == 0) {
        print_error("mustache spec: no test cases found in %s\n", dir);
        return 1;
    }
    struct CMUnitTest *tests = xcalloc(n, sizeof *tests);
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, run_spec_case, NULL, NULL, &cases[i]};
    int failed = _cmocka_run_group_tests("mustache spec", tests, n, NULL, NULL);
    print_message("mustache spec (%s): %zu/%zu passed\n", dir, spec_passed, n);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].file);
        free(cases[i].name);
    }
    for (size_t i = 0; i < n_docs; i++)
        json_decref(docs[i]);
    free(docs);
    free(cases);
    free(tests);
    return failed;
}

/* ---- the engine's own behaviour ---- */

/* Renders with `data_json` and partials from a JSON object; returns the status. */
static enum cb_status render(const char *tmpl, const char *data_json, const char *partials_json,
                             struct strbuf *out, struct cb_error *err)
{
    json_error_t je;
    json_t *data = json_loads(data_json, JSON_DECODE_ANY, &je);
    if (!data)
        fail_msg("bad test data %s: %s", data_json, je.text);
    json_t *partials = partials_json ? json_loads(partials_json, 0, &je) : NULL;
    cb_error_clear(err);
    enum cb_status st =
        mustache_render(tmpl, "t.mustache", data, object_partial, partials, out, err);
    json_decref(partials);
    json_decref(data);
    return st;
}

static void renders_table(void **state)
{
    (void)state;
    static const struct {
        const char *tmpl, *data, *partials, *want;
    } cases[] = {
        /* every HTML-special character, including the apostrophe */
        {"{{s}}", "{\"s\":\"<a href='x'>&\\\"</a>\"}", NULL,
         "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"},
        {"{{{s}}}|{{&s}}", "{\"s\":\"<b>'\"}", NULL, "<b>'|<b>'"},
        /* names in any script pass through unchanged */
        {"{{s}}", "{\"s\":\"Данные · Δεδομένα · 数据\"}", NULL, "Данные · Δεδομένα · 数据"},
        /* numbers: integers exactly, reals in their shortest round-trip form */
        {"{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
         "{\"a\":-9223372036854775807,\"b\":1.210,\"c\":0.1,\"d\":100.0,\"e\":1e21,\"f\":-2.5e-7}",
         NULL, "-9223372036854775807 1.21 0.1 100 1e+21 -2.5e-7"},
        {"{{t}} {{f}} [{{o}}] [{{l}}]", "{\"t\":true,\"f\":false,\"o\":{\"k\":1},\"l\":[1]}", NULL,
         "true false [] []"},
        /* truthiness: an empty string is falsey, zero and an empty object are truthy */
        {"{{#s}}S{{/s}}{{^s}}s{{/s}}{{#z}}Z{{/z}}{{#o}}O{{/o}}", "{\"s\":\"\",\"z\":0,\"o\":{}}",
         NULL, "sZO"},
        /* a dotted name is resolved from its first key only, never from an outer context */
        {"{{#a}}[{{b.c}}]{{/a}}", "{\"a\":{\"b\":{}},\"b\":{\"c\":\"outer\"}}", NULL, "[]"},
        /* the same partial at two indentations is kept apart */
        {"  {{>p}}\n{{>p}}\n", "{}", "{\"p\":\"x\\ny\\n\"}", "  x\n  y\nx\ny\n"},
        /* partials start with the default delimiters and do not change the caller's */
        {"{{=<% %>=}}<%>p%><%v%>", "{\"v\":1}", "{\"p\":\"{{=| |=}}|v|\"}", "11"},
        {"{{#l}}{{.}},{{/l}}", "{\"l\":[\"a\",1,2.5,true,null]}", NULL, "a,1,2.5,true,,"},
        /* more partials than the first cache allocation, each loaded while another renders */
        {"{{>a}}", "{}",
         "{\"a\":\"a{{>b}}\",\"b\":\"b{{>c}}\",\"c\":\"c{{>d}}\",\"d\":\"d{{>e}}\",\"e\":"
         "\"e{{>f}}\",\"f\":\"f{{>g}}\",\"g\":\"g{{>h}}\",\"h\":\"h{{>i}}\",\"i\":\"i{{>j}}\","
         "\"j\":\"j\"}",
         "abcdefghij"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf out = STRBUF_INIT;
        struct cb_error err;
        enum cb_status st = render(cases[i].tmpl, cases[i].data, cases[i].partials, &out, &err);
        if (st != CB_OK)
            fail_msg("case %zu: %s:%ld: %s", i, err.file, err.line, err.text);
        if (strcmp(strbuf_cstr(&out), cases[i].want) != 0)
            fail_msg("case %zu %s:\nexpected [%s]\nactual   [%s]", i, cases[i].tmpl, cases[i].want,
                     strbuf_cstr(&out));
        strbuf_free(&out);
    }
}

static void errors_name_template_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *tmpl, *partials;
        long line;
        const char *text;
    } cases[] = {
        {"a\nb\n{{#items}}\nx\n", NULL, 3, "unclosed section \"items\""},
        {"a\n{{#a}}\n{{#b}}\n{{/a}}\n", NULL, 4,
         "\"a\" does not match section \"b\" opened on line 3"},
        {"x\n\n{{/a}}", NULL, 3, "without an open section"},
        {"one\ntwo {{name\nthree\n", NULL, 2, "unclosed tag"},
        {"{{{raw}}\n", NULL, 1, "unclosed tag"},
        {"\n\n{{! never closed\n", NULL, 3, "unclosed tag"},
        {"{{=<% %>=}}\n<%#a%>\n{{/a}}\n", NULL, 2, "unclosed section \"a\""},
        {"\n{{=<%%>=}}", NULL, 2, "bad set-delimiters tag"},
        {"{{= a b c =}}", NULL, 1, "bad set-delimiters tag"},
        {"{{}}", NULL, 1, "bad tag name"},
        {"x\n{{a..b}}", NULL, 2, "bad tag name \"a..b\""},
        {"{{>}}", NULL, 1, "bad tag name"},
        /* an error inside a partial names the including line and the partial's own line */
        {"line1\nline2 {{>inner}}\n", "{\"inner\":\"ok\\n{{#x}}\\n\"}", 2,
         "in partial \"inner\", line 2: unclosed section \"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf out = STRBUF_INIT;
        struct cb_error err;
        enum cb_status st =
            render(cases[i].tmpl, "{\"a\":true,\"b\":true}", cases[i].partials, &out, &err);
        if (st != CB_EUSAGE || err.line != cases[i].line || strcmp(err.file, "t.mustache") != 0 ||
            !strstr(err.text, cases[i].text))
            fail_msg("case %zu: got status %d %s:%ld: %s; want line %ld and \"%s\"", i, st,
                     err.file, err.line, err.text, cases[i].line, cases[i].text);
        strbuf_free(&out);
    }
}

static void output_cap_stops_the_render(void **state)
{
    (void)state;
    json_t *list = json_array();
    for (int i = 0; i < 1000; i++)
        json_array_append_new(list, json_string("0123456789"));
    json_t *data = json_pack("{s:o}", "l", list);
    struct strbuf out = STRBUF_INIT;
    out.limit = 4096;
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st = mustache_render("{{#l}}{{.}}{{/l}}", "cap", data, NULL, NULL, &out, &err);
    assert_int_equal(st, CB_EUSAGE);
    assert_non_null(strstr(err.text, "limit of 4096 bytes"));
    assert_true(out.len <= 4096);
    assert_int_equal(out.limit, 4096);
    /* the same render fits under a larger cap, and the caller's limit is left as it was */
    strbuf_free(&out);
    out = (struct strbuf)STRBUF_INIT;
    out.limit = 10000;
    st = mustache_render("{{#l}}{{.}}{{/l}}", "cap", data, NULL, NULL, &out, &err);
    assert_int_equal(st, CB_OK);
    assert_int_equal(out.len, 10000);
    strbuf_free(&out);
    json_decref(data);
}

static void recursive_partials_are_bounded(void **state)
{
    (void)state;
    struct strbuf out = STRBUF_INIT;
    struct cb_error err;
    enum cb_status st = render("{{>self}}", "{}", "{\"self\":\"x{{>self}}\"}", &out, &err);
    assert_int_equal(st, CB_EUSAGE);
    assert_non_null(strstr(err.text, "partials nested deeper than"));
    strbuf_free(&out);
    /* recursion that data ends but that branches (2^30 visits, no output) hits the step budget */
    json_t *node = json_pack("{s:[]}", "k");
    for (int i = 0; i < 30; i++)
        node = json_pack("{s:[O,o]}", "k", node, node);
    out = (struct strbuf)STRBUF_INIT;
    json_t *partials = json_pack("{s:s}", "n", "{{#k}}{{>n}}{{/k}}");
    st = mustache_render("{{>n}}", "t", node, object_partial, partials, &out, &err);
    assert_int_equal(st, CB_EUSAGE);
    if (!strstr(err.text, "steps"))
        fail_msg("want a step-budget error, got %d %s", st, err.text);
    json_decref(partials);
    json_decref(node);
    strbuf_free(&out);
    /* recursion that data ends is fine */
    out = (struct strbuf)STRBUF_INIT;
    st = render("{{>n}}", "{\"v\":1,\"k\":[{\"v\":2,\"k\":[{\"v\":3,\"k\":[]}]}]}",
                "{\"n\":\"{{v}}({{#k}}{{>n}}{{/k}})\"}", &out, &err);
    assert_int_equal(st, CB_OK);
    assert_string_equal(strbuf_cstr(&out), "1(2(3()))");
    strbuf_free(&out);
}

static void section_nesting_is_bounded(void **state)
{
    (void)state;
    struct strbuf t = STRBUF_INIT;
    for (int i = 0; i < 1000; i++)
        strbuf_puts(&t, "{{#a}}");
    struct strbuf out = STRBUF_INIT;
    struct cb_error err;
    enum cb_status st = render(strbuf_cstr(&t), "{}", NULL, &out, &err);
    assert_int_equal(st, CB_EUSAGE);
    assert_non_null(strstr(err.text, "nested deeper"));
    strbuf_free(&out);
    strbuf_free(&t);
}

static void reals_ignore_the_locale(void **state)
{
    (void)state;
    static const char *const locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "ru_RU.UTF-8", "C.UTF-8"};
    size_t tried = 0;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        if (!setlocale(LC_ALL, locales[i]))
            continue;
        tried++;
        struct strbuf out = STRBUF_INIT;
        struct cb_error err;
        enum cb_status st = render("{{a}} {{b}}", "{\"a\":1.21,\"b\":1234567.5}", NULL, &out, &err);
        setlocale(LC_ALL, "C");
        assert_int_equal(st, CB_OK);
        assert_string_equal(strbuf_cstr(&out), "1.21 1234567.5");
        strbuf_free(&out);
    }
    print_message("reals_ignore_the_locale: %zu locales available\n", tried);
    assert_true(tried > 0); /* C.UTF-8 is always there on Debian */
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void render_file_reads_partials_and_reports_errors(void **state)
{
    (void)state;
    char base[] = "/tmp/cb-mustache-XXXXXX";
    assert_non_null(mkdtemp(base));
    char *parts = xasprintf("%s/parts", base);
    assert_int_equal(mkdir(parts, 0755), 0);
    char *tmpl = write_tmp(base, "page.mustache", "<{{>item}}>{{>missing}}{{>../page}}\n");
    free(write_tmp(base, "item.mustache", "beside:{{name}}"));
    free(write_tmp(parts, "item.mustache", "parts:{{name}}"));
    char *data = write_tmp(base, "data.json", "{\"name\":\"A&B\"}");
    char *bad = write_tmp(base, "bad.json", "{\n\"name\": }\n");

    char *got = NULL;
    size_t got_len = 0;
    struct cb_error err;
    cb_error_clear(&err);
    FILE *mem = open_memstream(&got, &got_len);
    assert_int_equal(mustache_render_file(tmpl, data, NULL, mem, &err), CB_OK);
    fclose(mem);
    assert_string_equal(got, "<beside:A&amp;B>\n");
    free(got);

    mem = open_memstream(&got, &got_len);
    assert_int_equal(mustache_render_file(tmpl, data, parts, mem, &err), CB_OK);
    fclose(mem);
    assert_string_equal(got, "<parts:A&amp;B>\n");
    free(got);

    mem = open_memstream(&got, &got_len);
    assert_int_equal(mustache_render_file(tmpl, bad, NULL, mem, &err), CB_EUSAGE);
    assert_string_equal(err.file, bad);
    assert_int_equal(err.line, 2);
    char *nowhere = xasprintf("%s/nowhere.json", base);
    assert_int_equal(mustache_render_file(tmpl, nowhere, NULL, mem, &err), CB_EIO);
    assert_string_equal(err.file, nowhere);
    fclose(mem);
    assert_int_equal(got_len, 0); /* nothing is written on failure */
    free(got);
    free(nowhere);

    char *cmd = xasprintf("rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(bad);
    free(data);
    free(tmpl);
    free(parts);
}

int main(void)
{
    int failed = run_spec_suite();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renders_table),
        cmocka_unit_test(errors_name_template_and_line),
        cmocka_unit_test(output_cap_stops_the_render),
        cmocka_unit_test(recursive_partials_are_bounded),
        cmocka_unit_test(section_nesting_is_bounded),
        cmocka_unit_test(reals_ignore_the_locale),
        cmocka_unit_test(render_file_reads_partials_and_reports_errors),
    };
    failed += cmocka_run_group_tests(tests, NULL, NULL);
    return failed ? 1 : 0;
}

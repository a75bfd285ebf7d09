/* jsonw.c: the streaming writer gives the bytes jansson's dump gives for the same tree, in both
 * layouts report.json uses (JSON_INDENT(2) and JSON_COMPACT, with JSON_PRESERVE_ORDER and
 * JSON_REAL_PRECISION(12)), over thousands of random trees with every kind of value, escapes,
 * non-ASCII text and empty containers; and it refuses what jansson refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsonw.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Strings mixing plain ASCII, the characters JSON escapes, every control character, and
 * two-, three- and four-byte UTF-8. */
static void random_text(char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "a",  "Team", " ",  "\"",   "\\",           "/",    "\b", "\f",
        "\n", "\r",   "\t", "\x01", "\x1f",         "\x7f", "é",  "Équipe",
        "Ω",  "日本", "😀",  "€",    "\xe2\x80\xa8", "0.50", "",
    };
    size_t n = next() % 8, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);
        if (len + k + 1 > cap)
            break;
        memcpy(buf + len, p, k + 1);
        len += k;
    }
}

static json_t *random_value(int depth)
{
    char text[128];
    switch (next() % (depth >= 5 ? 6 : 8)) {
    case 0: return json_null();
    case 1: return json_boolean(next() % 2);
    case 2: {
        static const json_int_t edges[] = {0, -1, 1, INT64_MAX, INT64_MIN, 1000000, -42};
        return json_integer(next() % 3 ? (json_int_t)(next() % 2000001) - 1000000
                                       : edges[next() % (sizeof edges / sizeof edges[0])]);
    }
    case 3: {
        static const double reals[] = {0.5, 0.000001, 1e-7, 123456.789, 1e17, -2.25, 0.1, 3.0};
        return json_real(next() % 2 ? reals[next() % (sizeof reals / sizeof reals[0])]
                                    : (double)(int64_t)(next() % 20000001 - 10000000) / 1e6);
    }
    case 4:
    case 5: random_text(text, sizeof text); return json_string(text);
    case 6: {
        json_t *a = json_array();
        for (size_t i = 0, n = next() % 5; i < n; i++)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t i = 0, n = next() % 5; i < n; i++) {
            random_text(text, sizeof text);
            char key[160];
            snprintf(key, sizeof key, "%s%zu", text, i); /* distinct keys */
            json_object_set_new(o, key, random_value(depth + 1));
        }
        return o;
    }
    }
}

/* Writes tree t with the writer, as report.json's code does: key by key, value by value. */
static void write_tree(struct jw *w, const json_t *t)
{
    switch (json_typeof(t)) {
    case JSON_NULL: jw_null(w); break;
    case JSON_TRUE:
    case JSON_FALSE: jw_bool(w, json_is_true(t)); break;
    case JSON_INTEGER: jw_integer(w, json_integer_value(t)); break;
    case JSON_REAL: jw_real(w, json_real_value(t)); break;
    case JSON_STRING: jw_string(w, json_string_value(t)); break;
    case JSON_ARRAY:
        jw_array(w);
        for (size_t i = 0; i < json_array_size(t); i++)
            write_tree(w, json_array_get(t, i));
        jw_end(w);
        break;
    case JSON_OBJECT: {
        jw_object(w);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)t, k, v)
        {
            jw_key(w, k);
            write_tree(w, v);
        }
        jw_end(w);
        break;
    }
    }
}

static char *written(const json_t *t, bool compact, bool *ok)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct jw *w = jw_new(f, compact);
    write_tree(w, t);
    *ok = jw_close(w);
    fclose(f);
    return buf;
}

static void same_bytes_as_jansson(void **state)
{
    (void)state;
    for (int i = 0; i < 4000; i++) {
        json_t *root = next() % 2 ? json_object() : json_array();
        for (size_t k = 0, n = next() % 6; k < n; k++) {
            json_t *v = random_value(1);
            if (json_is_object(root)) {
                char key[16];
                snprintf(key, sizeof key, "k%zu", k);
                json_object_set_new(root, key, v);
            } else {
                json_array_append_new(root, v);
            }
        }
        for (int compact = 0; compact < 2; compact++) {
            size_t flags = (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER |
                           JSON_REAL_PRECISION(12);
            char *want = json_dumps(root, flags);
            bool ok;
            char *got = written(root, compact, &ok);
            assert_true(ok);
            assert_non_null(want);
            assert_string_equal(got, want);
            free(want);
            free(got);
        }
        json_decref(root);
    }
}

static void refuses_bad_documents(void **state)
{
    (void)state;
    static const char *const bad_utf8[] = {
        "\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\xaf"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        assert_null(json_string(bad_utf8[i])); /* jansson refuses it too */
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct jw *w = jw_new(f, false);
        jw_array(w);
        jw_string(w, bad_utf8[i]);
        jw_end(w);
        assert_false(jw_close(w));
        fclose(f);
        free(buf);
    }
    /* misuse: a member without a key, a key in an array, an unclosed root, two roots */
    for (int k = 0; k < 4; k++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct jw *w = jw_new(f, k % 2);
        if (k == 0) {
            jw_object(w);
            jw_integer(w, 1);
            jw_end(w);
        } else if (k == 1) {
            jw_array(w);
            jw_key(w, "x");
            jw_null(w);
            jw_end(w);
        } else if (k == 2) {
            jw_object(w);
            jw_key(w, "x");
            jw_null(w);
        } else {
            jw_array(w);
            jw_end(w);
            jw_array(w);
            jw_end(w);
        }
        assert_false(jw_close(w));
        fclose(f);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_bytes_as_jansson),
        cmocka_unit_test(refuses_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

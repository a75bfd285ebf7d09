/* records.c: one line or element -> one record or one rejection with its reason; timestamps;
 * the stream parser on any split of its input; format detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "config.h"
#include "prices.h"
#include "date.h"
#include "ledger.h"
#include "records.h"

struct env {
    struct config *c;
    struct price_book *pb;
    struct rec_env env;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    e->c = config_new_default();
    e->pb = price_book_new_builtin();
    e->env = (struct rec_env){e->c, e->pb};
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    price_book_free(e->pb);
    config_free(e->c);
    free(e);
    return 0;
}

#define OK    (-1)
#define TS    "\"timestamp\":\"2026-10-01T10:00:00Z\""
#define MODEL "\"model\":\"claude-sonnet-4-6\""
#define TOK   "\"input_tokens\":1,\"output_tokens\":2"

static void reasons_table(void **state)
{
    struct env *e = *state;
    static const struct {
        const char *line;
        int want;            /* OK or a reject_reason */
        const char *message; /* a part of the message, or NULL */
    } cases[] = {
        {"{" TS "," MODEL "," TOK "}", OK, NULL},
        {"  {" TS "," MODEL "," TOK "}  \r", OK, NULL},
        {"{" TS "," MODEL "," TOK ",\"extra\":{\"a\":[1,{\"b\":null}]}}", OK, NULL},
        {"{\"date\":\"2026-10-01\"," MODEL "," TOK "}", OK, NULL},
        {"{" TS "," MODEL ",\"usage\":{" TOK "}}", OK, NULL},
        {"not json", REJ_NOT_JSON, "not JSON"},
        {"{" TS "," MODEL "," TOK, REJ_NOT_JSON, "ends inside"},
        {"{" TS "," MODEL "," TOK "} {}", REJ_NOT_JSON, "more than one value"},
        {"{" TS "," MODEL "," TOK "}x", REJ_NOT_JSON, NULL},
        {"{\"a\":\"unterminated}", REJ_NOT_JSON, NULL},
        {"[1,2]", REJ_NOT_OBJECT, "got an array"},
        {"42", REJ_NOT_OBJECT, "got 42"},
        {"null", REJ_NOT_OBJECT, "got null"},
        {"\"s\"", REJ_NOT_OBJECT, "got \"s\""},
        {"{" MODEL "," TOK "}", REJ_MISSING_FIELD, "\"timestamp\": missing"},
        {"{" TS "," TOK "}", REJ_MISSING_FIELD, "\"model\": missing"},
        {"{" TS "," MODEL ",\"output_tokens\":2}", REJ_MISSING_FIELD, "\"input_tokens\": missing"},
        {"{" TS "," MODEL ",\"input_tokens\":2}", REJ_MISSING_FIELD, "\"output_tokens\": missing"},
        {"{" TS "," MODEL ",\"input_tokens\":\"many\",\"output_tokens\":2}", REJ_BAD_TYPE,
         "\"input_tokens\": expected a non-negative integer, got \"many\""},
        {"{" TS "," MODEL ",\"input_tokens\":null,\"output_tokens\":2}", REJ_BAD_TYPE, "got null"},
        {"{" TS "," MODEL ",\"usage\":{\"input_tokens\":true,\"output_tokens\":2}}", REJ_BAD_TYPE,
         "\"usage.input_tokens\""},
        {"{" TS ",\"model\":7," TOK "}", REJ_BAD_TYPE, "expected a string, got 7"},
        {"{" TS "," MODEL "," TOK ",\"team\":[\"x\"]}", REJ_BAD_TYPE, "got an array"},
        {"{" TS "," MODEL "," TOK ",\"tags\":\"x\"}", REJ_BAD_TYPE, "expected an object"},
        {"{" TS "," MODEL "," TOK ",\"batch\":1}", REJ_BAD_TYPE, "true or false"},
        {"{" TS "," MODEL ",\"input_tokens\":-1,\"output_tokens\":2}", REJ_NEGATIVE, "got -1"},
        {"{" TS "," MODEL "," TOK ",\"requests\":0}", REJ_NEGATIVE, "at least 1"},
        {"{" TS "," MODEL ",\"input_tokens\":1.5,\"output_tokens\":2}", REJ_NOT_INTEGER, "1.5"},
        {"{" TS "," MODEL ",\"input_tokens\":1e3,\"output_tokens\":2}", REJ_NOT_INTEGER, "1e3"},
        {"{" TS "," MODEL ",\"input_tokens\":1.0,\"output_tokens\":2}", REJ_NOT_INTEGER, NULL},
        {"{" TS "," MODEL ",\"input_tokens\":1000000000000,\"output_tokens\":2}", OK, NULL},
        {"{" TS "," MODEL ",\"input_tokens\":1000000000001,\"output_tokens\":2}", REJ_TOO_LARGE,
         "above the limit of 10^12"},
        {"{" TS "," MODEL ",\"input_tokens\":99999999999999999999999,\"output_tokens\":2}",
         REJ_TOO_LARGE, NULL},
        {"{\"timestamp\":\"2026-10-01\"," MODEL "," TOK "}", REJ_BAD_TIMESTAMP, "RFC 3339"},
        {"{\"timestamp\":\"2026-02-29T10:00:00Z\"," MODEL "," TOK "}", REJ_BAD_TIMESTAMP, NULL},
        {"{\"date\":\"2026-10-01T10:00:00Z\"," MODEL "," TOK "}", REJ_BAD_TIMESTAMP, "YYYY-MM-DD"},
        {"{" TS ",\"model\":\"gpt-4o\"," TOK "}", REJ_UNKNOWN_MODEL, "unknown model \"gpt-4o\""},
        {"{" TS ",\"model\":\"claude-sonnet-4-6-2026\"," TOK "}", REJ_UNKNOWN_MODEL, NULL},
        {"{" TS "," MODEL "," TOK ",\"team\":\"\xff\"}", REJ_BAD_UTF8, "\"team\": invalid UTF-8"},
        {"{" TS "," MODEL "," TOK ",\"x\":\"\xc0\xaf\"}", REJ_BAD_UTF8, NULL},     /* overlong */
        {"{" TS "," MODEL "," TOK ",\"x\":\"\xed\xa0\x80\"}", REJ_BAD_UTF8, NULL}, /* surrogate */
        {"{" TS "," MODEL "," TOK ",\"\xf5\x80\x80\x80\":1}", REJ_BAD_UTF8, "key"},
        {"{" TS "," MODEL "," TOK ",\"team\":\"a\\u0000b\"}", REJ_BAD_UTF8, "NUL"},
        {"{" TS "," MODEL "," TOK ",\"team\":\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\"}", OK, NULL},
        {"{" TS "," MODEL "," TOK
         ",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
         REJ_TOO_LONG, "deeper than 64"},
        /* the first problem in the line is its reason */
        {"{\"input_tokens\":-1,\"model\":\"gpt-4o\"}", REJ_NEGATIVE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rec_parser *p = rec_parser_new(&e->env);
        struct rec_batch b = {0};
        rec_parse_lines(p, cases[i].line, strlen(cases[i].line), true, &b);
        if (cases[i].want == OK) {
            if (b.n_recs != 1)
                fail_msg("case %zu: want a record, got %s", i,
                         b.n_rejs ? b.rejs[0].message : "nothing");
        } else {
            if (b.n_rejs != 1 || b.n_recs != 0)
                fail_msg("case %zu: want a rejection, got %zu records", i, b.n_recs);
            if ((int)b.rejs[0].reason != cases[i].want)
                fail_msg("case %zu: reason %s, want %s (%s)", i,
                         ledger_reject_reason_name(b.rejs[0].reason),
                         ledger_reject_reason_name((enum reject_reason)cases[i].want),
                         b.rejs[0].message);
            if (cases[i].message && !strstr(b.rejs[0].message, cases[i].message))
                fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, b.rejs[0].message,
                         cases[i].message);
            assert_int_equal(b.rejs[0].line, 1);
            assert_int_equal(b.rejs[0].text_len, strlen(cases[i].line));
        }
        rec_batch_free(&b);
        rec_parser_free(p);
    }
}

/* Fields land where SPEC §2.1 says; the top level wins over tags, which wins over metadata. */
static void fields(void **state)
{
    struct env *e = *state;
    const char *in =
        "{\"request_id\":\"r-1\",\"timestamp\":\"2026-10-31T23:30:00-01:00\","
        "\"model\":\"claude-sonnet-4-6-20990101\",\"team\":\"top\","
        "\"tags\":{\"team\":\"tagged\",\"project\":\"p\"},\"metadata\":{\"project\":\"meta\","
        "\"user\":\"u\",\"user_id\":\"ignored\"},\"usage\":{\"input_tokens\":10,\"output_tokens\":"
        "20,"
        "\"cache_read_input_tokens\":30,\"cache_creation_input_tokens\":999,"
        "\"cache_creation\":{\"ephemeral_5m_input_tokens\":40,\"ephemeral_1h_input_tokens\":50},"
        "\"server_tool_use\":{\"web_search_requests\":6},\"service_tier\":\"batch\"},"
        "\"requests\":7,\"skill_invocations\":8,\"mcp_operations\":9,\"team\":\"\"}\n"
        "{\"timestamp\":\"2026-10-01T00:00:00Z\",\"model\":\"claude-haiku-4-5\",\"input_tokens\":0,"
        "\"output_tokens\":0,\"cache_creation_input_tokens\":11,\"batch\":false,"
        "\"service_tier\":\"standard\"}\n";
    struct rec_parser *p = rec_parser_new(&e->env);
    struct rec_batch b = {0};
    rec_parse_lines(p, in, strlen(in), true, &b);
    assert_int_equal(b.n_rejs, 0);
    assert_int_equal(b.n_recs, 2);
    assert_int_equal(b.lines, 2);
    const struct record *r = &b.recs[0];
    assert_string_equal(r->tags[TAG_TEAM], "top");
    assert_string_equal(r->tags[TAG_PROJECT], "p");
    assert_string_equal(r->tags[TAG_USER], "u");
    assert_null(r->tags[TAG_WORKFLOW]);
    assert_int_equal(r->year, 2026);
    assert_int_equal(r->month, 11); /* 23:30 at -01:00 is 00:30 UTC the next day */
    assert_int_equal(r->day, 1);
    assert_string_equal(r->price->model, "claude-sonnet-4-6");
    assert_true(r->batch);
    assert_int_equal(r->requests, 7);
    assert_int_equal(r->tokens[TOK_INPUT], 10);
    assert_int_equal(r->tokens[TOK_OUTPUT], 20);
    assert_int_equal(r->tokens[TOK_CACHE_READ], 30);
    /* 999 written, 90 of them in the split: the other 909 are 5-minute writes (SPEC §2.1 rev 2) */
    assert_int_equal(r->tokens[TOK_CACHE_WRITE_5M], 40 + 909);
    assert_int_equal(r->tokens[TOK_CACHE_WRITE_1H], 50);
    assert_int_equal(r->cache_write_rest, 909);
    assert_int_equal(r->web_search, 6);
    assert_int_equal(r->skill, 8);
    assert_int_equal(r->mcp, 9);
    assert_true(r->has_id);
    assert_int_equal(r->shared_index, -1);
    r = &b.recs[1];
    assert_false(r->batch);
    assert_false(r->has_id);
    assert_int_equal(r->requests, 1);
    assert_int_equal(r->tokens[TOK_CACHE_WRITE_5M], 11);
    assert_int_equal(r->tokens[TOK_CACHE_WRITE_1H], 0);
    rec_batch_free(&b);
    rec_parser_free(p);
}

static void timestamps(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool date_only, ok;
        int y, m, d;
    } cases[] = {
        {"2026-10-14T09:30:00Z", false, true, 2026, 10, 14},
        {"2026-10-14t09:30:00z", false, true, 2026, 10, 14},
        {"2026-10-14 09:30:00Z", false, true, 2026, 10, 14},
        {"2026-10-14T09:30:00.123456789Z", false, true, 2026, 10, 14},
        {"2026-10-14T23:30:00-00:31", false, true, 2026, 10, 15},
        {"2026-12-31T23:30:00-01:00", false, true, 2027, 1, 1},
        {"2026-01-01T00:30:00+01:00", false, true, 2025, 12, 31},
        {"2024-03-01T00:00:00+00:01", false, true, 2024, 2, 29},
        {"2026-06-30T23:59:60Z", false, true, 2026, 6, 30},
        {"2026-10-14", true, true, 2026, 10, 14},
        {"2026-10-14", false, false, 0, 0, 0},
        {"2026-10-14T09:30:00", false, false, 0, 0, 0},
        {"2026-10-14T09:30:00.Z", false, false, 0, 0, 0},
        {"2026-10-14T24:00:00Z", false, false, 0, 0, 0},
        {"2026-10-14T09:30:00+0100", false, false, 0, 0, 0},
        {"2026-10-14T09:30:00Z ", false, false, 0, 0, 0},
        {"2025-02-29", true, false, 0, 0, 0},
        {"2026-00-10", true, false, 0, 0, 0},
        {"2026-10-14x", true, false, 0, 0, 0},
        {"14/10/2026", true, false, 0, 0, 0},
        {"", true, false, 0, 0, 0},
        /* the usual UTC forms (the shorter way) and their edges */
        {"2026-10-01T00:00:47.884Z", false, true, 2026, 10, 1},
        {"2026-10-31T23:59:59.999Z", false, true, 2026, 10, 31},
        {"2024-02-29T00:00:00Z", false, true, 2024, 2, 29},
        {"2000-02-29T12:00:00.000Z", false, true, 2000, 2, 29},
        {"2026-10-01T23:59:60.500Z", false, true, 2026, 10, 1},
        {"2026-10-01T00:00:47.884z", false, true, 2026, 10, 1},
        {"2026-10-01 00:00:47.884Z", false, true, 2026, 10, 1},
        {"2025-02-29T00:00:00Z", false, false, 0, 0, 0},
        {"1900-02-29T00:00:00.000Z", false, false, 0, 0, 0},
        {"0000-10-01T00:00:00Z", false, false, 0, 0, 0},
        {"2026-13-01T00:00:00Z", false, false, 0, 0, 0},
        {"2026-10-32T00:00:00.000Z", false, false, 0, 0, 0},
        {"2026-10-00T00:00:00Z", false, false, 0, 0, 0},
        {"2026-10-01T00:60:00Z", false, false, 0, 0, 0},
        {"2026-10-01T00:00:61.000Z", false, false, 0, 0, 0},
        {"2026-10-01T00:00:4/Z", false, false, 0, 0, 0},
        {"2026-10-01T00:00:47.88aZ", false, false, 0, 0, 0},
        {"2026-10-01T00:00:47,884Z", false, false, 0, 0, 0},
        {"2026-10-01T00:00:47:884Z", false, false, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y = 0, m = 0, d = 0;
        bool ok =
            date_parse_timestamp(cases[i].in, strlen(cases[i].in), cases[i].date_only, &y, &m, &d);
        if (ok != cases[i].ok)
            fail_msg("\"%s\": ok %d, want %d", cases[i].in, ok, cases[i].ok);
        if (ok && (y != cases[i].y || m != cases[i].m || d != cases[i].d))
            fail_msg("\"%s\": %d-%d-%d", cases[i].in, y, m, d);
    }
}

/* The shorter way for the usual UTC forms agrees with the general parser on every one-byte edit
 * of them (each byte deleted, or replaced by each of the bytes that matter to the parser). */
static void timestamps_agree(void **state)
{
    (void)state;
    static const char *const seeds[] = {"2026-10-01T00:00:47.884Z", "2026-10-01T00:00:47Z",
                                        "2024-02-29T23:59:60.000Z", "2026-12-31T23:59:59Z"};
    static const char edits[] = "0123456789/:;-+.,TtZz \x80";
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        size_t n = strlen(seeds[k]);
        for (size_t i = 0; i <= n; i++) {
            for (size_t c = 0; c <= sizeof edits - 1; c++) {
                char buf[32];
                size_t len = n;
                memcpy(buf, seeds[k], n);
                if (c == sizeof edits - 1) { /* deleted (i == n: the seed itself) */
                    if (i < n)
                        memmove(buf + i, buf + i + 1, n - i - 1), len--;
                } else if (i < n)
                    buf[i] = edits[c];
                else
                    buf[len++] = edits[c]; /* one byte more */
                int y1 = 0, m1 = 0, d1 = 0, y2 = 0, m2 = 0, d2 = 0;
                bool a = date_parse_timestamp(buf, len, false, &y1, &m1, &d1);
                bool b = date_parse_timestamp_general(buf, len, false, &y2, &m2, &d2);
                if (a != b || (a && (y1 != y2 || m1 != m2 || d1 != d2)))
                    fail_msg("\"%.*s\": %d %d-%d-%d, general %d %d-%d-%d", (int)len, buf, a, y1, m1,
                             d1, b, y2, m2, d2);
            }
        }
    }
}

/* Runs a stream over `in` fed in pieces of `step` bytes; returns records + rejections as text. */
static char *run_stream(struct env *e, enum rec_format f, const char *in, size_t step)
{
    struct rec_stream *s = rec_stream_new(&e->env, f);
    struct rec_batch b = {0};
    size_t n = strlen(in);
    for (size_t o = 0; o < n; o += step)
        rec_stream_feed(s, in + o, n - o < step ? n - o : step, &b);
    rec_stream_finish(s, &b);
    assert_false(rec_stream_holding(s));
    size_t cap = 65536, len = 0;
    char *out = calloc(1, cap);
    for (size_t i = 0; i < b.n_recs; i++)
        len += (size_t)snprintf(out + len, cap - len, "rec %s %lld %d-%d %s\n",
                                b.recs[i].tags[TAG_TEAM] ? b.recs[i].tags[TAG_TEAM] : "-",
                                (long long)b.recs[i].tokens[TOK_INPUT], b.recs[i].month,
                                b.recs[i].day, b.recs[i].price->model);
    for (size_t i = 0; i < b.n_rejs; i++)
        len += (size_t)snprintf(out + len, cap - len, "rej %lld/%lld %s: %s\n",
                                (long long)b.rejs[i].line, (long long)b.rejs[i].element,
                                ledger_reject_reason_name(b.rejs[i].reason), b.rejs[i].message);
    rec_batch_free(&b);
    rec_stream_free(s);
    return out;
}

static const char array_in[] =
    "[\n"
    " {\"timestamp\":\"2026-10-01T10:00:00Z\",\"model\":\"claude-sonnet-4-6\",\"team\":\"a\",\n"
    "  \"input_tokens\":1,\"output_tokens\":2},\n"
    " 5, \"x\", [1,[2]], null,\n"
    " {\"timestamp\":\"2026-10-02T10:00:00Z\",\"model\":\"nope\",\"input_tokens\":1,\n"
    "  \"output_tokens\":2},\n"
    " {\"date\":\"2026-10-03\",\"model\":\"claude-haiku-4-5\",\"tags\":{\"team\":\"b\"},\n"
    "  \"usage\":{\"input_tokens\":3,\"output_tokens\":4}}\n"
    "]\n";

static const char admin_in[] =
    "{\"data\":[{\"starting_at\":\"2026-10-01T00:00:00Z\",\"results\":[\n"
    "{\"uncached_input_tokens\":5,\"output_tokens\":6,\"model\":\"claude-opus-4-1\",\n"
    " \"api_key_id\":\"k1\",\"workspace_id\":null,\"service_tier\":\"batch\"},\n"
    "{\"uncached_input_tokens\":5,\"output_tokens\":6,\"model\":null}]},\n"
    "{\"results\":[{\"uncached_input_tokens\":7,\"output_tokens\":8,\"model\":\"claude-haiku-4-5\","
    "\"workspace_id\":\"w\"}],\"starting_at\":\"2026-10-09T00:00:00Z\"},\n"
    "{\"results\":[{\"uncached_input_tokens\":9,\"output_tokens\":8,\"model\":\"claude-haiku-4-5\"}"
    "]}\n"
    "],\"has_more\":true}\n"
    "{\"data\":[],\"has_more\":false}\n"
    "{\"not\":\"a page\"}\n";

/* Every split of the input gives the same records and rejections. */
static void stream_any_split(void **state)
{
    struct env *e = *state;
    char *whole = run_stream(e, REC_JSON_ARRAY, array_in, sizeof array_in);
    assert_string_equal(whole, "rec a 1 10-1 claude-sonnet-4-6\n"
                               "rec b 3 10-3 claude-haiku-4-5\n"
                               "rej 4/2 not an object: expected a JSON object, got 5\n"
                               "rej 4/3 not an object: expected a JSON object, got \"x\"\n"
                               "rej 4/4 not an object: expected a JSON object, got an array\n"
                               "rej 4/5 not an object: expected a JSON object, got null\n"
                               "rej 5/6 unknown model: \"model\": unknown model \"nope\" (not in "
                               "the price book on 2026-10-02)\n");
    for (size_t step = 1; step < 40; step += 3) {
        char *part = run_stream(e, REC_JSON_ARRAY, array_in, step);
        assert_string_equal(part, whole);
        free(part);
    }
    free(whole);
    whole = run_stream(e, REC_ADMIN_API, admin_in, sizeof admin_in);
    assert_string_equal(
        whole, "rec - 5 10-1 claude-opus-4-1\n"
               "rec - 7 10-9 claude-haiku-4-5\n"
               "rej 4/2 missing field: \"model\": missing: an Admin API result without a model "
               "cannot be priced\n"
               "rej 6/4 missing field: \"starting_at\": missing: the result's bucket has no start\n"
               "rej 9/5 missing field: \"data\": missing: not an Admin API usage page (expected "
               "\"data\": [buckets])\n");
    for (size_t step = 1; step < 40; step += 3) {
        char *part = run_stream(e, REC_ADMIN_API, admin_in, step);
        assert_string_equal(part, whole);
        free(part);
    }
    free(whole);
}

static void stream_broken(void **state)
{
    struct env *e = *state;
    char *out =
        run_stream(e, REC_JSON_ARRAY,
                   "[{\"timestamp\":\"2026-10-01T10:00:00Z\",\"model\":\"claude-sonnet-4-6\","
                   "\"input_tokens\":1,\"output_tokens\":2},\n{\"a\":1,,}, {\"b\":2}]\n",
                   1000);
    assert_non_null(strstr(out, "rec - 1"));
    assert_non_null(strstr(out, "rej 2/2 not JSON"));
    assert_non_null(strstr(out, "the rest of the input (from line 2 on) was not read"));
    free(out);
    out = run_stream(e, REC_JSON_ARRAY, "[{\"a\":", 1000);
    assert_non_null(strstr(out, "rej 1/1 not JSON"));
    assert_non_null(strstr(out, "ends inside a record"));
    free(out);
    /* a page whose "has_more" is an object, not a flag (found by fuzz_records): its contents
       are skipped and the page's own "data" still reads, instead of its end closing the page */
    out = run_stream(e, REC_ADMIN_API,
                     "{\"has_more\":{\"a\":{\"b\":[1]}},\"data\":[{\"starting_at\":"
                     "\"2026-10-01T00:00:00Z\",\"results\":[{\"uncached_input_tokens\":5,"
                     "\"output_tokens\":6,\"model\":\"claude-haiku-4-5\"}]}]}\n",
                     1000);
    assert_string_equal(out, "rec - 5 10-1 claude-haiku-4-5\n");
    free(out);
}

static void detect(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        enum rec_format want;
    } cases[] = {
        {"{\"timestamp\":\"x\"}\n{}", REC_JSONL},
        {"\n\n  {\"a\":1}\n", REC_JSONL},
        {"garbage\n", REC_JSONL},
        {"", REC_JSONL},
        {"{\"a\":1,,}\n", REC_JSONL},
        {"[{\"a\":1}]", REC_JSON_ARRAY},
        {"[]", REC_JSON_ARRAY},
        {"{\n \"a\": 1\n}\n", REC_JSON_STREAM},
        {"{\"data\":[{\"starting_at\":\"x\",\"results\":[]}],\"has_more\":false}", REC_ADMIN_API},
        {"{\n\"data\": [\n{\"results\": []}]}", REC_ADMIN_API},
        {"{\"has_more\":false,\"data\":[]}", REC_ADMIN_API},
        {"[{\"data\":[{\"results\":[]}]}]", REC_ADMIN_API},
        {"{\"data\":[1,2],\"timestamp\":\"x\"}\n", REC_JSONL},
        {"\xef\xbb\xbf[{}]", REC_JSON_ARRAY},
        /* the other sources (SPEC 2.2b) */
        {"{\"data\":[{\"starting_at\":\"x\",\"results\":[{\"amount\":\"1.5\"}]}]}",
         REC_COST_REPORT},
        {"{\"data\":[{\"results\":[]},{\"results\":[{\"currency\":\"USD\",\"amount\":\"1\"}]}]}",
         REC_COST_REPORT},
        {"{\"data\":[{\"actor\":{\"type\":\"user_actor\"},\"model_breakdown\":[]}],"
         "\"has_more\":true}",
         REC_CLAUDE_CODE},
        {"{\"resourceLogs\":[]}\n", REC_OTEL_LOGS},
        {"{\"schemaType\":\"ModelInvocationLog\",\"modelId\":\"x\"}\n", REC_BEDROCK},
        {"{\"modelId\":\"x\",\"requestId\":\"r\"}\n", REC_BEDROCK},
        {"{\"request_id\":\"r\",\"startTime\":\"x\",\"spend\":0.1}\n", REC_LITELLM},
        {"[{\"startTime\":\"x\",\"prompt_tokens\":1}]", REC_LITELLM},
        {"{\"data\":[{\"timestamp\":\"x\"}],\"model\":\"m\"}\n", REC_JSONL},
        /* refused: never read as nothing */
        {"{\"data\":[{\"foo\":1}],\"has_more\":true}", REC_FORMAT_COUNT},
        {"{\"resourceMetrics\":[]}\n", REC_FORMAT_COUNT},
        {"{\"resourceSpans\":[]}\n", REC_FORMAT_COUNT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum rec_format got = rec_detect(cases[i].in, strlen(cases[i].in), true);
        if (got != cases[i].want)
            fail_msg("case %zu: %s, want %s", i,
                     got == REC_FORMAT_COUNT ? "refused" : rec_format_name(got),
                     cases[i].want == REC_FORMAT_COUNT ? "refused"
                                                       : rec_format_name(cases[i].want));
    }
}

/* A long line in a chunk is rejected without being parsed; lines are counted with blanks. */
static void chunk_lines(void **state)
{
    struct env *e = *state;
    size_t n = REC_LINE_MAX + 10;
    char *buf = malloc(n + 200);
    size_t len = 0;
    len += (size_t)sprintf(buf, "\n  \n");
    memset(buf + len, 'x', n);
    len += n;
    len += (size_t)sprintf(buf + len, "\n{}\n");
    struct rec_parser *p = rec_parser_new(&e->env);
    struct rec_batch b = {0};
    rec_parse_lines(p, buf, len, false, &b);
    assert_int_equal(b.lines, 4);
    assert_int_equal(b.n_rejs, 2);
    assert_int_equal(b.rejs[0].reason, REJ_TOO_LONG);
    assert_int_equal(b.rejs[0].line, 3);
    assert_true(b.rejs[0].text_cut);
    assert_int_equal(b.rejs[0].text_len, REC_TEXT_MAX);
    assert_int_equal(b.rejs[1].reason, REJ_MISSING_FIELD);
    assert_int_equal(b.rejs[1].line, 4);
    rec_batch_free(&b);
    rec_parser_free(p);
    free(buf);
}

/* ---- the fast reader against yajl ---- */

/* Keys match exactly: a field name with any one byte changed is an unknown key, ignored. */
static void keys_exact(void **state)
{
    struct env *e = *state;
    static const struct {
        const char *key;
        int slot; /* where the value lands: a token class, or -1 for web searches */
    } keys[] = {
        {"cache_creation_input_tokens", TOK_CACHE_WRITE_5M},
        {"cache_read_input_tokens", TOK_CACHE_READ},
        {"web_search_requests", -1},
    };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t n = strlen(keys[k].key);
        for (size_t i = 0; i <= n; i++) {
            char key[64], line[256];
            snprintf(key, sizeof key, "%s", keys[k].key);
            if (i < n)
                key[i] = key[i] == 'X' ? 'Y' : 'X'; /* i == n: the key itself */
            int len = snprintf(line, sizeof line, "{" TS "," MODEL "," TOK ",\"%s\":5}", key);
            struct rec_parser *p = rec_parser_new(&e->env);
            struct rec_batch b = {0};
            rec_parse_lines(p, line, (size_t)len, true, &b);
            assert_int_equal(b.n_recs, 1);
            const struct record *r = &b.recs[0];
            int64_t got = keys[k].slot < 0 ? r->web_search : r->tokens[keys[k].slot];
            if (got != (i == n ? 5 : 0))
                fail_msg("key \"%s\": got %lld", key, (long long)got);
            rec_batch_free(&b);
            rec_parser_free(p);
        }
    }
}

/* Parses buf with the fast reader and with yajl alone; both must agree. */
static void agree(const struct rec_env *env, const char *buf, size_t len)
{
    struct rec_parser *fast = rec_parser_new(env), *slow = rec_parser_new(env);
    rec_parser_set_slow_only(slow, true);
    struct rec_batch a = {0}, b = {0};
    rec_parse_lines(fast, buf, len, true, &a);
    rec_parse_lines(slow, buf, len, true, &b);
    if (!rec_batch_same(&a, &b))
        fail_msg("the fast reader and yajl differ on: %.*s", (int)(len < 150 ? len : 150), buf);
    rec_batch_free(&a);
    rec_batch_free(&b);
    rec_parser_free(fast);
    rec_parser_free(slow);
}

/* Every line of the sample month, and every one-byte edit of a few typical lines (each byte
 * deleted, or replaced by one of the bytes that matter to a JSON reader), read by both. */
static void fast_reader_agrees(void **state)
{
    struct env *e = *state;
    static const char *const seeds[] = {
        "{\"request_id\":\"req_BhSkQ1JyPmRdAOGTmSJhl70w\","
        "\"timestamp\":\"2026-10-01T00:00:47.884Z\",\"model\":\"claude-haiku-4-5\",\"team\":"
        "\"support\",\"project\":\"ticket-summarizer\","
        "\"user\":\"hana.lopez\",\"input_tokens\":2042,\"output_tokens\":431,"
        "\"cache_read_input_tokens\":0,\"web_search_requests\":0,\"batch\":true}",
        "{\"timestamp\":\"2026-09-30T23:44:33+02:00\",\"model\":\"claude-opus-4-7\","
        "\"team\":\"pr\",\"usage\":{\"input_tokens\":287,\"output_tokens\":1766,"
        "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1,\"ephemeral_1h_input_tokens\":2},"
        "\"server_tool_use\":{"
        "\"web_search_requests\":3},\"service_tier\":\"batch\"},\"requests\":2}",
        " {\"date\":\"2026-10-02\",\"model\":\"claude-sonnet-4-6\",\"tags\":{\"team\":\"t\","
        "\"user\":\"\xc3\xa9l\xc3\xa8ve\"},\"metadata\":{\"project\":\"m\"},\"input_tokens\":0,"
        "\"output_tokens\":-0,\"x\":[1,2.5e3,null,{\"y\":false}],\"mcp_operations\":10} ",
        "{\"timestamp\":\"2026-10-05T10:00:00Z\",\"model\":\"claude-haiku-4-5\",\"team\":null,"
        "\"input_tokens\":1e2,\"output_tokens\":1,\"skill_invocations\":3,\"batch\":false,"
        "\"team\":\"again\",\"requests\":1}",
    };
    static const char edits[] = "\"\\{}[],: \t\v\x01" /* structure, escapes, controls */
                                "0-e.x\xc3\xff";      /* numbers, words, UTF-8 */
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        /* each edit follows the seed itself on a line of its own: the fast reader has then
         * learnt the seed's keys (its shape) and meets them changed */
        size_t n = strlen(seeds[k]);
        char *two = malloc(2 * n + 2), *buf = two + n + 1;
        memcpy(two, seeds[k], n);
        two[n] = '\n';
        const char *seed = two;
        agree(&e->env, two, n);
        for (size_t i = 0; i < n; i++) {
            /* deleted */
            memcpy(buf, seed, i);
            memcpy(buf + i, seed + i + 1, n - i - 1);
            agree(&e->env, two, 2 * n);
            /* cut there */
            agree(&e->env, two, n + 1 + i);
            /* replaced */
            memcpy(buf, seed, n);
            for (size_t c = 0; c < sizeof edits - 1; c++) {
                buf[i] = edits[c];
                agree(&e->env, two, 2 * n + 1);
            }
        }
        free(two);
    }
    /* lines at the length limit: an object of exactly REC_LINE_MAX bytes, then with a blank,
     * with a stray byte, one byte longer */
    static const char head[] = "{" TS "," MODEL "," TOK ",\"pad\":\"";
    size_t n = REC_LINE_MAX + 8;
    char *big = malloc(n);
    for (int extra = 0; extra <= 3; extra++) {
        size_t obj = REC_LINE_MAX + (extra == 3);
        memcpy(big, head, sizeof head - 1);
        memset(big + sizeof head - 1, 'x', obj - (sizeof head - 1) - 2);
        memcpy(big + obj - 2, "\"}", 2);
        size_t len = obj;
        if (extra == 1)
            big[len++] = ' ';
        else if (extra == 2)
            big[len++] = 'x';
        big[len++] = '\n';
        agree(&e->env, big, len);
        agree(&e->env, big, len - 1);
    }
    free(big);
    /* the sample month, in one chunk */
    FILE *f = fopen(CB_TEST_SOURCE_DIR "/sample-data/usage-2026-10.jsonl", "rb");
    assert_non_null(f);
    size_t cap = 16u << 20, len = 0;
    char *all = malloc(cap);
    len = fread(all, 1, cap, f);
    fclose(f);
    assert_true(len > 0 && len < cap);
    agree(&e->env, all, len);
    free(all);
}

/* A record's id_hash is libsodium's 128-bit SipHash-2-4 of its request_id under the key
 * "chargeback/reqid", for every length around the 8-byte blocks, on the fast reader and the
 * general one. */
static void id_hash_is_siphash(void **state)
{
    struct env *e = *state;
    static const uint8_t key[crypto_shorthash_siphashx24_KEYBYTES] = "chargeback/reqid";
    for (int slow = 0; slow < 2; slow++) {
        struct rec_parser *p = rec_parser_new(&e->env);
        rec_parser_set_slow_only(p, slow);
        for (size_t n = 1; n <= 70; n++) {
            char id[80], line[256];
            for (size_t i = 0; i < n; i++)
                id[i] = (char)('!' + (i * 7 + n) % 90); /* printable, never '"' or '\\' */
            for (size_t i = 0; i < n; i++)
                if (id[i] == '"' || id[i] == '\\')
                    id[i] = 'q';
            id[n] = '\0';
            int len = snprintf(line, sizeof line,
                               "{\"request_id\":\"%s\",\"timestamp\":\"2026-10-01T00:00:00Z\","
                               "\"model\":\"claude-haiku-4-5\",\"input_tokens\":1,"
                               "\"output_tokens\":1}\n",
                               id);
            struct rec_batch b = {0};
            rec_parse_lines(p, line, (size_t)len, true, &b);
            assert_int_equal(b.n_recs, 1);
            assert_true(b.recs[0].has_id);
            uint8_t want[16];
            crypto_shorthash_siphashx24(want, (const unsigned char *)id, n, key);
            assert_memory_equal(b.recs[0].id_hash, want, sizeof want);
            rec_batch_free(&b);
        }
        rec_parser_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reasons_table, setup, teardown),
        cmocka_unit_test_setup_teardown(fields, setup, teardown),
        cmocka_unit_test(timestamps),
        cmocka_unit_test(timestamps_agree),
        cmocka_unit_test_setup_teardown(stream_any_split, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_broken, setup, teardown),
        cmocka_unit_test(detect),
        cmocka_unit_test_setup_teardown(chunk_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(fast_reader_agrees, setup, teardown),
        cmocka_unit_test_setup_teardown(id_hash_is_siphash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

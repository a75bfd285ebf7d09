/* prices.c: the built-in book, model resolution, dated overrides, costs and override errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prices.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!doc)
        fail_msg("bad test JSON: %s", e.text);
    return doc;
}

/* Every built-in price against Anthropic's list (USD per million tokens, in micro-USD). */
static void builtin_list_prices(void **state)
{
    (void)state;
    static const struct {
        const char *model, *family, *from;
        int64_t p[TOK_CLASS_COUNT];
        int64_t fast_e3, us_e3;
    } cases[] = {
        /* checked 2026-12-02 against the pricing, fast-mode and data-residency pages */
        {"claude-fable-5-1",
         "fable",
         "",
         {10000000, 50000000, 250000, 12500000, 20000000},
         0,
         1100},
        {"claude-fable-5", "fable", "", {10000000, 50000000, 1000000, 12500000, 20000000}, 0, 1100},
        {"claude-opus-5-5", "opus", "", {4000000, 20000000, 200000, 5000000, 8000000}, 2000, 1100},
        {"claude-opus-5", "opus", "", {5000000, 25000000, 500000, 6250000, 10000000}, 2000, 1100},
        {"claude-opus-4-8", "opus", "", {5000000, 25000000, 500000, 6250000, 10000000}, 2000, 1100},
        {"claude-opus-4-7", "opus", "", {5000000, 25000000, 500000, 6250000, 10000000}, 6000, 1100},
        {"claude-opus-4-6", "opus", "", {5000000, 25000000, 500000, 6250000, 10000000}, 6000, 1100},
        {"claude-opus-4-5", "opus", "", {5000000, 25000000, 500000, 6250000, 10000000}, 0, 0},
        {"claude-opus-4-1", "opus", "", {15000000, 75000000, 1500000, 18750000, 30000000}, 0, 0},
        {"claude-opus-4-0", "opus", "", {15000000, 75000000, 1500000, 18750000, 30000000}, 0, 0},
        {"claude-3-opus", "opus", "", {15000000, 75000000, 1500000, 18750000, 30000000}, 0, 0},
        {"claude-sonnet-5-5", "sonnet", "", {2000000, 10000000, 200000, 2500000, 4000000}, 0, 1100},
        {"claude-sonnet-5-5",
         "sonnet",
         "2026-10-07",
         {2000000, 10000000, 100000, 2500000, 4000000},
         0,
         1100},
        {"claude-sonnet-5", "sonnet", "", {2000000, 10000000, 200000, 2500000, 4000000}, 0, 1100},
        {"claude-sonnet-4-6", "sonnet", "", {3000000, 15000000, 300000, 3750000, 6000000}, 0, 1100},
        {"claude-sonnet-4-5", "sonnet", "", {3000000, 15000000, 300000, 3750000, 6000000}, 0, 0},
        {"claude-sonnet-4-0", "sonnet", "", {3000000, 15000000, 300000, 3750000, 6000000}, 0, 0},
        {"claude-3-7-sonnet", "sonnet", "", {3000000, 15000000, 300000, 3750000, 6000000}, 0, 0},
        {"claude-3-5-sonnet", "sonnet", "", {3000000, 15000000, 300000, 3750000, 6000000}, 0, 0},
        {"claude-haiku-5-5",
         "haiku",
         "2026-10-07",
         {100000, 500000, 10000, 125000, 200000},
         0,
         1100},
        {"claude-haiku-4-5", "haiku", "", {1000000, 5000000, 100000, 1250000, 2000000}, 0, 0},
        {"claude-3-5-haiku", "haiku", "", {800000, 4000000, 80000, 1000000, 1600000}, 0, 0},
        {"claude-3-haiku", "haiku", "", {250000, 1250000, 30000, 300000, 500000}, 0, 0},
    };
    struct price_book *pb = price_book_new_builtin();
    assert_int_equal(price_book_count(pb), sizeof cases / sizeof cases[0]);
    assert_string_equal(price_book_checked(pb), "2026-12-02");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* the entry in force on its own date (the last day of this year for undated ones) */
        int32_t day = 20261231;
        if (cases[i].from[0])
            day = (int32_t)strtol(cases[i].from, NULL, 10) * 10000 +
                  (int32_t)strtol(cases[i].from + 5, NULL, 10) * 100 +
                  (int32_t)strtol(cases[i].from + 8, NULL, 10);
        else if (i + 1 < sizeof cases / sizeof cases[0] && cases[i + 1].from[0] &&
                 strcmp(cases[i + 1].model, cases[i].model) == 0)
            day = 20261006; /* the day before the next dated entry */
        const struct price_entry *e = price_book_resolve(pb, cases[i].model, day);
        if (!e)
            fail_msg("%s does not resolve", cases[i].model);
        assert_string_equal(e->effective_from, cases[i].from);
        assert_int_equal(e->speed_fast_e3, cases[i].fast_e3);
        assert_int_equal(e->geo_us_e3, cases[i].us_e3);
        assert_string_equal(e->checked, "2026-12-02");
        assert_true(strncmp(e->source, "https://platform.claude.com/docs/", 33) == 0);
        assert_string_equal(e->model, cases[i].model);
        assert_string_equal(e->family, cases[i].family);
        for (int k = 0; k < TOK_CLASS_COUNT; k++) {
            assert_int_equal(e->per_mtok[k], cases[i].p[k]);
            assert_int_equal(e->batch_per_mtok[k], cases[i].p[k] / 2);
        }
        assert_int_equal(e->web_search_per_k, 10000000);
        assert_int_equal(e->batch_discount_e6, 500000);
    }
    /* Only Haiku 5.5 has a long-prompt band: over 100,000 prompt tokens, five times the rate. */
    const struct price_entry *h = price_book_resolve(pb, "claude-haiku-5-5", 20261101);
    assert_int_equal(h->long_above, 100000);
    static const int64_t hl[TOK_CLASS_COUNT] = {500000, 2500000, 50000, 625000, 1000000};
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        assert_int_equal(h->long_per_mtok[k], hl[k]);
    /* Haiku 5.5 and the dated Sonnet 5.5 cut have no price before their dates. */
    assert_null(price_book_resolve(pb, "claude-haiku-5-5", 20261006));
    assert_int_equal(
        price_book_resolve(pb, "claude-sonnet-5-5", 20261006)->per_mtok[TOK_CACHE_READ], 200000);
    /* Book order is by model id and index is the position. */
    for (size_t i = 0; i < price_book_count(pb); i++) {
        assert_int_equal(price_book_entry(pb, i)->index, (int)i);
        if (i > 0)
            assert_true(strcmp(price_book_entry(pb, i - 1)->model, price_book_entry(pb, i)->model) <
                            0 ||
                        price_book_entry(pb, i - 1)->effective_day <
                            price_book_entry(pb, i)->effective_day);
    }
    assert_null(price_book_entry(pb, price_book_count(pb)));
    price_book_free(pb);
}

static void resolve_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want; /* want NULL: unknown */
    } cases[] = {
        {"claude-sonnet-4-5", "claude-sonnet-4-5"},
        {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
        {"claude-sonnet-4", "claude-sonnet-4-0"},
        {"claude-sonnet-4-20250514", "claude-sonnet-4-0"},
        {"claude-opus-4", "claude-opus-4-0"},
        {"claude-opus-4-20250514", "claude-opus-4-0"},
        {"claude-opus-4-1-20250805", "claude-opus-4-1"},
        {"claude-3-7-sonnet-latest", "claude-3-7-sonnet"},
        {"claude-3-7-sonnet-20250219", "claude-3-7-sonnet"},
        {"claude-3-5-haiku-latest", "claude-3-5-haiku"},
        {"claude-3-5-haiku-20241022", "claude-3-5-haiku"},
        {"claude-3-5-sonnet-20241022", "claude-3-5-sonnet"},
        {"claude-3-haiku-20240307", "claude-3-haiku"},
        {"claude-haiku-4-5-20251001", "claude-haiku-4-5"},
        {"claude-opus-4-7", "claude-opus-4-7"},
        /* never a prefix, fuzzy or partial match */
        {"claude-sonnet", NULL},
        {"claude-sonnet-4-5x", NULL},
        {"claude-sonnet-4-5-2025092", NULL},   /* 7 digits */
        {"claude-sonnet-4-5-202509291", NULL}, /* 9 digits */
        {"claude-sonnet-4-5-2025092x", NULL},
        {"claude-sonnet-4-5-20250929-20250929", NULL},
        {"CLAUDE-SONNET-4-5", NULL},
        {"claude-sonnet-4-7", NULL},
        {"gpt-4o", NULL},
        {"", NULL},
        {"-20250101", NULL},
        {"claude-3-7-sonnet-latest-20250219", "claude-3-7-sonnet"}, /* alias after stripping */
        /* channel spellings (SPEC §3) */
        {"anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"},
        {"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"},
        {"eu.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"},
        {"apac.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"},
        {"global.anthropic.claude-opus-4-6-v1", "claude-opus-4-6"},
        {"anthropic.claude-haiku-5-5", "claude-haiku-5-5"},
        {"anthropic.claude-opus-5-5-v1:0", "claude-opus-5-5"},
        {"claude-sonnet-4-5@20250929", "claude-sonnet-4-5"},
        {"claude-opus-4-1@20250805", "claude-opus-4-1"},
        {"claude-sonnet-4-6[1m]", "claude-sonnet-4-6"},
        {"claude-opus-5-5[1m]", "claude-opus-5-5"},
        {"anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"},
        {"anthropic/claude-opus-4.1", "claude-opus-4-1"},
        {"anthropic/claude-sonnet-5.5", "claude-sonnet-5-5"},
        {"anthropic/claude-3.5-haiku", "claude-3-5-haiku"},
        {"anthropic/claude-fable-5.1", "claude-fable-5-1"},
        {"us.anthropic.claude-sonnet-4-5-20250929-v1:0[1m]", "claude-sonnet-4-5"},
        /* ... and nothing looser */
        {"xx.anthropic.claude-sonnet-4-5-20250929-v1:0", NULL},
        {"us.claude-sonnet-4-5", NULL},
        {"anthropic.claude-sonnet-4-5-20250929-v1:", NULL},
        {"anthropic.claude-sonnet-4-5-x1:0", NULL},
        {"claude-sonnet-4-5@2025092", NULL},
        {"claude-sonnet-4-5[2m]", NULL},
        {"openai/claude-sonnet-4.5", NULL},
        {"anthropic/claude-sonnet-4.7", NULL},
        {"claude-sonnet-4.5", NULL}, /* dotted only where OpenRouter writes it */
        {"anthropic.", NULL},
        {"anthropic/", NULL},
        {"[1m]", NULL},
    };
    struct price_book *pb = price_book_new_builtin();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct price_entry *e = price_book_resolve(pb, cases[i].in, 20261101);
        const char *got = e ? e->model : NULL;
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            fail_msg("resolve(\"%s\") = %s, want %s", cases[i].in, got ? got : "NULL",
                     cases[i].want ? cases[i].want : "NULL");
    }
    assert_null(price_book_resolve(pb, NULL, 20261101));
    price_book_free(pb);
}

static void costs_are_exact(void **state)
{
    (void)state;
    struct price_book *pb = price_book_new_builtin();
    const struct price_entry *s = price_book_resolve(pb, "claude-sonnet-4-5", 20261001);
    const struct price_entry *h = price_book_resolve(pb, "claude-3-haiku", 20261001);
    assert_non_null(s);
    assert_non_null(h);
    /* 1M input tokens at $3 = 3 USD = 3 * 10^12 pico. */
    assert_true(price_token_cost(s, TOK_INPUT, false, 1000000) == (cb_i128)3000000000000);
    assert_true(price_token_cost(s, TOK_INPUT, true, 1000000) == (cb_i128)1500000000000);
    /* One output token: $15 / 10^6 = 15 micro-USD = 15,000,000 pico. */
    assert_true(price_token_cost(s, TOK_OUTPUT, false, 1) == (cb_i128)15000000);
    /* Half of $0.03 stays exact: 15,000 micro-USD per million. */
    assert_int_equal(h->batch_per_mtok[TOK_CACHE_READ], 15000);
    assert_true(price_token_cost(h, TOK_CACHE_READ, true, 3) == (cb_i128)45000);
    assert_true(price_token_cost(s, TOK_CACHE_WRITE_1H, false, 0) == 0);
    /* 10^12 tokens (the per-record ceiling) at $75 does not overflow. */
    const struct price_entry *o = price_book_resolve(pb, "claude-3-opus", 20261001);
    assert_true(price_token_cost(o, TOK_OUTPUT, false, 1000000000000) ==
                (cb_i128)1000000000000 * 75000000);
    /* $10 per 1,000 searches: one search = 1 cent = 10^10 pico; 1,000 = $10. */
    assert_true(price_search_cost(s, 1) == (cb_i128)10000000000);
    assert_true(price_search_cost(s, 1000) == (cb_i128)10000000000000);
    assert_true(price_search_cost(NULL, 5) == 0);
    price_book_free(pb);
}

static void family_rate(void **state)
{
    (void)state;
    struct price_book *pb = price_book_new_builtin();
    static const struct {
        const char *family, *want;
    } cases[] = {
        {"haiku", "claude-haiku-5-5"},
        {"sonnet", "claude-sonnet-5-5"},
        {"opus", "claude-opus-5-5"},
        {"gpt", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct price_entry *e = price_book_family_rate(pb, cases[i].family, 20261015);
        if (!cases[i].want)
            assert_null(e);
        else {
            assert_non_null(e);
            assert_string_equal(e->model, cases[i].want);
        }
    }
    /* Haiku 5.5 is recommended from its release day on, Haiku 4.5 before. */
    assert_string_equal(price_book_family_rate(pb, "haiku", 20261006)->model, "claude-haiku-4-5");
    /* A newer haiku generation priced in from a date wins from that date on only. */
    json_t *doc = parse("{\"models\":{\"claude-haiku-6\":{\"input\":\"0.9\",\"output\":\"4\","
                        "\"family\":\"haiku\",\"effective_from\":\"2026-12-01\"}}}");
    struct cb_error err;
    assert_int_equal(price_book_merge_json(pb, doc, "t.json", &err), CB_OK);
    assert_string_equal(price_book_family_rate(pb, "haiku", 20261130)->model, "claude-haiku-5-5");
    assert_string_equal(price_book_family_rate(pb, "haiku", 20261201)->model, "claude-haiku-6");
    json_decref(doc);
    price_book_free(pb);
}

static void dated_overrides(void **state)
{
    (void)state;
    struct price_book *pb = price_book_new_builtin();
    const char *before = price_book_sha256(pb);
    char sha0[65];
    snprintf(sha0, sizeof sha0, "%s", before);
    assert_int_equal(strlen(sha0), 64);
    json_t *doc =
        parse("{\"checked\":\"2026-10-31\",\"models\":{"
              "\"claude-sonnet-4-5\":[{\"input\":\"2.50\",\"output\":\"12.50\",\"effective_from\":"
              "\"2026-10-15\","
              "\"batch_discount\":\"0.4\"},{\"input\":2,\"output\":10,\"effective_from\":\"2026-11-"
              "01\"}],"
              "\"claude-3-haiku\":{\"input\":\"0.20\",\"output\":\"1.00\",\"web_search\":\"12.5\"},"
              "\"claude-new\":{\"input\":\"0.000001\",\"output\":\"1\",\"aliases\":[\"new\"]}},"
              "\"aliases\":{\"sonnet\":\"claude-sonnet-4-5\"}}");
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(price_book_merge_json(pb, doc, "t.json", &err), CB_OK);
    assert_string_equal(price_book_checked(pb), "2026-10-31");
    assert_string_not_equal(price_book_sha256(pb), sha0);
    /* 23 built-ins + 2 dated sonnet entries + claude-new; claude-3-haiku was replaced. */
    assert_int_equal(price_book_count(pb), 26);

    static const struct {
        const char *model;
        int32_t day;
        int64_t input;
        const char *from;
    } cases[] = {
        {"claude-sonnet-4-5", 20261014, 3000000, ""},
        {"claude-sonnet-4-5", 20261015, 2500000, "2026-10-15"},
        {"claude-sonnet-4-5-20250929", 20261031, 2500000, "2026-10-15"},
        {"sonnet", 20261101, 2000000, "2026-11-01"},
        {"claude-sonnet-4-5", 20991231, 2000000, "2026-11-01"},
        {"claude-sonnet-4-5", 0, 2000000, "2026-11-01"}, /* day 0: the newest */
        {"claude-3-haiku", 20261001, 200000, ""},
        {"new", 20261001, 1, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct price_entry *e = price_book_resolve(pb, cases[i].model, cases[i].day);
        assert_non_null(e);
        assert_int_equal(e->per_mtok[TOK_INPUT], cases[i].input);
        assert_string_equal(e->effective_from, cases[i].from);
    }
    const struct price_entry *e = price_book_resolve(pb, "claude-sonnet-4-5", 20261020);
    /* Defaults from input: cache read 10 %, 5-minute write 125 %, 1-hour write 200 %. */
    assert_int_equal(e->per_mtok[TOK_CACHE_READ], 250000);
    assert_int_equal(e->per_mtok[TOK_CACHE_WRITE_5M], 3125000);
    assert_int_equal(e->per_mtok[TOK_CACHE_WRITE_1H], 5000000);
    assert_int_equal(e->batch_discount_e6, 400000);
    assert_int_equal(e->batch_per_mtok[TOK_INPUT], 1500000);
    assert_string_equal(e->family, "sonnet"); /* kept from the built-in entry */
    e = price_book_resolve(pb, "claude-3-haiku", 20261001);
    assert_int_equal(e->web_search_per_k, 12500000);
    assert_int_equal(e->per_mtok[TOK_CACHE_READ], 20000);
    e = price_book_resolve(pb, "new", 20261001);
    assert_string_equal(e->model, "claude-new");
    assert_int_equal(e->per_mtok[TOK_CACHE_WRITE_5M], 1); /* 1.25 micro rounds to 1 */
    assert_int_equal(e->per_mtok[TOK_CACHE_READ], 0);
    assert_string_equal(e->family, "");
    /* Book order and index after the merge. */
    for (size_t i = 0; i < price_book_count(pb); i++)
        assert_int_equal(price_book_entry(pb, i)->index, (int)i);
    json_decref(doc);
    price_book_free(pb);
}

static void sha_is_deterministic(void **state)
{
    (void)state;
    struct price_book *a = price_book_new_builtin(), *b = price_book_new_builtin();
    assert_string_equal(price_book_sha256(a), price_book_sha256(b));
    /* Same override in a different key order: same book, same hash. */
    json_t *d1 = parse("{\"models\":{\"x-1\":{\"input\":\"1\",\"output\":\"2\"},"
                       "\"x-2\":{\"input\":\"3\",\"output\":\"4\"}}}");
    json_t *d2 = parse("{\"models\":{\"x-2\":{\"output\":\"4\",\"input\":\"3\"},"
                       "\"x-1\":{\"output\":2,\"input\":1}}}");
    struct cb_error err;
    assert_int_equal(price_book_merge_json(a, d1, "a", &err), CB_OK);
    assert_int_equal(price_book_merge_json(b, d2, "b", &err), CB_OK);
    assert_string_equal(price_book_sha256(a), price_book_sha256(b));
    /* A one-micro change changes the hash. */
    json_t *d3 = parse("{\"models\":{\"x-1\":{\"input\":\"1.000001\",\"output\":\"2\"}}}");
    assert_int_equal(price_book_merge_json(b, d3, "b", &err), CB_OK);
    assert_string_not_equal(price_book_sha256(a), price_book_sha256(b));
    json_decref(d1);
    json_decref(d2);
    json_decref(d3);
    price_book_free(a);
    price_book_free(b);
}

static void override_errors(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *field, *text; /* text: a prefix of the message */
    } cases[] = {
        {"{\"models\":{\"claude-x\":{\"inptu\":\"3.00\",\"output\":\"15.00\"}}}",
         "models.claude-x.inptu", "unknown key (expected one of: input, output,"},
        {"{\"model\":{}}", "model", "unknown key (expected one of: checked, models, aliases)"},
        {"{\"models\":{\"claude-x\":{\"input\":3.5,\"output\":\"15\"}}}", "models.claude-x.input",
         "expected a decimal string; quote the price"},
        {"{\"models\":{\"claude-x\":{\"input\":\"3\",\"output\":true}}}", "models.claude-x.output",
         "expected a decimal string"},
        {"{\"models\":{\"claude-x\":{\"output\":\"15\"}}}", "models.claude-x.input", "missing"},
        {"{\"models\":{\"claude-x\":{\"input\":\"3\"}}}", "models.claude-x.output", "missing"},
        {"{\"models\":{\"claude-x\":{\"input\":\"-3\",\"output\":\"1\"}}}", "models.claude-x.input",
         "expected a non-negative decimal string"},
        {"{\"models\":{\"claude-x\":{\"input\":\"0.0000001\",\"output\":\"1\"}}}",
         "models.claude-x.input", "expected a non-negative decimal string with at most 6"},
        {"{\"models\":{\"claude-x\":[{\"input\":\"1\",\"output\":\"1\"},{\"input\":\"1\","
         "\"output\":\"1\",\"effective_from\":\"2026-02-30\"}]}}",
         "models.claude-x[1].effective_from", "expected a date"},
        {"{\"models\":{\"claude-x\":{\"input\":\"1\",\"output\":\"1\",\"batch_discount\":\"1.5\"}}"
         "}",
         "models.claude-x.batch_discount", "expected a fraction between 0 and 1"},
        {"{\"models\":{\"claude-x\":[]}}", "models.claude-x", "empty list of prices"},
        {"{\"models\":{\"claude-x\":\"3.00\"}}", "models.claude-x", "expected an object"},
        {"{\"models\":{\"claude-opus-4\":{\"input\":\"1\",\"output\":\"1\"}}}",
         "models.claude-opus-4", "\"claude-opus-4\" is an alias of claude-opus-4-0"},
        {"{\"aliases\":{\"opus\":\"claude-opus-9\"}}", "aliases.opus",
         "unknown model \"claude-opus-9\""},
        {"{\"aliases\":{\"claude-3-haiku\":\"claude-opus-4-7\"}}", "aliases.claude-3-haiku",
         "\"claude-3-haiku\" is a model id"},
        {"{\"checked\":\"Nov 2026\"}", "checked", "expected a date"},
        {"[]", "", "the price book must be a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct price_book *pb = price_book_new_builtin();
        json_t *doc = parse(cases[i].doc);
        struct cb_error err;
        cb_error_clear(&err);
        enum cb_status st = price_book_merge_json(pb, doc, "prices.json", &err);
        if (st != CB_EUSAGE)
            fail_msg("case %zu: status %d, want CB_EUSAGE", i, (int)st);
        assert_string_equal(err.file, "prices.json");
        assert_string_equal(err.field, cases[i].field);
        if (strncmp(err.text, cases[i].text, strlen(cases[i].text)) != 0)
            fail_msg("case %zu: text \"%s\", want prefix \"%s\"", i, err.text, cases[i].text);
        json_decref(doc);
        price_book_free(pb);
    }
}

static void merge_file_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_prices.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/p.json", dir);
    struct price_book *pb = price_book_new_builtin();
    struct cb_error err;

    assert_int_equal(price_book_merge_file(pb, path, &err), CB_EIO);
    assert_string_equal(err.file, path);

    FILE *f = fopen(path, "w");
    fputs("{\"models\": {}, \"models\": {}}", f);
    fclose(f);
    assert_int_equal(price_book_merge_file(pb, path, &err), CB_EUSAGE);
    assert_non_null(strstr(err.text, "duplicate"));

    f = fopen(path, "w");
    fputs("{\"models\": {\"m-1\": {\"input\": \"1\", \"output\": \"2\"}}}\n", f);
    fclose(f);
    assert_int_equal(price_book_merge_file(pb, path, &err), CB_OK);
    assert_non_null(price_book_resolve(pb, "m-1-20260101", 20260101));
    price_book_free(pb);
    remove(path);
    remove(dir);
}

/* Unit prices of every variant and each line rounded once (hand-computed, docs/prices.md). */
static void variant_units(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        int32_t day;
        enum token_class c;
        bool batch;
        enum price_band band;
        enum price_speed speed;
        enum price_geo geo;
        bool priced;
        int64_t usd_e9_per_mtok; /* the unit price in nano-USD per million tokens */
        int64_t quantity, cents;
    } cases[] = {
        /* $20 output × fast 2 × US 1.1 × batch 0.5 = $22 per Mtok; 1M tokens = $22.00 */
        {"claude-opus-5-5", 20261101, TOK_OUTPUT, true, BAND_STANDARD, SPEED_FAST, GEO_US, true,
         22000000000, 1000000, 2200},
        /* $0.50 long-prompt input × US 1.1 = $0.55; 123,457 tokens = 6.790135 cents -> 7 */
        {"claude-haiku-5-5", 20261101, TOK_INPUT, false, BAND_LONG, SPEED_STANDARD, GEO_US, true,
         550000000, 123457, 7},
        /* $0.01 cache read × batch 0.5 = $0.005; 1G tokens = $5.00 */
        {"claude-haiku-5-5", 20261101, TOK_CACHE_READ, true, BAND_STANDARD, SPEED_STANDARD,
         GEO_GLOBAL, true, 5000000, 1000000000, 500},
        /* $2.50 long-prompt output; 1,000 tokens = 0.25 cents -> 0 */
        {"claude-haiku-5-5", 20261101, TOK_OUTPUT, false, BAND_LONG, SPEED_STANDARD, GEO_GLOBAL,
         true, 2500000000, 1000, 0},
        /* $1 × batch 0.5; 10,000 tokens = 0.5 cents, half away from zero -> 1 */
        {"claude-haiku-4-5", 20261101, TOK_INPUT, true, BAND_STANDARD, SPEED_STANDARD, GEO_GLOBAL,
         true, 500000000, 10000, 1},
        /* Opus 4.6 fast at 6×: $6.25 × 6 = $37.50 5-minute writes; 2M tokens = $75.00 */
        {"claude-opus-4-6", 20260301, TOK_CACHE_WRITE_5M, false, BAND_STANDARD, SPEED_FAST,
         GEO_GLOBAL, true, 37500000000, 2000000, 7500},
        /* Sonnet 4.6 US $3.30; 15,152 tokens = 5.00016 cents -> 5 */
        {"claude-sonnet-4-6", 20261101, TOK_INPUT, false, BAND_STANDARD, SPEED_STANDARD, GEO_US,
         true, 3300000000, 15152, 5},
        /* what the entry does not price */
        {"claude-sonnet-5-5", 20261101, TOK_INPUT, false, BAND_STANDARD, SPEED_FAST, GEO_GLOBAL,
         false, 0, 0, 0},
        {"claude-opus-4-5", 20261101, TOK_INPUT, false, BAND_STANDARD, SPEED_STANDARD, GEO_US,
         false, 0, 0, 0},
        {"claude-opus-5-5", 20261101, TOK_INPUT, false, BAND_LONG, SPEED_STANDARD, GEO_GLOBAL,
         false, 0, 0, 0},
    };
    struct price_book *pb = price_book_new_builtin();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct price_entry *e = price_book_resolve(pb, cases[i].model, cases[i].day);
        assert_non_null(e);
        cb_i128 unit = -1;
        bool ok = price_unit(e, cases[i].c, cases[i].batch, cases[i].band, cases[i].speed,
                             cases[i].geo, &unit);
        if (ok != cases[i].priced)
            fail_msg("case %zu: priced %d, want %d", i, ok, cases[i].priced);
        if (!ok) {
            assert_true(unit == -1);
            continue;
        }
        /* 10^-18 USD -> 10^-9 USD */
        assert_true(unit % 1000000000 == 0);
        assert_int_equal((int64_t)(unit / 1000000000), cases[i].usd_e9_per_mtok);
        assert_int_equal((int64_t)price_line_cents(cases[i].quantity, unit), cases[i].cents);
    }
    /* The band: strictly above the threshold, counting every prompt token. */
    const struct price_entry *h = price_book_resolve(pb, "claude-haiku-5-5", 20261101);
    assert_int_equal(price_band_of(h, 100000), BAND_STANDARD);
    assert_int_equal(price_band_of(h, 100001), BAND_LONG);
    assert_int_equal(price_band_of(price_book_resolve(pb, "claude-haiku-4-5", 20261101), 900000),
                     BAND_STANDARD);
    /* The record values. */
    enum price_speed sp;
    enum price_geo g;
    assert_true(price_speed_parse("fast", 4, &sp) && sp == SPEED_FAST);
    assert_true(price_speed_parse("standard", 8, &sp) && sp == SPEED_STANDARD);
    assert_false(price_speed_parse("Fast", 4, &sp));
    assert_false(price_speed_parse("fastest", 7, &sp));
    assert_true(price_geo_parse("us", 2, &g) && g == GEO_US);
    assert_true(price_geo_parse("global", 6, &g) && g == GEO_GLOBAL);
    assert_true(price_geo_parse("not_available", 13, &g) && g == GEO_GLOBAL);
    assert_false(price_geo_parse("eu", 2, &g));
    price_book_free(pb);
}

/* The modifiers in a price document, per entry and per effective-dated element. */
static void override_modifiers(void **state)
{
    (void)state;
    struct price_book *pb = price_book_new_builtin();
    json_t *doc = parse(
        "{\"models\":{\"claude-x\":[{\"input\":\"1\",\"output\":\"5\",\"speed\":{\"fast\":\"6\"},"
        "\"inference_geo\":{\"us\":\"1.1\"},\"source\":\"contract 42\",\"checked\":\"2026-11-30\"},"
        "{\"input\":\"1\",\"output\":\"5\",\"effective_from\":\"2026-11-15\",\"long_prompt\":{"
        "\"above_tokens\":200000,\"input\":\"2\",\"output\":\"7.5\"}}]}}");
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(price_book_merge_json(pb, doc, "p.json", &err), CB_OK);
    const struct price_entry *a = price_book_resolve(pb, "claude-x", 20261101);
    assert_int_equal(a->speed_fast_e3, 6000);
    assert_int_equal(a->geo_us_e3, 1100);
    assert_int_equal(a->long_above, 0);
    assert_string_equal(a->source, "contract 42");
    assert_string_equal(a->checked, "2026-11-30");
    const struct price_entry *b = price_book_resolve(pb, "claude-x", 20261115);
    assert_int_equal(b->speed_fast_e3, 0);
    assert_int_equal(b->long_above, 200000);
    static const int64_t want[TOK_CLASS_COUNT] = {2000000, 7500000, 200000, 2500000, 4000000};
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        assert_int_equal(b->long_per_mtok[k], want[k]);
    assert_string_equal(b->source, "p.json");
    json_decref(doc);
    price_book_free(pb);

    static const struct {
        const char *doc, *field, *text;
    } bad[] = {
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"speed\":{\"turbo\":\"2\"}}}}",
         "models.m.speed.turbo", "unknown key (expected: fast)"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"speed\":{\"fast\":2.5}}}}",
         "models.m.speed.fast", "expected a multiplier"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"speed\":\"fast\"}}}",
         "models.m.speed", "expected an object"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"inference_geo\":{\"eu\":"
         "\"1.2\"}}}}",
         "models.m.inference_geo.eu", "unknown key (expected: us)"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"inference_geo\":{\"us\":"
         "\"1.0001\"}}}}",
         "models.m.inference_geo.us", "expected a multiplier"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"inference_geo\":{\"us\":"
         "\"0\"}}}}",
         "models.m.inference_geo.us", "expected a multiplier"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"long_prompt\":{\"input\":"
         "\"2\",\"output\":\"3\"}}}}",
         "models.m.long_prompt.above_tokens", "expected a whole number"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"long_prompt\":{"
         "\"above_tokens\":5,\"input\":\"2\"}}}}",
         "models.m.long_prompt.output", "missing"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"long_prompt\":{"
         "\"above_tokens\":5,\"input\":\"2\",\"output\":\"3\",\"band\":1}}}}",
         "models.m.long_prompt.band", "unknown key"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"checked\":\"yesterday\"}}}",
         "models.m.checked", "expected a date"},
        {"{\"models\":{\"m\":{\"input\":\"1\",\"output\":\"1\",\"source\":7}}}", "models.m.source",
         "expected a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pb = price_book_new_builtin();
        doc = parse(bad[i].doc);
        cb_error_clear(&err);
        assert_int_equal(price_book_merge_json(pb, doc, "p.json", &err), CB_EUSAGE);
        if (strcmp(err.field, bad[i].field) != 0 ||
            strncmp(err.text, bad[i].text, strlen(bad[i].text)) != 0)
            fail_msg("case %zu: %s: %s", i, err.field, err.text);
        json_decref(doc);
        price_book_free(pb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_list_prices), cmocka_unit_test(resolve_table),
        cmocka_unit_test(costs_are_exact),     cmocka_unit_test(family_rate),
        cmocka_unit_test(dated_overrides),     cmocka_unit_test(sha_is_deterministic),
        cmocka_unit_test(override_errors),     cmocka_unit_test(merge_file_errors),
        cmocka_unit_test(variant_units),       cmocka_unit_test(override_modifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

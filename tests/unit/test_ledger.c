/* ledger.c, idset.c and intern.c: the fold of records into a month's aggregates — fates and
 * counts, the busiest month, buckets and their order, exact pico-USD costs, groups, days,
 * routing advice, the request-id set — with prices the test defines itself.
 *
 * `test_ledger --bench [N [noid|ahead]]` folds N (default 10,000,000) synthetic records instead
 * (each with a distinct request_id; none with `noid`; with `ahead`, each hinted through
 * ledger_builder_prefetch 8 records before it is added) and prints records/s and peak RSS. It
 * is run by hand, never by ctest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>

#include "idset.h"
#include "intern.h"
#include "ledger.h"
#include "record.h"
#include "xalloc.h"

static const struct price_entry sonnet = {
    .model = "claude-sonnet-4-6",
    .per_mtok = {3000000, 15000000, 300000, 3750000, 6000000},
    .batch_per_mtok = {1500000, 7500000, 150000, 1875000, 3000000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "sonnet",
    .index = 2,
};

static const struct price_entry sonnet_oct15 = {
    .model = "claude-sonnet-4-6",
    .effective_from = "2026-10-15",
    .effective_day = 20261015,
    .per_mtok = {2000000, 10000000, 200000, 2500000, 4000000},
    .batch_per_mtok = {1000000, 5000000, 100000, 1250000, 2000000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "sonnet",
    .index = 3,
};

static const struct price_entry haiku = {
    .model = "claude-haiku-4-5",
    .per_mtok = {1000000, 5000000, 100000, 1250000, 2000000},
    .batch_per_mtok = {500000, 2500000, 50000, 625000, 1000000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "haiku",
    .index = 1,
};

/* Two shared pools (project p0 and p1) and internal rates of 0.0001 and 0.0002 USD a call. */
static const char *const test_config =
    "{\"shared\": [{\"match\": {\"project\": \"p0\"}, \"split\": \"even\"},"
    "              {\"match\": {\"project\": \"p1\"}, \"split\": \"even\"}],"
    " \"internal_rates\": {\"skill_invocation\": \"0.0001\", \"mcp_operation\": \"0.0002\"}}";

struct env {
    struct config *c;
    struct price_book *pb;
};

static int env_setup(void **state)
{
    struct env *e = xcalloc(1, sizeof *e);
    json_error_t je;
    json_t *doc = json_loads(test_config, 0, &je);
    if (!doc)
        return -1;
    struct cb_error err;
    cb_error_clear(&err);
    if (config_from_json(doc, "test.json", &e->c, &err) != CB_OK)
        return -1;
    json_decref(doc);
    e->pb = price_book_new_builtin();
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;
    config_free(e->c);
    price_book_free(e->pb);
    free(e);
    return 0;
}

/* A record of one request on 2026-10-`day` with `in` input and `out` output tokens. */
static struct record rec(const struct price_entry *p, int month, int day, int64_t in, int64_t out)
{
    struct record r;
    memset(&r, 0, sizeof r);
    r.shared_index = -1;
    r.price = p;
    r.year = 2026;
    r.month = month;
    r.day = day;
    r.requests = 1;
    r.tokens[TOK_INPUT] = in;
    r.tokens[TOK_OUTPUT] = out;
    return r;
}

static void tag(struct record *r, enum tag t, const char *v)
{
    r->tags[t] = v;
    r->tag_len[t] = v ? strlen(v) : 0;
}

/* A well-spread 128-bit hash of n (splitmix64 of n and of ~n). */
static void hash_of(uint64_t n, uint8_t out[16])
{
    uint64_t w[2] = {n, ~n};
    for (int i = 0; i < 2; i++) {
        uint64_t z = w[i] + 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        memcpy(out + 8 * i, &z, 8);
    }
}

static void id(struct record *r, uint64_t n)
{
    r->has_id = true;
    hash_of(n, r->id_hash);
}

static struct ledger *finish(struct ledger_builder *b)
{
    struct ledger *l = NULL;
    struct cb_error err;
    cb_error_clear(&err);
    if (ledger_builder_finish(b, &l, &err) != CB_OK)
        fail_msg("finish: %s", err.text);
    return l;
}

static void assert_counts_add_up(const struct ledger *l)
{
    const struct ledger_counts *c = &l->counts;
    assert_int_equal(c->billed + c->rejected + c->duplicates + c->outside_period, c->records_read);
}

/* ---- fates and counts ---- */

static void test_fates_fixed_period(void **state)
{
    struct env *e = *state;
    static const struct {
        int month;
        int64_t id; /* 0: no request_id */
        enum ledger_fate want;
    } cases[] = {
        {10, 1, LEDGER_BILLED},  {10, 2, LEDGER_BILLED},    {10, 1, LEDGER_DUPLICATE},
        {9, 3, LEDGER_OUTSIDE},  {10, 3, LEDGER_DUPLICATE}, /* seen in another month */
        {10, 0, LEDGER_BILLED},  {10, 0, LEDGER_BILLED},    /* no id: never a duplicate */
        {11, 0, LEDGER_OUTSIDE}, {11, 2, LEDGER_DUPLICATE}, /* duplicate is checked first */
        {10, 4, LEDGER_BILLED},
    };
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    int64_t want[3] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct record r = rec(&sonnet, cases[i].month, 3, 10, 10);
        if (cases[i].id)
            id(&r, (uint64_t)cases[i].id);
        ledger_builder_prefetch(b, &r); /* a hint only: changes nothing */
        assert_int_equal(ledger_builder_add(b, &r), cases[i].want);
        want[cases[i].want]++;
    }
    ledger_builder_reject(b, REJ_NOT_JSON, "a.jsonl:1: not JSON");
    struct ledger *l = finish(b);
    assert_int_equal(l->year, 2026);
    assert_int_equal(l->month, 10);
    assert_int_equal(l->days_in_month, 31);
    assert_int_equal(l->counts.records_read, 11);
    assert_int_equal(l->counts.billed, want[LEDGER_BILLED]);
    assert_int_equal(l->counts.duplicates, want[LEDGER_DUPLICATE]);
    assert_int_equal(l->counts.outside_period, want[LEDGER_OUTSIDE]);
    assert_int_equal(l->counts.rejected, 1);
    assert_counts_add_up(l);
    assert_int_equal(ledger_unallocated(l)->usage.requests, want[LEDGER_BILLED]);
    ledger_free(l);
}

/* The same ids over two files: every repeat is a duplicate, whichever file or month. */
static void test_duplicates_across_files(void **state)
{
    struct env *e = *state;
    char sha_a[65], sha_b[65];
    memset(sha_a, 'a', 64);
    memset(sha_b, 'b', 64);
    sha_a[64] = sha_b[64] = '\0';
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 0, 0);
    size_t f0 = ledger_builder_add_file(b, "a.jsonl", "jsonl");
    for (int i = 0; i < 100; i++) {
        struct record r = rec(&sonnet, 9 + i % 2, 1, 1, 1);
        id(&r, (uint64_t)i);
        assert_int_equal(ledger_builder_add(b, &r), LEDGER_BILLED);
    }
    ledger_builder_file_done(b, f0, sha_a, 10, 100);
    size_t f1 = ledger_builder_add_file(b, "-", "json-array");
    for (int i = 0; i < 150; i++) {
        struct record r = rec(&sonnet, 9 + (i + 1) % 2, 1, 1, 1); /* other month, same id */
        id(&r, (uint64_t)i);
        assert_int_equal(ledger_builder_add(b, &r), i < 100 ? LEDGER_DUPLICATE : LEDGER_BILLED);
    }
    ledger_builder_file_done(b, f1, sha_b, 20, 150);
    struct ledger *l = finish(b);
    assert_int_equal(l->counts.records_read, 250);
    assert_int_equal(l->counts.duplicates, 100);
    /* months: 9 holds 50 + 25, 10 holds 50 + 25; a tie goes to September */
    assert_int_equal(l->month, 9);
    assert_int_equal(l->days_in_month, 30);
    assert_int_equal(l->counts.billed, 75);
    assert_int_equal(l->counts.outside_period, 75);
    assert_counts_add_up(l);
    assert_int_equal(l->n_files, 2);
    assert_string_equal(l->files[0].path, "a.jsonl");
    assert_string_equal(l->files[0].format, "jsonl");
    assert_string_equal(l->files[0].sha256, sha_a);
    assert_string_equal(l->files[1].sha256, sha_b);
    assert_int_equal(l->files[0].records, 100);
    assert_string_equal(l->files[1].path, "-");
    assert_string_equal(l->files[1].format, "json-array");
    assert_int_equal(l->files[1].bytes, 20);
    ledger_free(l);
}

/* ---- the busiest month ---- */

static void test_auto_month(void **state)
{
    struct env *e = *state;
    static const struct {
        const char *desc;
        int months[8]; /* records' months, 0-terminated */
        int want_year, want_month;
        int64_t want_billed;
    } cases[] = {
        {"one month", {10, 0}, 2026, 10, 1},
        {"busiest wins", {9, 10, 10, 11, 10, 9, 0}, 2026, 10, 3},
        {"tie to the earlier month", {11, 10, 11, 10, 0}, 2026, 10, 2},
        {"tie across a year", {13, 12, 0}, 2026, 12, 1}, /* 13 stands for 2027-01 */
        {"a later year", {14, 14, 9, 0}, 2027, 2, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 0, 0);
        int64_t n = 0;
        for (int k = 0; cases[i].months[k]; k++, n++) {
            int m = cases[i].months[k];
            struct record r = rec(&sonnet, m > 12 ? m - 12 : m, 1, 1000, 0);
            r.year = m > 12 ? 2027 : 2026;
            tag(&r, TAG_TEAM, k % 2 ? "a" : "b");
            assert_int_equal(ledger_builder_add(b, &r), LEDGER_BILLED);
        }
        struct ledger *l = finish(b);
        assert_int_equal(l->year, cases[i].want_year);
        assert_int_equal(l->month, cases[i].want_month);
        assert_int_equal(l->counts.billed, cases[i].want_billed);
        assert_int_equal(l->counts.outside_period, n - cases[i].want_billed);
        assert_counts_add_up(l);
        /* only the chosen month's records are in the aggregates */
        int64_t requests = 0;
        cb_i128 cost = 0;
        for (size_t k = 0; k < l->n_buckets; k++) {
            requests += l->buckets[k].usage.requests;
            cost += l->buckets[k].cost;
        }
        assert_int_equal(requests, cases[i].want_billed);
        assert_true(cost == l->total_cost);
        assert_true(l->total_cost == (cb_i128)cases[i].want_billed * 1000 * 3000000);
        ledger_free(l);
    }
}

static void test_no_records(void **state)
{
    struct env *e = *state;
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 0, 0);
    ledger_builder_reject(b, REJ_NOT_JSON, "a:1: not JSON");
    struct ledger *l = (struct ledger *)&l;
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(ledger_builder_finish(b, &l, &err), CB_EUSAGE);
    assert_null(l);
    assert_string_equal(err.text, "no usage records in the inputs: 1 read, all rejected, e.g. "
                                  "a:1: not JSON (with --month YYYY-MM, check lists each reason)");

    /* nothing read at all */
    b = ledger_builder_new(e->c, e->pb, 0, 0);
    l = (struct ledger *)&l;
    assert_int_equal(ledger_builder_finish(b, &l, &err), CB_EUSAGE);
    assert_null(l);
    assert_string_equal(err.text, "no usage records in the inputs");

    /* with a month given, an empty month is a valid (empty) ledger */
    b = ledger_builder_new(e->c, e->pb, 2024, 2);
    l = finish(b);
    assert_int_equal(l->days_in_month, 29);
    assert_int_equal(l->n_buckets, 1);
    assert_int_equal(ledger_unallocated(l)->kind, BUCKET_UNALLOCATED);
    assert_int_equal(ledger_unallocated(l)->usage.requests, 0);
    assert_null(ledger_team(l, "a"));
    assert_int_equal(l->n_teams_seen, 0);
    ledger_free(l);

    ledger_free(NULL);
    ledger_builder_free(NULL);
    ledger_builder_free(ledger_builder_new(e->c, e->pb, 0, 0));
}

/* A month whose sums would pass 10^18 stops the run instead of wrapping an int64 around: one
 * million records of 10^12 tokens in each of the five classes is 5 x 10^18. */
static void test_quantity_cap(void **state)
{
    struct env *e = *state;
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    struct record r = rec(&sonnet, 10, 1, 1000000000000LL, 1000000000000LL);
    for (int k = TOK_CACHE_READ; k < TOK_CLASS_COUNT; k++)
        r.tokens[k] = 1000000000000LL;
    for (int i = 0; i < 1000000; i++)
        ledger_builder_add(b, &r);
    struct ledger *l = (struct ledger *)&l;
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(ledger_builder_finish(b, &l, &err), CB_EUSAGE);
    assert_null(l);
    assert_non_null(strstr(err.text, "10^18"));

    /* two parts each under the cap, together over it: the merge notices */
    b = ledger_builder_new(e->c, e->pb, 2026, 10);
    r = rec(&sonnet, 10, 1, 1000000000000LL, 0);
    struct ledger_part *p1 = ledger_part_new(b), *p2 = ledger_part_new(b);
    for (int i = 0; i < 600000; i++) {
        assert_int_equal(ledger_builder_check(b, &r), LEDGER_BILLED);
        ledger_part_fold(i % 2 ? p1 : p2, &r);
        assert_int_equal(ledger_builder_check(b, &r), LEDGER_BILLED);
        ledger_part_fold(i % 2 ? p2 : p1, &r);
    }
    ledger_builder_merge(b, p1);
    ledger_builder_merge(b, p2);
    l = (struct ledger *)&l;
    assert_int_equal(ledger_builder_finish(b, &l, &err), CB_EUSAGE);
    assert_null(l);

    /* just under the cap is fine and exact */
    b = ledger_builder_new(e->c, e->pb, 2026, 10);
    r = rec(&sonnet, 10, 1, 1000000000000LL, 0);
    for (int i = 0; i < 999999; i++)
        ledger_builder_add(b, &r);
    l = finish(b);
    assert_true(ledger_team(l, "a") || ledger_unallocated(l)->usage.tokens[TOK_INPUT] > 0);
    int64_t in = 0;
    for (size_t i = 0; i < l->n_buckets; i++)
        in += l->buckets[i].usage.tokens[TOK_INPUT];
    assert_true(in == 999999LL * 1000000000000LL);
    ledger_free(l);
}

/* ---- buckets ---- */

static void test_buckets(void **state)
{
    struct env *e = *state;
    static const struct {
        const char *team;
        int shared;
    } in[] = {
        {"zeta", -1}, {NULL, -1}, {"alpha", 1}, {"alpha", -1}, {"Mid", -1},
        {"zeta", -1}, {NULL, 0},  {"beta", 1},  {"alpha", -1},
    };
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct record r = rec(&sonnet, 10, 1, 1000000, 0); /* 3 USD each */
        tag(&r, TAG_TEAM, in[i].team);
        r.shared_index = in[i].shared;
        ledger_builder_add(b, &r);
    }
    struct ledger *l = finish(b);
    static const struct {
        enum bucket_kind kind;
        const char *team;
        int shared;
        int64_t requests;
    } want[] = {
        {BUCKET_TEAM, "Mid", -1, 1},  {BUCKET_TEAM, "alpha", -1, 2},
        {BUCKET_TEAM, "zeta", -1, 2}, {BUCKET_SHARED, NULL, 0, 1},
        {BUCKET_SHARED, NULL, 1, 2},  {BUCKET_UNALLOCATED, NULL, -1, 1},
    };
    assert_int_equal(l->n_buckets, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l->n_buckets; i++) {
        const struct ledger_bucket *bk = &l->buckets[i];
        assert_int_equal(bk->kind, want[i].kind);
        if (want[i].team)
            assert_string_equal(bk->team, want[i].team);
        if (want[i].kind == BUCKET_SHARED)
            assert_int_equal(bk->shared_index, want[i].shared);
        assert_int_equal(bk->usage.requests, want[i].requests);
        assert_true(bk->cost == (cb_i128)want[i].requests * 3 * 1000000000000);
    }
    assert_ptr_equal(ledger_team(l, "alpha"), &l->buckets[1]);
    assert_ptr_equal(ledger_team(l, "zeta"), &l->buckets[2]);
    assert_ptr_equal(ledger_team(l, "Mid"), &l->buckets[0]);
    assert_null(ledger_team(l, "beta")); /* only ever in a shared pool */
    assert_ptr_equal(ledger_unallocated(l), &l->buckets[5]);
    /* teams seen: every team tag of a billed record, shared or not, sorted */
    static const char *const seen[] = {"Mid", "alpha", "beta", "zeta"};
    assert_int_equal(l->n_teams_seen, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(l->teams_seen[i], seen[i]);
    assert_true(l->tag_cost[TAG_TEAM] == (cb_i128)7 * 3 * 1000000000000);
    assert_true(l->total_cost == (cb_i128)9 * 3 * 1000000000000);
    ledger_free(l);
}

/* ---- lines, groups, days and exact costs ---- */

static void test_lines_sorted(void **state)
{
    struct env *e = *state;
    static const struct {
        const struct price_entry *p;
        bool batch;
    } in[] = {
        {&sonnet_oct15, true}, {&haiku, false}, {&sonnet, true}, {&sonnet_oct15, false},
        {&sonnet, false},      {&haiku, true},  {&sonnet, true},
    };
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct record r = rec(in[i].p, 10, 20, 100, 10);
        r.batch = in[i].batch;
        r.requests = (int64_t)i + 1;
        tag(&r, TAG_TEAM, "t");
        ledger_builder_add(b, &r);
    }
    struct ledger *l = finish(b);
    const struct ledger_bucket *t = ledger_team(l, "t");
    assert_non_null(t);
    static const struct {
        const struct price_entry *p;
        bool batch;
        int64_t requests;
    } want[] = {
        {&haiku, false, 2},        {&haiku, true, 6},      {&sonnet, false, 5},
        {&sonnet_oct15, false, 4}, {&sonnet, true, 3 + 7}, {&sonnet_oct15, true, 1},
    };
    assert_int_equal(t->n_lines, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t->n_lines; i++) {
        assert_ptr_equal(t->lines[i].price, want[i].p);
        assert_int_equal(t->lines[i].batch, want[i].batch);
        assert_int_equal(t->lines[i].requests, want[i].requests);
        assert_int_equal(t->lines[i].tokens[TOK_INPUT],
                         100 * (t->lines[i].price == &sonnet && t->lines[i].batch ? 2 : 1));
    }
    ledger_free(l);
}

static void test_costs_exact(void **state)
{
    struct env *e = *state;
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);

    /* r1: list prices, every token class, searches and internal rates */
    struct record r1 = rec(&sonnet, 10, 5, 1234567, 89012);
    r1.requests = 3;
    r1.tokens[TOK_CACHE_READ] = 5000001;
    r1.tokens[TOK_CACHE_WRITE_5M] = 777;
    r1.tokens[TOK_CACHE_WRITE_1H] = 31;
    r1.web_search = 7;
    r1.skill = 11;
    r1.mcp = 13;
    tag(&r1, TAG_TEAM, "t");
    tag(&r1, TAG_PROJECT, "proj");
    tag(&r1, TAG_USER, "ann");
    tag(&r1, TAG_COST_CENTER, "cc");
    /* tokens × micro-USD per Mtok = pico-USD */
    cb_i128 tok1 = (cb_i128)1234567 * 3000000 + (cb_i128)89012 * 15000000 +
                   (cb_i128)5000001 * 300000 + (cb_i128)777 * 3750000 + (cb_i128)31 * 6000000;
    cb_i128 search1 = (cb_i128)7 * 10000000 * 1000; /* 10 USD per 1,000 */
    cb_i128 internal1 = (cb_i128)11 * 100 * 1000000 + (cb_i128)13 * 200 * 1000000;
    cb_i128 cost1 = tok1 + search1 + internal1;

    /* r2: batch prices, same team and project, no user */
    struct record r2 = rec(&sonnet, 10, 5, 2000000, 1000000);
    r2.batch = true;
    r2.web_search = 1;
    tag(&r2, TAG_TEAM, "t");
    tag(&r2, TAG_PROJECT, "proj");
    cb_i128 tok2 = (cb_i128)2000000 * 1500000 + (cb_i128)1000000 * 7500000;
    cb_i128 cost2 = tok2 + (cb_i128)1 * 10000000 * 1000;

    assert_int_equal(ledger_builder_add(b, &r1), LEDGER_BILLED);
    assert_int_equal(ledger_builder_add(b, &r2), LEDGER_BILLED);
    struct ledger *l = finish(b);
    const struct ledger_bucket *t = ledger_team(l, "t");
    assert_true(t->cost == cost1 + cost2);
    assert_true(l->total_cost == cost1 + cost2);
    assert_true(l->tag_cost[TAG_TEAM] == cost1 + cost2);
    assert_true(l->tag_cost[TAG_PROJECT] == cost1 + cost2);
    assert_true(l->tag_cost[TAG_USER] == cost1);
    assert_true(l->tag_cost[TAG_COST_CENTER] == cost1);
    assert_true(l->tag_cost[TAG_REGION] == 0);
    assert_int_equal(t->usage.requests, 4);
    assert_int_equal(t->usage.tokens[TOK_INPUT], 3234567);
    assert_int_equal(t->usage.web_search, 8);
    assert_int_equal(t->usage.skill, 11);
    assert_int_equal(t->usage.mcp, 13);
    assert_true(ledger_bucket_day(t, 5)->cost == cost1 + cost2);
    assert_int_equal(ledger_bucket_day(t, 5)->usage.requests, 4);
    assert_int_equal(t->day_mask, 1u << 4); /* only the day with records is held */
    assert_true(ledger_bucket_day(t, 4)->cost == 0);

    /* project: one group holding both */
    assert_int_equal(t->n_groups[DIM_PROJECT], 1);
    const struct ledger_group *g = &t->groups[DIM_PROJECT][0];
    assert_string_equal(g->key, "proj");
    assert_true(g->cost == cost1 + cost2);
    assert_true(g->cost_batch == cost2);
    assert_true(g->cost_nonbatch_tokens == tok1);
    assert_true(g->uncached_input_cost == (cb_i128)1234567 * 3000000);
    assert_int_equal(g->batch_requests, 1);
    /* user: NULL first, then "ann" */
    assert_int_equal(t->n_groups[DIM_USER], 2);
    assert_null(t->groups[DIM_USER][0].key);
    assert_true(t->groups[DIM_USER][0].cost == cost2);
    assert_string_equal(t->groups[DIM_USER][1].key, "ann");
    assert_true(t->groups[DIM_USER][1].cost == cost1);
    assert_int_equal(t->groups[DIM_USER][1].usage.requests, 3);
    /* absent workflow: one NULL group with everything */
    assert_int_equal(t->n_groups[DIM_WORKFLOW], 1);
    assert_null(t->groups[DIM_WORKFLOW][0].key);
    assert_true(t->groups[DIM_WORKFLOW][0].cost == cost1 + cost2);
    /* lines: non-batch first */
    assert_int_equal(t->n_lines, 2);
    assert_false(t->lines[0].batch);
    assert_int_equal(t->lines[0].tokens[TOK_CACHE_READ], 5000001);
    assert_int_equal(t->lines[0].web_search, 7);
    assert_true(t->lines[1].batch);
    assert_int_equal(t->lines[1].tokens[TOK_OUTPUT], 1000000);
    ledger_free(l);
}

static void test_groups_sorted(void **state)
{
    struct env *e = *state;
    static const char *const users[] = {"zoe", NULL, "Bob", "ann", "zoe", "ann", NULL, "ann2"};
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        struct record r = rec(&sonnet, 10, 1, 1, 1);
        tag(&r, TAG_USER, users[i]);
        tag(&r, TAG_ENVIRONMENT, i % 2 ? "prod" : "dev");
        ledger_builder_add(b, &r);
    }
    struct ledger *l = finish(b);
    const struct ledger_bucket *u = ledger_unallocated(l);
    static const struct {
        const char *key;
        int64_t requests;
    } want[] = {{NULL, 2}, {"Bob", 1}, {"ann", 2}, {"ann2", 1}, {"zoe", 2}};
    assert_int_equal(u->n_groups[DIM_USER], 5);
    for (size_t i = 0; i < 5; i++) {
        if (want[i].key)
            assert_string_equal(u->groups[DIM_USER][i].key, want[i].key);
        else
            assert_null(u->groups[DIM_USER][i].key);
        assert_int_equal(u->groups[DIM_USER][i].usage.requests, want[i].requests);
    }
    assert_int_equal(u->n_groups[DIM_ENVIRONMENT], 2);
    assert_string_equal(u->groups[DIM_ENVIRONMENT][0].key, "dev");
    assert_string_equal(u->groups[DIM_ENVIRONMENT][1].key, "prod");
    /* keys are copies, not the caller's strings */
    assert_ptr_not_equal(u->groups[DIM_USER][2].key, users[3]);
    ledger_free(l);
}

/* Tables of groups and lines are searched in order up to eight keys and by a map beyond
 * (SMALL_TABLE in ledger.c): 40 users (and a NULL one) and 16 lines (two prices, batch or
 * not, two bands, two speeds) on 20 days, every key twice, land in one group or line each on
 * both sides of the switch. */
static void test_tables_past_eight_keys(void **state)
{
    struct env *e = *state;
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    char names[40][8];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i <= 40; i++) {
            struct record r = rec(i % 2 ? &sonnet_oct15 : &sonnet, 10, 1 + i % 20, 10, 1);
            r.batch = i % 4 < 2;
            r.band = i % 8 >= 4; /* with the speed: 16 lines */
            r.speed = i % 16 >= 8;
            snprintf(names[i % 40], sizeof names[0], "u%02d", i);
            tag(&r, TAG_USER, i == 40 ? NULL : names[i % 40]);
            tag(&r, TAG_TEAM, "t");
            ledger_builder_add(b, &r);
        }
    struct ledger *l = finish(b);
    const struct ledger_bucket *t = ledger_team(l, "t");
    assert_non_null(t);
    assert_int_equal(t->n_groups[DIM_USER], 41);
    assert_null(t->groups[DIM_USER][0].key);
    for (size_t i = 0; i < 41; i++)
        assert_int_equal(t->groups[DIM_USER][i].usage.requests, 2);
    assert_string_equal(t->groups[DIM_USER][1].key, "u00");
    assert_string_equal(t->groups[DIM_USER][40].key, "u39");
    assert_int_equal(t->n_lines, 16);
    int64_t requests = 0;
    for (size_t i = 0; i < t->n_lines; i++)
        requests += t->lines[i].requests;
    assert_int_equal(requests, 82);
    assert_int_equal(t->day_mask, (1u << 20) - 1);
    assert_int_equal(ledger_bucket_day(t, 1)->usage.requests, 6); /* i = 0, 20, 40, twice */
    assert_int_equal(ledger_bucket_day(t, 20)->usage.requests, 4);
    assert_int_equal(ledger_bucket_day(t, 21)->usage.requests, 0);
    ledger_free(l);
}

/* The same records in two orders, or folded into three parts merged in reverse, give the same
 * ledger, element for element: nothing follows hash order, arrival order or threads. `year` 0
 * lets the builder pick the busiest month (some records are of September either way). */
enum fold_mode { FOLD_IN_ORDER, FOLD_REVERSED, FOLD_IN_PARTS };

static struct ledger *fold_shuffled(struct env *e, enum fold_mode mode, int year)
{
    static const char *const teams[] = {"t3", NULL, "t1", "t2"};
    static const char *const users[] = {"u9", "u1", NULL, "u5", "u3", "u7", "u2"};
    static const char *const wfs[] = {"w2", "w1", NULL};
    const struct price_entry *prices[] = {&sonnet, &haiku, &sonnet_oct15};
    enum { N = 420, PARTS = 3 };
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, year, year ? 10 : 0);
    struct ledger_part *parts[PARTS] = {0};
    for (int k = 0; mode == FOLD_IN_PARTS && k < PARTS; k++)
        parts[k] = ledger_part_new(b);
    for (int k = 0; k < N; k++) {
        int i = mode == FOLD_REVERSED ? N - 1 - k : k;
        struct record r = rec(prices[i % 3], i % 13 == 0 ? 9 : 10, 1 + i % 28, 100 + i, 10 + i % 7);
        r.batch = i % 5 == 0;
        r.shared_index = i % 11 == 0 ? i % 2 : -1;
        tag(&r, TAG_TEAM, teams[i % 4]);
        tag(&r, TAG_USER, users[i % 7]);
        tag(&r, TAG_WORKFLOW, wfs[i % 3]);
        if (mode != FOLD_IN_PARTS)
            ledger_builder_add(b, &r);
        else if (ledger_builder_check(b, &r) == LEDGER_BILLED)
            ledger_part_fold(parts[(k * 7) % PARTS], &r);
    }
    for (int k = PARTS - 1; mode == FOLD_IN_PARTS && k >= 0; k--)
        ledger_builder_merge(b, parts[k]);
    return finish(b);
}

static void assert_same_ledger(const struct ledger *a, const struct ledger *z)
{
    assert_int_equal(a->year, z->year);
    assert_int_equal(a->month, z->month);
    assert_memory_equal(&a->counts.records_read, &z->counts.records_read,
                        offsetof(struct ledger_counts, examples) -
                            offsetof(struct ledger_counts, records_read));
    assert_int_equal(a->n_buckets, z->n_buckets);
    for (size_t i = 0; i < a->n_buckets; i++) {
        const struct ledger_bucket *x = &a->buckets[i], *y = &z->buckets[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->shared_index, y->shared_index);
        if (x->team)
            assert_string_equal(x->team, y->team);
        else
            assert_null(y->team);
        assert_true(x->cost == y->cost);
        assert_memory_equal(&x->usage, &y->usage, sizeof x->usage);
        assert_int_equal(x->day_mask, y->day_mask);
        for (int d = 1; d <= 31; d++) {
            const struct ledger_day *xd = ledger_bucket_day(x, d), *yd = ledger_bucket_day(y, d);
            assert_memory_equal(&xd->usage, &yd->usage, sizeof xd->usage);
            assert_true(xd->cost == yd->cost);
        }
        assert_true(x->routing_saving == y->routing_saving);
        assert_int_equal(x->routing_requests, y->routing_requests);
        assert_int_equal(x->n_lines, y->n_lines);
        for (size_t k = 0; k < x->n_lines; k++) {
            assert_ptr_equal(x->lines[k].price, y->lines[k].price);
            assert_int_equal(x->lines[k].batch, y->lines[k].batch);
            assert_int_equal(x->lines[k].requests, y->lines[k].requests);
            assert_memory_equal(x->lines[k].tokens, y->lines[k].tokens, sizeof x->lines[k].tokens);
            assert_int_equal(x->lines[k].web_search, y->lines[k].web_search);
        }
        for (int d = 0; d < DIM_COUNT; d++) {
            assert_int_equal(x->n_groups[d], y->n_groups[d]);
            for (size_t k = 0; k < x->n_groups[d]; k++) {
                const struct ledger_group *g = &x->groups[d][k], *h = &y->groups[d][k];
                if (g->key)
                    assert_string_equal(g->key, h->key);
                else
                    assert_null(h->key);
                if (k > 0 && x->groups[d][k - 1].key)
                    assert_true(strcmp(x->groups[d][k - 1].key, g->key) < 0);
                assert_memory_equal(&g->usage, &h->usage, sizeof g->usage);
                assert_true(g->cost == h->cost && g->cost_batch == h->cost_batch &&
                            g->cost_nonbatch_tokens == h->cost_nonbatch_tokens &&
                            g->uncached_input_cost == h->uncached_input_cost);
                assert_int_equal(g->batch_requests, h->batch_requests);
            }
        }
    }
    assert_int_equal(a->n_teams_seen, z->n_teams_seen);
    for (size_t i = 0; i < a->n_teams_seen; i++)
        assert_string_equal(a->teams_seen[i], z->teams_seen[i]);
    assert_true(a->total_cost == z->total_cost);
    for (int t = 0; t < TAG_COUNT; t++)
        assert_true(a->tag_cost[t] == z->tag_cost[t]);
}

static void test_order_independent(void **state)
{
    struct env *e = *state;
    for (int year = 0; year <= 2026; year += 2026) {
        struct ledger *a = fold_shuffled(e, FOLD_IN_ORDER, year);
        struct ledger *z = fold_shuffled(e, FOLD_REVERSED, year);
        struct ledger *p = fold_shuffled(e, FOLD_IN_PARTS, year);
        assert_int_equal(a->n_buckets, 3 + 2 + 1);
        assert_int_equal(a->n_teams_seen, 3);
        assert_int_equal(a->month, 10);
        assert_int_equal(a->counts.outside_period, 33); /* i % 13 == 0 for i < 420 */
        assert_same_ledger(a, z);
        assert_same_ledger(a, p);
        ledger_free(a);
        ledger_free(z);
        ledger_free(p);
    }
}

/* ---- model routing ---- */

static void test_routing(void **state)
{
    struct env *e = *state;
    const struct price_entry *h = price_book_family_rate(e->pb, "haiku", 20261007);
    assert_non_null(h);
    static const struct {
        const char *desc;
        const struct price_entry *p;
        bool batch;
        int64_t requests, in, out;
        bool counted;
    } cases[] = {
        {"small sonnet request", &sonnet, false, 1, 999, 499, true},
        {"small batch, two requests", &sonnet, true, 2, 1999, 999, true},
        {"input at the limit", &sonnet, false, 1, 1000, 10, false},
        {"output at the limit", &sonnet, false, 1, 10, 500, false},
        {"haiku itself", &haiku, false, 1, 10, 10, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
        struct record r = rec(cases[i].p, 10, 7, cases[i].in, cases[i].out);
        r.batch = cases[i].batch;
        r.requests = cases[i].requests;
        r.tokens[TOK_CACHE_READ] = 123;
        tag(&r, TAG_TEAM, "t");
        ledger_builder_add(b, &r);
        struct ledger *l = finish(b);
        const struct ledger_bucket *t = ledger_team(l, "t");
        const int64_t *mine = cases[i].batch ? cases[i].p->batch_per_mtok : cases[i].p->per_mtok;
        const int64_t *theirs = cases[i].batch ? h->batch_per_mtok : h->per_mtok;
        cb_i128 saving = (cb_i128)cases[i].in * (mine[TOK_INPUT] - theirs[TOK_INPUT]) +
                         (cb_i128)cases[i].out * (mine[TOK_OUTPUT] - theirs[TOK_OUTPUT]) +
                         (cb_i128)123 * (mine[TOK_CACHE_READ] - theirs[TOK_CACHE_READ]);
        if (cases[i].counted) {
            assert_true(saving > 0);
            assert_true(t->routing_saving == saving);
            assert_int_equal(t->routing_requests, cases[i].requests);
        } else {
            assert_true(t->routing_saving == 0);
            assert_int_equal(t->routing_requests, 0);
        }
        ledger_free(l);
    }
}

/* ---- rejects ---- */

static void test_rejects(void **state)
{
    struct env *e = *state;
    struct ledger_builder *b = ledger_builder_new(e->c, e->pb, 2026, 10);
    char buf[64];
    for (int i = 0; i < 5; i++) {
        snprintf(buf, sizeof buf, "a.jsonl:%d: unknown model", i + 1);
        ledger_builder_reject(b, REJ_UNKNOWN_MODEL, buf);
    }
    ledger_builder_reject(b, REJ_BAD_UTF8, NULL);
    ledger_builder_reject(b, REJ_BAD_UTF8, "b.jsonl:9: invalid UTF-8");
    struct ledger *l = finish(b);
    assert_int_equal(l->counts.rejected, 7);
    assert_int_equal(l->counts.records_read, 7);
    assert_int_equal(l->counts.by_reason[REJ_UNKNOWN_MODEL], 5);
    assert_int_equal(l->counts.by_reason[REJ_BAD_UTF8], 2);
    for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++) {
        snprintf(buf, sizeof buf, "a.jsonl:%d: unknown model", k + 1);
        assert_string_equal(l->counts.examples[REJ_UNKNOWN_MODEL][k], buf);
    }
    assert_string_equal(l->counts.examples[REJ_BAD_UTF8][0], "b.jsonl:9: invalid UTF-8");
    assert_null(l->counts.examples[REJ_BAD_UTF8][1]);
    assert_null(l->counts.examples[REJ_NOT_JSON][0]);
    assert_counts_add_up(l);
    ledger_free(l);

    for (int r = 0; r < REJ_COUNT; r++) {
        assert_true(strlen(ledger_reject_reason_name((enum reject_reason)r)) > 0);
        for (int s = 0; s < r; s++)
            assert_string_not_equal(ledger_reject_reason_name((enum reject_reason)r),
                                    ledger_reject_reason_name((enum reject_reason)s));
    }
    assert_string_equal(ledger_reject_reason_name(REJ_UNKNOWN_MODEL), "unknown model");
    assert_string_equal(ledger_reject_reason_name(REJ_NOT_JSON), "not JSON");
}

/* ---- the id set and the interner ---- */

static void test_idset_two_million(void **state)
{
    (void)state;
    enum { N = 2000000 };
    struct idset *s = idset_new();
    assert_int_equal(idset_bytes(s), 0);
    uint8_t h[16];
    size_t false_dups = 0, max_bytes_per_id_x100 = 0;
    for (uint64_t i = 0; i < N; i++) {
        hash_of(i, h);
        if (!idset_insert(s, h))
            false_dups++;
        /* past the minimum table, slack stays under 16 bytes an id */
        if (i > 100000 && idset_bytes(s) * 100 / (i + 1) > max_bytes_per_id_x100)
            max_bytes_per_id_x100 = idset_bytes(s) * 100 / (i + 1);
    }
    assert_int_equal(false_dups, 0);
    assert_int_equal(idset_count(s), N);
    assert_true(idset_bytes(s) <= (size_t)16 * N);
    assert_true(max_bytes_per_id_x100 <= 1600);
    size_t missed = 0;
    for (uint64_t i = 0; i < N; i++) {
        hash_of(i, h);
        if (idset_insert(s, h))
            missed++;
    }
    assert_int_equal(missed, 0);
    assert_int_equal(idset_count(s), N);
    idset_free(s);
    idset_free(NULL);
}

/* A set reserved for its size does not resize while it fills (its tables keep their bytes),
 * keeps the ids it held before the reservation, and still grows past the hint (tables from the
 * heap replacing tables in the reservation's arena). */
static void test_idset_reserve(void **state)
{
    (void)state;
    enum { N = 600000 }; /* tables of 6.5 MB: the huge-page arena */
    struct idset *s = idset_new();
    uint8_t h[16];
    for (uint64_t i = 0; i < 1000; i++) {
        hash_of(i, h);
        assert_true(idset_insert(s, h));
    }
    idset_reserve(s, N);
    size_t reserved = idset_bytes(s);
    /* 3/4 full at N: 8 bytes a slot / 0.75, plus the pad slots of 64 tables */
    assert_true(reserved >= (size_t)N * 8 * 4 / 3);
    assert_true(reserved <= (size_t)N * 8 * 4 / 3 + 64 * 8 * 600);
    for (uint64_t i = 0; i < 1000; i++) {
        hash_of(i, h);
        assert_false(idset_insert(s, h));
    }
    for (uint64_t i = 1000; i < N; i++) {
        hash_of(i, h);
        assert_true(idset_insert(s, h));
    }
    assert_int_equal(idset_bytes(s), reserved);
    idset_reserve(s, N / 2); /* never shrinks */
    assert_int_equal(idset_bytes(s), reserved);
    for (uint64_t i = N; i < 2 * N; i++) {
        hash_of(i, h);
        assert_true(idset_insert(s, h));
    }
    assert_true(idset_bytes(s) > reserved);
    assert_int_equal(idset_count(s), 2 * N);
    for (uint64_t i = 0; i < 2 * N; i++) {
        hash_of(i, h);
        assert_false(idset_insert(s, h));
    }
    idset_free(s);
}

/* Hashes that differ only in one bit anywhere in the first 70 key bits' preimage, and hashes
 * that agree in the first 8 bytes: all distinct, all found again. */
static void test_idset_structured(void **state)
{
    (void)state;
    struct idset *s = idset_new();
    uint8_t h[16];
    size_t n = 0;
    for (int bit = 0; bit < 128; bit++) {
        memset(h, 0, sizeof h);
        h[bit / 8] = (uint8_t)(1u << (bit % 8));
        assert_true(idset_insert(s, h));
        n++;
    }
    memset(h, 0, sizeof h);
    assert_true(idset_insert(s, h));
    n++;
    for (uint32_t i = 1; i < 100000; i++) {
        memset(h, 0xab, 8);
        memcpy(h + 8, &i, sizeof i);
        memset(h + 12, 0, 4);
        assert_true(idset_insert(s, h));
        n++;
    }
    assert_int_equal(idset_count(s), n);
    for (int bit = 0; bit < 128; bit++) {
        memset(h, 0, sizeof h);
        h[bit / 8] = (uint8_t)(1u << (bit % 8));
        assert_false(idset_insert(s, h));
    }
    for (uint32_t i = 1; i < 100000; i++) {
        memset(h, 0xab, 8);
        memcpy(h + 8, &i, sizeof i);
        memset(h + 12, 0, 4);
        assert_false(idset_insert(s, h));
    }
    assert_int_equal(idset_count(s), n);
    idset_free(s);
}

static void test_intern(void **state)
{
    (void)state;
    struct intern *in = intern_new();
    char buf[32];
    const char *first[5000];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "user-%d", i);
        first[i] = intern_str(in, buf, (size_t)n);
        assert_string_equal(first[i], buf);
    }
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "user-%d", i);
        assert_ptr_equal(intern_str(in, buf, (size_t)n), first[i]);
    }
    assert_int_equal(intern_count(in), 5000);
    /* a prefix is another string; a long string gets its own block */
    assert_ptr_not_equal(intern_str(in, "user-12", 6), first[12]);
    assert_string_equal(intern_str(in, "user-12", 6), "user-1");
    assert_ptr_equal(intern_str(in, "user-12", 6), first[1]);
    char *big = xmalloc(100001);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    const char *b1 = intern_str(in, big, 100000);
    assert_string_equal(b1, big);
    assert_ptr_equal(intern_str(in, big, 100000), b1);
    assert_string_equal(intern_str(in, "", 0), "");
    assert_ptr_equal(intern_str(in, "after", 5), intern_str(in, "after", 5));
    free(big);
    intern_free(in);
    intern_free(NULL);
}

/* ---- the hand-run benchmark ---- */

static int bench(int64_t n, bool ids, int ahead)
{
    if (ahead < 0 || ahead >= 16)
        ahead = 0;
    struct config *c = config_new_default();
    struct price_book *pb = price_book_new_builtin();
    const struct price_entry *models[3] = {
        price_book_resolve(pb, "claude-sonnet-4-5", 20261001),
        price_book_resolve(pb, "claude-opus-4-1", 20261001),
        price_book_resolve(pb, "claude-haiku-4-5", 20261001),
    };
    for (int i = 0; i < 3; i++)
        if (!models[i]) {
            fprintf(stderr, "bench: model %d missing from the built-in book\n", i);
            return 1;
        }
    char teams[5][16], users[100][16], projects[20][16], workflows[8][16];
    for (int i = 0; i < 5; i++)
        snprintf(teams[i], sizeof teams[i], "team-%d", i);
    for (int i = 0; i < 100; i++)
        snprintf(users[i], sizeof users[i], "user%03d@acme", i);
    for (int i = 0; i < 20; i++)
        snprintf(projects[i], sizeof projects[i], "project-%02d", i);
    for (int i = 0; i < 8; i++)
        snprintf(workflows[i], sizeof workflows[i], "wf-%d", i);
    static const char *const envs[2] = {"prod", "staging"};

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct ledger_builder *b = ledger_builder_new(c, pb, 0, 0);
    /* records are made `ahead` places before they are added, as a parsing loop holding a batch
     * would, and hinted to the builder when made */
    enum { RING = 16 };
    struct record ring[RING];
    uint64_t x = 88172645463325252ULL;
    for (int64_t i = 0; i < n + ahead; i++) {
        if (i >= n)
            goto add;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        struct record *r = &ring[i % RING];
        *r = rec(models[x % 3], 10, (int)(1 + (x >> 8) % 31), (int64_t)(x >> 20 & 4095),
                 (int64_t)(x >> 32 & 1023));
        r->tokens[TOK_CACHE_READ] = (int64_t)(x >> 42 & 8191);
        r->batch = (x >> 55) % 10 == 0;
        tag(r, TAG_TEAM, teams[(x >> 3) % 5]);
        tag(r, TAG_USER, users[(x >> 11) % 100]);
        tag(r, TAG_PROJECT, projects[(x >> 17) % 20]);
        tag(r, TAG_WORKFLOW, workflows[(x >> 23) % 8]);
        tag(r, TAG_ENVIRONMENT, envs[(x >> 29) % 2]);
        if (ids)
            id(r, (uint64_t)i);
        if (ahead)
            ledger_builder_prefetch(b, r);
    add:
        if (i >= ahead)
            ledger_builder_add(b, &ring[(i - ahead) % RING]);
    }
    struct ledger *l = NULL;
    struct cb_error err;
    if (ledger_builder_finish(b, &l, &err) != CB_OK) {
        fprintf(stderr, "bench: %s\n", err.text);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("records %lld  billed %lld  buckets %zu  wall %.3f s (%.0f records/s)  cpu %.3f s "
           "(%.0f records/s)  peak RSS %.1f MiB\n",
           (long long)n, (long long)l->counts.billed, l->n_buckets, secs, (double)n / secs, cpu,
           (double)n / cpu, (double)ru.ru_maxrss / 1024.0);
    ledger_free(l);
    price_book_free(pb);
    config_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        int64_t n = argc > 2 ? strtoll(argv[2], NULL, 10) : 10000000;
        const char *mode = argc > 3 ? argv[3] : "";
        return bench(n, strcmp(mode, "noid") != 0, strcmp(mode, "ahead") == 0 ? 8 : 0);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fates_fixed_period),
        cmocka_unit_test(test_duplicates_across_files),
        cmocka_unit_test(test_auto_month),
        cmocka_unit_test(test_no_records),
        cmocka_unit_test(test_quantity_cap),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_lines_sorted),
        cmocka_unit_test(test_costs_exact),
        cmocka_unit_test(test_groups_sorted),
        cmocka_unit_test(test_tables_past_eight_keys),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_idset_two_million),
        cmocka_unit_test(test_idset_reserve),
        cmocka_unit_test(test_idset_structured),
        cmocka_unit_test(test_intern),
    };
    return cmocka_run_group_tests(tests, env_setup, env_teardown);
}

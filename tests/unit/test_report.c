/* report.c: the ledger priced, allocated, reconciled and checked, to the cent. The ledger and
 * configuration are built by hand (the configuration through config_from_json, the real
 * loader), so these tests need no input files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "prior.h"
#include "render.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

#define PICO_PER_USD ((cb_i128)1000000000000)

static const struct price_entry sonnet = {
    .model = "claude-sonnet-4-6",
    .per_mtok = {3000000, 15000000, 300000, 3750000, 6000000},
    .batch_per_mtok = {1500000, 7500000, 150000, 1875000, 3000000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "sonnet",
};

static const struct price_entry sonnet_oct15 = {
    .model = "claude-sonnet-4-6",
    .effective_from = "2026-10-15",
    .effective_day = 20261015,
    .per_mtok = {3000000, 15000000, 300000, 3750000, 6000000},
    .batch_per_mtok = {1500000, 7500000, 150000, 1875000, 3000000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "sonnet",
};

static const struct price_entry haiku = {
    .model = "claude-3-5-haiku",
    .per_mtok = {800000, 4000000, 80000, 1000000, 1600000},
    .batch_per_mtok = {400000, 2000000, 40000, 500000, 800000},
    .web_search_per_k = 10000000,
    .batch_discount_e6 = 500000,
    .family = "haiku",
};

/* A ledger assembled by hand: up to 8 buckets of up to 4 lines and 2 groups per dimension. */
struct tl {
    struct ledger l;
    struct ledger_bucket b[8];
    struct ledger_line lines[8][4];
    struct ledger_group groups[8][DIM_COUNT][2];
    struct ledger_day days[8][31]; /* every bucket dense: day_mask has all 31 bits */
};

static void tl_init(struct tl *t)
{
    memset(t, 0, sizeof *t);
    t->l.year = 2026;
    t->l.month = 10;
    t->l.days_in_month = 31;
    t->l.buckets = t->b;
}

static struct ledger_bucket *tl_bucket(struct tl *t, enum bucket_kind k, const char *team, int idx)
{
    struct ledger_bucket *b = &t->b[t->l.n_buckets];
    b->kind = k;
    b->team = team;
    b->shared_index = idx;
    b->lines = t->lines[t->l.n_buckets];
    b->days = t->days[t->l.n_buckets];
    b->day_mask = 0x7fffffffu;
    for (int d = 0; d < DIM_COUNT; d++)
        b->groups[d] = t->groups[t->l.n_buckets][d];
    t->l.n_buckets++;
    return b;
}

/* Adds a line and folds it into the bucket's usage, cost, day 1 and the ledger's counts. */
static void tl_line(struct tl *t, struct ledger_bucket *b, const struct price_entry *e, bool batch,
                    int64_t requests, int64_t in, int64_t out)
{
    struct ledger_line *l = &b->lines[b->n_lines++];
    l->price = e;
    l->batch = batch;
    l->requests = requests;
    l->tokens[TOK_INPUT] = in;
    l->tokens[TOK_OUTPUT] = out;
    b->usage.requests += requests;
    b->usage.tokens[TOK_INPUT] += in;
    b->usage.tokens[TOK_OUTPUT] += out;
    cb_i128 cost =
        price_token_cost(e, TOK_INPUT, batch, in) + price_token_cost(e, TOK_OUTPUT, batch, out);
    b->cost += cost;
    b->days[0].cost += cost;
    b->days[0].usage.requests += requests;
    t->l.total_cost += cost;
    t->l.counts.records_read += requests;
    t->l.counts.billed += requests;
}

static struct config *load_config(const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (!doc)
        fail_msg("bad test JSON: %s", je.text);
    struct config *c = NULL;
    struct cb_error err;
    cb_error_clear(&err);
    if (config_from_json(doc, "test.json", &c, &err) != CB_OK)
        fail_msg("config: %s: %s", err.field, err.text);
    json_decref(doc);
    /* what the pipeline does once the month is known: these tests are of one month */
    if (c->n_provider_months) {
        c->has_provider_total = true;
        c->provider_total_cents = c->provider_months[0].cents;
    }
    return c;
}

static struct report *build(const struct config *c, const struct ledger *l, bool shadow,
                            const char *sde, const char *previous)
{
    struct report *r = NULL;
    struct prior_month *p = NULL;
    struct cb_error err;
    cb_error_clear(&err);
    if (previous && prior_read_previous(previous, &p, &err) != CB_OK)
        fail_msg("prior_read_previous: %s", err.text);
    struct report_opts o = {
        .config = c, .ledger = l, .shadow = shadow, .source_date_epoch = sde, .previous = p};
    enum cb_status st = report_build(&o, &r, &err);
    prior_free(p);
    if (st != CB_OK)
        fail_msg("report_build: %s", err.text);
    return r;
}

static const struct report_team *team(const struct report *r, const char *id)
{
    for (size_t i = 0; i < r->n_teams; i++)
        if (strcmp(r->teams[i].id, id) == 0)
            return &r->teams[i];
    fail_msg("no team %s", id);
    return NULL;
}

/* ---- one month where everything meets ---- */

static const char *const everything_config =
    "{\"organization\": \"Acme Corp\", \"chargeback\": {\"model\": \"usage\"},"
    " \"overhead_rate\": 0.10,"
    " \"teams\": {\"alpha\": {\"name\": \"Alpha Team\", \"cost_center\": \"A-1\", \"headcount\": "
    "10,"
    "   \"markup\": 0.05, \"budget\": {\"monthly\": \"10.00\", \"alert_thresholds\": [0.5, 0.8, "
    "1.0]}},"
    "   \"beta\": {\"headcount\": 30, \"budget\": {\"monthly_tokens\": 1000000}}},"
    " \"shared\": [{\"match\": {\"project\": \"platform-rag\"}, \"split\": \"proportional\","
    "   \"name\": \"RAG platform\"}],"
    " \"unallocated\": \"show\", \"provider_invoice\": {\"2026-10\": \"31.00\"},"
    " \"value_metrics\": {\"alpha\": {\"tickets resolved\": 100}}, \"gl_account\": \"6420-AI\"}";

static void everything_ledger(struct tl *t)
{
    tl_init(t);
    struct ledger_bucket *a = tl_bucket(t, BUCKET_TEAM, "alpha", 0);
    tl_line(t, a, &sonnet, false, 100, 1000000, 200000); /* 3.00 + 3.00 */
    tl_line(t, a, &sonnet_oct15, true, 50, 2000000, 0);  /* 3.00 at the batch price */
    /* alpha's days: 0.20 on each of 30 days, 3.00 on the 31st (an anomaly) */
    memset(a->days, 0, 31 * sizeof *a->days);
    for (int d = 0; d < 30; d++)
        a->days[d].cost = PICO_PER_USD / 5;
    a->days[30].cost = 3 * PICO_PER_USD;
    struct ledger_group *wf = &a->groups[DIM_WORKFLOW][a->n_groups[DIM_WORKFLOW]++];
    wf->key = "summarize";
    wf->usage.requests = 150;
    wf->cost = 9 * PICO_PER_USD;
    wf->cost_nonbatch_tokens = 6 * PICO_PER_USD;
    wf->uncached_input_cost = 3 * PICO_PER_USD;
    struct ledger_group *pr = &a->groups[DIM_PROJECT][a->n_groups[DIM_PROJECT]++];
    pr->key = "web";
    pr->usage.requests = 150;
    pr->cost = 9 * PICO_PER_USD;
    a->routing_saving = 4000000000; /* 0.004: under a cent, no advice */
    a->routing_requests = 3;

    struct ledger_bucket *b = tl_bucket(t, BUCKET_TEAM, "beta", 0);
    tl_line(t, b, &sonnet, false, 40, 333333, 1000001); /* 1.00 + 15.00 */
    wf = &b->groups[DIM_WORKFLOW][b->n_groups[DIM_WORKFLOW]++];
    wf->key = "summarize";
    wf->usage.requests = 40;
    wf->batch_requests = 5;
    wf->cost_nonbatch_tokens = PICO_PER_USD;
    b->routing_saving = PICO_PER_USD / 2;
    b->routing_requests = 20;

    struct ledger_bucket *g = tl_bucket(t, BUCKET_TEAM, "gamma", 0); /* only in the data */
    tl_line(t, g, &sonnet, false, 5, 0, 66667);                      /* 1.00 */
    struct ledger_bucket *s = tl_bucket(t, BUCKET_SHARED, NULL, 0);
    tl_line(t, s, &sonnet, false, 10, 1000000, 0); /* 3.00 */
    struct ledger_bucket *u = tl_bucket(t, BUCKET_UNALLOCATED, NULL, 0);
    tl_line(t, u, &sonnet, false, 7, 500000, 0); /* 1.50 */
    t->l.counts.records_read += 6;
    t->l.counts.rejected = 3;
    t->l.counts.duplicates = 2;
    t->l.counts.outside_period = 1;
    t->l.tag_cost[TAG_TEAM] = 26 * PICO_PER_USD;
}

struct want_line {
    enum line_kind kind;
    int64_t amount;
    const char *description; /* NULL: not checked */
};

static void check_lines(const struct report_team *t, const struct want_line *w, size_t n)
{
    assert_int_equal(t->n_lines, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t->lines[i].kind, w[i].kind);
        assert_int_equal(t->lines[i].amount, w[i].amount);
        if (w[i].description)
            assert_string_equal(t->lines[i].description, w[i].description);
    }
}

static void everything_meets(void **state)
{
    (void)state;
    struct tl t;
    everything_ledger(&t);
    struct config *c = load_config(everything_config);
    struct report *r = build(c, &t.l, false, NULL, NULL);
    assert_int_equal(r->n_teams, 3);

    const struct report_team *a = team(r, "alpha");
    const struct want_line wa[] = {
        {LINE_INPUT, 300, "Claude Sonnet 4.6 — input tokens"},
        {LINE_OUTPUT, 300, "Claude Sonnet 4.6 — output tokens"},
        {LINE_INPUT, 300, "Claude Sonnet 4.6 — input tokens (batch, prices from 2026-10-15)"},
        {LINE_SHARED, 104, NULL},
        {LINE_TRUE_UP, 17, NULL},
        {LINE_OVERHEAD, 102, "Platform overhead 10% of 10.21"},
        {LINE_MARKUP, 51, "Markup 5% of 10.21"},
    };
    check_lines(a, wa, sizeof wa / sizeof wa[0]);
    assert_int_equal(a->lines[2].unit_price_micros, 1500000);
    assert_int_equal(a->lines[2].per, 1000000);
    assert_string_equal(a->lines[2].unit, "1M tokens");
    assert_true(a->lines[2].batch);
    assert_int_equal(a->list_cost, 900);
    assert_int_equal(a->shared, 104);
    assert_int_equal(a->direct, 1004);
    assert_int_equal(a->charge, 1004);
    assert_int_equal(a->true_up, 17);
    assert_int_equal(a->overhead, 102);
    assert_int_equal(a->markup, 51);
    assert_int_equal(a->total, 1174);
    assert_string_equal(a->name, "Alpha Team");
    assert_string_equal(a->invoice_number, "CB-2026-10-ALPHA");
    assert_string_equal(a->gl_account, "6420-AI");
    assert_non_null(strstr(a->method, "Platform overhead 10% of 10.21 = 1.02."));
    assert_non_null(strstr(a->method, "Markup 5% of 10.21 = 0.51."));
    assert_non_null(strstr(a->method, "the +0.50 difference between the invoice and usage at "
                                      "list price, split by usage including shared pools — "
                                      "10.04 of 29.00 (34.62%) = +0.17."));

    const struct report_team *b = team(r, "beta");
    const struct want_line wb[] = {
        {LINE_INPUT, 100, NULL},  {LINE_OUTPUT, 1500, NULL},  {LINE_SHARED, 185, NULL},
        {LINE_TRUE_UP, 31, NULL}, {LINE_OVERHEAD, 182, NULL},
    };
    check_lines(b, wb, sizeof wb / sizeof wb[0]);
    assert_int_equal(b->total, 1998);

    const struct report_team *g = team(r, "gamma");
    assert_false(g->configured);
    const struct want_line wg[] = {
        {LINE_OUTPUT, 100, NULL},
        {LINE_SHARED, 11, NULL},
        {LINE_TRUE_UP, 2, NULL},
        {LINE_OVERHEAD, 11, NULL},
    };
    check_lines(g, wg, sizeof wg / sizeof wg[0]);
    assert_int_equal(g->total, 124);

    const struct report_totals *T = &r->totals;
    assert_int_equal(T->list_cost, 2600);
    assert_int_equal(T->shared, 300);
    assert_int_equal(T->unallocated, 150);
    assert_int_equal(T->overhead, 295);
    assert_int_equal(T->markup, 51);
    assert_int_equal(T->true_up, 50);
    assert_int_equal(T->charged, 3296);
    assert_int_equal(T->period_list_total, 3050);
    assert_int_equal(T->reconciliation_difference, 50);
    assert_true(T->has_provider_total);
    /* the summary equals the provider invoice before overhead and markup */
    assert_int_equal(T->charged - T->overhead - T->markup + T->unallocated, 3100);
    assert_non_null(strstr(r->reconciliation_text, "equal the provider invoice (31.00)"));
    assert_int_equal(r->n_unallocated_lines, 1);
    assert_int_equal(r->unallocated_lines[0].amount, 150);
    assert_int_equal(r->shared_pools.n, 1);
    assert_string_equal(r->shared_pools.items[0].key, "RAG platform");
    assert_int_equal(r->shared_pools.items[0].list_cost, 300);
    assert_int_equal(r->records_read, 218);

    /* budgets */
    assert_true(a->budget.present);
    assert_int_equal(a->budget.used, 1174);
    assert_int_equal(a->budget.utilization_e4, 11740);
    assert_int_equal(a->budget.n_thresholds_crossed, 3);
    assert_true(a->budget.over);
    assert_int_equal(a->budget.state, BUDGET_STATE_OVER);
    assert_string_equal(report_budget_state_text(a->budget.state), "over budget");
    assert_true(b->budget.tokens);
    assert_int_equal(b->budget.used, 1333334);
    assert_int_equal(b->budget.utilization_e4, 13333);
    assert_false(g->budget.present);
    /* anomalies: only the 31st beats twice alpha's mean day (9.00 / 31 = 0.29) */
    assert_int_equal(a->n_anomalies, 1);
    assert_string_equal(a->anomalies[0].date, "2026-10-31");
    assert_int_equal(a->anomalies[0].list_cost, 300);
    assert_int_equal(a->anomalies[0].mean_daily, 29);
    assert_int_equal(a->anomalies[0].factor_e2, 1034); /* 3.00 / 0.29, rounded once */
    assert_string_equal(text_factor(a->anomalies[0].factor_e2).s, "10.34\xC3\x97");
    assert_int_equal(a->n_days, 31);
    assert_int_equal(a->days[30].list_cost, 300);
    /* unit economics: 11.74 / 100 tickets = 0.1174 */
    assert_int_equal(a->n_metrics, 1);
    assert_int_equal(a->metrics[0].cost_per_unit_micros, 117400);
    /* advice: batching 6.00 × 50 %, caching 3.00 × 50 % × 0.9; routing under a cent dropped */
    assert_int_equal(a->n_recommendations, 2);
    assert_string_equal(report_rec_kind_name(a->recommendations[0].kind), "batching");
    assert_int_equal(a->recommendations[0].saving, 300);
    assert_string_equal(report_rec_kind_name(a->recommendations[1].kind), "caching");
    assert_int_equal(a->recommendations[1].saving, 135);
    assert_non_null(strstr(a->recommendations[1].explanation, "50%"));
    assert_int_equal(b->n_recommendations, 2);
    assert_string_equal(report_rec_kind_name(b->recommendations[0].kind), "model_routing");
    assert_int_equal(b->recommendations[0].saving, 50);
    assert_string_equal(report_rec_kind_name(b->recommendations[1].kind), "batching");
    assert_int_equal(b->recommendations[1].saving, 50);
    /* breakdowns */
    assert_int_equal(a->by_workflow.n, 1);
    assert_string_equal(a->by_workflow.items[0].key, "summarize");
    assert_int_equal(a->by_workflow.items[0].share_e4, 10000);
    assert_int_equal(a->by_model.n, 1);
    assert_int_equal(a->by_model.items[0].list_cost, 900);
    assert_int_equal(r->by_model.n, 1);
    assert_int_equal(r->by_model.items[0].list_cost, 3050);
    assert_int_equal(r->top_projects.n, 1);
    assert_int_equal(r->n_coverage, TAG_COUNT);
    assert_string_equal(r->coverage[TAG_TEAM].tag, "team");
    assert_int_equal(r->coverage[TAG_TEAM].share_e4, 8525);
    assert_int_equal(r->n_days, 31);
    assert_string_equal(r->issue_date, "2026-11-01");
    assert_string_equal(r->period_label, "October 2026");
    report_free(r);
    config_free(c);
}

/* ---- the models ---- */

static void fixed_pools(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c =
        load_config("{\"chargeback\": {\"model\": \"fixed\", \"amount\": \"15000.00\"},"
                    " \"teams\": {\"a\": {}, \"b\": {}, \"c\": {}, \"d\": {}, \"e\": {}}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    assert_int_equal(r->n_teams, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r->teams[i].n_lines, 1);
        assert_int_equal(r->teams[i].lines[0].kind, LINE_FIXED);
        assert_int_equal(r->teams[i].total, 300000);
        assert_non_null(
            strstr(r->teams[i].method, "split equally among 5 teams — 20.00% = 3,000.00"));
    }
    report_free(r);
    config_free(c);

    c = load_config("{\"chargeback\": {\"model\": \"fixed\", \"amount\": \"100.00\"},"
                    " \"teams\": {\"c\": {}, \"a\": {}, \"b\": {}}}");
    r = build(c, &t.l, false, NULL, NULL);
    static const int64_t want[] = {3334, 3333, 3333};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(r->teams[i].total, want[i]);
    assert_string_equal(r->teams[0].id, "a"); /* the odd cent goes to the first id */
    report_free(r);
    config_free(c);
}

static void fixed_pool_from_provider_invoice(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
    tl_line(&t, a, &sonnet, false, 1, 1000000, 0);
    struct ledger_bucket *u = tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    tl_line(&t, u, &sonnet, false, 1, 1000000, 0); /* 3.00 shown, not charged */
    struct config *c = load_config(
        "{\"chargeback\": {\"model\": \"fixed\"}, \"teams\": {\"a\": {\"weight\": 3}, \"b\": {}},"
        " \"provider_invoice\": {\"2026-10\": \"103.00\"}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    /* pool = 103.00 - 3.00 unallocated = 100.00, split 3:1 */
    assert_int_equal(team(r, "a")->total, 7500);
    assert_int_equal(team(r, "b")->total, 2500);
    assert_int_equal(team(r, "a")->list_cost, 300);
    assert_int_equal(r->totals.charged + r->totals.unallocated, 10300);
    assert_non_null(strstr(team(r, "a")->method, "weight 3 of 4 (75.00%) = 75.00"));
    report_free(r);
    config_free(c);
}

static void hybrid_method_in_words(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    struct ledger_bucket *d = tl_bucket(&t, BUCKET_TEAM, "data", 0);
    tl_line(&t, d, &sonnet, false, 1, 781890000, 0); /* 2,345.67 */
    struct ledger_bucket *o = tl_bucket(&t, BUCKET_TEAM, "ops", 0);
    tl_line(&t, o, &sonnet, false, 1, 2551443333, 0); /* 7,654.33 */
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c = load_config(
        "{\"chargeback\": {\"model\": \"hybrid\", \"amount\": \"15000.00\", \"fixed_share\": 0.4,"
        " \"fixed_basis\": \"headcount\"}, \"overhead_rate\": 0.1,"
        " \"teams\": {\"data\": {\"headcount\": 12}, \"ops\": {\"headcount\": 48}}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    const struct report_team *x = team(r, "data");
    assert_int_equal(x->list_cost, 234567);
    const struct want_line w[] = {
        {LINE_FIXED, 120000, NULL},
        {LINE_USAGE_SHARE, 211110, NULL},
        {LINE_OVERHEAD, 33111, NULL},
    };
    check_lines(x, w, 3);
    assert_non_null(
        strstr(x->method,
               "Hybrid: 40% of the 15,000.00 pool (6,000.00) split by headcount — 12 "
               "of 60 people (20.00%) = 1,200.00; the other 60% (9,000.00) split by "
               "usage including shared pools — 2,345.67 of 10,000.00 (23.46%) = 2,111.10. Platform "
               "overhead 10% of 3,311.10 = 331.11."));
    assert_int_equal(team(r, "ops")->charge, 480000 + 688890);
    report_free(r);
    config_free(c);

    /* a shared pool is part of D_t (the usage basis) but never its own invoice line */
    struct ledger_bucket *s = &t.b[2];
    s->kind = BUCKET_SHARED;
    tl_line(&t, s, &sonnet, false, 1, 1000000, 0); /* 3.00, split 2,345.67 : 7,654.33 */
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    c = load_config(
        "{\"chargeback\": {\"model\": \"hybrid\", \"amount\": \"100.00\", \"fixed_share\": 0.5,"
        " \"fixed_basis\": \"equal\"}, \"teams\": {\"data\": {}, \"ops\": {}},"
        " \"shared\": [{\"match\": {\"project\": \"p\"}}]}");
    r = build(c, &t.l, false, NULL, NULL);
    x = team(r, "data");
    assert_int_equal(x->shared, 70); /* 3.00 × 23.4567 % = 0.70 */
    assert_int_equal(x->direct, 234637);
    const struct want_line w2[] = {{LINE_FIXED, 2500, NULL}, {LINE_USAGE_SHARE, 1173, NULL}};
    check_lines(x, w2, 2);
    assert_int_equal(x->total + team(r, "ops")->total, 10000);
    report_free(r);
    config_free(c);
}

static void tiered_graduated_and_volume(void **state)
{
    (void)state;
    static const struct {
        const char *mode;
        int64_t want;
        size_t n_tier_lines;
    } cases[] = {{"graduated", 17300, 3}, {"volume", 15000, 1}};
    for (size_t i = 0; i < 2; i++) {
        struct tl t;
        tl_init(&t);
        struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
        tl_line(&t, a, &haiku, false, 1, 10000000, 5000000);
        struct ledger_bucket *s = tl_bucket(&t, BUCKET_SHARED, NULL, 0);
        tl_line(&t, s, &sonnet, false, 1, 1000000, 0); /* 3.00 at list price */
        tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
        char *text = xasprintf(
            "{\"chargeback\": {\"model\": \"tiered\", \"tier_mode\": \"%s\", \"tiers\": ["
            "{\"up_to\": 1000000, \"per_million\": \"15.00\"},"
            "{\"up_to\": 10000000, \"per_million\": \"12.00\"}, {\"per_million\": \"10.00\"}]},"
            " \"teams\": {\"a\": {}}, \"shared\": [{\"match\": {\"project\": \"x\"}}],"
            " \"provider_invoice\": {\"2026-10\": \"1.00\"}}",
            cases[i].mode);
        struct config *c = load_config(text);
        free(text);
        struct report *r = build(c, &t.l, false, NULL, NULL);
        const struct report_team *x = team(r, "a");
        assert_int_equal(x->n_lines, cases[i].n_tier_lines + 1);
        for (size_t k = 0; k < cases[i].n_tier_lines; k++)
            assert_int_equal(x->lines[k].kind, LINE_TIER);
        assert_int_equal(x->lines[cases[i].n_tier_lines].kind, LINE_SHARED);
        assert_int_equal(x->lines[cases[i].n_tier_lines].amount, 300);
        assert_int_equal(x->charge, cases[i].want + 300);
        assert_int_equal(x->total, cases[i].want + 300);
        assert_int_equal(x->true_up, 0); /* the difference stays on the summary */
        assert_int_equal(r->totals.reconciliation_difference, 100 - (800 + 2000 + 300));
        assert_non_null(strstr(r->reconciliation_text, "shown here only"));
        assert_string_equal(x->by_model.items[0].key, "claude-3-5-haiku");
        report_free(r);
        config_free(c);
    }
}

static void unallocated_split_proportionally(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
    tl_line(&t, a, &sonnet, false, 1, 2000000, 0); /* 6.00 */
    struct ledger_bucket *b = tl_bucket(&t, BUCKET_TEAM, "b", 0);
    tl_line(&t, b, &sonnet, false, 1, 1000000, 0); /* 3.00 */
    struct ledger_bucket *u = tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    tl_line(&t, u, &sonnet, false, 1, 333333, 0); /* 1.00 */
    struct config *c = load_config("{\"unallocated\": \"proportional\", \"teams\": {\"a\": {}},"
                                   " \"provider_invoice\": {\"2026-10\": \"10.00\"}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    const struct report_team *x = team(r, "a"), *y = team(r, "b");
    assert_int_equal(x->shared, 67);
    assert_int_equal(y->shared, 33);
    assert_int_equal(x->lines[1].kind, LINE_SHARED);
    assert_non_null(strstr(x->lines[1].description, "Unallocated usage"));
    assert_int_equal(r->n_unallocated_lines, 0);
    assert_string_equal(r->unallocated_policy, "proportional");
    assert_int_equal(r->totals.period_list_total, 1000);
    assert_int_equal(r->totals.charged, 1000); /* list total = provider: no true-up */
    assert_int_equal(r->totals.true_up, 0);
    report_free(r);
    config_free(c);
}

/* The summary bridge adds up to the amount charged under every chargeback model, unallocated
 * policy and reconciliation case, and starts where the money comes from. */
static void bridge_adds_up_everywhere(void **state)
{
    (void)state;
    static const char *const models[] = {
        "{\"model\": \"usage\"}",
        "{\"model\": \"fixed\"}",
        "{\"model\": \"fixed\", \"amount\": \"100.00\"}",
        "{\"model\": \"hybrid\", \"fixed_share\": 0.4, \"fixed_basis\": \"headcount\"}",
        "{\"model\": \"hybrid\", \"fixed_share\": 0.3, \"amount\": \"77.77\"}",
        "{\"model\": \"tiered\", \"tier_mode\": \"graduated\", \"tiers\": [{\"up_to\": 1000000, "
        "\"per_million\": \"2.50\"}, {\"per_million\": \"1.10\"}]}",
        "{\"model\": \"tiered\", \"tier_mode\": \"volume\", \"tiers\": [{\"up_to\": 1000000, "
        "\"per_million\": \"2.50\"}, {\"per_million\": \"1.10\"}]}",
    };
    static const char *const policies[] = {"show", "proportional", "even"};
    static const char *const providers[] = {NULL, "25.01", "9.99"}; /* above, below list */
    for (size_t m = 0; m < sizeof models / sizeof *models; m++)
        for (size_t p = 0; p < 3; p++)
            for (size_t v = 0; v < 3; v++) {
                struct tl t;
                tl_init(&t);
                struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
                tl_line(&t, a, &sonnet, false, 1, 1234567, 0); /* 3.70 */
                struct ledger_bucket *b = tl_bucket(&t, BUCKET_TEAM, "b", 0);
                tl_line(&t, b, &sonnet, false, 2, 2000001, 33333); /* 6.50 */
                struct ledger_bucket *sh = tl_bucket(&t, BUCKET_SHARED, NULL, 0);
                tl_line(&t, sh, &sonnet, false, 1, 777777, 0); /* 2.33 */
                struct ledger_bucket *u = tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
                tl_line(&t, u, &sonnet, false, 1, 333333, 0); /* 1.00 */
                char *text = xasprintf(
                    "{\"chargeback\": %s, \"unallocated\": \"%s\", \"overhead_rate\": 0.1,"
                    " \"shared\": [{\"name\": \"Pool\", \"match\": {\"project\": \"p\"}}],"
                    " \"teams\": {\"a\": {\"headcount\": 3, \"markup\": 0.05},"
                    " \"b\": {\"headcount\": 7}}%s%s%s}",
                    models[m], policies[p],
                    providers[v] ? ", \"provider_invoice\": {\"2026-10\": \"" : "",
                    providers[v] ? providers[v] : "", providers[v] ? "\"}" : "");
                struct config *c = load_config(text);
                struct report *r = build(c, &t.l, false, NULL, NULL);
                const struct report_totals *T = &r->totals;
                int64_t sum = 0;
                for (size_t i = 0; i < T->n_bridge; i++) {
                    sum += T->bridge[i].amount;
                    if (i > 0 && T->bridge[i].amount == 0)
                        fail_msg("%s: zero step \"%s\"", text, T->bridge[i].label);
                }
                if (sum != T->charged)
                    fail_msg("%s: bridge adds up to %lld, charged %lld", text, (long long)sum,
                             (long long)T->charged);
                assert_true(T->n_bridge >= 2);
                if (providers[v]) {
                    assert_string_equal(T->bridge[0].label, "Provider invoice");
                    assert_int_equal(T->bridge[0].amount, T->provider_total);
                } else {
                    assert_string_equal(T->bridge[0].label, "Teams' usage at list price");
                    assert_int_equal(T->bridge[0].amount, T->list_cost);
                }
                /* unallocated usage shown is a step of its own only when it is not charged */
                bool shown_step = false;
                for (size_t i = 0; i < T->n_bridge; i++)
                    shown_step |= T->bridge[i].amount == -100;
                assert_int_equal(shown_step, p == 0 && providers[v] != NULL);
                report_free(r);
                config_free(c);
                free(text);
            }
}

/* Every breakdown adds up to the figure it breaks down, though the rows' exact costs round
 * the other way: 3.005001 + 0.015 exact is 3.01 + 0.02 = 3.03 on the invoice, and its two
 * projects (1.5100005 each) read 1.52 + 1.51, not 1.51 + 1.51; the days likewise; the
 * internal-rate charge has its own by-model row. */
static void breakdowns_add_up_to_the_invoice(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
    tl_line(&t, a, &sonnet, false, 4, 1001667, 0); /* 3.005001 -> 3.01 */
    a->usage.skill = 3;                            /* 3 × 0.005 = 0.015 -> 0.02 */
    cb_i128 skill = PICO_PER_USD * 15 / 1000;
    a->cost += skill;
    t.l.total_cost += skill;
    cb_i128 all = a->cost;
    memset(a->days, 0, 31 * sizeof *a->days);
    for (int d = 0; d < 3; d++)
        a->days[d].cost = all / 3 + (d == 0 ? all % 3 : 0);
    for (int k = 0; k < 2; k++) {
        struct ledger_group *p = &a->groups[DIM_PROJECT][a->n_groups[DIM_PROJECT]++];
        p->key = k ? "p2" : "p1";
        p->usage.requests = 2;
        p->cost = all / 2 + (k == 0 ? all % 2 : 0);
    }
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c =
        load_config("{\"teams\": {\"a\": {}}, \"internal_rates\": {\"skill_invocation\": "
                    "\"0.0050\"}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    const struct report_team *x = team(r, "a");
    assert_int_equal(x->list_cost, 303);
    const struct report_groups *gs[] = {&x->by_project, &x->by_model, &r->by_model,
                                        &r->top_projects};
    for (size_t g = 0; g < sizeof gs / sizeof *gs; g++) {
        int64_t sum = 0, shares = 0;
        for (size_t i = 0; i < gs[g]->n; i++) {
            sum += gs[g]->items[i].list_cost;
            shares += gs[g]->items[i].share_e4;
        }
        assert_int_equal(sum, 303);
        assert_int_equal(shares, 10000);
    }
    assert_int_equal(x->by_project.items[0].list_cost + x->by_project.items[1].list_cost, 303);
    assert_int_equal(x->by_model.n, 2);
    assert_string_equal(x->by_model.items[1].key, REPORT_INTERNAL_RATES_ROW);
    assert_int_equal(x->by_model.items[1].list_cost, 2);
    assert_int_equal(x->by_model.items[1].usage.skill_invocations, 3);
    int64_t days = 0, org_days = 0;
    for (size_t d = 0; d < x->n_days; d++)
        days += x->days[d].list_cost;
    for (size_t d = 0; d < r->n_days; d++)
        org_days += r->days[d].list_cost;
    assert_int_equal(days, 303);
    assert_int_equal(org_days, 303);
    /* coverage: the cost carrying a tag is a part of the same 3.03 */
    assert_int_equal(r->coverage[TAG_TEAM].list_cost, 0);
    report_free(r);
    config_free(c);
}

/* Shares are split by the largest remainder: three equal teams read 33.34 + 33.33 + 33.33. */
static void shares_add_up_to_one_hundred(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    const char *ids[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        tl_line(&t, tl_bucket(&t, BUCKET_TEAM, ids[i], 0), &sonnet, false, 1, 333333, 0);
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c = load_config("{\"teams\": {\"a\": {}, \"b\": {}, \"c\": {}}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    assert_int_equal(r->teams[0].share_e4, 3334);
    assert_int_equal(r->teams[1].share_e4, 3333);
    assert_int_equal(r->teams[2].share_e4, 3333);
    assert_string_equal(text_percent(r->teams[1].share_e4).s, "33.33%");
    report_free(r);
    config_free(c);
}

static void web_search_skill_and_mcp_lines(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    struct ledger_bucket *a = tl_bucket(&t, BUCKET_TEAM, "a", 0);
    tl_line(&t, a, &sonnet, false, 3, 0, 0);
    a->lines[0].web_search = 1500;
    a->usage.web_search = 1500;
    a->usage.skill = 12345;
    a->usage.mcp = 100;
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c =
        load_config("{\"teams\": {\"a\": {}}, \"internal_rates\": "
                    "{\"skill_invocation\": \"0.0001\", \"mcp_operation\": \"0.0002\"}}");
    struct report *r = build(c, &t.l, false, NULL, NULL);
    const struct report_team *x = team(r, "a");
    const struct want_line w[] = {
        {LINE_WEB_SEARCH, 1500, "Claude Sonnet 4.6 — web search"},
        {LINE_SKILL, 123, "Skill invocations (internal rate)"},
        {LINE_MCP, 2, "MCP operations (internal rate)"},
    };
    check_lines(x, w, 3);
    assert_int_equal(x->lines[0].per, 1000);
    assert_string_equal(x->lines[0].unit, "1K searches");
    assert_int_equal(x->lines[1].per, 1);
    assert_int_equal(x->lines[1].unit_price_micros, 100);
    assert_string_equal(x->lines[1].unit, "call");
    assert_int_equal(x->list_cost, 1625);
    assert_int_equal(x->usage.web_search_requests, 1500);
    assert_int_equal(x->usage.skill_invocations, 12345);
    report_free(r);
    config_free(c);
}

/* ---- names, numbers and dates ---- */

static void slugs_invoice_numbers_and_dates(void **state)
{
    (void)state;
    struct tl t;
    tl_init(&t);
    static const char long_id[] =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *ids[] = {"--x--", long_id, "Équipe Données", "équipe-données", "Данные"};
    for (size_t i = 0; i < 5; i++)
        tl_line(&t, tl_bucket(&t, BUCKET_TEAM, ids[i], 0), &sonnet, false, 1, 1000, 0);
    tl_bucket(&t, BUCKET_UNALLOCATED, NULL, 0);
    struct config *c = load_config("{}");
    struct report *r = build(c, &t.l, true, "1793577600", NULL);
    static const struct {
        const char *id, *slug, *invoice;
    } want[] = {
        {"--x--", "x", "SHADOW-CB-2026-10-X"},
        {long_id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL},
        {"Équipe Données", "equipe-donnees", "SHADOW-CB-2026-10-EQUIPE-DONNEES"},
        {"équipe-données", "equipe-donnees-2", "SHADOW-CB-2026-10-EQUIPE-DONNEES-2"},
        {"Данные", "team", "SHADOW-CB-2026-10-TEAM"},
    };
    assert_int_equal(r->n_teams, 5);
    for (size_t i = 0; i < 5; i++) {
        const struct report_team *x = team(r, want[i].id);
        assert_string_equal(x->slug, want[i].slug);
        if (want[i].invoice)
            assert_string_equal(x->invoice_number, want[i].invoice);
    }
    assert_true(r->shadow);
    assert_string_equal(r->issue_date, "2026-11-02");
    report_free(r);

    struct report_opts o = {.config = c, .ledger = &t.l, .source_date_epoch = "soon"};
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(report_build(&o, &r, &err), CB_EUSAGE);
    assert_null(r);
    assert_string_equal(err.field, "SOURCE_DATE_EPOCH");
    config_free(c);
}

/* ---- the consistency checks (exit 4) ---- */

static void check_catches_tampering(void **state)
{
    (void)state;
    struct tl t;
    everything_ledger(&t);
    struct config *c = load_config(everything_config);
    struct report *r = build(c, &t.l, false, NULL, NULL);
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(report_check(r, &err), CB_OK);

    r->teams[0].lines[0].amount += 1;
    assert_int_equal(report_check(r, &err), CB_EINTERNAL);
    assert_non_null(strstr(err.text, "Σ lines = invoice total"));
    assert_non_null(strstr(err.text, "\"alpha\""));
    assert_non_null(strstr(err.text, "1175"));
    r->teams[0].lines[0].amount -= 1;

    r->records_read += 1;
    assert_int_equal(report_check(r, &err), CB_EINTERNAL);
    assert_non_null(strstr(err.text, "billed + rejected + duplicates + outside = records read"));
    r->records_read -= 1;

    r->totals.charged += 1;
    assert_int_equal(report_check(r, &err), CB_EINTERNAL);
    assert_non_null(strstr(err.text, "summary total"));
    r->totals.charged -= 1;

    /* a share moved between teams and their totals: pools no longer add up */
    r->teams[0].shared += 1;
    r->teams[0].direct += 1;
    r->totals.shared += 1;
    assert_int_equal(report_check(r, &err), CB_EINTERNAL);
    assert_non_null(strstr(err.text, "Σ splits = pools"));
    r->teams[0].shared -= 1;
    r->teams[0].direct -= 1;
    r->totals.shared -= 1;
    assert_int_equal(report_check(r, &err), CB_OK);
    report_free(r);
    config_free(c);
}

/* ---- month over month ---- */

static void previous_month_from_report_json(void **state)
{
    (void)state;
    char dir[] = "/tmp/cb-test-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct tl t;
    everything_ledger(&t);
    struct config *c = load_config(everything_config);
    struct report *r = build(c, &t.l, false, NULL, NULL);
    struct render_dest d = {.dir = dir};
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(render_json(r, &d, &err), CB_OK);
    report_free(r);

    /* the same month is no previous month */
    struct prior_month *p = NULL;
    assert_int_equal(prior_read_previous(dir, &p, &err), CB_OK);
    struct report_opts same = {.config = c, .ledger = &t.l, .previous = p};
    assert_int_equal(report_build(&same, &r, &err), CB_EUSAGE);
    prior_free(p);
    assert_non_null(strstr(err.text, "not a month before 2026-10"));
    /* next month alpha used more: one more line of 1.00 output */
    t.l.month = 11;
    t.l.days_in_month = 30;
    tl_line(&t, &t.b[0], &sonnet, false, 0, 0, 66667);
    r = build(c, &t.l, false, NULL, dir);
    const struct report_team *a = team(r, "alpha");
    assert_true(a->mom.present);
    assert_string_equal(a->mom.previous_month, "2026-10");
    assert_int_equal(a->mom.previous_total, 1174);
    assert_int_equal(a->mom.previous_list_cost, 900);
    assert_int_equal(a->mom.delta_total, a->total - 1174);
    assert_true(a->total > 1174);
    assert_true(a->mom.has_pct);
    assert_int_equal(a->mom.delta_pct_e4, (a->total - 1174) * 10000 / 1174 +
                                              ((a->total - 1174) * 10000 % 1174 * 2 >= 1174));
    report_free(r);

    char *path = xasprintf("%s/report.json", dir);
    unlink(path);
    p = NULL;
    assert_int_equal(prior_read_previous(dir, &p, &err), CB_EUSAGE);
    assert_null(p);
    assert_string_equal(err.file, path);
    free(path);
    rmdir(dir);
    config_free(c);
}

/* ---- corrected revisions (the superseded month as plain data, as prior_read_signed gives) ---- */

static struct report *build_revision(const struct config *c, const struct ledger *l,
                                     const char *sde, const struct prior_month *p)
{
    struct report *r = NULL;
    struct cb_error err;
    cb_error_clear(&err);
    struct report_opts o = {.config = c, .ledger = l, .source_date_epoch = sde, .superseded = p};
    if (report_build(&o, &r, &err) != CB_OK)
        fail_msg("report_build: %s", err.text);
    return r;
}

/* A revision is issued no earlier than the day its superseded month was signed (else a
 * corrected invoice would be dated before the approval of the one it corrects), and its due
 * date keeps the payment terms. SOURCE_DATE_EPOCH still dates it when that is later. */
static void revision_dated_after_signoff(void **state)
{
    (void)state;
    static const struct {
        const char *sde, *signed_at, *signed_on;
        int terms;
        const char *month_issue; /* the month's own issue date, without the revision */
        const char *issue, *due;
    } cases[] = {
        {NULL, "2026-11-20T16:05:00Z", "2026-11-20", 30, "2026-11-01", "2026-11-20", "2026-12-20"},
        {NULL, "2026-11-20T16:05:00Z", "2026-11-20", 45, "2026-11-01", "2026-11-20", "2027-01-04"},
        {NULL, "2026-11-01T08:00:00Z", "2026-11-01", 30, "2026-11-01", "2026-11-01", "2026-12-01"},
        /* signed before the period's end (a test month): the usual date stands */
        {NULL, "2026-10-31T23:00:00Z", "2026-10-31", 30, "2026-11-01", "2026-11-01", "2026-12-01"},
        /* SOURCE_DATE_EPOCH 2026-11-02 is before the sign-off: the sign-off day */
        {"1793577600", "2026-11-20T16:05:00Z", "2026-11-20", 30, "2026-11-02", "2026-11-20",
         "2026-12-20"},
        /* SOURCE_DATE_EPOCH 2026-12-01 is after it: that day */
        {"1796083200", "2026-11-20T16:05:00Z", "2026-11-20", 0, "2026-12-01", "2026-12-01",
         "2026-12-01"},
    };
    struct tl t;
    everything_ledger(&t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = xasprintf("{\"invoice\": {\"payment_terms_days\": %d}}", cases[i].terms);
        struct config *c = load_config(text);
        free(text);
        struct prior_month p = {.folder = "out/2026-10",
                                .path = "out/2026-10/report.json",
                                .month = "2026-10",
                                .revision = 1,
                                .signed_by = "Ann Finance",
                                .signed_at = (char *)cases[i].signed_at};
        snprintf(p.signed_on, sizeof p.signed_on, "%s", cases[i].signed_on);
        struct report *r = build_revision(c, &t.l, cases[i].sde, &p);
        assert_int_equal(r->revision, 2);
        assert_string_equal(r->issue_date, cases[i].issue);
        assert_string_equal(r->due_date, cases[i].due);
        report_free(r);
        /* the month itself (no revision) keeps its usual date */
        r = build(c, &t.l, false, cases[i].sde, NULL);
        assert_string_equal(r->issue_date, cases[i].month_issue);
        report_free(r);
        config_free(c);
    }
}

/* The revision records every invoice of the superseded month as that month posted it: the
 * teams still here point at theirs, a team new in the revision at none, and the teams it no
 * longer invoices are listed apart (display order), so what was invoiced, what is invoiced now
 * and the difference add up, and report_check holds them to it. */
static void revision_reverses_every_signed_invoice(void **state)
{
    (void)state;
    struct tl t;
    everything_ledger(&t); /* alpha, beta (configured), gamma (data only) */
    struct config *c = load_config(everything_config);
    struct prior_team teams[] = {
        /* by id, as prior_read_signed sorts them */
        {.id = "alpha",
         .invoice_number = "CB-2026-10-ALPHA",
         .name = "Alpha (old name)",
         .cost_center = "A-0",
         .reference = "PO-1",
         .gl_account = "6000-OLD",
         .total = 1000},
        /* fields an older report.json did not write: taken from the team now */
        {.id = "beta", .invoice_number = "CB-2026-10-BETA", .total = 2500},
        {.id = "omega",
         .invoice_number = "CB-2026-10-OMEGA",
         .name = "Omega",
         .cost_center = "",
         .reference = "",
         .gl_account = "6420-AI",
         .total = 300},
        {.id = "zeta",
         .invoice_number = "CB-2026-10-ZETA",
         .name = "Alpha Zeta",
         .cost_center = "Z-9",
         .reference = "",
         .gl_account = "6420-AI",
         .total = 250},
    };
    struct prior_month p = {.folder = "out/2026-10",
                            .path = "out/2026-10/report.json",
                            .month = "2026-10",
                            .revision = 1,
                            .teams = teams,
                            .n_teams = 4,
                            .credit_account = "2990-OLD",
                            .signed_by = "Ann Finance",
                            .signed_at = "2026-11-03T10:00:00Z",
                            .signed_on = "2026-11-03"};
    struct report *r = build_revision(c, &t.l, NULL, &p);
    const struct report_supersedes *S = &r->supersedes;
    assert_int_equal(S->n_invoices, 4);
    assert_int_equal(S->previous_total, 4050);
    assert_int_equal(S->difference, r->totals.charged - 4050);
    assert_string_equal(S->credit_account, "2990-OLD");
    /* omega and zeta have no invoice now: by display name, "Alpha Zeta" before "Omega" */
    assert_int_equal(S->n_gone, 2);
    assert_string_equal(S->invoices[S->gone[0]].team, "zeta");
    assert_string_equal(S->invoices[S->gone[1]].team, "omega");
    const struct report_team *a = team(r, "alpha"), *b = team(r, "beta"), *g = team(r, "gamma");
    assert_non_null(a->superseded);
    assert_string_equal(a->superseded->invoice_number, "CB-2026-10-ALPHA");
    assert_string_equal(a->superseded->gl_account, "6000-OLD"); /* as posted, not as now */
    assert_string_equal(a->superseded->cost_center, "A-0");
    assert_string_equal(a->superseded->name, "Alpha (old name)");
    assert_int_equal(a->revision.previous_total, 1000);
    assert_string_equal(a->invoice_number, "CB-2026-10-ALPHA-R2");
    assert_non_null(b->superseded);
    assert_string_equal(b->superseded->name, b->name);
    assert_string_equal(b->superseded->gl_account, b->gl_account);
    assert_string_equal(b->superseded->cost_center, b->cost_center);
    assert_null(g->superseded); /* new in the revision: nothing to reverse */
    assert_int_equal(g->revision.previous_total, 0);
    assert_string_equal(g->supersedes_invoice, "");
    int64_t settle = 0;
    for (size_t i = 0; i < r->n_teams; i++)
        settle += r->teams[i].revision.difference;
    assert_int_equal(settle - 300 - 250, S->difference);
    struct cb_error err;
    cb_error_clear(&err);
    r->supersedes.difference += 1;
    assert_int_equal(report_check(r, &err), CB_EINTERNAL);
    assert_non_null(strstr(err.text, "previously invoiced"));
    report_free(r);

    /* a report.json without "journal" (an older version): the credit account of this run */
    p.credit_account = NULL;
    r = build_revision(c, &t.l, NULL, &p);
    assert_string_equal(r->supersedes.credit_account, "");
    report_free(r);
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(everything_meets),
        cmocka_unit_test(fixed_pools),
        cmocka_unit_test(fixed_pool_from_provider_invoice),
        cmocka_unit_test(hybrid_method_in_words),
        cmocka_unit_test(tiered_graduated_and_volume),
        cmocka_unit_test(unallocated_split_proportionally),
        cmocka_unit_test(bridge_adds_up_everywhere),
        cmocka_unit_test(breakdowns_add_up_to_the_invoice),
        cmocka_unit_test(shares_add_up_to_one_hundred),
        cmocka_unit_test(web_search_skill_and_mcp_lines),
        cmocka_unit_test(slugs_invoice_numbers_and_dates),
        cmocka_unit_test(check_catches_tampering),
        cmocka_unit_test(previous_month_from_report_json),
        cmocka_unit_test(revision_dated_after_signoff),
        cmocka_unit_test(revision_reverses_every_signed_invoice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

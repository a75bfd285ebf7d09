/* The renderer-neutral report: the ledger priced into invoice lines, allocated by the
 * chargeback model (allocate.c), reconciled, explained in words and checked (SPEC §5, §7). */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "budgets.h"
#include "date.h"
#include "explain.h"
#include "insights.h"
#include "msg.h"
#include "intern.h"
#include "paths.h"
#include "prior.h"
#include "slug.h"
#include "strbuf.h"
#include "text.h"
#include "utf8.h"
#include "xalloc.h"

#ifndef CB_VERSION
#define CB_VERSION "0.0.0"
#endif

#define TOP_N 10

/* "claude-sonnet-4-6" -> "Claude Sonnet 4.6"; "claude-3-5-haiku" -> "Claude 3.5 Haiku". */
static char *model_display_name(const char *id)
{
    struct strbuf b = STRBUF_INIT;
    bool prev_digit = false;
    for (const char *p = id; *p;) {
        size_t k = strcspn(p, "-");
        bool digits = k > 0 && strspn(p, "0123456789") == k;
        if (k > 0) {
            if (b.len > 0)
                strbuf_putc(&b, digits && prev_digit ? '.' : ' ');
            if (!digits && p[0] >= 'a' && p[0] <= 'z') {
                strbuf_putc(&b, (char)(p[0] - 'a' + 'A'));
                strbuf_append(&b, p + 1, k - 1);
            } else
                strbuf_append(&b, p, k);
            prev_digit = digits;
        }
        p += k;
        if (*p == '-')
            p++;
    }
    return b.len ? strbuf_detach(&b) : xstrdup(id);
}

/* ---- lines ---- */

struct lines {
    struct report_line *v;
    size_t n;
};

static struct report_line *push_line(struct lines *ls, enum line_kind kind, const char *model,
                                     bool batch, char *description_owned, int64_t qty,
                                     int64_t price, int64_t per, const char *unit)
{
    ls->v = xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
    struct report_line *l = &ls->v[ls->n++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->model = model ? xstrdup(model) : NULL;
    l->batch = batch;
    l->description = description_owned;
    l->quantity = qty;
    l->unit_price_micros = price;
    l->per = per;
    l->unit = unit; /* a literal: one of four */
    l->amount = alloc_line_amount(qty, price, per);
    l->list_pico = (cb_i128)qty * price * 1000000 / per; /* per divides 10^6: exact */
    return l;
}

/* An allocation line: quantity 1, per 1, unit price = amount. */
static void push_alloc(struct lines *ls, enum line_kind kind, char *description_owned,
                       int64_t cents)
{
    /* past the billing bound the unit price (cents × 10^4) would not fit an int64: the line
     * keeps its amount only, and check_bounds stops the run */
    bool fits = cents <= MONEY_MAX_CENTS && cents >= -MONEY_MAX_CENTS;
    struct report_line *l = push_line(ls, kind, NULL, false, description_owned, 1,
                                      fits ? cents * MONEY_MICRO_PER_CENT : 0, 1, "allocation");
    l->amount = cents;
}

static void lines_free(struct lines *ls)
{
    for (size_t i = 0; i < ls->n; i++) {
        free(ls->v[i].model);
        free(ls->v[i].description);
    }
    free(ls->v);
    ls->v = NULL;
    ls->n = 0;
}

static int64_t lines_sum(const struct report_line *v, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i].amount;
    return s;
}

/* ---- group accumulators (by model, merged projects/users) ---- */

struct gacc {
    struct report_group *v;
    cb_i128 *pico; /* exact cost per item when known */
    size_t n;
};

static size_t gacc_find(struct gacc *g, const char *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->v[i].key, key) == 0)
            return i;
    g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
    g->pico = xreallocarray(g->pico, g->n + 1, sizeof *g->pico);
    memset(&g->v[g->n], 0, sizeof g->v[g->n]);
    g->pico[g->n] = 0;
    g->v[g->n].key = xstrdup(key);
    return g->n++;
}

static int group_cmp(const void *a, const void *b)
{
    const struct report_group *x = a, *y = b;
    if (x->list_cost != y->list_cost)
        return x->list_cost > y->list_cost ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Shares of the parts' sum in 10^4 (10000 = 100.00 %) by the largest remainder method, so the
 * shares shown add up to exactly 100.00 % (ties to the lower index). With a negative part, or
 * a sum that is not positive, each share is rounded on its own (all 0 for a zero sum). */
static void shares_e4(const int64_t *parts, size_t n, int64_t *out)
{
    int64_t sum = 0;
    bool negative = false;
    for (size_t i = 0; i < n; i++) {
        sum += parts[i];
        negative |= parts[i] < 0;
    }
    if (negative || sum <= 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = alloc_share_e4(parts[i], sum);
        return;
    }
    cb_i128 *w = xcalloc(n, sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i] = parts[i];
    money_split(10000, w, n, out);
    free(w);
}

/* Sets each group's share_e4 of the groups' summed list cost by shares_e4. */
static void group_shares(struct report_group *v, size_t n)
{
    int64_t *parts = xcalloc(n ? n : 1, sizeof *parts), *out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        parts[i] = v[i].list_cost;
    shares_e4(parts, n, out);
    for (size_t i = 0; i < n; i++)
        v[i].share_e4 = out[i];
    free(parts);
    free(out);
}

/* Rounds exact costs (pico-USD) to cents that add up to `whole` exactly, by the largest
 * remainder over the exact costs: every row is within a cent of its own exact cost and a
 * breakdown's rows add up to the figure it breaks down (which is a sum of rounded lines). */
static void split_cents(int64_t whole, const cb_i128 *pico, size_t n, int64_t *out)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= pico[i] > 0;
    if (!any) { /* nothing to weigh by: each row rounded on its own */
        for (size_t i = 0; i < n; i++)
            out[i] = money_pico_to_cents(pico[i]);
        return;
    }
    money_split(whole, pico, n, out);
}

/* Sorts, sets the shares of all rows (largest remainder: they add up to 100.00 % of the rows'
 * sum), keeps the first `limit` (0 = all), moves into out. */
static void gacc_finish(struct gacc *g, size_t limit, struct report_groups *out)
{
    if (g->n > 1)
        qsort(g->v, g->n, sizeof *g->v, group_cmp);
    group_shares(g->v, g->n);
    size_t n = (limit && g->n > limit) ? limit : g->n;
    for (size_t i = n; i < g->n; i++)
        free(g->v[i].key);
    out->items = n ? g->v : NULL;
    out->n = n;
    if (!n)
        free(g->v);
    free(g->pico);
    memset(g, 0, sizeof *g);
}

static void usage_add(struct report_usage *u, const struct ledger_usage *lu)
{
    u->requests += lu->requests;
    u->input_tokens += lu->tokens[TOK_INPUT];
    u->output_tokens += lu->tokens[TOK_OUTPUT];
    u->cache_read_input_tokens += lu->tokens[TOK_CACHE_READ];
    u->cache_write_5m_input_tokens += lu->tokens[TOK_CACHE_WRITE_5M];
    u->cache_write_1h_input_tokens += lu->tokens[TOK_CACHE_WRITE_1H];
    u->web_search_requests += lu->web_search;
    u->skill_invocations += lu->skill;
    u->mcp_operations += lu->mcp;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        u->total_tokens += lu->tokens[k];
}

static void usage_add_group(struct report_usage *u, const struct report_usage *v)
{
    u->requests += v->requests;
    u->input_tokens += v->input_tokens;
    u->output_tokens += v->output_tokens;
    u->cache_read_input_tokens += v->cache_read_input_tokens;
    u->cache_write_5m_input_tokens += v->cache_write_5m_input_tokens;
    u->cache_write_1h_input_tokens += v->cache_write_1h_input_tokens;
    u->web_search_requests += v->web_search_requests;
    u->skill_invocations += v->skill_invocations;
    u->mcp_operations += v->mcp_operations;
    u->total_tokens += v->total_tokens;
}

static const char *const class_words[TOK_CLASS_COUNT] = {
    "input tokens",
    "output tokens",
    "cache read tokens",
    "cache write tokens (5 min)",
    "cache write tokens (1 h)",
};

/* "Claude Haiku 5.5 — input tokens, prompts over 100k, fast mode, US-only inference (batch,
 * prices from 2026-10-07)": the model once, the token class, the variant in words. */
static char *line_description(const struct price_entry *e, const char *what, bool batch,
                              unsigned band, unsigned speed, unsigned geo)
{
    char *name = model_display_name(e->model);
    const char *from = e->effective_from;
    struct strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "%s — %s", name, what);
    if (band == BAND_LONG) {
        if (e->long_above % 1000 == 0)
            strbuf_printf(&b, ", prompts over %lldk", (long long)(e->long_above / 1000));
        else
            strbuf_printf(&b, ", prompts over %lld tokens", (long long)e->long_above);
    }
    if (speed == SPEED_FAST)
        strbuf_printf(&b, ", fast mode");
    if (geo == GEO_US)
        strbuf_printf(&b, ", US-only inference");
    if (batch && from[0])
        strbuf_printf(&b, " (batch, prices from %s)", from);
    else if (batch)
        strbuf_printf(&b, " (batch)");
    else if (from[0])
        strbuf_printf(&b, " (prices from %s)", from);
    free(name);
    return strbuf_detach(&b);
}

/* Prices one bucket into invoice lines (SPEC §5: one per model, token class, batch or not,
 * price entry; web search; skills and MCP at internal rates). Appends to ls; adds model rows to
 * by_model (may be NULL). Returns the sum of the appended lines in cents. */
static int64_t bucket_lines(const struct config *c, const struct ledger_bucket *b, struct lines *ls,
                            struct gacc *by_model)
{
    int64_t sum = 0;
    if (!b)
        return 0;
    for (size_t i = 0; i < b->n_lines; i++) {
        const struct ledger_line *ll = &b->lines[i];
        const struct price_entry *e = ll->price;
        size_t gi = 0;
        if (by_model) {
            gi = gacc_find(by_model, e->model);
            struct report_usage *u = &by_model->v[gi].usage;
            struct ledger_usage lu = {.requests = ll->requests, .web_search = ll->web_search};
            memcpy(lu.tokens, ll->tokens, sizeof lu.tokens);
            usage_add(u, &lu);
        }
        for (int k = 0; k < TOK_CLASS_COUNT; k++) {
            if (ll->tokens[k] <= 0)
                continue;
            int64_t price = 0;
            price_variant_mtok(e, (enum token_class)k, ll->batch, (enum price_band)ll->band,
                               (enum price_speed)ll->speed, (enum price_geo)ll->geo, &price);
            struct report_line *l = push_line(
                ls, (enum line_kind)(LINE_INPUT + k), e->model, ll->batch,
                line_description(e, class_words[k], ll->batch, ll->band, ll->speed, ll->geo),
                ll->tokens[k], price, 1000000, "1M tokens");
            l->band = ll->band;
            l->speed = ll->speed;
            l->geo = ll->geo;
            sum += l->amount;
            if (by_model)
                by_model->v[gi].list_cost += l->amount;
        }
        if (ll->web_search > 0) {
            struct report_line *l =
                push_line(ls, LINE_WEB_SEARCH, e->model, false,
                          line_description(e, "web search", false, 0, 0, 0), ll->web_search,
                          e->web_search_per_k, 1000, "1K searches");
            sum += l->amount;
            if (by_model)
                by_model->v[gi].list_cost += l->amount;
        }
    }
    int64_t internal = 0;
    if (b->usage.skill > 0 && c->skill_rate_micros > 0)
        internal +=
            push_line(ls, LINE_SKILL, NULL, false, xstrdup("Skill invocations (internal rate)"),
                      b->usage.skill, c->skill_rate_micros, 1, "call")
                ->amount;
    if (b->usage.mcp > 0 && c->mcp_rate_micros > 0)
        internal += push_line(ls, LINE_MCP, NULL, false, xstrdup("MCP operations (internal rate)"),
                              b->usage.mcp, c->mcp_rate_micros, 1, "call")
                        ->amount;
    /* internal-rate charges are no model's: their own row, so the rows add up to the lines */
    if (by_model && internal) {
        size_t gi = gacc_find(by_model, REPORT_INTERNAL_RATES_ROW);
        by_model->v[gi].list_cost += internal;
        by_model->v[gi].usage.skill_invocations += c->skill_rate_micros > 0 ? b->usage.skill : 0;
        by_model->v[gi].usage.mcp_operations += c->mcp_rate_micros > 0 ? b->usage.mcp : 0;
    }
    return sum + internal;
}

/* ---- the order of teams on documents ---- */

struct keyed_team {
    char *key; /* text_sort_key of its name */
    const struct report_team *t;
};

static int cmp_team_display(const void *a, const void *b)
{
    const struct keyed_team *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (!c)
        c = strcmp(x->t->name, y->t->name);
    return c ? c : strcmp(x->t->id, y->t->id);
}

/* r->order: every team by display name as a reader orders names (text_sort_key: "Équipe" among
 * the E's, "Team 9" before "Team 10"), then by the name's bytes, then id (ids are unique, so the
 * order is total). */
static void set_order(struct report *r)
{
    struct keyed_team *p = xcalloc(r->n_teams ? r->n_teams : 1, sizeof *p);
    for (size_t i = 0; i < r->n_teams; i++)
        p[i] = (struct keyed_team){text_sort_key(r->teams[i].name), &r->teams[i]};
    qsort(p, r->n_teams, sizeof *p, cmp_team_display);
    r->order = xcalloc(r->n_teams ? r->n_teams : 1, sizeof *r->order);
    for (size_t i = 0; i < r->n_teams; i++) {
        r->order[i] = (size_t)(p[i].t - r->teams);
        free(p[i].key);
    }
    free(p);
}

struct ranked_team {
    int64_t total;
    size_t pos; /* in display order */
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked_team *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void report_order_teams(struct report *r)
{
    set_order(r);
    size_t n = r->n_teams;
    struct ranked_team *v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t k = 0; k < n; k++)
        v[k] = (struct ranked_team){r->teams[r->order[k]].total, k};
    qsort(v, n, sizeof *v, cmp_ranked);
    r->ranked = xcalloc(n ? n : 1, sizeof *r->ranked);
    for (size_t k = 0; k < n; k++)
        r->ranked[k] = r->order[v[k].pos];
    free(v);
    r->n_ranked_shown = n > REPORT_CHART_TOP + 1 ? REPORT_CHART_TOP : n;
    int64_t top = 0;
    for (size_t k = 0; k < r->n_ranked_shown; k++)
        top += r->teams[r->ranked[k]].total;
    r->ranked_others_total = r->totals.charged - top;
    r->ranked_max = r->n_ranked_shown < n ? r->ranked_others_total : 0;
    for (size_t k = 0; k < r->n_ranked_shown; k++)
        if (r->teams[r->ranked[k]].total > r->ranked_max)
            r->ranked_max = r->teams[r->ranked[k]].total;
}

/* ---- the period ---- */

/* The period, the issue date (SOURCE_DATE_EPOCH's day, else the first day after the period;
 * with not_before, a "YYYY-MM-DD" day, no earlier than it) and the due date terms_days after. */
static enum cb_status set_period(struct report *r, const struct ledger *l, const char *sde,
                                 const char *not_before, int64_t terms_days, struct cb_error *err)
{
    int y = l->year, m = l->month;
    if (m < 1 || m > 12)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL, "report: bad period month %d", m);
    int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    snprintf(r->month, sizeof r->month, "%04d-%02d", y, m);
    snprintf(r->period_start, sizeof r->period_start, "%04d-%02d-01T00:00:00Z", y, m);
    snprintf(r->period_end, sizeof r->period_end, "%04d-%02d-01T00:00:00Z", ny, nm);
    snprintf(r->period_label, sizeof r->period_label, "%s %04d", date_month_name(m), y);
    if (sde) {
        int64_t secs = 0;
        bool ok = *sde != '\0' && strspn(sde, "0123456789") == strlen(sde) && strlen(sde) <= 15;
        for (const char *p = sde; ok && *p; p++)
            secs = secs * 10 + (*p - '0');
        if (!ok)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, "SOURCE_DATE_EPOCH",
                                "expected whole seconds since 1970-01-01, got \"%.64s\"", sde);
        int dy, dm, dd;
        date_civil_from_days(secs / 86400, &dy, &dm, &dd);
        snprintf(r->issue_date, sizeof r->issue_date, "%04d-%02d-%02d", dy, dm, dd);
    } else
        snprintf(r->issue_date, sizeof r->issue_date, "%04d-%02d-01", ny, nm);
    /* both are YYYY-MM-DD, which sorts as text */
    if (not_before && strlen(not_before) == 10 && strcmp(not_before, r->issue_date) > 0)
        snprintf(r->issue_date, sizeof r->issue_date, "%s", not_before);
    int iy, im, id;
    sscanf(r->issue_date, "%4d-%2d-%2d", &iy, &im, &id);
    date_civil_from_days(date_days_from_civil(iy, im, id) + terms_days, &iy, &im, &id);
    snprintf(r->due_date, sizeof r->due_date, "%04d-%02d-%02d", iy, im, id);
    r->payment_terms_days = terms_days;
    return CB_OK;
}

/* ---- the build ---- */

struct build {
    const struct report_opts *o;
    const struct config *c;
    const struct ledger *l;
    struct report *r;
    enum cb_model model;
    size_t n;                            /* teams */
    const struct config_team **cfg;      /* per team, NULL when data-only */
    const struct ledger_bucket **bucket; /* per team, NULL without usage */
    struct lines *usage_lines;           /* per team: priced usage (showback) */
    struct lines *alloc;                 /* per team: shared lines and after */
    int64_t *weights_e6, *headcount, *list, *direct;
    int64_t pool;         /* fixed / hybrid pool */
    int64_t hybrid_fixed; /* hybrid: the fixed part of the pool */
    int64_t unalloc_shown;
    struct gacc org_models;
    struct lines orphan_lines; /* shared pools of a month without teams: unallocated */
    int64_t orphan_cost;
    /* per ledger bucket (l->buckets order): the list cost its documents show, the sum of its
     * rounded lines; the organization's breakdowns are made of the buckets' own (fill_org) */
    int64_t *whole;
};

/* Records what bucket b's documents show as its list cost. */
static void set_whole(struct build *B, const struct ledger_bucket *b, int64_t cents)
{
    if (b)
        B->whole[b - B->l->buckets] = cents;
}

static const struct ledger_bucket *find_bucket(const struct ledger *l, enum bucket_kind k,
                                               const char *team, int shared_index)
{
    if (k == BUCKET_TEAM)
        return ledger_team(l, team); /* team buckets are sorted by id: a binary search */
    for (size_t i = 0; i < l->n_buckets; i++) {
        const struct ledger_bucket *b = &l->buckets[i];
        if (b->kind != k)
            continue;
        if (k == BUCKET_TEAM && strcmp(b->team, team) != 0)
            continue;
        if (k == BUCKET_SHARED && b->shared_index != shared_index)
            continue;
        return b;
    }
    return NULL;
}

struct team_ref {
    const char *id;
    const struct ledger_bucket *bucket; /* NULL for a configured team without usage */
};

static int cmp_team_ref(const void *a, const void *b)
{
    const struct team_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    /* equal ids: the one with usage first, so the merge below keeps its bucket */
    return c ? c : (x->bucket == NULL) - (y->bucket == NULL);
}

/* Config teams ∪ team buckets, sorted by id; warns once for each data-only team. Sorted and
 * merged, never searched pairwise: a month of 100,000 teams is a real month. */
static void collect_teams(struct build *B)
{
    const struct config *c = B->c;
    const struct ledger *l = B->l;
    size_t cap = c->n_teams + l->n_buckets;
    struct team_ref *refs = xcalloc(cap ? cap : 1, sizeof *refs);
    size_t n = 0;
    for (size_t i = 0; i < c->n_teams; i++)
        refs[n++] = (struct team_ref){c->teams[i].id, NULL};
    for (size_t i = 0; i < l->n_buckets; i++)
        if (l->buckets[i].kind == BUCKET_TEAM)
            refs[n++] = (struct team_ref){l->buckets[i].team, &l->buckets[i]};
    qsort(refs, n, sizeof *refs, cmp_team_ref);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(refs[m - 1].id, refs[i].id) != 0)
            refs[m++] = refs[i];
    B->n = m;
    struct report *r = B->r;
    r->n_teams = m;
    r->teams = xcalloc(m ? m : 1, sizeof *r->teams);
    B->cfg = xcalloc(m ? m : 1, sizeof *B->cfg);
    B->bucket = xcalloc(m ? m : 1, sizeof *B->bucket);
    B->usage_lines = xcalloc(m ? m : 1, sizeof *B->usage_lines);
    B->alloc = xcalloc(m ? m : 1, sizeof *B->alloc);
    B->weights_e6 = xcalloc(m ? m : 1, sizeof(int64_t));
    B->headcount = xcalloc(m ? m : 1, sizeof(int64_t));
    B->list = xcalloc(m ? m : 1, sizeof(int64_t));
    B->direct = xcalloc(m ? m : 1, sizeof(int64_t));
    size_t unconfigured = 0;
    const char **ids = xcalloc(m ? m : 1, sizeof *ids);
    bool *configured = xcalloc(m ? m : 1, sizeof *configured);
    for (size_t i = 0; i < m; i++) {
        struct report_team *t = &r->teams[i];
        ids[i] = refs[i].id;
        const struct config_team *ct = config_team(c, ids[i]);
        B->cfg[i] = ct;
        B->bucket[i] = refs[i].bucket;
        configured[i] = ct != NULL;
        t->id = xstrdup(ids[i]);
        t->configured = ct != NULL;
        t->name = xstrdup(ct && ct->name ? ct->name : ids[i]);
        t->cost_center = xstrdup(ct && ct->cost_center ? ct->cost_center : "");
        t->contact = xstrdup(ct && ct->contact ? ct->contact : "");
        t->owner = xstrdup(ct && ct->owner ? ct->owner : "");
        t->reference = xstrdup(ct && ct->reference ? ct->reference : "");
        t->gl_account = xstrdup(ct && ct->gl_account ? ct->gl_account
                                : c->gl_account      ? c->gl_account
                                                     : "");
        t->headcount = ct && ct->has_headcount ? ct->headcount : 0;
        B->headcount[i] = t->headcount;
        B->weights_e6[i] = ct ? ct->weight_e6 : 1000000;
        /* one warning a team for the first ones, then one for the rest: 100,000 unconfigured
         * teams are one fact, not 100,000 lines */
        if (!ct && ++unconfigured <= REPORT_WARNINGS_PER_KIND)
            msg_warn("team \"%s\" is in the data but not in the configuration; billed under its "
                     "tag",
                     ids[i]);
    }
    if (unconfigured > REPORT_WARNINGS_PER_KIND)
        msg_warn("and %zu more teams are in the data but not in the configuration (%zu in all); "
                 "each is billed under its tag, and report.json lists every team",
                 unconfigured - REPORT_WARNINGS_PER_KIND, unconfigured);
    char **slugs = xcalloc(m ? m : 1, sizeof *slugs);
    slug_assign(ids, configured, m, slugs);
    for (size_t i = 0; i < m; i++) {
        struct report_team *t = &r->teams[i];
        t->slug = slugs[i];
        char *up = xstrdup(t->slug);
        for (char *p = up; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        t->invoice_number = xasprintf("%s%s%s-%s", B->o->shadow ? "SHADOW-" : "",
                                      c->number_prefix ? c->number_prefix : "CB-", r->month, up);
        free(up);
    }
    free(slugs);
    free(configured);
    free(ids);
    free(refs);
}

/* Warns once for each team, project, user, workflow or environment tag holding a character
 * that shows as nothing ("da\u200bta" looks like "data" but is another team), naming it with
 * the character written out. Linear in the groups; repeats are found by interning. */
static void warn_invisible(const struct build *B)
{
    static const char *const dims[DIM_COUNT] = {"project", "user", "workflow", "environment"};
    for (size_t i = 0; i < B->n; i++) {
        char *shown = utf8_show_invisible(B->r->teams[i].id);
        if (shown)
            msg_warn("team \"%s\" holds an invisible character; it is billed as a team of its "
                     "own, apart from any team whose name only looks the same",
                     shown);
        free(shown);
    }
    struct intern *seen = intern_new();
    for (size_t b = 0; b < B->l->n_buckets; b++)
        for (int d = 0; d < DIM_COUNT; d++)
            for (size_t g = 0; g < B->l->buckets[b].n_groups[d]; g++) {
                const char *key = B->l->buckets[b].groups[d][g].key;
                char *shown = key ? utf8_show_invisible(key) : NULL;
                if (!shown)
                    continue;
                char *tagged = xasprintf("%s=%s", dims[d], key);
                size_t before = intern_count(seen);
                intern_str(seen, tagged, strlen(tagged));
                if (intern_count(seen) > before)
                    msg_warn("%s \"%s\" holds an invisible character; it is counted apart from "
                             "any %s whose name only looks the same",
                             dims[d], shown, dims[d]);
                free(tagged);
                free(shown);
            }
    intern_free(seen);
}

/* Splits a pool among the teams and appends a "shared" line to each. CB_EINTERNAL when the
 * parts do not add up. */
static enum cb_status share_pool(struct build *B, const char *name, int64_t cost,
                                 enum split_kind kind, struct cb_error *err)
{
    if (B->n == 0 || cost == 0)
        return CB_OK;
    int64_t *parts = xcalloc(B->n, sizeof *parts);
    alloc_split(cost, kind, B->list, B->weights_e6, B->n, parts);
    int64_t sum = 0;
    for (size_t i = 0; i < B->n; i++) {
        sum += parts[i];
        B->r->teams[i].shared += parts[i];
        push_alloc(&B->alloc[i], LINE_SHARED,
                   explain_shared_line(name, kind, alloc_share_e4(parts[i], cost), cost), parts[i]);
    }
    free(parts);
    if (sum != cost)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "split of pool \"%s\": parts sum to %lld cents, pool is %lld", name,
                            (long long)sum, (long long)cost);
    return CB_OK;
}

static enum cb_status price_pools(struct build *B, struct cb_error *err)
{
    const struct config *c = B->c;
    struct report *r = B->r;
    struct gacc pools = {0};
    enum cb_status st = CB_OK;
    for (size_t i = 0; i < c->n_shared && st == CB_OK; i++) {
        const struct ledger_bucket *b = find_bucket(B->l, BUCKET_SHARED, NULL, (int)i);
        struct lines tmp = {0};
        int64_t cost = bucket_lines(c, b, &tmp, &B->org_models);
        set_whole(B, b, cost);
        const char *name = c->shared[i].name ? c->shared[i].name : "Shared pool";
        if (B->n == 0 && cost != 0) {
            /* no team to split it among: the pool is unallocated cost, shown as such */
            msg_warn("shared pool \"%s\" (%s): no team in the month to split it among; it is "
                     "shown as unallocated",
                     name, text_money(cost).s);
            B->orphan_cost += cost;
            for (size_t k = 0; k < tmp.n; k++) {
                char *d = xasprintf("%s: %s", name, tmp.v[k].description);
                free(tmp.v[k].description);
                tmp.v[k].description = d;
            }
            B->orphan_lines.v =
                xreallocarray(B->orphan_lines.v, B->orphan_lines.n + tmp.n + 1, sizeof *tmp.v);
            memcpy(B->orphan_lines.v + B->orphan_lines.n, tmp.v, tmp.n * sizeof *tmp.v);
            B->orphan_lines.n += tmp.n;
            free(tmp.v);
        } else
            lines_free(&tmp);
        size_t gi = gacc_find(&pools, name);
        pools.v[gi].list_cost += cost;
        if (b)
            usage_add(&pools.v[gi].usage, &b->usage);
        st = share_pool(B, name, cost, c->shared[i].split, err);
    }
    /* pools keep the config order: no sort; each pool's share is of all shared cost */
    group_shares(pools.v, pools.n);
    r->shared_pools.items = pools.v;
    r->shared_pools.n = pools.n;
    free(pools.pico);
    return st;
}

static enum cb_status price_unallocated(struct build *B, struct cb_error *err)
{
    struct report *r = B->r;
    const struct ledger_bucket *b = find_bucket(B->l, BUCKET_UNALLOCATED, NULL, 0);
    struct lines ls = {0};
    int64_t cost = bucket_lines(B->c, b, &ls, &B->org_models);
    set_whole(B, b, cost);
    if (b)
        usage_add(&r->unallocated_usage, &b->usage);
    if (B->orphan_lines.n > 0) { /* shared pools no team carries (price_pools) */
        cost += B->orphan_cost;
        ls.v = xreallocarray(ls.v, ls.n + B->orphan_lines.n, sizeof *ls.v);
        memcpy(ls.v + ls.n, B->orphan_lines.v, B->orphan_lines.n * sizeof *ls.v);
        ls.n += B->orphan_lines.n;
        free(B->orphan_lines.v);
        B->orphan_lines = (struct lines){0};
        for (size_t i = 0; i < r->shared_pools.n; i++)
            usage_add_group(&r->unallocated_usage, &r->shared_pools.items[i].usage);
    }
    r->unallocated_list_cost = cost;
    r->totals.unallocated = cost;
    bool show = B->c->unallocated == UNALLOC_SHOW || B->n == 0;
    r->unallocated_policy = xstrdup(B->c->unallocated == UNALLOC_PROPORTIONAL ? "proportional"
                                    : B->c->unallocated == UNALLOC_EVEN       ? "even"
                                                                              : "show");
    if (B->n == 0 && B->c->unallocated != UNALLOC_SHOW) {
        free(r->unallocated_policy);
        r->unallocated_policy = xstrdup("show");
    }
    if (show) {
        r->unallocated_lines = ls.v;
        r->n_unallocated_lines = ls.n;
        B->unalloc_shown = cost;
        return CB_OK;
    }
    lines_free(&ls);
    return share_pool(B, "Unallocated usage", cost,
                      B->c->unallocated == UNALLOC_EVEN ? SPLIT_EVEN : SPLIT_PROPORTIONAL, err);
}

static int64_t tier_tokens(const struct config *c, const struct report_usage *u)
{
    return c->tier_metric == METRIC_INPUT_TOKENS    ? u->input_tokens
           : c->tier_metric == METRIC_OUTPUT_TOKENS ? u->output_tokens
                                                    : u->total_tokens;
}

static bool all_equal(const int64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return false;
    return true;
}

/* Applies the chargeback model: appends the charge lines to each team's invoice and writes
 * the per-team method text (without overhead and markup) into methods[i]. */
static enum cb_status apply_model(struct build *B, struct strbuf *methods, struct cb_error *err)
{
    const struct config *c = B->c;
    struct report *r = B->r;
    size_t n = B->n;
    int64_t sum_direct = 0;
    for (size_t i = 0; i < n; i++)
        sum_direct += B->direct[i];
    enum cb_status st = CB_OK;
    int64_t *a = xcalloc(n ? n : 1, sizeof *a), *b = xcalloc(n ? n : 1, sizeof *b);
    if (B->model == CB_MODEL_FIXED || B->model == CB_MODEL_HYBRID) {
        /* the pool recovers everything: shared shares stay showback (in D_t), off the invoice */
        for (size_t i = 0; i < n; i++)
            lines_free(&B->alloc[i]);
        B->pool = c->has_amount           ? c->amount_cents
                  : c->has_provider_total ? c->provider_total_cents - B->unalloc_shown
                                          : sum_direct;
    }
    /* the facts of each team's split go to explain.c, which words them */
    struct explain_split f = {.model = B->model, .n_teams = n, .pool = B->pool};
    switch (B->model) {
    case CB_MODEL_USAGE:
        for (size_t i = 0; i < n; i++) {
            struct report_team *t = &r->teams[i];
            t->charge = B->direct[i];
            f.direct = t->direct;
            f.list_cost = t->list_cost;
            f.shared = t->shared;
            explain_method(&methods[i], &f);
        }
        break;
    case CB_MODEL_FIXED: {
        alloc_split(B->pool, SPLIT_WEIGHTS, NULL, B->weights_e6, n, a);
        int64_t wsum = 0, sum = 0;
        for (size_t i = 0; i < n; i++)
            wsum += B->weights_e6[i];
        f.equal = all_equal(B->weights_e6, n);
        f.weight_sum_e6 = wsum;
        for (size_t i = 0; i < n; i++) {
            struct report_team *t = &r->teams[i];
            t->charge = a[i];
            sum += a[i];
            f.share_e4 = alloc_share_e4(a[i], B->pool);
            f.weight_e6 = B->weights_e6[i];
            f.amount = a[i];
            explain_method(&methods[i], &f);
            push_alloc(&B->alloc[i], LINE_FIXED, explain_fixed_line(B->pool, f.share_e4), a[i]);
        }
        if (n > 0 && sum != B->pool)
            st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                              "fixed split: parts sum to %lld cents, pool is %lld", (long long)sum,
                              (long long)B->pool);
        break;
    }
    case CB_MODEL_HYBRID: {
        B->hybrid_fixed = alloc_hybrid(B->pool, c->fixed_share_e6, c->fixed_basis, B->headcount,
                                       B->direct, n, a, b);
        int64_t rest = B->pool - B->hybrid_fixed, hsum = 0, sum = 0;
        for (size_t i = 0; i < n; i++)
            hsum += B->headcount[i];
        f.by_headcount = c->fixed_basis == BASIS_HEADCOUNT && hsum > 0;
        f.fixed_share_e6 = c->fixed_share_e6;
        f.hybrid_fixed = B->hybrid_fixed;
        f.headcount_sum = hsum;
        f.sum_direct = sum_direct;
        for (size_t i = 0; i < n; i++) {
            struct report_team *t = &r->teams[i];
            t->charge = a[i] + b[i];
            sum += a[i] + b[i];
            f.headcount = B->headcount[i];
            f.share_e4 = f.by_headcount ? alloc_share_e4(B->headcount[i], hsum)
                                        : alloc_share_e4(a[i], B->hybrid_fixed);
            f.fixed_part = a[i];
            f.usage_part = b[i];
            f.direct = B->direct[i];
            f.usage_share_e4 = sum_direct > 0 ? alloc_share_e4(B->direct[i], sum_direct) : 0;
            explain_method(&methods[i], &f);
            push_alloc(&B->alloc[i], LINE_FIXED,
                       explain_hybrid_fixed_line(c->fixed_share_e6, B->pool, f.by_headcount), a[i]);
            push_alloc(
                &B->alloc[i], LINE_USAGE_SHARE,
                explain_hybrid_usage_line(c->fixed_share_e6, B->pool, alloc_share_e4(b[i], rest)),
                b[i]);
        }
        if (n > 0 && sum != B->pool)
            st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                              "hybrid split: parts sum to %lld cents, pool is %lld", (long long)sum,
                              (long long)B->pool);
        break;
    }
    case CB_MODEL_TIERED: {
        struct alloc_tier_part *parts = xcalloc(c->n_tiers ? c->n_tiers : 1, sizeof *parts);
        f.volume = c->tier_mode == TIER_VOLUME;
        f.metric = c->tier_metric;
        for (size_t i = 0; i < n; i++) {
            struct report_team *t = &r->teams[i];
            int64_t tokens = tier_tokens(c, &t->usage);
            size_t np = 0;
            int64_t tiered = alloc_tiered(c->tiers, c->n_tiers, c->tier_mode, tokens, parts, &np);
            /* tier lines go before the shared lines already in alloc[i] */
            struct lines tl = {0};
            for (size_t k = 0; k < np; k++) {
                const struct config_tier *ti = &c->tiers[parts[k].tier];
                int64_t from = parts[k].tier == 0 ? 0 : c->tiers[parts[k].tier - 1].up_to;
                bool last = !(ti->has_up_to && parts[k].tier + 1 < c->n_tiers);
                push_line(&tl, LINE_TIER, NULL, false,
                          explain_tier_line(parts[k].tier, f.volume, last, c->tier_metric, from,
                                            ti->up_to, tokens),
                          parts[k].tokens, parts[k].per_million_micros, 1000000, "1M tokens");
            }
            tl.v = xreallocarray(tl.v, tl.n + B->alloc[i].n + 1, sizeof *tl.v);
            if (B->alloc[i].n)
                memcpy(tl.v + tl.n, B->alloc[i].v, B->alloc[i].n * sizeof *tl.v);
            tl.n += B->alloc[i].n;
            free(B->alloc[i].v);
            B->alloc[i] = tl;
            t->charge = tiered + t->shared;
            f.tokens = tokens;
            f.amount = tiered;
            f.shared = t->shared;
            f.charge = t->charge;
            f.list_cost = t->list_cost;
            explain_method(&methods[i], &f);
        }
        free(parts);
        break;
    }
    }
    free(a);
    free(b);
    return st;
}

static enum cb_status true_up(struct build *B, struct cb_error *err)
{
    struct report *r = B->r;
    if (!B->c->has_provider_total || B->model != CB_MODEL_USAGE || B->n == 0)
        return CB_OK;
    int64_t diff = r->totals.reconciliation_difference;
    if (diff == 0)
        return CB_OK;
    int64_t *parts = xcalloc(B->n, sizeof *parts);
    alloc_split(diff, SPLIT_PROPORTIONAL, B->direct, NULL, B->n, parts);
    int64_t sum = 0;
    for (size_t i = 0; i < B->n; i++) {
        sum += parts[i];
        r->teams[i].true_up = parts[i];
        if (parts[i] != 0)
            push_alloc(&B->alloc[i], LINE_TRUE_UP,
                       explain_true_up_line(alloc_share_e4(parts[i], diff), diff), parts[i]);
    }
    free(parts);
    if (sum != diff)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "true-up split: parts sum to %lld cents, difference is %lld",
                            (long long)sum, (long long)diff);
    return CB_OK;
}

static void reconciliation_text(struct build *B)
{
    struct report *r = B->r;
    const struct report_totals *T = &r->totals;
    int64_t before = 0;
    for (size_t i = 0; i < r->n_teams; i++)
        before += r->teams[i].charge + r->teams[i].true_up;
    struct explain_reconciliation f = {
        .has_provider_total = T->has_provider_total,
        .model = B->model,
        .n_teams = r->n_teams,
        .has_amount = B->c->has_amount,
        .provider_total = T->provider_total,
        .period_list_total = T->period_list_total,
        .unallocated_shown = B->unalloc_shown,
        .difference = T->reconciliation_difference,
        .before = before,
        .pool = B->pool,
    };
    r->reconciliation_text = explain_reconciliation(&f);
}

/* Appends a bridge step; a zero amount is left out unless `keep` (the starting line). */
static void bridge_push(struct report_totals *T, bool keep, int64_t amount, char *label_owned)
{
    if (amount == 0 && !keep) {
        free(label_owned);
        return;
    }
    T->bridge = xreallocarray(T->bridge, T->n_bridge + 1, sizeof *T->bridge);
    T->bridge[T->n_bridge].label = label_owned;
    T->bridge[T->n_bridge].amount = amount;
    T->n_bridge++;
}

/* The summary bridge (report.json totals.bridge): from the provider invoice, or the teams'
 * usage at list price without one, step by step to the amount charged to teams. Each step is
 * a difference of two figures the model already holds, so the steps add up to totals.charged
 * by construction; the sum is checked anyway. CB_EINTERNAL when it does not hold. */
static enum cb_status build_bridge(struct build *B, struct cb_error *err)
{
    const struct config *c = B->c;
    struct report *r = B->r;
    struct report_totals *T = &r->totals;
    int64_t pools = 0, charge = T->charge;
    for (size_t i = 0; i < r->shared_pools.n; i++)
        pools += r->shared_pools.items[i].list_cost;
    int64_t split_unalloc = B->unalloc_shown ? 0 : r->unallocated_list_cost;
    int64_t direct = T->list_cost + T->shared; /* Σ D_t */
    int64_t at;                                /* where the walk stands */
    if (T->has_provider_total) {
        at = T->provider_total;
        bridge_push(T, true, at, xstrdup("Provider invoice"));
        bridge_push(T, false, -B->unalloc_shown,
                    xstrdup("Usage without a team: shown, not charged"));
        at -= B->unalloc_shown; /* = Σ D_t + reconciliation difference */
    } else {
        bridge_push(T, true, T->list_cost, xstrdup("Teams' usage at list price"));
        bridge_push(T, false, B->n ? pools : 0, xstrdup("Shared pools at list price"));
        bridge_push(T, false, split_unalloc,
                    xstrdup("Usage without a team, split among the teams"));
        at = direct;
    }
    if (B->n == 0) {
        bridge_push(T, false, -at, xstrdup("Not charged: no team in the month"));
        at = 0;
    } else {
        int64_t recovered = charge + T->true_up; /* before overhead and markup */
        switch (B->model) {
        case CB_MODEL_USAGE:
            /* with an invoice the true-up lines carry its difference: recovered = at */
            break;
        case CB_MODEL_FIXED:
        case CB_MODEL_HYBRID:
            bridge_push(
                T, false, recovered - at,
                xasprintf("Configured pool of %s instead of the %s", text_money(B->pool).s,
                          T->has_provider_total ? "provider invoice" : "usage at list price"));
            break;
        case CB_MODEL_TIERED:
            if (T->has_provider_total)
                bridge_push(T, false, direct - at,
                            xstrdup("Provider invoice less usage at list price: not charged "
                                    "under tiered rates"));
            bridge_push(T, false, recovered - direct,
                        xstrdup("Tiered rates instead of list price"));
            break;
        }
        at = recovered;
        bridge_push(T, false, T->overhead,
                    xasprintf("Platform overhead %s", text_rate(c->overhead_e6).s));
        bridge_push(T, false, T->markup, xstrdup("Markup"));
        at += T->overhead + T->markup;
    }
    int64_t sum = 0;
    for (size_t i = 0; i < T->n_bridge; i++)
        sum += T->bridge[i].amount;
    if (sum != T->charged || at != T->charged)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "summary bridge: steps add up to %lld cents, charged is %lld",
                            (long long)sum, (long long)T->charged);
    return CB_OK;
}

static void add_overhead_markup(struct build *B, struct strbuf *methods)
{
    struct report *r = B->r;
    int64_t base_direct = r->totals.period_list_total - B->unalloc_shown;
    for (size_t i = 0; i < B->n; i++) {
        struct report_team *t = &r->teams[i];
        int64_t base = t->charge + t->true_up;
        explain_true_up(&methods[i], r->totals.reconciliation_difference, B->direct[i], base_direct,
                        alloc_share_e4(B->direct[i], base_direct), t->true_up);
        if (B->c->overhead_e6) {
            t->overhead = alloc_rate(base, B->c->overhead_e6);
            push_alloc(&B->alloc[i], LINE_OVERHEAD, explain_overhead_line(B->c->overhead_e6, base),
                       t->overhead);
            explain_overhead(&methods[i], B->c->overhead_e6, base, t->overhead);
        }
        int64_t mk = B->cfg[i] ? B->cfg[i]->markup_e6 : 0;
        if (mk) {
            t->markup = alloc_rate(base, mk);
            push_alloc(&B->alloc[i], LINE_MARKUP, explain_markup_line(mk, base), t->markup);
            explain_markup(&methods[i], mk, base, t->markup);
        }
    }
}

/* Every figure of the month within ±MONEY_MAX_CENTS (SPEC §5: money is exact, so a figure
 * past what an int64 of micro-units holds is refused, never wrapped). CB_EUSAGE naming the
 * first team and figure past the bound; the configured amounts and rates are the usual cause. */
static enum cb_status check_bounds(const struct build *B, struct cb_error *err)
{
    const struct report *r = B->r;
    const char *what = NULL, *team = "";
    cb_i128 sum = 0;
    for (size_t i = 0; i < B->n && !what; i++) {
        const struct report_team *t = &r->teams[i];
        team = t->id;
        cb_i128 lines = 0;
        for (size_t k = 0; k < t->n_lines && !what; k++) {
            lines += t->lines[k].amount;
            if (t->lines[k].amount > MONEY_MAX_CENTS || t->lines[k].amount < -MONEY_MAX_CENTS)
                what = t->lines[k].description ? t->lines[k].description : "a line";
        }
        for (size_t k = 0; k < t->n_usage_lines && !what; k++)
            if (t->usage_lines[k].amount > MONEY_MAX_CENTS ||
                t->usage_lines[k].amount < -MONEY_MAX_CENTS)
                what = "its usage at list price";
        if (!what && (lines > MONEY_MAX_CENTS || lines < -MONEY_MAX_CENTS ||
                      t->list_cost > MONEY_MAX_CENTS || t->direct > MONEY_MAX_CENTS))
            what = "its invoice total";
        sum += lines < 0 ? -lines : lines;
    }
    if (!what && (sum > MONEY_MAX_CENTS || r->totals.period_list_total > MONEY_MAX_CENTS ||
                  r->totals.period_list_total < -MONEY_MAX_CENTS)) {
        what = "the month's total";
        team = "";
    }
    if (!what)
        return CB_OK;
    return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                        "%s%s%s%s goes beyond the largest amount chargeback bills "
                        "(1,000,000,000,000.00 %s); nothing written (check chargeback.amount, "
                        "overhead_rate, markup and the usage)",
                        team[0] ? "team \"" : "", team, team[0] ? "\": " : "", what, r->currency);
}

/* Moves the usage lines (usage model only) and the allocation lines onto the invoices. */
static void finish_lines(struct build *B)
{
    struct report *r = B->r;
    for (size_t i = 0; i < B->n; i++) {
        struct report_team *t = &r->teams[i];
        struct lines all = {0};
        if (B->model == CB_MODEL_USAGE)
            all = B->usage_lines[i];
        else {
            t->usage_lines = B->usage_lines[i].v;
            t->n_usage_lines = B->usage_lines[i].n;
        }
        memset(&B->usage_lines[i], 0, sizeof B->usage_lines[i]);
        all.v = xreallocarray(all.v, all.n + B->alloc[i].n + 1, sizeof *all.v);
        if (B->alloc[i].n)
            memcpy(all.v + all.n, B->alloc[i].v, B->alloc[i].n * sizeof *all.v);
        all.n += B->alloc[i].n;
        free(B->alloc[i].v);
        memset(&B->alloc[i], 0, sizeof B->alloc[i]);
        t->lines = all.v;
        t->n_lines = all.n;
        t->total = lines_sum(t->lines, t->n_lines);
    }
}

/* ---- breakdowns, days, budgets, anomalies, metrics, advice ---- */

/* Appends one row per group; keys within a bucket are unique (ledger.h), so no search. */
static void gacc_push(struct gacc *g, const char *key, const struct ledger_usage *u, cb_i128 cost)
{
    g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
    g->pico = xreallocarray(g->pico, g->n + 1, sizeof *g->pico);
    memset(&g->v[g->n], 0, sizeof g->v[g->n]);
    g->v[g->n].key = xstrdup(key);
    usage_add(&g->v[g->n].usage, u);
    g->pico[g->n] = cost;
    g->n++;
}

static void groups_from_bucket(const struct ledger_bucket *b, enum ledger_dim d, int64_t whole,
                               struct report_groups *out)
{
    struct gacc g = {0};
    if (b)
        for (size_t i = 0; i < b->n_groups[d]; i++) {
            const struct ledger_group *lg = &b->groups[d][i];
            gacc_push(&g, lg->key ? lg->key : "(untagged)", &lg->usage, lg->cost);
        }
    int64_t *cents = xcalloc(g.n ? g.n : 1, sizeof *cents);
    split_cents(whole, g.pico, g.n, cents);
    for (size_t i = 0; i < g.n; i++)
        g.v[i].list_cost = cents[i];
    free(cents);
    gacc_finish(&g, 0, out);
}

/* One row per day of the month; the days' list costs add up to `whole` (split_cents). */
static void fill_days(const struct ledger *l, const struct ledger_bucket *const *bs, size_t nb,
                      int64_t whole, struct report_day **out, size_t *n_out)
{
    int nd = l->days_in_month > 0 ? l->days_in_month : date_days_in_month(l->year, l->month);
    if (nd > 31)
        nd = 31;
    struct report_day *days = xcalloc((size_t)nd, sizeof *days);
    cb_i128 pico[31] = {0};
    int64_t cents[31];
    /* the ledger's period is a validated year 1970-9999 and month 1-12; "YYYY-MM-" once, then
     * each day's two digits (a month of 100,000 teams writes 3 million dates) */
    char month[9];
    snprintf(month, sizeof month, "%04u-%02u-", (unsigned)l->year % 10000u,
             (unsigned)l->month % 100u);
    for (int d = 0; d < nd; d++) {
        memcpy(days[d].date, month, 8);
        days[d].date[8] = (char)('0' + (d + 1) / 10);
        days[d].date[9] = (char)('0' + (d + 1) % 10);
        days[d].date[10] = '\0';
        for (size_t i = 0; i < nb; i++) {
            if (!bs[i])
                continue;
            const struct ledger_day *ld = ledger_bucket_day(bs[i], d + 1);
            pico[d] += ld->cost;
            days[d].requests += ld->usage.requests;
            for (int k = 0; k < TOK_CLASS_COUNT; k++)
                days[d].tokens += ld->usage.tokens[k];
        }
    }
    split_cents(whole, pico, (size_t)nd, cents);
    for (int d = 0; d < nd; d++)
        days[d].list_cost = cents[d];
    *out = days;
    *n_out = (size_t)nd;
}

static int cmp_group_key(const void *a, const void *b)
{
    const struct ledger_group *x = *(const struct ledger_group *const *)a;
    const struct ledger_group *y = *(const struct ledger_group *const *)b;
    if (!x->key || !y->key)
        return (x->key != NULL) - (y->key != NULL);
    return strcmp(x->key, y->key);
}

static void fill_org(struct build *B)
{
    struct report *r = B->r;
    const struct ledger *l = B->l;
    /* every billed record at list price as the invoices price it: Σ rounded lines of teams,
       shared pools and the unallocated bucket; the organization's breakdowns add up to it */
    int64_t org_total = r->totals.list_cost + r->unallocated_list_cost;
    for (size_t i = 0; i < r->shared_pools.n; i++)
        org_total += r->shared_pools.items[i].list_cost;
    /* A project's (or user's) row is the sum of its rows on the documents of the buckets it
     * has usage in: each team's invoice, each shared pool, the unallocated usage, every one
     * rounded to its own bucket's list cost as groups_from_bucket does. The same project then
     * reads the same on the summary as on its team's invoice, and the rows add up to the sum of
     * the buckets' list costs. */
    const enum ledger_dim dims[2] = {DIM_PROJECT, DIM_USER};
    struct report_groups *outs[2] = {&r->top_projects, &r->top_users};
    for (int d = 0; d < 2; d++) {
        size_t cap = 0;
        for (size_t i = 0; i < l->n_buckets; i++)
            cap += l->buckets[i].n_groups[dims[d]];
        struct keyed {
            const struct ledger_group *g; /* first: what cmp_group_key reads */
            int64_t cents;                /* its row on its bucket's documents */
        } *kv = xcalloc(cap ? cap : 1, sizeof *kv);
        cb_i128 *pico = xcalloc(cap ? cap : 1, sizeof *pico);
        int64_t *cents = xcalloc(cap ? cap : 1, sizeof *cents);
        size_t n = 0;
        for (size_t i = 0; i < l->n_buckets; i++) {
            const struct ledger_bucket *b = &l->buckets[i];
            size_t ng = b->n_groups[dims[d]];
            for (size_t k = 0; k < ng; k++)
                pico[k] = b->groups[dims[d]][k].cost;
            split_cents(B->whole[i], pico, ng, cents);
            for (size_t k = 0; k < ng; k++)
                kv[n++] = (struct keyed){&b->groups[dims[d]][k], cents[k]};
        }
        free(pico);
        free(cents);
        /* sort by key (NULL first) and merge runs: n log n however many users */
        qsort(kv, n, sizeof *kv, cmp_group_key);
        struct gacc g = {0};
        for (size_t i = 0; i < n; i++) {
            const char *key = kv[i].g->key ? kv[i].g->key : "(untagged)";
            if (i > 0 && cmp_group_key(&kv[i - 1], &kv[i]) == 0) {
                usage_add(&g.v[g.n - 1].usage, &kv[i].g->usage);
                g.pico[g.n - 1] += kv[i].g->cost;
            } else
                gacc_push(&g, key, &kv[i].g->usage, kv[i].g->cost);
            g.v[g.n - 1].list_cost += kv[i].cents;
        }
        free(kv);
        gacc_finish(&g, TOP_N, outs[d]);
    }
    gacc_finish(&B->org_models, 0, &r->by_model);
    const struct ledger_bucket **bs = xcalloc(l->n_buckets ? l->n_buckets : 1, sizeof *bs);
    for (size_t i = 0; i < l->n_buckets; i++)
        bs[i] = &l->buckets[i];
    fill_days(l, bs, l->n_buckets, org_total, &r->days, &r->n_days);
    free(bs);
    r->coverage = xcalloc(TAG_COUNT, sizeof *r->coverage);
    r->n_coverage = TAG_COUNT;
    for (int k = 0; k < TAG_COUNT; k++) {
        r->coverage[k].tag = xstrdup(tag_name((enum tag)k));
        /* the cost with the tag and the cost without it add up to the billed list cost */
        cb_i128 parts[2] = {l->tag_cost[k], l->total_cost - l->tag_cost[k]};
        int64_t cents[2];
        split_cents(org_total, parts, 2, cents);
        if (k == TAG_TEAM) {
            /* the team tag's row is made of the documents' own figures: every team's usage at
             * list price, and each shared pool's tagged part of its list cost, so it reads as
             * the teams' usage plus the pools on the summary (933.06, not 933.05) */
            cents[0] = 0;
            for (size_t i = 0; i < l->n_buckets; i++) {
                const struct ledger_bucket *b = &l->buckets[i];
                cb_i128 p2[2] = {b->team_cost, b->cost - b->team_cost};
                int64_t c2[2];
                split_cents(B->whole[i], p2, 2, c2);
                cents[0] += c2[0];
            }
        }
        r->coverage[k].list_cost = cents[0];
        r->coverage[k].share_e4 =
            l->total_cost > 0 ? (int64_t)money_div_round(l->tag_cost[k] * 10000, l->total_cost) : 0;
    }
}

/* ---- month over month, corrected revisions (earlier months as plain data, prior.h) ---- */

static int cmp_id_team(const void *key, const void *elem)
{
    return strcmp(key, ((const struct report_team *)elem)->id);
}

/* Whether a team with this id has an invoice this month: r->teams is sorted by id. */
static bool has_team(const struct report *r, const char *id)
{
    return bsearch(id, r->teams, r->n_teams, sizeof *r->teams, cmp_id_team) != NULL;
}

/* Month-over-month figures from the month before (--previous): only an earlier month, and for a
 * billing month only a billing month (a shadow month was never billed). */
static enum cb_status apply_previous(struct report *r, const struct prior_month *p,
                                     struct cb_error *err)
{
    if (strcmp(p->month, r->month) >= 0) /* YYYY-MM sorts as text */
        return cb_error_set(err, CB_EUSAGE, p->path, 0, "period.month",
                            "--previous: that report is for %s, not a month before %s", p->month,
                            r->month);
    if (!r->shadow && p->shadow)
        return cb_error_set(err, CB_EUSAGE, p->path, 0, "mode",
                            "--previous: a shadow month was never billed; a billing month "
                            "compares with the billing month before it");
    for (size_t i = 0; i < r->n_teams; i++) {
        struct report_team *t = &r->teams[i];
        const struct prior_team *x = prior_find(p, t->id);
        if (!x)
            continue;
        t->mom.present = true;
        snprintf(t->mom.previous_month, sizeof t->mom.previous_month, "%s", p->month);
        t->mom.previous_total = x->total;
        t->mom.previous_list_cost = x->list_cost;
        t->mom.delta_total = t->total - x->total;
        t->mom.has_pct = x->total != 0;
        t->mom.delta_pct_e4 = alloc_share_e4(t->mom.delta_total, x->total);
    }
    struct report_mom *m = &r->mom;
    m->present = true;
    snprintf(m->previous_month, sizeof m->previous_month, "%s", p->month);
    for (size_t i = 0; i < p->n_teams; i++) {
        m->previous_total += p->teams[i].total;
        m->previous_list_cost += p->teams[i].list_cost;
        if (!has_team(r, p->teams[i].id)) {
            r->mom_gone_teams++;
            r->mom_gone_total += p->teams[i].total;
        }
    }
    m->delta_total = r->totals.charged - m->previous_total;
    m->has_pct = m->previous_total != 0;
    m->delta_pct_e4 = alloc_share_e4(m->delta_total, m->previous_total);
    struct strbuf note = STRBUF_INIT;
    strbuf_printf(&note,
                  "Month over month: " REPORT_MOM_PREVIOUS " is each team's total for %s (\"new\" "
                  "for a team without one); " REPORT_MOM_CHANGE
                  " is this month's total less it. %s "
                  "charged %s, this month %s: %s",
                  p->month, p->month, text_money(m->previous_total).s,
                  text_money(r->totals.charged).s, text_money(m->delta_total).s);
    if (m->has_pct)
        strbuf_printf(&note, " (%s)", text_percent(m->delta_pct_e4).s);
    strbuf_puts(&note, ".");
    if (r->mom_gone_teams)
        strbuf_printf(&note,
                      " The previous total includes %s of %s without an invoice this month (%s).",
                      text_plural((int64_t)r->mom_gone_teams, "team", "teams").s, p->month,
                      text_money(r->mom_gone_total).s);
    free(r->mom_note);
    r->mom_note = strbuf_detach(&note);
    return CB_OK;
}

/* Display order of superseded invoices, as of teams (set_order): name, then team id. */
static int cmp_superseded_display(const void *a, const void *b)
{
    const struct report_superseded_invoice *x = *(const struct report_superseded_invoice *const *)a;
    const struct report_superseded_invoice *y = *(const struct report_superseded_invoice *const *)b;
    int c = text_name_cmp(x->name, y->name);
    return c ? c : strcmp(x->team, y->team);
}

/* A corrected revision of a signed month: the new invoice numbers carry "-R<N>", where N is
 * one more than the superseded month's revision, and the report records the folder, its
 * sign-off, every invoice it had (as it posted them: charges.csv reverses them), and for each
 * team its superseded invoice number, what that invoice charged and the difference to settle,
 * so a reader can follow the chain back to the signed original. Only a billing month of the
 * same period can be superseded: anything else is a usage error. */
static enum cb_status apply_superseded(struct report *r, const struct prior_month *p,
                                       struct cb_error *err)
{
    if (strcmp(p->month, r->month) != 0)
        return cb_error_set(err, CB_EUSAGE, p->path, 0, "period.month",
                            "--supersedes: that month is %s, this one is %s", p->month, r->month);
    r->revision = p->revision + 1;
    struct report_supersedes *S = &r->supersedes;
    S->folder = xstrdup(p->folder);
    S->signed_by = xstrdup(p->signed_by ? p->signed_by : "");
    S->signed_at = xstrdup(p->signed_at ? p->signed_at : "");
    snprintf(S->signoff_sha256, sizeof S->signoff_sha256, "%s", p->signoff_sha256);
    S->credit_account = xstrdup(p->credit_account ? p->credit_account : r->credit_account);
    S->invoices = xcalloc(p->n_teams ? p->n_teams : 1, sizeof *S->invoices);
    const struct report_superseded_invoice **gone =
        xcalloc(p->n_teams ? p->n_teams : 1, sizeof *gone);
    for (size_t i = 0; i < p->n_teams; i++) { /* p->teams is sorted by id, as r->teams */
        const struct prior_team *x = &p->teams[i];
        struct report_superseded_invoice *v = &S->invoices[S->n_invoices++];
        const struct report_team *now =
            bsearch(x->id, r->teams, r->n_teams, sizeof *r->teams, cmp_id_team);
        /* a field the superseded report.json lacks (an older version wrote it): the team's
           value now, the best guess of how it was posted */
        v->team = xstrdup(x->id);
        v->name = xstrdup(x->name && *x->name ? x->name : now ? now->name : x->id);
        v->invoice_number = xstrdup(x->invoice_number);
        v->cost_center = xstrdup(x->cost_center ? x->cost_center : now ? now->cost_center : "");
        v->reference = xstrdup(x->reference ? x->reference : now ? now->reference : "");
        v->gl_account = xstrdup(x->gl_account ? x->gl_account : now ? now->gl_account : "");
        v->total = x->total;
        S->previous_total += x->total;
        if (!now)
            gone[S->n_gone++] = v;
    }
    qsort(gone, S->n_gone, sizeof *gone, cmp_superseded_display);
    S->gone = xcalloc(S->n_gone ? S->n_gone : 1, sizeof *S->gone);
    for (size_t i = 0; i < S->n_gone; i++)
        S->gone[i] = (size_t)(gone[i] - S->invoices);
    free(gone);
    S->difference = r->totals.charged - S->previous_total;
    for (size_t i = 0, k = 0; i < r->n_teams; i++) {
        struct report_team *t = &r->teams[i];
        while (k < S->n_invoices && strcmp(S->invoices[k].team, t->id) < 0)
            k++;
        const struct report_superseded_invoice *x =
            k < S->n_invoices && strcmp(S->invoices[k].team, t->id) == 0 ? &S->invoices[k] : NULL;
        t->superseded = x;
        t->revision.present = true;
        t->revision.previous_total = x ? x->total : 0;
        t->revision.difference = t->total - t->revision.previous_total;
        t->supersedes_invoice = xstrdup(x ? x->invoice_number : "");
        char *number = xasprintf("%s-R%d", t->invoice_number, r->revision);
        free(t->invoice_number);
        t->invoice_number = number;
    }
    return CB_OK;
}

/* ---- the summary's explanation ---- */

static void summary_method(struct build *B)
{
    struct report *r = B->r;
    struct explain_summary f = {
        .config = B->c,
        .model = B->model,
        .n_teams = B->n,
        .pool = B->pool,
        .unallocated_shown = strcmp(r->unallocated_policy, "show") == 0,
        .unallocated_list_cost = r->unallocated_list_cost,
        .true_up = r->totals.true_up,
    };
    r->method = explain_summary_method(&f);
}

static void copy_inputs(struct report *r, const struct ledger *l, const struct price_book *pb)
{
    r->files = xcalloc(l->n_files ? l->n_files : 1, sizeof *r->files);
    r->n_files = l->n_files;
    for (size_t i = 0; i < l->n_files; i++) {
        r->files[i].path = xstrdup(l->files[i].path ? l->files[i].path : "");
        snprintf(r->files[i].sha256, sizeof r->files[i].sha256, "%s", l->files[i].sha256);
        r->files[i].bytes = l->files[i].bytes;
        r->files[i].records = l->files[i].records;
        r->files[i].format = xstrdup(l->files[i].format ? l->files[i].format : "");
    }
    const struct ledger_counts *c = &l->counts;
    r->records_read = c->records_read;
    r->records_billed = c->billed;
    r->records_rejected = c->rejected;
    r->duplicates = c->duplicates;
    r->outside_period = c->outside_period;
    for (int k = 0; k < REJ_COUNT; k++) {
        if (c->by_reason[k] == 0)
            continue;
        r->rejects = xreallocarray(r->rejects, r->n_rejects + 1, sizeof *r->rejects);
        struct report_reject_reason *x = &r->rejects[r->n_rejects++];
        memset(x, 0, sizeof *x);
        x->reason = xstrdup(ledger_reject_reason_name((enum reject_reason)k));
        x->count = c->by_reason[k];
        x->examples = xcalloc(LEDGER_REJECT_EXAMPLES, sizeof *x->examples);
        for (int e = 0; e < LEDGER_REJECT_EXAMPLES; e++)
            if (c->examples[k][e])
                x->examples[x->n_examples++] = xstrdup(c->examples[k][e]);
    }
    if (pb) {
        snprintf(r->price_book_checked, sizeof r->price_book_checked, "%s", price_book_checked(pb));
        snprintf(r->price_book_sha256, sizeof r->price_book_sha256, "%s", price_book_sha256(pb));
    }
}

static void build_free(struct build *B)
{
    for (size_t i = 0; i < B->n; i++) {
        if (B->usage_lines)
            lines_free(&B->usage_lines[i]);
        if (B->alloc)
            lines_free(&B->alloc[i]);
    }
    free(B->usage_lines);
    free(B->alloc);
    free(B->cfg);
    free(B->bucket);
    free(B->whole);
    free(B->weights_e6);
    free(B->headcount);
    free(B->list);
    free(B->direct);
    for (size_t i = 0; i < B->org_models.n; i++)
        free(B->org_models.v[i].key);
    free(B->org_models.v);
    free(B->org_models.pico);
    lines_free(&B->orphan_lines);
}

enum cb_status report_build(const struct report_opts *opts, struct report **out,
                            struct cb_error *err)
{
    const struct config *c = opts->config;
    const struct ledger *l = opts->ledger;
    struct build B = {0};
    struct strbuf *methods = NULL;
    const char **bw = NULL;
    size_t n_bw = 0;
    struct report *r = xcalloc(1, sizeof *r);
    enum cb_status st;
    *out = NULL;
    B.o = opts;
    B.c = c;
    B.l = l;
    B.r = r;
    B.whole = xcalloc(l->n_buckets ? l->n_buckets : 1, sizeof *B.whole);
    B.model = opts->has_model_override ? opts->model_override : c->model;
    r->tool_version = xstrdup(CB_VERSION);
    r->organization = xstrdup(c->organization ? c->organization : "Organization");
    r->currency = xstrdup(c->currency ? c->currency : "USD");
    r->shadow = opts->shadow;
    r->model = B.model;
    r->issuer = xstrdup(c->issuer ? c->issuer : "");
    /* a shadow month bills nothing: the configured footer (written for invoices, often asking
     * for payment) gives way to the fixed shadow footer on every document */
    r->footer = xstrdup(opts->shadow ? EXPLAIN_SHADOW_FOOTER : c->footer ? c->footer : "");
    r->paper = xstrdup(c->paper ? c->paper : "A4");
    r->credit_account = xstrdup(c->credit_account ? c->credit_account : "");
    /* a corrected revision is issued after the month it corrects was signed, never before */
    st = set_period(r, l, opts->source_date_epoch,
                    opts->superseded ? opts->superseded->signed_on : NULL, c->payment_terms_days,
                    err);
    if (st != CB_OK)
        goto cleanup;
    copy_inputs(r, l, opts->prices);
    collect_teams(&B);
    warn_invisible(&B);

    for (size_t i = 0; i < B.n; i++) {
        struct report_team *t = &r->teams[i];
        if (B.bucket[i])
            usage_add(&t->usage, &B.bucket[i]->usage);
        struct gacc by_model = {0};
        t->list_cost = bucket_lines(c, B.bucket[i], &B.usage_lines[i], &by_model);
        set_whole(&B, B.bucket[i], t->list_cost);
        /* organization-wide by-model rows come from the same lines */
        for (size_t k = 0; k < by_model.n; k++) {
            size_t g = gacc_find(&B.org_models, by_model.v[k].key);
            B.org_models.v[g].list_cost += by_model.v[k].list_cost;
            usage_add_group(&B.org_models.v[g].usage, &by_model.v[k].usage);
        }
        gacc_finish(&by_model, 0, &t->by_model);
        B.list[i] = t->list_cost;
    }
    st = price_pools(&B, err);
    if (st != CB_OK)
        goto cleanup;
    st = price_unallocated(&B, err);
    if (st != CB_OK)
        goto cleanup;
    for (size_t i = 0; i < B.n; i++) {
        struct report_team *t = &r->teams[i];
        t->direct = t->list_cost + t->shared;
        B.direct[i] = t->direct;
        r->totals.list_cost += t->list_cost;
        r->totals.shared += t->shared;
        r->totals.period_list_total += t->direct;
    }
    r->totals.period_list_total += B.unalloc_shown; /* with no team, this holds the pools too */
    r->totals.has_provider_total = c->has_provider_total;
    if (c->has_provider_total) {
        r->totals.provider_total = c->provider_total_cents;
        r->totals.reconciliation_difference = c->provider_total_cents - r->totals.period_list_total;
    }
    /* The teams together pay the provider invoice less the unallocated usage shown; below
     * that usage they would pay a negative amount, which no invoice does. */
    if (c->has_provider_total && B.n > 0 && c->provider_total_cents < B.unalloc_shown &&
        (B.model == CB_MODEL_USAGE ||
         ((B.model == CB_MODEL_FIXED || B.model == CB_MODEL_HYBRID) && !c->has_amount))) {
        st = cb_error_set(err, CB_EUSAGE, c->source, 0, "provider_invoice",
                          "%s is below the usage without a team shown on the summary (%s): the "
                          "teams would be charged %s in total; check the provider invoice, or "
                          "split the unallocated usage among the teams (\"unallocated\": "
                          "\"proportional\")",
                          text_money(c->provider_total_cents).s, text_money(B.unalloc_shown).s,
                          text_signed(c->provider_total_cents - B.unalloc_shown).s);
        goto cleanup;
    }
    methods = xcalloc(B.n ? B.n : 1, sizeof *methods);
    st = apply_model(&B, methods, err);
    if (st == CB_OK)
        st = true_up(&B, err);
    if (st != CB_OK)
        goto cleanup;
    add_overhead_markup(&B, methods);
    finish_lines(&B);
    st = check_bounds(&B, err);
    if (st != CB_OK)
        goto cleanup;
    bw = insights_batch_workflows(l, &n_bw);
    for (size_t i = 0; i < B.n; i++) {
        struct report_team *t = &r->teams[i];
        r->totals.overhead += t->overhead;
        r->totals.markup += t->markup;
        r->totals.true_up += t->true_up;
        r->totals.charge += t->charge;
        r->totals.charged += t->total;
        t->method = strbuf_detach(&methods[i]);
        if (!t->method)
            t->method = xstrdup("");
        const struct ledger_bucket *b = B.bucket[i];
        groups_from_bucket(b, DIM_PROJECT, t->list_cost, &t->by_project);
        groups_from_bucket(b, DIM_USER, t->list_cost, &t->by_user);
        groups_from_bucket(b, DIM_WORKFLOW, t->list_cost, &t->by_workflow);
        groups_from_bucket(b, DIM_ENVIRONMENT, t->list_cost, &t->by_environment);
        fill_days(l, &b, 1, t->list_cost, &t->days, &t->n_days);
        insights_budget(t, B.cfg[i]);
        insights_anomalies(t, b, c->anomaly_factor_e6);
        insights_unit_economics(t, b, B.cfg[i]);
        insights_recommendations(t, b, bw, n_bw);
    }
    {
        int64_t *totals = xcalloc(B.n ? B.n : 1, sizeof *totals);
        int64_t *shares = xcalloc(B.n ? B.n : 1, sizeof *shares);
        for (size_t i = 0; i < B.n; i++)
            totals[i] = r->teams[i].total;
        shares_e4(totals, B.n, shares); /* they add up to 100.00 % */
        for (size_t i = 0; i < B.n; i++)
            r->teams[i].share_e4 = shares[i];
        free(totals);
        free(shares);
    }
    st = build_bridge(&B, err);
    if (st != CB_OK)
        goto cleanup;
    report_order_teams(r);
    reconciliation_text(&B);
    summary_method(&B);
    fill_org(&B);
    budgets_build(r, c, l);
    if (opts->previous)
        if ((st = apply_previous(r, opts->previous, err)) != CB_OK)
            goto cleanup;
    r->revision = 1;
    if (opts->superseded) {
        if (opts->shadow) {
            st = cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                              "--supersedes: a shadow month cannot correct a signed billing month");
            goto cleanup;
        }
        st = apply_superseded(r, opts->superseded, err);
        if (st != CB_OK)
            goto cleanup;
    }
    st = report_check(r, err);
cleanup:
    if (methods)
        for (size_t i = 0; i < B.n; i++)
            strbuf_free(&methods[i]);
    free(methods);
    free(bw);
    build_free(&B);
    if (st != CB_OK)
        report_free(r);
    else
        *out = r;
    return st;
}

enum cb_status report_check(const struct report *r, struct cb_error *err)
{
    int64_t charged = 0, list = 0, shared = 0, overhead = 0, markup = 0, tu = 0, before = 0;
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        int64_t s = lines_sum(t->lines, t->n_lines);
        if (s != t->total)
            return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                                "consistency check failed: Σ lines = invoice total: team \"%s\": "
                                "lines sum to %lld cents, total is %lld",
                                t->id, (long long)s, (long long)t->total);
        if (t->direct != t->list_cost + t->shared)
            return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                                "consistency check failed: D_t = U_t + shared: team \"%s\": %lld "
                                "!= %lld + %lld",
                                t->id, (long long)t->direct, (long long)t->list_cost,
                                (long long)t->shared);
        charged += t->total;
        list += t->list_cost;
        shared += t->shared;
        overhead += t->overhead;
        markup += t->markup;
        tu += t->true_up;
        before += t->charge + t->true_up;
    }
    bool show = !r->unallocated_policy || strcmp(r->unallocated_policy, "show") == 0;
    int64_t shown = show ? r->totals.unallocated : 0;
    const struct report_totals *T = &r->totals;
    if (charged != T->charged)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: Σ invoices + unallocated shown = summary "
                            "total: invoices sum to %lld cents + unallocated %lld = %lld, summary "
                            "total is %lld",
                            (long long)charged, (long long)shown, (long long)(charged + shown),
                            (long long)(T->charged + shown));
    if (T->unallocated != r->unallocated_list_cost)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: unallocated on the summary %lld cents, "
                            "bucket %lld",
                            (long long)T->unallocated, (long long)r->unallocated_list_cost);
    if (list != T->list_cost || shared != T->shared || overhead != T->overhead ||
        markup != T->markup || tu != T->true_up || before - tu != T->charge)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: team columns = summary totals: list "
                            "%lld/%lld, shared %lld/%lld, overhead %lld/%lld, markup %lld/%lld, "
                            "true-up %lld/%lld cents",
                            (long long)list, (long long)T->list_cost, (long long)shared,
                            (long long)T->shared, (long long)overhead, (long long)T->overhead,
                            (long long)markup, (long long)T->markup, (long long)tu,
                            (long long)T->true_up);
    int64_t bridge = 0;
    for (size_t i = 0; i < T->n_bridge; i++)
        bridge += T->bridge[i].amount;
    if (bridge != T->charged)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: Σ bridge steps = total charged: %lld != "
                            "%lld cents",
                            (long long)bridge, (long long)T->charged);
    int64_t accounted = r->records_billed + r->records_rejected + r->duplicates + r->outside_period;
    if (accounted != r->records_read)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: billed + rejected + duplicates + outside "
                            "= records read: %lld + %lld + %lld + %lld = %lld, read %lld",
                            (long long)r->records_billed, (long long)r->records_rejected,
                            (long long)r->duplicates, (long long)r->outside_period,
                            (long long)accounted, (long long)r->records_read);
    if (r->n_teams > 0) {
        int64_t pools = show ? 0 : r->unallocated_list_cost;
        for (size_t i = 0; i < r->shared_pools.n; i++)
            pools += r->shared_pools.items[i].list_cost;
        if (pools != shared)
            return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                                "consistency check failed: Σ splits = pools: teams' shares sum "
                                "to %lld cents, pools to %lld",
                                (long long)shared, (long long)pools);
    }
    if (T->has_provider_total && r->model == CB_MODEL_USAGE && r->n_teams > 0 &&
        before + shown != T->provider_total)
        return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                            "consistency check failed: charges before overhead and markup + "
                            "unallocated shown = provider invoice: %lld + %lld != %lld cents",
                            (long long)before, (long long)shown, (long long)T->provider_total);
    if (r->revision > 1) {
        /* what remains to settle: the revision's teams and the teams it no longer invoices add
           up to the superseded month, and the differences to what this revision charges */
        const struct report_supersedes *S = &r->supersedes;
        int64_t previous = 0, settle = 0, all = 0;
        for (size_t i = 0; i < r->n_teams; i++) {
            previous += r->teams[i].revision.previous_total;
            settle += r->teams[i].revision.difference;
        }
        for (size_t i = 0; i < S->n_gone; i++) {
            previous += S->invoices[S->gone[i]].total;
            settle -= S->invoices[S->gone[i]].total;
        }
        for (size_t i = 0; i < S->n_invoices; i++)
            all += S->invoices[i].total;
        if (previous != S->previous_total || all != S->previous_total || settle != S->difference ||
            S->difference != T->charged - S->previous_total)
            return cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                                "consistency check failed: previously invoiced + difference = "
                                "this revision: %lld (invoices %lld) + %lld cents, charged %lld",
                                (long long)previous, (long long)all, (long long)settle,
                                (long long)T->charged);
    }
    return CB_OK;
}

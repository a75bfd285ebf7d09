/* The tool's list price and the provider's billed amounts, side by side (see reconcile.h). */
#include "reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The Cost report's token_type names (Admin API reference, cost_report), by token class. */
static const char *const kind_of_class[TOK_CLASS_COUNT] = {
    [TOK_INPUT] = "uncached_input_tokens",
    [TOK_OUTPUT] = "output_tokens",
    [TOK_CACHE_READ] = "cache_read_input_tokens",
    [TOK_CACHE_WRITE_5M] = "cache_creation.ephemeral_5m_input_tokens",
    [TOK_CACHE_WRITE_1H] = "cache_creation.ephemeral_1h_input_tokens",
};

struct acc {
    const char *model, *kind;
    cb_i128 computed, billed;
};

static int cmp_opt(const char *a, const char *b)
{
    return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

static int cmp_acc(const void *pa, const void *pb)
{
    const struct acc *a = pa, *b = pb;
    int c = cmp_opt(a->model, b->model);
    return c ? c : cmp_opt(a->kind, b->kind);
}

struct accs {
    struct acc *v;
    size_t n, cap;
};

static void add(struct accs *a, const char *model, const char *kind, cb_i128 computed,
                cb_i128 billed)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
    }
    a->v[a->n++] = (struct acc){model, kind, computed, billed};
}

struct recon *recon_build(const struct ledger *l, int64_t skill_micros, int64_t mcp_micros)
{
    const struct ledger_billed *B = &l->billed;
    if (!B->present)
        return NULL;
    struct recon *r = xcalloc(1, sizeof *r);
    struct accs a = {0};
    cb_i128 computed = 0;
    cb_i128 day_cost[31] = {0};
    for (size_t b = 0; b < l->n_buckets; b++) {
        const struct ledger_bucket *k = &l->buckets[b];
        for (size_t i = 0; i < k->n_lines; i++) {
            const struct ledger_line *ln = &k->lines[i];
            for (int c = 0; c < TOK_CLASS_COUNT; c++) {
                int64_t unit = 0;
                if (!ln->tokens[c] ||
                    !price_variant_mtok(ln->price, (enum token_class)c, ln->batch,
                                        (enum price_band)ln->band, (enum price_speed)ln->speed,
                                        (enum price_geo)ln->geo, &unit))
                    continue;
                cb_i128 v = (cb_i128)ln->tokens[c] * unit;
                add(&a, ln->price->model, kind_of_class[c], v, 0);
                computed += v;
            }
            if (ln->web_search) {
                cb_i128 v = price_search_cost(ln->price, ln->web_search);
                add(&a, ln->price->model, "web_search", v, 0);
                computed += v;
            }
        }
        for (int d = 0; d < 31; d++) {
            const struct ledger_day *dy = ledger_bucket_day(k, d + 1);
            day_cost[d] += dy->cost - (cb_i128)dy->usage.skill * skill_micros * 1000000 -
                           (cb_i128)dy->usage.mcp * mcp_micros * 1000000;
        }
    }
    r->computed = money_pico_to_cents(computed);
    r->billed = money_pico_to_cents(B->total);
    if (B->by_description) {
        for (size_t i = 0; i < B->n_lines; i++)
            add(&a, B->lines[i].model, B->lines[i].kind, 0, B->lines[i].pico);
        qsort(a.v, a.n, sizeof *a.v, cmp_acc);
        r->lines = xcalloc(a.n ? a.n : 1, sizeof *r->lines);
        for (size_t i = 0; i < a.n;) {
            size_t j = i;
            cb_i128 c = 0, bl = 0;
            for (; j < a.n && cmp_acc(&a.v[i], &a.v[j]) == 0; j++)
                c += a.v[j].computed, bl += a.v[j].billed;
            r->lines[r->n_lines++] = (struct recon_line){
                a.v[i].model, a.v[i].kind, money_pico_to_cents(c), money_pico_to_cents(bl)};
            i = j;
        }
    }
    free(a.v);
    r->days = xcalloc(31, sizeof *r->days);
    for (int d = 0; d < l->days_in_month; d++)
        if (day_cost[d] || B->days[d])
            r->days[r->n_days++] = (struct recon_day){d + 1, money_pico_to_cents(day_cost[d]),
                                                      money_pico_to_cents(B->days[d])};
    if (B->by_workspace) {
        r->workspaces = xcalloc(B->n_workspaces ? B->n_workspaces : 1, sizeof *r->workspaces);
        for (size_t i = 0; i < B->n_workspaces; i++)
            r->workspaces[r->n_workspaces++] = (struct recon_workspace){
                B->workspaces[i].workspace, money_pico_to_cents(B->workspaces[i].pico)};
    }
    return r;
}

void recon_free(struct recon *r)
{
    if (!r)
        return;
    free(r->lines);
    free(r->days);
    free(r->workspaces);
    free(r);
}

const char *recon_kind_label(const char *kind)
{
    static const char *const names[][2] = {
        {"uncached_input_tokens", "input tokens"},
        {"output_tokens", "output tokens"},
        {"cache_read_input_tokens", "cache reads"},
        {"cache_creation.ephemeral_5m_input_tokens", "cache writes (5 min)"},
        {"cache_creation.ephemeral_1h_input_tokens", "cache writes (1 h)"},
        {"web_search", "web searches"},
        {"code_execution", "code execution"},
        {"session_usage", "agent sessions"},
        {"tokens", "tokens"},
    };
    if (!kind)
        return "(all)";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(kind, names[i][0]) == 0)
            return names[i][1];
    return kind;
}

const char *recon_model_label(const char *model)
{
    return model ? model : "(no model)";
}

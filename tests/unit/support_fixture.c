#include "support_fixture.h"

#include <stdio.h>
#include <string.h>

#include "money.h"
#include "xalloc.h"

static const char *const default_names[] = {"Data Platform", "Équipe données", "Данные",
                                            "Ωmega Research", "Support <b>&amp;</b> \"Ops\""};
static const char *const models[] = {"claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5"};
static const int64_t in_price[] = {5000000, 3000000, 1000000};
static const int64_t out_price[] = {25000000, 15000000, 5000000};

static int64_t line_amount(int64_t qty, int64_t price, int64_t per)
{
    return (int64_t)money_div_round((cb_i128)qty * price, (cb_i128)per * MONEY_MICRO_PER_CENT);
}

static void add_line(struct report_team *t, enum line_kind k, const char *model, bool batch,
                     const char *desc, int64_t qty, int64_t price, int64_t per, const char *unit)
{
    t->lines = xreallocarray(t->lines, t->n_lines + 1, sizeof *t->lines);
    struct report_line *l = &t->lines[t->n_lines++];
    memset(l, 0, sizeof *l);
    l->kind = k;
    l->model = model ? xstrdup(model) : NULL;
    l->batch = batch;
    l->description = xstrdup(desc);
    l->quantity = qty;
    l->unit_price_micros = price;
    l->per = per;
    l->unit = unit;
    l->amount = line_amount(qty, price, per);
    l->list_pico = (cb_i128)qty * price * 1000000 / per;
}

static void add_alloc(struct report_team *t, enum line_kind k, const char *desc, int64_t cents)
{
    add_line(t, k, NULL, false, desc, 1, cents * MONEY_MICRO_PER_CENT, 1, "allocation");
}

static void fill_groups(struct report_groups *g, const char *prefix, size_t n, int64_t total,
                        int64_t requests)
{
    g->items = xcalloc(n, sizeof *g->items);
    g->n = n;
    int64_t left = total, left_req = requests;
    for (size_t i = 0; i < n; i++) {
        struct report_group *x = &g->items[i];
        x->key = i + 1 == n ? xstrdup("(untagged)") : xasprintf("%s-%02zu", prefix, i + 1);
        int64_t part = i + 1 == n ? left : left / 2;
        int64_t req = i + 1 == n ? left_req : left_req / 2;
        x->list_cost = part;
        x->usage.requests = req;
        x->usage.input_tokens = req * 1800;
        x->usage.output_tokens = req * 400;
        x->usage.total_tokens = req * 2200;
        x->share_e4 = total ? (int64_t)money_div_round((cb_i128)part * 10000, total) : 0;
        left -= part;
        left_req -= req;
    }
}

struct report *fixture_report(const struct fixture_opts *o)
{
    size_t n_teams = o->n_teams ? o->n_teams : 3;
    size_t n_lines = o->lines_per_team ? o->lines_per_team : 6;
    size_t n_groups = o->groups_per_team ? o->groups_per_team : 5;
    struct report *r = xcalloc(1, sizeof *r);
    r->tool_version = xstrdup("0.1.0");
    r->organization = xstrdup("Acme Corp");
    r->currency = xstrdup("USD");
    snprintf(r->month, sizeof r->month, "2026-10");
    snprintf(r->period_start, sizeof r->period_start, "2026-10-01T00:00:00Z");
    snprintf(r->period_end, sizeof r->period_end, "2026-11-01T00:00:00Z");
    snprintf(r->period_label, sizeof r->period_label, "October 2026");
    snprintf(r->issue_date, sizeof r->issue_date, "2026-11-01");
    r->shadow = o->shadow;
    r->model = CB_MODEL_USAGE;
    r->issuer = xstrdup("Finance, Acme Corp");
    r->footer = xstrdup("Questions: finance@acme.example — payable by internal transfer.");
    r->paper = xstrdup("A4");
    r->unallocated_policy = xstrdup("show");
    r->reconciliation_text = xstrdup("");
    snprintf(r->price_book_checked, sizeof r->price_book_checked, "2026-11-01");
    memset(r->price_book_sha256, 'a', 64);
    r->files = xcalloc(1, sizeof *r->files);
    r->n_files = 1;
    r->files[0].path = xstrdup("usage-2026-10.jsonl");
    memset(r->files[0].sha256, 'b', 64);
    r->files[0].bytes = 7400000;
    r->files[0].records = 20010;
    r->files[0].format = xstrdup("jsonl");
    r->records_read = 20010;
    r->records_rejected = 6;
    r->duplicates = 4;
    r->records_billed = 20000;
    r->rejects = xcalloc(1, sizeof *r->rejects);
    r->n_rejects = 1;
    r->rejects[0].reason = xstrdup("unknown model");
    r->rejects[0].count = 6;
    r->rejects[0].examples = xcalloc(1, sizeof(char *));
    r->rejects[0].examples[0] =
        xstrdup("usage-2026-10.jsonl:17: \"model\": unknown model \"gpt-4\"");
    r->rejects[0].n_examples = 1;

    r->teams = xcalloc(n_teams, sizeof *r->teams);
    r->n_teams = n_teams;
    int64_t charged = 0, list_total = 0, overhead_total = 0;
    for (size_t ti = 0; ti < n_teams; ti++) {
        struct report_team *t = &r->teams[ti];
        const char *name = o->names ? o->names[ti] : default_names[ti % 5];
        t->id = xasprintf("team-%02zu", ti + 1);
        t->name = xstrdup(name);
        t->slug = xasprintf("team-%02zu", ti + 1);
        t->invoice_number =
            xasprintf("%sCB-2026-10-TEAM-%02zu", o->shadow ? "SHADOW-" : "", ti + 1);
        t->cost_center = xasprintf("CC-%03zu", ti + 1);
        t->contact = xstrdup("lead@acme.example");
        t->gl_account = xstrdup("6420-AI");
        t->configured = true;
        t->headcount = 5 + (int64_t)ti * 3;
        int64_t list = 0;
        for (size_t li = 0; li < n_lines; li++) {
            size_t m = li % 3;
            bool out = (li / 3) % 2 == 1;
            bool batch = (li / 6) % 2 == 1;
            int64_t qty = 1000000 * (int64_t)(ti + 1) * (int64_t)(li + 3) + 123457;
            int64_t price = out ? out_price[m] : in_price[m];
            if (batch)
                price /= 2;
            char desc[160];
            snprintf(desc, sizeof desc, "%s — %s tokens%s", models[m], out ? "output" : "input",
                     batch ? " (batch)" : "");
            add_line(t, out ? LINE_OUTPUT : LINE_INPUT, models[m], batch, desc, qty, price, 1000000,
                     "1M tokens");
            list += t->lines[t->n_lines - 1].amount;
            t->usage.requests += qty / 2000;
            if (out)
                t->usage.output_tokens += qty;
            else
                t->usage.input_tokens += qty;
        }
        add_line(t, LINE_WEB_SEARCH, models[1], false, "Web search", 1200 + (int64_t)ti, 10000000,
                 1000, "1K searches");
        list += t->lines[t->n_lines - 1].amount;
        t->usage.web_search_requests = 1200 + (int64_t)ti;
        t->usage.total_tokens = t->usage.input_tokens + t->usage.output_tokens;
        t->list_cost = list;
        t->direct = list;
        t->charge = list;
        int64_t overhead = (int64_t)money_div_round((cb_i128)list * 100000, 1000000);
        char desc[128];
        snprintf(desc, sizeof desc, "Platform overhead 10%% of charge");
        add_alloc(t, LINE_OVERHEAD, desc, overhead);
        t->overhead = overhead;
        t->total = list + overhead;
        t->method =
            xasprintf("Usage: the team pays its own usage at list price (%lld.%02lld), plus "
                      "10%% platform overhead.",
                      (long long)(list / 100), (long long)(list % 100));
        fill_groups(&t->by_project, "project", n_groups, list, t->usage.requests);
        fill_groups(&t->by_user, "user", n_groups, list, t->usage.requests);
        fill_groups(&t->by_workflow, "workflow", n_groups, list, t->usage.requests);
        fill_groups(&t->by_environment, "env", 3, list, t->usage.requests);
        fill_groups(&t->by_model, "claude-model", 3, list, t->usage.requests);
        t->n_days = 31;
        t->days = xcalloc(31, sizeof *t->days);
        int64_t left = list;
        for (size_t d = 0; d < 31; d++) {
            snprintf(t->days[d].date, sizeof t->days[d].date, "2026-10-%02zu", d + 1);
            int64_t part = d == 30 ? left : list / 31 + (d == 13 ? list / 10 : 0);
            if (part > left)
                part = left;
            t->days[d].list_cost = part;
            t->days[d].requests = t->usage.requests / 31;
            t->days[d].tokens = t->usage.total_tokens / 31;
            left -= part;
        }
        t->budget.present = ti % 2 == 0;
        if (t->budget.present) {
            t->budget.monthly = 500000;
            t->budget.used = t->total;
            t->budget.utilization_e4 = (int64_t)money_div_round((cb_i128)t->total * 10000, 500000);
            t->budget.over = t->total > 500000;
            t->budget.thresholds_crossed_e6 = xcalloc(3, sizeof(int64_t));
            static const int64_t th[] = {500000, 800000, 900000};
            for (size_t k = 0; k < 3; k++)
                if (t->budget.utilization_e4 * 100 >= th[k])
                    t->budget.thresholds_crossed_e6[t->budget.n_thresholds_crossed++] = th[k];
            t->budget.state = t->budget.over                   ? BUDGET_STATE_OVER
                              : t->budget.n_thresholds_crossed ? BUDGET_STATE_ALERT
                                                               : BUDGET_STATE_WITHIN;
        }
        t->n_anomalies = 1;
        t->anomalies = xcalloc(1, sizeof *t->anomalies);
        snprintf(t->anomalies[0].date, sizeof t->anomalies[0].date, "2026-10-14");
        t->anomalies[0].list_cost = t->days[13].list_cost;
        t->anomalies[0].mean_daily = list / 31;
        t->anomalies[0].factor_e2 =
            (int64_t)money_div_round((cb_i128)t->anomalies[0].list_cost * 100, list / 31);
        t->n_recommendations = 1;
        t->recommendations = xcalloc(1, sizeof *t->recommendations);
        t->recommendations[0].kind = REC_MODEL_ROUTING;
        t->recommendations[0].saving = list / 20;
        t->recommendations[0].explanation = xstrdup(
            "1,204 requests on Opus had < 1,000 input and < 500 output tokens; at the Haiku "
            "rate they would cost 5% of the team's list cost less.");
        t->n_metrics = 1;
        t->metrics = xcalloc(1, sizeof *t->metrics);
        t->metrics[0].name = xstrdup("tickets resolved");
        t->metrics[0].units_e6 = 5400000000;
        t->metrics[0].cost_per_unit_micros =
            (int64_t)money_div_round((cb_i128)t->total * 10000, 5400);
        charged += t->total;
        list_total += list;
        overhead_total += overhead;
    }
    for (size_t ti = 0; ti < n_teams; ti++)
        r->teams[ti].share_e4 =
            charged ? (int64_t)money_div_round((cb_i128)r->teams[ti].total * 10000, charged) : 0;
    r->unallocated_list_cost = 1234;
    r->unallocated_usage.requests = 17;
    r->totals.list_cost = list_total;
    r->totals.unallocated = 1234;
    r->totals.overhead = overhead_total;
    r->totals.charged = charged;
    r->totals.charge = list_total; /* usage model: charge = list cost */
    r->totals.period_list_total = list_total + 1234;
    /* usage model without a provider invoice: list price, then the overhead */
    r->totals.n_bridge = 2;
    r->totals.bridge = xcalloc(2, sizeof *r->totals.bridge);
    r->totals.bridge[0].label = xstrdup("Teams' usage at list price");
    r->totals.bridge[0].amount = list_total;
    r->totals.bridge[1].label = xstrdup("Platform overhead 10%");
    r->totals.bridge[1].amount = overhead_total;
    r->method = xstrdup("Usage model: each team pays its usage at list price; 10% platform "
                        "overhead is added to every team's charge.");
    fill_groups(&r->top_projects, "project", 5, list_total, 20000);
    fill_groups(&r->top_users, "user", 5, list_total, 20000);
    fill_groups(&r->by_model, "claude-model", 3, list_total, 20000);
    r->n_coverage = TAG_COUNT;
    r->coverage = xcalloc(TAG_COUNT, sizeof *r->coverage);
    for (int k = 0; k < TAG_COUNT; k++) {
        r->coverage[k].tag = xstrdup(tag_name((enum tag)k));
        r->coverage[k].share_e4 = k == 0 ? 9950 : 10000 - 700 * k;
        r->coverage[k].list_cost = list_total * r->coverage[k].share_e4 / 10000;
    }
    r->n_days = 31;
    r->days = xcalloc(31, sizeof *r->days);
    for (size_t d = 0; d < 31; d++) {
        snprintf(r->days[d].date, sizeof r->days[d].date, "2026-10-%02zu", d + 1);
        for (size_t ti = 0; ti < n_teams; ti++) {
            r->days[d].list_cost += r->teams[ti].days[d].list_cost;
            r->days[d].requests += r->teams[ti].days[d].requests;
            r->days[d].tokens += r->teams[ti].days[d].tokens;
        }
    }
    snprintf(r->due_date, sizeof r->due_date, "2026-12-01");
    r->payment_terms_days = 30;
    r->credit_account = xstrdup("");
    report_order_teams(r); /* the documents' order and the ranking, as report_build sets them */
    return r;
}

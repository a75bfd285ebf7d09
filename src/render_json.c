/* report.json (SPEC §7): every number of the month, machine-readable. Keys keep the order of
 * the spec (jansson with JSON_PRESERVE_ORDER); fields beyond §7 come after those of §7. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compare.h"
#include "budgets.h"
#include "money.h"
#include "paths.h"
#include "render.h"
#include "xalloc.h"

static json_t *money(int64_t cents)
{
    char buf[48];
    money_format(cents, buf, sizeof buf);
    return json_string(buf);
}

/* Micro-USD as a decimal with at least two places and no trailing zeros beyond: "3.00",
 * "0.30", "0.0001". */
static json_t *price(int64_t micros)
{
    char buf[48];
    money_format_fixed(micros, 6, 6, buf, sizeof buf);
    size_t n = strlen(buf);
    while (n >= 4 && buf[n - 1] == '0' && buf[n - 3] != '.')
        buf[--n] = '\0';
    return json_string(buf);
}

/* A 10^4-scaled ratio as a decimal fraction: 9430 -> "0.9430". */
static json_t *ratio_e4(int64_t e4)
{
    char buf[48];
    money_format_fixed(e4, 4, 4, buf, sizeof buf);
    return json_string(buf);
}

/* Hundredths as a decimal: 674 -> "6.74" (an anomaly's factor to the mean day). */
static json_t *ratio_e2(int64_t e2)
{
    char buf[48];
    money_format_fixed(e2, 2, 2, buf, sizeof buf);
    return json_string(buf);
}

/* A 10^6-scaled number as a JSON number (thresholds, units); not money. */
static json_t *number_e6(int64_t e6)
{
    if (e6 % 1000000 == 0)
        return json_integer(e6 / 1000000);
    /* one correctly rounded division: the nearest double to the decimal, locale-free */
    return json_real((double)e6 / 1e6);
}

static json_t *str(const char *s)
{
    return json_string(s ? s : "");
}

/* The Cost report beside the tool's list price (reconcile.h): signed decimal strings, each
 * difference billed - computed. */
static json_t *recon_json(const struct recon *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "computed", money(x->computed));
    json_object_set_new(o, "billed", money(x->billed));
    json_object_set_new(o, "difference", money(x->billed - x->computed));
    json_t *lines = json_array();
    for (size_t i = 0; i < x->n_lines; i++) {
        const struct recon_line *l = &x->lines[i];
        json_t *e = json_object();
        json_object_set_new(e, "model", str(l->model));
        json_object_set_new(e, "token_type", str(l->kind));
        json_object_set_new(e, "computed", money(l->computed));
        json_object_set_new(e, "billed", money(l->billed));
        json_object_set_new(e, "difference", money(l->billed - l->computed));
        json_array_append_new(lines, e);
    }
    json_object_set_new(o, "by_model", lines);
    json_t *days = json_array();
    for (size_t i = 0; i < x->n_days; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "day", json_integer(x->days[i].day));
        json_object_set_new(e, "computed", money(x->days[i].computed));
        json_object_set_new(e, "billed", money(x->days[i].billed));
        json_object_set_new(e, "difference", money(x->days[i].billed - x->days[i].computed));
        json_array_append_new(days, e);
    }
    json_object_set_new(o, "by_day", days);
    json_t *ws = json_array();
    for (size_t i = 0; i < x->n_workspaces; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "workspace_id", str(x->workspaces[i].workspace));
        json_object_set_new(e, "billed", money(x->workspaces[i].billed));
        json_array_append_new(ws, e);
    }
    json_object_set_new(o, "by_workspace", ws);
    return o;
}

static json_t *usage_json(const struct report_usage *u, bool extra)
{
    json_t *o = json_object();
    json_object_set_new(o, "requests", json_integer(u->requests));
    json_object_set_new(o, "input_tokens", json_integer(u->input_tokens));
    json_object_set_new(o, "output_tokens", json_integer(u->output_tokens));
    json_object_set_new(o, "cache_read_input_tokens", json_integer(u->cache_read_input_tokens));
    json_object_set_new(o, "cache_write_5m_input_tokens",
                        json_integer(u->cache_write_5m_input_tokens));
    json_object_set_new(o, "cache_write_1h_input_tokens",
                        json_integer(u->cache_write_1h_input_tokens));
    json_object_set_new(o, "web_search_requests", json_integer(u->web_search_requests));
    if (extra) {
        json_object_set_new(o, "skill_invocations", json_integer(u->skill_invocations));
        json_object_set_new(o, "mcp_operations", json_integer(u->mcp_operations));
        json_object_set_new(o, "total_tokens", json_integer(u->total_tokens));
    }
    return o;
}

static json_t *lines_json(const struct report_line *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct report_line *l = &v[i];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(report_line_kind_name(l->kind)));
        json_object_set_new(o, "model", l->model ? json_string(l->model) : json_null());
        json_object_set_new(o, "batch", json_boolean(l->batch));
        if (l->model) {
            json_object_set_new(o, "band",
                                json_string(l->band == BAND_LONG ? "long_prompt" : "standard"));
            json_object_set_new(o, "speed",
                                json_string(l->speed == SPEED_FAST ? "fast" : "standard"));
            json_object_set_new(o, "inference_geo",
                                json_string(l->geo == GEO_US ? "us" : "global"));
        }
        json_object_set_new(o, "description", str(l->description));
        json_object_set_new(o, "quantity", json_integer(l->quantity));
        json_object_set_new(o, "unit_price", price(l->unit_price_micros));
        json_object_set_new(o, "unit", str(l->unit));
        json_object_set_new(o, "amount", money(l->amount));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *groups_json(const struct report_groups *g)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->n; i++) {
        const struct report_group *x = &g->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "key", str(x->key));
        json_object_set_new(o, "list_cost", money(x->list_cost));
        json_object_set_new(o, "share", ratio_e4(x->share_e4));
        json_object_set_new(o, "usage", usage_json(&x->usage, true));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *days_json(const struct report_day *d, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "date", json_string(d[i].date));
        json_object_set_new(o, "list_cost", money(d[i].list_cost));
        json_object_set_new(o, "requests", json_integer(d[i].requests));
        json_object_set_new(o, "tokens", json_integer(d[i].tokens));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *budget_json(const struct report_budget *b)
{
    if (!b->present)
        return json_null();
    json_t *o = json_object();
    if (b->tokens)
        json_object_set_new(o, "monthly_tokens", json_integer(b->monthly));
    else
        json_object_set_new(o, "monthly", money(b->monthly));
    json_object_set_new(o, "utilization", ratio_e4(b->utilization_e4));
    json_t *th = json_array();
    for (size_t i = 0; i < b->n_thresholds_crossed; i++)
        json_array_append_new(th, number_e6(b->thresholds_crossed_e6[i]));
    json_object_set_new(o, "thresholds_crossed", th);
    json_object_set_new(o, "over", json_boolean(b->over));
    json_object_set_new(o, "used", b->tokens ? json_integer(b->used) : money(b->used));
    json_object_set_new(o, "state", str(report_budget_state_text(b->state)));
    return o;
}

static json_t *recipient_json(const struct report_recipient *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "role", json_string(budgets_role_name(p->role)));
    json_object_set_new(o, "name", p->name && *p->name ? json_string(p->name) : json_null());
    json_object_set_new(o, "email", p->email && *p->email ? json_string(p->email) : json_null());
    return o;
}

/* The project and user budgets: what each is on, its state and who its alerts go to. */
static json_t *budgets_json(const struct report *r)
{
    json_t *a = json_array();
    for (size_t k = 0; k < r->n_budgets; k++) {
        const struct report_entity_budget *eb = &r->budgets[k];
        json_t *o = json_object();
        json_object_set_new(o, "entity", json_string(budgets_entity_name(eb->entity)));
        json_object_set_new(o, "key", str(eb->key));
        json_object_set_new(o, "budget", budget_json(&eb->budget));
        json_object_set_new(o, "owner", recipient_json(&eb->owner));
        json_array_append_new(a, o);
    }
    return a;
}

/* One entry of the alerts (alerts.json and report.json `alerts`): the entity, the figure and
 * its threshold, what they measure, the rule in words and whom it is for. Returns a new tree.
 * The writers splice the entries into an empty array one at a time (write_spliced), so the
 * alerts of a month of 100,000 teams are never held as one tree. */
static json_t *alert_json(const struct report *r, size_t k)
{
    {
        const struct report_alert *x = &r->alerts[k];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(budgets_alert_kind_name(x->kind)));
        json_t *e = json_object();
        json_object_set_new(e, "type", json_string(budgets_entity_name(x->entity)));
        json_object_set_new(e, "id", x->entity == ENTITY_ORGANIZATION ? json_null() : str(x->key));
        json_object_set_new(e, "name",
                            x->entity == ENTITY_ORGANIZATION ? str(r->organization) : str(x->name));
        json_object_set_new(o, "entity", e);
        json_object_set_new(o, "figure",
                            x->kind == ALERT_ANOMALY ? ratio_e2(x->figure) : ratio_e4(x->figure));
        json_object_set_new(o, "threshold", number_e6(x->threshold_e6));
        json_t *d = json_object();
        switch (x->kind) {
        case ALERT_BUDGET_THRESHOLD:
        case ALERT_BUDGET_OVER:
            json_object_set_new(d, x->tokens ? "monthly_tokens" : "monthly",
                                x->tokens ? json_integer(x->limit) : money(x->limit));
            json_object_set_new(d, "used", x->tokens ? json_integer(x->value) : money(x->value));
            break;
        case ALERT_ANOMALY:
            json_object_set_new(d, "date", json_string(x->date));
            json_object_set_new(d, "list_cost", money(x->value));
            json_object_set_new(d, "mean_daily", money(x->limit));
            break;
        case ALERT_UNALLOCATED:
            json_object_set_new(d, "list_cost", money(x->value));
            json_object_set_new(d, "all_list_cost", money(x->limit));
            break;
        }
        json_object_set_new(o, "detail", d);
        json_object_set_new(o, "rule", str(x->rule));
        json_object_set_new(o, "for", recipient_json(&x->to));
        return o;
    }
}

/* Month over month (--previous) as a new object, or JSON null without one. */
static json_t *mom_json(const struct report_mom *m)
{
    if (!m->present)
        return json_null();
    json_t *x = json_object();
    json_object_set_new(x, "previous_month", json_string(m->previous_month));
    json_object_set_new(x, "previous_total", money(m->previous_total));
    json_object_set_new(x, "previous_list_cost", money(m->previous_list_cost));
    json_object_set_new(x, "delta_total", money(m->delta_total));
    json_object_set_new(x, "delta_pct", m->has_pct ? ratio_e4(m->delta_pct_e4) : json_null());
    return x;
}

static json_t *team_json(const struct report *r, const struct report_team *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "team", str(t->id));
    json_object_set_new(o, "name", str(t->name));
    json_object_set_new(o, "slug", str(t->slug));
    json_object_set_new(o, "invoice_number", str(t->invoice_number));
    if (t->supersedes_invoice)
        json_object_set_new(o, "supersedes_invoice_number", str(t->supersedes_invoice));
    if (t->revision.present) {
        /* a corrected revision: what was invoiced before and what remains to settle */
        json_t *x = json_object();
        json_object_set_new(x, "invoice_number",
                            t->supersedes_invoice && *t->supersedes_invoice
                                ? str(t->supersedes_invoice)
                                : json_null());
        json_object_set_new(x, "previous_total", money(t->revision.previous_total));
        json_object_set_new(x, "difference", money(t->revision.difference));
        json_object_set_new(o, "supersedes", x);
    }
    json_object_set_new(o, "cost_center", str(t->cost_center));
    json_object_set_new(o, "usage", usage_json(&t->usage, false));
    json_object_set_new(o, "list_cost", money(t->list_cost));
    json_object_set_new(o, "shared", money(t->shared));
    json_object_set_new(o, "overhead", money(t->overhead));
    json_object_set_new(o, "markup", money(t->markup));
    json_object_set_new(o, "true_up", money(t->true_up));
    json_object_set_new(o, "total", money(t->total));
    json_object_set_new(o, "lines", lines_json(t->lines, t->n_lines));
    json_object_set_new(o, "budget", budget_json(&t->budget));
    json_t *an = json_array();
    for (size_t i = 0; i < t->n_anomalies; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "date", json_string(t->anomalies[i].date));
        json_object_set_new(x, "list_cost", money(t->anomalies[i].list_cost));
        json_object_set_new(x, "mean_daily", money(t->anomalies[i].mean_daily));
        json_object_set_new(x, "factor", ratio_e2(t->anomalies[i].factor_e2));
        json_array_append_new(an, x);
    }
    json_object_set_new(o, "anomalies", an);
    json_t *rec = json_array();
    for (size_t i = 0; i < t->n_recommendations; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "kind", str(report_rec_kind_name(t->recommendations[i].kind)));
        json_object_set_new(x, "saving", money(t->recommendations[i].saving));
        json_object_set_new(x, "explanation", str(t->recommendations[i].explanation));
        json_array_append_new(rec, x);
    }
    json_object_set_new(o, "recommendations", rec);
    /* additions beyond §7 */
    json_object_set_new(o, "configured", json_boolean(t->configured));
    json_object_set_new(o, "contact", str(t->contact));
    json_object_set_new(o, "owner", str(t->owner));
    json_object_set_new(o, "reference", str(t->reference));
    json_object_set_new(o, "gl_account", str(t->gl_account));
    json_object_set_new(o, "headcount", json_integer(t->headcount));
    json_object_set_new(o, "usage_detail", usage_json(&t->usage, true));
    json_object_set_new(o, "direct", money(t->direct));
    json_object_set_new(o, "charge", money(t->charge));
    json_object_set_new(o, "share", ratio_e4(t->share_e4));
    json_object_set_new(o, "method", str(t->method));
    json_t *m = json_array();
    for (size_t i = 0; i < t->n_metrics; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", str(t->metrics[i].name));
        json_object_set_new(x, "units", number_e6(t->metrics[i].units_e6));
        json_object_set_new(x, "cost_per_unit", price(t->metrics[i].cost_per_unit_micros));
        json_array_append_new(m, x);
    }
    json_object_set_new(o, "unit_economics", m);
    json_object_set_new(o, "mom", mom_json(&t->mom));
    json_t *eb = json_array();
    for (size_t i = 0; i < t->n_entity_budgets; i++) {
        const struct report_team_budget *x = &t->entity_budgets[i];
        const struct report_entity_budget *b = &r->budgets[x->index];
        json_t *e = json_object();
        json_object_set_new(e, "entity", json_string(budgets_entity_name(b->entity)));
        json_object_set_new(e, "key", str(b->key));
        json_object_set_new(e, "team_used",
                            b->budget.tokens ? json_integer(x->team_used) : money(x->team_used));
        json_array_append_new(eb, e);
    }
    json_object_set_new(o, "project_user_budgets", eb);
    json_object_set_new(o, "by_project", groups_json(&t->by_project));
    json_object_set_new(o, "by_user", groups_json(&t->by_user));
    json_object_set_new(o, "by_workflow", groups_json(&t->by_workflow));
    json_object_set_new(o, "by_environment", groups_json(&t->by_environment));
    json_object_set_new(o, "by_model", groups_json(&t->by_model));
    json_object_set_new(o, "days", days_json(t->days, t->n_days));
    return o;
}

/* The model comparison (SPEC §7 `comparison`): each team's total under every model present,
 * its change against the configured model, and the words the summary shows. */
static json_t *comparison_json(const struct comparison *c)
{
    json_t *o = json_object(), *models = json_array();
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->present[m])
            json_array_append_new(models, json_string(config_model_name((enum cb_model)m)));
    json_object_set_new(o, "models", models);
    json_t *teams = json_array();
    for (size_t i = 0; i < c->n_teams; i++) {
        json_t *t = json_object(), *ch = json_object(), *d = json_object();
        for (int m = 0; m < COMPARE_MODELS; m++)
            if (c->present[m]) {
                const char *k = config_model_name((enum cb_model)m);
                json_object_set_new(ch, k, money(c->teams[i].charges[m]));
                json_object_set_new(d, k, money(compare_change(c, i, (enum cb_model)m)));
            }
        json_object_set_new(t, "team", str(c->teams[i].id));
        json_object_set_new(t, "charges", ch);
        json_object_set_new(t, "change", d);
        json_array_append_new(teams, t);
    }
    json_object_set_new(o, "teams", teams);
    json_t *tot = json_object();
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->present[m])
            json_object_set_new(tot, config_model_name((enum cb_model)m), money(c->totals[m]));
    json_object_set_new(o, "totals", tot);
    /* additions: what the columns are measured against, and the words the summary shows */
    json_object_set_new(o, "configured", json_string(config_model_name(c->configured)));
    json_object_set_new(o, "hybrid_basis",
                        !c->present[CB_MODEL_HYBRID]         ? json_null()
                        : c->hybrid_basis == BASIS_HEADCOUNT ? json_string("headcount")
                                                             : json_string("equal"));
    json_t *left = json_object();
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->left_out[m])
            json_object_set_new(left, config_model_name((enum cb_model)m), str(c->left_out[m]));
    json_object_set_new(o, "left_out", left);
    json_object_set_new(o, "note", str(c->note));
    json_object_set_new(o, "reading", str(c->reading));
    return o;
}

/* Returns the report as a new jansson tree (the shape of SPEC §7 plus additions), with "teams"
 * as an empty array: render_json writes the teams one at a time into its place, so the tree of
 * a month of thousands of teams is never held whole (it took 341 MiB for 1,000 teams). */
static json_t *report_json(const struct report *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("chargeback-report/1"));
    json_t *p = json_object();
    json_object_set_new(p, "month", json_string(r->month));
    json_object_set_new(p, "start", json_string(r->period_start));
    json_object_set_new(p, "end", json_string(r->period_end));
    json_object_set_new(o, "period", p);
    json_object_set_new(o, "currency", str(r->currency));
    json_object_set_new(o, "mode", json_string(r->shadow ? "shadow" : "billing"));
    json_object_set_new(o, "chargeback_model", json_string(config_model_name(r->model)));
    if (r->revision > 1) {
        /* A corrected revision names the signed month it replaces (SPEC §8). */
        json_object_set_new(o, "revision", json_integer(r->revision));
        json_t *sup = json_object();
        json_object_set_new(sup, "folder", str(r->supersedes.folder));
        json_object_set_new(sup, "signed_by", str(r->supersedes.signed_by));
        json_object_set_new(sup, "signed_at", str(r->supersedes.signed_at));
        json_object_set_new(sup, "signoff_sha256", json_string(r->supersedes.signoff_sha256));
        json_object_set_new(o, "supersedes", sup);
    }
    json_t *in = json_object();
    json_t *files = json_array();
    for (size_t i = 0; i < r->n_files; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "path", str(r->files[i].path));
        json_object_set_new(f, "sha256", json_string(r->files[i].sha256));
        json_object_set_new(f, "records", json_integer(r->files[i].records));
        json_object_set_new(f, "bytes", json_integer(r->files[i].bytes));
        json_object_set_new(f, "format", str(r->files[i].format));
        json_array_append_new(files, f);
    }
    json_object_set_new(in, "files", files);
    json_object_set_new(in, "records_read", json_integer(r->records_read));
    json_object_set_new(in, "records_billed", json_integer(r->records_billed));
    json_object_set_new(in, "records_rejected", json_integer(r->records_rejected));
    json_object_set_new(in, "duplicates", json_integer(r->duplicates));
    json_object_set_new(in, "outside_period", json_integer(r->outside_period));
    json_t *rj = json_array();
    for (size_t i = 0; i < r->n_rejects; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "reason", str(r->rejects[i].reason));
        json_object_set_new(x, "count", json_integer(r->rejects[i].count));
        json_t *ex = json_array();
        for (size_t k = 0; k < r->rejects[i].n_examples; k++)
            json_array_append_new(ex, str(r->rejects[i].examples[k]));
        json_object_set_new(x, "examples", ex);
        json_array_append_new(rj, x);
    }
    json_object_set_new(in, "rejected_by_reason", rj);
    json_object_set_new(o, "inputs", in);
    json_t *pb = json_object();
    json_object_set_new(pb, "checked", json_string(r->price_book_checked));
    json_object_set_new(pb, "sha256", json_string(r->price_book_sha256));
    json_object_set_new(o, "price_book", pb);
    json_t *warn = json_array();
    for (size_t i = 0; i < r->n_warnings; i++)
        json_array_append_new(warn, str(r->warnings[i]));
    json_object_set_new(o, "warnings", warn);
    const struct report_totals *T = &r->totals;
    json_t *tot = json_object();
    json_object_set_new(tot, "list_cost", money(T->list_cost));
    json_object_set_new(tot, "shared", money(T->shared));
    json_object_set_new(tot, "unallocated", money(T->unallocated));
    json_object_set_new(tot, "overhead", money(T->overhead));
    json_object_set_new(tot, "markup", money(T->markup));
    json_object_set_new(tot, "true_up", money(T->true_up));
    json_object_set_new(tot, "charged", money(T->charged));
    json_object_set_new(tot, "provider_total",
                        T->has_provider_total ? money(T->provider_total) : json_null());
    bool shown = !r->unallocated_policy || strcmp(r->unallocated_policy, "show") == 0;
    json_object_set_new(tot, "summary_total", money(T->charged + (shown ? T->unallocated : 0)));
    json_object_set_new(tot, "period_list_total", money(T->period_list_total));
    json_object_set_new(tot, "reconciliation_difference",
                        T->has_provider_total ? money(T->reconciliation_difference) : json_null());
    json_t *bridge = json_array();
    for (size_t i = 0; i < T->n_bridge; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "label", str(T->bridge[i].label));
        json_object_set_new(x, "amount", money(T->bridge[i].amount));
        json_array_append_new(bridge, x);
    }
    json_object_set_new(tot, "bridge", bridge);
    json_t *mom = mom_json(&r->mom);
    if (r->mom.present) { /* the previous month's teams without an invoice this month */
        json_object_set_new(mom, "teams_gone", json_integer((json_int_t)r->mom_gone_teams));
        json_object_set_new(mom, "teams_gone_total", money(r->mom_gone_total));
    }
    json_object_set_new(tot, "mom", mom);
    json_object_set_new(o, "totals", tot);
    json_object_set_new(o, "teams", json_array());
    json_t *un = json_object();
    json_object_set_new(un, "list_cost", money(r->unallocated_list_cost));
    json_object_set_new(un, "requests", json_integer(r->unallocated_usage.requests));
    json_object_set_new(un, "policy", str(r->unallocated_policy));
    json_object_set_new(un, "usage", usage_json(&r->unallocated_usage, true));
    json_object_set_new(un, "lines", lines_json(r->unallocated_lines, r->n_unallocated_lines));
    json_object_set_new(o, "unallocated", un);
    /* additions beyond §7 */
    json_object_set_new(o, "tool_version", str(r->tool_version));
    json_object_set_new(o, "organization", str(r->organization));
    json_object_set_new(o, "issuer", str(r->issuer));
    json_object_set_new(o, "issue_date", json_string(r->issue_date));
    if (!r->shadow) { /* a shadow month asks for no payment */
        json_object_set_new(o, "due_date", json_string(r->due_date));
        json_object_set_new(o, "payment_terms_days", json_integer(r->payment_terms_days));
    }
    json_object_set_new(o, "method", str(r->method));
    json_object_set_new(o, "reconciliation", str(r->reconciliation_text));
    json_object_set_new(o, "provider_total_source",
                        !r->totals.has_provider_total  ? json_null()
                        : r->provider_from_cost_report ? json_string("cost report")
                                                       : json_string("configuration"));
    if (r->recon)
        json_object_set_new(o, "reconciliation_detail", recon_json(r->recon));
    json_object_set_new(o, "shared_pools", groups_json(&r->shared_pools));
    json_t *cov = json_array();
    for (size_t i = 0; i < r->n_coverage; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "tag", str(r->coverage[i].tag));
        json_object_set_new(x, "list_cost", money(r->coverage[i].list_cost));
        json_object_set_new(x, "share", ratio_e4(r->coverage[i].share_e4));
        json_array_append_new(cov, x);
    }
    json_object_set_new(o, "tag_coverage", cov);
    json_object_set_new(o, "top_projects", groups_json(&r->top_projects));
    json_object_set_new(o, "top_users", groups_json(&r->top_users));
    json_object_set_new(o, "by_model", groups_json(&r->by_model));
    json_object_set_new(o, "days", days_json(r->days, r->n_days));
    if (r->comparison)
        json_object_set_new(o, "comparison", comparison_json(r->comparison));
    json_object_set_new(o, "budgets", budgets_json(r));
    json_object_set_new(o, "unallocated_share", ratio_e4(r->unallocated_share_e4));
    json_object_set_new(o, "alerts", json_array()); /* spliced in by write_spliced */
    return o;
}

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
/* A month of more than this many teams writes report.json compact (no indentation, one line):
 * at 100,000 teams the indented file is 800 MB and writing it is most of the run. The bytes are
 * as deterministic either way; the docs say where the line is. */
#define COMPACT_TEAMS 10000
#define COMPACT_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

static size_t dump_flags(const struct report *r)
{
    return r && r->n_teams > COMPACT_TEAMS ? COMPACT_FLAGS : DUMP_FLAGS;
}

/* Where the root's empty "teams" and "alerts" arrays sit in its dump: keys of the root are the
 * only lines indented by exactly two spaces (strings hold no raw newline), so each match is
 * unique. In the compact form the root's key is the first of that name (the keys before it hold
 * no object with one), and a string cannot hold an unescaped quote. */
static const char teams_key[] = "\n  \"teams\": []";
static const char teams_key_compact[] = "\"teams\":[]";
static const char alerts_key[] = "\n  \"alerts\": []";
static const char alerts_key_compact[] = "\"alerts\":[]";

/* A json_dump_callback sink that writes to a FILE and indents every line after the first by
 * `indent` spaces, so a value dumped alone reads as it would nested at that depth. Output is
 * gathered in a buffer and written in large pieces. */
struct sink {
    FILE *f;
    int indent;
    bool failed;
    char buf[1 << 16];
    size_t len;
};

static void sink_flush(struct sink *s)
{
    if (s->len && !s->failed && fwrite(s->buf, 1, s->len, s->f) != s->len)
        s->failed = true;
    s->len = 0;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
    if (s->len + n > sizeof s->buf)
        sink_flush(s);
    if (n > sizeof s->buf) {
        if (!s->failed && fwrite(p, 1, n, s->f) != n)
            s->failed = true;
        return;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static int sink_write(const char *buf, size_t size, void *data)
{
    struct sink *s = data;
    static const char spaces[] = "        ";
    while (size > 0 && !s->failed) {
        const char *nl = s->indent ? memchr(buf, '\n', size) : NULL;
        size_t n = nl ? (size_t)(nl - buf) + 1 : size;
        sink_put(s, buf, n);
        if (nl)
            sink_put(s, spaces, (size_t)s->indent);
        buf += n;
        size -= n;
    }
    return s->failed ? -1 : 0;
}

static json_t *team_item(const struct report *r, size_t i)
{
    return team_json(r, &r->teams[i]);
}

/* An array of the root written entry by entry: `n` entries made by `item`, in place of the
 * empty array whose key is `key` (with its "[]") in the root's dump. */
struct splice {
    const char *key, *key_compact;
    size_t n;
    json_t *(*item)(const struct report *r, size_t i);
};

/* Writes the root dump `text` with each splice's entries written into its empty array, each
 * entry dumped on its own at depth 2: the same bytes json_dumps gives for the whole tree. The
 * splices must be given in the order their keys appear in the root. */
static bool write_spliced(FILE *f, const struct report *r, const char *text, size_t flags,
                          struct splice *sp, size_t n_sp)
{
    bool compact = flags == COMPACT_FLAGS;
    struct sink *s = xcalloc(1, sizeof *s);
    s->f = f;
    const char *p = text;
    for (size_t k = 0; k < n_sp && !s->failed; k++) {
        const char *key = compact ? sp[k].key_compact : sp[k].key;
        const char *at = sp[k].n ? strstr(p, key) : NULL;
        if (!at)
            continue;
        const char *open = at + strlen(key) - 1; /* the ']' of "[]" */
        s->indent = 0;
        sink_put(s, p, (size_t)(open - p));
        s->indent = compact ? 0 : 4;
        for (size_t i = 0; i < sp[k].n && !s->failed; i++) {
            if (compact)
                sink_put(s, ",", i ? 1 : 0);
            else
                sink_put(s, i ? ",\n    " : "\n    ", i ? 6 : 5);
            json_t *t = sp[k].item(r, i);
            if (json_dump_callback(t, sink_write, s, flags) != 0)
                s->failed = true;
            json_decref(t);
        }
        s->indent = 0;
        if (compact)
            sink_put(s, "]", 1);
        else
            sink_put(s, "\n  ]", 4);
        p = open + 1;
    }
    sink_put(s, p, strlen(p));
    sink_flush(s);
    bool ok = !s->failed;
    free(s);
    return ok;
}

static json_t *alert_item(const struct report *r, size_t i)
{
    return alert_json(r, i);
}

/* Writes doc to `name` in the month folder with a final newline; with `teams`, r's teams are
 * spliced into its "teams" array, and always r's alerts into its "alerts" array (write_spliced).
 * Takes ownership of doc. */
static enum cb_status write_doc(const struct report *r, const struct render_dest *d,
                                const char *name, json_t *doc, bool teams, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = paths_join(d->dir, name);
    size_t flags = teams ? dump_flags(r) : DUMP_FLAGS;
    char *text = json_dumps(doc, flags);
    FILE *f = NULL;
    struct splice sp[] = {
        {teams_key, teams_key_compact, teams ? r->n_teams : 0, team_item},
        {alerts_key, alerts_key_compact, r->n_alerts, alert_item},
    };
    if (!text) {
        st = cb_error_set(err, CB_EINTERNAL, path, 0, NULL, "cannot serialize the document");
        goto cleanup;
    }
    f = fopen(path, "wb");
    if (!f) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    if (!write_spliced(f, r, text, flags, sp, sizeof sp / sizeof sp[0]) || fputc('\n', f) == EOF)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
    if (fclose(f) != 0 && st == CB_OK)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
cleanup:
    free(text);
    json_decref(doc);
    free(path);
    return st;
}

enum cb_status render_json(const struct report *r, const struct render_dest *d,
                           struct cb_error *err)
{
    return write_doc(r, d, "report.json", report_json(r), true, err);
}

/* alerts.json: the alerts of report.json on their own, for a notifier (a chat hook, a mail job)
 * that routes them by `for` without reading the documents. Same inputs, same bytes. */
enum cb_status render_alerts(const struct report *r, const struct render_dest *d,
                             struct cb_error *err)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "schema", json_string("chargeback-alerts/1"));
    json_object_set_new(doc, "month", json_string(r->month));
    json_object_set_new(doc, "mode", json_string(r->shadow ? "shadow" : "billing"));
    json_object_set_new(doc, "organization", str(r->organization));
    json_object_set_new(doc, "currency", str(r->currency));
    json_object_set_new(doc, "alerts", json_array()); /* spliced in by write_spliced */
    return write_doc(r, d, "alerts.json", doc, false, err);
}

/* report.json (SPEC §7): every number of the month, machine-readable, written member by member
 * (jsonw.h: the bytes jansson gives with JSON_PRESERVE_ORDER). Keys keep the order of the spec;
 * fields beyond §7 come after those of §7. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "jsonw.h"
#include "budgets.h"
#include "money.h"
#include "paths.h"
#include "render.h"
#include "xalloc.h"

/* ---- values ---- */

static void str(struct jw *w, const char *s)
{
    jw_string(w, s ? s : "");
}

static void money(struct jw *w, int64_t cents)
{
    char buf[48];
    money_format(cents, buf, sizeof buf);
    jw_string(w, buf);
}

/* Micro-USD as a decimal with at least two places and no trailing zeros beyond: "3.00",
 * "0.30", "0.0001". */
static void price(struct jw *w, int64_t micros)
{
    char buf[48];
    money_format_fixed(micros, 6, 6, buf, sizeof buf);
    size_t n = strlen(buf);
    while (n >= 4 && buf[n - 1] == '0' && buf[n - 3] != '.')
        buf[--n] = '\0';
    jw_string(w, buf);
}

/* A 10^4-scaled ratio as a decimal fraction: 9430 -> "0.9430". */
static void ratio_e4(struct jw *w, int64_t e4)
{
    char buf[48];
    money_format_fixed(e4, 4, 4, buf, sizeof buf);
    jw_string(w, buf);
}

/* Hundredths as a decimal: 674 -> "6.74" (an anomaly's factor to the mean day). */
static void ratio_e2(struct jw *w, int64_t e2)
{
    char buf[48];
    money_format_fixed(e2, 2, 2, buf, sizeof buf);
    jw_string(w, buf);
}

/* A 10^6-scaled number as a JSON number (thresholds, units); not money. */
static void number_e6(struct jw *w, int64_t e6)
{
    if (e6 % 1000000 == 0)
        jw_integer(w, e6 / 1000000);
    else /* one correctly rounded division: the nearest double to the decimal, locale-free */
        jw_real(w, (double)e6 / 1e6);
}

/* Members: the key, then the value. */
static void k_str(struct jw *w, const char *k, const char *s)
{
    jw_key(w, k);
    str(w, s);
}

static void k_money(struct jw *w, const char *k, int64_t cents)
{
    jw_key(w, k);
    money(w, cents);
}

static void k_int(struct jw *w, const char *k, int64_t v)
{
    jw_key(w, k);
    jw_integer(w, v);
}

static void k_bool(struct jw *w, const char *k, bool v)
{
    jw_key(w, k);
    jw_bool(w, v);
}

static void k_ratio_e4(struct jw *w, const char *k, int64_t e4)
{
    jw_key(w, k);
    ratio_e4(w, e4);
}

/* Opens a member holding an object or an array. */
static void k_object(struct jw *w, const char *k)
{
    jw_key(w, k);
    jw_object(w);
}

static void k_array(struct jw *w, const char *k)
{
    jw_key(w, k);
    jw_array(w);
}

/* ---- parts of the documents ---- */

/* The Cost report beside the tool's list price (reconcile.h): signed decimal strings, each
 * difference billed - computed. */
static void recon_json(struct jw *w, const struct recon *x)
{
    jw_object(w);
    k_money(w, "computed", x->computed);
    k_money(w, "billed", x->billed);
    k_money(w, "difference", x->billed - x->computed);
    k_array(w, "by_model");
    for (size_t i = 0; i < x->n_lines; i++) {
        const struct recon_line *l = &x->lines[i];
        jw_object(w);
        k_str(w, "model", l->model);
        k_str(w, "token_type", l->kind);
        k_money(w, "computed", l->computed);
        k_money(w, "billed", l->billed);
        k_money(w, "difference", l->billed - l->computed);
        jw_end(w);
    }
    jw_end(w);
    k_array(w, "by_day");
    for (size_t i = 0; i < x->n_days; i++) {
        jw_object(w);
        k_int(w, "day", x->days[i].day);
        k_money(w, "computed", x->days[i].computed);
        k_money(w, "billed", x->days[i].billed);
        k_money(w, "difference", x->days[i].billed - x->days[i].computed);
        jw_end(w);
    }
    jw_end(w);
    k_array(w, "by_workspace");
    for (size_t i = 0; i < x->n_workspaces; i++) {
        jw_object(w);
        k_str(w, "workspace_id", x->workspaces[i].workspace);
        k_money(w, "billed", x->workspaces[i].billed);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static void usage_json(struct jw *w, const struct report_usage *u, bool extra)
{
    jw_object(w);
    k_int(w, "requests", u->requests);
    k_int(w, "input_tokens", u->input_tokens);
    k_int(w, "output_tokens", u->output_tokens);
    k_int(w, "cache_read_input_tokens", u->cache_read_input_tokens);
    k_int(w, "cache_write_5m_input_tokens", u->cache_write_5m_input_tokens);
    k_int(w, "cache_write_1h_input_tokens", u->cache_write_1h_input_tokens);
    k_int(w, "web_search_requests", u->web_search_requests);
    if (extra) {
        k_int(w, "skill_invocations", u->skill_invocations);
        k_int(w, "mcp_operations", u->mcp_operations);
        k_int(w, "total_tokens", u->total_tokens);
    }
    jw_end(w);
}

static void lines_json(struct jw *w, const struct report_line *v, size_t n)
{
    jw_array(w);
    for (size_t i = 0; i < n; i++) {
        const struct report_line *l = &v[i];
        jw_object(w);
        k_str(w, "kind", report_line_kind_name(l->kind));
        jw_key(w, "model");
        if (l->model)
            jw_string(w, l->model);
        else
            jw_null(w);
        k_bool(w, "batch", l->batch);
        if (l->model) {
            k_str(w, "band", l->band == BAND_LONG ? "long_prompt" : "standard");
            k_str(w, "speed", l->speed == SPEED_FAST ? "fast" : "standard");
            k_str(w, "inference_geo", l->geo == GEO_US ? "us" : "global");
        }
        k_str(w, "description", l->description);
        k_int(w, "quantity", l->quantity);
        jw_key(w, "unit_price");
        price(w, l->unit_price_micros);
        k_str(w, "unit", l->unit);
        k_money(w, "amount", l->amount);
        jw_end(w);
    }
    jw_end(w);
}

static void groups_json(struct jw *w, const struct report_groups *g)
{
    jw_array(w);
    for (size_t i = 0; i < g->n; i++) {
        const struct report_group *x = &g->items[i];
        jw_object(w);
        k_str(w, "key", x->key);
        k_money(w, "list_cost", x->list_cost);
        k_ratio_e4(w, "share", x->share_e4);
        jw_key(w, "usage");
        usage_json(w, &x->usage, true);
        jw_end(w);
    }
    jw_end(w);
}

static void days_json(struct jw *w, const struct report_day *d, size_t n)
{
    jw_array(w);
    for (size_t i = 0; i < n; i++) {
        jw_object(w);
        k_str(w, "date", d[i].date);
        k_money(w, "list_cost", d[i].list_cost);
        k_int(w, "requests", d[i].requests);
        k_int(w, "tokens", d[i].tokens);
        jw_end(w);
    }
    jw_end(w);
}

static void k_groups(struct jw *w, const char *k, const struct report_groups *g)
{
    jw_key(w, k);
    groups_json(w, g);
}

/* The "days" member: one row per day of the month. */
static void k_days(struct jw *w, const struct report_day *d, size_t n)
{
    jw_key(w, "days");
    days_json(w, d, n);
}

static void budget_json(struct jw *w, const struct report_budget *b)
{
    if (!b->present) {
        jw_null(w);
        return;
    }
    jw_object(w);
    if (b->tokens)
        k_int(w, "monthly_tokens", b->monthly);
    else
        k_money(w, "monthly", b->monthly);
    k_ratio_e4(w, "utilization", b->utilization_e4);
    k_array(w, "thresholds_crossed");
    for (size_t i = 0; i < b->n_thresholds_crossed; i++)
        number_e6(w, b->thresholds_crossed_e6[i]);
    jw_end(w);
    k_bool(w, "over", b->over);
    jw_key(w, "used");
    if (b->tokens)
        jw_integer(w, b->used);
    else
        money(w, b->used);
    k_str(w, "state", report_budget_state_text(b->state));
    jw_end(w);
}

static void recipient_json(struct jw *w, const struct report_recipient *p)
{
    jw_object(w);
    k_str(w, "role", budgets_role_name(p->role));
    jw_key(w, "name");
    if (p->name && *p->name)
        jw_string(w, p->name);
    else
        jw_null(w);
    jw_key(w, "email");
    if (p->email && *p->email)
        jw_string(w, p->email);
    else
        jw_null(w);
    jw_end(w);
}

/* The project and user budgets: what each is on, its state and who its alerts go to. */
static void budgets_json(struct jw *w, const struct report *r)
{
    jw_array(w);
    for (size_t k = 0; k < r->n_budgets; k++) {
        const struct report_entity_budget *eb = &r->budgets[k];
        jw_object(w);
        k_str(w, "entity", budgets_entity_name(eb->entity));
        k_str(w, "key", eb->key);
        jw_key(w, "budget");
        budget_json(w, &eb->budget);
        jw_key(w, "owner");
        recipient_json(w, &eb->owner);
        jw_end(w);
    }
    jw_end(w);
}

/* One entry of the alerts (alerts.json and report.json `alerts`): the entity, the figure and
 * its threshold, what they measure, the rule in words and whom it is for. */
static void alert_json(struct jw *w, const struct report *r, const struct report_alert *x)
{
    jw_object(w);
    k_str(w, "kind", budgets_alert_kind_name(x->kind));
    k_object(w, "entity");
    k_str(w, "type", budgets_entity_name(x->entity));
    jw_key(w, "id");
    if (x->entity == ENTITY_ORGANIZATION)
        jw_null(w);
    else
        str(w, x->key);
    k_str(w, "name", x->entity == ENTITY_ORGANIZATION ? r->organization : x->name);
    jw_end(w);
    jw_key(w, "figure");
    if (x->kind == ALERT_ANOMALY)
        ratio_e2(w, x->figure);
    else
        ratio_e4(w, x->figure);
    jw_key(w, "threshold");
    number_e6(w, x->threshold_e6);
    k_object(w, "detail");
    switch (x->kind) {
    case ALERT_BUDGET_THRESHOLD:
    case ALERT_BUDGET_OVER:
        if (x->tokens) {
            k_int(w, "monthly_tokens", x->limit);
            k_int(w, "used", x->value);
        } else {
            k_money(w, "monthly", x->limit);
            k_money(w, "used", x->value);
        }
        break;
    case ALERT_ANOMALY:
        k_str(w, "date", x->date);
        k_money(w, "list_cost", x->value);
        k_money(w, "mean_daily", x->limit);
        break;
    case ALERT_UNALLOCATED:
        k_money(w, "list_cost", x->value);
        k_money(w, "all_list_cost", x->limit);
        break;
    }
    jw_end(w);
    k_str(w, "rule", x->rule);
    jw_key(w, "for");
    recipient_json(w, &x->to);
    jw_end(w);
}

static void alerts_json(struct jw *w, const struct report *r)
{
    jw_array(w);
    for (size_t k = 0; k < r->n_alerts; k++)
        alert_json(w, r, &r->alerts[k]);
    jw_end(w);
}

/* Month over month (--previous): its members, in an object the caller opened. */
static void mom_members(struct jw *w, const struct report_mom *m)
{
    k_str(w, "previous_month", m->previous_month);
    k_money(w, "previous_total", m->previous_total);
    k_money(w, "previous_list_cost", m->previous_list_cost);
    k_money(w, "delta_total", m->delta_total);
    jw_key(w, "delta_pct");
    if (m->has_pct)
        ratio_e4(w, m->delta_pct_e4);
    else
        jw_null(w);
}

static void team_json(struct jw *w, const struct report *r, const struct report_team *t)
{
    jw_object(w);
    k_str(w, "team", t->id);
    k_str(w, "name", t->name);
    k_str(w, "slug", t->slug);
    k_str(w, "invoice_number", t->invoice_number);
    if (t->supersedes_invoice)
        k_str(w, "supersedes_invoice_number", t->supersedes_invoice);
    if (t->revision.present) {
        /* a corrected revision: what was invoiced before and what remains to settle */
        k_object(w, "supersedes");
        jw_key(w, "invoice_number");
        if (t->supersedes_invoice && *t->supersedes_invoice)
            jw_string(w, t->supersedes_invoice);
        else
            jw_null(w);
        k_money(w, "previous_total", t->revision.previous_total);
        k_money(w, "difference", t->revision.difference);
        jw_end(w);
    }
    k_str(w, "cost_center", t->cost_center);
    jw_key(w, "usage");
    usage_json(w, &t->usage, false);
    k_money(w, "list_cost", t->list_cost);
    k_money(w, "shared", t->shared);
    k_money(w, "overhead", t->overhead);
    k_money(w, "markup", t->markup);
    k_money(w, "true_up", t->true_up);
    k_money(w, "total", t->total);
    jw_key(w, "lines");
    lines_json(w, t->lines, t->n_lines);
    jw_key(w, "budget");
    budget_json(w, &t->budget);
    k_array(w, "anomalies");
    for (size_t i = 0; i < t->n_anomalies; i++) {
        jw_object(w);
        k_str(w, "date", t->anomalies[i].date);
        k_money(w, "list_cost", t->anomalies[i].list_cost);
        k_money(w, "mean_daily", t->anomalies[i].mean_daily);
        jw_key(w, "factor");
        ratio_e2(w, t->anomalies[i].factor_e2);
        jw_end(w);
    }
    jw_end(w);
    k_array(w, "recommendations");
    for (size_t i = 0; i < t->n_recommendations; i++) {
        jw_object(w);
        k_str(w, "kind", report_rec_kind_name(t->recommendations[i].kind));
        k_money(w, "saving", t->recommendations[i].saving);
        k_str(w, "explanation", t->recommendations[i].explanation);
        jw_end(w);
    }
    jw_end(w);
    /* additions beyond §7 */
    k_bool(w, "configured", t->configured);
    k_str(w, "contact", t->contact);
    k_str(w, "owner", t->owner);
    k_str(w, "reference", t->reference);
    k_str(w, "gl_account", t->gl_account);
    k_int(w, "headcount", t->headcount);
    jw_key(w, "usage_detail");
    usage_json(w, &t->usage, true);
    k_money(w, "direct", t->direct);
    k_money(w, "charge", t->charge);
    k_ratio_e4(w, "share", t->share_e4);
    k_str(w, "method", t->method);
    k_array(w, "unit_economics");
    for (size_t i = 0; i < t->n_metrics; i++) {
        jw_object(w);
        k_str(w, "name", t->metrics[i].name);
        jw_key(w, "units");
        number_e6(w, t->metrics[i].units_e6);
        jw_key(w, "cost_per_unit");
        price(w, t->metrics[i].cost_per_unit_micros);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "mom");
    if (t->mom.present) {
        jw_object(w);
        mom_members(w, &t->mom);
        jw_end(w);
    } else {
        jw_null(w);
    }
    k_array(w, "project_user_budgets");
    for (size_t i = 0; i < t->n_entity_budgets; i++) {
        const struct report_team_budget *x = &t->entity_budgets[i];
        const struct report_entity_budget *b = &r->budgets[x->index];
        jw_object(w);
        k_str(w, "entity", budgets_entity_name(b->entity));
        k_str(w, "key", b->key);
        jw_key(w, "team_used");
        if (b->budget.tokens)
            jw_integer(w, x->team_used);
        else
            money(w, x->team_used);
        jw_end(w);
    }
    jw_end(w);
    k_groups(w, "by_project", &t->by_project);
    k_groups(w, "by_user", &t->by_user);
    k_groups(w, "by_workflow", &t->by_workflow);
    k_groups(w, "by_environment", &t->by_environment);
    k_groups(w, "by_model", &t->by_model);
    k_days(w, t->days, t->n_days);
    jw_end(w);
}

/* The model comparison (SPEC §7 `comparison`): each team's total under every model present,
 * its change against the configured model, and the words the summary shows. */
static void comparison_json(struct jw *w, const struct comparison *c)
{
    jw_object(w);
    k_array(w, "models");
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->present[m])
            jw_string(w, config_model_name((enum cb_model)m));
    jw_end(w);
    k_array(w, "teams");
    for (size_t i = 0; i < c->n_teams; i++) {
        jw_object(w);
        k_str(w, "team", c->teams[i].id);
        k_object(w, "charges");
        for (int m = 0; m < COMPARE_MODELS; m++)
            if (c->present[m])
                k_money(w, config_model_name((enum cb_model)m), c->teams[i].charges[m]);
        jw_end(w);
        k_object(w, "change");
        for (int m = 0; m < COMPARE_MODELS; m++)
            if (c->present[m])
                k_money(w, config_model_name((enum cb_model)m),
                        compare_change(c, i, (enum cb_model)m));
        jw_end(w);
        jw_end(w);
    }
    jw_end(w);
    k_object(w, "totals");
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->present[m])
            k_money(w, config_model_name((enum cb_model)m), c->totals[m]);
    jw_end(w);
    /* additions: what the columns are measured against, and the words the summary shows */
    k_str(w, "configured", config_model_name(c->configured));
    jw_key(w, "hybrid_basis");
    if (!c->present[CB_MODEL_HYBRID])
        jw_null(w);
    else
        jw_string(w, c->hybrid_basis == BASIS_HEADCOUNT ? "headcount" : "equal");
    k_object(w, "left_out");
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->left_out[m])
            k_str(w, config_model_name((enum cb_model)m), c->left_out[m]);
    jw_end(w);
    k_str(w, "note", c->note);
    k_str(w, "reading", c->reading);
    jw_end(w);
}

/* The report (the shape of SPEC §7 plus additions), written member by member: a month of
 * thousands of teams is never held as a tree (one of 1,000 teams took 341 MiB that way). */
static void report_json(struct jw *w, const struct report *r)
{
    jw_object(w);
    k_str(w, "schema", "chargeback-report/1");
    k_object(w, "period");
    k_str(w, "month", r->month);
    k_str(w, "start", r->period_start);
    k_str(w, "end", r->period_end);
    jw_end(w);
    k_str(w, "currency", r->currency);
    k_str(w, "mode", r->shadow ? "shadow" : "billing");
    k_str(w, "chargeback_model", config_model_name(r->model));
    if (r->revision > 1) {
        /* A corrected revision names the signed month it replaces (SPEC §8). */
        k_int(w, "revision", r->revision);
        k_object(w, "supersedes");
        k_str(w, "folder", r->supersedes.folder);
        k_str(w, "signed_by", r->supersedes.signed_by);
        k_str(w, "signed_at", r->supersedes.signed_at);
        k_str(w, "signoff_sha256", r->supersedes.signoff_sha256);
        /* the three columns' totals: previous_total + difference = total = totals.charged */
        k_money(w, "previous_total", r->supersedes.previous_total);
        k_money(w, "total", r->totals.charged);
        k_money(w, "difference", r->supersedes.difference);
        /* the superseded invoices of teams without one here: reversed, not replaced */
        k_array(w, "cancelled_invoices");
        for (size_t i = 0; i < r->supersedes.n_gone; i++) {
            const struct report_superseded_invoice *x =
                &r->supersedes.invoices[r->supersedes.gone[i]];
            jw_object(w);
            k_str(w, "team", x->team);
            k_str(w, "name", x->name);
            k_str(w, "invoice_number", x->invoice_number);
            k_money(w, "previous_total", x->total);
            k_money(w, "difference", -x->total);
            jw_end(w);
        }
        jw_end(w);
        jw_end(w);
    }
    k_object(w, "inputs");
    k_array(w, "files");
    for (size_t i = 0; i < r->n_files; i++) {
        jw_object(w);
        k_str(w, "path", r->files[i].path);
        k_str(w, "sha256", r->files[i].sha256);
        k_int(w, "records", r->files[i].records);
        k_int(w, "bytes", r->files[i].bytes);
        k_str(w, "format", r->files[i].format);
        jw_end(w);
    }
    jw_end(w);
    k_int(w, "records_read", r->records_read);
    k_int(w, "records_billed", r->records_billed);
    k_int(w, "records_rejected", r->records_rejected);
    k_int(w, "duplicates", r->duplicates);
    k_int(w, "outside_period", r->outside_period);
    k_array(w, "rejected_by_reason");
    for (size_t i = 0; i < r->n_rejects; i++) {
        jw_object(w);
        k_str(w, "reason", r->rejects[i].reason);
        k_int(w, "count", r->rejects[i].count);
        k_array(w, "examples");
        for (size_t k = 0; k < r->rejects[i].n_examples; k++)
            str(w, r->rejects[i].examples[k]);
        jw_end(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    k_object(w, "price_book");
    k_str(w, "checked", r->price_book_checked);
    k_str(w, "sha256", r->price_book_sha256);
    jw_end(w);
    k_array(w, "warnings");
    for (size_t i = 0; i < r->n_warnings; i++)
        str(w, r->warnings[i]);
    jw_end(w);
    const struct report_totals *T = &r->totals;
    k_object(w, "totals");
    k_money(w, "list_cost", T->list_cost);
    k_money(w, "shared", T->shared);
    k_money(w, "unallocated", T->unallocated);
    k_money(w, "overhead", T->overhead);
    k_money(w, "markup", T->markup);
    k_money(w, "true_up", T->true_up);
    k_money(w, "charged", T->charged);
    jw_key(w, "provider_total");
    if (T->has_provider_total)
        money(w, T->provider_total);
    else
        jw_null(w);
    bool shown = !r->unallocated_policy || strcmp(r->unallocated_policy, "show") == 0;
    k_money(w, "summary_total", T->charged + (shown ? T->unallocated : 0));
    k_money(w, "period_list_total", T->period_list_total);
    jw_key(w, "reconciliation_difference");
    if (T->has_provider_total)
        money(w, T->reconciliation_difference);
    else
        jw_null(w);
    k_array(w, "bridge");
    for (size_t i = 0; i < T->n_bridge; i++) {
        jw_object(w);
        k_str(w, "label", T->bridge[i].label);
        k_money(w, "amount", T->bridge[i].amount);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "mom");
    if (r->mom.present) {
        jw_object(w);
        mom_members(w, &r->mom);
        /* the previous month's teams without an invoice this month */
        k_int(w, "teams_gone", (int64_t)r->mom_gone_teams);
        k_money(w, "teams_gone_total", r->mom_gone_total);
        jw_end(w);
    } else {
        jw_null(w);
    }
    jw_end(w);
    k_array(w, "teams");
    for (size_t i = 0; i < r->n_teams; i++)
        team_json(w, r, &r->teams[i]);
    jw_end(w);
    k_object(w, "unallocated");
    k_money(w, "list_cost", r->unallocated_list_cost);
    k_int(w, "requests", r->unallocated_usage.requests);
    k_str(w, "policy", r->unallocated_policy);
    jw_key(w, "usage");
    usage_json(w, &r->unallocated_usage, true);
    jw_key(w, "lines");
    lines_json(w, r->unallocated_lines, r->n_unallocated_lines);
    jw_end(w);
    /* additions beyond §7 */
    k_str(w, "tool_version", r->tool_version);
    k_str(w, "organization", r->organization);
    k_str(w, "issuer", r->issuer);
    k_str(w, "issue_date", r->issue_date);
    /* what charges.csv balances against; a later revision reverses on the same account */
    jw_key(w, "journal");
    if (r->credit_account && *r->credit_account) {
        jw_object(w);
        k_str(w, "credit_account", r->credit_account);
        jw_end(w);
    } else
        jw_null(w);
    if (!r->shadow) { /* a shadow month asks for no payment */
        k_str(w, "due_date", r->due_date);
        k_int(w, "payment_terms_days", r->payment_terms_days);
    }
    k_str(w, "method", r->method);
    k_str(w, "reconciliation", r->reconciliation_text);
    jw_key(w, "provider_total_source");
    if (!r->totals.has_provider_total)
        jw_null(w);
    else
        jw_string(w, r->provider_from_cost_report ? "cost report" : "configuration");
    if (r->recon) {
        jw_key(w, "reconciliation_detail");
        recon_json(w, r->recon);
    }
    k_groups(w, "shared_pools", &r->shared_pools);
    k_array(w, "tag_coverage");
    for (size_t i = 0; i < r->n_coverage; i++) {
        jw_object(w);
        k_str(w, "tag", r->coverage[i].tag);
        k_money(w, "list_cost", r->coverage[i].list_cost);
        k_ratio_e4(w, "share", r->coverage[i].share_e4);
        jw_end(w);
    }
    jw_end(w);
    k_groups(w, "top_projects", &r->top_projects);
    k_groups(w, "top_users", &r->top_users);
    k_groups(w, "by_model", &r->by_model);
    k_days(w, r->days, r->n_days);
    if (r->comparison) {
        jw_key(w, "comparison");
        comparison_json(w, r->comparison);
    }
    jw_key(w, "budgets");
    budgets_json(w, r);
    k_ratio_e4(w, "unallocated_share", r->unallocated_share_e4);
    jw_key(w, "alerts");
    alerts_json(w, r);
    jw_end(w);
}

/* alerts.json: the alerts of report.json on their own, for a notifier (a chat hook, a mail job)
 * that routes them by `for` without reading the documents. Same inputs, same bytes. */
static void alerts_doc(struct jw *w, const struct report *r)
{
    jw_object(w);
    k_str(w, "schema", "chargeback-alerts/1");
    k_str(w, "month", r->month);
    k_str(w, "mode", r->shadow ? "shadow" : "billing");
    k_str(w, "organization", r->organization);
    k_str(w, "currency", r->currency);
    jw_key(w, "alerts");
    alerts_json(w, r);
    jw_end(w);
}

/* A month of more than this many teams writes report.json compact (no indentation, one line):
 * at 100,000 teams the indented file is 800 MB and writing it is most of the run. The bytes are
 * as deterministic either way; the docs say where the line is. alerts.json is always indented. */
#define COMPACT_TEAMS 10000

/* Writes `name` in the month folder with `write` and a final newline. */
static enum cb_status write_doc(const struct report *r, const struct render_dest *d,
                                const char *name, bool compact,
                                void (*write)(struct jw *w, const struct report *r),
                                struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = paths_join(d->dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
        free(path);
        return st;
    }
    struct jw *w = jw_new(f, compact);
    write(w, r);
    errno = 0;
    if (!jw_close(w) || fputc('\n', f) == EOF)
        st = errno ? cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno))
                   : cb_error_set(err, CB_EINTERNAL, path, 0, NULL,
                                  "cannot serialize the document (a string is not UTF-8)");
    if (fclose(f) != 0 && st == CB_OK)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
    free(path);
    return st;
}

enum cb_status render_json(const struct report *r, const struct render_dest *d,
                           struct cb_error *err)
{
    return write_doc(r, d, "report.json", r->n_teams > COMPACT_TEAMS, report_json, err);
}

enum cb_status render_alerts(const struct report *r, const struct render_dest *d,
                             struct cb_error *err)
{
    return write_doc(r, d, "alerts.json", false, alerts_doc, err);
}

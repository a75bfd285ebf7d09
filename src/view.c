#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "budgets.h"
#include "explain.h"
#include "glossary.h"
#include "money.h"
#include "text.h"
#include "xalloc.h"

#define SHADOW_TEXT "SHADOW \xe2\x80\x94 NOT BILLED"

/* Chart frame, in SVG user units. */
#define CHART_W      720
#define CHART_H      180
#define CHART_LEFT   56
#define CHART_BOTTOM 24
#define CHART_TOP    10

/* The text forms of text.h as template strings. */
static json_t *money_str(int64_t cents)
{
    return json_string(text_money(cents).s);
}

static json_t *count_str(int64_t n)
{
    return json_string(text_count(n).s);
}

static json_t *pct_str(int64_t e4)
{
    return json_string(text_percent(e4).s);
}

static json_t *price_str(int64_t micros)
{
    return json_string(text_price(micros).s);
}

static json_t *str_or_empty(const char *s)
{
    return json_string(s ? s : "");
}

/* A chart label: at most `max` characters (code points), else cut in the middle with an
 * ellipsis, so a long name never runs off the SVG and names that differ only at their end
 * ("Finance Operations and Internal Controls Automation 18" and "... 28") stay apart: the head,
 * "…", and the last words, up to a third of `max`. The full name stays in the element's
 * <title>. */
static json_t *label_str(const char *s, size_t max)
{
    size_t len = strlen(s), chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (chars <= max)
        return json_string(s);
    /* the tail: the last max/3 code points, from the start of a word when one begins there */
    size_t tail_chars = max / 3, t = len, n = 0;
    while (t > 0 && n < tail_chars) {
        t--;
        n += ((unsigned char)s[t] & 0xC0) != 0x80;
    }
    for (size_t k = t; k < len; k++)
        if (s[k] == ' ') {
            t = k; /* "head… 18": the blank stays before the last words */
            break;
        }
    n = 0;
    for (size_t k = t; k < len; k++)
        n += ((unsigned char)s[k] & 0xC0) != 0x80;
    /* the head: what is left of max, less the ellipsis, without trailing blanks */
    size_t head_chars = max - 1 - n, h = 0, c = 0;
    while (h < len && (c < head_chars || ((unsigned char)s[h] & 0xC0) == 0x80)) {
        c += ((unsigned char)s[h] & 0xC0) != 0x80;
        h++;
    }
    while (h > 0 && s[h - 1] == ' ')
        h--;
    char *out = xasprintf("%.*s\xe2\x80\xa6%s", (int)h, s, s + t);
    json_t *j = json_string(out);
    free(out);
    return j;
}

/* Colours of the model-mix segments (the last is for "others"); fixed, so output is stable. */
static const char *const mix_colors[] = {"#2753c9", "#0f8b8d", "#e07a1f", "#7b4bb7",
                                         "#c23b6e", "#5b8c2a", "#8a6d3b", "#9aa3b2"};
#define MIX_SHOWN 7

/* The model mix: one 100% bar split by list cost, top models then "others", in tenths of an
 * SVG unit that add up to the full width exactly. */
static json_t *model_mix(const struct report_groups *g)
{
    json_t *o = json_object();
    json_t *segs = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < g->n; i++)
        total += g->items[i].list_cost > 0 ? g->items[i].list_cost : 0;
    size_t shown = g->n > MIX_SHOWN + 1 ? MIX_SHOWN : g->n;
    int64_t cum = 0, x_prev = 0;
    for (size_t i = 0; total > 0 && i < shown + (shown < g->n); i++) {
        bool others = i == shown;
        int64_t cost = 0, share = 0;
        if (others) {
            for (size_t k = shown; k < g->n; k++) {
                cost += g->items[k].list_cost > 0 ? g->items[k].list_cost : 0;
                share += g->items[k].share_e4;
            }
        } else {
            cost = g->items[i].list_cost > 0 ? g->items[i].list_cost : 0;
            share = g->items[i].share_e4;
        }
        cum += cost;
        int64_t x_next = (int64_t)money_div_round((cb_i128)cum * CHART_W * 10, total);
        json_t *sg = json_object();
        char num[32];
        snprintf(num, sizeof num, "%lld.%lld", (long long)(x_prev / 10), (long long)(x_prev % 10));
        json_object_set_new(sg, "x", json_string(num));
        snprintf(num, sizeof num, "%lld.%lld", (long long)((x_next - x_prev) / 10),
                 (long long)((x_next - x_prev) % 10));
        json_object_set_new(sg, "w", json_string(num));
        if (others) {
            char key[64];
            snprintf(key, sizeof key, "%zu other models", g->n - shown);
            json_object_set_new(sg, "key", json_string(key));
        } else {
            json_object_set_new(sg, "key", str_or_empty(g->items[i].key));
        }
        json_object_set_new(sg, "color",
                            json_string(mix_colors[others ? MIX_SHOWN : i % MIX_SHOWN]));
        json_object_set_new(sg, "value", money_str(cost));
        json_object_set_new(sg, "share", pct_str(share));
        json_array_append_new(segs, sg);
        x_prev = x_next;
    }
    json_object_set_new(o, "segments", segs);
    json_object_set_new(o, "has_rows", json_boolean(total > 0));
    json_object_set_new(o, "width", json_integer(CHART_W));
    return o;
}

static int64_t ratio_e4(int64_t part, int64_t whole)
{
    if (whole == 0)
        return 0;
    return (int64_t)money_div_round((cb_i128)part * 10000, whole);
}

static json_t *line_view(const struct report_line *l)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(report_line_kind_name(l->kind)));
    json_object_set_new(o, "description", str_or_empty(l->description));
    json_object_set_new(o, "model", str_or_empty(l->model));
    json_object_set_new(o, "batch", json_boolean(l->batch));
    /* an allocation line reads "1 allocation at 80.50", as on the PDF, the workbook and
     * charges.csv */
    json_object_set_new(o, "quantity", count_str(l->quantity));
    json_object_set_new(o, "unit", str_or_empty(l->unit));
    json_object_set_new(o, "unit_price", price_str(l->unit_price_micros));
    json_object_set_new(o, "amount", money_str(l->amount));
    json_object_set_new(o, "negative", json_boolean(l->amount < 0));
    return o;
}

static json_t *usage_view(const struct report_usage *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "requests", count_str(u->requests));
    json_object_set_new(o, "input_tokens", count_str(u->input_tokens));
    json_object_set_new(o, "output_tokens", count_str(u->output_tokens));
    json_object_set_new(o, "cache_read_input_tokens", count_str(u->cache_read_input_tokens));
    json_object_set_new(o, "cache_write_5m_input_tokens",
                        count_str(u->cache_write_5m_input_tokens));
    json_object_set_new(o, "cache_write_1h_input_tokens",
                        count_str(u->cache_write_1h_input_tokens));
    json_object_set_new(o, "web_search_requests", count_str(u->web_search_requests));
    json_object_set_new(o, "total_tokens", count_str(u->total_tokens));
    return o;
}

/* A breakdown table; at most `limit` rows (0 = all), the rest folded into one "other" row. */
static json_t *groups_view(const char *title, const struct report_groups *g, size_t limit)
{
    json_t *o = json_object();
    json_object_set_new(o, "title", json_string(title));
    json_t *rows = json_array();
    size_t shown = (limit && g->n > limit) ? limit : g->n;
    int64_t max = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->items[i].list_cost > max)
            max = g->items[i].list_cost;
    for (size_t i = 0; i < shown; i++) {
        const struct report_group *x = &g->items[i];
        json_t *row = json_object();
        json_object_set_new(row, "key", str_or_empty(x->key));
        json_object_set_new(row, "requests", count_str(x->usage.requests));
        json_object_set_new(row, "tokens", count_str(x->usage.total_tokens));
        json_object_set_new(row, "input_tokens", count_str(x->usage.input_tokens));
        json_object_set_new(row, "output_tokens", count_str(x->usage.output_tokens));
        json_object_set_new(row, "list_cost", money_str(x->list_cost));
        json_object_set_new(row, "share", pct_str(x->share_e4));
        json_object_set_new(row, "bar",
                            json_integer(max > 0 && x->list_cost > 0
                                             ? (json_int_t)ratio_e4(x->list_cost, max) / 100
                                             : 0));
        json_array_append_new(rows, row);
    }
    if (shown < g->n) {
        struct report_usage u = {0};
        int64_t cost = 0, share = 0;
        for (size_t i = shown; i < g->n; i++) {
            u.requests += g->items[i].usage.requests;
            u.total_tokens += g->items[i].usage.total_tokens;
            cost += g->items[i].list_cost;
            share += g->items[i].share_e4;
        }
        json_t *row = json_object();
        char key[64];
        snprintf(key, sizeof key, "%zu others", g->n - shown);
        json_object_set_new(row, "key", json_string(key));
        json_object_set_new(row, "requests", count_str(u.requests));
        json_object_set_new(row, "tokens", count_str(u.total_tokens));
        json_object_set_new(row, "list_cost", money_str(cost));
        json_object_set_new(row, "share", pct_str(share));
        json_object_set_new(row, "bar", json_integer(0));
        json_object_set_new(row, "other", json_true());
        json_array_append_new(rows, row);
    }
    json_object_set_new(o, "rows", rows);
    json_object_set_new(o, "has_rows", json_boolean(g->n > 0));
    return o;
}

/* A nice upper bound for a chart axis: 1, 2 or 5 × 10^k cents at or above max. */
static int64_t axis_max(int64_t max)
{
    int64_t step = 1;
    while (step * 10 <= max && step < INT64_MAX / 10)
        step *= 10;
    if (max <= step)
        return step;
    if (max <= 2 * step)
        return 2 * step;
    if (max <= 5 * step)
        return 5 * step;
    return 10 * step;
}

/* The daily bar chart: geometry in integer SVG units, labels formatted. */
static json_t *daily_chart(const struct report_day *days, size_t n)
{
    json_t *o = json_object();
    int64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        if (days[i].list_cost > max)
            max = days[i].list_cost;
    }
    int64_t top = axis_max(max > 0 ? max : 100);
    int64_t plot_w = CHART_W - CHART_LEFT - 8, plot_h = CHART_H - CHART_BOTTOM - CHART_TOP;
    json_t *bars = json_array();
    int64_t slot = n ? plot_w * 10 / (int64_t)n : 0; /* tenths of a unit */
    for (size_t i = 0; i < n; i++) {
        int64_t h = days[i].list_cost > 0
                        ? (int64_t)money_div_round((cb_i128)days[i].list_cost * plot_h * 10, top)
                        : 0;
        json_t *b = json_object();
        char num[32];
        snprintf(num, sizeof num, "%lld.%lld",
                 (long long)((CHART_LEFT * 10 + slot * (int64_t)i + slot / 8) / 10),
                 (long long)((CHART_LEFT * 10 + slot * (int64_t)i + slot / 8) % 10));
        json_object_set_new(b, "x", json_string(num));
        snprintf(num, sizeof num, "%lld.%lld", (long long)(slot * 3 / 4 / 10),
                 (long long)(slot * 3 / 4 % 10));
        json_object_set_new(b, "w", json_string(num));
        int64_t y10 = (CHART_TOP + plot_h) * 10 - h;
        snprintf(num, sizeof num, "%lld.%lld", (long long)(y10 / 10), (long long)(y10 % 10));
        json_object_set_new(b, "y", json_string(num));
        snprintf(num, sizeof num, "%lld.%lld", (long long)(h / 10), (long long)(h % 10));
        json_object_set_new(b, "h", json_string(num));
        json_object_set_new(b, "date", json_string(days[i].date));
        json_object_set_new(b, "day", json_string(days[i].date + 8));
        json_object_set_new(b, "label", json_boolean(i == 0 || (i + 1) % 5 == 0));
        snprintf(num, sizeof num, "%lld.%lld",
                 (long long)((CHART_LEFT * 10 + slot * (int64_t)i + slot / 2) / 10),
                 (long long)((CHART_LEFT * 10 + slot * (int64_t)i + slot / 2) % 10));
        json_object_set_new(b, "cx", json_string(num));
        json_object_set_new(b, "value", money_str(days[i].list_cost));
        json_array_append_new(bars, b);
    }
    json_object_set_new(o, "bars", bars);
    json_t *ticks = json_array();
    for (int k = 0; k <= 4; k++) {
        json_t *t = json_object();
        int64_t y = CHART_TOP + plot_h - plot_h * k / 4;
        json_object_set_new(t, "y", json_integer(y));
        json_object_set_new(t, "ty", json_integer(y + 4));
        json_object_set_new(t, "label", money_str(top * k / 4));
        json_array_append_new(ticks, t);
    }
    json_object_set_new(o, "ticks", ticks);
    json_object_set_new(o, "width", json_integer(CHART_W));
    json_object_set_new(o, "height", json_integer(CHART_H));
    json_object_set_new(o, "left", json_integer(CHART_LEFT));
    json_object_set_new(o, "right", json_integer(CHART_W - 8));
    json_object_set_new(o, "baseline", json_integer(CHART_TOP + plot_h));
    json_object_set_new(o, "label_y", json_integer(CHART_H - 6));
    json_object_set_new(o, "peak", money_str(max));
    return o;
}

static json_t *budget_view(const struct report_budget *b)
{
    if (!b->present)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "tokens", json_boolean(b->tokens));
    json_object_set_new(o, "monthly", b->tokens ? count_str(b->monthly) : money_str(b->monthly));
    json_object_set_new(o, "used", b->tokens ? count_str(b->used) : money_str(b->used));
    json_object_set_new(o, "utilization", pct_str(b->utilization_e4));
    int64_t w = b->utilization_e4 / 100;
    json_object_set_new(o, "bar", json_integer(w > 100 ? 100 : w < 0 ? 0 : w));
    json_object_set_new(o, "over", json_boolean(b->over));
    json_t *th = json_array();
    for (size_t i = 0; i < b->n_thresholds_crossed; i++) {
        json_array_append_new(th, json_string(text_rate(b->thresholds_crossed_e6[i]).s));
    }
    json_object_set_new(o, "thresholds", th);
    char *th_text = report_thresholds_text(b);
    json_object_set_new(o, "thresholds_text", json_string(th_text));
    free(th_text);
    json_object_set_new(o, "any_threshold", json_boolean(b->n_thresholds_crossed > 0));
    json_object_set_new(o, "state", json_string(report_budget_state_text(b->state)));
    json_object_set_new(o, "state_class",
                        json_string(b->state == BUDGET_STATE_OVER    ? "bad"
                                    : b->state == BUDGET_STATE_ALERT ? "warn"
                                                                     : "ok"));
    return o;
}

/* A project's or user's budget on a team invoice: the budget's state across the organization,
 * and this team's part of it (its breakdown row). */
static json_t *entity_budgets_view(const struct report *r, const struct report_team *t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->n_entity_budgets; i++) {
        const struct report_entity_budget *eb = &r->budgets[t->entity_budgets[i].index];
        json_t *o = budget_view(&eb->budget);
        int64_t part = t->entity_budgets[i].team_used;
        json_object_set_new(o, "entity", json_string(budgets_entity_title(eb->entity)));
        json_object_set_new(o, "key", json_string(eb->key));
        json_object_set_new(o, "team_used", eb->budget.tokens ? count_str(part) : money_str(part));
        json_array_append_new(a, o);
    }
    return a;
}

/* Every budget crossed or over, by utilization (the summary's "Budgets crossed"). */
static json_t *budgets_crossed_view(const struct report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_budgets_crossed; i++) {
        const struct report_budget_row *x = &r->budgets_crossed[i];
        json_t *o = budget_view(x->budget);
        json_object_set_new(o, "entity", json_string(budgets_entity_title(x->entity)));
        json_object_set_new(o, "name", json_string(x->name));
        json_array_append_new(a, o);
    }
    return a;
}

static const char *model_title(enum cb_model m)
{
    switch (m) {
    case CB_MODEL_USAGE: return "Usage-based";
    case CB_MODEL_FIXED: return "Fixed allocation";
    case CB_MODEL_HYBRID: return "Hybrid";
    case CB_MODEL_TIERED: return "Tiered";
    }
    return "";
}

/* The glossary box (glossary.h) of team t's invoice, or of the summary when t is NULL: an array
 * of {term, text}. */
static json_t *glossary_view(const struct report *r, const struct report_team *t)
{
    struct glossary_term g[GLOSSARY_MAX];
    size_t n = glossary_terms(r, t, g);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "term", json_string(g[i].term));
        json_object_set_new(x, "text", json_string(g[i].text));
        json_array_append_new(a, x);
    }
    return a;
}

/* Fields every page carries: organization, period, mode. */
static void set_common(json_t *o, const struct report *r)
{
    json_object_set_new(o, "organization", str_or_empty(r->organization));
    json_object_set_new(o, "currency", str_or_empty(r->currency));
    json_object_set_new(o, "month", json_string(r->month));
    json_object_set_new(o, "period_label", json_string(r->period_label));
    json_object_set_new(o, "period_start", json_string(r->period_start));
    json_object_set_new(o, "period_end", json_string(r->period_end));
    json_object_set_new(o, "issue_date", json_string(r->issue_date));
    json_object_set_new(o, "due_date", r->shadow ? json_string("") : json_string(r->due_date));
    json_object_set_new(o, "payment_terms_days", json_integer(r->payment_terms_days));
    json_object_set_new(o, "shadow", json_boolean(r->shadow));
    json_object_set_new(o, "shadow_text", json_string(SHADOW_TEXT));
    json_object_set_new(o, "amount_label",
                        json_string(explain_amount_label(r->shadow, r->revision > 1)));
    json_object_set_new(o, "total_label",
                        json_string(explain_total_label(r->shadow, r->revision > 1)));
    json_object_set_new(o, "charged_label", json_string(explain_charged_label(r->shadow)));
    json_object_set_new(o, "invoice_title", json_string(explain_invoice_title(r->shadow)));
    json_object_set_new(o, "summary_title", json_string(explain_summary_title(r->shadow)));
    json_object_set_new(o, "glossary_title", json_string(GLOSSARY_TITLE));
    json_object_set_new(o, "model_title", json_string(model_title(r->model)));
    /* the invoice's totals block names its first row as the PDF's does */
    json_object_set_new(o, "usage_model", json_boolean(r->model == CB_MODEL_USAGE));
    char *under = xasprintf("Charge under the %s model", config_model_name(r->model));
    json_object_set_new(o, "charge_under", json_string(under));
    free(under);
    json_object_set_new(o, "issuer", str_or_empty(r->issuer));
    json_object_set_new(o, "footer", str_or_empty(r->footer));
    json_object_set_new(o, "paper", str_or_empty(r->paper));
    json_object_set_new(o, "letter", json_boolean(r->paper && strcmp(r->paper, "Letter") == 0));
    json_object_set_new(o, "tool_version", str_or_empty(r->tool_version));
    json_object_set_new(o, "price_book_checked", json_string(r->price_book_checked));
    json_t *rev = json_null();
    if (r->revision > 1) {
        rev = json_object();
        json_object_set_new(rev, "number", json_integer(r->revision));
        json_object_set_new(rev, "signed_by", str_or_empty(r->supersedes.signed_by));
        char day[11] = "";
        snprintf(day, sizeof day, "%.10s", r->supersedes.signed_at ? r->supersedes.signed_at : "");
        json_object_set_new(rev, "signed_on", json_string(day));
    }
    json_object_set_new(o, "revision", rev);
}

/* Month over month as the pages show it: a new object, or JSON null without one. */
static json_t *mom_view(const struct report_mom *m)
{
    if (!m->present)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "previous_month", json_string(m->previous_month));
    json_object_set_new(o, "previous_total", money_str(m->previous_total));
    json_object_set_new(o, "previous_list_cost", money_str(m->previous_list_cost));
    json_object_set_new(o, "delta_total", money_str(m->delta_total));
    json_object_set_new(o, "up", json_boolean(m->delta_total > 0));
    json_object_set_new(o, "delta_pct", m->has_pct ? pct_str(m->delta_pct_e4) : json_string("n/a"));
    return o;
}

/* A team's fields for the summary row and its invoice. dir is where its PDF and workbook are
 * from the page ("teams/" on the summary, "" beside the invoice); "" hrefs for formats this run
 * does not write. */
static json_t *team_row(const struct report *r, const struct report_team *t,
                        const struct view_links *links, const char *dir)
{
    (void)r;
    json_t *o = json_object();
    char *doc = xasprintf("%s%s.pdf", dir, t->slug);
    json_object_set_new(o, "pdf_href", json_string(links && links->pdf ? doc : ""));
    free(doc);
    doc = xasprintf("%s%s.xlsx", dir, t->slug);
    json_object_set_new(o, "xlsx_href", json_string(links && links->xlsx ? doc : ""));
    free(doc);
    json_object_set_new(o, "mom", mom_view(&t->mom));
    json_object_set_new(o, "has_doc_links", json_boolean(links && (links->pdf || links->xlsx)));
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "slug", json_string(t->slug));
    char *href = xasprintf("teams/%s.html", t->slug);
    json_object_set_new(o, "href", json_string(href));
    free(href);
    json_object_set_new(o, "invoice_number", json_string(t->invoice_number));
    json_object_set_new(o, "cost_center", str_or_empty(t->cost_center));
    json_object_set_new(o, "contact", str_or_empty(t->contact));
    json_object_set_new(o, "owner", str_or_empty(t->owner));
    json_object_set_new(o, "reference", str_or_empty(t->reference));
    json_object_set_new(o, "gl_account", str_or_empty(t->gl_account));
    json_object_set_new(o, "configured", json_boolean(t->configured));
    json_object_set_new(o, "headcount", count_str(t->headcount));
    json_object_set_new(o, "list_cost", money_str(t->list_cost));
    json_object_set_new(o, "shared", money_str(t->shared));
    json_object_set_new(o, "direct", money_str(t->direct));
    json_object_set_new(o, "charge", money_str(t->charge));
    json_object_set_new(o, "true_up", money_str(t->true_up));
    json_object_set_new(o, "overhead", money_str(t->overhead));
    json_object_set_new(o, "markup", money_str(t->markup));
    json_object_set_new(o, "total", money_str(t->total));
    json_object_set_new(o, "share", pct_str(t->share_e4));
    json_object_set_new(o, "has_shared", json_boolean(t->shared != 0));
    json_object_set_new(o, "has_true_up", json_boolean(t->true_up != 0));
    json_object_set_new(o, "has_overhead", json_boolean(t->overhead != 0));
    json_object_set_new(o, "has_markup", json_boolean(t->markup != 0));
    json_object_set_new(o, "budget", budget_view(&t->budget));
    json_object_set_new(o, "usage", usage_view(&t->usage));
    json_object_set_new(o, "n_anomalies", json_integer((json_int_t)t->n_anomalies));
    return o;
}

/* One bar of the spend chart at position k. */
static json_t *spend_bar(size_t k, const char *name, int64_t total, int64_t share_e4, int64_t max)
{
    json_t *b = json_object();
    json_object_set_new(b, "name", json_string(name));
    json_object_set_new(b, "label", label_str(name, 26));
    json_object_set_new(b, "y", json_integer((json_int_t)(k * 26)));
    json_object_set_new(b, "ty", json_integer((json_int_t)(k * 26 + 15)));
    /* 184 + 360 + the value label (~170 units) stays inside the 720-unit frame */
    int64_t w = max > 0 && total > 0 ? (int64_t)money_div_round((cb_i128)total * 360, max) : 0;
    json_object_set_new(b, "w", json_integer(w));
    json_object_set_new(b, "vx", json_integer(w + 186));
    json_object_set_new(b, "value", money_str(total));
    json_object_set_new(b, "share", share_e4 >= 0 ? pct_str(share_e4) : json_string(""));
    json_object_set_new(b, "has_share", json_boolean(share_e4 >= 0)); /* not on "N other teams" */
    return b;
}

/* Horizontal bars of the largest charges (summary): the report's ranking, its first
 * REPORT_CHART_TOP teams and one bar for all others, so the chart reads the same with 5 teams or
 * 100,000. */
static json_t *spend_chart(const struct report *r)
{
    json_t *bars = json_array();
    size_t shown = r->n_ranked_shown;
    bool others = shown < r->n_teams;
    int64_t max = r->ranked_max;
    for (size_t k = 0; k < shown; k++) {
        const struct report_team *t = &r->teams[r->ranked[k]];
        json_array_append_new(bars, spend_bar(k, t->name, t->total, t->share_e4, max));
    }
    if (others) {
        char *name = xasprintf("%s other teams", text_count((int64_t)(r->n_teams - shown)).s);
        json_array_append_new(bars, spend_bar(shown, name, r->ranked_others_total, -1, max));
        free(name);
    }
    json_t *o = json_object();
    json_object_set_new(o, "bars", bars);
    json_object_set_new(o, "ranked", json_boolean(others));
    json_object_set_new(o, "height", json_integer((json_int_t)((shown + others) * 26 + 4)));
    return o;
}

/* A corrected revision's three figures for one team (null before a revision). */
static json_t *settlement_view(const struct report_team *t)
{
    if (!t->revision.present)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "invoice_number", str_or_empty(t->supersedes_invoice));
    json_object_set_new(o, "previous_label", json_string(REPORT_REVISION_PREVIOUS));
    json_object_set_new(o, "this_label", json_string(REPORT_REVISION_THIS));
    json_object_set_new(o, "settle_label", json_string(REPORT_REVISION_SETTLE));
    json_object_set_new(o, "previous_total", money_str(t->revision.previous_total));
    json_object_set_new(o, "this_total", money_str(t->total));
    json_object_set_new(o, "difference", money_str(t->revision.difference));
    return o;
}

/* A summary row for a team of the superseded month without an invoice in this revision: its
 * invoice is reversed and not replaced, so this revision's column is 0.00. */
static json_t *settlement_gone_view(const struct report_superseded_invoice *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(x->name));
    json_object_set_new(o, "gone", json_string(REPORT_REVISION_GONE));
    json_object_set_new(o, "invoice_number", str_or_empty(x->invoice_number));
    json_object_set_new(o, "previous_total", money_str(x->total));
    json_object_set_new(o, "this_total", money_str(0));
    json_object_set_new(o, "difference", money_str(-x->total));
    return o;
}

/* The model comparison as a table: per model its total, and beside each model but the
 * configured one the change against it. Rows of every team and a totals row (only == SIZE_MAX),
 * or team `only`'s row alone (its invoice). NULL data when the report has no comparison. */
static json_t *comparison_view(const struct report *r, size_t only)
{
    const struct comparison *c = r->comparison;
    if (!c)
        return json_null();
    json_t *o = json_object(), *heads = json_array(), *rows = json_array();
    for (int m = 0; m < COMPARE_MODELS; m++) {
        if (!c->present[m])
            continue;
        bool conf = m == (int)c->configured;
        char *h =
            xasprintf("%s%s", compare_model_title((enum cb_model)m), conf ? " (configured)" : "");
        json_array_append_new(heads, json_string(h));
        free(h);
        if (!conf)
            json_array_append_new(heads, json_string("Change"));
    }
    for (size_t i = 0; i <= c->n_teams; i++) {
        bool total = i == c->n_teams;
        if ((only != SIZE_MAX && i != only) || (total && only != SIZE_MAX))
            continue;
        /* teams in the documents' order (r->order), as in the Teams table */
        size_t ti = total || only != SIZE_MAX ? i : r->order[i];
        json_t *row = json_object(), *cells = json_array();
        json_object_set_new(row, "name", json_string(total ? "All teams" : c->teams[ti].name));
        json_object_set_new(row, "total", json_boolean(total));
        for (int m = 0; m < COMPARE_MODELS; m++) {
            if (!c->present[m])
                continue;
            bool conf = m == (int)c->configured;
            int64_t v = total ? c->totals[m] : c->teams[ti].charges[m];
            json_t *cell = json_object();
            json_object_set_new(cell, "value", money_str(v));
            json_object_set_new(cell, "strong", json_boolean(conf));
            json_array_append_new(cells, cell);
            if (conf)
                continue;
            int64_t d =
                v - (total ? c->totals[c->configured] : c->teams[ti].charges[c->configured]);
            char b[48];
            compare_format_change(d, b, sizeof b);
            cell = json_object();
            json_object_set_new(cell, "value", json_string(b));
            json_object_set_new(cell, "strong", json_false());
            json_array_append_new(cells, cell);
        }
        json_object_set_new(row, "cells", cells);
        json_array_append_new(rows, row);
    }
    json_object_set_new(o, "heads", heads);
    json_object_set_new(o, "rows", rows);
    json_object_set_new(o, "configured", json_string(config_model_name(c->configured)));
    json_object_set_new(o, "note", str_or_empty(c->note));
    json_object_set_new(o, "reading", json_string(only == SIZE_MAX ? c->reading : ""));
    return o;
}

json_t *view_summary(const struct report *r, const struct view_links *links)
{
    json_t *o = json_object();
    set_common(o, r);
    json_object_set_new(o, "title", json_string("Chargeback summary"));
    json_object_set_new(o, "budgets_crossed", budgets_crossed_view(r));
    json_object_set_new(o, "has_budgets_crossed", json_boolean(r->n_budgets_crossed > 0));
    json_object_set_new(o, "entity_budget_note", json_string(REPORT_ENTITY_BUDGET_NOTE));
    json_object_set_new(o, "method", str_or_empty(r->method));
    json_object_set_new(o, "reconciliation_text", str_or_empty(r->reconciliation_text));
    json_object_set_new(o, "has_reconciliation", json_boolean(r->totals.has_provider_total));
    json_object_set_new(o, "provider_source",
                        json_string(r->provider_from_cost_report
                                        ? "the Cost report among the inputs"
                                        : "the configuration"));
    /* notes on the data: the run's warnings, the first few, and how many more */
    json_t *notes = json_array();
    for (size_t i = 0; i < r->n_warnings && i < REPORT_NOTES_SHOWN; i++)
        json_array_append_new(notes, json_string(r->warnings[i]));
    json_object_set_new(o, "notes", notes);
    json_object_set_new(o, "has_notes", json_boolean(r->n_warnings > 0));
    char more[96] = "";
    if (r->n_warnings > REPORT_NOTES_SHOWN)
        snprintf(more, sizeof more, "and %zu more notes: report.json lists every one",
                 r->n_warnings - REPORT_NOTES_SHOWN);
    json_object_set_new(o, "notes_more", json_string(more));
    json_object_set_new(o, "has_recon_detail", json_boolean(r->recon != NULL));
    if (r->recon) {
        const struct recon *x = r->recon;
        json_t *rd = json_object();
        json_object_set_new(rd, "computed", money_str(x->computed));
        json_object_set_new(rd, "billed", money_str(x->billed));
        json_object_set_new(rd, "difference", money_str(x->billed - x->computed));
        json_t *rows = json_array();
        for (size_t i = 0; i < x->n_lines; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "model", json_string(recon_model_label(x->lines[i].model)));
            json_object_set_new(e, "kind", json_string(recon_kind_label(x->lines[i].kind)));
            json_object_set_new(e, "computed", money_str(x->lines[i].computed));
            json_object_set_new(e, "billed", money_str(x->lines[i].billed));
            json_object_set_new(e, "difference",
                                money_str(x->lines[i].billed - x->lines[i].computed));
            json_array_append_new(rows, e);
        }
        json_object_set_new(rd, "has_by_model", json_boolean(x->n_lines > 0));
        json_object_set_new(rd, "by_model", rows);
        rows = json_array();
        for (size_t i = 0; i < x->n_days; i++) {
            json_t *e = json_object();
            char day[16];
            snprintf(day, sizeof day, "%s-%02d", r->month, x->days[i].day);
            json_object_set_new(e, "day", json_string(day));
            json_object_set_new(e, "computed", money_str(x->days[i].computed));
            json_object_set_new(e, "billed", money_str(x->days[i].billed));
            json_object_set_new(e, "difference",
                                money_str(x->days[i].billed - x->days[i].computed));
            json_array_append_new(rows, e);
        }
        json_object_set_new(rd, "by_day", rows);
        rows = json_array();
        for (size_t i = 0; i < x->n_workspaces; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "workspace",
                                json_string(x->workspaces[i].workspace ? x->workspaces[i].workspace
                                                                       : "(default workspace)"));
            json_object_set_new(e, "billed", money_str(x->workspaces[i].billed));
            json_array_append_new(rows, e);
        }
        json_object_set_new(rd, "has_by_workspace", json_boolean(x->n_workspaces > 0));
        json_object_set_new(rd, "by_workspace", rows);
        json_object_set_new(o, "recon", rd);
    }
    json_t *tot = json_object();
    const struct report_totals *T = &r->totals;
    json_object_set_new(tot, "list_cost", money_str(T->list_cost));
    json_object_set_new(tot, "shared", money_str(T->shared));
    json_object_set_new(tot, "unallocated", money_str(T->unallocated));
    json_object_set_new(tot, "overhead", money_str(T->overhead));
    json_object_set_new(tot, "markup", money_str(T->markup));
    json_object_set_new(tot, "true_up", money_str(T->true_up));
    json_object_set_new(tot, "charged", money_str(T->charged));
    json_object_set_new(tot, "period_list_total", money_str(T->period_list_total));
    json_object_set_new(tot, "provider_total",
                        T->has_provider_total ? money_str(T->provider_total) : json_string(""));
    json_object_set_new(tot, "difference", money_str(T->reconciliation_difference));
    json_t *bridge = json_array();
    for (size_t i = 0; i < T->n_bridge; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "label", json_string(T->bridge[i].label));
        json_object_set_new(x, "amount", money_str(T->bridge[i].amount));
        json_array_append_new(bridge, x);
    }
    json_object_set_new(o, "bridge", bridge);
    json_object_set_new(o, "bridge_result", json_string(explain_charged_label(r->shadow)));
    json_object_set_new(tot, "charge", money_str(T->charge));
    /* optional columns of the teams table, so every row adds up: charge + true-up + overhead +
       markup = total */
    json_object_set_new(o, "any_shared", json_boolean(T->shared != 0));
    json_object_set_new(o, "any_true_up", json_boolean(T->true_up != 0));
    json_object_set_new(o, "any_markup", json_boolean(T->markup != 0));
    json_object_set_new(o, "totals", tot);
    json_t *teams = json_array();
    for (size_t i = 0; i < r->n_teams; i++)
        json_array_append_new(teams, team_row(r, &r->teams[r->order[i]], links, "teams/"));
    json_object_set_new(o, "teams", teams);
    /* "month_mom", not "mom": inside {{#teams}} "mom" is each team's */
    json_object_set_new(o, "month_mom", mom_view(&r->mom));
    json_object_set_new(o, "has_mom", json_boolean(r->mom.present));
    json_object_set_new(o, "mom_note", str_or_empty(r->mom_note));
    json_object_set_new(o, "mom_previous_head", json_string(REPORT_MOM_PREVIOUS));
    json_object_set_new(o, "mom_change_head", json_string(REPORT_MOM_CHANGE));
    json_object_set_new(o, "n_teams", json_string(text_count((int64_t)r->n_teams).s));
    json_t *settle = json_array();
    for (size_t i = 0; i < r->n_teams; i++)
        if (r->teams[r->order[i]].revision.present)
            json_array_append_new(settle, settlement_view(&r->teams[r->order[i]]));
    for (size_t i = 0; r->revision > 1 && i < r->supersedes.n_gone; i++)
        json_array_append_new(settle,
                              settlement_gone_view(&r->supersedes.invoices[r->supersedes.gone[i]]));
    json_object_set_new(o, "has_settlement", json_boolean(json_array_size(settle) > 0));
    json_object_set_new(o, "settlement", settle);
    json_t *settle_total = json_null();
    if (r->revision > 1) { /* the three columns add up: previous + difference = this revision */
        settle_total = json_object();
        json_object_set_new(settle_total, "label", json_string(REPORT_REVISION_ALL));
        json_object_set_new(settle_total, "previous_total",
                            money_str(r->supersedes.previous_total));
        json_object_set_new(settle_total, "this_total", money_str(r->totals.charged));
        json_object_set_new(settle_total, "difference", money_str(r->supersedes.difference));
    }
    json_object_set_new(o, "settlement_total", settle_total);
    json_object_set_new(o, "previous_label", json_string(REPORT_REVISION_PREVIOUS));
    json_object_set_new(o, "this_label", json_string(REPORT_REVISION_THIS));
    json_object_set_new(o, "settle_label", json_string(REPORT_REVISION_SETTLE));
    json_object_set_new(o, "spend_chart", spend_chart(r));
    json_object_set_new(o, "daily_chart", daily_chart(r->days, r->n_days));
    json_object_set_new(o, "comparison", comparison_view(r, SIZE_MAX));

    json_t *un = json_object();
    json_object_set_new(un, "list_cost", money_str(r->unallocated_list_cost));
    json_object_set_new(un, "requests", count_str(r->unallocated_usage.requests));
    json_object_set_new(
        un, "requests_text",
        json_string(text_plural(r->unallocated_usage.requests, "request", "requests").s));
    json_object_set_new(un, "policy", str_or_empty(r->unallocated_policy));
    json_object_set_new(
        un, "shown",
        json_boolean(!r->unallocated_policy || strcmp(r->unallocated_policy, "show") == 0));
    json_object_set_new(un, "any", json_boolean(r->unallocated_usage.requests > 0));
    json_t *ul = json_array();
    for (size_t i = 0; i < r->n_unallocated_lines; i++)
        json_array_append_new(ul, line_view(&r->unallocated_lines[i]));
    json_object_set_new(un, "lines", ul);
    json_object_set_new(o, "unallocated", un);

    /* rows without cost say nothing: the table lists the tags usage carried, or says none did */
    json_t *cov = json_array();
    for (size_t i = 0; i < r->n_coverage; i++) {
        if (!r->coverage[i].list_cost)
            continue;
        json_t *c = json_object();
        json_object_set_new(c, "tag", json_string(r->coverage[i].tag));
        json_object_set_new(c, "share", pct_str(r->coverage[i].share_e4));
        json_object_set_new(c, "list_cost", money_str(r->coverage[i].list_cost));
        json_object_set_new(c, "bar", json_integer(r->coverage[i].share_e4 / 100));
        json_object_set_new(c, "low", json_boolean(r->coverage[i].share_e4 < 9000));
        json_array_append_new(cov, c);
    }
    json_object_set_new(o, "coverage_none", json_boolean(r->n_coverage && !json_array_size(cov)));
    json_object_set_new(o, "coverage", cov);
    json_object_set_new(o, "glossary", glossary_view(r, NULL));
    json_object_set_new(o, "shared_pools",
                        report_pools_used(r) ? groups_view("Shared pools", &r->shared_pools, 0)
                                             : json_false());
    json_object_set_new(o, "top_projects", groups_view("Top projects", &r->top_projects, 10));
    json_object_set_new(o, "top_users", groups_view("Top users", &r->top_users, 10));
    json_object_set_new(o, "by_model", groups_view("By model", &r->by_model, 0));
    json_object_set_new(o, "model_mix", model_mix(&r->by_model));

    json_t *in = json_object();
    json_t *files = json_array();
    for (size_t i = 0; i < r->n_files; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "path", json_string(r->files[i].path));
        json_object_set_new(f, "sha256", json_string(r->files[i].sha256));
        json_object_set_new(f, "bytes", count_str(r->files[i].bytes));
        json_object_set_new(f, "records", count_str(r->files[i].records));
        json_object_set_new(f, "format", str_or_empty(r->files[i].format));
        json_array_append_new(files, f);
    }
    json_object_set_new(in, "files", files);
    json_object_set_new(in, "records_read", count_str(r->records_read));
    json_object_set_new(in, "records_billed", count_str(r->records_billed));
    json_object_set_new(in, "records_rejected", count_str(r->records_rejected));
    json_object_set_new(in, "duplicates", count_str(r->duplicates));
    json_object_set_new(in, "outside_period", count_str(r->outside_period));
    json_object_set_new(in, "price_book_sha256", json_string(r->price_book_sha256));
    json_t *rej = json_array();
    for (size_t i = 0; i < r->n_rejects; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "reason", json_string(r->rejects[i].reason));
        json_object_set_new(x, "count", count_str(r->rejects[i].count));
        json_t *ex = json_array();
        for (size_t k = 0; k < r->rejects[i].n_examples; k++)
            json_array_append_new(ex, json_string(r->rejects[i].examples[k]));
        json_object_set_new(x, "examples", ex);
        json_array_append_new(rej, x);
    }
    json_object_set_new(in, "rejects", rej);
    json_object_set_new(in, "any_rejects", json_boolean(r->n_rejects > 0));
    json_object_set_new(o, "inputs", in);
    return o;
}

json_t *view_team(const struct report *r, size_t team_index, const struct view_links *links)
{
    const struct report_team *t = &r->teams[team_index];
    json_t *o = team_row(r, t, links, "");
    set_common(o, r);
    json_object_set_new(o, "title", json_string("Invoice"));
    json_object_set_new(o, "entity_budgets", entity_budgets_view(r, t));
    json_object_set_new(o, "has_entity_budgets", json_boolean(t->n_entity_budgets > 0));
    json_object_set_new(o, "entity_budget_note", json_string(REPORT_ENTITY_BUDGET_NOTE));
    json_object_set_new(o, "method", str_or_empty(t->method));
    json_object_set_new(o, "glossary", glossary_view(r, t));
    json_object_set_new(o, "summary_method", str_or_empty(r->method));
    json_t *usage = json_array(), *alloc = json_array();
    for (size_t i = 0; i < t->n_lines; i++) {
        const struct report_line *l = &t->lines[i];
        json_array_append_new(l->kind <= LINE_MCP ? usage : alloc, line_view(l));
    }
    json_object_set_new(o, "has_usage_lines", json_boolean(json_array_size(usage) > 0));
    json_object_set_new(o, "usage_lines", usage);
    json_object_set_new(o, "other_lines", alloc);
    json_t *all = json_array();
    for (size_t i = 0; i < t->n_lines; i++)
        json_array_append_new(all, line_view(&t->lines[i]));
    json_object_set_new(o, "lines", all);
    json_t *bd = json_array();
    json_array_append_new(bd, groups_view("By project", &t->by_project, 0));
    json_array_append_new(bd, groups_view("By user", &t->by_user, 0));
    json_array_append_new(bd, groups_view("By workflow", &t->by_workflow, 0));
    json_array_append_new(bd, groups_view("By environment", &t->by_environment, 0));
    json_array_append_new(bd, groups_view("By model", &t->by_model, 0));
    json_object_set_new(o, "breakdowns", bd);
    json_object_set_new(o, "model_mix", model_mix(&t->by_model));
    json_object_set_new(o, "daily_chart", daily_chart(t->days, t->n_days));

    json_t *an = json_array();
    for (size_t i = 0; i < t->n_anomalies; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "date", json_string(t->anomalies[i].date));
        json_object_set_new(a, "list_cost", money_str(t->anomalies[i].list_cost));
        json_object_set_new(a, "mean_daily", money_str(t->anomalies[i].mean_daily));
        json_object_set_new(a, "factor", json_string(text_factor(t->anomalies[i].factor_e2).s));
        json_array_append_new(an, a);
    }
    json_object_set_new(o, "anomalies", an);
    json_object_set_new(o, "has_anomalies", json_boolean(t->n_anomalies > 0));
    json_t *rec = json_array();
    int64_t saving = 0;
    for (size_t i = 0; i < t->n_recommendations; i++) {
        json_t *x = json_object();
        enum report_rec_kind k = t->recommendations[i].kind;
        json_object_set_new(x, "kind", json_string(report_rec_kind_name(k)));
        json_object_set_new(x, "title", json_string(report_rec_title(k)));
        json_object_set_new(x, "saving", money_str(t->recommendations[i].saving));
        json_object_set_new(x, "explanation", str_or_empty(t->recommendations[i].explanation));
        saving += t->recommendations[i].saving;
        json_array_append_new(rec, x);
    }
    json_object_set_new(o, "recommendations", rec);
    json_object_set_new(o, "has_recommendations", json_boolean(t->n_recommendations > 0));
    json_object_set_new(o, "recommended_saving", money_str(saving));
    json_t *mt = json_array();
    for (size_t i = 0; i < t->n_metrics; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(t->metrics[i].name));
        char units[64];
        money_format_fixed(t->metrics[i].units_e6, 6, 0, units, sizeof units);
        int64_t u;
        if (money_parse(units, 0, &u))
            json_object_set_new(x, "units", count_str(u));
        else
            json_object_set_new(x, "units", json_string(units));
        json_object_set_new(x, "cost_per_unit",
                            json_string(text_unit_cost(t->metrics[i].cost_per_unit_micros).s));
        json_array_append_new(mt, x);
    }
    json_object_set_new(o, "metrics", mt);
    json_object_set_new(o, "has_metrics", json_boolean(t->n_metrics > 0));
    json_object_set_new(o, "summary_href", json_string("../index.html"));
    json_object_set_new(o, "supersedes_invoice",
                        str_or_empty(r->revision > 1 ? t->supersedes_invoice : NULL));
    json_object_set_new(o, "settlement", settlement_view(t));
    json_object_set_new(o, "comparison", comparison_view(r, team_index));
    return o;
}

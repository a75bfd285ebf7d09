/* PDF invoices (teams/<slug>.pdf) and summary.pdf from the report, laid out with pdf_doc.c.
 * Content follows the HTML documents: header, lines, totals, method, budget, month over month,
 * daily chart, anomalies, unit economics, recommendations, breakdowns; the summary adds the
 * team table and chart, unallocated usage, reconciliation, tag coverage and provenance. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "explain.h"
#include "glossary.h"
#include "budgets.h"
#include "money.h"
#include "msg.h"
#include "paths.h"
#include "pdf_doc.h"
#include "strbuf.h"
#include "text.h"
#include "xalloc.h"

#define NAVY 0.12f, 0.23f, 0.42f

/* Cents as "1,234.56". */
/* The text forms of text.h copied into a caller's buffer (a row keeps several at once). */
static const char *put(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static const char *cents(int64_t v, char *buf, size_t size)
{
    return put(buf, size, text_money(v).s);
}

static const char *pct(int64_t e4, char *buf, size_t size)
{
    return put(buf, size, text_percent(e4).s);
}

static const char *micros(int64_t v, char *buf, size_t size)
{
    return put(buf, size, text_price(v).s);
}

static const char *count(int64_t v, char *buf, size_t size)
{
    return put(buf, size, text_count(v).s);
}

static bool is_usage_line(enum line_kind k)
{
    return k <= LINE_MCP;
}

/* Left-aligned label and right-aligned value on one line of a key/value block. */
static void kv(struct pdf_doc *d, float x0, float x1, float y, const char *key, const char *val,
               bool bold, const char *field)
{
    struct strbuf c = STRBUF_INIT;
    HPDF_Page_SetGrayFill(d->page, 0.35f);
    pdf_text(d, d->regular, 8.5f, x0, y, key);
    HPDF_Page_SetGrayFill(d->page, 0);
    pdf_clean(d, val, field, false, &c);
    /* a value wider than the block is set smaller, down to PDF_ID_MIN_SIZE, before it is cut
     * to one line: an invoice number must be read whole */
    struct strbuf w = STRBUF_INIT;
    float kw = pdf_width(d, d->regular, 8.5f, key) + 8;
    HPDF_Font font = bold ? d->bold : d->regular;
    float size = 8.5f;
    while (size > PDF_ID_MIN_SIZE && pdf_width(d, font, size, strbuf_cstr(&c)) > x1 - x0 - kw)
        size -= 0.25f;
    pdf_fit(d, font, size, x1 - x0 - kw, strbuf_cstr(&c), &w);
    pdf_text_right(d, font, size, x1, y, strbuf_cstr(&w));
    strbuf_free(&w);
    strbuf_free(&c);
}

/* The top block: organization, title, subject name, subline; a key/value block on the right. */
static void doc_header(struct pdf_doc *d, const struct report *r, const char *title,
                       const char *name, const char *sub, const char *const *keys,
                       const char *const *vals, size_t n)
{
    struct strbuf c = STRBUF_INIT, lines = STRBUF_INIT;
    float y0 = d->y;
    float meta_w = 200, meta_x0 = d->right - meta_w;
    float text_w = meta_x0 - d->left - 16;
    HPDF_Page_SetGrayFill(d->page, 0.35f);
    pdf_clean(d, r->organization, "organization", false, &c);
    pdf_text(d, d->bold, 10, d->left, y0 - 10, strbuf_cstr(&c));
    HPDF_Page_SetRGBFill(d->page, NAVY);
    /* a long title ("Shadow chargeback summary") is set smaller, never into the block beside it */
    float size = 22;
    while (size > 14 && pdf_width(d, d->bold, size, title) > text_w)
        size -= 1;
    pdf_text(d, d->bold, size, d->left, y0 - 36, title);
    HPDF_Page_SetGrayFill(d->page, 0);
    float y = y0 - 36;
    if (name) {
        pdf_clean(d, name, "name", false, &c);
        pdf_wrap(d, d->bold, 14, text_w, strbuf_cstr(&c), &lines);
        for (char *p = lines.data; p && *p;) {
            char *nl = strchr(p, '\n');
            *nl = '\0';
            y -= 19;
            pdf_text(d, d->bold, 14, d->left, y, p);
            p = nl + 1;
        }
    }
    strbuf_reset(&lines);
    pdf_clean(d, sub, "period", false, &c);
    pdf_wrap(d, d->regular, 9, text_w, strbuf_cstr(&c), &lines);
    HPDF_Page_SetGrayFill(d->page, 0.35f);
    for (char *p = lines.data; p && *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        y -= 13;
        pdf_text(d, d->regular, 9, d->left, y, p);
        p = nl + 1;
    }
    HPDF_Page_SetGrayFill(d->page, 0);
    if (r->shadow) {
        y -= 18;
        HPDF_Page_SetRGBFill(d->page, 0.70f, 0.12f, 0.12f);
        pdf_text(d, d->bold, 11, d->left, y, "SHADOW \xE2\x80\x94 NOT BILLED");
        HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    }
    float my = y0 - 10;
    for (size_t i = 0; i < n; i++) {
        if (!vals[i] || !*vals[i])
            continue;
        kv(d, meta_x0, d->right, my, keys[i], vals[i], i == 0, keys[i]);
        my -= 12;
    }
    d->y = (y < my ? y : my) - 10;
    HPDF_Page_SetGrayStroke(d->page, 0.75f);
    HPDF_Page_SetLineWidth(d->page, 0.6f);
    HPDF_Page_MoveTo(d->page, d->left, d->y);
    HPDF_Page_LineTo(d->page, d->right, d->y);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetGrayStroke(d->page, 0);
    d->y -= 4;
    strbuf_free(&c);
    strbuf_free(&lines);
}

/* A row of up to four boxed figures (label above value). */
static void kpis(struct pdf_doc *d, const char *const *labels, const char *const *values, size_t n)
{
    float gap = 8, h = 40;
    float w = (d->right - d->left - gap * (float)(n - 1)) / (float)n;
    pdf_skip(d, 8);
    pdf_need(d, h);
    d->y -= h;
    for (size_t i = 0; i < n; i++) {
        float x = d->left + (float)i * (w + gap);
        if (i == 0)
            HPDF_Page_SetRGBFill(d->page, NAVY);
        else
            HPDF_Page_SetRGBFill(d->page, 0.94f, 0.95f, 0.97f);
        pdf_rect(d, x, d->y, w, h);
        if (i == 0)
            HPDF_Page_SetGrayFill(d->page, 0.85f);
        else
            HPDF_Page_SetGrayFill(d->page, 0.35f);
        pdf_text(d, d->regular, 7.5f, x + 8, d->y + h - 13, labels[i]);
        HPDF_Page_SetGrayFill(d->page, i == 0 ? 1 : 0);
        float size = 13;
        while (size > 7 && pdf_width(d, d->bold, size, values[i]) > w - 14)
            size -= 0.5f;
        pdf_text(d, d->bold, size, x + 8, d->y + 9, values[i]);
    }
    HPDF_Page_SetGrayFill(d->page, 0);
}

/* Bars of daily list cost with a y axis (max, half) and day labels every 5 days. */
static void daily_chart(struct pdf_doc *d, const struct report_day *days, size_t n,
                        const char *currency)
{
    float h = 120, axis_w = 52;
    pdf_need(d, h + 32);
    float x0 = d->left + axis_w, y0 = d->y - h - 12, w = d->right - x0;
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (days[i].list_cost > max)
            max = days[i].list_cost;
    char buf[64], lab[80];
    HPDF_Page_SetLineWidth(d->page, 0.3f);
    HPDF_Page_SetGrayStroke(d->page, 0.8f);
    for (int k = 0; k <= 2; k++) {
        float gy = y0 + h * (float)k / 2;
        HPDF_Page_MoveTo(d->page, x0, gy);
        HPDF_Page_LineTo(d->page, d->right, gy);
        HPDF_Page_Stroke(d->page);
        snprintf(lab, sizeof lab, "%s", cents(max * k / 2, buf, sizeof buf));
        HPDF_Page_SetGrayFill(d->page, 0.35f);
        pdf_text_right(d, d->regular, 7, x0 - 4, gy - 2.5f, lab);
    }
    HPDF_Page_SetGrayFill(d->page, 0.35f);
    pdf_text(d, d->regular, 7, d->left, y0 + h + 6, currency);
    HPDF_Page_SetGrayStroke(d->page, 0);
    if (n > 0) {
        float slot = w / (float)n, bw = slot * 0.7f;
        HPDF_Page_SetRGBFill(d->page, 0.25f, 0.45f, 0.75f);
        for (size_t i = 0; i < n; i++) {
            float bh = max > 0 ? h * (float)((double)days[i].list_cost / (double)max) : 0;
            pdf_rect(d, x0 + slot * (float)i + (slot - bw) / 2, y0, bw, bh);
        }
        HPDF_Page_SetGrayFill(d->page, 0.35f);
        for (size_t i = 0; i < n; i++) {
            if (i % 5 != 0 && i + 1 != n)
                continue;
            const char *day = strlen(days[i].date) == 10 ? days[i].date + 8 : days[i].date;
            float cx = x0 + slot * (float)i + slot / 2;
            pdf_text(d, d->regular, 7, cx - pdf_width(d, d->regular, 7, day) / 2, y0 - 10, day);
        }
    }
    HPDF_Page_SetGrayFill(d->page, 0);
    HPDF_Page_SetLineWidth(d->page, 0.6f);
    HPDF_Page_MoveTo(d->page, x0, y0);
    HPDF_Page_LineTo(d->page, d->right, y0);
    HPDF_Page_Stroke(d->page);
    d->y = y0 - 16;
}

static void breakdown(struct pdf_doc *d, const char *title, const char *col,
                      const struct report_groups *g)
{
    if (g->n == 0)
        return;
    float W = d->right - d->left;
    const struct pdf_col cols[] = {{col, W * 0.40f, false},
                                   {"Requests", W * 0.15f, true},
                                   {"Tokens", W * 0.17f, true},
                                   {"List cost", W * 0.16f, true},
                                   {"Share", W * 0.12f, true}};
    struct pdf_table t = {cols, 5, 8};
    char b1[48], b2[48], b3[48], b4[48];
    pdf_heading(d, title, 40);
    pdf_table_begin_with(d, &t, &(struct pdf_table_flow){.rows = g->n});
    for (size_t i = 0; i < g->n; i++) {
        const struct report_group *x = &g->items[i];
        const char *cells[] = {x->key, count(x->usage.requests, b1, sizeof b1),
                               count(x->usage.total_tokens, b2, sizeof b2),
                               cents(x->list_cost, b3, sizeof b3), pct(x->share_e4, b4, sizeof b4)};
        pdf_table_row(d, cells, i % 2 ? 2 : 0, col);
    }
    pdf_table_end(d);
}

static void line_row(struct pdf_doc *d, const struct report_line *l)
{
    char q[48], u[64], a[48], price[96];
    micros(l->unit_price_micros, u, sizeof u);
    if (l->kind >= LINE_SHARED)
        snprintf(price, sizeof price, "%s", u);
    else
        snprintf(price, sizeof price, "%s / %s", u, l->unit ? l->unit : "");
    const char *cells[] = {l->description, count(l->quantity, q, sizeof q), price,
                           cents(l->amount, a, sizeof a)};
    pdf_table_row(d, cells, 0, "line description");
}

static void lines_table(struct pdf_doc *d, const struct report *r, const struct report_team *t)
{
    float W = d->right - d->left;
    const struct pdf_col cols[] = {{"Description", W * 0.46f, false},
                                   {"Quantity", W * 0.17f, true},
                                   {"Unit price", W * 0.20f, true},
                                   {"Amount", W * 0.17f, true}};
    size_t n_usage = 0;
    for (size_t i = 0; i < t->n_lines; i++)
        n_usage += is_usage_line(t->lines[i].kind);
    /* the lines, the subtotal of the usage lines when there are some, the total */
    struct pdf_table tb = {cols, 4, 8.5f};
    char a[48], tot[80];
    pdf_heading(d, "Charges", 50);
    pdf_table_begin_with(d, &tb,
                         &(struct pdf_table_flow){.rows = t->n_lines + (n_usage ? 1 : 0) + 1});
    for (size_t i = 0; i < t->n_lines; i++)
        if (is_usage_line(t->lines[i].kind))
            line_row(d, &t->lines[i]);
    /* The subtotal of the usage lines, only where they are on the invoice (the usage model):
     * under fixed, hybrid and tiered the usage at list price is stated apart, since it is not a
     * part of the amount and a row without lines above it would not add up. */
    if (n_usage) {
        const char *sub[] = {"Usage at list price", "", "", cents(t->list_cost, a, sizeof a)};
        pdf_table_row(d, sub, 2, NULL);
    }
    for (size_t i = 0; i < t->n_lines; i++)
        if (!is_usage_line(t->lines[i].kind))
            line_row(d, &t->lines[i]);
    snprintf(tot, sizeof tot, "%s %s", cents(t->total, a, sizeof a), r->currency);
    const char *total[] = {explain_total_label(r->shadow, r->revision > 1), "", "", tot};
    pdf_table_row(d, total, 1, NULL);
    pdf_table_end(d);
}

/* The totals as a right-hand key/value block whose rows add up to the total; under a model
 * other than usage the usage at list price and shared pools follow as a note, for reference. */
static void totals_block(struct pdf_doc *d, const struct report *r, const struct report_team *t)
{
    char b[7][48], tot[80], note[320], under[64];
    const char *keys[7], *vals[7];
    size_t n = 0;
    bool usage = r->model == CB_MODEL_USAGE;
    if (usage) {
        keys[n] = "Usage at list price";
        vals[n] = cents(t->list_cost, b[n], 48);
        n++;
        keys[n] = "Shared pools";
        vals[n] = cents(t->shared, b[n], 48);
        n++;
    } else {
        snprintf(under, sizeof under, "Charge under the %s model", config_model_name(r->model));
        keys[n] = under;
        vals[n] = cents(t->charge, b[n], 48);
        n++;
    }
    keys[n] = "Adjustment to the provider's invoice";
    vals[n] = cents(t->true_up, b[n], 48);
    n++;
    keys[n] = "Overhead";
    vals[n] = cents(t->overhead, b[n], 48);
    n++;
    keys[n] = "Markup";
    vals[n] = cents(t->markup, b[n], 48);
    n++;
    snprintf(tot, sizeof tot, "%s %s", cents(t->total, b[n], 48), r->currency);
    keys[n] = explain_total_label(r->shadow, r->revision > 1);
    vals[n] = tot;
    n++;
    pdf_heading(d, "Totals", (float)n * 12 + (usage ? 0 : 30));
    float x0 = d->right - 260;
    for (size_t i = 0; i < n; i++) {
        pdf_need(d, 12);
        d->y -= 12;
        kv(d, x0, d->right, d->y + 2, keys[i], vals[i], i == n - 1, NULL);
    }
    if (!usage) {
        char u[48], sh[48], dir[48];
        snprintf(note, sizeof note,
                 "For reference: usage at list price %s, shared pools %s, usage including "
                 "shared pools %s %s; this is not added to the amount.",
                 cents(t->list_cost, u, sizeof u), cents(t->shared, sh, sizeof sh),
                 cents(t->direct, dir, sizeof dir), r->currency);
        pdf_skip(d, 6);
        pdf_paragraph(d, d->regular, 8.5f, note, NULL);
    }
}

/* The glossary box: one line for each term the document uses (glossary.h), `t` NULL on the
 * summary. */
static void glossary_block(struct pdf_doc *d, const struct report *r, const struct report_team *t)
{
    struct glossary_term g[GLOSSARY_MAX];
    size_t n = glossary_terms(r, t, g);
    float W = d->right - d->left;
    const struct pdf_col cols[] = {{"Term", W * 0.28f, false}, {"Meaning", W * 0.72f, false}};
    struct pdf_table tb = {cols, 2, 8.0f};
    pdf_heading(d, GLOSSARY_TITLE, 40);
    pdf_table_begin(d, &tb);
    for (size_t i = 0; i < n; i++) {
        const char *cells[] = {g[i].term, g[i].text};
        pdf_table_row(d, cells, i % 2 ? 2 : 0, "glossary");
    }
    pdf_table_end(d);
}

static void budget_block(struct pdf_doc *d, const struct report_budget *b, bool shadow)
{
    if (!b->present)
        return;
    char m[48], u[48], p[48], line[256];
    if (b->tokens) {
        count(b->monthly, m, sizeof m);
        count(b->used, u, sizeof u);
        snprintf(line, sizeof line, "Monthly budget %s tokens; used %s tokens (%s).", m, u,
                 pct(b->utilization_e4, p, sizeof p));
    } else {
        cents(b->monthly, m, sizeof m);
        cents(b->used, u, sizeof u);
        snprintf(line, sizeof line, "Monthly budget %s; %s %s (%s).", m,
                 shadow ? "would be charged" : "charged", u, pct(b->utilization_e4, p, sizeof p));
    }
    pdf_heading(d, "Budget", 60);
    pdf_paragraph(d, d->regular, 9, line, NULL);
    pdf_need(d, 22);
    d->y -= 18;
    float w = d->right - d->left - 90;
    HPDF_Page_SetRGBFill(d->page, 0.90f, 0.91f, 0.93f);
    pdf_rect(d, d->left, d->y, w, 10);
    int64_t shown = b->utilization_e4 > 10000 ? 10000 : b->utilization_e4;
    if (shown < 0)
        shown = 0;
    bool warn = b->n_thresholds_crossed > 0;
    if (b->over)
        HPDF_Page_SetRGBFill(d->page, 0.75f, 0.15f, 0.15f);
    else if (warn)
        HPDF_Page_SetRGBFill(d->page, 0.90f, 0.60f, 0.10f);
    else
        HPDF_Page_SetRGBFill(d->page, 0.20f, 0.60f, 0.35f);
    pdf_rect(d, d->left, d->y, w * (float)shown / 10000.0f, 10);
    pdf_text(d, d->bold, 9, d->left + w + 10, d->y + 1.5f, report_budget_state_text(b->state));
    HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    d->y -= 4;
    if (b->n_thresholds_crossed) {
        char *th = report_thresholds_text(b);
        char *text = xasprintf("Alert thresholds crossed: %s.", th);
        pdf_paragraph(d, d->regular, 9, text, NULL);
        free(text);
        free(th);
    }
}

/* A budget's amount (money or tokens) as a table cell. */
static const char *budget_amount(const struct report_budget *b, int64_t v, char *buf, size_t size)
{
    return b->tokens ? count(v, buf, size) : cents(v, buf, size);
}

/* Its monthly amount, "2,000,000 tokens" for a token budget. */
static const char *budget_monthly(const struct report_budget *b, char *buf, size_t size)
{
    char n[32];
    snprintf(buf, size, "%s%s", budget_amount(b, b->monthly, n, sizeof n),
             b->tokens ? " tokens" : "");
    return buf;
}

/* "threshold crossed (50%, 80%)": a budget's state with the thresholds it crossed. */
static const char *budget_state_cell(const struct report_budget *b, char *buf, size_t size)
{
    char *th = report_thresholds_text(b);
    snprintf(buf, size, "%s%s%s%s", report_budget_state_text(b->state), *th ? " (" : "", th,
             *th ? ")" : "");
    free(th);
    return buf;
}

/* The budgets of the team's projects and users: each budget across the organization, and this
 * team's part of it. */
static void entity_budgets_block(struct pdf_doc *d, const struct report *r,
                                 const struct report_team *t)
{
    if (!t->n_entity_budgets)
        return;
    float W = d->right - d->left;
    const struct pdf_col cols[] = {
        {"Budget on", W * 0.22f, false},  {"Monthly budget", W * 0.18f, true},
        {"Used (all)", W * 0.13f, true},  {"This team", W * 0.13f, true},
        {"Utilization", W * 0.12f, true}, {"State", W * 0.22f, false}};
    struct pdf_table tb = {cols, 6, 8.5f};
    pdf_heading(d, "Budgets of this team's projects and users", 50);
    pdf_table_begin(d, &tb);
    for (size_t i = 0; i < t->n_entity_budgets; i++) {
        const struct report_entity_budget *eb = &r->budgets[t->entity_budgets[i].index];
        const struct report_budget *b = &eb->budget;
        char on[256], m[64], u[48], part[48], p[48], state[160];
        snprintf(on, sizeof on, "%s %s", budgets_entity_title(eb->entity), eb->key);
        const char *cells[] = {on,
                               budget_monthly(b, m, sizeof m),
                               budget_amount(b, b->used, u, sizeof u),
                               budget_amount(b, t->entity_budgets[i].team_used, part, sizeof part),
                               pct(b->utilization_e4, p, sizeof p),
                               budget_state_cell(b, state, sizeof state)};
        pdf_table_row(d, cells, i % 2 ? 2 : 0, "budget key");
    }
    pdf_table_end(d);
    pdf_skip(d, 2);
    pdf_paragraph(d, d->regular, 8, REPORT_ENTITY_BUDGET_NOTE, NULL);
}

/* Every budget crossed or over, by utilization. */
static void budgets_crossed_block(struct pdf_doc *d, const struct report *r)
{
    if (!r->n_budgets_crossed)
        return;
    float W = d->right - d->left;
    const struct pdf_col cols[] = {{"Budget on", W * 0.30f, false},
                                   {"Monthly budget", W * 0.18f, true},
                                   {"Used", W * 0.14f, true},
                                   {"Utilization", W * 0.12f, true},
                                   {"State", W * 0.26f, false}};
    struct pdf_table tb = {cols, 5, 8.5f};
    pdf_heading(d, "Budgets crossed", 50);
    pdf_table_begin(d, &tb);
    for (size_t i = 0; i < r->n_budgets_crossed; i++) {
        const struct report_budget_row *x = &r->budgets_crossed[i];
        const struct report_budget *b = x->budget;
        char on[256], m[64], p[48], state[160];
        snprintf(on, sizeof on, "%s %s", budgets_entity_title(x->entity), x->name);
        /* a token budget says so, as in HTML and XLSX: "20,000,000 tokens" among amounts */
        char used[64], n[48];
        snprintf(used, sizeof used, "%s%s", budget_amount(b, b->used, n, sizeof n),
                 b->tokens ? " tokens" : "");
        const char *cells[] = {on, budget_monthly(b, m, sizeof m), used,
                               pct(b->utilization_e4, p, sizeof p),
                               budget_state_cell(b, state, sizeof state)};
        pdf_table_row(d, cells, i % 2 ? 2 : 0, "budget name");
    }
    pdf_table_end(d);
    pdf_skip(d, 2);
    char *note = xasprintf("A team's budget is measured on its charge (or its tokens). %s "
                           "alerts.json lists each crossing with whom it is for.",
                           REPORT_ENTITY_BUDGET_NOTE);
    pdf_paragraph(d, d->regular, 8, note, NULL);
    free(note);
}

static void mom_block(struct pdf_doc *d, const struct report_mom *m)
{
    if (!m->present)
        return;
    char a[48], b[48], c[48], p[48], line[400];
    snprintf(line, sizeof line,
             "Previous month (%s): total %s, list cost %s. Change in total: %s%s%s%s.",
             m->previous_month, cents(m->previous_total, a, sizeof a),
             cents(m->previous_list_cost, b, sizeof b), cents(m->delta_total, c, sizeof c),
             m->has_pct ? " (" : "", m->has_pct ? pct(m->delta_pct_e4, p, sizeof p) : "",
             m->has_pct ? ")" : "");
    pdf_heading(d, "Month over month", 20);
    pdf_paragraph(d, d->regular, 9, line, NULL);
}

/* A corrected revision: what the superseded invoice said and what remains to settle. */
static void settlement_block(struct pdf_doc *d, const struct report *r, const struct report_team *t)
{
    if (!t->revision.present)
        return;
    char a[48], b[48], c[48], prev[160], diff[80];
    if (t->supersedes_invoice && *t->supersedes_invoice)
        snprintf(prev, sizeof prev, "%s (%s)", REPORT_REVISION_PREVIOUS, t->supersedes_invoice);
    else
        snprintf(prev, sizeof prev, "%s (no earlier invoice)", REPORT_REVISION_PREVIOUS);
    snprintf(diff, sizeof diff, "%s %s", cents(t->revision.difference, c, sizeof c), r->currency);
    const char *keys[] = {prev, REPORT_REVISION_THIS, REPORT_REVISION_SETTLE};
    const char *vals[] = {cents(t->revision.previous_total, a, sizeof a),
                          cents(t->total, b, sizeof b), diff};
    pdf_heading(d, "Corrected revision", 3 * 12);
    float x0 = d->right - 320;
    for (size_t i = 0; i < 3; i++) {
        pdf_need(d, 12);
        d->y -= 12;
        kv(d, x0, d->right, d->y + 2, keys[i], vals[i], i == 2, "superseded invoice");
    }
}

/* The model comparison: per model its total and, beside every model but the configured one,
 * the change against it. Every team and the totals (only == SIZE_MAX), or team `only`'s row on
 * its invoice; then the reading (summary) and how the columns were made. */
static void comparison_block(struct pdf_doc *d, const struct report *r, size_t only)
{
    const struct comparison *c = r->comparison;
    if (!c)
        return;
    float W = d->right - d->left;
    struct pdf_col cols[1 + 2 * COMPARE_MODELS];
    char heads[COMPARE_MODELS][48];
    size_t n = 0, k = 0;
    for (int m = 0; m < COMPARE_MODELS; m++)
        k += c->present[m];
    /* the configured column is wider: its heading says so */
    float unit = W * 0.76f / ((float)(2 * k - 1) + 0.9f);
    cols[n++] = (struct pdf_col){"Team", W - unit * ((float)(2 * k - 1) + 0.9f), false};
    for (int m = 0; m < COMPARE_MODELS; m++) {
        if (!c->present[m])
            continue;
        bool conf = m == (int)c->configured;
        snprintf(heads[m], sizeof heads[m], "%s%s", compare_model_title((enum cb_model)m),
                 conf ? " (configured)" : "");
        cols[n++] = (struct pdf_col){heads[m], conf ? unit * 1.9f : unit, true};
        if (!conf)
            cols[n++] = (struct pdf_col){"Change", unit, true};
    }
    struct pdf_table t = {cols, n, 8};
    pdf_heading(d,
                only == SIZE_MAX ? "Chargeback models compared"
                                 : "This charge under each chargeback model",
                50);
    pdf_table_begin(d, &t);
    char v[2 * COMPARE_MODELS][48];
    for (size_t i = 0; i <= c->n_teams; i++) {
        bool total = i == c->n_teams;
        if (only != SIZE_MAX && (total || i != only))
            continue;
        /* teams in the documents' order (r->order), as in the Teams table */
        size_t ti = total || only != SIZE_MAX ? i : r->order[i];
        const char *cells[1 + 2 * COMPARE_MODELS];
        size_t j = 0;
        cells[j++] = total ? "All teams" : c->teams[ti].name;
        for (int m = 0; m < COMPARE_MODELS; m++) {
            if (!c->present[m])
                continue;
            int64_t x = total ? c->totals[m] : c->teams[ti].charges[m];
            int64_t base = total ? c->totals[c->configured] : c->teams[ti].charges[c->configured];
            cells[j] = cents(x, v[j - 1], sizeof v[j - 1]);
            j++;
            if (m == (int)c->configured)
                continue;
            compare_format_change(x - base, v[j - 1], sizeof v[j - 1]);
            cells[j] = v[j - 1];
            j++;
        }
        pdf_table_row(d, cells, total ? 1 : i % 2 ? 2 : 0, "team name");
    }
    pdf_table_end(d);
    pdf_skip(d, 4);
    if (only == SIZE_MAX) {
        pdf_paragraph(d, d->regular, 9, c->reading, "model comparison");
        pdf_skip(d, 3);
    }
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb,
                  "Change: the model's total less the configured %s model's; a minus means the "
                  "team would be charged less. %s",
                  config_model_name(c->configured), c->note);
    pdf_paragraph(d, d->regular, 8, strbuf_cstr(&sb), "model comparison");
    strbuf_free(&sb);
}

static void invoice(struct pdf_doc *d, const struct report *r, const struct report_team *t)
{
    char sub[512], a[48], b[48], c[48], e[48];
    if (r->revision > 1 && t->supersedes_invoice && t->supersedes_invoice[0])
        snprintf(sub, sizeof sub,
                 "AI usage chargeback for %s. Revision %d: supersedes invoice %s, signed off by "
                 "%s on %.10s.",
                 r->period_label, r->revision, t->supersedes_invoice, r->supersedes.signed_by,
                 r->supersedes.signed_at);
    else if (r->revision > 1)
        snprintf(sub, sizeof sub,
                 "AI usage chargeback for %s. Revision %d of a month signed off by %s on %.10s "
                 "(no earlier invoice for this team).",
                 r->period_label, r->revision, r->supersedes.signed_by, r->supersedes.signed_at);
    else
        snprintf(sub, sizeof sub, "AI usage chargeback for %s", r->period_label);
    /* Bill to: the owner with the contact e-mail under it, else the e-mail alone; a shadow
     * month asks for no payment, so it has no due date */
    bool owner = t->owner && *t->owner;
    const char *keys[] = {"Invoice", "Period",         "Issued",      "Due date",   "Bill to",
                          "",        "Reference / PO", "Cost center", "GL account", "Issuer"};
    const char *vals[] = {t->invoice_number,
                          r->month,
                          r->issue_date,
                          r->shadow ? "" : r->due_date,
                          owner ? t->owner : t->contact,
                          owner ? t->contact : "",
                          t->reference,
                          t->cost_center,
                          t->gl_account,
                          r->issuer};
    doc_header(d, r, explain_invoice_title(r->shadow), t->name, sub, keys, vals, 10);
    char due[80];
    snprintf(due, sizeof due, "%s %s", cents(t->total, a, sizeof a), r->currency);
    const char *kl[] = {explain_amount_label(r->shadow, r->revision > 1), "Usage at list price",
                        "Share of all charges", "Requests"};
    const char *kv_[] = {due, cents(t->list_cost, b, sizeof b), pct(t->share_e4, c, sizeof c),
                         count(t->usage.requests, e, sizeof e)};
    kpis(d, kl, kv_, 4);
    lines_table(d, r, t);
    totals_block(d, r, t);
    settlement_block(d, r, t);
    pdf_heading(d, "How this charge was computed", 30);
    pdf_paragraph(d, d->regular, 9, t->method, "method");
    glossary_block(d, r, t);
    comparison_block(d, r, (size_t)(t - r->teams));
    budget_block(d, &t->budget, r->shadow);
    entity_budgets_block(d, r, t);
    mom_block(d, &t->mom);
    pdf_heading(d, "Daily spend (list price)", 150);
    daily_chart(d, t->days, t->n_days, r->currency);
    if (t->n_anomalies) {
        float W = d->right - d->left;
        const struct pdf_col cols[] = {{"Date", W * 0.25f, false},
                                       {"List cost", W * 0.25f, true},
                                       {"Mean day", W * 0.25f, true},
                                       {"Ratio to mean", W * 0.25f, true}};
        struct pdf_table tb = {cols, 4, 8.5f};
        /* the heading, the sentence and the table's first rows go together */
        size_t first = t->n_anomalies < 3 ? t->n_anomalies : 3;
        pdf_heading(d, "Anomalies", 30 + 20 * (float)(1 + first));
        pdf_paragraph(d, d->regular, 8.5f,
                      "Days whose list cost exceeded the anomaly factor times the team's mean "
                      "daily cost this month.",
                      NULL);
        pdf_skip(d, 4);
        pdf_table_begin_with(d, &tb, &(struct pdf_table_flow){.rows = t->n_anomalies});
        for (size_t i = 0; i < t->n_anomalies; i++) {
            const struct report_anomaly *x = &t->anomalies[i];
            char ratio[48] = "-";
            if (x->mean_daily > 0)
                snprintf(ratio, sizeof ratio, "%s", text_factor(x->factor_e2).s);
            const char *cells[] = {x->date, cents(x->list_cost, a, sizeof a),
                                   cents(x->mean_daily, b, sizeof b), ratio};
            pdf_table_row(d, cells, 0, NULL);
        }
        pdf_table_end(d);
    }
    if (t->n_metrics) {
        float W = d->right - d->left;
        char title[96];
        snprintf(title, sizeof title, "Cost per unit (%s)", r->currency);
        const struct pdf_col cols[] = {
            {"Outcome", W * 0.5f, false}, {"Units", W * 0.25f, true}, {title, W * 0.25f, true}};
        struct pdf_table tb = {cols, 3, 8.5f};
        pdf_heading(d, "Unit economics", 40);
        pdf_table_begin_with(d, &tb, &(struct pdf_table_flow){.rows = t->n_metrics});
        for (size_t i = 0; i < t->n_metrics; i++) {
            const struct report_value_metric *m = &t->metrics[i];
            char u[64], cpu[64];
            if (m->units_e6 % 1000000 == 0)
                count(m->units_e6 / 1000000, u, sizeof u);
            else
                micros(m->units_e6, u, sizeof u);
            snprintf(cpu, sizeof cpu, "%s", text_unit_cost(m->cost_per_unit_micros).s);
            const char *cells[] = {m->name, u, cpu};
            pdf_table_row(d, cells, 0, "value metric");
        }
        pdf_table_end(d);
    }
    if (t->n_recommendations) {
        pdf_heading(d, "Recommendations", 40);
        for (size_t i = 0; i < t->n_recommendations; i++) {
            const struct report_recommendation *x = &t->recommendations[i];
            char line[160];
            snprintf(line, sizeof line, "Estimated saving %s %s / month",
                     cents(x->saving, a, sizeof a), r->currency);
            /* the title with its explanation, moved whole to the next page when short */
            float body = pdf_paragraph_height(d, d->regular, 8.5f, x->explanation, NULL);
            float most = PDF_KEEP_LINES * 8.5f * 1.25f;
            pdf_need(d, 14 + (body < most ? body : most));
            d->y -= 12;
            pdf_text(d, d->bold, 9.5f, d->left, d->y, report_rec_title(x->kind));
            HPDF_Page_SetRGBFill(d->page, 0.15f, 0.50f, 0.30f);
            pdf_text_right(d, d->bold, 9.5f, d->right, d->y, line);
            HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
            d->y -= 2;
            pdf_paragraph(d, d->regular, 8.5f, x->explanation, "recommendation");
            pdf_skip(d, 4);
        }
    }
    breakdown(d, "Usage by project", "Project", &t->by_project);
    breakdown(d, "Usage by user", "User", &t->by_user);
    breakdown(d, "Usage by workflow", "Workflow", &t->by_workflow);
    breakdown(d, "Usage by environment", "Environment", &t->by_environment);
    breakdown(d, "Usage by model", "Model", &t->by_model);
}

static const char *budget_state(const struct report_budget *b, char *buf, size_t size)
{
    if (!b->present)
        return "\xE2\x80\x94";
    char p[48];
    pct(b->utilization_e4, p, sizeof p);
    snprintf(buf, size, "%s %s", p, report_budget_state_text(b->state));
    return buf;
}

/* One bar of the spend chart. */
static void team_bar(struct pdf_doc *d, const char *field, const char *name, int64_t total,
                     int64_t max, struct strbuf *c, struct strbuf *cut)
{
    float label_w = 150, row = 14;
    float bx = d->left + label_w, bw_max = d->right - bx - 70;
    pdf_need(d, row);
    d->y -= row;
    pdf_clean(d, name, field, false, c);
    pdf_fit_middle(d, d->regular, 8, label_w - 8, strbuf_cstr(c), cut);
    pdf_text(d, d->regular, 8, d->left, d->y + 3, strbuf_cstr(cut));
    float w = max > 0 ? bw_max * (float)((double)total / (double)max) : 0;
    HPDF_Page_SetRGBFill(d->page, 0.25f, 0.45f, 0.75f);
    pdf_rect(d, bx, d->y + 1, w, row - 4);
    HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    char a[48];
    pdf_text(d, d->regular, 8, bx + w + 4, d->y + 3, cents(total, a, sizeof a));
}

/* Horizontal bars of the largest charges: the report's ranking (total descending, then display
 * order), its first REPORT_CHART_TOP teams and one bar for all others. */
static void team_chart(struct pdf_doc *d, const struct report *r)
{
    size_t shown = r->n_ranked_shown;
    bool others = shown < r->n_teams;
    int64_t max = r->ranked_max;
    struct strbuf c = STRBUF_INIT, cut = STRBUF_INIT;
    for (size_t k = 0; k < shown; k++) {
        const struct report_team *t = &r->teams[r->ranked[k]];
        char *field = xasprintf("name of team %s", t->id);
        team_bar(d, field, t->name, t->total, max, &c, &cut);
        free(field);
    }
    if (others) {
        char *name = xasprintf("%zu other teams", r->n_teams - shown);
        team_bar(d, "others", name, r->ranked_others_total, max, &c, &cut);
        free(name);
    }
    strbuf_free(&c);
    strbuf_free(&cut);
}

/* The Cost report beside the list price (reconcile.h): by model and token type, by day, and the
 * billed amounts by workspace. */
static void recon_tables(struct pdf_doc *d, const struct report *r, float W)
{
    const struct recon *x = r->recon;
    char a[40], b[40], c[40];
    if (x->n_lines) {
        const struct pdf_col cols[] = {{"Model", W * 0.30f, false},
                                       {"Cost", W * 0.25f, false},
                                       {"List price", W * 0.15f, true},
                                       {"Billed", W * 0.15f, true},
                                       {"Difference", W * 0.15f, true}};
        struct pdf_table tb = {cols, 5, 8.f};
        pdf_heading(d, "Reconciliation by model and token type", 40);
        pdf_table_begin(d, &tb);
        for (size_t i = 0; i < x->n_lines; i++) {
            const struct recon_line *l = &x->lines[i];
            const char *cells[] = {recon_model_label(l->model), recon_kind_label(l->kind),
                                   cents(l->computed, a, sizeof a), cents(l->billed, b, sizeof b),
                                   cents(l->billed - l->computed, c, sizeof c)};
            pdf_table_row(d, cells, i % 2 ? 2 : 0, "model");
        }
        const char *tot[] = {"Total", "", cents(x->computed, a, sizeof a),
                             cents(x->billed, b, sizeof b),
                             cents(x->billed - x->computed, c, sizeof c)};
        pdf_table_row(d, tot, 1, "model");
        pdf_table_end(d);
        pdf_paragraph(d, d->regular, 7.5f,
                      "Each row is rounded to the cent once from its exact sum, so rows may differ "
                      "from the total by a cent each. The list price here is what the provider "
                      "bills for: the internal rates of skills and MCP operations are not in it.",
                      "note");
    }
    if (x->n_days) {
        const struct pdf_col cols[] = {{"Day", W * 0.40f, false},
                                       {"List price", W * 0.20f, true},
                                       {"Billed", W * 0.20f, true},
                                       {"Difference", W * 0.20f, true}};
        struct pdf_table tb = {cols, 4, 8.f};
        pdf_heading(d, "Reconciliation by day", 40);
        pdf_table_begin(d, &tb);
        for (size_t i = 0; i < x->n_days; i++) {
            char day[16];
            snprintf(day, sizeof day, "%s-%02d", r->month, x->days[i].day);
            const char *cells[] = {day, cents(x->days[i].computed, a, sizeof a),
                                   cents(x->days[i].billed, b, sizeof b),
                                   cents(x->days[i].billed - x->days[i].computed, c, sizeof c)};
            pdf_table_row(d, cells, i % 2 ? 2 : 0, "day");
        }
        pdf_table_end(d);
    }
    if (x->n_workspaces) {
        const struct pdf_col cols[] = {{"Workspace", W * 0.7f, false}, {"Billed", W * 0.3f, true}};
        struct pdf_table tb = {cols, 2, 8.f};
        pdf_heading(d, "Billed by workspace", 40);
        pdf_table_begin(d, &tb);
        for (size_t i = 0; i < x->n_workspaces; i++) {
            const char *cells[] = {x->workspaces[i].workspace ? x->workspaces[i].workspace
                                                              : "(default workspace)",
                                   cents(x->workspaces[i].billed, a, sizeof a)};
            pdf_table_row(d, cells, i % 2 ? 2 : 0, "workspace");
        }
        pdf_table_end(d);
    }
}

/* Where the month came from, as a label/value block: each input file (path, format and records,
 * SHA-256), the price book, the record counts, the rejects with their examples, the tool. */
static void provenance(struct pdf_doc *d, const struct report *r)
{
    size_t cap = 3 * r->n_files + 4 + r->n_rejects, n = 0;
    struct pdf_label *rows = xcalloc(cap, sizeof *rows);
    char **owned = xcalloc(cap, sizeof *owned);
    char n1[32], n2[32], n3[32], n4[32], n5[32];
    for (size_t i = 0; i < r->n_files; i++) {
        const struct report_file *f = &r->files[i];
        rows[n++] = (struct pdf_label){r->n_files > 1 ? "Input file" : "Input", f->path,
                                       "input file", false};
        owned[n] = xasprintf("%s, %s records", f->format, count(f->records, n1, sizeof n1));
        rows[n] = (struct pdf_label){"Format", owned[n], "input file", false};
        n++;
        rows[n++] = (struct pdf_label){"SHA-256", f->sha256, NULL, true};
    }
    owned[n] = xasprintf("checked %s", r->price_book_checked);
    rows[n] = (struct pdf_label){"Price book", owned[n], NULL, false};
    n++;
    rows[n++] = (struct pdf_label){"Price book SHA-256", r->price_book_sha256, NULL, true};
    owned[n] =
        xasprintf("read %s, billed %s, rejected %s, duplicates %s, outside the period %s",
                  count(r->records_read, n1, sizeof n1), count(r->records_billed, n2, sizeof n2),
                  count(r->records_rejected, n3, sizeof n3), count(r->duplicates, n4, sizeof n4),
                  count(r->outside_period, n5, sizeof n5));
    rows[n] = (struct pdf_label){"Records", owned[n], NULL, false};
    n++;
    for (size_t i = 0; i < r->n_rejects; i++) {
        const struct report_reject_reason *x = &r->rejects[i];
        struct strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%s: %s", x->reason, count(x->count, n1, sizeof n1));
        for (size_t k = 0; k < x->n_examples; k++)
            strbuf_printf(&sb, "\ne.g. %s", x->examples[k]);
        owned[n] = xstrdup(strbuf_cstr(&sb));
        strbuf_free(&sb);
        rows[n] = (struct pdf_label){"Rejected", owned[n], "reject example", false};
        n++;
    }
    owned[n] = xasprintf("chargeback %s", r->tool_version ? r->tool_version : "");
    rows[n] = (struct pdf_label){"Tool", owned[n], NULL, false};
    n++;
    pdf_heading(d, "Input provenance", 60);
    pdf_labels(d, 96, rows, n);
    for (size_t i = 0; i < n; i++)
        free(owned[i]);
    free(owned);
    free(rows);
}

static void summary(struct pdf_doc *d, const struct report *r)
{
    char sub[512], a[48], b[48], c[48], e[48];
    float W = d->right - d->left;
    if (r->revision > 1)
        snprintf(sub, sizeof sub,
                 "AI usage chargeback for %s, all teams. Revision %d: supersedes the month "
                 "signed off by %s on %.10s.",
                 r->period_label, r->revision, r->supersedes.signed_by, r->supersedes.signed_at);
    else
        snprintf(sub, sizeof sub, "AI usage chargeback for %s, all teams", r->period_label);
    const char *keys[] = {"Period", "Issued", "Issuer", "Currency"};
    const char *vals[] = {r->month, r->issue_date, r->issuer, r->currency};
    doc_header(d, r, explain_summary_title(r->shadow), NULL, sub, keys, vals, 4);
    char charged[80], nteams[48];
    snprintf(charged, sizeof charged, "%s %s", cents(r->totals.charged, a, sizeof a), r->currency);
    snprintf(nteams, sizeof nteams, "%s", text_count((int64_t)r->n_teams).s);
    const char *kl[] = {explain_charged_label(r->shadow), "Teams' usage at list price",
                        "Unallocated", "Teams"};
    const char *kv_[] = {charged, cents(r->totals.list_cost, b, sizeof b),
                         cents(r->totals.unallocated, c, sizeof c), nteams};
    kpis(d, kl, kv_, 4);

    /* every document lists teams in r->order; with --previous two columns more */
    bool mom = r->mom.present;
    struct pdf_col tcols_plain[] = {
        {"Team", W * 0.18f, false},        {"Invoice", W * 0.24f, false},
        {"Cost center", W * 0.11f, false}, {"Total", W * 0.11f, true},
        {"Share", W * 0.09f, true},        {"List cost", W * 0.11f, true},
        {"Budget", W * 0.16f, true}};
    /* with --previous the budget column shows the utilization only (the state is in "Budgets
     * crossed" below), so invoice numbers keep a line of their own */
    struct pdf_col tcols_mom[] = {{"Team", W * 0.12f, false},
                                  {"Invoice", W * 0.24f, false},
                                  {"Cost center", W * 0.10f, false},
                                  {"Total", W * 0.095f, true},
                                  {REPORT_MOM_PREVIOUS, W * 0.09f, true},
                                  {REPORT_MOM_CHANGE, W * 0.095f, true},
                                  {"Share", W * 0.09f, true},
                                  {"List cost", W * 0.08f, true},
                                  {"Budget", W * 0.09f, true}};
    struct pdf_table tt = {mom ? tcols_mom : tcols_plain, mom ? 9 : 7, 7.5f};
    pdf_heading(d, "Teams", 50);
    /* Invoice numbers at one size down the column, the size the widest needs. A shadow month's
     * (SHADOW-ACME-2026-10-ENGINEERING) are wider than the column at the body size: the column
     * first takes, 2 pt at a time, up to a third of the budget column (its states wrap between
     * words) and a quarter of the team column (past that, names broke inside words), and only
     * then is the widest set smaller. */
    const char *widest = NULL;
    float inv_size = tt.size;
    for (size_t i = 0; i < r->n_teams; i++) {
        float z = pdf_table_id_size(d, &tt, 1, r->teams[i].invoice_number);
        if (z < inv_size || !widest) {
            inv_size = z;
            widest = r->teams[i].invoice_number;
        }
    }
    struct pdf_col *tc = mom ? tcols_mom : tcols_plain, *budget = &tc[tt.n - 1];
    float from_budget = budget->width / 3, from_team = tc[0].width / 4;
    while (widest && inv_size < tt.size && (from_budget >= 2 || from_team >= 2)) {
        struct pdf_col *giver = from_budget >= 2 ? budget : &tc[0];
        *(giver == budget ? &from_budget : &from_team) -= 2;
        giver->width -= 2;
        tc[1].width += 2;
        inv_size = pdf_table_id_size(d, &tt, 1, widest);
    }
    pdf_table_begin_with(d, &tt,
                         &(struct pdf_table_flow){.rows = r->n_teams + 1,
                                                  .id_cols = 1u << 1 | 1u << 2,
                                                  .id_size = {[1] = inv_size}});
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[r->order[i]];
        char bs[96], pv[48], dl[128], p2[48];
        const char *cells[9];
        size_t k = 0;
        cells[k++] = t->name;
        cells[k++] = t->invoice_number;
        cells[k++] = t->cost_center;
        cells[k++] = cents(t->total, a, sizeof a);
        if (mom) {
            cells[k++] = t->mom.present ? cents(t->mom.previous_total, pv, sizeof pv) : "new";
            if (t->mom.present && t->mom.has_pct)
                snprintf(dl, sizeof dl, "%s (%s)", cents(t->mom.delta_total, e, sizeof e),
                         pct(t->mom.delta_pct_e4, p2, sizeof p2));
            else
                snprintf(dl, sizeof dl, "%s",
                         t->mom.present ? cents(t->mom.delta_total, e, sizeof e) : "");
            cells[k++] = dl;
        }
        cells[k++] = pct(t->share_e4, b, sizeof b);
        cells[k++] = cents(t->list_cost, c, sizeof c);
        cells[k++] = !mom                ? budget_state(&t->budget, bs, sizeof bs)
                     : t->budget.present ? pct(t->budget.utilization_e4, bs, sizeof bs)
                                         : "\xE2\x80\x94";
        char *field = xasprintf("name of team %s", t->id);
        pdf_table_row(d, cells, i % 2 ? 2 : 0, field);
        free(field);
    }
    {
        char share_sum[48], pv[48], dl[128], p2[48];
        int64_t shares = 0;
        for (size_t i = 0; i < r->n_teams; i++)
            shares += r->teams[i].share_e4;
        const char *cells[9];
        size_t k = 0;
        cells[k++] = "All teams";
        cells[k++] = "";
        cells[k++] = "";
        cells[k++] = cents(r->totals.charged, a, sizeof a);
        if (mom) {
            cells[k++] = cents(r->mom.previous_total, pv, sizeof pv);
            if (r->mom.has_pct)
                snprintf(dl, sizeof dl, "%s (%s)", cents(r->mom.delta_total, e, sizeof e),
                         pct(r->mom.delta_pct_e4, p2, sizeof p2));
            else
                snprintf(dl, sizeof dl, "%s", cents(r->mom.delta_total, e, sizeof e));
            cells[k++] = dl;
        }
        cells[k++] = pct(shares, share_sum, sizeof share_sum);
        cells[k++] = cents(r->totals.list_cost, b, sizeof b);
        cells[k++] = "";
        pdf_table_row(d, cells, 1, NULL);
    }
    pdf_table_end(d);
    if (r->mom_note && *r->mom_note)
        pdf_paragraph(d, d->regular, 8, r->mom_note, "month over month");
    budgets_crossed_block(d, r);

    pdf_heading(d,
                r->n_ranked_shown < r->n_teams
                    ? "Largest charges (ranked by amount: the top 15, then all other teams)"
                    : "Charges by team (ranked by amount)",
                40);
    team_chart(d, r);
    comparison_block(d, r, SIZE_MAX);

    if (r->revision > 1) {
        /* the last heading is the longest: a column wide enough to leave a gap before it */
        const struct pdf_col scols[] = {{"Team", W * 0.22f, false},
                                        {"Superseded invoice", W * 0.24f, false},
                                        {REPORT_REVISION_PREVIOUS, W * 0.17f, true},
                                        {REPORT_REVISION_THIS, W * 0.15f, true},
                                        {REPORT_REVISION_SETTLE, W * 0.22f, true}};
        struct pdf_table st = {scols, 5, 8.5f};
        pdf_heading(d, "Corrected revision: what remains to settle", 40);
        pdf_table_begin_with(d, &st, &(struct pdf_table_flow){.id_cols = 1u << 1});
        for (size_t i = 0; i < r->n_teams; i++) {
            const struct report_team *t = &r->teams[r->order[i]];
            if (!t->revision.present)
                continue;
            const char *cells[] = {t->name, t->supersedes_invoice ? t->supersedes_invoice : "",
                                   cents(t->revision.previous_total, a, sizeof a),
                                   cents(t->total, b, sizeof b),
                                   cents(t->revision.difference, c, sizeof c)};
            pdf_table_row(d, cells, i % 2 ? 2 : 0, "team name");
        }
        /* the teams this revision no longer invoices: reversed, not replaced */
        for (size_t i = 0; i < r->supersedes.n_gone; i++) {
            const struct report_superseded_invoice *x =
                &r->supersedes.invoices[r->supersedes.gone[i]];
            char *name = xasprintf("%s (%s)", x->name, REPORT_REVISION_GONE);
            const char *cells[] = {name, x->invoice_number, cents(x->total, a, sizeof a),
                                   cents(0, b, sizeof b), cents(-x->total, c, sizeof c)};
            pdf_table_row(d, cells, (r->n_teams + i) % 2 ? 2 : 0, "team name");
            free(name);
        }
        const char *all[] = {
            REPORT_REVISION_ALL, "", cents(r->supersedes.previous_total, a, sizeof a),
            cents(r->totals.charged, b, sizeof b), cents(r->supersedes.difference, c, sizeof c)};
        pdf_table_row(d, all, 1, NULL);
        pdf_table_end(d);
    }

    {
        char ul[48];
        /* the summary bridge of the model, step for step: it adds up to the total charged */
        const struct pdf_col bcols[] = {{"Step", W * 0.78f, false}, {"Amount", W * 0.22f, true}};
        struct pdf_table bt = {bcols, 2, 8.5f};
        pdf_heading(d, "How the charges add up", 40);
        pdf_table_begin(d, &bt);
        for (size_t i = 0; i < r->totals.n_bridge; i++) {
            const char *cells[] = {r->totals.bridge[i].label,
                                   cents(r->totals.bridge[i].amount, a, sizeof a)};
            pdf_table_row(d, cells, i % 2 ? 2 : 0, "bridge step");
        }
        const char *result[] = {explain_charged_label(r->shadow),
                                cents(r->totals.charged, a, sizeof a)};
        pdf_table_row(d, result, 1, NULL);
        pdf_table_end(d);
        char line[512];
        snprintf(line, sizeof line,
                 "Unallocated usage (policy \"%s\"): %s requests, %s at list price.",
                 r->unallocated_policy, count(r->unallocated_usage.requests, e, sizeof e),
                 cents(r->unallocated_list_cost, ul, sizeof ul));
        pdf_heading(d, "Unallocated", 30);
        pdf_paragraph(d, d->regular, 9, line, "unallocated policy");
        if (r->n_unallocated_lines) {
            const struct pdf_col cols[] = {{"Description", W * 0.46f, false},
                                           {"Quantity", W * 0.17f, true},
                                           {"Unit price", W * 0.20f, true},
                                           {"Amount", W * 0.17f, true}};
            struct pdf_table tb = {cols, 4, 8.5f};
            pdf_skip(d, 4);
            pdf_table_begin(d, &tb);
            for (size_t i = 0; i < r->n_unallocated_lines; i++)
                line_row(d, &r->unallocated_lines[i]);
            pdf_table_end(d);
        }
    }
    if (r->reconciliation_text && *r->reconciliation_text) {
        const char *source = r->provider_from_cost_report
                                 ? "The provider total comes from the Cost report among the inputs."
                                 : "The provider total comes from the configuration.";
        /* the paragraph and where its total comes from stay together under the heading */
        float keep = pdf_paragraph_height(d, d->regular, 9, r->reconciliation_text, NULL) +
                     pdf_paragraph_height(d, d->regular, 8, source, NULL);
        pdf_heading(d, "Reconciliation", keep < 200 ? keep : 30);
        pdf_paragraph(d, d->regular, 9, r->reconciliation_text, "reconciliation");
        pdf_paragraph(d, d->regular, 8, source, "reconciliation");
    }
    if (r->recon)
        recon_tables(d, r, W);
    if (r->n_warnings) {
        pdf_heading(d, "Notes on the data", 30);
        struct strbuf sb = {0};
        for (size_t i = 0; i < r->n_warnings && i < REPORT_NOTES_SHOWN; i++) {
            strbuf_reset(&sb);
            strbuf_printf(&sb, "\xe2\x80\xa2 %s", r->warnings[i]);
            pdf_paragraph(d, d->regular, 8.5f, strbuf_cstr(&sb), "note");
        }
        if (r->n_warnings > REPORT_NOTES_SHOWN) {
            strbuf_reset(&sb);
            strbuf_printf(&sb, "and %zu more notes: report.json lists every one",
                          r->n_warnings - REPORT_NOTES_SHOWN);
            pdf_paragraph(d, d->regular, 8, strbuf_cstr(&sb), "note");
        }
        strbuf_free(&sb);
    }
    if (r->method && *r->method) {
        pdf_heading(d, "How charges were computed", 30);
        pdf_paragraph(d, d->regular, 9, r->method, "method");
    }
    glossary_block(d, r, NULL);
    size_t n_covered = 0;
    for (size_t i = 0; i < r->n_coverage; i++)
        n_covered += r->coverage[i].list_cost != 0;
    if (r->n_coverage && !n_covered) {
        pdf_heading(d, "Tag coverage", 20);
        pdf_paragraph(d, d->regular, 8.5f, "No usage carried these tags.", NULL);
    } else if (n_covered) {
        const struct pdf_col cols[] = {{"Tag", W * 0.5f, false},
                                       {"List cost carrying it", W * 0.3f, true},
                                       {"Share", W * 0.2f, true}};
        struct pdf_table tb = {cols, 3, 8.5f};
        pdf_heading(d, "Tag coverage", 40);
        pdf_table_begin(d, &tb);
        /* rows without cost say nothing; the table lists the tags usage carried */
        for (size_t i = 0, k = 0; i < r->n_coverage; i++) {
            if (!r->coverage[i].list_cost)
                continue;
            const char *cells[] = {r->coverage[i].tag, cents(r->coverage[i].list_cost, a, sizeof a),
                                   pct(r->coverage[i].share_e4, b, sizeof b)};
            pdf_table_row(d, cells, k++ % 2 ? 2 : 0, "tag");
        }
        pdf_table_end(d);
    }
    pdf_heading(d, "Daily trend (list price, all teams)", 150);
    daily_chart(d, r->days, r->n_days, r->currency);
    breakdown(d, "Top projects", "Project", &r->top_projects);
    breakdown(d, "Top users", "User", &r->top_users);
    breakdown(d, "Usage by model", "Model", &r->by_model);
    if (report_pools_used(r))
        breakdown(d, "Shared pools", "Pool", &r->shared_pools);

    provenance(d, r);
}

/* Renders one document into path with the given body. */
static enum cb_status render_one(const struct report *r, const struct pdf_fonts *fonts,
                                 const struct report_team *t, const char *path,
                                 struct cb_error *err)
{
    struct pdf_doc d;
    char *who = t ? xasprintf("team %s", t->id) : xstrdup("summary");
    char *title = t ? xasprintf("%s %s", explain_invoice_title(r->shadow), t->invoice_number)
                    : xasprintf("%s %s", explain_summary_title(r->shadow), r->month);
    char *left = NULL;
    /* libharu copies the title into the XMP packet unescaped: keep it to plain ASCII */
    for (char *p = title; *p; p++)
        if (!(*p >= 'A' && *p <= 'Z') && !(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
            !strchr(" .-_", *p))
            *p = '-';
    enum cb_status st =
        pdf_doc_open(&d, fonts, r->paper, r->shadow, r->issue_date, title, who, err);
    if (st != CB_OK)
        goto cleanup;
    if (t)
        invoice(&d, r, t);
    else
        summary(&d, r);
    if (t)
        left = xasprintf("%s%s \xC2\xB7 %s \xC2\xB7 %s", r->shadow ? "SHADOW \xE2\x80\x94 " : "",
                         t->invoice_number, t->name, r->organization);
    else
        left = xasprintf("%sChargeback summary %s \xC2\xB7 %s",
                         r->shadow ? "SHADOW \xE2\x80\x94 " : "", r->month, r->organization);
    pdf_doc_footers(&d, left, r->footer ? r->footer : "");
    char *seed = xasprintf("chargeback %s %s %s%s", r->tool_version ? r->tool_version : "",
                           r->month, t ? t->invoice_number : "summary", r->shadow ? " shadow" : "");
    pdf_doc_identify(&d, seed, !r->shadow);
    free(seed);
    st = pdf_doc_save(&d, path, err);
cleanup:
    pdf_doc_free(&d);
    free(left);
    free(title);
    free(who);
    return st;
}

struct pdf_job {
    const struct report *r;
    const struct pdf_fonts *fonts;
    const char *dir;
};

static enum cb_status team_job(size_t i, void *ctx, struct cb_error *err)
{
    const struct pdf_job *j = ctx;
    const struct report_team *t = &j->r->teams[i];
    char *path = xasprintf("%s/teams/%s.pdf", j->dir, t->slug);
    enum cb_status st = render_one(j->r, j->fonts, t, path, err);
    free(path);
    return st;
}

enum cb_status render_pdf(const struct report *r, const struct render_dest *d, struct cb_error *err)
{
    struct pdf_fonts fonts = {0};
    char *path = NULL;
    enum cb_status st = pdf_fonts_load(&fonts, d->fonts_dir, err);
    if (st != CB_OK)
        goto cleanup;
    struct pdf_job job = {.r = r, .fonts = &fonts, .dir = d->dir};
    st = render_each(d, r->n_teams, team_job, &job, err);
    if (st != CB_OK)
        goto cleanup;
    path = paths_join(d->dir, "summary.pdf");
    st = render_one(r, &fonts, NULL, path, err);
cleanup:
    free(path);
    pdf_fonts_warn(&fonts);
    pdf_fonts_free(&fonts);
    return st;
}

/* charges.csv (a journal import: one row per invoice line of every team) and focus.csv (the
 * same lines as FinOps FOCUS 1.2 rows). RFC 4180: CRLF line ends, fields quoted when they hold
 * a comma, quote, CR or LF. Text cells starting with = + - @ TAB or CR are neutralized against
 * formula injection by a leading single quote; numeric columns are written as plain numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "money.h"
#include "paths.h"
#include "render.h"
#include "strbuf.h"

/* Appends one text cell (neutralized, quoted as needed), preceded by a comma unless first. */
static void cell_text(struct strbuf *b, const char *s, bool first)
{
    if (!first)
        strbuf_putc(b, ',');
    if (!s)
        s = "";
    bool neutral = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        strbuf_putc(b, '"');
    if (neutral)
        strbuf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            strbuf_putc(b, '"');
        strbuf_putc(b, *p);
    }
    if (quote)
        strbuf_putc(b, '"');
}

/* Appends a numeric cell as is (digits, sign, point: never quoted or neutralized). */
static void cell_num(struct strbuf *b, const char *s)
{
    strbuf_putc(b, ',');
    strbuf_puts(b, s);
}

static void end_row(struct strbuf *b)
{
    strbuf_puts(b, "\r\n");
}

/* Micro-USD with at least two places, trailing zeros trimmed beyond: "3.00", "0.0001". */
static void format_price(int64_t micros, char *buf, size_t size)
{
    money_format_fixed(micros, 6, 6, buf, size);
    size_t n = strlen(buf);
    while (n >= 4 && buf[n - 1] == '0' && buf[n - 3] != '.')
        buf[--n] = '\0';
}

/* quantity / per as a plain decimal without trailing zeros: 2500000 / 10^6 -> "2.5". */
static void format_ratio(int64_t quantity, int64_t per, char *buf, size_t size)
{
    int scale = 0;
    for (int64_t p = per; p >= 10 && p % 10 == 0; p /= 10)
        scale++;
    money_format_fixed(quantity, scale, scale, buf, size);
    if (scale == 0)
        return;
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

static enum cb_status write_file(const char *dir, const char *name, struct strbuf *b,
                                 struct cb_error *err)
{
    char *path = paths_join(dir, name);
    enum cb_status st = CB_OK;
    FILE *f = NULL;
    if (b->overflow) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "output too large");
        goto cleanup;
    }
    f = fopen(path, "wb");
    if (!f) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
    if (fclose(f) != 0 && st == CB_OK)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "write failed: %s", strerror(errno));
cleanup:
    free(path);
    return st;
}

enum cb_status render_csv(const struct report *r, const struct render_dest *d, struct cb_error *err)
{
    struct strbuf b = STRBUF_INIT;
    strbuf_puts(&b, "period,invoice_number,team,cost_center,gl_account,kind,description,quantity,"
                    "unit_price,amount,currency");
    end_row(&b);
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        for (size_t k = 0; k < t->n_lines; k++) {
            const struct report_line *l = &t->lines[k];
            char num[64];
            cell_text(&b, r->month, true);
            cell_text(&b, t->invoice_number, false);
            cell_text(&b, t->id, false);
            cell_text(&b, t->cost_center, false);
            cell_text(&b, t->gl_account, false);
            cell_text(&b, report_line_kind_name(l->kind), false);
            cell_text(&b, l->description, false);
            snprintf(num, sizeof num, "%lld", (long long)l->quantity);
            cell_num(&b, num);
            format_price(l->unit_price_micros, num, sizeof num);
            cell_num(&b, num);
            money_format(l->amount, num, sizeof num);
            cell_num(&b, num);
            cell_text(&b, r->currency, false);
            end_row(&b);
        }
    }
    enum cb_status st = write_file(d->dir, "charges.csv", &b, err);
    strbuf_free(&b);
    return st;
}

/* FOCUS ChargeCategory: consumption and its allocations are Usage; the true-up and the
 * platform overhead and markup modify the list-price charge after the fact, which FOCUS calls
 * an Adjustment (they are neither Tax nor a Purchase of a commitment). */
static const char *focus_category(enum line_kind k)
{
    switch (k) {
    case LINE_TRUE_UP:
    case LINE_OVERHEAD:
    case LINE_MARKUP: return "Adjustment";
    default: return "Usage";
    }
}

static const char *focus_unit(const struct report_line *l, bool consumed)
{
    switch (l->kind) {
    case LINE_INPUT:
    case LINE_OUTPUT:
    case LINE_CACHE_READ:
    case LINE_CACHE_WRITE_5M:
    case LINE_CACHE_WRITE_1H:
    case LINE_TIER: return consumed ? "Tokens" : "1000000 Tokens";
    case LINE_WEB_SEARCH: return consumed ? "Searches" : "1000 Searches";
    case LINE_SKILL:
    case LINE_MCP: return "Calls";
    default: return "Allocations";
    }
}

enum cb_status render_focus(const struct report *r, const struct render_dest *d,
                            struct cb_error *err)
{
    struct strbuf b = STRBUF_INIT;
    strbuf_puts(&b, "BilledCost,EffectiveCost,ListCost,ContractedCost,BillingAccountId,"
                    "BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
                    "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,"
                    "ChargeDescription,PricingQuantity,PricingUnit,ListUnitPrice,"
                    "ConsumedQuantity,ConsumedUnit,ProviderName,PublisherName,"
                    "InvoiceIssuerName,InvoiceId,SubAccountId,SubAccountName,ServiceName,"
                    "ServiceCategory,Tags");
    end_row(&b);
    const char *issuer = r->issuer && r->issuer[0] ? r->issuer : r->organization;
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        json_t *tags = json_object();
        json_object_set_new(tags, "team", json_string(t->id));
        json_object_set_new(tags, "cost_center", json_string(t->cost_center ? t->cost_center : ""));
        char *tag_text = json_dumps(tags, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(tags);
        for (size_t k = 0; k < t->n_lines; k++) {
            const struct report_line *l = &t->lines[k];
            char amount[64], num[64];
            money_format(l->amount, amount, sizeof amount);
            strbuf_puts(&b, amount); /* BilledCost */
            cell_num(&b, amount);    /* EffectiveCost */
            cell_num(&b, amount);    /* ListCost: internal charges are at list price */
            cell_num(&b, amount);    /* ContractedCost */
            cell_text(&b, r->organization, false);
            cell_text(&b, r->organization, false);
            cell_text(&b, r->currency, false);
            cell_text(&b, r->period_start, false);
            cell_text(&b, r->period_end, false);
            cell_text(&b, r->period_start, false);
            cell_text(&b, r->period_end, false);
            cell_text(&b, focus_category(l->kind), false);
            cell_text(&b, "", false); /* ChargeClass: no corrections of earlier periods */
            cell_text(&b, l->description, false);
            format_ratio(l->quantity, l->per > 0 ? l->per : 1, num, sizeof num);
            cell_num(&b, num);
            cell_text(&b, focus_unit(l, false), false);
            format_price(l->unit_price_micros, num, sizeof num);
            cell_num(&b, num);
            snprintf(num, sizeof num, "%lld", (long long)l->quantity);
            cell_num(&b, num);
            cell_text(&b, focus_unit(l, true), false);
            cell_text(&b, "Anthropic", false);
            cell_text(&b, "Anthropic", false);
            cell_text(&b, issuer, false);
            cell_text(&b, t->invoice_number, false);
            cell_text(&b, t->id, false);
            cell_text(&b, t->name, false);
            cell_text(&b, "Claude API", false);
            cell_text(&b, "AI and Machine Learning", false);
            cell_text(&b, tag_text ? tag_text : "{}", false);
            end_row(&b);
        }
        free(tag_text);
    }
    enum cb_status st = write_file(d->dir, "focus.csv", &b, err);
    strbuf_free(&b);
    return st;
}

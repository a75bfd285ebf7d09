/* charges.csv (a journal import: one row per invoice line of every team, UTF-8 with a BOM, and
 * a balancing credit line per invoice when journal.credit_account is set) and focus.csv (the
 * same lines as FinOps FOCUS 1.2 rows, no BOM: docs/focus.md says why). RFC 4180: CRLF line ends,
 * fields quoted when they hold a comma, quote, CR or LF. Text cells starting with TAB, CR or LF, or
 * with = + - @ after any spaces, are neutralized against formula injection by a leading single
 * quote; numeric columns are written as plain numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "money.h"
#include "paths.h"
#include "render.h"
#include "strbuf.h"
#include "xalloc.h"

/* Appends one text cell (neutralized, quoted as needed), preceded by a comma unless first. */
static void cell_text(struct strbuf *b, const char *s, bool first)
{
    if (!first)
        strbuf_putc(b, ',');
    if (!s)
        s = "";
    /* a spreadsheet reads "  =cmd()" and "\n=cmd()" as formulas too: blanks are skipped */
    bool neutral = s[0] && strchr("\t\r\n", s[0]) != NULL;
    for (const char *p = s; *p && !neutral; p++)
        if (*p != ' ') {
            neutral = strchr("=+-@", *p) != NULL;
            break;
        }
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

/* A CSV file written as it is made: rows gather in `b` and go to the file in pieces of about
 * CSV_PIECE bytes, so memory does not grow with the file (focus.csv of a 1,000-team month is
 * 138 MB). csv_close reports the first failure, naming the file. */
#define CSV_PIECE ((size_t)1 << 20)

struct csv_out {
    char *path;
    FILE *f;
    struct strbuf b;
    int error; /* errno of the first failed write, or -1 for a row too large */
};

static enum cb_status csv_open(struct csv_out *o, const char *dir, const char *name,
                               struct cb_error *err)
{
    *o = (struct csv_out){.path = paths_join(dir, name), .b = STRBUF_INIT};
    o->f = fopen(o->path, "wb");
    if (o->f)
        return CB_OK;
    enum cb_status st =
        cb_error_set(err, CB_EIO, o->path, 0, NULL, "cannot create: %s", strerror(errno));
    free(o->path);
    return st;
}

static void csv_write_out(struct csv_out *o)
{
    if (o->b.overflow && !o->error)
        o->error = -1;
    errno = 0;
    if (!o->error && o->b.len && fwrite(o->b.data, 1, o->b.len, o->f) != o->b.len)
        o->error = errno ? errno : EIO;
    strbuf_reset(&o->b);
}

/* After each row or group of rows: writes what has gathered once it is a piece. */
static void csv_flush(struct csv_out *o)
{
    if (o->b.len >= CSV_PIECE || o->b.overflow)
        csv_write_out(o);
}

static enum cb_status csv_close(struct csv_out *o, struct cb_error *err)
{
    csv_write_out(o);
    errno = 0;
    if (fclose(o->f) != 0 && !o->error)
        o->error = errno ? errno : EIO;
    enum cb_status st = CB_OK;
    if (o->error == -1)
        st = cb_error_set(err, CB_EIO, o->path, 0, NULL, "output too large");
    else if (o->error)
        st = cb_error_set(err, CB_EIO, o->path, 0, NULL, "write failed: %s", strerror(o->error));
    strbuf_free(&o->b);
    free(o->path);
    return st;
}

/* The UTF-8 byte-order mark: Excel and LibreOffice read a CSV without it in the system's
 * legacy code page ("Ã‰quipe DonnÃ©es"). */
#define CSV_BOM "\xEF\xBB\xBF"

/* Whom a charges.csv row posts for: the invoice it belongs to and the team's fields beside it. */
struct charges_party {
    const char *invoice_number, *team, *name, *cost_center, *reference;
};

/* One charges.csv row; account is the team's gl_account for its lines, the credit account on
 * the balancing line; reverses is the invoice number a reversal row reverses, else "". */
static void charges_row(struct strbuf *b, const struct report *r, const struct charges_party *p,
                        const char *account, const char *kind, const char *description,
                        const char *quantity, const char *unit_price, int64_t amount,
                        const char *reverses)
{
    char num[64];
    cell_text(b, r->month, true);
    cell_text(b, r->issue_date, false);
    cell_text(b, r->shadow ? "" : r->due_date, false);
    cell_text(b, p->invoice_number, false);
    cell_text(b, p->team, false);
    cell_text(b, p->name, false);
    cell_text(b, p->cost_center, false);
    cell_text(b, p->reference, false);
    cell_text(b, account, false);
    cell_text(b, kind, false);
    cell_text(b, description, false);
    cell_num(b, quantity);
    cell_num(b, unit_price);
    money_format(amount, num, sizeof num);
    cell_num(b, num);
    cell_text(b, r->currency, false);
    cell_text(b, reverses, false);
    end_row(b);
}

/* A corrected revision first takes back an invoice of the month it supersedes, as that month
 * posted it: −(its total) to the team's account and, when that month balanced against a credit
 * account, +(its total) there, both under the superseded invoice's number. The signed month's
 * rows and these net to zero, so the two files together post the revision's totals. */
static void charges_reversal(struct strbuf *b, const struct report *r,
                             const struct report_superseded_invoice *x)
{
    const struct charges_party p = {x->invoice_number, x->team, x->name, x->cost_center,
                                    x->reference};
    char *text = xasprintf("Reversal of invoice %s (superseded by revision %d)", x->invoice_number,
                           r->revision);
    charges_row(b, r, &p, x->gl_account, "reversal", text, "", "", -x->total, x->invoice_number);
    free(text);
    if (r->supersedes.credit_account && r->supersedes.credit_account[0]) {
        text = xasprintf("Reversal of the recharge of invoice %s", x->invoice_number);
        charges_row(b, r, &p, r->supersedes.credit_account, "credit", text, "", "", x->total,
                    x->invoice_number);
        free(text);
    }
}

/* charges.csv: every invoice's lines, teams in r->order; with journal.credit_account each
 * invoice ends with a credit line of −(its total), so its rows net to zero. A corrected
 * revision writes before each team's invoice the reversal of its superseded one, and after the
 * teams the reversals of the superseded invoices of teams it no longer invoices. */
enum cb_status render_csv(const struct report *r, const struct render_dest *d, struct cb_error *err)
{
    struct csv_out o;
    enum cb_status st = csv_open(&o, d->dir, "charges.csv", err);
    if (st != CB_OK)
        return st;
    struct strbuf *b = &o.b;
    bool journal = r->credit_account && r->credit_account[0];
    strbuf_puts(b, CSV_BOM "period,posting_date,due_date,invoice_number,team,team_name,"
                           "cost_center,reference,gl_account,kind,description,quantity,"
                           "unit_price,amount,currency,reverses_invoice");
    end_row(b);
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[r->order[i]];
        const struct charges_party p = {t->invoice_number, t->id, t->name, t->cost_center,
                                        t->reference};
        if (r->revision > 1 && t->superseded)
            charges_reversal(b, r, t->superseded);
        for (size_t k = 0; k < t->n_lines; k++) {
            const struct report_line *l = &t->lines[k];
            char quantity[32], price[64];
            snprintf(quantity, sizeof quantity, "%lld", (long long)l->quantity);
            format_price(l->unit_price_micros, price, sizeof price);
            charges_row(b, r, &p, t->gl_account, report_line_kind_name(l->kind), l->description,
                        quantity, price, l->amount, "");
        }
        if (journal) {
            char *text = xasprintf("Recharge of invoice %s", t->invoice_number);
            charges_row(b, r, &p, r->credit_account, "credit", text, "", "", -t->total, "");
            free(text);
        }
        csv_flush(&o);
    }
    for (size_t i = 0; r->revision > 1 && i < r->supersedes.n_gone; i++) {
        charges_reversal(b, r, &r->supersedes.invoices[r->supersedes.gone[i]]);
        csv_flush(&o);
    }
    return csv_close(&o, err);
}

/* focus.csv follows FOCUS 1.2 (FOCUS_Spec tag v1.2, specification/columns, the text of
 * focus.finops.org/focus-specification/v1-2/, looked up 2026-12-02); docs/focus.md gives the
 * mapping column by column. Priced lines (tokens, searches, internal rates, tiers) are "Usage"
 * rows with a SKU; allocation lines (shared pools, fixed and hybrid shares, true-up, overhead,
 * markup) are "Adjustment" rows: "charges the provider applies that do not fall into other
 * category values", without quantities, prices or SKU. */
static bool focus_priced(enum line_kind k)
{
    switch (k) {
    case LINE_INPUT:
    case LINE_OUTPUT:
    case LINE_CACHE_READ:
    case LINE_CACHE_WRITE_5M:
    case LINE_CACHE_WRITE_1H:
    case LINE_WEB_SEARCH:
    case LINE_SKILL:
    case LINE_MCP:
    case LINE_TIER: return true;
    default: return false;
    }
}

/* ChargeFrequency: a fixed share (and the overhead and markup on it under the fixed model) is
 * charged every month whether or not the service was used ("Recurring"); everything else
 * follows usage ("Usage-Based"). */
static const char *focus_frequency(const struct report *r, enum line_kind k)
{
    if (k == LINE_FIXED)
        return "Recurring";
    if ((k == LINE_OVERHEAD || k == LINE_MARKUP) && r->model == CB_MODEL_FIXED)
        return "Recurring";
    return "Usage-Based";
}

/* PricingUnit (price-list unit, FOCUS UnitFormat "<quantity> <units>") and ConsumedUnit. */
static const char *focus_unit(const struct report_line *l, bool consumed)
{
    switch (l->kind) {
    case LINE_WEB_SEARCH: return consumed ? "Searches" : "1000 Searches";
    case LINE_SKILL:
    case LINE_MCP: return "Calls";
    default: return consumed ? "Tokens" : "1000000 Tokens";
    }
}

/* What a SKU meters, by line kind (SkuMeter) and the same as an id part. */
static const char *const sku_meters[LINE_KIND_COUNT][2] = {
    [LINE_INPUT] = {"Input Tokens", "input-tokens"},
    [LINE_OUTPUT] = {"Output Tokens", "output-tokens"},
    [LINE_CACHE_READ] = {"Cache Read Tokens", "cache-read-tokens"},
    [LINE_CACHE_WRITE_5M] = {"Cache Write Tokens (5 min)", "cache-write-5m-tokens"},
    [LINE_CACHE_WRITE_1H] = {"Cache Write Tokens (1 h)", "cache-write-1h-tokens"},
    [LINE_WEB_SEARCH] = {"Web Search Requests", "web-search"},
    [LINE_SKILL] = {"Skill Invocations", "skill-invocation"},
    [LINE_MCP] = {"MCP Operations", "mcp-operation"},
    [LINE_TIER] = {"Tiered Tokens", "tiered-tokens"},
};

/* The SKU of a priced line, one function of the line's fields so that a new pricing variant
 * extends it here only. FOCUS 1.2 SkuId "remains consistent across pricing variations ... like
 * where the functionality is provided or how it's paid for": the SKU is the model and what is
 * metered. SkuPriceId adds the pricing terms (batch or standard); SkuPriceDetails lists them
 * as provider-defined "x_" properties. Effective dates are left out of both, as the spec
 * requires ("exclusion of ... temporal validity (e.g., effective dates)"): a price change shows
 * as a new ListUnitPrice under the same SkuPriceId. Tier lines are the organization's own
 * price list. Appends SkuId, SkuPriceId, SkuMeter and SkuPriceDetails cells. */
static void focus_sku_cells(struct strbuf *b, const struct report_line *l)
{
    const char *owner = l->model ? l->model : "chargeback";
    const char *meter = sku_meters[l->kind][0], *part = sku_meters[l->kind][1];
    const char *terms = l->kind == LINE_TIER ? "internal-tiers" : l->batch ? "batch" : "standard";
    /* the price variant (issue 23) is a pricing term: SkuPriceId, not SkuId, tells them apart */
    const char *band = l->band == BAND_LONG ? "/long-prompt" : "";
    const char *speed = l->speed == SPEED_FAST ? "/fast" : "";
    const char *geo = l->geo == GEO_US ? "/us-only" : "";
    char *sku = xasprintf("%s/%s", owner, part);
    char *price_id = xasprintf("%s/%s%s%s%s", sku, terms, band, speed, geo);
    json_t *d = json_object();
    if (l->model)
        json_object_set_new(d, "x_Model", json_string(l->model));
    json_object_set_new(d, "x_Meter", json_string(meter));
    json_object_set_new(d, "x_ServiceTier", json_string(terms));
    if (l->model) {
        json_object_set_new(d, "x_PromptBand",
                            json_string(l->band == BAND_LONG ? "long_prompt" : "standard"));
        json_object_set_new(d, "x_Speed",
                            json_string(l->speed == SPEED_FAST ? "fast" : "standard"));
        json_object_set_new(d, "x_InferenceGeo", json_string(l->geo == GEO_US ? "us" : "global"));
    }
    char *details = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    cell_text(b, sku, false);
    cell_text(b, price_id, false);
    cell_text(b, meter, false);
    cell_text(b, details ? details : "{}", false);
    free(details);
    free(price_id);
    free(sku);
}

/* pico-USD as a plain decimal, unrounded, trailing zeros trimmed: "2.169393", "0.0000015". */
static void format_pico(cb_i128 pico, char *buf, size_t size)
{
    char digits[64];
    size_t n = 0;
    bool neg = pico < 0;
    cb_u128 v = neg ? (cb_u128)(-pico) : (cb_u128)pico;
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v > 0 || n < 13);
    struct strbuf s = STRBUF_INIT;
    if (neg)
        strbuf_putc(&s, '-');
    for (size_t i = n; i > 12; i--)
        strbuf_putc(&s, digits[i - 1]);
    size_t last = 0; /* fraction digits to keep */
    for (size_t i = 0; i < 12; i++)
        if (digits[i] != '0') {
            last = 12 - i;
            break;
        }
    if (last) {
        strbuf_putc(&s, '.');
        for (size_t i = 0; i < last; i++)
            strbuf_putc(&s, digits[11 - i]);
    }
    snprintf(buf, size, "%s", s.data ? s.data : "0");
    strbuf_free(&s);
}

/* One focus.csv row for line l of team t. billed: the line is on the invoice (its amount is
 * what the invoice bills); otherwise it is consumption the invoice covers by its allocation
 * lines, with BilledCost and EffectiveCost 0. Shadow months bill nothing: BilledCost is 0 and
 * EffectiveCost holds what would have been billed. */
static void focus_row(struct strbuf *b, const struct report *r, const struct report_team *t,
                      const struct report_line *l, bool billed, const char *tags)
{
    const char *issuer = r->issuer && r->issuer[0] ? r->issuer : r->organization;
    bool priced = focus_priced(l->kind);
    char amount[64], num[80];
    money_format(billed ? l->amount : 0, amount, sizeof amount);
    strbuf_puts(b, r->shadow ? "0.00" : amount); /* BilledCost */
    cell_num(b, amount);                         /* EffectiveCost */
    if (priced)
        format_pico(l->list_pico, num, sizeof num);
    else
        money_format(l->amount, num, sizeof num);
    cell_num(b, num); /* ListCost */
    cell_num(b, num); /* ContractedCost: no negotiated prices, so the list cost */
    cell_text(b, r->organization, false);
    cell_text(b, r->organization, false);
    cell_text(b, r->currency, false);
    cell_text(b, r->period_start, false);
    cell_text(b, r->period_end, false);
    cell_text(b, r->period_start, false);
    cell_text(b, r->period_end, false);
    cell_text(b, priced ? "Usage" : "Adjustment", false);
    cell_text(b, r->revision > 1 ? "Correction" : "", false);
    cell_text(b, focus_frequency(r, l->kind), false);
    cell_text(b, l->description, false);
    if (priced) {
        format_ratio(l->quantity, l->per > 0 ? l->per : 1, num, sizeof num);
        cell_num(b, num);
        cell_text(b, focus_unit(l, false), false);
        format_price(l->unit_price_micros, num, sizeof num);
        cell_num(b, num);
        snprintf(num, sizeof num, "%lld", (long long)l->quantity);
        cell_num(b, num);
        cell_text(b, focus_unit(l, true), false);
        focus_sku_cells(b, l);
    } else
        strbuf_puts(b, ",,,,,,,,,"); /* no quantity, price, consumption or SKU */
    cell_text(b, issuer, false);
    cell_text(b, l->kind == LINE_OVERHEAD || l->kind == LINE_MARKUP ? issuer : "Anthropic", false);
    cell_text(b, issuer, false);
    cell_text(b, t->invoice_number, false);
    cell_text(b, t->id, false);
    cell_text(b, t->name, false);
    cell_text(b, "Claude API", false);
    cell_text(b, "AI and Machine Learning", false);
    cell_text(b, "Generative AI", false);
    cell_text(b, tags, false);
    cell_text(b, report_line_kind_name(l->kind), false);
    end_row(b);
}

enum cb_status render_focus(const struct report *r, const struct render_dest *d,
                            struct cb_error *err)
{
    struct csv_out o;
    enum cb_status st = csv_open(&o, d->dir, "focus.csv", err);
    if (st != CB_OK)
        return st;
    struct strbuf *b = &o.b;
    strbuf_puts(b, "BilledCost,EffectiveCost,ListCost,ContractedCost,BillingAccountId,"
                   "BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
                   "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,"
                   "ChargeFrequency,ChargeDescription,PricingQuantity,PricingUnit,ListUnitPrice,"
                   "ConsumedQuantity,ConsumedUnit,SkuId,SkuPriceId,SkuMeter,SkuPriceDetails,"
                   "ProviderName,PublisherName,InvoiceIssuerName,InvoiceId,SubAccountId,"
                   "SubAccountName,ServiceName,ServiceCategory,ServiceSubcategory,Tags,"
                   "x_LineKind");
    end_row(b);
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        json_t *tags = json_object();
        json_object_set_new(tags, "team", json_string(t->id));
        json_object_set_new(tags, "cost_center", json_string(t->cost_center ? t->cost_center : ""));
        char *tag_text = json_dumps(tags, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(tags);
        for (size_t k = 0; k < t->n_usage_lines; k++)
            focus_row(b, r, t, &t->usage_lines[k], false, tag_text ? tag_text : "{}");
        for (size_t k = 0; k < t->n_lines; k++)
            focus_row(b, r, t, &t->lines[k], true, tag_text ? tag_text : "{}");
        free(tag_text);
        csv_flush(&o);
    }
    return csv_close(&o, err);
}

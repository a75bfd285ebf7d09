/* render_csv.c and render_json.c: charges.csv, focus.csv (RFC 4180, formula neutralization,
 * FOCUS columns) and report.json (the key order of SPEC §7, money as strings), rendered from
 * the hand-built fixture report into a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "render.h"
#include "support_fixture.h"
#include "xalloc.h"

struct tmp {
    char dir[64];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/cb-test-csv-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct strbuf_like {
        char *p;
        size_t n;
    } b = {NULL, 0};
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
        b.p = xrealloc(b.p, b.n + k + 1);
        memcpy(b.p + b.n, buf, k);
        b.n += k;
    }
    fclose(f);
    unlink(path);
    free(path);
    if (!b.p)
        b.p = xcalloc(1, 1);
    b.p[b.n] = '\0';
    if (len)
        *len = b.n;
    return b.p;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Returns the i-th CRLF-terminated row (0 = header) as a new string without the CRLF. */
static char *row(const char *s, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        s = strstr(s, "\r\n");
        assert_non_null(s);
        s += 2;
    }
    const char *e = strstr(s, "\r\n");
    assert_non_null(e);
    return xstrndup(s, (size_t)(e - s));
}

static struct report *tricky_report(void)
{
    struct fixture_opts o = {.n_teams = 2, .lines_per_team = 2};
    struct report *r = fixture_report(&o);
    struct report_team *t = &r->teams[0];
    free(t->cost_center);
    t->cost_center = xstrdup("=HYPERLINK(\"http://x\",\"y\")");
    free(t->gl_account);
    t->gl_account = xstrdup("@SUM(A1)");
    free(t->lines[0].description);
    t->lines[0].description = xstrdup("-2+3, \"quoted\"");
    free(t->lines[1].description);
    t->lines[1].description = xstrdup("\tcmd\r\nline");
    return r;
}

static void charges_rows_and_neutralization(void **state)
{
    (void)state;
    struct tmp t;
    tmp_make(&t);
    struct report *r = tricky_report();
    struct render_dest d = {.dir = t.dir};
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(render_csv(r, &d, &err), CB_OK);
    size_t len;
    char *csv = slurp(t.dir, "charges.csv", &len);
    size_t lines = 0;
    for (size_t i = 0; i < r->n_teams; i++)
        lines += r->teams[i].n_lines;
    /* one CRLF per row, plus the one inside the quoted description */
    assert_int_equal(count(csv, "\r\n"), lines + 1 + 1);
    assert_int_equal(count(csv, "\n"), count(csv, "\r\n"));
    char *h = row(csv, 0);
    /* UTF-8 with a byte-order mark, so spreadsheet programs read "Équipe données" as UTF-8 */
    assert_string_equal(h, "\xEF\xBB\xBF"
                           "period,posting_date,due_date,invoice_number,team,team_name,"
                           "cost_center,reference,gl_account,kind,description,quantity,"
                           "unit_price,amount,currency,reverses_invoice");
    free(h);
    assert_int_equal(count(csv, "\xEF\xBB\xBF"), 1);
    char *r1 = row(csv, 1);
    char amount[32], want[512];
    money_format(r->teams[0].lines[0].amount, amount, sizeof amount);
    snprintf(want, sizeof want,
             "2026-10,2026-11-01,2026-12-01,CB-2026-10-TEAM-01,team-01,Data Platform,"
             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,"
             "'@SUM(A1),input,\"'-2+3, \"\"quoted\"\"\",%lld,5.00,%s,USD,",
             (long long)r->teams[0].lines[0].quantity, amount);
    assert_string_equal(r1, want);
    free(r1);
    /* TAB-led text with a CR LF inside: neutralized and quoted across the line break */
    assert_non_null(strstr(csv, ",\"'\tcmd\r\nline\","));
    free(csv);

    /* negative amounts are numbers, not formulas */
    struct report_line *l = &r->teams[1].lines[r->teams[1].n_lines - 1];
    r->teams[1].total -= l->amount;
    l->kind = LINE_TRUE_UP;
    l->amount = -1234;
    l->unit_price_micros = -1234 * 10000;
    r->teams[1].total += l->amount;
    assert_int_equal(render_csv(r, &d, &err), CB_OK);
    csv = slurp(t.dir, "charges.csv", NULL);
    assert_non_null(
        strstr(csv, ",true_up,Platform overhead 10% of charge,1,-12.34,-12.34,USD,\r\n"));
    assert_null(strstr(csv, "'-12.34"));
    free(csv);
    report_free(r);
    rmdir(t.dir);
}

/* "-12.34" -> -1234 (the CSV writes two decimals). */
static long long cents(const char *s)
{
    long long v = 0;
    bool neg = *s == '-';
    for (const char *p = s + neg; *p; p++)
        if (*p >= '0' && *p <= '9')
            v = v * 10 + (*p - '0');
    return neg ? -v : v;
}

/* Splits a row without quoted cells into at most n cells (pointers into row, modified). */
static size_t split(char *row_text, char **cells, size_t n)
{
    size_t k = 0;
    for (char *p = row_text; k < n;) {
        cells[k++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return k;
}

static void charges_journal(void **state)
{
    (void)state;
    static const struct {
        bool shadow;
        const char *credit;
    } cases[] = {{false, "2990-RECHARGE"}, {true, "2990-RECHARGE"}, {false, ""}};
    static const char *const names[] = {"Zeta", "Alpha", "Mu"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tmp t;
        tmp_make(&t);
        struct fixture_opts o = {
            .n_teams = 3, .lines_per_team = 4, .names = names, .shadow = cases[c].shadow};
        struct report *r = fixture_report(&o);
        free(r->credit_account);
        r->credit_account = xstrdup(cases[c].credit);
        free(r->teams[1].reference);
        r->teams[1].reference = xstrdup("PO-4711");
        bool journal = cases[c].credit[0] != '\0';
        struct render_dest d = {.dir = t.dir};
        struct cb_error err;
        cb_error_clear(&err);
        assert_int_equal(render_csv(r, &d, &err), CB_OK);
        char *csv = slurp(t.dir, "charges.csv", NULL);
        size_t at = 1;
        /* teams in display order (Alpha, Mu, Zeta), not by id */
        static const char *const want_order[] = {"team-02", "team-03", "team-01"};
        for (size_t i = 0; i < 3; i++) {
            const struct report_team *tm = &r->teams[r->order[i]];
            assert_string_equal(tm->id, want_order[i]);
            long long sum = 0;
            size_t rows = tm->n_lines + (journal ? 1 : 0);
            for (size_t k = 0; k < rows; k++, at++) {
                char *x = row(csv, at), *cell[17] = {0};
                assert_int_equal(split(x, cell, 17), 16);
                assert_string_equal(cell[15], ""); /* reverses_invoice: only on reversals */
                assert_string_equal(cell[1], "2026-11-01");
                assert_string_equal(cell[2], cases[c].shadow ? "" : "2026-12-01");
                assert_string_equal(cell[3], tm->invoice_number);
                assert_string_equal(cell[4], tm->id);
                assert_string_equal(cell[5], tm->name);
                assert_string_equal(cell[7], tm->reference ? tm->reference : "");
                sum += cents(cell[13]);
                if (k == tm->n_lines) { /* the balancing line */
                    assert_string_equal(cell[8], cases[c].credit);
                    assert_string_equal(cell[9], "credit");
                    assert_string_equal(cell[11], "");
                    assert_string_equal(cell[12], "");
                    assert_int_equal(cents(cell[13]), -tm->total);
                } else {
                    assert_string_equal(cell[8], tm->gl_account);
                    assert_string_not_equal(cell[9], "credit");
                }
                free(x);
            }
            assert_int_equal(sum, journal ? 0 : tm->total);
        }
        assert_null(strstr(csv, journal ? "\r\n\r\n" : ",credit,"));
        assert_int_equal(count(csv, "\r\n"), at); /* nothing after the last team */
        free(csv);
        report_free(r);
        rmdir(t.dir);
    }
}

/* A corrected revision's charges.csv takes back each superseded invoice before the team's new
 * one, on the accounts it was posted to and under its own number (reverses_invoice names it),
 * and ends with the reversals of the invoices of teams it no longer invoices; a team new in the
 * revision has none. The signed month's rows plus these post the revision's totals. */
static void charges_revision_reversals(void **state)
{
    (void)state;
    static const struct {
        const char *credit; /* of the superseded month; "" for a charge list */
    } cases[] = {{"2990-OLD"}, {""}};
    static const char *const names[] = {"Zeta", "Alpha", "Mu"};
    static const struct {
        const char *team, *name, *invoice, *gl;
        int64_t total;
    } old[] = {{"team-01", "Zeta", "CB-2026-10-TEAM-01", "6000-OLD", 12345},
               {"team-02", "Alpha", "CB-2026-10-TEAM-02", "6420-AI", 500},
               {"team-09", "Gone", "CB-2026-10-TEAM-09", "6420-AI", 777}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tmp t;
        tmp_make(&t);
        struct fixture_opts o = {.n_teams = 3, .lines_per_team = 2, .names = names};
        struct report *r = fixture_report(&o);
        free(r->credit_account);
        r->credit_account = xstrdup("2990-RECHARGE");
        r->revision = 2;
        struct report_supersedes *S = &r->supersedes;
        S->credit_account = xstrdup(cases[c].credit);
        S->n_invoices = 3;
        S->invoices = xcalloc(3, sizeof *S->invoices);
        for (size_t i = 0; i < 3; i++)
            S->invoices[i] =
                (struct report_superseded_invoice){.team = xstrdup(old[i].team),
                                                   .name = xstrdup(old[i].name),
                                                   .invoice_number = xstrdup(old[i].invoice),
                                                   .cost_center = xstrdup("CC-OLD"),
                                                   .reference = xstrdup(""),
                                                   .gl_account = xstrdup(old[i].gl),
                                                   .total = old[i].total};
        S->gone = xcalloc(1, sizeof *S->gone);
        S->gone[0] = 2;
        S->n_gone = 1;
        r->teams[0].superseded = &S->invoices[0]; /* team-01; team-03 is new */
        r->teams[1].superseded = &S->invoices[1];
        bool journal = cases[c].credit[0] != '\0';
        struct render_dest d = {.dir = t.dir};
        struct cb_error err;
        cb_error_clear(&err);
        assert_int_equal(render_csv(r, &d, &err), CB_OK);
        char *csv = slurp(t.dir, "charges.csv", NULL);
        /* display order Alpha (team-02), Mu (team-03), Zeta (team-01), then the team gone */
        static const struct {
            int old;  /* index into old[] of the invoice reversed first, or -1 */
            int team; /* index into r->teams of the invoice then, or -1 */
        } blocks[] = {{1, 1}, {-1, 2}, {0, 0}, {2, -1}};
        size_t at = 1;
        long long debits = 0, all = 0;
        for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
            if (blocks[k].old >= 0) {
                const struct report_superseded_invoice *x = &S->invoices[blocks[k].old];
                for (size_t j = 0; j < (journal ? 2u : 1u); j++, at++) {
                    char *x_row = row(csv, at), *cell[17] = {0};
                    assert_int_equal(split(x_row, cell, 17), 16);
                    assert_string_equal(cell[3], x->invoice_number);
                    assert_string_equal(cell[4], x->team);
                    assert_string_equal(cell[5], x->name);
                    assert_string_equal(cell[6], "CC-OLD");
                    assert_string_equal(cell[8], j ? cases[c].credit : x->gl_account);
                    assert_string_equal(cell[9], j ? "credit" : "reversal");
                    assert_string_equal(cell[11], "");
                    assert_string_equal(cell[12], "");
                    assert_int_equal(cents(cell[13]), j ? x->total : -x->total);
                    assert_string_equal(cell[15], x->invoice_number);
                    debits += j ? 0 : cents(cell[13]);
                    all += cents(cell[13]);
                    free(x_row);
                }
            }
            if (blocks[k].team < 0)
                continue;
            const struct report_team *tm = &r->teams[blocks[k].team];
            for (size_t j = 0; j < tm->n_lines + 1; j++, at++) {
                char *x_row = row(csv, at), *cell[17] = {0};
                assert_int_equal(split(x_row, cell, 17), 16);
                assert_string_equal(cell[3], tm->invoice_number);
                assert_string_equal(cell[15], "");
                debits += j < tm->n_lines ? cents(cell[13]) : 0;
                all += cents(cell[13]);
                free(x_row);
            }
        }
        assert_int_equal(count(csv, "\r\n"), at); /* nothing else */
        long long now = 0, before = 0;
        for (size_t i = 0; i < r->n_teams; i++)
            now += r->teams[i].total;
        for (size_t i = 0; i < 3; i++)
            before += old[i].total;
        /* with the signed month's rows (before), the debits are this revision's totals */
        assert_int_equal(before + debits, now);
        /* the new invoices balance against this run's credit account; the reversals of a
           charge list have no credit side to take back */
        assert_int_equal(all, journal ? 0 : -before);
        free(csv);
        report_free(r);
        rmdir(t.dir);
    }
}

static void focus_columns(void **state)
{
    (void)state;
    struct tmp t;
    tmp_make(&t);
    struct report *r = tricky_report();
    struct render_dest d = {.dir = t.dir};
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(render_focus(r, &d, &err), CB_OK);
    char *csv = slurp(t.dir, "focus.csv", NULL);
    char *h = row(csv, 0);
    static const char *const mandatory[] = {
        "BilledCost",        "EffectiveCost",
        "ListCost",          "ContractedCost",
        "BillingAccountId",  "BillingAccountName",
        "BillingCurrency",   "BillingPeriodStart",
        "BillingPeriodEnd",  "ChargePeriodStart",
        "ChargePeriodEnd",   "ChargeCategory",
        "ChargeClass",       "ChargeDescription",
        "PricingQuantity",   "PricingUnit",
        "ProviderName",      "PublisherName",
        "InvoiceIssuerName", "ServiceName",
        "ServiceCategory",   "Tags",
    };
    for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++) {
        char *col = xasprintf(",%s,", mandatory[i]);
        char *wrapped = xasprintf(",%s,", h);
        assert_non_null(strstr(wrapped, col));
        free(col);
        free(wrapped);
    }
    free(h);
    /* team-02's first line: no tricky text; 1M-token pricing quantity as a decimal */
    const struct report_team *tm = &r->teams[1];
    size_t at = r->teams[0].n_lines + 1;
    char *x = row(csv + 0, at + 1); /* +1: the CRLF inside team-01's quoted description */
    char amount[32];
    money_format(tm->lines[0].amount, amount, sizeof amount);
    char *want = xasprintf(
        "%s,%s,%s,%s,Acme Corp,Acme Corp,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,"
        "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,,Usage-Based,"
        "claude-opus-4-7 — input tokens,6.123457,1000000 Tokens,5.00,6123457,Tokens,"
        "claude-opus-4-7/input-tokens,claude-opus-4-7/input-tokens/standard,Input Tokens,"
        "\"{\"\"x_Model\"\":\"\"claude-opus-4-7\"\",\"\"x_Meter\"\":\"\"Input Tokens\"\","
        "\"\"x_ServiceTier\"\":\"\"standard\"\",\"\"x_PromptBand\"\":\"\"standard\"\","
        "\"\"x_Speed\"\":\"\"standard\"\",\"\"x_InferenceGeo\"\":\"\"global\"\"}\","
        "\"Finance, Acme Corp\",Anthropic,\"Finance, Acme Corp\","
        "CB-2026-10-TEAM-02,team-02,Équipe données,Claude API,AI and Machine Learning,"
        "Generative AI,\"{\"\"team\"\":\"\"team-02\"\",\"\"cost_center\"\":\"\"CC-002\"\"}\","
        "input",
        amount, amount, "30.617285", "30.617285"); /* ListCost exact: 6.123457 × 5.00 */
    assert_string_equal(x, want);
    free(want);
    free(x);
    /* overhead is an Adjustment without quantity, price or SKU (FOCUS ConsumedQuantity-C-004),
     * published by the issuer; the cost center's formula is neutralized inside Tags' JSON only
     * as data (Tags starts with '{') */
    assert_non_null(strstr(csv, ",Adjustment,,Usage-Based,Platform overhead 10% of charge,,,,,,,,,,"
                                "\"Finance, Acme Corp\",\"Finance, Acme Corp\","));
    assert_non_null(strstr(csv, "\"\"cost_center\"\":\"\"=HYPERLINK("));
    free(csv);
    report_free(r);
    rmdir(t.dir);
}

static void report_json_shape(void **state)
{
    (void)state;
    struct tmp t;
    tmp_make(&t);
    struct fixture_opts o = {.n_teams = 2};
    struct report *r = fixture_report(&o);
    struct render_dest d = {.dir = t.dir};
    struct cb_error err;
    cb_error_clear(&err);
    assert_int_equal(render_json(r, &d, &err), CB_OK);
    size_t len;
    char *text = slurp(t.dir, "report.json", &len);
    assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
    assert_int_equal(render_json(r, &d, &err), CB_OK);
    char *again = slurp(t.dir, "report.json", NULL);
    assert_string_equal(text, again); /* byte-identical */
    free(again);

    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    assert_non_null(doc);
    static const char *const order[] = {
        "schema", "period",     "currency", "mode",  "chargeback_model",
        "inputs", "price_book", "totals",   "teams", "unallocated"};
    const char *prev = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        char *key = xasprintf("\n  \"%s\":", order[i]);
        const char *p = strstr(text, key);
        assert_non_null(p);
        assert_true(p > prev);
        prev = p;
        free(key);
    }
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "chargeback-report/1");
    assert_string_equal(json_string_value(json_object_get(doc, "mode")), "billing");
    assert_string_equal(json_string_value(json_object_get(doc, "chargeback_model")), "usage");
    json_t *tot = json_object_get(doc, "totals");
    assert_true(json_is_null(json_object_get(tot, "provider_total")));
    char want[32];
    money_format(r->totals.charged, want, sizeof want);
    assert_string_equal(json_string_value(json_object_get(tot, "charged")), want);
    json_t *teams = json_object_get(doc, "teams");
    assert_int_equal(json_array_size(teams), 2);
    json_t *t0 = json_array_get(teams, 0), *t1 = json_array_get(teams, 1);
    assert_string_equal(json_string_value(json_object_get(t0, "team")), "team-01");
    assert_string_equal(json_string_value(json_object_get(t0, "invoice_number")),
                        "CB-2026-10-TEAM-01");
    json_t *bud = json_object_get(t0, "budget");
    assert_true(json_is_object(bud));
    assert_string_equal(json_string_value(json_object_get(bud, "monthly")), "5000.00");
    assert_true(json_is_null(json_object_get(t1, "budget")));
    json_t *l0 = json_array_get(json_object_get(t0, "lines"), 0);
    assert_string_equal(json_string_value(json_object_get(l0, "kind")), "input");
    assert_string_equal(json_string_value(json_object_get(l0, "unit_price")), "5.00");
    assert_string_equal(json_string_value(json_object_get(l0, "unit")), "1M tokens");
    assert_int_equal(json_integer_value(json_object_get(l0, "quantity")),
                     r->teams[0].lines[0].quantity);
    json_t *ws = json_array_get(json_object_get(t0, "lines"), 6);
    assert_string_equal(json_string_value(json_object_get(ws, "unit_price")), "10.00");
    json_t *un = json_object_get(doc, "unallocated");
    assert_string_equal(json_string_value(json_object_get(un, "list_cost")), "12.34");
    assert_int_equal(json_integer_value(json_object_get(un, "requests")), 17);
    json_decref(doc);
    free(text);
    report_free(r);

    o.shadow = true;
    r = fixture_report(&o);
    assert_int_equal(render_json(r, &d, &err), CB_OK);
    text = slurp(t.dir, "report.json", NULL);
    assert_non_null(strstr(text, "\"mode\": \"shadow\""));
    assert_non_null(strstr(text, "\"thresholds_crossed\": ["));
    free(text);
    report_free(r);
    rmdir(t.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(charges_rows_and_neutralization),
        cmocka_unit_test(charges_journal),
        cmocka_unit_test(charges_revision_reversals),
        cmocka_unit_test(focus_columns),
        cmocka_unit_test(report_json_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

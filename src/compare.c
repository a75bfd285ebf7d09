/* The chargeback-model comparison: the month rebuilt under each model by report_build. */
#include "compare.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "msg.h"
#include "strbuf.h"
#include "xalloc.h"

const char *compare_model_title(enum cb_model m)
{
    switch (m) {
    case CB_MODEL_USAGE: return "Usage";
    case CB_MODEL_FIXED: return "Fixed";
    case CB_MODEL_HYBRID: return "Hybrid";
    case CB_MODEL_TIERED: return "Tiered";
    }
    return "";
}

int64_t compare_change(const struct comparison *c, size_t i, enum cb_model m)
{
    return c->teams[i].charges[m] - c->teams[i].charges[c->configured];
}

void compare_free(struct comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_teams; i++) {
        free(c->teams[i].id);
        free(c->teams[i].name);
    }
    free(c->teams);
    for (int m = 0; m < COMPARE_MODELS; m++)
        free(c->left_out[m]);
    free(c->note);
    free(c->reading);
    free(c);
}

/* Whether the configuration can run model m as it stands: the checks --model makes
 * (config_set_model), on a copy so the configuration is untouched. */
static bool model_possible(const struct config *c, enum cb_model m)
{
    struct config scratch = *c;
    struct cb_error e;
    cb_error_clear(&e);
    return config_set_model(&scratch, m, &e) == CB_OK;
}

/* One column: the month built under model m with `config`, each team's total copied into the
 * comparison. CB_OK; CB_EUSAGE when this month's configuration refuses the model (left_out[m]
 * says why); CB_EINTERNAL when the build fails a check or its teams are not r's. */
static enum cb_status build_column(struct comparison *cmp, const struct report_opts *opts,
                                   const struct config *config, enum cb_model m,
                                   const struct report *r, struct cb_error *err)
{
    struct report_opts o = *opts;
    o.config = config;
    o.has_model_override = true;
    o.model_override = m;
    o.previous = NULL; /* neither changes a total: not applied again for each model */
    o.superseded = NULL;
    struct report *alt = NULL;
    struct cb_error e;
    cb_error_clear(&e);
    msg_hold_begin(); /* the month's own build printed these warnings already */
    enum cb_status st = report_build(&o, &alt, &e);
    free(msg_hold_end());
    if (st == CB_EINTERNAL) {
        *err = e;
        return st;
    }
    if (st != CB_OK) {
        /* the reason without the configuration's path: documents show it */
        cmp->left_out[m] = e.field[0] ? xasprintf("\"%s\": %s", e.field, e.text) : xstrdup(e.text);
        return CB_EUSAGE;
    }
    if (alt->n_teams != r->n_teams)
        st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                          "model comparison: %s has %zu teams, the invoices %zu",
                          config_model_name(m), alt->n_teams, r->n_teams);
    int64_t total = 0;
    for (size_t i = 0; i < alt->n_teams && st == CB_OK; i++) {
        if (strcmp(alt->teams[i].id, r->teams[i].id) != 0)
            st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                              "model comparison: %s's team %zu is \"%s\", the invoices' \"%s\"",
                              config_model_name(m), i, alt->teams[i].id, r->teams[i].id);
        cmp->teams[i].charges[m] = alt->teams[i].total;
        total += alt->teams[i].total;
    }
    if (st == CB_OK && total != alt->totals.charged)
        st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                          "model comparison: %s's teams add up to %lld cents, its total is %lld",
                          config_model_name(m), (long long)total, (long long)alt->totals.charged);
    cmp->totals[m] = total;
    cmp->present[m] = st == CB_OK;
    report_free(alt);
    return st;
}

void compare_format_change(int64_t cents, char *buf, size_t size)
{
    size_t k = cents > 0 ? 1 : 0;
    if (size < 2)
        return;
    buf[0] = '+';
    money_format_grouped(cents, buf + k, size - k);
}

/* Under model m against the configured one: how many teams pay less and more, the largest
 * move each way, and the change of the whole. */
static void read_model(const struct comparison *c, enum cb_model m, const char *currency,
                       struct strbuf *s)
{
    const char *conf = config_model_name(c->configured);
    size_t less = 0, more = 0, lo = 0, hi = 0;
    for (size_t i = 0; i < c->n_teams; i++) {
        int64_t d = compare_change(c, i, m);
        if (d < 0 && (less++ == 0 || d < compare_change(c, lo, m)))
            lo = i;
        if (d > 0 && (more++ == 0 || d > compare_change(c, hi, m)))
            hi = i;
    }
    char a[48], b[48];
    strbuf_printf(s, "%sUnder %s instead of %s,", s->len ? " " : "", config_model_name(m), conf);
    if (less == 0 && more == 0)
        strbuf_printf(s, " every team would be charged the same");
    if (less) {
        compare_format_change(compare_change(c, lo, m), a, sizeof a);
        strbuf_printf(s, " %zu team%s would be charged less (%s%s, %s %s)", less,
                      less == 1 ? "" : "s", c->teams[lo].name, less == 1 ? "" : " the most", a,
                      currency);
    }
    if (more) {
        compare_format_change(compare_change(c, hi, m), b, sizeof b);
        strbuf_printf(s, "%s %zu%s would be charged more (%s%s, %s %s)", less ? " and" : "", more,
                      less        ? ""
                      : more == 1 ? " team"
                                  : " teams",
                      c->teams[hi].name, more == 1 ? "" : " the most", b, currency);
    }
    int64_t dt = c->totals[m] - c->totals[c->configured];
    if (dt != 0) {
        money_format_grouped(dt < 0 ? -dt : dt, a, sizeof a);
        strbuf_printf(s, "; all teams together %s %s %s", a, currency, dt < 0 ? "less" : "more");
    }
    strbuf_printf(s, ".");
}

static void write_texts(struct comparison *c, const struct config *config, const char *currency)
{
    struct strbuf s = STRBUF_INIT;
    strbuf_printf(&s,
                  "Each column is this month rebuilt under that model, with the same pool, "
                  "shared pools, unallocated rule, adjustment to the provider's invoice, overhead "
                  "and markup; the %s column "
                  "(the configured model) is the invoices.",
                  config_model_name(c->configured));
    if (c->present[CB_MODEL_HYBRID]) {
        char share[48];
        snprintf(share, sizeof share, "%s", text_percent(config->fixed_share_e6 / 100).s);
        if (c->hybrid_equal)
            strbuf_printf(&s,
                          " Hybrid splits its fixed %s equally among the teams: the configured "
                          "basis is headcount, but not every team has a headcount configured.",
                          share);
        else
            strbuf_printf(&s, " Hybrid splits its fixed %s by %s, the configured basis.", share,
                          config->fixed_basis == BASIS_HEADCOUNT ? "headcount" : "equal shares");
    }
    /* models left out for one reason are named together: "Usage, fixed and hybrid are ..." */
    bool said[COMPARE_MODELS] = {false};
    for (int m = 0; m < COMPARE_MODELS; m++) {
        if (!c->left_out[m] || said[m])
            continue;
        int same[COMPARE_MODELS], n = 0;
        for (int k = m; k < COMPARE_MODELS; k++)
            if (c->left_out[k] && strcmp(c->left_out[k], c->left_out[m]) == 0) {
                same[n++] = k;
                said[k] = true;
            }
        for (int k = 0; k < n; k++) {
            enum cb_model x = (enum cb_model)same[k];
            const char *name = k == 0 ? compare_model_title(x) : config_model_name(x);
            strbuf_printf(&s, "%s%s", k == 0 ? " " : k + 1 == n ? " and " : ", ", name);
        }
        strbuf_printf(&s, " %s left out: %s.", n == 1 ? "is" : "are", c->left_out[m]);
    }
    c->note = strbuf_detach(&s);

    size_t others = 0;
    for (int m = 0; m < COMPARE_MODELS; m++)
        if (c->present[m] && m != (int)c->configured) {
            read_model(c, (enum cb_model)m, currency, &s);
            others++;
        }
    if (c->n_teams == 0)
        strbuf_printf(&s, "No team this month: no model moves a charge.");
    else if (others == 0)
        strbuf_printf(&s, "No other model can be computed for this month.");
    c->reading = strbuf_detach(&s);
}

enum cb_status compare_build(const struct report_opts *opts, const struct report *r,
                             struct comparison **out, struct cb_error *err)
{
    const struct config *config = opts->config;
    struct comparison *c = xcalloc(1, sizeof *c);
    enum cb_status st = CB_OK;
    *out = NULL;
    c->configured = r->model;
    c->n_teams = r->n_teams;
    c->teams = xcalloc(r->n_teams ? r->n_teams : 1, sizeof *c->teams);
    for (size_t i = 0; i < r->n_teams; i++) {
        c->teams[i].id = xstrdup(r->teams[i].id);
        c->teams[i].name = xstrdup(r->teams[i].name);
    }
    /* hybrid by headcount without every headcount: equal shares, as the page says */
    struct config equal = *config;
    equal.fixed_basis = BASIS_EQUAL;
    c->hybrid_basis = config->fixed_basis;
    for (int m = 0; m < COMPARE_MODELS && st == CB_OK; m++) {
        enum cb_model model = (enum cb_model)m;
        const struct config *use = config;
        if (model == CB_MODEL_TIERED && !model_possible(config, model)) {
            c->left_out[m] = xstrdup("no tiers are configured (chargeback.tiers)");
            continue;
        }
        if (model == CB_MODEL_HYBRID && model != c->configured && !model_possible(config, model)) {
            use = &equal;
            c->hybrid_basis = BASIS_EQUAL;
            c->hybrid_equal = true;
        }
        st = build_column(c, opts, use, model, r, err);
        if (st == CB_EUSAGE && model != c->configured)
            st = CB_OK; /* left out, with its reason */
        else if (st == CB_EUSAGE)
            st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                              "model comparison: the configured model %s does not build again: "
                              "%s",
                              config_model_name(model), c->left_out[m]);
    }
    /* the configured column is the invoices, to the cent */
    for (size_t i = 0; i < r->n_teams && st == CB_OK; i++)
        if (c->teams[i].charges[c->configured] != r->teams[i].total)
            st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                              "model comparison: team \"%s\" is %lld cents under %s, its invoice "
                              "%lld",
                              r->teams[i].id, (long long)c->teams[i].charges[c->configured],
                              config_model_name(c->configured), (long long)r->teams[i].total);
    if (st == CB_OK && c->totals[c->configured] != r->totals.charged)
        st = cb_error_set(err, CB_EINTERNAL, NULL, 0, NULL,
                          "model comparison: %s totals %lld cents, the invoices %lld",
                          config_model_name(c->configured), (long long)c->totals[c->configured],
                          (long long)r->totals.charged);
    if (st == CB_OK) {
        write_texts(c, config, r->currency);
        *out = c;
    } else {
        compare_free(c);
    }
    return st;
}

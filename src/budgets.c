/* Budgets on teams, projects and users, and the alerts of the month (budgets.h).
 *
 * A team's budget is measured on what it is charged (or its tokens), as the invoice shows it. A
 * project's or user's budget is measured at list price (or in tokens) across the organization:
 * the rows of every team invoice's "by project" / "by user" breakdown, plus the usage of shared
 * pools and without a team, each of those rounded once to the cent. Pools, overhead and markup
 * are allocated to teams, so they have no project or user to charge.
 *
 * Routing: a budget's alerts go to its owner; a team budget without one to the team (its owner
 * by name, its contact by address); anomalies and the unallocated share to `finance`. Each falls
 * back along team -> finance when the first choice has no address, and is addressed to nobody
 * (role "none") when no one is configured. */
#include "budgets.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "money.h"
#include "strbuf.h"
#include "xalloc.h"

#define E6 1000000

void budgets_state(struct report_budget *out, bool tokens, int64_t monthly, int64_t used,
                   const int64_t *thresholds_e6, size_t n_thresholds)
{
    memset(out, 0, sizeof *out);
    out->present = true;
    out->tokens = tokens;
    out->monthly = monthly;
    out->used = used;
    out->utilization_e4 = monthly > 0 ? alloc_share_e4(used, monthly) : 0;
    out->thresholds_crossed_e6 = xcalloc(n_thresholds ? n_thresholds : 1, sizeof(int64_t));
    for (size_t k = 0; k < n_thresholds; k++)
        if ((cb_i128)used * E6 >= (cb_i128)thresholds_e6[k] * monthly)
            out->thresholds_crossed_e6[out->n_thresholds_crossed++] = thresholds_e6[k];
    out->over = used > monthly;
    out->state = out->over                   ? BUDGET_STATE_OVER
                 : out->n_thresholds_crossed ? BUDGET_STATE_ALERT
                                             : BUDGET_STATE_WITHIN;
}

const char *budgets_entity_name(enum report_entity e)
{
    switch (e) {
    case ENTITY_TEAM: return "team";
    case ENTITY_PROJECT: return "project";
    case ENTITY_USER: return "user";
    case ENTITY_ORGANIZATION: break;
    }
    return "organization";
}

const char *budgets_entity_title(enum report_entity e)
{
    switch (e) {
    case ENTITY_TEAM: return "Team";
    case ENTITY_PROJECT: return "Project";
    case ENTITY_USER: return "User";
    case ENTITY_ORGANIZATION: break;
    }
    return "Organization";
}

const char *budgets_role_name(enum report_role r)
{
    switch (r) {
    case ROLE_BUDGET_OWNER: return "budget_owner";
    case ROLE_TEAM: return "team";
    case ROLE_FINANCE: return "finance";
    case ROLE_NONE: break;
    }
    return "none";
}

const char *budgets_alert_kind_name(enum report_alert_kind k)
{
    switch (k) {
    case ALERT_BUDGET_THRESHOLD: return "budget_threshold";
    case ALERT_BUDGET_OVER: return "budget_over";
    case ALERT_ANOMALY: return "anomaly";
    case ALERT_UNALLOCATED: break;
    }
    return "unallocated_share";
}

/* ---- text of the rules ---- */

/* A 10^6-scaled rate in words with trailing zeros dropped: as a percentage (800000 -> "80%",
 * 825000 -> "82.5%") or as a factor (2000000 -> "2×"). */
static void rate_text(int64_t e6, bool percent, char *buf, size_t size)
{
    char plain[48];
    money_format_fixed(e6, percent ? 4 : 6, percent ? 4 : 6, plain, sizeof plain);
    size_t n = strlen(plain);
    while (n > 0 && plain[n - 1] == '0')
        plain[--n] = '\0';
    if (n > 0 && plain[n - 1] == '.')
        plain[--n] = '\0';
    snprintf(buf, size, "%s%s", plain, percent ? "%" : "\xC3\x97");
}

/* "1,234.56 USD" or "1,200,000 tokens". */
static void amount_text(bool tokens, int64_t v, const char *currency, char *buf, size_t size)
{
    char n[48];
    if (tokens) {
        money_format_count(v, n, sizeof n);
        snprintf(buf, size, "%s tokens", n);
    } else {
        money_format_grouped(v, n, sizeof n);
        snprintf(buf, size, "%s %s", n, currency);
    }
}

static char *budget_rule(enum report_entity e, const char *name, const struct report_budget *b,
                         enum report_alert_kind kind, int64_t threshold_e6, const char *currency,
                         bool shadow)
{
    char used[80], monthly[80], pct[48], th[48];
    amount_text(b->tokens, b->used, currency, used, sizeof used);
    amount_text(b->tokens, b->monthly, currency, monthly, sizeof monthly);
    snprintf(pct, sizeof pct, "%s", text_percent(b->utilization_e4).s);
    rate_text(threshold_e6, true, th, sizeof th);
    bool charged = e == ENTITY_TEAM && !b->tokens;
    const char *what = b->tokens ? "tokens used" : charged ? "the charge" : "usage at list price";
    struct strbuf s = STRBUF_INIT;
    strbuf_printf(&s, "%s %s %s %s%s, %s of the monthly budget of %s", budgets_entity_title(e),
                  name,
                  !charged ? "used"
                  : shadow ? "would have been charged"
                           : "was charged",
                  used, b->tokens || charged ? "" : " at list price", pct, monthly);
    if (kind == ALERT_BUDGET_OVER)
        strbuf_printf(&s, ": over budget (%s above 100%% of the budget).", what);
    else
        strbuf_printf(&s, ": the %s alert threshold is crossed (%s at or above %s of the budget).",
                      th, what, th);
    return strbuf_detach(&s);
}

/* ---- routing ---- */

/* Addresses *to to (role, name, email) when email is an address; false (to untouched) when not. */
static bool route(struct report_recipient *to, enum report_role role, const char *name,
                  const char *email)
{
    if (!email || !email[0])
        return false;
    to->role = role;
    to->name = xstrdup(name ? name : "");
    to->email = xstrdup(email);
    return true;
}

static void route_none(struct report_recipient *to)
{
    to->role = ROLE_NONE;
    to->name = xstrdup("");
    to->email = xstrdup("");
}

static void recipient_copy(struct report_recipient *to, const struct report_recipient *from)
{
    to->role = from->role;
    to->name = xstrdup(from->name);
    to->email = xstrdup(from->email);
}

static bool route_team(struct report_recipient *to, const struct report_team *t,
                       const struct config_team *ct)
{
    return route(to, ROLE_TEAM, ct && ct->owner ? ct->owner : t->name, t->contact);
}

static bool route_finance(struct report_recipient *to, const struct config *c)
{
    return route(to, ROLE_FINANCE, c->finance.name, c->finance.email);
}

/* ---- building ---- */

struct alerts {
    struct report_alert *v;
    size_t n, cap;
    bool shadow; /* a shadow month: nothing was charged, it would have been */
};

static struct report_alert *alert_push(struct alerts *a, enum report_alert_kind kind,
                                       enum report_entity e, const char *key, const char *name)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
    }
    struct report_alert *x = &a->v[a->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->entity = e;
    x->key = xstrdup(key);
    x->name = xstrdup(name);
    return x;
}

/* One alert per threshold crossed, and one when over. */
static void budget_alerts(struct alerts *a, enum report_entity e, const char *key, const char *name,
                          const struct report_budget *b, const struct report_recipient *to,
                          const char *currency)
{
    for (size_t k = 0; k <= b->n_thresholds_crossed; k++) {
        bool over = k == b->n_thresholds_crossed;
        if (over && !b->over)
            break;
        enum report_alert_kind kind = over ? ALERT_BUDGET_OVER : ALERT_BUDGET_THRESHOLD;
        struct report_alert *x = alert_push(a, kind, e, key, name);
        x->figure = b->utilization_e4;
        x->threshold_e6 = over ? E6 : b->thresholds_crossed_e6[k];
        x->tokens = b->tokens;
        x->value = b->used;
        x->limit = b->monthly;
        x->rule = budget_rule(e, name, b, kind, x->threshold_e6, currency, a->shadow);
        recipient_copy(&x->to, to);
    }
}

static int ref_cmp(const void *a, const void *b)
{
    size_t x = ((const struct report_team_budget *)a)->index;
    size_t y = ((const struct report_team_budget *)b)->index;
    return (x > y) - (x < y);
}

static int row_cmp(const void *a, const void *b)
{
    const struct report_budget_row *x = a, *y = b;
    if (x->budget->utilization_e4 != y->budget->utilization_e4)
        return x->budget->utilization_e4 < y->budget->utilization_e4 ? 1 : -1;
    if (x->entity != y->entity)
        return (x->entity > y->entity) - (x->entity < y->entity);
    return strcmp(x->key, y->key);
}

static int alert_cmp(const void *a, const void *b)
{
    const struct report_alert *x = a, *y = b;
    int k;
    if (x->entity != y->entity)
        return (x->entity > y->entity) - (x->entity < y->entity);
    if ((k = strcmp(x->key, y->key)) != 0)
        return k;
    if (x->kind != y->kind)
        return (x->kind > y->kind) - (x->kind < y->kind);
    if (x->threshold_e6 != y->threshold_e6)
        return (x->threshold_e6 > y->threshold_e6) - (x->threshold_e6 < y->threshold_e6);
    return strcmp(x->date, y->date);
}

static int64_t usage_tokens(const struct ledger_usage *u)
{
    int64_t n = 0;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        n += u->tokens[k];
    return n;
}

/* r->budgets and each team's entity_budgets: the team rows first (the invoices' own figures),
 * then the shared and unallocated buckets of the ledger, rounded once per budget. */
static void entity_budgets(struct report *r, const struct config *c, const struct ledger *l)
{
    static const enum config_scope scopes[2] = {SCOPE_PROJECT, SCOPE_USER};
    static const enum ledger_dim dims[2] = {DIM_PROJECT, DIM_USER};
    size_t nb = c->n_budgets;
    int64_t *cents = xcalloc(nb ? nb : 1, sizeof *cents);
    int64_t *tokens = xcalloc(nb ? nb : 1, sizeof *tokens);
    cb_i128 *pico = xcalloc(nb ? nb : 1, sizeof *pico);
    for (size_t i = 0; nb && i < r->n_teams; i++) {
        struct report_team *t = &r->teams[i];
        const struct report_groups *gs[2] = {&t->by_project, &t->by_user};
        for (int d = 0; d < 2; d++)
            for (size_t g = 0; g < gs[d]->n; g++) {
                const struct report_group *x = &gs[d]->items[g];
                const struct config_budget *cb = config_budget_find(c, scopes[d], x->key);
                if (!cb)
                    continue;
                size_t k = (size_t)(cb - c->budgets);
                cents[k] += x->list_cost;
                tokens[k] += x->usage.total_tokens;
                t->entity_budgets = xreallocarray(t->entity_budgets, t->n_entity_budgets + 1,
                                                  sizeof *t->entity_budgets);
                t->entity_budgets[t->n_entity_budgets++] = (struct report_team_budget){
                    k, cb->is_tokens ? x->usage.total_tokens : x->list_cost};
            }
        if (t->n_entity_budgets > 1)
            qsort(t->entity_budgets, t->n_entity_budgets, sizeof *t->entity_budgets, ref_cmp);
    }
    for (size_t i = 0; nb && i < l->n_buckets; i++) {
        const struct ledger_bucket *b = &l->buckets[i];
        if (b->kind == BUCKET_TEAM)
            continue;
        for (int d = 0; d < 2; d++)
            for (size_t g = 0; g < b->n_groups[dims[d]]; g++) {
                const struct ledger_group *x = &b->groups[dims[d]][g];
                const struct config_budget *cb =
                    x->key ? config_budget_find(c, scopes[d], x->key) : NULL;
                if (!cb)
                    continue;
                size_t k = (size_t)(cb - c->budgets);
                pico[k] += x->cost;
                tokens[k] += usage_tokens(&x->usage);
            }
    }
    r->budgets = xcalloc(nb ? nb : 1, sizeof *r->budgets);
    r->n_budgets = nb;
    for (size_t k = 0; k < nb; k++) {
        const struct config_budget *cb = &c->budgets[k];
        struct report_entity_budget *eb = &r->budgets[k];
        eb->entity = cb->scope == SCOPE_USER ? ENTITY_USER : ENTITY_PROJECT;
        eb->key = xstrdup(cb->key);
        int64_t used = cb->is_tokens ? tokens[k] : cents[k] + money_pico_to_cents(pico[k]);
        budgets_state(&eb->budget, cb->is_tokens, cb->monthly, used, cb->thresholds_e6,
                      cb->n_thresholds);
        if (!route(&eb->owner, ROLE_BUDGET_OWNER, cb->owner.name, cb->owner.email) &&
            !route_finance(&eb->owner, c))
            route_none(&eb->owner);
    }
    free(pico);
    free(tokens);
    free(cents);
}

static void crossed_rows(struct report *r)
{
    size_t n = 0;
    r->budgets_crossed = xcalloc(r->n_teams + r->n_budgets + 1, sizeof *r->budgets_crossed);
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        if (t->budget.present && t->budget.state >= BUDGET_STATE_ALERT)
            r->budgets_crossed[n++] =
                (struct report_budget_row){ENTITY_TEAM, t->id, t->name, &t->budget};
    }
    for (size_t k = 0; k < r->n_budgets; k++) {
        const struct report_entity_budget *eb = &r->budgets[k];
        if (eb->budget.state >= BUDGET_STATE_ALERT)
            r->budgets_crossed[n++] =
                (struct report_budget_row){eb->entity, eb->key, eb->key, &eb->budget};
    }
    qsort(r->budgets_crossed, n, sizeof *r->budgets_crossed, row_cmp);
    r->n_budgets_crossed = n;
}

void budgets_build(struct report *r, const struct config *c, const struct ledger *l)
{
    struct alerts a = {.shadow = r->shadow};
    char v[80], m[80], f[48], th[48];
    entity_budgets(r, c, l);
    crossed_rows(r);
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[i];
        const struct config_team *ct = config_team(c, t->id);
        struct report_recipient to = {0};
        if (t->budget.present) {
            if (!(ct &&
                  route(&to, ROLE_BUDGET_OWNER, ct->budget_owner.name, ct->budget_owner.email)) &&
                !route_team(&to, t, ct) && !route_finance(&to, c))
                route_none(&to);
            budget_alerts(&a, ENTITY_TEAM, t->id, t->name, &t->budget, &to, r->currency);
            free(to.name);
            free(to.email);
        }
        if (t->n_anomalies == 0)
            continue;
        memset(&to, 0, sizeof to);
        if (!route_finance(&to, c) && !route_team(&to, t, ct))
            route_none(&to);
        rate_text(c->anomaly_factor_e6, false, th, sizeof th);
        for (size_t k = 0; k < t->n_anomalies; k++) {
            const struct report_anomaly *an = &t->anomalies[k];
            struct report_alert *x = alert_push(&a, ALERT_ANOMALY, ENTITY_TEAM, t->id, t->name);
            x->figure = an->factor_e2;
            x->threshold_e6 = c->anomaly_factor_e6;
            x->value = an->list_cost;
            x->limit = an->mean_daily;
            snprintf(x->date, sizeof x->date, "%s", an->date);
            amount_text(false, an->list_cost, r->currency, v, sizeof v);
            amount_text(false, an->mean_daily, r->currency, m, sizeof m);
            snprintf(f, sizeof f, "%s", text_factor(an->factor_e2).s);
            x->rule = xasprintf("Team %s spent %s at list price on %s, %s its mean day of %s this "
                                "month: a day above %s the team's mean day is an anomaly "
                                "(anomaly_factor).",
                                t->name, v, an->date, f, m, th);
            recipient_copy(&x->to, &to);
        }
        free(to.name);
        free(to.email);
    }
    for (size_t k = 0; k < r->n_budgets; k++) {
        const struct report_entity_budget *eb = &r->budgets[k];
        budget_alerts(&a, eb->entity, eb->key, eb->key, &eb->budget, &eb->owner, r->currency);
    }
    /* all usage at list price, as the summary's breakdowns add it up */
    int64_t all = r->totals.list_cost + r->unallocated_list_cost;
    for (size_t i = 0; i < r->shared_pools.n; i++)
        all += r->shared_pools.items[i].list_cost;
    r->unallocated_share_e4 = all > 0 ? alloc_share_e4(r->unallocated_list_cost, all) : 0;
    if (c->has_unallocated_limit && all > 0 &&
        (cb_i128)r->unallocated_list_cost * E6 > (cb_i128)c->unallocated_limit_e6 * all) {
        struct report_alert *x = alert_push(&a, ALERT_UNALLOCATED, ENTITY_ORGANIZATION, "", "");
        x->figure = r->unallocated_share_e4;
        x->threshold_e6 = c->unallocated_limit_e6;
        x->value = r->unallocated_list_cost;
        x->limit = all;
        amount_text(false, x->value, r->currency, v, sizeof v);
        amount_text(false, all, r->currency, m, sizeof m);
        snprintf(f, sizeof f, "%s", text_percent(x->figure).s);
        rate_text(x->threshold_e6, true, th, sizeof th);
        x->rule = xasprintf("Usage without a team came to %s at list price, %s of all usage (%s): "
                            "above the limit of %s (alerts.unallocated_share).",
                            v, f, m, th);
        if (!route_finance(&x->to, c))
            route_none(&x->to);
    }
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, alert_cmp);
    r->alerts = a.v;
    r->n_alerts = a.n;
}

void budgets_free(struct report *r)
{
    for (size_t k = 0; k < r->n_budgets; k++) {
        free(r->budgets[k].key);
        free(r->budgets[k].budget.thresholds_crossed_e6);
        free(r->budgets[k].owner.name);
        free(r->budgets[k].owner.email);
    }
    free(r->budgets);
    for (size_t i = 0; r->teams && i < r->n_teams; i++)
        free(r->teams[i].entity_budgets);
    free(r->budgets_crossed);
    for (size_t k = 0; k < r->n_alerts; k++) {
        struct report_alert *x = &r->alerts[k];
        free(x->key);
        free(x->name);
        free(x->rule);
        free(x->to.name);
        free(x->to.email);
    }
    free(r->alerts);
}

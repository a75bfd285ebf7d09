/* The organization configuration (SPEC §4): every key is checked, so a typo never silently
 * changes an invoice. Errors name the source file and the key's full path
 * ("config.json: chargeback.tier_mod: unknown key (expected one of: ...)").
 *
 * Number rules:
 * - Money (chargeback.amount, budget.monthly, budgets[].monthly, provider_invoice: cents;
 *   tiers[].per_million, internal_rates.*: micro-USD) is a decimal string or a JSON integer. A JSON
 * real is refused
 *   ("expected a decimal string ...") so no binary float ever becomes money; a string with more
 *   decimals than the unit holds is refused, never rounded.
 * - Rates and shares (fixed_share, overhead_rate, weight, markup, alert_thresholds,
 *   anomaly_factor, alerts.unallocated_share, value metric units) may be numbers or decimal
 * strings. They are stored scaled by 10^6 (the *_e6 fields). A JSON real is rounded to the nearest
 * millionth; a string must have at most 6 decimals.
 * - Counts (headcount, tiers[].up_to, budget.monthly_tokens) are non-negative JSON integers.
 *
 * Defaults: organization "Organization", currency "USD", model usage, fixed_basis headcount,
 * tier_mode graduated, tier_metric total_tokens, unallocated show, number_prefix "CB-", paper
 * A4, anomaly_factor 2.0, team weight 1.0, markup 0. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "prices.h"
#include "strbuf.h"
#include "xalloc.h"

#define E6 1000000
/* Bounds that keep every product of the arithmetic inside 128 bits and every billed figure
 * inside MONEY_MAX_CENTS: any rate or share at most 10^6; overhead and markup at most 10
 * (1,000 %); counts at most 10^15. */
#define RATE_MAX_E6   ((int64_t)1000000 * E6)
#define CHARGE_MAX_E6 ((int64_t)10 * E6)
#define COUNT_MAX     ((int64_t)1000000000000000)

/* Where errors go while one document is read. */
struct ctx {
    const char *source;
    struct cb_error *err;
};

static enum cb_status fail(const struct ctx *cx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum cb_status fail(const struct ctx *cx, const char *path, const char *fmt, ...)
{
    char text[sizeof cx->err->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return cb_error_set(cx->err, CB_EUSAGE, cx->source, 0, path, "%s", text);
}

/* Returns a new "base.key" (or "key" at the top). */
static char *join(const char *base, const char *key)
{
    return base[0] ? xasprintf("%s.%s", base, key) : xstrdup(key);
}

static char *join_index(const char *base, size_t i)
{
    return xasprintf("%s[%zu]", base, i);
}

/* Every key of obj must be one of keys[]. */
static enum cb_status check_keys(const struct ctx *cx, json_t *obj, const char *path,
                                 const char *const *keys, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (known)
            continue;
        struct strbuf list = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&list, "%s%s", i ? ", " : "", keys[i]);
        char *p = join(path, key);
        enum cb_status st = fail(cx, p, "unknown key (expected one of: %s)", strbuf_cstr(&list));
        free(p);
        strbuf_free(&list);
        return st;
    }
    return CB_OK;
}
#define CHECK_KEYS(cx, obj, path, keys)                                                            \
    check_keys(cx, obj, path, keys, sizeof keys / sizeof keys[0])

static enum cb_status want_object(const struct ctx *cx, json_t *v, const char *path)
{
    return json_is_object(v) ? CB_OK : fail(cx, path, "expected an object");
}

/* An optional string member: replaces *out (freeing the old value) when present. */
static enum cb_status get_string(const struct ctx *cx, json_t *obj, const char *key,
                                 const char *path, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return CB_OK;
    char *p = join(path, key);
    enum cb_status st = CB_OK;
    if (!json_is_string(v))
        st = fail(cx, p, "expected a string");
    else {
        free(*out);
        *out = xstrdup(json_string_value(v));
    }
    free(p);
    return st;
}

/* A money value scaled by 10^scale: a decimal string or JSON integer, >= 0. */
static enum cb_status parse_money(const struct ctx *cx, json_t *v, const char *path, int scale,
                                  int64_t *out)
{
    if (json_is_string(v)) {
        if (!money_parse(json_string_value(v), scale, out))
            return fail(cx, path, "expected a decimal string with at most %d decimals, got \"%s\"",
                        scale, json_string_value(v));
    } else if (json_is_integer(v)) {
        int64_t m = 1;
        for (int i = 0; i < scale; i++)
            m *= 10;
        json_int_t i = json_integer_value(v);
        if (i > INT64_MAX / m || i < -(INT64_MAX / m))
            return fail(cx, path, "amount out of range");
        *out = (int64_t)i * m;
    } else if (json_is_real(v)) {
        return fail(cx, path,
                    "expected a decimal string; quote the amount (\"%.15g\") so it is "
                    "read exactly",
                    json_real_value(v));
    } else
        return fail(cx, path, "expected a decimal string");
    if (*out < 0)
        return fail(cx, path, "must not be negative");
    /* at most 10^12 currency units (MONEY_MAX_CENTS), so no product of the arithmetic wraps */
    int64_t max = MONEY_MAX_CENTS / 100;
    for (int i = 0; i < scale; i++)
        max = max > INT64_MAX / 10 ? INT64_MAX : max * 10;
    if (*out > max)
        return fail(cx, path, "%s is above the largest amount chargeback bills (1,000,000,000,000)",
                    json_is_string(v) ? json_string_value(v) : "the amount");
    return CB_OK;
}

/* A rate or share: number or decimal string, stored × 10^6 (reals rounded to 6 places). */
static enum cb_status parse_rate(const struct ctx *cx, json_t *v, const char *path, int64_t *out)
{
    if (json_is_string(v)) {
        if (!money_parse(json_string_value(v), 6, out))
            return fail(cx, path,
                        "expected a number or a decimal string with at most 6 decimals, "
                        "got \"%s\"",
                        json_string_value(v));
    } else if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i > INT64_MAX / E6 || i < -(INT64_MAX / E6))
            return fail(cx, path, "number out of range");
        *out = (int64_t)i * E6;
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || fabs(d) > 9.0e12)
            return fail(cx, path, "number out of range");
        *out = (int64_t)llround(d * E6);
    } else
        return fail(cx, path, "expected a number or decimal string");
    if (*out > RATE_MAX_E6 || *out < -RATE_MAX_E6)
        return fail(cx, path, "number out of range (at most 1000000)");
    return CB_OK;
}

/* A rate within [lo, hi] (× 10^6; hi < 0 means no upper bound). */
static enum cb_status get_rate(const struct ctx *cx, json_t *obj, const char *key, const char *path,
                               int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return CB_OK;
    char *p = join(path, key);
    enum cb_status st = parse_rate(cx, v, p, out);
    if (st == CB_OK && (*out < lo || (hi >= 0 && *out > hi))) {
        if (hi >= 0)
            st = fail(cx, p, "must be between %lld and %lld", (long long)(lo / E6),
                      (long long)(hi / E6));
        else if (lo > 0)
            st = fail(cx, p, "must be greater than 0");
        else
            st = fail(cx, p, "must not be negative");
    }
    free(p);
    return st;
}

/* A non-negative JSON integer count. */
static enum cb_status parse_count(const struct ctx *cx, json_t *v, const char *path, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return fail(cx, path, "expected a non-negative integer");
    if (json_integer_value(v) > COUNT_MAX)
        return fail(cx, path, "number out of range (at most 10^15)");
    *out = (int64_t)json_integer_value(v);
    return CB_OK;
}

/* Looks `s` up in names[]; fails naming the choices. */
static enum cb_status get_enum(const struct ctx *cx, json_t *obj, const char *key, const char *path,
                               const char *const *names, size_t n, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return CB_OK;
    char *p = join(path, key);
    enum cb_status st = CB_OK;
    int found = -1;
    for (size_t i = 0; json_is_string(v) && i < n && found < 0; i++)
        if (strcmp(json_string_value(v), names[i]) == 0)
            found = (int)i;
    if (found < 0) {
        struct strbuf list = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&list, "%s%s", i ? " | " : "", names[i]);
        if (json_is_string(v))
            st = fail(cx, p, "expected one of %s, got \"%s\"", strbuf_cstr(&list),
                      json_string_value(v));
        else
            st = fail(cx, p, "expected one of %s", strbuf_cstr(&list));
        strbuf_free(&list);
    } else
        *out = found;
    free(p);
    return st;
}

static const char *const MODEL_NAMES[] = {"usage", "fixed", "hybrid", "tiered"};
static const char *const SPLIT_NAMES[] = {"proportional", "even", "weights"};
static const char *const UNALLOC_NAMES[] = {"show", "proportional", "even"};
static const char *const BASIS_NAMES[] = {"headcount", "equal"};
static const char *const TIER_MODE_NAMES[] = {"graduated", "volume"};
static const char *const METRIC_NAMES[] = {"total_tokens", "input_tokens", "output_tokens"};
#define NAMES(a) a, sizeof a / sizeof a[0]

/* ---- sections ---- */

static enum cb_status read_tiers(const struct ctx *cx, json_t *arr, struct config *c)
{
    static const char *const keys[] = {"up_to", "per_million"};
    enum cb_status st = CB_OK;
    char *p = NULL, *q = NULL;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        st = fail(cx, "chargeback.tiers", "expected a non-empty array of tiers");
        goto cleanup;
    }
    size_t n = json_array_size(arr);
    c->tiers = xcalloc(n, sizeof *c->tiers);
    c->n_tiers = n;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(arr, i);
        struct config_tier *tier = &c->tiers[i];
        free(p);
        p = join_index("chargeback.tiers", i);
        if ((st = want_object(cx, t, p)) || (st = CHECK_KEYS(cx, t, p, keys)))
            goto cleanup;
        json_t *v = json_object_get(t, "per_million");
        free(q);
        q = join(p, "per_million");
        if (!v) {
            st = fail(cx, q, "missing (every tier needs a price per million tokens)");
            goto cleanup;
        }
        if ((st = parse_money(cx, v, q, 6, &tier->per_million_micros)))
            goto cleanup;
        v = json_object_get(t, "up_to");
        free(q);
        q = join(p, "up_to");
        if (v) {
            if ((st = parse_count(cx, v, q, &tier->up_to)))
                goto cleanup;
            tier->has_up_to = true;
            if (i + 1 == n) {
                st = fail(cx, q,
                          "the last tier must be open (no up_to), so every token has a "
                          "price");
                goto cleanup;
            }
            if (tier->up_to == 0 || (i > 0 && tier->up_to <= c->tiers[i - 1].up_to)) {
                st = fail(cx, q, "tiers must be in ascending order of up_to (got %lld)",
                          (long long)tier->up_to);
                goto cleanup;
            }
        } else if (i + 1 < n) {
            st = fail(cx, q, "missing (only the last tier may be open)");
            goto cleanup;
        }
    }
cleanup:
    free(q);
    free(p);
    return st;
}

static enum cb_status read_chargeback(const struct ctx *cx, json_t *o, struct config *c)
{
    static const char *const keys[] = {"model", "amount",    "fixed_share", "fixed_basis",
                                       "tiers", "tier_mode", "tier_metric"};
    enum cb_status st;
    const char *p = "chargeback";
    if ((st = want_object(cx, o, p)) || (st = CHECK_KEYS(cx, o, p, keys)))
        return st;
    int e;
    e = (int)c->model;
    if ((st = get_enum(cx, o, "model", p, NAMES(MODEL_NAMES), &e)))
        return st;
    c->model = (enum cb_model)e;
    json_t *v = json_object_get(o, "amount");
    if (v) {
        if ((st = parse_money(cx, v, "chargeback.amount", 2, &c->amount_cents)))
            return st;
        c->has_amount = true;
    }
    if ((st = get_rate(cx, o, "fixed_share", p, 0, E6, &c->fixed_share_e6)))
        return st;
    e = (int)c->fixed_basis;
    if ((st = get_enum(cx, o, "fixed_basis", p, NAMES(BASIS_NAMES), &e)))
        return st;
    c->fixed_basis = (enum fixed_basis)e;
    e = (int)c->tier_mode;
    if ((st = get_enum(cx, o, "tier_mode", p, NAMES(TIER_MODE_NAMES), &e)))
        return st;
    c->tier_mode = (enum tier_mode)e;
    e = (int)c->tier_metric;
    if ((st = get_enum(cx, o, "tier_metric", p, NAMES(METRIC_NAMES), &e)))
        return st;
    c->tier_metric = (enum tier_metric)e;
    if ((v = json_object_get(o, "tiers")) && (st = read_tiers(cx, v, c)))
        return st;
    return CB_OK;
}

static int int64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* {"name": "...", "email": "..."}: an address alerts can be sent to, and an optional name. */
static enum cb_status read_person(const struct ctx *cx, json_t *o, const char *path,
                                  struct config_person *out)
{
    static const char *const keys[] = {"name", "email"};
    enum cb_status st;
    if ((st = want_object(cx, o, path)) || (st = CHECK_KEYS(cx, o, path, keys)) ||
        (st = get_string(cx, o, "name", path, &out->name)) ||
        (st = get_string(cx, o, "email", path, &out->email)))
        return st;
    char *p = join(path, "email");
    if (!out->email)
        st = fail(cx, p, "missing (the address its alerts go to)");
    else if (!out->email[0] || !strchr(out->email, '@') || strpbrk(out->email, " \t\r\n,;<>\""))
        st = fail(cx, p, "expected one address such as \"finance@example.com\", got \"%s\"",
                  out->email);
    free(p);
    return st;
}

/* The fields every budget has: monthly (money) or monthly_tokens, alert_thresholds, owner.
 * `keys` are the keys the object may hold (a budgets[] entry adds team, project, user). */
static enum cb_status read_budget_fields(const struct ctx *cx, json_t *o, const char *path,
                                         const char *const *keys, size_t n_keys,
                                         struct config_budget *b)
{
    enum cb_status st;
    char *q = NULL;
    if ((st = want_object(cx, o, path)) || (st = check_keys(cx, o, path, keys, n_keys)))
        goto cleanup;
    json_t *money = json_object_get(o, "monthly"), *tokens = json_object_get(o, "monthly_tokens");
    if (money && tokens) {
        st = fail(cx, path, "give either monthly or monthly_tokens, not both");
        goto cleanup;
    }
    if (!money && !tokens) {
        st = fail(cx, path, "missing monthly (an amount) or monthly_tokens");
        goto cleanup;
    }
    if (money) {
        q = join(path, "monthly");
        st = parse_money(cx, money, q, 2, &b->monthly);
    } else {
        b->is_tokens = true;
        q = join(path, "monthly_tokens");
        st = parse_count(cx, tokens, q, &b->monthly);
    }
    /* utilization = charge / budget: a zero budget has none (SPEC §5) */
    if (st == CB_OK && b->monthly == 0)
        st = fail(cx, q, "must be greater than 0 (leave the budget out for a team without one)");
    if (st)
        goto cleanup;
    json_t *th = json_object_get(o, "alert_thresholds");
    if (th) {
        free(q);
        q = join(path, "alert_thresholds");
        if (!json_is_array(th)) {
            st = fail(cx, q, "expected an array of fractions (e.g. [0.5, 0.8, 1.0])");
            goto cleanup;
        }
        b->n_thresholds = json_array_size(th);
        b->thresholds_e6 = xcalloc(b->n_thresholds ? b->n_thresholds : 1, sizeof *b->thresholds_e6);
        for (size_t i = 0; i < b->n_thresholds; i++) {
            char *r = join_index(q, i);
            st = parse_rate(cx, json_array_get(th, i), r, &b->thresholds_e6[i]);
            if (st == CB_OK && b->thresholds_e6[i] <= 0)
                st = fail(cx, r, "must be greater than 0");
            free(r);
            if (st)
                goto cleanup;
        }
        qsort(b->thresholds_e6, b->n_thresholds, sizeof *b->thresholds_e6, int64_cmp);
    }
    json_t *owner = json_object_get(o, "owner");
    if (owner) {
        free(q);
        q = join(path, "owner");
        st = read_person(cx, owner, q, &b->owner);
    }
cleanup:
    free(q);
    return st;
}

/* Moves a parsed budget onto its team (which must have none yet). */
static void team_take_budget(struct config_team *t, struct config_budget *b)
{
    t->has_budget = true;
    t->budget_is_tokens = b->is_tokens;
    t->budget_monthly = b->monthly;
    t->thresholds_e6 = b->thresholds_e6;
    t->n_thresholds = b->n_thresholds;
    t->budget_owner = b->owner;
    memset(b, 0, sizeof *b);
}

static void person_free(struct config_person *p)
{
    free(p->name);
    free(p->email);
}

static void budget_free(struct config_budget *b)
{
    free(b->key);
    free(b->thresholds_e6);
    person_free(&b->owner);
}

static enum cb_status read_budget(const struct ctx *cx, json_t *o, const char *path,
                                  struct config_team *t)
{
    static const char *const keys[] = {"monthly", "monthly_tokens", "alert_thresholds", "owner"};
    struct config_budget b = {0};
    enum cb_status st = read_budget_fields(cx, o, path, keys, sizeof keys / sizeof keys[0], &b);
    if (st == CB_OK)
        team_take_budget(t, &b);
    budget_free(&b);
    return st;
}

static int budget_cmp(const void *a, const void *b)
{
    const struct config_budget *x = a, *y = b;
    if (x->scope != y->scope)
        return (x->scope > y->scope) - (x->scope < y->scope);
    int k = strcmp(x->key, y->key);
    return k ? k : (x->index > y->index) - (x->index < y->index);
}

/* budgets: [{"project" | "user" | "team": "...", "monthly" | "monthly_tokens": ...,
 * "alert_thresholds": [...], "owner": {...}}]. A team entry becomes that team's budget (the team
 * must be in teams and have no budget there); project and user entries are kept sorted. */
static enum cb_status read_budgets(const struct ctx *cx, json_t *arr, struct config *c)
{
    static const char *const keys[] = {"team",           "project",          "user", "monthly",
                                       "monthly_tokens", "alert_thresholds", "owner"};
    static const char *const scopes[] = {"team", "project", "user"};
    enum cb_status st = CB_OK;
    char *p = NULL, *q = NULL;
    struct config_budget b = {0};
    if (!json_is_array(arr)) {
        st = fail(cx, "budgets", "expected an array of budgets");
        goto cleanup;
    }
    c->budgets = xcalloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof *c->budgets);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        free(p);
        p = join_index("budgets", i);
        budget_free(&b);
        memset(&b, 0, sizeof b);
        if ((st = read_budget_fields(cx, e, p, keys, sizeof keys / sizeof keys[0], &b)))
            goto cleanup;
        int found = -1;
        for (int k = 0; k < 3; k++) {
            if (!json_object_get(e, scopes[k]))
                continue;
            if (found >= 0) {
                st = fail(cx, p, "give one of team, project or user, not both %s and %s",
                          scopes[found], scopes[k]);
                goto cleanup;
            }
            found = k;
        }
        if (found < 0) {
            st = fail(cx, p, "missing what the budget is on: \"project\", \"user\" or \"team\"");
            goto cleanup;
        }
        json_t *v = json_object_get(e, scopes[found]);
        free(q);
        q = join(p, scopes[found]);
        if (!json_is_string(v) || !json_string_value(v)[0]) {
            st = fail(cx, q, "expected a non-empty string");
            goto cleanup;
        }
        const char *key = json_string_value(v);
        if (found == SCOPE_TEAM) {
            struct config_team *t = (struct config_team *)config_team(c, key);
            if (!t)
                st = fail(cx, q, "no team \"%s\" in teams", key);
            else if (t->has_budget)
                st = fail(cx, q,
                          "team \"%s\" has a budget already (teams.%s.budget or an "
                          "earlier entry): give it once",
                          key, key);
            else
                team_take_budget(t, &b);
            if (st)
                goto cleanup;
            continue;
        }
        b.scope = (enum config_scope)found;
        b.key = xstrdup(key);
        b.index = i;
        c->budgets[c->n_budgets++] = b;
        memset(&b, 0, sizeof b);
    }
    /* sorted (ties by position), so a budget given twice sits next to its first */
    qsort(c->budgets, c->n_budgets, sizeof *c->budgets, budget_cmp);
    for (size_t k = 1; k < c->n_budgets; k++) {
        const struct config_budget *x = &c->budgets[k - 1], *y = &c->budgets[k];
        if (x->scope != y->scope || strcmp(x->key, y->key) != 0)
            continue;
        free(p);
        p = xasprintf("budgets[%zu].%s", y->index, scopes[y->scope]);
        st = fail(cx, p, "%s \"%s\" has a budget already (budgets[%zu]): give it once",
                  scopes[y->scope], y->key, x->index);
        goto cleanup;
    }
cleanup:
    budget_free(&b);
    free(q);
    free(p);
    return st;
}

static enum cb_status read_team(const struct ctx *cx, const char *id, json_t *o,
                                struct config_team *t)
{
    static const char *const keys[] = {"name",   "cost_center", "headcount", "weight",
                                       "markup", "budget",      "contact",   "gl_account",
                                       "owner",  "reference"};
    enum cb_status st;
    char *p = join("teams", id), *q = NULL;
    t->id = xstrdup(id);
    t->weight_e6 = E6;
    if (!id[0]) {
        st = fail(cx, p, "empty team id");
        goto cleanup;
    }
    if ((st = want_object(cx, o, p)) || (st = CHECK_KEYS(cx, o, p, keys)))
        goto cleanup;
    if ((st = get_string(cx, o, "name", p, &t->name)) ||
        (st = get_string(cx, o, "cost_center", p, &t->cost_center)) ||
        (st = get_string(cx, o, "contact", p, &t->contact)) ||
        (st = get_string(cx, o, "owner", p, &t->owner)) ||
        (st = get_string(cx, o, "reference", p, &t->reference)) ||
        (st = get_string(cx, o, "gl_account", p, &t->gl_account)))
        goto cleanup;
    json_t *v = json_object_get(o, "headcount");
    if (v) {
        q = join(p, "headcount");
        if ((st = parse_count(cx, v, q, &t->headcount)))
            goto cleanup;
        t->has_headcount = true;
    }
    if ((st = get_rate(cx, o, "weight", p, 0, -1, &t->weight_e6)) ||
        (st = get_rate(cx, o, "markup", p, 0, CHARGE_MAX_E6, &t->markup_e6)))
        goto cleanup;
    if ((v = json_object_get(o, "budget"))) {
        free(q);
        q = join(p, "budget");
        st = read_budget(cx, v, q, t);
    }
cleanup:
    free(q);
    free(p);
    return st;
}

static int team_cmp(const void *a, const void *b)
{
    return strcmp(((const struct config_team *)a)->id, ((const struct config_team *)b)->id);
}

static enum cb_status read_teams(const struct ctx *cx, json_t *o, struct config *c)
{
    enum cb_status st;
    if ((st = want_object(cx, o, "teams")))
        return st;
    c->n_teams = json_object_size(o);
    c->teams = xcalloc(c->n_teams ? c->n_teams : 1, sizeof *c->teams);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if ((st = read_team(cx, key, v, &c->teams[i++])))
            return st;
    }
    qsort(c->teams, c->n_teams, sizeof *c->teams, team_cmp);
    return CB_OK;
}

/* {"tag": "value" | ["v1", "v2"], ...}: every tag known, every value a non-empty string. */
static enum cb_status read_match(const struct ctx *cx, json_t *o, const char *path,
                                 struct config_match *m)
{
    enum cb_status st;
    char *p = NULL, *q = NULL;
    if ((st = want_object(cx, o, path)))
        goto cleanup;
    if (json_object_size(o) == 0) {
        st = fail(cx, path, "empty match (name at least one tag)");
        goto cleanup;
    }
    m->conds = xcalloc(json_object_size(o), sizeof *m->conds);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        free(p);
        p = join(path, key);
        int tag = tag_from_name(key);
        if (tag < 0) {
            st = fail(cx, p,
                      "unknown tag (expected a tag name such as team, project, user, "
                      "api_key_id, workspace_id)");
            goto cleanup;
        }
        struct config_cond *cond = &m->conds[m->n_conds++];
        cond->tag = (enum tag)tag;
        if (json_is_string(v)) {
            cond->values = xcalloc(1, sizeof *cond->values);
            cond->values[cond->n_values++] = xstrdup(json_string_value(v));
            continue;
        }
        if (!json_is_array(v) || json_array_size(v) == 0) {
            st = fail(cx, p, "expected a string or a non-empty array of strings");
            goto cleanup;
        }
        cond->values = xcalloc(json_array_size(v), sizeof *cond->values);
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            if (!json_is_string(s)) {
                free(q);
                q = join_index(p, i);
                st = fail(cx, q, "expected a string");
                goto cleanup;
            }
            cond->values[cond->n_values++] = xstrdup(json_string_value(s));
        }
    }
cleanup:
    free(q);
    free(p);
    return st;
}

static enum cb_status read_rules(const struct ctx *cx, json_t *arr, struct config *c)
{
    static const char *const keys[] = {"match", "set"};
    enum cb_status st = CB_OK;
    char *p = NULL, *q = NULL;
    if (!json_is_array(arr)) {
        st = fail(cx, "attribution", "expected an array of rules");
        goto cleanup;
    }
    c->rules = xcalloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof *c->rules);
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        free(p);
        p = join_index("attribution", i);
        if ((st = want_object(cx, r, p)) || (st = CHECK_KEYS(cx, r, p, keys)))
            goto cleanup;
        struct config_rule *rule = &c->rules[c->n_rules++];
        json_t *m = json_object_get(r, "match"), *set = json_object_get(r, "set");
        free(q);
        q = join(p, "match");
        if (!m) {
            st = fail(cx, q, "missing");
            goto cleanup;
        }
        if ((st = read_match(cx, m, q, &rule->match)))
            goto cleanup;
        free(q);
        q = join(p, "set");
        if (!set || !json_is_object(set) || json_object_size(set) == 0) {
            st = fail(cx, q, set ? "expected an object of tags to set" : "missing");
            goto cleanup;
        }
        const char *key;
        json_t *v;
        json_object_foreach(set, key, v)
        {
            char *k = join(q, key);
            int tag = tag_from_name(key);
            if (tag < 0)
                st = fail(cx, k, "unknown tag");
            else if (!json_is_string(v) || !json_string_value(v)[0])
                st = fail(cx, k, "expected a non-empty string");
            else
                rule->set[tag] = xstrdup(json_string_value(v));
            free(k);
            if (st)
                goto cleanup;
        }
    }
cleanup:
    free(q);
    free(p);
    return st;
}

/* A display name built from a match: the value when there is one condition with one value,
 * else "tag=v1|v2, tag=v". */
static char *match_name(const struct config_match *m)
{
    if (m->n_conds == 1 && m->conds[0].n_values == 1)
        return xstrdup(m->conds[0].values[0]);
    struct strbuf b = STRBUF_INIT;
    for (size_t i = 0; i < m->n_conds; i++) {
        strbuf_printf(&b, "%s%s=", i ? ", " : "", tag_name(m->conds[i].tag));
        for (size_t j = 0; j < m->conds[i].n_values; j++)
            strbuf_printf(&b, "%s%s", j ? "|" : "", m->conds[i].values[j]);
    }
    return strbuf_detach(&b);
}

static enum cb_status read_shared(const struct ctx *cx, json_t *arr, struct config *c)
{
    static const char *const keys[] = {"match", "split", "name"};
    enum cb_status st = CB_OK;
    char *p = NULL, *q = NULL;
    if (!json_is_array(arr)) {
        st = fail(cx, "shared", "expected an array of shared-cost pools");
        goto cleanup;
    }
    c->shared = xcalloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof *c->shared);
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        free(p);
        p = join_index("shared", i);
        if ((st = want_object(cx, r, p)) || (st = CHECK_KEYS(cx, r, p, keys)))
            goto cleanup;
        struct config_shared *sh = &c->shared[c->n_shared++];
        json_t *m = json_object_get(r, "match");
        free(q);
        q = join(p, "match");
        if (!m) {
            st = fail(cx, q, "missing");
            goto cleanup;
        }
        if ((st = read_match(cx, m, q, &sh->match)))
            goto cleanup;
        int e = SPLIT_PROPORTIONAL;
        if ((st = get_enum(cx, r, "split", p, NAMES(SPLIT_NAMES), &e)))
            goto cleanup;
        sh->split = (enum split_kind)e;
        if ((st = get_string(cx, r, "name", p, &sh->name)))
            goto cleanup;
        if (!sh->name)
            sh->name = match_name(&sh->match);
    }
cleanup:
    free(q);
    free(p);
    return st;
}

static enum cb_status read_invoice(const struct ctx *cx, json_t *o, struct config *c)
{
    static const char *const keys[] = {"number_prefix", "issuer", "footer", "paper",
                                       "payment_terms_days"};
    enum cb_status st;
    if ((st = want_object(cx, o, "invoice")) || (st = CHECK_KEYS(cx, o, "invoice", keys)) ||
        (st = get_string(cx, o, "number_prefix", "invoice", &c->number_prefix)) ||
        (st = get_string(cx, o, "issuer", "invoice", &c->issuer)) ||
        (st = get_string(cx, o, "footer", "invoice", &c->footer)))
        return st;
    json_t *terms = json_object_get(o, "payment_terms_days");
    if (terms) {
        if (!json_is_integer(terms) || json_integer_value(terms) < 0 ||
            json_integer_value(terms) > 366)
            return fail(cx, "invoice.payment_terms_days",
                        "expected a whole number of days from 0 to 366, such as 30");
        c->payment_terms_days = (int64_t)json_integer_value(terms);
    }
    static const char *const papers[] = {"A4", "Letter"};
    int e = strcmp(c->paper, "Letter") == 0;
    if ((st = get_enum(cx, o, "paper", "invoice", NAMES(papers), &e)))
        return st;
    free(c->paper);
    c->paper = xstrdup(papers[e]);
    return CB_OK;
}

static enum cb_status read_value_metrics(const struct ctx *cx, json_t *o, struct config *c)
{
    enum cb_status st;
    if ((st = want_object(cx, o, "value_metrics")))
        return st;
    const char *team;
    json_t *metrics;
    json_object_foreach(o, team, metrics)
    {
        char *p = join("value_metrics", team);
        struct config_team *t = (struct config_team *)config_team(c, team);
        if (!t)
            st = fail(cx, p, "no team \"%s\" in teams", team);
        else if (!json_is_object(metrics))
            st = fail(cx, p, "expected an object of metric name to units");
        else {
            t->metrics = xcalloc(json_object_size(metrics) ? json_object_size(metrics) : 1,
                                 sizeof *t->metrics);
            const char *name;
            json_t *v;
            json_object_foreach(metrics, name, v)
            {
                char *q = join(p, name);
                struct config_value_metric *m = &t->metrics[t->n_metrics++];
                m->name = xstrdup(name);
                st = parse_rate(cx, v, q, &m->units_e6);
                if (st == CB_OK && m->units_e6 < 0)
                    st = fail(cx, q, "must not be negative");
                free(q);
                if (st)
                    break;
            }
        }
        free(p);
        if (st)
            return st;
    }
    return CB_OK;
}

/* Checks the prices object against a scratch book now, so its errors carry the "prices." path
 * and the run fails before reading any input. */
static enum cb_status check_prices(const struct ctx *cx, json_t *doc)
{
    struct price_book *pb = price_book_new_builtin();
    struct cb_error e;
    cb_error_clear(&e);
    enum cb_status st = price_book_merge_json(pb, doc, cx->source, &e);
    price_book_free(pb);
    if (st == CB_OK)
        return CB_OK;
    char *p = e.field[0] ? join("prices", e.field) : xstrdup("prices");
    st = cb_error_set(cx->err, st, cx->source, 0, p, "%s", e.text);
    free(p);
    return st;
}

/* Returns a new configuration with the defaults above. Free with config_free. Never fails. */
struct config *config_new_default(void)
{
    struct config *c = xcalloc(1, sizeof *c);
    c->organization = xstrdup("Organization");
    c->currency = xstrdup("USD");
    c->model = CB_MODEL_USAGE;
    c->fixed_basis = BASIS_HEADCOUNT;
    c->tier_mode = TIER_GRADUATED;
    c->tier_metric = METRIC_TOTAL_TOKENS;
    c->unallocated = UNALLOC_SHOW;
    c->number_prefix = xstrdup("CB-");
    c->paper = xstrdup("A4");
    c->payment_terms_days = 30;
    c->anomaly_factor_e6 = 2 * E6;
    c->source = xstrdup("(built-in)");
    return c;
}

static enum cb_status model_checks(const struct ctx *cx, const struct config *c, enum cb_model m,
                                   const char *why);

static enum cb_status read_document(const struct ctx *cx, json_t *doc, struct config *c)
{
    static const char *const keys[] = {
        "organization",   "currency",      "chargeback",  "overhead_rate",    "teams",
        "attribution",    "shared",        "unallocated", "provider_invoice", "invoice",
        "internal_rates", "value_metrics", "gl_account",  "anomaly_factor",   "prices",
        "budgets",        "finance",       "alerts",      "journal"};
    enum cb_status st;
    json_t *v;
    if (!json_is_object(doc))
        return fail(cx, NULL, "the configuration must be a JSON object");
    if ((st = CHECK_KEYS(cx, doc, "", keys)) ||
        (st = get_string(cx, doc, "organization", "", &c->organization)) ||
        (st = get_string(cx, doc, "currency", "", &c->currency)) ||
        (st = get_string(cx, doc, "gl_account", "", &c->gl_account)))
        return st;
    if (strlen(c->currency) != 3 || strspn(c->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return fail(cx, "currency", "expected a three-letter ISO 4217 code such as \"USD\"");
    if ((v = json_object_get(doc, "chargeback")) && (st = read_chargeback(cx, v, c)))
        return st;
    if ((st = get_rate(cx, doc, "overhead_rate", "", 0, CHARGE_MAX_E6, &c->overhead_e6)) ||
        (st = get_rate(cx, doc, "anomaly_factor", "", 1, -1, &c->anomaly_factor_e6)))
        return st;
    if ((v = json_object_get(doc, "teams")) && (st = read_teams(cx, v, c)))
        return st;
    if ((v = json_object_get(doc, "budgets")) && (st = read_budgets(cx, v, c)))
        return st;
    if ((v = json_object_get(doc, "finance")) && (st = read_person(cx, v, "finance", &c->finance)))
        return st;
    if ((v = json_object_get(doc, "alerts"))) {
        static const char *const ak[] = {"unallocated_share"};
        if ((st = want_object(cx, v, "alerts")) || (st = CHECK_KEYS(cx, v, "alerts", ak)))
            return st;
        if (json_object_get(v, "unallocated_share")) {
            if ((st = get_rate(cx, v, "unallocated_share", "alerts", 0, E6,
                               &c->unallocated_limit_e6)))
                return st;
            c->has_unallocated_limit = true;
        }
    }
    if ((v = json_object_get(doc, "attribution")) && (st = read_rules(cx, v, c)))
        return st;
    if ((v = json_object_get(doc, "shared")) && (st = read_shared(cx, v, c)))
        return st;
    int e = (int)c->unallocated;
    if ((st = get_enum(cx, doc, "unallocated", "", NAMES(UNALLOC_NAMES), &e)))
        return st;
    c->unallocated = (enum unallocated_policy)e;
    if ((v = json_object_get(doc, "provider_invoice"))) {
        if ((st = want_object(cx, v, "provider_invoice")))
            return st;
        if (json_object_get(v, "total"))
            return fail(cx, "provider_invoice.total",
                        "a provider total must name its month, so it is never applied to "
                        "another one: write {\"2026-10\": \"950.06\"} (or give the Cost report "
                        "among the inputs)");
        const char *k;
        json_t *t;
        c->provider_months =
            xcalloc(json_object_size(v) ? json_object_size(v) : 1, sizeof *c->provider_months);
        json_object_foreach(v, k, t)
        {
            char path[96];
            snprintf(path, sizeof path, "provider_invoice.%.40s", k);
            struct config_provider_month *pm = &c->provider_months[c->n_provider_months];
            if (strlen(k) != 7 || k[4] != '-' || sscanf(k, "%4d-%2d", &pm->year, &pm->month) != 2 ||
                pm->year < 1970 || pm->month < 1 || pm->month > 12)
                return fail(cx, path, "expected a month YYYY-MM as the key");
            if ((st = parse_money(cx, t, path, 2, &pm->cents)))
                return st;
            c->n_provider_months++;
        }
    }
    if ((v = json_object_get(doc, "invoice")) && (st = read_invoice(cx, v, c)))
        return st;
    if ((v = json_object_get(doc, "journal"))) {
        static const char *const jk[] = {"credit_account"};
        if ((st = want_object(cx, v, "journal")) || (st = CHECK_KEYS(cx, v, "journal", jk)) ||
            (st = get_string(cx, v, "credit_account", "journal", &c->credit_account)))
            return st;
        if (c->credit_account && !c->credit_account[0])
            return fail(cx, "journal.credit_account", "expected an account, got \"\"");
    }
    if ((v = json_object_get(doc, "internal_rates"))) {
        static const char *const rk[] = {"skill_invocation", "mcp_operation"};
        if ((st = want_object(cx, v, "internal_rates")) ||
            (st = CHECK_KEYS(cx, v, "internal_rates", rk)))
            return st;
        json_t *r;
        if ((r = json_object_get(v, "skill_invocation")) &&
            (st = parse_money(cx, r, "internal_rates.skill_invocation", 6, &c->skill_rate_micros)))
            return st;
        if ((r = json_object_get(v, "mcp_operation")) &&
            (st = parse_money(cx, r, "internal_rates.mcp_operation", 6, &c->mcp_rate_micros)))
            return st;
    }
    if ((v = json_object_get(doc, "value_metrics")) && (st = read_value_metrics(cx, v, c)))
        return st;
    if ((v = json_object_get(doc, "prices"))) {
        if ((st = check_prices(cx, v)))
            return st;
        c->prices = json_incref(v);
    }
    return model_checks(cx, c, c->model, "");
}

/* What a chargeback model needs from the rest of the configuration: tiered needs tiers, hybrid
 * by headcount needs every team's headcount. `why` prefixes the message ("--model tiered: "). */
static enum cb_status model_checks(const struct ctx *cx, const struct config *c, enum cb_model m,
                                   const char *why)
{
    if (m == CB_MODEL_TIERED && c->n_tiers == 0)
        return fail(cx, "chargeback.tiers", "%smissing (the tiered model needs tiers)", why);
    if (m == CB_MODEL_HYBRID && c->fixed_basis == BASIS_HEADCOUNT) {
        for (size_t i = 0; i < c->n_teams; i++) {
            if (c->teams[i].has_headcount)
                continue;
            char *p = xasprintf("teams.%s.headcount", c->teams[i].id);
            enum cb_status st = fail(cx, p,
                                     "%smissing: the hybrid model splits its fixed share by "
                                     "headcount (chargeback.fixed_basis); give every team a "
                                     "headcount or set fixed_basis to \"equal\"",
                                     why);
            free(p);
            return st;
        }
    }
    return CB_OK;
}

/* Switches the configuration to the chargeback model `m` (--model), after the same checks the
 * configured model passed. Returns CB_OK, or CB_EUSAGE naming the missing key; c is unchanged
 * on error. */
enum cb_status config_set_model(struct config *c, enum cb_model m, struct cb_error *err)
{
    struct ctx cx = {c->source, err};
    char why[48];
    snprintf(why, sizeof why, "--model %s: ", config_model_name(m));
    enum cb_status st = model_checks(&cx, c, m, why);
    if (st == CB_OK)
        c->model = m;
    return st;
}

/* Builds a configuration from a parsed document (doc is not consumed). Returns CB_OK and a new
 * *out (free with config_free), or CB_EUSAGE with err naming `source` and the key path. */
enum cb_status config_from_json(json_t *doc, const char *source, struct config **out,
                                struct cb_error *err)
{
    struct ctx cx = {source ? source : "config", err};
    struct config *c = config_new_default();
    free(c->source);
    c->source = xstrdup(cx.source);
    enum cb_status st = read_document(&cx, doc, c);
    if (st != CB_OK) {
        config_free(c);
        c = NULL;
    }
    *out = c;
    return st;
}

/* Reads and checks a configuration file (duplicate keys are errors). CB_EIO when it cannot be
 * read; CB_EUSAGE for bad JSON or a bad configuration. *out is NULL on failure. */
enum cb_status config_load(const char *path, struct config **out, struct cb_error *err)
{
    enum cb_status st;
    json_t *doc = NULL;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    /* a byte-order mark is accepted, as it is in the inputs (editors on Windows write one) */
    unsigned char bom[3];
    size_t got = fread(bom, 1, sizeof bom, f);
    if (got != sizeof bom || memcmp(bom, "\xEF\xBB\xBF", 3) != 0)
        rewind(f);
    json_error_t jerr;
    doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        st = cb_error_set(err, ferror(f) ? CB_EIO : CB_EUSAGE, path, jerr.line, NULL, "%s",
                          jerr.text);
        goto cleanup;
    }
    st = config_from_json(doc, path, out, err);
cleanup:
    json_decref(doc);
    if (f)
        fclose(f);
    return st;
}

static void match_free(struct config_match *m)
{
    for (size_t i = 0; i < m->n_conds; i++) {
        for (size_t j = 0; j < m->conds[i].n_values; j++)
            free(m->conds[i].values[j]);
        free(m->conds[i].values);
    }
    free(m->conds);
}

/* Frees everything the configuration owns. Accepts NULL. */
void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_teams; i++) {
        struct config_team *t = &c->teams[i];
        free(t->id);
        free(t->name);
        free(t->cost_center);
        free(t->contact);
        free(t->owner);
        free(t->reference);
        person_free(&t->budget_owner);
        free(t->gl_account);
        free(t->thresholds_e6);
        for (size_t j = 0; j < t->n_metrics; j++)
            free(t->metrics[j].name);
        free(t->metrics);
    }
    free(c->provider_months);
    free(c->teams);
    for (size_t i = 0; i < c->n_budgets; i++)
        budget_free(&c->budgets[i]);
    free(c->budgets);
    person_free(&c->finance);
    for (size_t i = 0; i < c->n_rules; i++) {
        match_free(&c->rules[i].match);
        for (int k = 0; k < TAG_COUNT; k++)
            free(c->rules[i].set[k]);
    }
    free(c->rules);
    for (size_t i = 0; i < c->n_shared; i++) {
        match_free(&c->shared[i].match);
        free(c->shared[i].name);
    }
    free(c->shared);
    free(c->tiers);
    free(c->organization);
    free(c->currency);
    free(c->number_prefix);
    free(c->issuer);
    free(c->footer);
    free(c->paper);
    free(c->gl_account);
    free(c->credit_account);
    json_decref(c->prices);
    free(c->source);
    free(c);
}

/* The configured team `id` (teams are sorted: binary search). Borrowed, or NULL. */
const struct config_team *config_team(const struct config *c, const char *id)
{
    if (!c || !id)
        return NULL;
    size_t lo = 0, hi = c->n_teams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->teams[mid].id, id);
        if (cmp == 0)
            return &c->teams[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The budget of `budgets` on (scope, key): budgets are sorted by scope then key, so a binary
 * search. Borrowed pointer, or NULL. */
const struct config_budget *config_budget_find(const struct config *c, enum config_scope scope,
                                               const char *key)
{
    if (!c || !key)
        return NULL;
    size_t lo = 0, hi = c->n_budgets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct config_budget *b = &c->budgets[mid];
        int cmp = b->scope != scope ? (b->scope > scope) - (b->scope < scope) : strcmp(b->key, key);
        if (cmp == 0)
            return b;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* True when every condition holds: the tag is present and equals one of the values. A match
 * without conditions holds for everything. */
bool config_match(const struct config_match *m, const char *const tags[TAG_COUNT])
{
    for (size_t i = 0; i < m->n_conds; i++) {
        const struct config_cond *cond = &m->conds[i];
        const char *have = tags[cond->tag];
        bool hit = false;
        for (size_t j = 0; have && j < cond->n_values && !hit; j++)
            hit = strcmp(have, cond->values[j]) == 0;
        if (!hit)
            return false;
    }
    return true;
}

/* "usage", "fixed", "hybrid" or "tiered" (static). */
const char *config_model_name(enum cb_model m)
{
    return (unsigned)m < sizeof MODEL_NAMES / sizeof MODEL_NAMES[0] ? MODEL_NAMES[m] : "";
}

/* Parses a chargeback model name. */
bool config_model_parse(const char *s, enum cb_model *out)
{
    for (size_t i = 0; s && i < sizeof MODEL_NAMES / sizeof MODEL_NAMES[0]; i++)
        if (strcmp(s, MODEL_NAMES[i]) == 0) {
            *out = (enum cb_model)i;
            return true;
        }
    return false;
}

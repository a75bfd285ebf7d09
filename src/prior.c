/* Earlier months read back from their report.json (prior.h). */
#include "prior.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archive.h"
#include "date.h"
#include "money.h"
#include "paths.h"
#include "xalloc.h"

static int cmp_team(const void *a, const void *b)
{
    return strcmp(((const struct prior_team *)a)->id, ((const struct prior_team *)b)->id);
}

/* A string member of o, copied; "" when it is null, NULL when it is missing or not a string. */
static char *member_dup(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_null(v))
        return xstrdup("");
    const char *s = json_string_value(v);
    return s ? xstrdup(s) : NULL;
}

/* Fills m from a parsed report.json; `what` ("--previous", "--supersedes") starts messages. */
static enum cb_status from_json(struct prior_month *m, json_t *doc, const char *what,
                                struct cb_error *err)
{
    const char *month = json_string_value(json_object_get(json_object_get(doc, "period"), "month"));
    json_t *teams = json_object_get(doc, "teams");
    json_t *rev = json_object_get(doc, "revision");
    if (!month || strlen(month) != 7 || !json_is_array(teams) || (rev && !json_is_integer(rev)))
        return cb_error_set(err, CB_EUSAGE, m->path, 0, NULL,
                            "%s: not a chargeback report (period.month and teams needed)", what);
    snprintf(m->month, sizeof m->month, "%s", month);
    const char *mode = json_string_value(json_object_get(doc, "mode"));
    m->shadow = mode && strcmp(mode, "shadow") == 0;
    json_int_t r = rev ? json_integer_value(rev) : 1;
    if (r < 1 || r > 98)
        return cb_error_set(err, CB_EUSAGE, m->path, 0, "revision",
                            "%s: revision must be from 1 to 98, got %lld", what, (long long)r);
    m->revision = (int)r;
    m->teams = xcalloc(json_array_size(teams) ? json_array_size(teams) : 1, sizeof *m->teams);
    size_t k;
    json_t *e;
    json_array_foreach(teams, k, e)
    {
        const char *id = json_string_value(json_object_get(e, "team"));
        const char *ts = json_string_value(json_object_get(e, "total"));
        const char *ls = json_string_value(json_object_get(e, "list_cost"));
        const char *num = json_string_value(json_object_get(e, "invoice_number"));
        struct prior_team *t = &m->teams[m->n_teams];
        if (!id || !ts || !ls || !money_parse(ts, 2, &t->total) ||
            !money_parse(ls, 2, &t->list_cost))
            return cb_error_set(err, CB_EUSAGE, m->path, 0, "teams[].total",
                                "%s: team \"%s\": total and list_cost must be decimal strings",
                                what, id ? id : "?");
        t->id = xstrdup(id);
        t->invoice_number = xstrdup(num ? num : "");
        t->name = member_dup(e, "name");
        t->cost_center = member_dup(e, "cost_center");
        t->reference = member_dup(e, "reference");
        t->gl_account = member_dup(e, "gl_account");
        m->n_teams++;
    }
    json_t *journal = json_object_get(doc, "journal");
    if (json_is_object(journal)) {
        m->credit_account = member_dup(journal, "credit_account");
        if (!m->credit_account)
            m->credit_account = xstrdup("");
    } else if (json_is_null(journal))
        m->credit_account = xstrdup("");
    if (m->n_teams > 1)
        qsort(m->teams, m->n_teams, sizeof *m->teams, cmp_team);
    return CB_OK;
}

static struct prior_month *prior_new(const char *dir)
{
    struct prior_month *m = xcalloc(1, sizeof *m);
    m->folder = xstrdup(dir);
    m->path = paths_join(dir, "report.json");
    return m;
}

enum cb_status prior_read_previous(const char *dir, struct prior_month **out, struct cb_error *err)
{
    struct prior_month *m = prior_new(dir);
    json_error_t je;
    enum cb_status st;
    json_t *doc = json_load_file(m->path, 0, &je);
    if (!doc)
        st = cb_error_set(err, CB_EUSAGE, m->path, je.line > 0 ? je.line : 0, NULL,
                          "--previous: cannot read the previous report: %s", je.text);
    else
        st = from_json(m, doc, "--previous", err);
    json_decref(doc);
    if (st != CB_OK) {
        prior_free(m);
        m = NULL;
    }
    *out = m;
    return st;
}

enum cb_status prior_read_signed(const char *dir, struct prior_month **out, struct cb_error *err)
{
    struct prior_month *m = prior_new(dir);
    char *signoff_path = paths_join(dir, "SIGNOFF.json");
    json_t *doc = NULL, *signoff = NULL;
    json_error_t je;
    enum cb_status st = CB_OK;
    if (!archive_is_signed(dir)) {
        st = cb_error_set(err, CB_EUSAGE, dir, 0, NULL,
                          "--supersedes: not a signed month (no SIGNOFF.json); an unsigned month "
                          "is simply rendered again");
        goto cleanup;
    }
    signoff = json_load_file(signoff_path, 0, &je);
    doc = signoff ? json_load_file(m->path, 0, &je) : NULL;
    if (!doc) {
        st =
            cb_error_set(err, CB_EUSAGE, signoff ? m->path : signoff_path,
                         je.line > 0 ? je.line : 0, NULL, "--supersedes: cannot read: %s", je.text);
        goto cleanup;
    }
    if (!json_string_value(json_object_get(doc, "mode"))) {
        st = cb_error_set(err, CB_EUSAGE, m->path, 0, NULL,
                          "--supersedes: not a chargeback report (period.month, mode, teams)");
        goto cleanup;
    }
    st = from_json(m, doc, "--supersedes", err);
    if (st != CB_OK)
        goto cleanup;
    uint64_t bytes;
    st = archive_hash_file(signoff_path, m->signoff_sha256, &bytes, err);
    if (st != CB_OK)
        goto cleanup;
    const char *by = json_string_value(json_object_get(signoff, "signed_by"));
    const char *at = json_string_value(json_object_get(signoff, "signed_at"));
    int y, mo, d;
    /* the day of signing dates the revision (report.h): a sign-off without one is damaged */
    if (!at || !date_parse_timestamp(at, strlen(at), false, &y, &mo, &d)) {
        st = cb_error_set(err, CB_EUSAGE, signoff_path, 0, "signed_at",
                          "--supersedes: expected the RFC 3339 time of signing");
        goto cleanup;
    }
    snprintf(m->signed_on, sizeof m->signed_on, "%04d-%02d-%02d", y, mo, d);
    m->signed_by = xstrdup(by ? by : "");
    m->signed_at = xstrdup(at);
cleanup:
    json_decref(doc);
    json_decref(signoff);
    free(signoff_path);
    if (st != CB_OK) {
        prior_free(m);
        m = NULL;
    }
    *out = m;
    return st;
}

const struct prior_team *prior_find(const struct prior_month *m, const char *id)
{
    if (!m || m->n_teams == 0)
        return NULL;
    struct prior_team key = {.id = (char *)id};
    return bsearch(&key, m->teams, m->n_teams, sizeof *m->teams, cmp_team);
}

void prior_free(struct prior_month *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_teams; i++) {
        free(m->teams[i].id);
        free(m->teams[i].invoice_number);
        free(m->teams[i].name);
        free(m->teams[i].cost_center);
        free(m->teams[i].reference);
        free(m->teams[i].gl_account);
    }
    free(m->credit_account);
    free(m->teams);
    free(m->folder);
    free(m->path);
    free(m->signed_by);
    free(m->signed_at);
    free(m);
}

/* The Claude Code Analytics report, GET /v1/organizations/usage_report/claude_code (Anthropic
 * Admin API reference, https://platform.claude.com/docs/en/api/admin/usage_report, read
 * 2026-12-03): pages {"data": [row...], "has_more", "next_page"}, one row per day × actor, each
 * with a "model_breakdown" of {model, tokens {input, output, cache_read, cache_creation},
 * estimated_cost {amount (cents, a number), currency}}. Each model_breakdown entry is one
 * pre-aggregated record of the row's date; the actor's email_address (user actors) or
 * api_key_name (API actors) is its `user` tag; cache_creation tokens are 5-minute writes (the
 * report has no split). The estimated cost is kept beside the record and compared with the list
 * price; core_metrics go on the first record of the row, for the value metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_doc.h"

static char *dump(json_t *v, size_t *n)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    *n = s ? strlen(s) : 0;
    return s;
}

static void row_reject(struct doc_stream *d, json_t *row, int64_t line, const struct doc_err *e)
{
    size_t n;
    char *t = dump(row, &n);
    doc_reject(d, e->reason, line, doc_next_element(d), t, n, "%s", e->msg);
    free(t);
}

static void read_row(struct doc_stream *d, json_t *row, size_t index, int64_t line)
{
    struct doc_err e;
    char path[96];
    if (!json_is_object(row)) {
        snprintf(path, sizeof path, "data[%zu]", index);
        snprintf(e.msg, sizeof e.msg, "\"%s\": expected a Claude Code usage row (an object)", path);
        e.reason = REJ_NOT_OBJECT;
        row_reject(d, row, line, &e);
        return;
    }
    struct rec_row r = {0};
    r.requests = 1; /* the report counts no requests: one row, one "request" */
    r.per_day = true;
    /* the actor: who used Claude Code */
    json_t *actor = json_object_get(row, "actor");
    const char *who = NULL;
    size_t who_len = 0;
    const char *type = NULL;
    size_t type_len = 0;
    if (!json_is_object(actor)) {
        snprintf(e.msg, sizeof e.msg, "\"actor\": %s",
                 actor ? "expected an object {\"type\", \"email_address\" or \"api_key_name\"}"
                       : "missing");
        e.reason = actor ? REJ_BAD_TYPE : REJ_MISSING_FIELD;
        row_reject(d, row, line, &e);
        return;
    }
    if (!doc_string(json_object_get(actor, "type"), "actor.type", false, &type, &type_len, &e)) {
        row_reject(d, row, line, &e);
        return;
    }
    bool api = type && strcmp(type, "api_actor") == 0;
    const char *field = api ? "actor.api_key_name" : "actor.email_address";
    if (!doc_string(json_object_get(actor, api ? "api_key_name" : "email_address"), field, true,
                    &who, &who_len, &e)) {
        row_reject(d, row, line, &e);
        return;
    }
    r.tags[TAG_USER] = who;
    r.tag_len[TAG_USER] = who_len;
    if (!doc_date(json_object_get(row, "date"), "date", &r.year, &r.month, &r.day, &e)) {
        row_reject(d, row, line, &e);
        return;
    }
    struct doc_state *ds = doc_state(d);
    snprintf(ds->last_bucket, sizeof ds->last_bucket, "%04d-%02d-%02d", r.year, r.month, r.day);
    json_t *mb = json_object_get(row, "model_breakdown");
    if (!json_is_array(mb)) {
        snprintf(e.msg, sizeof e.msg, "\"model_breakdown\": %s",
                 mb ? "expected an array of {model, tokens, estimated_cost}" : "missing");
        e.reason = mb ? REJ_BAD_TYPE : REJ_MISSING_FIELD;
        row_reject(d, row, line, &e);
        return;
    }
    /* core metrics: read once per row, carried by the row's first record */
    struct record_metrics m = {0};
    json_t *cm = json_object_get(row, "core_metrics");
    if (cm && !json_is_null(cm)) {
        json_t *loc = json_object_get(cm, "lines_of_code");
        if (!json_is_object(cm) ||
            !doc_count(json_object_get(cm, "num_sessions"), "core_metrics.num_sessions", false,
                       false, &m.sessions, &e) ||
            !doc_count(json_object_get(cm, "commits_by_claude_code"),
                       "core_metrics.commits_by_claude_code", false, false, &m.commits, &e) ||
            !doc_count(json_object_get(cm, "pull_requests_by_claude_code"),
                       "core_metrics.pull_requests_by_claude_code", false, false, &m.pull_requests,
                       &e) ||
            (loc && !doc_count(json_object_get(loc, "added"), "core_metrics.lines_of_code.added",
                               false, false, &m.lines_added, &e)) ||
            (loc &&
             !doc_count(json_object_get(loc, "removed"), "core_metrics.lines_of_code.removed",
                        false, false, &m.lines_removed, &e))) {
            if (!json_is_object(cm)) {
                snprintf(e.msg, sizeof e.msg, "\"core_metrics\": expected an object");
                e.reason = REJ_BAD_TYPE;
            }
            row_reject(d, row, line, &e);
            return;
        }
    }
    size_t k;
    json_t *ent;
    bool metrics_given = false;
    json_array_foreach(mb, k, ent)
    {
        struct rec_row x = r;
        size_t n;
        char *text = dump(ent, &n);
        int64_t el = doc_next_element(d);
        bool ok = json_is_object(ent);
        if (!ok) {
            e.reason = REJ_NOT_OBJECT;
            snprintf(e.msg, sizeof e.msg, "\"model_breakdown[%zu]\": expected an object", k);
        }
        json_t *tok = ok ? json_object_get(ent, "tokens") : NULL;
        int64_t cc = 0;
        const char *model = NULL;
        if (ok) {
            ok = doc_string(json_object_get(ent, "model"), "model_breakdown.model", true, &model,
                            &x.model_len, &e);
            x.model = model;
        }
        if (ok && !json_is_object(tok)) {
            ok = false;
            e.reason = tok ? REJ_BAD_TYPE : REJ_MISSING_FIELD;
            snprintf(e.msg, sizeof e.msg, "\"model_breakdown.tokens\": %s",
                     tok ? "expected an object {input, output, cache_read, cache_creation}"
                         : "missing");
        }
        ok = ok &&
             doc_count(json_object_get(tok, "input"), "tokens.input", true, false,
                       &x.tokens[TOK_INPUT], &e) &&
             doc_count(json_object_get(tok, "output"), "tokens.output", true, false,
                       &x.tokens[TOK_OUTPUT], &e) &&
             doc_count(json_object_get(tok, "cache_read"), "tokens.cache_read", false, false,
                       &x.tokens[TOK_CACHE_READ], &e) &&
             doc_count(json_object_get(tok, "cache_creation"), "tokens.cache_creation", false,
                       false, &cc, &e);
        x.tokens[TOK_CACHE_WRITE_5M] = cc;
        json_t *est = ok ? json_object_get(ent, "estimated_cost") : NULL;
        if (ok && json_is_object(est)) {
            json_t *cur = json_object_get(est, "currency");
            bool usd = !cur || (json_is_string(cur) && strcmp(json_string_value(cur), "USD") == 0);
            if (usd && json_object_get(est, "amount")) {
                ok = doc_money(json_object_get(est, "amount"), "estimated_cost.amount",
                               MONEY_PICO_PER_CENT, false, &x.reported_pico, &e);
                x.has_reported = ok;
            }
        }
        if (!ok) {
            doc_reject(d, e.reason, line, el, text, n, "data[%zu].model_breakdown[%zu]: %s", index,
                       k, e.msg);
            free(text);
            continue;
        }
        bool carries = !metrics_given;
        if (carries)
            x.metrics = m;
        if (rec_add_row(doc_rec_stream(d), &x, doc_out(d), line, el, text, n) && carries)
            metrics_given = true; /* else the next record of the row carries them */
        free(text);
    }
    if (!metrics_given && (m.sessions || m.commits || m.pull_requests))
        rec_add_note(doc_out(d), line,
                     "%.*s on %04d-%02d-%02d: core metrics (%lld sessions, %lld commits, %lld pull "
                     "requests) without a billed model row are not counted",
                     (int)who_len, who, r.year, r.month, r.day, (long long)m.sessions,
                     (long long)m.commits, (long long)m.pull_requests);
}

static void cc_value(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                     size_t text_len)
{
    struct doc_state *ds = doc_state(d);
    if (!json_is_object(root)) {
        doc_reject(d, REJ_NOT_OBJECT, line, doc_next_element(d), text, text_len,
                   "expected a Claude Code Analytics page (an object with \"data\")");
        return;
    }
    json_t *data = json_object_get(root, "data");
    if (!json_is_array(data)) {
        doc_reject(d, data ? REJ_BAD_TYPE : REJ_MISSING_FIELD, line, doc_next_element(d), text,
                   text_len, "\"data\": %s",
                   data ? "expected an array of Claude Code usage rows" : "missing");
        return;
    }
    ds->pages++;
    json_t *hm = json_object_get(root, "has_more");
    ds->has_more = json_is_true(hm);
    size_t i;
    json_t *row;
    json_array_foreach(data, i, row) read_row(d, row, i, line);
}

static void cc_finish(struct doc_stream *d)
{
    struct doc_state *ds = doc_state(d);
    if (ds->has_more)
        rec_add_note(doc_out(d), doc_line(d),
                     "the last page says \"has_more\": true: the report is incomplete (its last "
                     "row is of %s); fetch the next pages (\"next_page\") and give them too",
                     ds->last_bucket[0] ? ds->last_bucket : "no day: it has none");
}

const struct doc_format doc_claude_code = {REC_CLAUDE_CODE, false, cc_value, cc_finish};

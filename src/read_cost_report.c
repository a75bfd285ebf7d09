/* The Cost report, GET /v1/organizations/cost_report (Anthropic Admin API reference,
 * https://platform.claude.com/docs/en/api/admin/cost_report, read 2026-12-03): pages
 * {"data": [{"starting_at", "ending_at", "results": [...]}], "has_more", "next_page"}; each
 * result is what the provider billed: "amount" in the lowest currency unit (cents) as a decimal
 * string ("123.45" is $1.23), "currency" (always "USD" today), and, when grouped by description,
 * "cost_type" (tokens, web_search, code_execution, ...), "token_type", "model", "service_tier",
 * "context_window", and when grouped by workspace, "workspace_id". Not usage: each result
 * becomes a cost row, and a month's rows sum to that month's provider total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_doc.h"

static void read_result(struct doc_stream *d, json_t *res, int y, int m, int day, int64_t line,
                        size_t bucket, size_t index)
{
    char *text = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = text ? strlen(text) : 0;
    int64_t el = doc_next_element(d);
    struct doc_err e;
    struct rec_cost c = {.year = y, .month = m, .day = day};
    const char *model = NULL, *tt = NULL, *ct = NULL, *ws = NULL, *cur = NULL;
    size_t len;
    bool ok = json_is_object(res);
    if (!ok) {
        e.reason = REJ_NOT_OBJECT;
        snprintf(e.msg, sizeof e.msg, "expected a cost result (an object)");
    }
    ok = ok && doc_money(json_object_get(res, "amount"), "amount", MONEY_PICO_PER_CENT, true,
                         &c.pico, &e);
    ok = ok && doc_string(json_object_get(res, "currency"), "currency", false, &cur, &len, &e) &&
         doc_string(json_object_get(res, "model"), "model", false, &model, &len, &e) &&
         doc_string(json_object_get(res, "token_type"), "token_type", false, &tt, &len, &e) &&
         doc_string(json_object_get(res, "cost_type"), "cost_type", false, &ct, &len, &e) &&
         doc_string(json_object_get(res, "workspace_id"), "workspace_id", false, &ws, &len, &e);
    if (ok && cur && strcmp(cur, "USD") != 0) {
        ok = false;
        e.reason = REJ_BAD_VALUE;
        snprintf(e.msg, sizeof e.msg,
                 "\"currency\": only USD amounts can be reconciled, got \"%.8s\"", cur);
    }
    if (!ok) {
        doc_reject(d, e.reason, line, el, text, n, "data[%zu].results[%zu]: %s", bucket, index,
                   e.msg);
        free(text);
        return;
    }
    /* the model as the price book names it, so the tool's side and the provider's meet */
    if (model) {
        const struct rec_env *env = rec_stream_env(doc_rec_stream(d));
        const struct price_entry *pe =
            price_book_resolve(env->prices, model, y * 10000 + m * 100 + day);
        c.model = pe ? pe->model : model;
    }
    c.kind = tt ? tt : ct;
    c.workspace = ws;
    rec_add_cost(doc_out(d), &c);
    free(text);
}

static void cost_value(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                       size_t text_len)
{
    struct doc_state *ds = doc_state(d);
    if (!json_is_object(root)) {
        doc_reject(d, REJ_NOT_OBJECT, line, doc_next_element(d), text, text_len,
                   "expected a Cost report page (an object with \"data\")");
        return;
    }
    json_t *data = json_object_get(root, "data");
    if (!json_is_array(data)) {
        doc_reject(d, data ? REJ_BAD_TYPE : REJ_MISSING_FIELD, line, doc_next_element(d), text,
                   text_len, "\"data\": %s", data ? "expected an array of buckets" : "missing");
        return;
    }
    ds->pages++;
    ds->has_more = json_is_true(json_object_get(root, "has_more"));
    size_t i;
    json_t *b;
    json_array_foreach(data, i, b)
    {
        struct doc_err e;
        int y, m, day;
        char *bt = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t bn = bt ? strlen(bt) : 0;
        json_t *results = json_is_object(b) ? json_object_get(b, "results") : NULL;
        if (!json_is_object(b))
            doc_reject(d, REJ_NOT_OBJECT, line, doc_next_element(d), bt, bn,
                       "data[%zu]: expected a bucket (an object)", i);
        else if (!doc_date(json_object_get(b, "starting_at"), "starting_at", &y, &m, &day, &e))
            doc_reject(d, e.reason, line, doc_next_element(d), bt, bn, "data[%zu]: %s", i, e.msg);
        else if (!json_is_array(results))
            doc_reject(d, results ? REJ_BAD_TYPE : REJ_MISSING_FIELD, line, doc_next_element(d), bt,
                       bn, "data[%zu]: \"results\": %s", i,
                       results ? "expected an array of cost results" : "missing");
        else {
            snprintf(ds->last_bucket, sizeof ds->last_bucket, "%.30s",
                     json_string_value(json_object_get(b, "starting_at")));
            size_t k;
            json_t *res;
            json_array_foreach(results, k, res) read_result(d, res, y, m, day, line, i, k);
        }
        free(bt);
    }
}

static void cost_finish(struct doc_stream *d)
{
    struct doc_state *ds = doc_state(d);
    if (ds->has_more)
        rec_add_note(doc_out(d), doc_line(d),
                     "the last page says \"has_more\": true: the cost report is incomplete (its "
                     "last bucket starts %s); fetch the next pages (\"next_page\") and give them "
                     "too",
                     ds->last_bucket[0] ? ds->last_bucket : "nowhere: it has none");
}

const struct doc_format doc_cost_report = {REC_COST_REPORT, false, cost_value, cost_finish};

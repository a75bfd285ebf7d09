/* Claude Code's OpenTelemetry logs as an OpenTelemetry Collector's file exporter writes them:
 * OTLP/JSON, one ExportLogsServiceRequest a line ({"resourceLogs": [{"resource": {"attributes"},
 * "scopeLogs": [{"logRecords": [...]}]}]}). Claude Code's monitoring page
 * (https://code.claude.com/docs/en/monitoring-usage, read 2026-12-03) documents the
 * `claude_code.api_request` event: attributes model, cost_usd, duration_ms, input_tokens,
 * output_tokens, cache_read_tokens, cache_creation_tokens, speed, with the standard session.id,
 * user.email, event.timestamp. Each such event is one record; other events (user_prompt,
 * tool_result, ...) are counted as "not API requests". Attributes of the record or of its
 * resource (OTEL_RESOURCE_ATTRIBUTES) named like a tag (team, project, cost_center, ...) are
 * tags. Attribute values are OTLP AnyValue objects: {"stringValue"}, {"intValue"} (a string or
 * a number), {"doubleValue"}, {"boolValue"}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_doc.h"

/* The scalar inside an OTLP AnyValue ({"stringValue": "x"} -> "x"), or NULL. */
static json_t *any_value(json_t *v)
{
    if (!json_is_object(v))
        return NULL;
    static const char *const kinds[] = {"stringValue", "intValue", "doubleValue", "boolValue"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        json_t *x = json_object_get(v, kinds[i]);
        if (x)
            return x;
    }
    return NULL;
}

/* The attribute `key` of an OTLP attribute list, unwrapped; NULL when absent. */
static json_t *attr(json_t *list, const char *key)
{
    size_t i;
    json_t *kv;
    if (!json_is_array(list))
        return NULL;
    json_array_foreach(list, i, kv)
    {
        json_t *k = json_object_get(kv, "key");
        if (json_is_string(k) && strcmp(json_string_value(k), key) == 0)
            return any_value(json_object_get(kv, "value"));
    }
    return NULL;
}

/* Tags from an attribute list: keys that are tag names ("team", "cost_center", ...). */
static void tags_from(struct rec_row *r, json_t *list)
{
    size_t i;
    json_t *kv;
    if (!json_is_array(list))
        return;
    json_array_foreach(list, i, kv)
    {
        json_t *k = json_object_get(kv, "key");
        if (!json_is_string(k))
            continue;
        int t = tag_from_name(json_string_value(k));
        if (t >= 0 && t != TAG_USER)
            doc_tag(r, (enum tag)t, any_value(json_object_get(kv, "value")));
    }
}

/* The UTC date of a count of nanoseconds since 1970 given as a string or a number. */
static bool date_of_nanos(json_t *v, int *y, int *m, int *d)
{
    long long ns = 0;
    if (json_is_integer(v))
        ns = json_integer_value(v);
    else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n == 0 || n > 19)
            return false;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            ns = ns * 10 + (s[i] - '0');
        }
    } else
        return false;
    if (ns <= 0)
        return false;
    /* days since 1970-01-01 to a civil date (H. Hinnant's algorithm) */
    long long z = ns / 1000000000LL / 86400 + 719468;
    long long era = z / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
    return true;
}

static void note_other(struct doc_state *ds, const char *name)
{
    ds->not_requests++;
    for (size_t i = 0; i < ds->n_other_events; i++)
        if (strcmp(ds->other_events[i], name) == 0)
            return;
    if (ds->n_other_events < sizeof ds->other_events / sizeof ds->other_events[0])
        snprintf(ds->other_events[ds->n_other_events++], sizeof ds->other_events[0], "%.39s", name);
}

static void read_log(struct doc_stream *d, json_t *res_attrs, json_t *lr, int64_t line)
{
    struct doc_state *ds = doc_state(d);
    json_t *attrs = json_object_get(lr, "attributes");
    json_t *name = attr(attrs, "event.name");
    json_t *body = json_object_get(lr, "body");
    const char *ev = json_is_string(name) ? json_string_value(name) : NULL;
    json_t *bv = any_value(body);
    if (!ev && json_is_string(bv))
        ev = json_string_value(bv);
    if (ev && strncmp(ev, "claude_code.", 12) == 0)
        ev += 12;
    if (!ev || strcmp(ev, "api_request") != 0) {
        note_other(ds, ev ? ev : "(unnamed)");
        return;
    }
    char *text = json_dumps(lr, JSON_COMPACT);
    size_t n = text ? strlen(text) : 0;
    int64_t el = doc_next_element(d);
    struct doc_err e;
    struct rec_row r = {0};
    r.requests = 1;
    const char *model = NULL, *speed = NULL, *email = NULL;
    size_t len;
    bool ok = true;
    json_t *ts = attr(attrs, "event.timestamp");
    if (ts)
        ok = doc_date(ts, "event.timestamp", &r.year, &r.month, &r.day, &e);
    else if (!date_of_nanos(json_object_get(lr, "timeUnixNano"), &r.year, &r.month, &r.day)) {
        ok = false;
        e.reason = REJ_MISSING_FIELD;
        snprintf(e.msg, sizeof e.msg,
                 "\"event.timestamp\": missing (and no \"timeUnixNano\" to date the event by)");
    }
    ok = ok && doc_string(attr(attrs, "model"), "model", true, &model, &r.model_len, &e);
    r.model = model;
    ok = ok &&
         doc_count(attr(attrs, "input_tokens"), "input_tokens", true, true, &r.tokens[TOK_INPUT],
                   &e) &&
         doc_count(attr(attrs, "output_tokens"), "output_tokens", true, true, &r.tokens[TOK_OUTPUT],
                   &e) &&
         doc_count(attr(attrs, "cache_read_tokens"), "cache_read_tokens", false, true,
                   &r.tokens[TOK_CACHE_READ], &e) &&
         doc_count(attr(attrs, "cache_creation_tokens"), "cache_creation_tokens", false, true,
                   &r.tokens[TOK_CACHE_WRITE_5M], &e);
    ok = ok && doc_string(attr(attrs, "speed"), "speed", false, &speed, &len, &e);
    if (ok && speed) {
        enum price_speed sp;
        if (!price_speed_parse(speed, len, &sp)) {
            ok = false;
            e.reason = REJ_BAD_VALUE;
            snprintf(e.msg, sizeof e.msg,
                     "\"speed\": unknown value \"%.40s\" (expected \"standard\" or \"fast\")",
                     speed);
        } else
            r.speed = (uint8_t)sp;
    }
    json_t *cost = attr(attrs, "cost_usd");
    if (ok && cost) {
        ok = doc_money(cost, "cost_usd", (cb_i128)1000000000000, false, &r.reported_pico, &e);
        r.has_reported = ok;
    }
    if (!ok) {
        doc_reject(d, e.reason, line, el, text, n, "%s", e.msg);
        free(text);
        return;
    }
    tags_from(&r, res_attrs);
    tags_from(&r, attrs);
    json_t *mail = attr(attrs, "user.email");
    if (!mail)
        mail = attr(res_attrs, "user.email");
    if (json_is_string(mail) && (email = json_string_value(mail))[0]) {
        r.tags[TAG_USER] = email;
        r.tag_len[TAG_USER] = json_string_length(mail);
    } else
        doc_tag(&r, TAG_USER, attr(attrs, "user"));
    rec_add_row(doc_rec_stream(d), &r, doc_out(d), line, el, text, n);
    free(text);
}

static void otel_value(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                       size_t text_len)
{
    json_t *rl = json_is_object(root) ? json_object_get(root, "resourceLogs") : NULL;
    if (!json_is_array(rl)) {
        bool metrics = json_is_object(root) && json_object_get(root, "resourceMetrics");
        doc_reject(d, json_is_object(root) ? REJ_MISSING_FIELD : REJ_NOT_OBJECT, line,
                   doc_next_element(d), text, text_len, "%s",
                   metrics ? "an OpenTelemetry metrics export among the logs: export the logs "
                             "only (the metrics' counters would double the events)"
                           : "\"resourceLogs\": expected an OpenTelemetry logs export "
                             "(an object with a \"resourceLogs\" array)");
        return;
    }
    size_t i, j, k;
    json_t *res, *sl, *lr;
    json_array_foreach(rl, i, res)
    {
        json_t *res_attrs = json_object_get(json_object_get(res, "resource"), "attributes");
        json_t *scopes = json_object_get(res, "scopeLogs");
        json_array_foreach(scopes, j, sl)
        {
            json_t *records = json_object_get(sl, "logRecords");
            json_array_foreach(records, k, lr) read_log(d, res_attrs, lr, line);
        }
    }
}

static void otel_finish(struct doc_stream *d)
{
    struct doc_state *ds = doc_state(d);
    doc_out(d)->not_requests += ds->not_requests;
    if (ds->not_requests == 0)
        return;
    char kinds[200] = "";
    size_t o = 0;
    for (size_t i = 0; i < ds->n_other_events && o < sizeof kinds; i++)
        o += (size_t)snprintf(kinds + o, sizeof kinds - o, "%s%s", i ? ", " : "",
                              ds->other_events[i]);
    rec_add_note(
        doc_out(d), 0, "%lld OpenTelemetry events are not API requests (%s%s): counted, not billed",
        (long long)ds->not_requests, kinds,
        ds->n_other_events == sizeof ds->other_events / sizeof ds->other_events[0] ? ", ..." : "");
}

const struct doc_format doc_otel_logs = {REC_OTEL_LOGS, true, otel_value, otel_finish};

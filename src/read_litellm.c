/* LiteLLM proxy spend logs (the LiteLLM_SpendLogs table, https://docs.litellm.ai/docs/proxy/
 * cost_tracking and schema.prisma in https://github.com/BerriAI/litellm, read 2026-12-03),
 * exported as JSON Lines or as the JSON array /spend/logs returns: one request a row, with
 * "request_id", "startTime", "model", "prompt_tokens", "completion_tokens", "spend" (USD),
 * "user", "team_id", "request_tags" (["key:value", ...]) and "metadata" (with
 * "user_api_key_team_alias" and the provider's "usage_object"). Input tokens are the prompt
 * tokens less the cache reads and writes of the usage object (LiteLLM counts Anthropic's cached
 * prompt tokens in prompt_tokens); the team alias (else team_id) is the team tag; request tags
 * of the form key:value whose key is a tag name are tags; spend is compared with the list
 * price. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_doc.h"

/* "key:value" tags; request_tags may be an array or a JSON string holding one. */
static void request_tags(struct rec_row *r, json_t *tags, json_t **owned)
{
    if (json_is_string(tags)) {
        *owned = json_loads(json_string_value(tags), 0, NULL);
        tags = *owned;
    }
    size_t i;
    json_t *t;
    if (!json_is_array(tags))
        return;
    json_array_foreach(tags, i, t)
    {
        if (!json_is_string(t))
            continue;
        const char *s = json_string_value(t), *colon = strchr(s, ':');
        if (!colon || colon == s || !colon[1])
            continue;
        char key[32];
        size_t kn = (size_t)(colon - s);
        if (kn >= sizeof key)
            continue;
        memcpy(key, s, kn);
        key[kn] = '\0';
        int tag = tag_from_name(key);
        if (tag >= 0 && !r->tags[tag]) {
            r->tags[tag] = colon + 1;
            r->tag_len[tag] = strlen(colon + 1);
        }
    }
}

static void litellm_value(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                          size_t text_len)
{
    int64_t el = doc_next_element(d);
    struct doc_err e;
    struct rec_row r = {0};
    r.requests = 1;
    if (!json_is_object(root)) {
        doc_reject(d, REJ_NOT_OBJECT, line, el, text, text_len,
                   "expected a LiteLLM spend log row (a JSON object)");
        return;
    }
    json_t *meta = json_object_get(root, "metadata");
    json_t *owned_meta = NULL, *owned_tags = NULL;
    if (json_is_string(meta))
        meta = owned_meta = json_loads(json_string_value(meta), 0, NULL);
    json_t *usage = json_is_object(meta) ? json_object_get(meta, "usage_object") : NULL;
    const char *model, *rid;
    int64_t prompt = 0, cread = 0, cwrite = 0;
    bool ok =
        doc_date(json_object_get(root, "startTime"), "startTime", &r.year, &r.month, &r.day, &e) &&
        doc_string(json_object_get(root, "model"), "model", true, &model, &r.model_len, &e) &&
        doc_count(json_object_get(root, "prompt_tokens"), "prompt_tokens", true, false, &prompt,
                  &e) &&
        doc_count(json_object_get(root, "completion_tokens"), "completion_tokens", true, false,
                  &r.tokens[TOK_OUTPUT], &e) &&
        doc_count(json_object_get(usage, "cache_read_input_tokens"),
                  "metadata.usage_object.cache_read_input_tokens", false, false, &cread, &e) &&
        doc_count(json_object_get(usage, "cache_creation_input_tokens"),
                  "metadata.usage_object.cache_creation_input_tokens", false, false, &cwrite, &e) &&
        doc_string(json_object_get(root, "request_id"), "request_id", false, &rid,
                   &r.request_id_len, &e);
    r.model = model;
    r.request_id = rid;
    if (ok && cread + cwrite > prompt) {
        ok = false;
        e.reason = REJ_BAD_VALUE;
        snprintf(e.msg, sizeof e.msg,
                 "\"prompt_tokens\": %lld is less than the usage object's cache reads and writes "
                 "(%lld + %lld), which it includes",
                 (long long)prompt, (long long)cread, (long long)cwrite);
    }
    json_t *spend = json_object_get(root, "spend");
    if (ok && spend && !json_is_null(spend)) {
        ok = doc_money(spend, "spend", (cb_i128)1000000000000, false, &r.reported_pico, &e);
        r.has_reported = ok;
    }
    if (!ok) {
        doc_reject(d, e.reason, line, el, text, text_len, "%s", e.msg);
        json_decref(owned_meta);
        return;
    }
    r.tokens[TOK_INPUT] = prompt - cread - cwrite;
    r.tokens[TOK_CACHE_READ] = cread;
    r.tokens[TOK_CACHE_WRITE_5M] = cwrite;
    request_tags(&r, json_object_get(root, "request_tags"), &owned_tags);
    if (!r.tags[TAG_TEAM] && json_is_object(meta))
        doc_tag(&r, TAG_TEAM, json_object_get(meta, "user_api_key_team_alias"));
    if (!r.tags[TAG_TEAM])
        doc_tag(&r, TAG_TEAM, json_object_get(root, "team_id"));
    if (!r.tags[TAG_USER])
        doc_tag(&r, TAG_USER, json_object_get(root, "user"));
    if (!r.tags[TAG_USER])
        doc_tag(&r, TAG_USER, json_object_get(root, "end_user"));
    if (!r.tags[TAG_API_KEY_ID] && json_is_object(meta))
        doc_tag(&r, TAG_API_KEY_ID, json_object_get(meta, "user_api_key_alias"));
    rec_add_row(doc_rec_stream(d), &r, doc_out(d), line, el, text, text_len);
    json_decref(owned_tags);
    json_decref(owned_meta);
}

const struct doc_format doc_litellm = {REC_LITELLM, true, litellm_value, NULL};

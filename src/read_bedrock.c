/* Amazon Bedrock model invocation logs, one JSON object a line as Bedrock delivers them to S3 or
 * CloudWatch Logs (AWS Bedrock user guide, "Monitor model invocation using CloudWatch Logs and
 * Amazon S3", https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html,
 * read 2026-12-03): {"schemaType": "ModelInvocationLog", "timestamp", "accountId", "identity":
 * {"arn"}, "region", "requestId", "operation", "modelId", "input": {"inputTokenCount",
 * "cacheReadInputTokenCount", "cacheWriteInputTokenCount", ...}, "output": {"outputTokenCount"},
 * "requestMetadata": {...}}. Each line is one request: modelId is resolved by the price book
 * (Bedrock ids such as anthropic.claude-sonnet-4-5-20250929-v1:0 and their regional profiles),
 * cache writes are 5-minute writes, requestMetadata entries named like a tag are tags, the
 * identity ARN is the api_key_id tag (the credential that called, as an API key is on the
 * Claude API), accountId the account_id tag and region the region tag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_doc.h"

static void bedrock_value(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                          size_t text_len)
{
    int64_t el = doc_next_element(d);
    struct doc_err e;
    struct rec_row r = {0};
    r.requests = 1;
    if (!json_is_object(root)) {
        doc_reject(d, REJ_NOT_OBJECT, line, el, text, text_len,
                   "expected a Bedrock invocation log (a JSON object)");
        return;
    }
    json_t *in = json_object_get(root, "input"), *out = json_object_get(root, "output");
    const char *model, *rid;
    bool ok =
        doc_date(json_object_get(root, "timestamp"), "timestamp", &r.year, &r.month, &r.day, &e) &&
        doc_string(json_object_get(root, "modelId"), "modelId", true, &model, &r.model_len, &e);
    r.model = model;
    if (ok && (!json_is_object(in) || !json_is_object(out))) {
        ok = false;
        e.reason = REJ_MISSING_FIELD;
        snprintf(e.msg, sizeof e.msg, "\"%s\": %s", json_is_object(in) ? "output" : "input",
                 "missing or not an object (the token counts are in it)");
    }
    ok = ok &&
         doc_count(json_object_get(in, "inputTokenCount"), "input.inputTokenCount", true, false,
                   &r.tokens[TOK_INPUT], &e) &&
         doc_count(json_object_get(in, "cacheReadInputTokenCount"),
                   "input.cacheReadInputTokenCount", false, false, &r.tokens[TOK_CACHE_READ], &e) &&
         doc_count(json_object_get(in, "cacheWriteInputTokenCount"),
                   "input.cacheWriteInputTokenCount", false, false, &r.tokens[TOK_CACHE_WRITE_5M],
                   &e) &&
         doc_count(json_object_get(out, "outputTokenCount"), "output.outputTokenCount", true, false,
                   &r.tokens[TOK_OUTPUT], &e) &&
         doc_string(json_object_get(root, "requestId"), "requestId", false, &rid, &r.request_id_len,
                    &e);
    if (!ok) {
        doc_reject(d, e.reason, line, el, text, text_len, "%s", e.msg);
        return;
    }
    r.request_id = rid;
    json_t *meta = json_object_get(root, "requestMetadata");
    const char *k;
    json_t *v;
    if (json_is_object(meta))
        json_object_foreach(meta, k, v)
        {
            int t = tag_from_name(k);
            if (t >= 0)
                doc_tag(&r, (enum tag)t, v);
        }
    if (!r.tags[TAG_API_KEY_ID])
        doc_tag(&r, TAG_API_KEY_ID, json_object_get(json_object_get(root, "identity"), "arn"));
    if (!r.tags[TAG_ACCOUNT_ID])
        doc_tag(&r, TAG_ACCOUNT_ID, json_object_get(root, "accountId"));
    if (!r.tags[TAG_REGION])
        doc_tag(&r, TAG_REGION, json_object_get(root, "region"));
    rec_add_row(doc_rec_stream(d), &r, doc_out(d), line, el, text, text_len);
}

const struct doc_format doc_bedrock = {REC_BEDROCK, true, bedrock_value, NULL};

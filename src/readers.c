/* The table of input readers (SPEC §2.2), tried in order by rec_detect: adding a format adds a
 * row here and its reader's file. The native record formats come last, JSON Lines last of all
 * since it takes whatever no other reader claims (its lines are then rejected one by one). */
#include "records.h"

static bool is_otel_metrics(const struct rec_sniff *s)
{
    return s->top_keys & (RK_RESOURCE_METRICS | RK_RESOURCE_SPANS) &&
           !(s->top_keys & RK_RESOURCE_LOGS);
}

static bool is_otel_logs(const struct rec_sniff *s)
{
    return s->top_keys & RK_RESOURCE_LOGS;
}

static bool is_cost_report(const struct rec_sniff *s)
{
    return s->page && (s->result_keys & RK_AMOUNT);
}

static bool is_claude_code(const struct rec_sniff *s)
{
    return s->data_array && (s->row_keys & (RK_ACTOR | RK_MODEL_BREAKDOWN));
}

static bool is_admin_api(const struct rec_sniff *s)
{
    return s->page;
}

static bool is_bedrock(const struct rec_sniff *s)
{
    return (s->top_keys & RK_SCHEMA_TYPE) || (s->top_keys & (RK_MODEL_ID | RK_REQUEST_ID_CAMEL)) ==
                                                 (RK_MODEL_ID | RK_REQUEST_ID_CAMEL);
}

static bool is_litellm(const struct rec_sniff *s)
{
    return (s->top_keys & RK_START_TIME) &&
           (s->top_keys & (RK_SPEND | RK_PROMPT_TOKENS | RK_CALL_TYPE));
}

static bool is_unknown_rows(const struct rec_sniff *s)
{
    /* an object of data rows no reader knows: refused, never read as zero records */
    return s->data_array && !s->data_empty &&
           !(s->top_keys & (RK_TIMESTAMP | RK_DATE | RK_MODEL)); /* not a native record */
}

static bool is_json_array(const struct rec_sniff *s)
{
    return s->first == '[';
}

static bool is_json_stream(const struct rec_sniff *s)
{
    return s->first == '{' && !s->line_whole;
}

static bool is_jsonl(const struct rec_sniff *s)
{
    (void)s;
    return true;
}

/* The order matters: the specific shapes first (a cost report page is also a page), the native
 * formats last, JSON Lines last of all since it takes whatever no other reader claims (its lines
 * are then rejected one by one). */
const struct rec_reader rec_readers[] = {
    {"otel-metrics", REC_FORMAT_COUNT, false, is_otel_metrics,
     "an OpenTelemetry metrics (or traces) export: export Claude Code's logs instead "
     "(OTEL_LOGS_EXPORTER); its api_request events are the requests, and the metrics' counters "
     "would double them"},
    {"otel-logs", REC_OTEL_LOGS, false, is_otel_logs, NULL},
    {"cost-report", REC_COST_REPORT, false, is_cost_report, NULL},
    {"claude-code", REC_CLAUDE_CODE, false, is_claude_code, NULL},
    {"admin-api", REC_ADMIN_API, false, is_admin_api, NULL},
    {"unknown-rows", REC_FORMAT_COUNT, false, is_unknown_rows, NULL},
    {"bedrock", REC_BEDROCK, false, is_bedrock, NULL},
    {"litellm", REC_LITELLM, false, is_litellm, NULL},
    {"json-array", REC_JSON_ARRAY, false, is_json_array, NULL},
    {"json-stream", REC_JSON_STREAM, false, is_json_stream, NULL},
    {"jsonl", REC_JSONL, true, is_jsonl, NULL},
};

const size_t rec_reader_count = sizeof rec_readers / sizeof rec_readers[0];

const char *rec_format_name(enum rec_format f)
{
    for (size_t k = 0; k < rec_reader_count; k++)
        if (rec_readers[k].format == f)
            return rec_readers[k].name;
    return "jsonl";
}

/* Format detection: which reader reads an input, decided from its first bytes (SPEC §2.2). */
#include "records.h"

#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>

struct sniff {
    int depth;
    int item; /* depth of the first item's object: 1 (top object) or 2 (in an array) */
    bool top_array;
    bool data_key, data_array, results_key, in_results;
    int rows, results; /* elements begun in the first item's "data", in its first row's
                          "results" */
    unsigned top_keys, row_keys, result_keys;
    bool done;
};

static const struct {
    const char *name;
    unsigned bit;
} key_bits[] = {
    {"data", RK_DATA},
    {"has_more", RK_HAS_MORE},
    {"results", RK_RESULTS},
    {"actor", RK_ACTOR},
    {"model_breakdown", RK_MODEL_BREAKDOWN},
    {"amount", RK_AMOUNT},
    {"uncached_input_tokens", RK_UNCACHED},
    {"resourceLogs", RK_RESOURCE_LOGS},
    {"resourceMetrics", RK_RESOURCE_METRICS},
    {"resourceSpans", RK_RESOURCE_SPANS},
    {"schemaType", RK_SCHEMA_TYPE},
    {"modelId", RK_MODEL_ID},
    {"requestId", RK_REQUEST_ID_CAMEL},
    {"startTime", RK_START_TIME},
    {"spend", RK_SPEND},
    {"prompt_tokens", RK_PROMPT_TOKENS},
    {"call_type", RK_CALL_TYPE},
    {"timestamp", RK_TIMESTAMP},
    {"date", RK_DATE},
    {"model", RK_MODEL},
    {"starting_at", RK_STARTING_AT},
    {"core_metrics", RK_CORE_METRICS},
    {"token_type", RK_TOKEN_TYPE},
    {"cost_type", RK_COST_TYPE},
};

static unsigned key_bit(const unsigned char *k, size_t l)
{
    for (size_t i = 0; i < sizeof key_bits / sizeof key_bits[0]; i++)
        if (strlen(key_bits[i].name) == l && memcmp(key_bits[i].name, k, l) == 0)
            return key_bits[i].bit;
    return 0;
}

static int sn_value(struct sniff *n)
{
    n->data_key = n->results_key = false;
    return 1;
}

static int sn_null(void *c)
{
    return sn_value(c);
}

static int sn_bool(void *c, int b)
{
    (void)b;
    return sn_value(c);
}

static int sn_num(void *c, const char *v, size_t l)
{
    (void)v, (void)l;
    return sn_value(c);
}

static int sn_str(void *c, const unsigned char *v, size_t l)
{
    (void)v, (void)l;
    return sn_value(c);
}

static int sn_start(void *c, bool map)
{
    struct sniff *n = c;
    int d = n->depth, I = n->item;
    if (d == 0 && !map)
        n->top_array = true;
    if (d == I && n->data_key && !map)
        n->data_array = true;
    if (d == I + 1 && n->data_array && map)
        n->rows++;
    if (d == I + 2 && n->results == 0 && n->results_key && !map)
        n->in_results = true; /* the first row with results tells a cost from a usage report */
    if (d == I + 3 && n->in_results && map)
        n->results++;
    n->data_key = n->results_key = false;
    n->depth++;
    if (n->depth < I && map)
        return 0; /* an array of something else than objects: nothing to learn */
    if (n->depth == I && !map)
        return 0;
    return 1;
}

static int sn_start_map(void *c)
{
    return sn_start(c, true);
}

static int sn_start_array(void *c)
{
    return sn_start(c, false);
}

static int sn_key(void *c, const unsigned char *k, size_t l)
{
    struct sniff *n = c;
    int d = n->depth, I = n->item;
    unsigned bit = key_bit(k, l);
    if (d == I) {
        n->top_keys |= bit;
        n->data_key = bit == RK_DATA;
    } else if (d == I + 2 && n->data_array) {
        if (n->rows == 1)
            n->row_keys |= bit;
        n->results_key = bit == RK_RESULTS;
    } else if (d == I + 4 && n->in_results && n->results == 1)
        n->result_keys |= bit;
    return 1;
}

static int sn_end(void *c)
{
    struct sniff *n = c;
    n->depth--;
    if (n->depth == n->item + 2 && n->in_results)
        n->in_results = false;
    if (n->depth < n->item) {
        n->done = true;
        return 0;
    }
    return 1;
}

static const yajl_callbacks sniff_callbacks = {
    .yajl_null = sn_null,
    .yajl_boolean = sn_bool,
    .yajl_number = sn_num,
    .yajl_string = sn_str,
    .yajl_start_map = sn_start_map,
    .yajl_map_key = sn_key,
    .yajl_end_map = sn_end,
    .yajl_start_array = sn_start_array,
    .yajl_end_array = sn_end,
};

/* Fills the sniff from the start of an input (see rec_detect). */
static void sniff_input(const char *buf, size_t len, bool eof, struct rec_sniff *out)
{
    *out = (struct rec_sniff){0};
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= len)
        return;
    out->first = buf[i];
    if (buf[i] != '{' && buf[i] != '[')
        return;
    struct sniff n = {.item = buf[i] == '[' ? 2 : 1};
    size_t scan = len - i < REC_LINE_MAX ? len - i : REC_LINE_MAX;
    yajl_handle h = yajl_alloc(&sniff_callbacks, NULL, &n);
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_parse(h, (const unsigned char *)buf + i, scan);
    yajl_free(h);
    out->top_keys = n.top_keys;
    out->row_keys = n.row_keys;
    out->result_keys = n.result_keys;
    out->data_array = n.data_array;
    out->data_empty = n.data_array && n.rows == 0;
    /* a Messages usage page: buckets with results (or an empty page that says whether more
     * follow) */
    out->page =
        n.data_array && ((n.row_keys & RK_RESULTS) || (n.rows == 0 && (n.top_keys & RK_HAS_MORE)));
    if (buf[i] == '[' || out->page)
        return;
    /* an object: JSON Lines when the first line holds a whole value */
    const char *nl = memchr(buf + i, '\n', len - i);
    if (!nl && !eof && len - i >= REC_LINE_MAX) {
        out->line_whole = true; /* a first line too long to judge: rejected as such */
        return;
    }
    size_t line_len = nl ? (size_t)(nl - (buf + i)) : len - i;
    struct sniff m = {.item = 1};
    h = yajl_alloc(&sniff_callbacks, NULL, &m);
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)buf + i, line_len);
    bool whole = m.done || (st == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok);
    bool broken = st == yajl_status_error;
    yajl_free(h);
    out->line_whole = whole || broken || (!nl && eof);
}

const struct rec_reader *rec_detect_reader(const char *buf, size_t len, bool eof, char *why,
                                           size_t why_size)
{
    struct rec_sniff s;
    sniff_input(buf, len, eof, &s);
    for (size_t k = 0; k < rec_reader_count; k++)
        if (rec_readers[k].detect(&s)) {
            if (rec_readers[k].format != REC_FORMAT_COUNT)
                return &rec_readers[k];
            if (rec_readers[k].refuse) {
                if (why)
                    snprintf(why, why_size, "%s", rec_readers[k].refuse);
                return NULL;
            }
            break;
        }
    if (why)
        snprintf(why, why_size,
                 "a JSON document of data rows no reader knows (its first object has \"data\": "
                 "[...] but its rows are neither Messages usage buckets with \"results\" nor "
                 "Claude Code rows with \"actor\" and \"model_breakdown\"); expected one of: "
                 "native usage records, an Admin API Messages usage, Cost or Claude Code "
                 "report, OpenTelemetry logs, Bedrock invocation logs, LiteLLM spend logs "
                 "(see docs/input-formats.md)");
    return NULL;
}

enum rec_format rec_detect(const char *buf, size_t len, bool eof)
{
    const struct rec_reader *r = rec_detect_reader(buf, len, eof, NULL, 0);
    return r ? r->format : REC_FORMAT_COUNT;
}

/* Bytes to records: the yajl SAX callbacks that turn one JSON object into one validated,
 * priced and attributed `struct record`, or into one rejection with a precise reason (SPEC
 * §2.1-2.3). Two ways in: whole JSON Lines (a chunk of complete lines, parsed line by line and
 * independent of any other chunk, so chunks can be parsed on several threads), and a stream
 * (a JSON array of records, concatenated objects, or Anthropic Admin API usage pages, §2.2),
 * which is parsed in order from pieces of any size. Results go into a batch whose strings live
 * in the batch's own arena. */
#ifndef CB_RECORDS_H
#define CB_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "config.h"
#include "prices.h"
#include "record.h"

#define REC_LINE_MAX   (1u << 20) /* a JSON Lines line (or one array element) above is "too long" */
#define REC_STRING_MAX 4096       /* a string field the record uses above is "too long" */
#define REC_DEPTH_MAX  64         /* JSON nesting deeper than this is rejected */
#define REC_TEXT_MAX   65536      /* the original text kept for rejected.jsonl */

/* The input formats, detected from the content (rec_detect). */
enum rec_format {
    REC_JSONL,       /* native records, one a line */
    REC_JSON_ARRAY,  /* native records (or Admin API pages) in one JSON array */
    REC_JSON_STREAM, /* native records as concatenated objects */
    REC_ADMIN_API,   /* Admin API Messages usage report pages */
    REC_CLAUDE_CODE, /* Admin API Claude Code Analytics report pages */
    REC_COST_REPORT, /* Admin API Cost report pages: what the provider billed */
    REC_OTEL_LOGS,   /* Claude Code OpenTelemetry logs, OTLP/JSON, one export request a line */
    REC_BEDROCK,     /* Amazon Bedrock model invocation logs, one JSON object a line */
    REC_LITELLM,     /* LiteLLM proxy spend logs, JSON Lines or one JSON array */
    REC_FORMAT_COUNT
};

/* Keys detection looks for (bits of rec_sniff's key sets). */
enum rec_key {
    RK_DATA = 1u << 0,
    RK_HAS_MORE = 1u << 1,
    RK_RESULTS = 1u << 2,
    RK_ACTOR = 1u << 3,
    RK_MODEL_BREAKDOWN = 1u << 4,
    RK_AMOUNT = 1u << 5,
    RK_UNCACHED = 1u << 6,
    RK_RESOURCE_LOGS = 1u << 7,
    RK_RESOURCE_METRICS = 1u << 8,
    RK_RESOURCE_SPANS = 1u << 9,
    RK_SCHEMA_TYPE = 1u << 10,
    RK_MODEL_ID = 1u << 11,
    RK_REQUEST_ID_CAMEL = 1u << 12, /* "requestId" */
    RK_START_TIME = 1u << 13,
    RK_SPEND = 1u << 14,
    RK_PROMPT_TOKENS = 1u << 15,
    RK_CALL_TYPE = 1u << 16,
    RK_TIMESTAMP = 1u << 17,
    RK_DATE = 1u << 18,
    RK_MODEL = 1u << 19,
    RK_STARTING_AT = 1u << 20,
    RK_CORE_METRICS = 1u << 21,
    RK_TOKEN_TYPE = 1u << 22,
    RK_COST_TYPE = 1u << 23,
};

/* What detection learns from the first value of an input (detect.c); each reader's detector
 * looks at it. */
struct rec_sniff {
    char first;        /* the first byte after a byte order mark and blanks; 0 when none */
    bool page;         /* the first value (or the first element of an array) is an Admin API page:
                          an object whose "data" is an array, with "results" in a bucket or a
                          "has_more" key */
    bool line_whole;   /* an object whose first line holds a whole value (or a syntax error, or a
                          first line too long to judge): JSON Lines */
    bool data_array;   /* the first item has a "data" array */
    bool data_empty;   /* ... and it is empty */
    unsigned top_keys; /* rec_key bits: keys of the first item (the top object, or the first
                          element of a top-level array) */
    unsigned row_keys; /* keys of the first element of its "data" array */
    unsigned result_keys; /* keys of the first element of that element's "results" array */
};

/* The readers, one per input format, like the renderers (render.c): tried in order, the first
 * whose detector accepts the sniffed start reads the input. JSON Lines readers (`lines`) are fed
 * chunks of whole lines on worker threads (rec_parse_lines); the others are streams read in
 * order (rec_stream_new with `format`). */
struct rec_reader {
    const char *name; /* "jsonl", "json-array", "json-stream", "admin-api", "claude-code",
                         "cost-report", "otel-logs", "bedrock", "litellm": shown by check and in
                         report.json's inputs */
    enum rec_format format;
    bool lines;
    bool (*detect)(const struct rec_sniff *s);
    const char *refuse; /* non-NULL: a shape recognised only to be refused with this reason */
};

extern const struct rec_reader rec_readers[];
extern const size_t rec_reader_count;

/* The reader's name of a format ("jsonl" for an unknown value). */
const char *rec_format_name(enum rec_format f);

/* Decides the format of an input from its first bytes (`len` of them; `eof` when that is the
 * whole input), from the keys of its first value: an Admin API page of the Messages usage, Cost
 * or Claude Code report, an OpenTelemetry logs export, a Bedrock invocation log, a LiteLLM spend
 * log, or native records (JSON Lines, a JSON array, or objects spanning several lines). Input
 * that does not start with '{' or '[' is JSON Lines, whose lines are then rejected one by one.
 * Needs no more than REC_LINE_MAX bytes. Returns the reader (borrowed, static), or NULL for a
 * JSON document no reader reads (an object of data rows of unknown shape, an OpenTelemetry
 * metrics or traces export): then `why` (when not NULL) says what was found and what is
 * expected. */
const struct rec_reader *rec_detect_reader(const char *buf, size_t len, bool eof, char *why,
                                           size_t why_size);
/* The same, as the format (REC_FORMAT_COUNT for a refused document). */
enum rec_format rec_detect(const char *buf, size_t len, bool eof);

/* One rejected record: the reason and a message naming the field, and the original text. */
struct rec_reject {
    enum reject_reason reason;
    int64_t line;        /* 1-based line where the record starts (within the chunk for
                            rec_parse_lines, within the input for a stream) */
    int64_t element;     /* stream inputs: 1-based position among the records; 0 otherwise */
    const char *message; /* "\"input_tokens\": expected a non-negative integer, got \"many\"" */
    const char *text;    /* the original bytes, possibly invalid UTF-8; arena */
    size_t text_len;
    bool text_cut; /* text is only the first part of the record */
};

/* Something a reader noticed that is not one record's fault (a report with pages missing, an
 * export of events that are not API requests): printed as a warning naming the file and kept
 * in report.json. */
struct rec_note {
    int64_t line;     /* where in the input, 0 when nowhere in particular */
    const char *text; /* arena */
};

/* Records and rejections in input order (each list in its own order), plus the line count. */
struct rec_batch {
    struct record *recs;
    size_t n_recs, cap_recs;
    struct rec_reject *rejs;
    size_t n_rejs, cap_rejs;
    struct rec_cost *costs;
    size_t n_costs, cap_costs;
    struct rec_note *notes;
    size_t n_notes, cap_notes;
    int64_t not_requests; /* events read that are not API requests (OpenTelemetry), not rejects */
    int64_t lines;        /* physical lines covered (rec_parse_lines) */
    struct rec_arena arena;
};

void rec_batch_reset(struct rec_batch *b);
void rec_batch_free(struct rec_batch *b); /* frees the contents, not b itself */

/* What every parser needs: borrowed, must outlive it. */
struct rec_env {
    const struct config *config;
    const struct price_book *prices;
};

struct rec_parser;

/* Returns a new JSON Lines parser (one per thread). Free with rec_parser_free. */
struct rec_parser *rec_parser_new(const struct rec_env *env);
void rec_parser_free(struct rec_parser *p);
/* Test hook: with `on`, every line goes through yajl, never the fast reader (the two must give
 * the same records and rejections; tests and the fuzzer compare them). */
void rec_parser_set_slow_only(struct rec_parser *p, bool on);
/* Test hook: true when two batches hold the same records and rejections, field by field. */
bool rec_batch_same(const struct rec_batch *a, const struct rec_batch *b);

/* Parses a chunk of complete lines (the last may lack its '\n'): each non-blank line is one
 * record or one rejection, appended to `out`; out->lines grows by the number of lines. Lines
 * longer than REC_LINE_MAX are rejected as too long without being parsed. `file_start` strips
 * a UTF-8 byte order mark from the first line. Never fails. */
void rec_parse_lines(struct rec_parser *p, const char *buf, size_t len, bool file_start,
                     struct rec_batch *out);

struct rec_stream;

/* Returns a new stream parser for a REC_JSON_ARRAY, REC_JSON_STREAM or REC_ADMIN_API input.
 * Free with rec_stream_free. */
struct rec_stream *rec_stream_new(const struct rec_env *env, enum rec_format f);
void rec_stream_free(struct rec_stream *s);

/* Feeds the next bytes of the input (any split). Records and rejections finished so far are
 * appended to `out`. Returns false once the input can no longer be parsed (a JSON syntax error
 * or a single value above REC_LINE_MAX): the broken record has been rejected with a message
 * saying that the rest of the input was not read, and later calls do nothing. */
bool rec_stream_feed(struct rec_stream *s, const char *buf, size_t len, struct rec_batch *out);
/* Ends the input: rejects a record left open by a truncated input. */
void rec_stream_finish(struct rec_stream *s, struct rec_batch *out);
/* True while records of an Admin API bucket wait for its "starting_at": the batch must not be
 * handed on yet (its arena holds their strings). */
bool rec_stream_holding(const struct rec_stream *s);

/* ---- Building records from other shapes (the readers of read_*.c) ---- */

/* One usage row as a reader of another format found it, before pricing and attribution. */
struct rec_row {
    const char *model; /* any bytes; need not be NUL-terminated */
    size_t model_len;
    int year, month, day; /* UTC date, already checked */
    int64_t requests;     /* >= 1 */
    int64_t tokens[TOK_CLASS_COUNT];
    int64_t web_search;
    bool batch;
    uint8_t speed, geo; /* enum price_speed, enum price_geo */
    bool long_prompt;
    bool per_day;                /* a day's totals without a request count (see struct record) */
    const char *tags[TAG_COUNT]; /* NULL or "" when absent; copied */
    size_t tag_len[TAG_COUNT];
    const char *request_id; /* NULL or "" when none */
    size_t request_id_len;
    struct record_metrics metrics;
    bool has_reported;     /* the source states its own cost of the row */
    cb_i128 reported_pico; /* that cost, pico-USD */
};

/* Prices and attributes one row into a record appended to `out`, or (unknown model, modifier not
 * priced, a tag that is not valid UTF-8 or too long) appends a rejection carrying `text`.
 * `line` and `element` place it in the input. Returns true when a record was added. */
bool rec_add_row(struct rec_stream *s, const struct rec_row *row, struct rec_batch *out,
                 int64_t line, int64_t element, const char *text, size_t text_len);
/* Appends a rejection: `message` names the field ("\"model\": missing"). */
void rec_add_reject(struct rec_batch *out, enum reject_reason reason, int64_t line, int64_t element,
                    const char *message, const char *text, size_t text_len);
/* Appends a note (printf-style text). */
void rec_add_note(struct rec_batch *out, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends a cost row (its strings copied into the batch's arena). */
void rec_add_cost(struct rec_batch *out, const struct rec_cost *c);
/* The configuration and price book the stream reads with (borrowed). */
const struct rec_env *rec_stream_env(const struct rec_stream *s);

#endif

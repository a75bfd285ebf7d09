/* The readers of formats whose values are small enough to parse whole (SPEC §2.2b): the Admin
 * API Cost and Claude Code reports, OpenTelemetry logs, Bedrock invocation logs and LiteLLM
 * spend logs. read_doc.c cuts the input into JSON values (one a line for the JSON Lines formats,
 * concatenated values for report pages, or the elements of one top-level array) and parses each
 * with jansson; each format's file (read_cost_report.c, read_claude_code.c, read_otel.c,
 * read_bedrock.c, read_litellm.c) turns one parsed value into records, rejections, cost rows and
 * notes. */
#ifndef CB_READ_DOC_H
#define CB_READ_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "records.h"

/* The largest JSON value (a report page, a log line) read whole; above, it is rejected as too
 * long and skipped. */
#define DOC_VALUE_MAX (64u << 20)

struct doc_stream;

/* What one format does with its values. */
struct doc_format {
    enum rec_format format;
    bool lines; /* JSON Lines: one value a line (else concatenated values are allowed) */
    /* one parsed value (root), which starts at `line`; text is its bytes */
    void (*value)(struct doc_stream *d, json_t *root, int64_t line, const char *text,
                  size_t text_len);
    /* the input ended (may be NULL) */
    void (*finish)(struct doc_stream *d);
};

extern const struct doc_format doc_cost_report, doc_claude_code, doc_otel_logs, doc_bedrock,
    doc_litellm;

/* True for the formats read here. */
bool doc_format(enum rec_format f);

/* The stream API of records.h for these formats (rec_stream_* forward here). */
struct doc_stream *doc_stream_new(struct rec_stream *st, enum rec_format f);
void doc_stream_free(struct doc_stream *d);
bool doc_stream_feed(struct doc_stream *d, const char *buf, size_t len, struct rec_batch *out);
void doc_stream_finish(struct doc_stream *d, struct rec_batch *out);

/* ---- for the format files ---- */

/* The batch being filled, the stream (for rec_add_row) and the line of the current input. */
struct rec_batch *doc_out(struct doc_stream *d);
struct rec_stream *doc_rec_stream(struct doc_stream *d);
int64_t doc_line(const struct doc_stream *d);
/* Numbers the next record of the input (1-based), for rejections' "element". */
int64_t doc_next_element(struct doc_stream *d);
/* A small state a format keeps across values (zeroed at the start). */
struct doc_state {
    bool has_more;            /* the last page said "has_more": true */
    int64_t pages;            /* pages read */
    char last_bucket[40];     /* the last bucket's start (or date) */
    int64_t not_requests;     /* OpenTelemetry events that are not API requests */
    char other_events[4][40]; /* the first kinds of them, for the note */
    size_t n_other_events;
};
struct doc_state *doc_state(struct doc_stream *d);

/* Rejects a record (printf-style message naming the field). */
void doc_reject(struct doc_stream *d, enum reject_reason reason, int64_t line, int64_t element,
                const char *text, size_t text_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Reading fields. Each returns true when the value is there and of the right kind; on a problem
 * it fills `why` (the reason) and `msg` ("\"tokens.input\": expected ...") and returns false.
 * `path` names the field in messages. */
struct doc_err {
    enum reject_reason reason;
    char msg[512];
};
/* A count: an integer 0..10^12, or (with `strings`) a string of decimal digits. Absent (or null)
 * gives *out = 0 and true unless `required`. */
bool doc_count(json_t *v, const char *path, bool required, bool strings, int64_t *out,
               struct doc_err *e);
/* A string (absent or null: *out = NULL, true unless required). */
bool doc_string(json_t *v, const char *path, bool required, const char **out, size_t *len,
                struct doc_err *e);
/* A day: "YYYY-MM-DD" or an RFC 3339 time (its UTC date). */
bool doc_date(json_t *v, const char *path, int *y, int *m, int *d, struct doc_err *e);
/* A money amount in pico-USD: a JSON number or a decimal string, in units of `scale_pico`
 * (10^10 for cents, 10^12 for dollars), at most 12 decimals after the point (more are rounded
 * half away from zero at the pico-dollar). Negative amounts are allowed only with `signed_ok`. */
bool doc_money(json_t *v, const char *path, cb_i128 scale_pico, bool signed_ok, cb_i128 *out,
               struct doc_err *e);
/* Sets a tag from a string when it is a non-empty string. */
void doc_tag(struct rec_row *row, enum tag t, json_t *v);

#endif

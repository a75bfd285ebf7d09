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
#include "ledger.h"
#include "prices.h"
#include "record.h"

#define REC_LINE_MAX   (1u << 20) /* a JSON Lines line (or one array element) above is "too long" */
#define REC_STRING_MAX 4096       /* a string field the record uses above is "too long" */
#define REC_DEPTH_MAX  64         /* JSON nesting deeper than this is rejected */
#define REC_TEXT_MAX   65536      /* the original text kept for rejected.jsonl */

/* The input formats, detected from the content (rec_detect). */
enum rec_format { REC_JSONL, REC_JSON_ARRAY, REC_JSON_STREAM, REC_ADMIN_API };

/* What detection learns from the first value of an input (detect.c); each reader's detector
 * looks at it. */
struct rec_sniff {
    char first;      /* the first byte after a byte order mark and blanks; 0 when none */
    bool page;       /* the first value (or the first element of an array) is an Admin API page:
                        an object whose "data" is an array, with "results" in a bucket or a
                        "has_more" key */
    bool line_whole; /* an object whose first line holds a whole value (or a syntax error, or a
                        first line too long to judge): JSON Lines */
};

/* The readers, one per input format, like the renderers (render.c): tried in order, the first
 * whose detector accepts the sniffed start reads the input. JSON Lines readers (`lines`) are fed
 * chunks of whole lines on worker threads (rec_parse_lines); the others are streams read in
 * order (rec_stream_new with `format`). */
struct rec_reader {
    const char *name; /* "jsonl", "json-array", "json-stream", "admin-api": shown by check and
                         in report.json's inputs */
    enum rec_format format;
    bool lines;
    bool (*detect)(const struct rec_sniff *s);
};

extern const struct rec_reader rec_readers[];
extern const size_t rec_reader_count;

/* The reader's name of a format ("jsonl" for an unknown value). */
const char *rec_format_name(enum rec_format f);

/* Decides the format of an input from its first bytes (`len` of them; `eof` when that is the
 * whole input): JSON Lines unless the first object is an Admin API page (an object whose "data"
 * is an array of buckets with "results"), the first byte is '[' (a JSON array of records or of
 * pages), or the first object spans several lines. Never fails: anything else is JSON Lines,
 * whose lines are then rejected one by one. Needs no more than REC_LINE_MAX bytes. Returns the
 * reader (borrowed, static). */
const struct rec_reader *rec_detect_reader(const char *buf, size_t len, bool eof);
/* The same, as the format. */
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

/* Records and rejections in input order (each list in its own order), plus the line count. */
struct rec_batch {
    struct record *recs;
    size_t n_recs, cap_recs;
    struct rec_reject *rejs;
    size_t n_rejs, cap_rejs;
    int64_t lines; /* physical lines covered (rec_parse_lines) */
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

#endif

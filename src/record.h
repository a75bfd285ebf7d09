/* One validated, attributed usage record as ingest hands it to the ledger builder (SPEC §2.1).
 * Every pointer is borrowed for the duration of the call that receives the record. */
#ifndef CB_RECORD_H
#define CB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prices.h"
#include "tags.h"

/* Why a record was rejected (SPEC §2.3). One reason per rejected record. */
enum reject_reason {
    REJ_NOT_JSON,
    REJ_NOT_OBJECT,
    REJ_MISSING_FIELD,
    REJ_BAD_TYPE, /* a field of the wrong JSON type */
    REJ_NEGATIVE,
    REJ_NOT_INTEGER,
    REJ_TOO_LARGE, /* a count above 10^12 */
    REJ_BAD_TIMESTAMP,
    REJ_UNKNOWN_MODEL,
    REJ_BAD_UTF8,
    REJ_TOO_LONG,   /* a line or string above the size caps */
    REJ_BAD_VALUE,  /* a modifier (speed, inference_geo, service_tier, ...) of no known value */
    REJ_NOT_PRICED, /* a modifier the model's price entry does not price */
    REJ_COUNT
};

/* Claude Code's productivity counts of one actor-day (the Analytics report's core_metrics):
 * carried by the first record of the row, summed per team for its value metrics. */
struct record_metrics {
    int64_t sessions, commits, pull_requests, lines_added, lines_removed;
};

struct record {
    /* first, the fields the in-order check reads (ledger_builder_check), in one cache line: the
     * check runs on another core than the parser, and every line it touches is a transfer */
    bool has_id;         /* a request_id was given */
    bool long_unflagged; /* pre-aggregated row whose average prompt is above the model's long-prompt
                            threshold without "long_prompt": true (priced standard, warned) */
    bool batch;
    uint8_t band;             /* enum price_band: the long-prompt band or not */
    uint8_t speed;            /* enum price_speed */
    uint8_t geo;              /* enum price_geo */
    bool per_day;             /* a day's totals with no request count (Claude Code Analytics): no
                                 long-prompt band is inferred from its size */
    bool has_reported;        /* the source stated its own cost of the record (Claude Code's
                                 estimated_cost, OpenTelemetry's cost_usd, LiteLLM's spend) */
    uint8_t id_hash[16];      /* 128-bit hash of the request_id bytes (when has_id) */
    int year, month, day;     /* UTC calendar date of the timestamp (or `date`) */
    int shared_index;         /* first config->shared rule the tags match, or -1 */
    int64_t cache_write_rest; /* cache_creation_input_tokens above its 5m/1h split, priced as
                                 5-minute writes (warned) */
    int64_t requests;         /* >= 1 */
    const struct price_entry *price; /* the entry in force on the record's day; never NULL */
    int64_t tokens[TOK_CLASS_COUNT]; /* input, output, cache read, 5-minute and 1-hour writes */
    int64_t web_search, skill, mcp;
    const char *tags[TAG_COUNT];   /* valid UTF-8, NUL-terminated; NULL when absent (after the
                                      attribution rules have filled what they set) */
    uint32_t tag_len[TAG_COUNT];   /* strlen of each present tag (at most REC_STRING_MAX) */
    cb_i128 reported_pico;         /* that cost (has_reported), pico-USD: compared, never billed */
    struct record_metrics metrics; /* zero except on Claude Code Analytics rows */
};

/* One row of a Cost report: an amount the provider billed (SPEC §2.2b). */
struct rec_cost {
    int year, month, day;  /* the bucket's starting_at (UTC) */
    const char *model;     /* arena; NULL when the report is not grouped by description */
    const char *kind;      /* arena: the token_type ("output_tokens", ...) of a token cost, else
                              the cost_type ("web_search", "code_execution", ...); NULL: none */
    const char *workspace; /* arena; NULL for the default workspace or no grouping */
    cb_i128 pico;          /* the amount in pico-USD, exact */
};

#endif

/* One validated, attributed usage record as ingest hands it to the ledger builder (SPEC §2.1).
 * Every pointer is borrowed for the duration of the call that receives the record. */
#ifndef CB_RECORD_H
#define CB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prices.h"
#include "tags.h"

struct record {
    const char *tags[TAG_COUNT];     /* valid UTF-8, NUL-terminated; NULL when absent (after the
                                        attribution rules have filled what they set) */
    size_t tag_len[TAG_COUNT];       /* strlen of each present tag */
    int shared_index;                /* first config->shared rule the tags match, or -1 */
    const struct price_entry *price; /* the entry in force on the record's day; never NULL */
    bool batch;
    uint8_t band;        /* enum price_band: the long-prompt band or not */
    uint8_t speed;       /* enum price_speed */
    uint8_t geo;         /* enum price_geo */
    bool long_unflagged; /* pre-aggregated row whose average prompt is above the model's long-prompt
                            threshold without "long_prompt": true (priced standard, warned) */
    int64_t cache_write_rest;        /* cache_creation_input_tokens above its 5m/1h split, priced as
                                        5-minute writes (warned) */
    int year, month, day;            /* UTC calendar date of the timestamp (or `date`) */
    int64_t requests;                /* >= 1 */
    int64_t tokens[TOK_CLASS_COUNT]; /* input, output, cache read, 5-minute and 1-hour writes */
    int64_t web_search, skill, mcp;
    bool has_id;         /* a request_id was given */
    uint8_t id_hash[16]; /* 128-bit hash of the request_id bytes (when has_id) */
};

#endif

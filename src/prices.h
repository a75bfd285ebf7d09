/* The price book (SPEC §3): model ids to USD list prices, with effective dates and aliases. */
#ifndef CB_PRICES_H
#define CB_PRICES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "money.h"
#include "status.h"

/* Token classes priced per million tokens, in the order of struct price_entry.per_mtok. */
enum token_class {
    TOK_INPUT,
    TOK_OUTPUT,
    TOK_CACHE_READ,
    TOK_CACHE_WRITE_5M,
    TOK_CACHE_WRITE_1H,
    TOK_CLASS_COUNT
};

/* One model's prices from one date on. Owned by its price book. */
struct price_entry {
    const char *model;                 /* canonical id */
    char effective_from[11];           /* "YYYY-MM-DD", or "" for always */
    int32_t effective_day;             /* YYYYMMDD as an integer, 0 for always */
    int64_t per_mtok[TOK_CLASS_COUNT]; /* micro-USD per million tokens, list (non-batch) */
    int64_t
        batch_per_mtok[TOK_CLASS_COUNT]; /* micro-USD per million tokens with the batch discount */
    int64_t web_search_per_k;            /* micro-USD per 1,000 searches */
    int64_t batch_discount_e6;           /* 500000 = 50 % off */
    const char *family;                  /* "opus", "sonnet", "haiku", or "" */
    int index;                           /* stable position in the book (sorted by model, date) */
    /* Long-prompt band (SPEC §3): a request whose prompt (input + cache reads + cache writes) is
     * above long_above tokens has every token priced at long_per_mtok. 0: the model has none. */
    int64_t long_above;
    int64_t long_per_mtok[TOK_CLASS_COUNT];
    /* Multipliers in thousandths (2000 = ×2); 0 = the entry does not price that modifier, and a
     * record using it is rejected. Standard speed and global inference are always ×1. */
    int64_t speed_fast_e3;
    int64_t geo_us_e3;
    const char *source; /* where the numbers come from (URL or file), owned */
    char checked[11];   /* "YYYY-MM-DD" the numbers were last checked, or "" */
};

/* The price variant of one request: which band, speed and inference geography it ran at. */
enum price_band { BAND_STANDARD, BAND_LONG };
enum price_speed { SPEED_STANDARD, SPEED_FAST };
enum price_geo { GEO_GLOBAL, GEO_US };

struct price_book;

/* Returns a new price book holding the built-in list prices. Free with price_book_free. */
struct price_book *price_book_new_builtin(void);
void price_book_free(struct price_book *pb);

/* Merges overrides from a parsed JSON price document (the `prices` object of the config or a
 * --prices file): adds models, replaces prices, adds aliases and effective dates. `source`
 * names the file for errors. Returns CB_OK or CB_EUSAGE with err filled (key path named). */
enum cb_status price_book_merge_json(struct price_book *pb, json_t *doc, const char *source,
                                     struct cb_error *err);
/* Reads and merges a --prices file. CB_EIO when it cannot be read. */
enum cb_status price_book_merge_file(struct price_book *pb, const char *path, struct cb_error *err);

/* Resolves `model` (exact id, alias, or id with a trailing -YYYYMMDD stripped) to the entry in
 * force on day `yyyymmdd`. Returns a borrowed pointer valid for the book's life, or NULL when the
 * model is unknown (never some other model's price). */
const struct price_entry *price_book_resolve(const struct price_book *pb, const char *model,
                                             int32_t yyyymmdd);

/* Resolves a model family's cheapest current member (e.g. "haiku") on a day, for the
 * model-routing recommendation. NULL when the book has none. */
const struct price_entry *price_book_family_rate(const struct price_book *pb, const char *family,
                                                 int32_t yyyymmdd);

/* Entries in book order (sorted by model, then effective date). Borrowed. */
size_t price_book_count(const struct price_book *pb);
const struct price_entry *price_book_entry(const struct price_book *pb, size_t i);
/* The date the built-in prices were last checked against Anthropic's list ("YYYY-MM-DD"). */
const char *price_book_checked(const struct price_book *pb);
/* SHA-256 (hex) of the book's canonical serialization, for report.json. Borrowed. */
const char *price_book_sha256(const struct price_book *pb);

/* The exact list cost in pico-USD of `tokens` of class `c`, batch or not. */
cb_i128 price_token_cost(const struct price_entry *e, enum token_class c, bool batch,
                         int64_t tokens);
/* The exact unit price of one variant, in 10^-18 USD per million tokens: band price × speed
 * multiplier × geo multiplier × (1 − batch discount when batch), with no rounding. Returns false
 * (and leaves *unit alone) when the entry does not price the band, speed or geo asked for. */
bool price_unit(const struct price_entry *e, enum token_class c, bool batch, enum price_band band,
                enum price_speed speed, enum price_geo geo, cb_i128 *unit);
/* The unit price of one variant in micro-USD per million tokens, as report lines carry it: the
 * standard variant is per_mtok (or batch_per_mtok); any other is price_unit / 10^12, which
 * price_book_check_units has shown to be exact for every entry of the book. Returns false when
 * the entry does not price the variant. */
bool price_variant_mtok(const struct price_entry *e, enum token_class c, bool batch,
                        enum price_band band, enum price_speed speed, enum price_geo geo,
                        int64_t *micros);
/* Checks that every variant every entry prices (band × speed × geo × batch, every token class)
 * is a whole number of micro-USD per million tokens, so lines stay exact. CB_EUSAGE naming the
 * model, date and variant when one is not. */
enum cb_status price_book_check_units(const struct price_book *pb, struct cb_error *err);
/* quantity tokens at a price_unit unit price, in cents, rounded once half away from zero. */
cb_i128 price_line_cents(int64_t quantity, cb_i128 unit);
/* The band a request with `prompt_tokens` (input + cache reads + cache writes) falls in:
 * BAND_LONG only when the entry has a long band and the prompt is strictly above it. */
enum price_band price_band_of(const struct price_entry *e, int64_t prompt_tokens);
/* Parses a modifier value as records write it. Returns false for a value that is not one of
 * the documented ones ("standard"/"fast"; "global"/"us"/"not_available"). */
bool price_speed_parse(const char *s, size_t len, enum price_speed *out);
bool price_geo_parse(const char *s, size_t len, enum price_geo *out);

/* The exact cost in pico-USD of `searches` web searches. */
cb_i128 price_search_cost(const struct price_entry *e, int64_t searches);

#endif

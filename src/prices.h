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
};

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
/* The exact cost in pico-USD of `searches` web searches. */
cb_i128 price_search_cost(const struct price_entry *e, int64_t searches);

#endif

/* The month's aggregates ("the ledger"): every validated, attributed record folded into
 * per-bucket sums. Memory grows with distinct groups (teams, models, projects, users, days),
 * never with records. Filled by ingest; read by allocate/report. */
#ifndef CB_LEDGER_H
#define CB_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "money.h"
#include "prices.h"
#include "record.h"
#include "status.h"
#include "tags.h"

enum ledger_dim { DIM_PROJECT, DIM_USER, DIM_WORKFLOW, DIM_ENVIRONMENT, DIM_COUNT };

const char *ledger_reject_reason_name(enum reject_reason r); /* "not JSON", "unknown model", ... */

struct ledger_usage {
    int64_t requests;
    int64_t tokens[TOK_CLASS_COUNT];
    int64_t web_search;
    int64_t skill;
    int64_t mcp;
};

/* One (model, batch, price entry, band, speed, geo) of a bucket: the source of its invoice
 * lines. */
struct ledger_line {
    const struct price_entry *price; /* model id and effective date; owned by the price book */
    bool batch;
    uint8_t band, speed, geo; /* enum price_band, price_speed, price_geo */
    int64_t requests;
    int64_t tokens[TOK_CLASS_COUNT];
    int64_t web_search;
};

/* One value of one dimension (project, user, ...) within a bucket. */
struct ledger_group {
    const char *key; /* interned; NULL for records without this tag */
    struct ledger_usage usage;
    cb_i128 cost;                 /* list cost in pico-USD, internal rates included */
    cb_i128 cost_batch;           /* the part of cost from batch requests */
    cb_i128 cost_nonbatch_tokens; /* token cost of non-batch requests (batching advice) */
    cb_i128 uncached_input_cost;  /* input-token cost of non-batch requests (caching advice) */
    int64_t batch_requests;
};

struct ledger_day {
    struct ledger_usage usage;
    cb_i128 cost;
};

enum bucket_kind { BUCKET_TEAM, BUCKET_SHARED, BUCKET_UNALLOCATED };

struct ledger_bucket {
    enum bucket_kind kind;
    const char *team; /* BUCKET_TEAM: the team id (interned) */
    int shared_index; /* BUCKET_SHARED: index into config->shared */
    struct ledger_usage usage;
    cb_i128 cost;              /* list cost, pico-USD, internal rates included */
    cb_i128 team_cost;         /* the part of cost whose records carry a team tag (all of a
                                  team's, part of a shared pool's, none of the unallocated) */
    struct ledger_line *lines; /* sorted by model id, batch, effective date */
    size_t n_lines;
    struct ledger_group *groups[DIM_COUNT]; /* sorted by key (NULL key first) */
    size_t n_groups[DIM_COUNT];
    /* The days with records, sparse: a month of 100,000 small teams has a few active days per
     * team, and 31 fixed days were 3 KB of each bucket. Read with ledger_bucket_day. */
    uint32_t day_mask;       /* bit d - 1 set: day d has sums */
    struct ledger_day *days; /* one per set bit of day_mask, in day order; owned */
    cb_i128 routing_saving;  /* pico-USD: small Opus/Sonnet requests minus the Haiku price */
    int64_t routing_requests;
    cb_i128 premium;          /* pico-USD: fast-mode / US-only cost above standard speed, global */
    int64_t premium_requests; /* requests in fast mode or with US-only inference */
    struct record_metrics metrics; /* Claude Code's sessions, commits, pull requests */
};

/* The sums of day `day` (1..31) of bucket b: all zero when it has none. Borrowed. */
static inline const struct ledger_day *ledger_bucket_day(const struct ledger_bucket *b, int day)
{
    static const struct ledger_day none;
    if (day < 1 || day > 31 || !(b->day_mask >> (day - 1) & 1u))
        return &none;
    return &b->days[__builtin_popcount(b->day_mask & ((1u << (day - 1)) - 1u))];
}

/* The sums of day `day` (1..31) of bucket b to add to, made (zero) on first use; b->days must
 * be the ledger's own allocation (or NULL). Never fails (OOM aborts). */
struct ledger_day *ledger_bucket_day_add(struct ledger_bucket *b, int day);

/* An input file as read. */
struct ledger_file {
    char *path;      /* as given on the command line ("-" for stdin) */
    char sha256[65]; /* of the bytes as stored (compressed for .gz) */
    int64_t bytes;
    int64_t records;      /* records (or cost rows) read from this file */
    const char *format;   /* "jsonl", "json-array", "admin-api", "cost-report", ... */
    int64_t not_requests; /* OpenTelemetry events that are not API requests (not records) */
};

/* What the provider billed, from Cost report rows (SPEC §2.2b), for the selected month. */
struct ledger_billed_row {
    const char *model; /* as the price book names it; NULL for costs of no model */
    const char *kind;  /* token_type or cost_type; NULL when the report is not by description */
    cb_i128 pico;
};
struct ledger_billed_ws {
    const char *workspace; /* NULL: the default workspace */
    cb_i128 pico;
};
struct ledger_billed {
    bool present;                    /* a cost report was among the inputs */
    bool by_description;             /* its rows name models and token types */
    bool by_workspace;               /* its rows name workspaces */
    cb_i128 total;                   /* the selected month's rows, pico-USD */
    int64_t rows;                    /* the selected month's rows */
    struct ledger_billed_row *lines; /* by model, then kind */
    size_t n_lines;
    struct ledger_billed_ws *workspaces; /* by workspace id (NULL first) */
    size_t n_workspaces;
    cb_i128 days[31];         /* index = day of month - 1 */
    char other_months[8][16]; /* "YYYY-MM" of rows outside the month (first 8, sorted) */
    size_t n_other_months;
    int64_t other_rows; /* rows outside the month */
};

#define LEDGER_REJECT_EXAMPLES 3

struct ledger_counts {
    int64_t records_read, billed, rejected, duplicates, outside_period;
    int64_t by_reason[REJ_COUNT];
    int64_t cache_rest_records, cache_rest_tokens;     /* cache writes above their 5m/1h split */
    int64_t long_unflagged;                            /* rows averaging a long prompt, unflagged */
    char *examples[REJ_COUNT][LEDGER_REJECT_EXAMPLES]; /* "file:line: message", NULL-padded */
};

/* The aggregates of the selected month, ready to read. */
struct ledger {
    int year, month; /* the billing period */
    int days_in_month;
    struct ledger_bucket *buckets; /* teams sorted by id, then shared pools by index, then
                                      the unallocated bucket (always present, maybe empty) */
    size_t n_buckets;
    struct ledger_file *files;
    size_t n_files;
    struct ledger_counts counts;
    cb_i128 total_cost;          /* list cost of all billed records, pico-USD */
    cb_i128 tag_cost[TAG_COUNT]; /* list cost of billed records carrying each tag */
    char **teams_seen;           /* team tags seen in data (sorted), for warnings */
    size_t n_teams_seen;
    struct ledger_billed billed; /* the provider's own amounts, when a cost report was given */
};

/* The exact list cost of one record (tokens in its variant, web searches), pico-USD: what the
 * ledger adds for it, internal rates aside. */
cb_i128 ledger_record_list_cost(const struct record *r);

void ledger_free(struct ledger *l);

/* ---- Building a ledger (used by ingest). A builder is fed from one thread, in input order:
 * which copy of a request_id is billed, and the examples of rejections, depend on that order.
 * The sums may be folded on other threads into parts and merged (ledger_builder_check,
 * ledger_part_*, ledger_builder_merge below); they are integers, so the result never depends on
 * scheduling. ---- */

struct record;
struct ledger_builder;

/* What became of a record handed to ledger_builder_add. */
enum ledger_fate { LEDGER_BILLED, LEDGER_DUPLICATE, LEDGER_OUTSIDE };

/* Returns a new builder for the period year-month, or for "the month that holds the most
 * records" when year == 0 (then one set of aggregates is kept per month seen, and the others
 * become outside-period counts at finish). `c` and `pb` are borrowed and must outlive the
 * builder and the ledger it makes. Free with ledger_builder_free (or hand it to finish). */
struct ledger_builder *ledger_builder_new(const struct config *c, const struct price_book *pb,
                                          int year, int month);
void ledger_builder_free(struct ledger_builder *b);

/* Registers an input file (copied); its index is the return value. Call before its records. */
size_t ledger_builder_add_file(struct ledger_builder *b, const char *path, const char *format);
/* Sets a registered file's final facts once it has been read to its end. */
void ledger_builder_file_done(struct ledger_builder *b, size_t file, const char sha256[65],
                              int64_t bytes, int64_t records);

/* Keeps one Cost report row (any month; the selected month's are summed at finish). */
void ledger_builder_cost(struct ledger_builder *b, const struct rec_cost *c);
/* Counts an input's OpenTelemetry events that are not API requests. */
void ledger_builder_not_requests(struct ledger_builder *b, size_t file, int64_t n);

/* Counts one rejected record (read, rejected, by reason). `example` ("file:line: message") is
 * kept (copied) while the reason has fewer than LEDGER_REJECT_EXAMPLES examples. */
void ledger_builder_reject(struct ledger_builder *b, enum reject_reason r, const char *example);

/* Folds one valid record in: a duplicate request_id (seen before in any input) is counted, not
 * billed; with a fixed period a record of another month is counted as outside the period.
 * Strings are interned (copied once per distinct value). Never fails (OOM aborts). */
enum ledger_fate ledger_builder_add(struct ledger_builder *b, const struct record *r);
/* ledger_builder_add in two halves, for folding on several threads. The ordered half, called
 * in input order on the builder's thread: counts the record as read and returns its fate; only a
 * LEDGER_BILLED record is then handed (on any thread) to ledger_part_fold on some part. */
enum ledger_fate ledger_builder_check(struct ledger_builder *b, const struct record *r);

struct ledger_part;
/* Returns a new, empty part for b's configuration, price book and period (borrowed: b must
 * outlive the part). One part per thread. Free with ledger_part_free or ledger_builder_merge. */
struct ledger_part *ledger_part_new(const struct ledger_builder *b);
void ledger_part_free(struct ledger_part *p);
/* Adds a record ledger_builder_check found billable to the part's sums (its strings are interned
 * into the part). Never fails (OOM aborts). */
void ledger_part_fold(struct ledger_part *p, const struct record *r);
/* Adds every sum of p into b and frees p. Any order of parts gives the same ledger. Never fails
 * (OOM aborts). */
void ledger_builder_merge(struct ledger_builder *b, struct ledger_part *p);

/* Sizes the request-id set for about n distinct ids (a hint; see idset_reserve). */
void ledger_builder_reserve_ids(struct ledger_builder *b, size_t n);
/* Optional hint: starts loading the request-id memory that ledger_builder_add(b, r) will read
 * (one cache miss per distinct id on a large set), so a caller holding several parsed records
 * can hint a few ahead of the one it adds. Changes nothing; never fails. */
void ledger_builder_prefetch(const struct ledger_builder *b, const struct record *r);

/* Finishes: picks the period (year == 0: the month with the most billed records, ties to the
 * earlier month), sorts everything, and returns CB_OK with *out a new ledger (free with
 * ledger_free), or CB_EUSAGE when no valid record was read and no month was given. Frees the
 * builder in every case. */
enum cb_status ledger_builder_finish(struct ledger_builder *b, struct ledger **out,
                                     struct cb_error *err);

/* Finds the team bucket for id, or NULL. Borrowed. */
const struct ledger_bucket *ledger_team(const struct ledger *l, const char *id);
/* The unallocated bucket. Never NULL. */
const struct ledger_bucket *ledger_unallocated(const struct ledger *l);

#endif

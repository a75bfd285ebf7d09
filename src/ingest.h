/* Bytes on disk to the ledger: readers (JSON Lines, JSON array, Admin API report, .gz, stdin),
 * the streaming yajl parser, record validation, attribution and dedup. */
#ifndef CB_INGEST_H
#define CB_INGEST_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "ledger.h"
#include "prices.h"
#include "status.h"

struct ingest_opts {
    const char *const *inputs; /* paths, "-" for standard input */
    size_t n_inputs;
    int year, month;                 /* the billing period; 0, 0 = the month with most records */
    const struct config *config;     /* attribution, shared rules, internal rates */
    const struct price_book *prices; /* model resolution and list cost */
    FILE *rejected;                  /* each rejected record as one JSON line; may be NULL */
    int threads;                     /* worker threads; <= 0 means one per core but one */
    bool progress;                   /* draw a progress bar on stderr */
};

/* Reads every input as one month. On success returns CB_OK and sets *out to a new ledger
 * (free with ledger_free). Per-record problems are not errors: they are counted in the ledger
 * and written to opts->rejected. Returns CB_EIO when an input cannot be opened or read,
 * CB_EUSAGE when the inputs hold no record in any month and no month was given. */
enum cb_status ingest_run(const struct ingest_opts *opts, struct ledger **out,
                          struct cb_error *err);

/* The month the inputs most likely hold, learned cheaply before ingest_run reads them all: the
 * records in the first 64 KiB of each input that is a regular file, read by the same readers.
 * Returns true and sets *year, *month when more than half of those records fall in one month;
 * false otherwise (standard input and pipes are not peeked at, since they can be
 * read only once). Never fails: ingest_run reports what is wrong with an input. */
bool ingest_peek_month(const struct ingest_opts *opts, int *year, int *month);

#endif

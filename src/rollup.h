/* chargeback rollup-sql (SPEC §2.4): the warehouse query that rolls raw native usage records up
 * to one row per day x tags x model x pricing variant, in the native format with `requests`. */
#ifndef CB_ROLLUP_H
#define CB_ROLLUP_H

#include <stdbool.h>

#include "status.h"

struct price_book;
struct cli_opts;

enum rollup_engine { ROLLUP_DUCKDB, ROLLUP_SPARK, ROLLUP_BIGQUERY };

/* Parses "duckdb", "spark" or "bigquery"; false for anything else. */
bool rollup_engine_parse(const char *name, enum rollup_engine *out);

/* Returns a new string (free with free()) holding the query for `engine` that reads `input` (a
 * path or glob; for BigQuery a table) and writes the roll-up to `output`. The long-prompt band of
 * a single request is decided inside the query from the thresholds of `pb` (borrowed). Cannot
 * fail. */
char *rollup_sql(enum rollup_engine engine, const char *input, const char *output,
                 const struct price_book *pb);

/* The rollup-sql command: loads the price book (built-in, merged with --prices) and prints the
 * query to standard output. Returns CB_OK, or the status of a price book that cannot be read
 * (the message printed). */
enum cb_status rollup_sql_command(const struct cli_opts *o);

#endif

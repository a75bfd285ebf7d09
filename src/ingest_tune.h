/* Test knobs of ingest: small read chunks make every record cross buffer boundaries. */
#ifndef CB_INGEST_TUNE_H
#define CB_INGEST_TUNE_H

#include <stddef.h>

/* Sets the bytes read per chunk (0 restores the default of 1 MiB). Not thread-safe: call
 * before ingest_run. */
void ingest_set_chunk_size(size_t bytes);

#endif

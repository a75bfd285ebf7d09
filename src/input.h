/* Byte sources: a file, a gzip file (detected by its magic bytes, not its name), or standard
 * input ("-"), read sequentially with the SHA-256 and count of the bytes as stored. */
#ifndef CB_INPUT_H
#define CB_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "sha256.h"
#include "status.h"

struct input;

/* Opens `path` ("-" = standard input, which is not closed). Returns CB_OK and a new input in
 * *out (free with input_close), or CB_EIO naming the file. */
enum cb_status input_open(const char *path, struct input **out, struct cb_error *err);
/* Reads up to `cap` bytes of content (decompressed for gzip) into buf; *got = 0 at the end.
 * Returns CB_OK, or CB_EIO naming the file (a read error, corrupt or truncated gzip data). */
enum cb_status input_read(struct input *in, char *buf, size_t cap, size_t *got,
                          struct cb_error *err);
/* Stored bytes consumed so far (compressed bytes for gzip). */
int64_t input_consumed(const struct input *in);
bool input_is_gzip(const struct input *in);
/* The SHA-256 (hex) of every stored byte; call after input_read returned the end. */
void input_sha256(struct input *in, char hex[65]);
void input_close(struct input *in);

/* ---- mapped reading: the bytes of a plain file without a copy ---- */

/* A window of a plain file, mapped read-only. */
struct input_window {
    const char *data; /* the file's bytes [off, off + len) */
    int64_t off;
    size_t len;
    void *base; /* the mapping: page-aligned, map_len bytes, data inside it */
    size_t map_len;
    int reg; /* its entry in the table the SIGBUS handler looks in */
};

/* Whether the input can go on through input_map: a regular file as stored (not gzip, not
 * standard input), opened at its start. */
bool input_mappable(const struct input *in);
/* The file offset of the byte input_read returns next (input_consumed(in) is past the bytes
 * peeked and not yet returned). */
int64_t input_offset(const struct input *in);
/* The file's size and modification time when it was opened (a regular file). */
void input_identity(const struct input *in, int64_t *size, struct timespec *mtime);
/* Maps the file's bytes [off, off + len), clipped to its size when opened, into *w. The window
 * outlives input_close; free it with input_unmap. A file cut short while mapped would make a
 * read past its new end raise SIGBUS: the page reads as zeros instead, and *fault (if 0) is set
 * to `tag`, which must fail the run. Returns false when the file cannot be mapped (the caller
 * goes on with input_read). */
bool input_map(struct input *in, int64_t off, size_t len, atomic_int *fault, int tag,
               struct input_window *w);
void input_unmap(struct input_window *w);
/* Counts the next n stored bytes (at p, a window's data from stored byte input_consumed(in)) as
 * read, and hashes them (unless the hash is detached). */
void input_take(struct input *in, const char *p, size_t n);
/* Hands the SHA-256 state of the bytes consumed so far to the caller, who hashes every later
 * byte itself, in order (input_read and input_take then only count them), until
 * input_hash_attach gives a state back; input_sha256 needs it attached. */
void input_hash_detach(struct input *in, struct sha256 *state);
void input_hash_attach(struct input *in, const struct sha256 *state);
/* Back to input_read, which returns the byte at file offset `at` next: input_offset(in) <= at <=
 * input_consumed(in), the bytes before input_consumed(in) having been hashed (read or taken).
 * Returns CB_EIO naming the file when it cannot seek. */
enum cb_status input_resume(struct input *in, int64_t at, struct cb_error *err);

#endif

/* Byte sources: a file, a gzip file (detected by its magic bytes, not its name), or standard
 * input ("-"), read sequentially with the SHA-256 and count of the bytes as stored. */
#ifndef CB_INPUT_H
#define CB_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif

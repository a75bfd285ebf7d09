/* The progress bar on stderr: bytes read of the total, records per second, time left. Drawn
 * at most ten times a second, left at its final figures at the end. */
#ifndef CB_PROGRESS_H
#define CB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress;

/* Returns a new bar for `total` stored bytes (-1 when unknown, e.g. standard input). Free with
 * progress_end. Never fails. */
struct progress *progress_new(int64_t total);
/* Redraws when 100 ms have passed since the last drawing. */
void progress_update(struct progress *p, int64_t bytes, int64_t records);
/* Marks every byte as read (the inputs were read to their end). Accepts NULL. */
void progress_done(struct progress *p);
/* Draws the bar once more with the latest figures, ends its line, and frees p. Accepts NULL. */
void progress_end(struct progress *p);
/* Formats one bar into buf (for tests): elapsed in seconds. */
void progress_format(char *buf, size_t size, int64_t total, int64_t bytes, int64_t records,
                     double elapsed);

#endif

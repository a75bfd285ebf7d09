/* The one module that prints diagnostics. Every other module reports through these
 * functions; nothing else writes to stderr. */
#ifndef CB_MSG_H
#define CB_MSG_H

#include <stdio.h>

#include "status.h"

/* Prints "chargeback: error: TEXT" to stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "chargeback: warning: TEXT" to stderr, unless warnings are muted. */
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "TEXT" to stderr; for counts and progress summaries (callers honour --quiet). */
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints an error record as "file:line: field: text" (parts that are empty are left out). */
void msg_error_at(const struct cb_error *err);
/* Same shape as msg_error_at, as a warning. */
void msg_warn_at(const struct cb_error *err);
/* Formats an error record as "file:line: field: text" into buf (always NUL-terminated). */
void msg_format_error(const struct cb_error *err, char *buf, size_t size);
/* Redraws the one-line progress bar in place ("\r" TEXT, rest of the line erased). */
void msg_progress(const char *text);
/* Ends the progress line with a newline, leaving its last frame visible. */
void msg_progress_end(void);
/* Writes text to f with every byte that could act on a terminal written as an escape instead:
 * C0 and C1 controls and DEL (newline included) as \uXXXX, the bidi embeddings, overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069) as \uXXXX, bytes that are not UTF-8 as \xNN. For
 * output that carries names and values from the input; all of msg.c's output goes through it. */
void msg_write_safe(FILE *f, const char *text);
/* Holds this thread's errors and warnings in memory until msg_hold_end, which returns them as
 * the text they would have printed (NULL when none was held; free with msg_release, which
 * prints it, or adds it to the calling thread's own hold when that thread holds: holds nest).
 * For work on worker threads whose messages must come out in a fixed order. */
void msg_hold_begin(void);
char *msg_hold_end(void);
void msg_release(char *text);
/* Returns a new copy of every warning printed so far outside a hold, in order, each as
 * msg_write_safe writes it (valid UTF-8); *n is their count. Free each string and the array
 * with free(). Thread-safe. */
char **msg_warnings_copy(size_t *n);
/* Quiet mode mutes msg_info (errors and warnings still print). */

#endif

/* The project's status codes and the error record that carries an input location.
 * The numeric values are the process exit statuses of SPEC §1. */
#ifndef CB_STATUS_H
#define CB_STATUS_H

#include <stddef.h>

enum cb_status {
    CB_OK = 0,
    CB_EDATA = 1,    /* rejected records under --strict; verify found a difference */
    CB_EUSAGE = 2,   /* bad command line or configuration */
    CB_EIO = 3,      /* a file could not be read or written */
    CB_EINTERNAL = 4 /* a consistency check failed: a bug, nothing is written */
};

/* Where an error came from and what it is, like jansson's json_error_t.
 * `line` is 0 when the error has no line; `field` is "" when it names no field. */
struct cb_error {
    char file[512];
    long line;
    char field[128];
    char text[1024];
};

/* Returns a static string naming `st` ("ok", "data problem", ...). Never fails. */
const char *cb_strerror(enum cb_status st);

/* Fills `err` (which may be NULL, then nothing happens) and returns `st`.
 * `file` and `field` may be NULL. The text is printf-formatted and truncated to fit. */
enum cb_status cb_error_set(struct cb_error *err, enum cb_status st, const char *file, long line,
                            const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Clears `err` to "no error". Accepts NULL. */
void cb_error_clear(struct cb_error *err);

#endif

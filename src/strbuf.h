/* A growable byte buffer with a hard cap, for building output in memory. */
#ifndef CB_STRBUF_H
#define CB_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *data; /* NUL-terminated when len > 0 or after strbuf_cstr */
    size_t len;
    size_t cap;
    size_t limit;  /* 0 means the default cap (1 GiB) */
    bool overflow; /* set once an append would pass the limit; later appends are dropped */
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0, false                                                                       \
    }

void strbuf_append(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_putc(struct strbuf *b, char c);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents as a C string (borrowed; valid until the next append or free). */
const char *strbuf_cstr(struct strbuf *b);
/* Returns the contents as a new string the caller frees, and resets b. */
char *strbuf_detach(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);

#endif

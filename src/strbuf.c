#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define STRBUF_DEFAULT_LIMIT ((size_t)1 << 30)

static bool reserve(struct strbuf *b, size_t extra)
{
    size_t limit = b->limit ? b->limit : STRBUF_DEFAULT_LIMIT;
    if (b->overflow || extra > limit || b->len + extra > limit) {
        b->overflow = true;
        return false;
    }
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return true;
}

void strbuf_append(struct strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
    strbuf_append(b, s, strlen(s));
}

void strbuf_putc(struct strbuf *b, char c)
{
    strbuf_append(b, &c, 1);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *strbuf_cstr(struct strbuf *b)
{
    if (!b->data && reserve(b, 0))
        b->data[0] = '\0';
    return b->data ? b->data : "";
}

/* The string is handed over at its own size: a buffer grows by doubling from 256 bytes, and a
 * model holding a few short strings per invoice line (a month of 100,000 teams holds millions)
 * would otherwise keep the slack of every one. */
char *strbuf_detach(struct strbuf *b)
{
    char *p = b->data ? xrealloc(b->data, b->len + 1) : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    b->overflow = false;
    return p;
}

void strbuf_reset(struct strbuf *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->data)
        b->data[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

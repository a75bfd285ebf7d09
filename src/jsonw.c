/* The streaming JSON writer (jsonw.h). Layout rules, as jansson's dump.c applies them: an empty
 * container is "{}" or "[]"; otherwise each member starts on a new line indented by two spaces
 * per open container (compact: directly), members are separated by ",", a key is followed by
 * ": " (compact ":"), and the closing bracket goes on a new line at the container's own depth.
 * Strings escape '"', '\\' and the control characters below 0x20 (\b \f \n \r \t, else \u00XX
 * in capitals); everything else, non-ASCII included, is written as it is. */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xalloc.h"

#define JW_MAX_DEPTH 64

struct jw {
    FILE *f;
    bool compact;
    bool failed;
    bool after_key; /* a key was written: the next value is its member */
    bool done;      /* the root was closed */
    int depth;
    struct {
        bool object;
        size_t n; /* members written */
    } open[JW_MAX_DEPTH];
    size_t len;
    char buf[1 << 16];
};

static void flush(struct jw *w)
{
    if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->failed = true;
    w->len = 0;
}

static void put(struct jw *w, const char *p, size_t n)
{
    if (w->len + n > sizeof w->buf) {
        flush(w);
        if (n > sizeof w->buf) {
            if (!w->failed && fwrite(p, 1, n, w->f) != n)
                w->failed = true;
            return;
        }
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void newline(struct jw *w, int depth)
{
    static const char spaces[] = "                                                            ";
    if (w->compact)
        return;
    put(w, "\n", 1);
    size_t n = (size_t)depth * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(w, spaces, k);
        n -= k;
    }
}

/* What comes before a value: nothing after a key or for the root, else (in an array) the
 * separator and the new line. */
static void before_value(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0) {
        if (w->done)
            w->failed = true; /* a second root */
        return;
    }
    if (w->open[w->depth - 1].object) {
        w->failed = true; /* a member without its key */
        return;
    }
    if (w->open[w->depth - 1].n++)
        put(w, ",", 1);
    newline(w, w->depth);
}

struct jw *jw_new(FILE *f, bool compact)
{
    struct jw *w = xcalloc(1, sizeof *w);
    w->f = f;
    w->compact = compact;
    return w;
}

bool jw_close(struct jw *w)
{
    if (!w)
        return false;
    flush(w);
    bool ok = !w->failed && w->depth == 0 && w->done && !w->after_key;
    free(w);
    return ok;
}

static void open_container(struct jw *w, bool object)
{
    before_value(w);
    if (w->depth == JW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->open[w->depth].object = object;
    w->open[w->depth].n = 0;
    w->depth++;
    put(w, object ? "{" : "[", 1);
}

void jw_object(struct jw *w)
{
    open_container(w, true);
}

void jw_array(struct jw *w)
{
    open_container(w, false);
}

void jw_end(struct jw *w)
{
    if (w->depth == 0 || w->after_key) {
        w->failed = true;
        return;
    }
    w->depth--;
    if (w->open[w->depth].n)
        newline(w, w->depth);
    put(w, w->open[w->depth].object ? "}" : "]", 1);
    if (w->depth == 0)
        w->done = true;
}

/* The length of the valid UTF-8 sequence at s (of at most n bytes), or 0: the encodings
 * jansson accepts (no overlongs, no surrogates, at most U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F)))
        return 0; /* overlong, surrogate */
    if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)))
        return 0; /* overlong, above U+10FFFF */
    return len;
}

/* Bytes written as they are: printable ASCII but the quote and the backslash. */
static const bool plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void put_string(struct jw *w, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    const unsigned char *end = s + strlen((const char *)s);
    put(w, "\"", 1);
    const unsigned char *run = s;
    for (;;) {
        unsigned c = *s;
        if (plain[c]) {
            s++;
            continue;
        }
        if (c == 0)
            break;
        if (c >= 0x80) {
            size_t n = utf8_seq(s, (size_t)(end - s));
            if (!n) {
                w->failed = true; /* jansson refuses such a string */
                return;
            }
            s += n;
            continue;
        }
        put(w, (const char *)run, (size_t)(s - run));
        char esc[8];
        const char *e = esc;
        size_t n = 2;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default: snprintf(esc, sizeof esc, "\\u%04X", c); n = 6;
        }
        put(w, e, n);
        run = ++s;
    }
    put(w, (const char *)run, (size_t)(s - run));
    put(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
    if (w->depth == 0 || !w->open[w->depth - 1].object || w->after_key) {
        w->failed = true;
        return;
    }
    if (w->open[w->depth - 1].n++)
        put(w, ",", 1);
    newline(w, w->depth);
    put_string(w, key);
    put(w, w->compact ? ":" : ": ", w->compact ? 1 : 2);
    w->after_key = true;
}

void jw_string(struct jw *w, const char *s)
{
    before_value(w);
    put_string(w, s);
}

void jw_integer(struct jw *w, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    before_value(w);
    put(w, p, (size_t)(buf + sizeof buf - p));
}

void jw_real(struct jw *w, double v)
{
    /* jansson's own formatting (it differs between its versions), on a value of its own */
    char buf[64];
    json_t *x = json_real(v);
    size_t n = x ? json_dumpb(x, buf, sizeof buf, JSON_ENCODE_ANY | JSON_REAL_PRECISION(12)) : 0;
    json_decref(x);
    before_value(w);
    if (n == 0 || n > sizeof buf) {
        w->failed = true; /* not finite: jansson refuses it too */
        return;
    }
    put(w, buf, n);
}

void jw_bool(struct jw *w, bool v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
    before_value(w);
    put(w, "null", 4);
}

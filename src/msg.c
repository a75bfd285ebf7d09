#include "msg.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* While set on a thread (msg_hold_begin), its errors and warnings are written here instead of
 * stderr, so renderers on worker threads can have them printed in a fixed order. */
static _Thread_local FILE *held;
static _Thread_local char *held_text;
static _Thread_local size_t held_len;
/* Every warning printed outside a hold, in the order printed (SPEC §7 `warnings`). */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static char **kept;
static size_t n_kept, cap_kept;

const char *cb_strerror(enum cb_status st)
{
    switch (st) {
    case CB_OK: return "ok";
    case CB_EDATA: return "data problem";
    case CB_EUSAGE: return "usage or configuration error";
    case CB_EIO: return "input/output error";
    case CB_EINTERNAL: return "internal consistency check failed";
    }
    return "unknown status";
}

enum cb_status cb_error_set(struct cb_error *err, enum cb_status st, const char *file, long line,
                            const char *field, const char *fmt, ...)
{
    if (!err)
        return st;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return st;
}

void cb_error_clear(struct cb_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* Whether the code point at s (a sequence of len bytes) could move the cursor, recolour or
 * retitle a terminal, or reorder the text around it: C0 and C1 controls, DEL, and the bidi
 * embeddings, overrides and isolates. */
static bool is_unsafe(const unsigned char *s, size_t len, unsigned *cp)
{
    if (len == 1) {
        *cp = s[0];
        return s[0] < 0x20 || s[0] == 0x7f;
    }
    if (len == 2) {
        *cp = (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
        return *cp >= 0x80 && *cp <= 0x9f;
    }
    if (len == 3) {
        *cp = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        return (*cp >= 0x202a && *cp <= 0x202e) || (*cp >= 0x2066 && *cp <= 0x2069);
    }
    return false;
}

void msg_write_safe(FILE *f, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        unsigned cp = 0;
        size_t len = 0;
        while (run < n && (len = utf8_len(s + run, n - run)) > 0 && !is_unsafe(s + run, len, &cp))
            run += len;
        fwrite(s + i, 1, run - i, f);
        i = run;
        if (i == n)
            break;
        if (len == 0) {
            fprintf(f, "\\x%02x", s[i]);
            i++;
        } else {
            fprintf(f, "\\u%04x", cp);
            i += len;
        }
    }
}

/* Formats into a new string; free with free(). */
static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int need = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (need < 0)
        return xstrdup(fmt);
    char *buf = xmalloc((size_t)need + 1);
    vsnprintf(buf, (size_t)need + 1, fmt, ap);
    return buf;
}

/* Every message goes out through msg_write_safe: names, paths and values in it come from the
 * input, and a team named "\x1b]0;..." or "x\nchargeback: error: ..." must not reach the terminal
 * as anything but text. */
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    char *text = vformat(fmt, ap);
    FILE *out = held ? held : stderr;
    fprintf(out, "chargeback: %s: ", kind);
    msg_write_safe(out, text);
    fputc('\n', out);
    if (!held && strcmp(kind, "warning") == 0) {
        char *safe = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&safe, &len);
        if (m) {
            msg_write_safe(m, text);
            fclose(m);
            pthread_mutex_lock(&kept_lock);
            if (n_kept == cap_kept) {
                cap_kept = cap_kept ? 2 * cap_kept : 16;
                kept = xreallocarray(kept, cap_kept, sizeof *kept);
            }
            kept[n_kept++] = safe;
            pthread_mutex_unlock(&kept_lock);
        }
    }
    free(text);
}

char **msg_warnings_copy(size_t *n)
{
    pthread_mutex_lock(&kept_lock);
    char **v = n_kept ? xreallocarray(NULL, n_kept, sizeof *v) : NULL;
    for (size_t i = 0; i < n_kept; i++)
        v[i] = xstrdup(kept[i]);
    *n = n_kept;
    pthread_mutex_unlock(&kept_lock);
    return v;
}

void msg_hold_begin(void)
{
    if (!held)
        held = open_memstream(&held_text, &held_len);
}

char *msg_hold_end(void)
{
    if (!held)
        return NULL;
    fclose(held);
    held = NULL;
    char *text = held_text;
    if (held_len == 0) {
        free(text);
        text = NULL;
    }
    held_text = NULL;
    held_len = 0;
    return text;
}

void msg_release(char *text)
{
    if (text) /* into this thread's own hold, if any: holds nest (a format's documents) */
        fputs(text, held ? held : stderr);
    free(text);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error", fmt, ap);
    va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning", fmt, ap);
    va_end(ap);
}

void msg_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    msg_write_safe(stderr, text);
    fputc('\n', stderr);
    free(text);
}

void msg_progress(const char *text)
{
    fputc('\r', stderr);
    msg_write_safe(stderr, text);
    fputs("\033[K", stderr);
    fflush(stderr);
}

void msg_progress_end(void)
{
    fputc('\n', stderr);
    fflush(stderr);
}

void msg_format_error(const struct cb_error *err, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (err->file[0])
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s:", err->file);
    if (err->line > 0 && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%ld:", err->line);
    if (n > 0 && n < size)
        n += (size_t)snprintf(buf + n, size - n, " ");
    if (err->field[0] && n < size)
        n += (size_t)snprintf(buf + n, size - n, "\"%s\": ", err->field);
    if (n < size)
        snprintf(buf + n, size - n, "%s", err->text);
}

void msg_error_at(const struct cb_error *err)
{
    char buf[2048];
    msg_format_error(err, buf, sizeof buf);
    msg_error("%s", buf);
}

void msg_warn_at(const struct cb_error *err)
{
    char buf[2048];
    msg_format_error(err, buf, sizeof buf);
    msg_warn("%s", buf);
}

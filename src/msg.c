#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int quiet;

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

void msg_set_quiet(int q) { quiet = q; }
int msg_is_quiet(void) { return quiet; }

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "chargeback: %s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void msg_progress(const char *text)
{
    fprintf(stderr, "\r%s\033[K", text);
    fflush(stderr);
}

void msg_progress_clear(void)
{
    fputs("\r\033[K", stderr);
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

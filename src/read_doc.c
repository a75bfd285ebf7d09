/* Cutting an input into JSON values and parsing each whole (see read_doc.h). */
#include "read_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "utf8.h"
#include "xalloc.h"

enum mode { M_START, M_LINES, M_VALUES, M_ELEMENTS };

struct doc_stream {
    struct rec_stream *st;
    const struct doc_format *df;
    struct rec_batch *out;
    enum mode mode;
    bool dead;
    bool at_start; /* before the first byte (a byte order mark is skipped) */
    /* the value being cut */
    bool in_value;
    int depth;
    bool in_str, esc;
    bool scalar; /* a value that is not an object, array or string */
    char *buf;
    size_t len, cap;
    bool too_long;
    int64_t line;       /* the current line, 1-based */
    int64_t value_line; /* where the value being cut started */
    /* M_ELEMENTS: between elements */
    bool array_open, array_closed, want_value;
    int64_t element;
    struct doc_state state;
};

static const struct doc_format *const formats[] = {
    &doc_cost_report, &doc_claude_code, &doc_otel_logs, &doc_bedrock, &doc_litellm,
};

bool doc_format(enum rec_format f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i]->format == f)
            return true;
    return false;
}

struct doc_stream *doc_stream_new(struct rec_stream *st, enum rec_format f)
{
    struct doc_stream *d = xcalloc(1, sizeof *d);
    d->st = st;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i]->format == f)
            d->df = formats[i];
    d->line = 1;
    d->at_start = true;
    return d;
}

void doc_stream_free(struct doc_stream *d)
{
    if (!d)
        return;
    free(d->buf);
    free(d);
}

struct rec_batch *doc_out(struct doc_stream *d)
{
    return d->out;
}

struct rec_stream *doc_rec_stream(struct doc_stream *d)
{
    return d->st;
}

int64_t doc_line(const struct doc_stream *d)
{
    return d->line;
}

int64_t doc_next_element(struct doc_stream *d)
{
    return ++d->element;
}

struct doc_state *doc_state(struct doc_stream *d)
{
    return &d->state;
}

void doc_reject(struct doc_stream *d, enum reject_reason reason, int64_t line, int64_t element,
                const char *text, size_t text_len, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rec_add_reject(d->out, reason, line, element, msg, text, text_len);
}

/* ---- one value ---- */

static void take_byte(struct doc_stream *d, char c)
{
    if (d->too_long)
        return;
    if (d->len == DOC_VALUE_MAX) {
        d->too_long = true;
        return;
    }
    if (d->len == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 4096;
        if (d->cap > DOC_VALUE_MAX)
            d->cap = DOC_VALUE_MAX;
        d->buf = xrealloc(d->buf, d->cap);
    }
    d->buf[d->len++] = c;
}

static void take_bytes(struct doc_stream *d, const char *p, size_t n)
{
    if (d->too_long)
        return;
    if (d->len + n > DOC_VALUE_MAX) {
        d->too_long = true;
        return;
    }
    if (d->len + n > d->cap) {
        size_t c = d->cap ? d->cap : 4096;
        while (c < d->len + n)
            c *= 2;
        d->cap = c > DOC_VALUE_MAX ? DOC_VALUE_MAX : c;
        d->buf = xrealloc(d->buf, d->cap);
    }
    memcpy(d->buf + d->len, p, n);
    d->len += n;
}

/* A value has been cut: parse it and hand it to the format. */
static void value_done(struct doc_stream *d)
{
    const char *text = d->buf ? d->buf : "";
    size_t n = d->len;
    while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    int64_t line = d->value_line;
    d->in_value = false;
    d->depth = 0;
    d->in_str = d->esc = d->scalar = false;
    if (d->too_long) {
        d->too_long = false;
        d->len = 0;
        doc_reject(d, REJ_TOO_LONG, line, doc_next_element(d), text, n,
                   "a JSON value longer than %u MiB", DOC_VALUE_MAX >> 20);
        return;
    }
    d->len = 0;
    if (n == 0)
        return;
    if (!utf8_valid((const unsigned char *)text, n)) {
        doc_reject(d, REJ_BAD_UTF8, line, doc_next_element(d), text, n, "invalid UTF-8");
        return;
    }
    json_error_t err;
    json_t *root = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!root) {
        doc_reject(d, REJ_NOT_JSON, line + (err.line > 1 ? err.line - 1 : 0), doc_next_element(d),
                   text, n, "not JSON (%s)", err.text);
        return;
    }
    d->df->value(d, root, line, text, n);
    json_decref(root);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Stops reading the input: what is left cannot be cut into values. */
static void die(struct doc_stream *d, const char *what)
{
    d->dead = true;
    doc_reject(d, REJ_NOT_JSON, d->line, doc_next_element(d), d->buf, d->len,
               "not JSON (%s); the rest of the input (from line %lld on) was not read", what,
               (long long)d->line);
    d->len = 0;
}

/* Cuts values in M_VALUES and M_ELEMENTS: objects, arrays and strings by their brackets and
 * quotes, other scalars up to the next blank or delimiter. */
static void scan(struct doc_stream *d, const char *p, size_t n)
{
    for (size_t i = 0; i < n && !d->dead; i++) {
        char c = p[i];
        if (!d->in_value) {
            if (c == '\n')
                d->line++;
            if (is_blank(c))
                continue;
            if (d->mode == M_ELEMENTS) {
                if (d->array_closed) {
                    die(d, "text after the end of the array");
                    return;
                }
                if (!d->array_open) {
                    if (c != '[') {
                        die(d, "expected '['");
                        return;
                    }
                    d->array_open = true;
                    d->want_value = true;
                    continue;
                }
                if (c == ']') {
                    d->array_closed = true;
                    continue;
                }
                if (!d->want_value) {
                    if (c != ',') {
                        die(d, "expected ',' or ']' between the elements of the array");
                        return;
                    }
                    d->want_value = true;
                    continue;
                }
                d->want_value = false;
            } else if (c == '}' || c == ']' || c == ',') {
                die(d, "unexpected character between values");
                return;
            }
            d->in_value = true;
            d->value_line = d->line;
            d->depth = 0;
            d->scalar = !(c == '{' || c == '[' || c == '"');
            d->in_str = c == '"';
            take_byte(d, c);
            if (c == '{' || c == '[')
                d->depth = 1;
            continue;
        }
        if (d->scalar) {
            if (is_blank(c) || c == ',' || c == ']' || c == '}' || c == '{' || c == '[' ||
                c == '"') {
                value_done(d);
                i--; /* the delimiter belongs to what follows */
                continue;
            }
            take_byte(d, c);
            continue;
        }
        if (c == '\n')
            d->line++;
        take_byte(d, c);
        if (d->in_str) {
            if (d->esc)
                d->esc = false;
            else if (c == '\\')
                d->esc = true;
            else if (c == '"') {
                d->in_str = false;
                if (d->depth == 0)
                    value_done(d);
            }
            continue;
        }
        if (c == '"')
            d->in_str = true;
        else if (c == '{' || c == '[')
            d->depth++;
        else if ((c == '}' || c == ']') && --d->depth == 0)
            value_done(d);
    }
}

/* Cuts values in M_LINES: each line one value (a broken line never affects the next). */
static void scan_lines(struct doc_stream *d, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (!d->in_value) {
            d->in_value = true;
            d->value_line = d->line;
        }
        take_bytes(d, p, k);
        if (!nl)
            return;
        value_done(d);
        d->line++;
        p += k + 1;
        n -= k + 1;
    }
}

bool doc_stream_feed(struct doc_stream *d, const char *buf, size_t len, struct rec_batch *out)
{
    d->out = out;
    if (d->dead)
        return false;
    if (d->at_start && len > 0) {
        d->at_start = false;
        if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
            buf += 3, len -= 3;
    }
    if (d->mode == M_START) {
        size_t i = 0;
        while (i < len && is_blank(buf[i])) {
            if (buf[i] == '\n')
                d->line++;
            i++;
        }
        if (i == len)
            return true;
        buf += i, len -= i;
        d->mode = buf[0] == '[' ? M_ELEMENTS : d->df->lines ? M_LINES : M_VALUES;
    }
    if (d->mode == M_LINES)
        scan_lines(d, buf, len);
    else
        scan(d, buf, len);
    return !d->dead;
}

void doc_stream_finish(struct doc_stream *d, struct rec_batch *out)
{
    d->out = out;
    if (!d->dead) {
        if (d->mode == M_LINES && d->in_value)
            value_done(d);
        else if (d->in_value && d->scalar)
            value_done(d);
        else if (d->in_value) {
            d->dead = true;
            doc_reject(d, REJ_NOT_JSON, d->value_line, doc_next_element(d), d->buf, d->len,
                       "not JSON (the input ends inside a value)");
        } else if (d->mode == M_ELEMENTS && !d->array_closed) {
            d->dead = true;
            doc_reject(d, REJ_NOT_JSON, d->line, doc_next_element(d), "", 0,
                       "not JSON (the input ends inside the array: ']' missing)");
        }
    }
    if (d->df->finish)
        d->df->finish(d);
}

/* ---- fields ---- */

static void err_set(struct doc_err *e, enum reject_reason r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_set(struct doc_err *e, enum reject_reason r, const char *path, const char *fmt, ...)
{
    e->reason = r;
    int o = snprintf(e->msg, sizeof e->msg, "\"%s\": ", path);
    if (o < 0 || (size_t)o >= sizeof e->msg)
        o = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + o, sizeof e->msg - (size_t)o, fmt, ap);
    va_end(ap);
}

/* A short rendering of a value for messages. */
static void shown(json_t *v, char *buf, size_t size)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s) {
        snprintf(buf, size, "?");
        return;
    }
    size_t n = strlen(s);
    if (n > 40) {
        size_t k = 40;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        snprintf(buf, size, "%.*s\xe2\x80\xa6", (int)k, s);
    } else
        snprintf(buf, size, "%s", s);
    free(s);
}

#define COUNT_MAX 1000000000000LL

bool doc_count(json_t *v, const char *path, bool required, bool strings, int64_t *out,
               struct doc_err *e)
{
    *out = 0;
    char sh[64];
    if (!v || json_is_null(v)) {
        if (required) {
            err_set(e, REJ_MISSING_FIELD, path, "missing");
            return false;
        }
        return true;
    }
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0) {
            err_set(e, REJ_NEGATIVE, path, "expected a non-negative integer, got %lld",
                    (long long)x);
            return false;
        }
        if (x > COUNT_MAX) {
            err_set(e, REJ_TOO_LARGE, path, "%lld is above 10^12", (long long)x);
            return false;
        }
        *out = (int64_t)x;
        return true;
    }
    if (strings && json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        int64_t x = 0;
        bool ok = n > 0 && n <= 13;
        for (size_t i = 0; ok && i < n; i++)
            ok = s[i] >= '0' && s[i] <= '9';
        for (size_t i = 0; ok && i < n; i++)
            x = x * 10 + (s[i] - '0');
        if (!ok || x > COUNT_MAX) {
            shown(v, sh, sizeof sh);
            err_set(e, n > 13 && ok ? REJ_TOO_LARGE : REJ_NOT_INTEGER, path,
                    "expected a count of at most 10^12 (digits only), got %s", sh);
            return false;
        }
        *out = x;
        return true;
    }
    shown(v, sh, sizeof sh);
    if (json_is_real(v)) {
        err_set(e, json_real_value(v) < 0 ? REJ_NEGATIVE : REJ_NOT_INTEGER, path,
                "expected a non-negative integer, got %s", sh);
        return false;
    }
    err_set(e, REJ_BAD_TYPE, path, "expected a non-negative integer, got %s", sh);
    return false;
}

bool doc_string(json_t *v, const char *path, bool required, const char **out, size_t *len,
                struct doc_err *e)
{
    *out = NULL;
    *len = 0;
    if (!v || json_is_null(v)) {
        if (required) {
            err_set(e, REJ_MISSING_FIELD, path, "missing");
            return false;
        }
        return true;
    }
    if (!json_is_string(v)) {
        char sh[64];
        shown(v, sh, sizeof sh);
        err_set(e, REJ_BAD_TYPE, path, "expected a string, got %s", sh);
        return false;
    }
    *out = json_string_value(v);
    *len = json_string_length(v);
    if (*len > REC_STRING_MAX) {
        err_set(e, REJ_TOO_LONG, path, "longer than %d bytes", REC_STRING_MAX);
        return false;
    }
    return true;
}

bool doc_date(json_t *v, const char *path, int *y, int *m, int *d, struct doc_err *e)
{
    const char *s;
    size_t n;
    if (!doc_string(v, path, true, &s, &n, e))
        return false;
    bool ok = n == 10 ? date_parse_timestamp(s, n, true, y, m, d)
                      : date_parse_timestamp(s, n, false, y, m, d);
    if (!ok) {
        char sh[64];
        shown(v, sh, sizeof sh);
        err_set(e, REJ_BAD_TIMESTAMP, path,
                "expected a date YYYY-MM-DD or an RFC 3339 time such as 2026-10-14T09:30:00Z, "
                "got %s",
                sh);
    }
    return ok;
}

/* Parses a decimal ("-12.345", "1.5e-3") exactly into units of 10^-18 of its unit; false when
 * it is not a plain decimal or is out of range. */
static bool decimal_e18(const char *s, cb_i128 *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    cb_i128 mant = 0;
    int digits = 0, frac = 0;
    bool any = false, point = false;
    for (; *s; s++) {
        if (*s == '.' && !point) {
            point = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            break;
        any = true;
        if (digits >= 30)
            return false;
        if (mant > 0 || *s != '0')
            digits++;
        mant = mant * 10 + (*s - '0');
        if (point)
            frac++;
    }
    if (!any)
        return false;
    int exp = 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = false;
        if (*s == '-' || *s == '+')
            eneg = *s++ == '-';
        if (*s < '0' || *s > '9')
            return false;
        for (; *s >= '0' && *s <= '9'; s++) {
            exp = exp * 10 + (*s - '0');
            if (exp > 40)
                return false;
        }
        if (eneg)
            exp = -exp;
    }
    if (*s)
        return false;
    int shift = 18 - frac + exp; /* value = mant * 10^(shift - 18) */
    if (shift < -40 || shift > 30)
        return false;
    cb_i128 v = mant;
    for (; shift > 0; shift--) {
        if (v > ((cb_i128)1 << 120))
            return false;
        v *= 10;
    }
    if (shift < 0) {
        cb_i128 den = 1;
        for (; shift < 0 && den < ((cb_i128)1 << 120); shift++)
            den *= 10;
        if (shift < 0)
            v = 0;
        else
            v = money_div_round(v, den);
    }
    *out = neg ? -v : v;
    return true;
}

bool doc_money(json_t *v, const char *path, cb_i128 scale_pico, bool signed_ok, cb_i128 *out,
               struct doc_err *e)
{
    char buf[64], sh[64];
    const char *s = NULL;
    if (!v || json_is_null(v)) {
        err_set(e, REJ_MISSING_FIELD, path, "missing");
        return false;
    }
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        s = buf;
    } else if (json_is_real(v)) {
        /* the shortest form that reads back as the same double: the decimal as written */
        snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
        s = buf;
    }
    cb_i128 e18 = 0;
    if (!s || !decimal_e18(s, &e18)) {
        shown(v, sh, sizeof sh);
        err_set(e, json_is_string(v) || json_is_number(v) ? REJ_BAD_VALUE : REJ_BAD_TYPE, path,
                "expected a decimal amount, got %s", sh);
        return false;
    }
    cb_i128 limit = (cb_i128)1000000000000000000 * 1000000000000; /* 10^12 units */
    if (e18 > limit || e18 < -limit) {
        shown(v, sh, sizeof sh);
        err_set(e, REJ_TOO_LARGE, path, "%s is above 10^12", sh);
        return false;
    }
    if (e18 < 0 && !signed_ok) {
        shown(v, sh, sizeof sh);
        err_set(e, REJ_NEGATIVE, path, "expected a non-negative amount, got %s", sh);
        return false;
    }
    /* e18 is in 10^-18 units: pico = e18 * scale_pico / 10^18, rounded once */
    *out = money_div_round(e18 * (scale_pico / 1000000), (cb_i128)1000000000000);
    return true;
}

void doc_tag(struct rec_row *row, enum tag t, json_t *v)
{
    if (v && json_is_string(v) && json_string_length(v) > 0) {
        row->tags[t] = json_string_value(v);
        row->tag_len[t] = json_string_length(v);
    }
}

/* Format detection: which reader reads an input, decided from its first bytes (SPEC §2.2). */
#include "records.h"

#include <string.h>

#include <yajl/yajl_parse.h>

struct sniff {
    int depth;
    int item; /* depth of the first item's object: 1 (top object) or 2 (in an array) */
    bool top_array;
    bool data_key, data_array, results, has_more;
    int data_depth;
    bool done;
};

static int sn_value(struct sniff *n)
{
    if (n->depth == n->item && n->data_key)
        n->data_key = false;
    return 1;
}

static int sn_null(void *c)
{
    return sn_value(c);
}

static int sn_bool(void *c, int b)
{
    (void)b;
    return sn_value(c);
}

static int sn_num(void *c, const char *v, size_t l)
{
    (void)v, (void)l;
    return sn_value(c);
}

static int sn_str(void *c, const unsigned char *v, size_t l)
{
    (void)v, (void)l;
    return sn_value(c);
}

static int sn_start(void *c, bool map)
{
    struct sniff *n = c;
    if (n->depth == 0 && !map)
        n->top_array = true;
    if (n->depth == n->item && n->data_key && !map) {
        n->data_array = true;
        n->data_depth = n->depth + 1;
    }
    n->data_key = false;
    n->depth++;
    if (n->depth < n->item && map)
        return 0; /* the first item is not an object: not a page */
    if (n->depth == n->item && !map)
        return 0;
    return 1;
}

static int sn_start_map(void *c)
{
    return sn_start(c, true);
}

static int sn_start_array(void *c)
{
    return sn_start(c, false);
}

static int sn_key(void *c, const unsigned char *k, size_t l)
{
    struct sniff *n = c;
    if (n->depth == n->item) {
        n->data_key = l == 4 && memcmp(k, "data", 4) == 0;
        if (l == 8 && memcmp(k, "has_more", 8) == 0)
            n->has_more = true;
    } else if (n->data_array && n->depth == n->data_depth + 1 && l == 7 &&
               memcmp(k, "results", 7) == 0)
        n->results = true;
    if (n->data_array && (n->results || n->has_more))
        return 0; /* decided */
    return 1;
}

static int sn_end(void *c)
{
    struct sniff *n = c;
    n->depth--;
    if (n->depth < n->item) {
        n->done = true;
        return 0;
    }
    return 1;
}

static const yajl_callbacks sniff_callbacks = {
    .yajl_null = sn_null,
    .yajl_boolean = sn_bool,
    .yajl_number = sn_num,
    .yajl_string = sn_str,
    .yajl_start_map = sn_start_map,
    .yajl_map_key = sn_key,
    .yajl_end_map = sn_end,
    .yajl_start_array = sn_start_array,
    .yajl_end_array = sn_end,
};

/* Fills the sniff from the start of an input (see rec_detect). */
static void sniff_input(const char *buf, size_t len, bool eof, struct rec_sniff *out)
{
    *out = (struct rec_sniff){0};
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= len)
        return;
    out->first = buf[i];
    if (buf[i] != '{' && buf[i] != '[')
        return;
    struct sniff n = {.item = buf[i] == '[' ? 2 : 1};
    size_t scan = len - i < REC_LINE_MAX ? len - i : REC_LINE_MAX;
    yajl_handle h = yajl_alloc(&sniff_callbacks, NULL, &n);
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_parse(h, (const unsigned char *)buf + i, scan);
    yajl_free(h);
    out->page = n.data_array && (n.results || n.has_more);
    if (buf[i] == '[' || out->page)
        return;
    /* an object: JSON Lines when the first line holds a whole value */
    const char *nl = memchr(buf + i, '\n', len - i);
    if (!nl && !eof && len - i >= REC_LINE_MAX) {
        out->line_whole = true; /* a first line too long to judge: rejected as such */
        return;
    }
    size_t line_len = nl ? (size_t)(nl - (buf + i)) : len - i;
    struct sniff m = {.item = 1};
    h = yajl_alloc(&sniff_callbacks, NULL, &m);
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)buf + i, line_len);
    bool whole = m.done || (st == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok);
    bool broken = st == yajl_status_error;
    yajl_free(h);
    out->line_whole = whole || broken || (!nl && eof);
}

const struct rec_reader *rec_detect_reader(const char *buf, size_t len, bool eof)
{
    struct rec_sniff s;
    sniff_input(buf, len, eof, &s);
    for (size_t k = 0; k < rec_reader_count; k++)
        if (rec_readers[k].detect(&s))
            return &rec_readers[k];
    return &rec_readers[rec_reader_count - 1]; /* not reached: JSON Lines takes anything */
}

enum rec_format rec_detect(const char *buf, size_t len, bool eof)
{
    return rec_detect_reader(buf, len, eof)->format;
}

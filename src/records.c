#include "records.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_parse.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "attribute.h"
#include "read_doc.h"
#include "date.h"
#include "utf8.h"
#include "xalloc.h"

void rec_batch_reset(struct rec_batch *b)
{
    b->n_recs = b->n_rejs = b->n_costs = b->n_notes = 0;
    b->lines = 0;
    b->not_requests = 0;
    rec_arena_reset(&b->arena);
}

void rec_batch_free(struct rec_batch *b)
{
    if (!b)
        return;
    free(b->recs);
    free(b->rejs);
    free(b->costs);
    free(b->notes);
    rec_arena_free(&b->arena);
    memset(b, 0, sizeof *b);
}

/* Test hook: true when two batches hold the same records and rejections, field by field. */
bool rec_batch_same(const struct rec_batch *a, const struct rec_batch *b)
{
    if (a->n_recs != b->n_recs || a->n_rejs != b->n_rejs || a->lines != b->lines)
        return false;
    for (size_t i = 0; i < a->n_recs; i++) {
        const struct record *x = &a->recs[i], *y = &b->recs[i];
        for (int t = 0; t < TAG_COUNT; t++)
            if (!x->tags[t] != !y->tags[t] ||
                (x->tags[t] && (x->tag_len[t] != y->tag_len[t] ||
                                memcmp(x->tags[t], y->tags[t], x->tag_len[t]) != 0)))
                return false;
        if (x->shared_index != y->shared_index || x->price != y->price || x->batch != y->batch ||
            x->year != y->year || x->month != y->month || x->day != y->day ||
            x->requests != y->requests || memcmp(x->tokens, y->tokens, sizeof x->tokens) != 0 ||
            x->web_search != y->web_search || x->skill != y->skill || x->mcp != y->mcp ||
            x->has_id != y->has_id || memcmp(x->id_hash, y->id_hash, sizeof x->id_hash) != 0 ||
            x->band != y->band || x->speed != y->speed || x->geo != y->geo ||
            x->long_unflagged != y->long_unflagged || x->cache_write_rest != y->cache_write_rest)
            return false;
    }
    for (size_t i = 0; i < a->n_rejs; i++) {
        const struct rec_reject *x = &a->rejs[i], *y = &b->rejs[i];
        if (x->reason != y->reason || x->line != y->line || x->element != y->element ||
            strcmp(x->message, y->message) != 0 || x->text_len != y->text_len ||
            memcmp(x->text, y->text, x->text_len) != 0 || x->text_cut != y->text_cut)
            return false;
    }
    return true;
}

/* ---- fields ---- */

enum fid {
    F_NONE,
    F_REQUEST_ID,
    F_TIMESTAMP,
    F_DATE,
    F_MODEL,
    F_TAGS,
    F_METADATA,
    F_USAGE,
    F_CACHE_CREATION,
    F_SERVER_TOOL_USE,
    F_BATCH,
    F_SERVICE_TIER,
    F_SPEED,
    F_GEO,
    F_LONG_PROMPT,
    F_CONTEXT_WINDOW,
    F_INPUT, /* count fields from here to F_MCP, in slot order */
    F_OUTPUT,
    F_CACHE_READ,
    F_CC_TOTAL,
    F_EPH5M,
    F_EPH1H,
    F_WEB,
    F_REQUESTS,
    F_SKILL,
    F_MCP,
    F_UNCACHED,
    F_STARTING_AT,
    F_RESULTS,
    F_DATA,
    F_HAS_MORE,
    F_TAG0,
    F_COUNT = F_TAG0 + TAG_COUNT
};

enum {
    S_INPUT,
    S_OUTPUT,
    S_CACHE_READ,
    S_CC_TOTAL,
    S_EPH5M,
    S_EPH1H,
    S_WEB,
    S_REQUESTS,
    S_SKILL,
    S_MCP,
    S_COUNT
};

static const char *const field_names[F_TAG0] = {
    "",
    "request_id",
    "timestamp",
    "date",
    "model",
    "tags",
    "metadata",
    "usage",
    "cache_creation",
    "server_tool_use",
    "batch",
    "service_tier",
    "speed",
    "inference_geo",
    "long_prompt",
    "context_window",
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "ephemeral_5m_input_tokens",
    "ephemeral_1h_input_tokens",
    "web_search_requests",
    "requests",
    "skill_invocations",
    "mcp_operations",
    "uncached_input_tokens",
    "starting_at",
    "results",
    "data",
    "has_more",
};

/* Containers: what an open object or array is. */
enum ct {
    CT_RECORD,
    CT_USAGE,
    CT_TAGS,
    CT_METADATA,
    CT_CACHE_CREATION,
    CT_SERVER_TOOL_USE,
    CT_RESULT, /* an Admin API result: a record */
    CT_TOP_ARRAY,
    CT_PAGE,
    CT_DATA,
    CT_BUCKET,
    CT_RESULTS,
    CT_COUNT
};

#define BIT(f) ((uint64_t)1 << (f))
#define COUNT_BITS                                                                                 \
    (BIT(F_INPUT) | BIT(F_OUTPUT) | BIT(F_CACHE_READ) | BIT(F_CC_TOTAL) | BIT(F_WEB) |             \
     BIT(F_REQUESTS) | BIT(F_SKILL) | BIT(F_MCP))
#define TAG_BITS (((BIT(TAG_COUNT) - 1)) << F_TAG0)

/* Which keys mean something in which container; everything else is ignored. */
static const uint64_t allowed[CT_COUNT] = {
    [CT_RECORD] = BIT(F_REQUEST_ID) | BIT(F_TIMESTAMP) | BIT(F_DATE) | BIT(F_MODEL) | BIT(F_TAGS) |
                  BIT(F_METADATA) | BIT(F_USAGE) | BIT(F_CACHE_CREATION) | BIT(F_SERVER_TOOL_USE) |
                  BIT(F_BATCH) | BIT(F_SERVICE_TIER) | BIT(F_SPEED) | BIT(F_GEO) |
                  BIT(F_LONG_PROMPT) | COUNT_BITS | TAG_BITS,
    [CT_USAGE] = COUNT_BITS | BIT(F_CACHE_CREATION) | BIT(F_SERVER_TOOL_USE) | BIT(F_SERVICE_TIER) |
                 BIT(F_SPEED) | BIT(F_GEO),
    [CT_TAGS] = TAG_BITS,
    [CT_METADATA] = TAG_BITS,
    [CT_CACHE_CREATION] = BIT(F_EPH5M) | BIT(F_EPH1H),
    [CT_SERVER_TOOL_USE] = BIT(F_WEB),
    [CT_RESULT] = BIT(F_UNCACHED) | BIT(F_OUTPUT) | BIT(F_CACHE_READ) | BIT(F_CACHE_CREATION) |
                  BIT(F_SERVER_TOOL_USE) | BIT(F_SERVICE_TIER) | BIT(F_MODEL) | BIT(F_SPEED) |
                  BIT(F_GEO) | BIT(F_CONTEXT_WINDOW) | TAG_BITS,
    [CT_BUCKET] = BIT(F_STARTING_AT) | BIT(F_RESULTS),
    [CT_PAGE] = BIT(F_DATA) | BIT(F_HAS_MORE),
};

static const char *fid_name(enum fid f)
{
    return f >= F_TAG0 ? tag_name((enum tag)(f - F_TAG0)) : field_names[f];
}

/* Key lookup: a small open-addressing table built once, hashed on the length and three bytes
 * (cheap, and collisions only cost a probe). */
#define KEY_SLOTS 256
static uint8_t key_table[KEY_SLOTS];
static const char *key_names[F_COUNT];
static size_t key_lens[F_COUNT];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static unsigned key_hash(const unsigned char *k, size_t n)
{
    return ((unsigned)n * 31u + k[0] * 7u + k[n - 1] * 13u + k[n / 2] * 3u) & (KEY_SLOTS - 1);
}

static void key_table_init(void)
{
    for (int f = F_REQUEST_ID; f < F_COUNT; f++) {
        key_names[f] = fid_name((enum fid)f);
        key_lens[f] = strlen(key_names[f]);
        unsigned h = key_hash((const unsigned char *)key_names[f], key_lens[f]);
        while (key_table[h])
            h = (h + 1) & (KEY_SLOTS - 1);
        key_table[h] = (uint8_t)f;
    }
}

static inline uint64_t load8(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load4(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* memcmp(a, b, n) == 0 for the short texts of keys, without a call into libc: word loads, the
 * last one overlapping the ones before it. */
static inline bool same_bytes(const void *a, const void *b, size_t n)
{
    const char *x = a, *y = b;
    if (n >= 8) {
        uint64_t d = load8(x + n - 8) ^ load8(y + n - 8);
        for (size_t i = 0; i + 8 < n; i += 8)
            d |= load8(x + i) ^ load8(y + i);
        return d == 0;
    }
    if (n >= 4)
        return ((load4(x) ^ load4(y)) | (load4(x + n - 4) ^ load4(y + n - 4))) == 0;
    return memcmp(x, y, n) == 0;
}

static enum fid key_lookup(const unsigned char *k, size_t n)
{
    if (n < 3 || n > 27)
        return F_NONE;
    for (unsigned h = key_hash(k, n);; h = (h + 1) & (KEY_SLOTS - 1)) {
        uint8_t f = key_table[h];
        if (!f)
            return F_NONE;
        if (key_lens[f] == n && same_bytes(key_names[f], k, n))
            return (enum fid)f;
    }
}

/* ---- the SAX state ---- */

#define TS_MAX    64
#define SHAPE_MAX 32

/* One record being read. Buffers are not cleared between records, only the flags. */
struct rstate {
    bool err;
    enum reject_reason reason;
    char msg[640];
    uint32_t have; /* bit per count slot */
    int64_t cnt[S_COUNT];
    bool batch, tier_batch, has_model, has_ts, has_date, has_id;
    uint8_t speed, geo; /* enum price_speed, enum price_geo as written (standard, global) */
    bool long_prompt;   /* "long_prompt": true, or the Admin API's "context_window" 200k-1M */
    size_t model_len, ts_len, date_len;
    char model[REC_STRING_MAX + 1];
    char ts[TS_MAX + 1];
    char date[TS_MAX + 1];
    uint8_t id[16];
    const char *tags[TAG_COUNT];
    uint32_t tag_len[TAG_COUNT];
    uint8_t tag_level[TAG_COUNT]; /* 1 top level, 2 tags, 3 metadata; 0 absent */
    uint16_t tag_set;             /* bit t: tags[t] and tag_level[t] are set */
    bool admin;
    int64_t line, element;
};

/* A record of an Admin API bucket waiting for the bucket's starting_at. */
struct pending {
    size_t rec;        /* index in out->recs */
    const char *model; /* arena */
    int64_t line, element;
    const char *text;
    size_t text_len;
    bool text_cut;
};
#define PENDING_MAX 65536

struct price_memo {
    char model[48];
    size_t len;
    int32_t day;
    const struct price_entry *price;
};

struct sax {
    const struct rec_env *env;
    struct rec_batch *out;
    bool stream;
    enum rec_format fmt;
    int depth;      /* open containers on the stack */
    uint8_t ct[16]; /* structure never nests deeper than this; the rest is skipped */
    int skip;       /* open containers being ignored */
    enum fid key;   /* the pending key in the current object */
    bool record_open;
    int values; /* line mode: top-level values begun on the line */
    bool ascii; /* line mode: the line is pure ASCII, so its strings are valid UTF-8 */
    bool raw;   /* the value comes from fast_line: raw bytes, none below 0x20 (so no NUL) */
    struct rstate r;
    /* stream */
    int64_t line, element;
    const char *piece;
    size_t piece_len;
    char *text; /* the current record's text */
    size_t text_len;
    bool text_cut;
    int record_depth; /* stack depth of the record's container */
    bool page_has_data;
    bool page_has_more;           /* the current page says "has_more": true */
    bool last_has_more;           /* the last page ended saying so */
    int64_t pages;                /* pages ended */
    char last_bucket[TS_MAX + 1]; /* the starting_at of the last bucket read */
    bool bucket_has_start, bucket_start_bad;
    int by, bm, bd;
    char bucket_start[TS_MAX + 1];
    struct pending *pend;
    size_t n_pend, cap_pend;
    uint64_t fed, record_fed, last_cb_fed;
    struct price_memo memo[4]; /* the last models resolved: records repeat a few models */
    unsigned memo_next;
    /* line mode: the keys of the last lines' records, by position (see fast_line) */
    struct shape_key {
        uint8_t len;   /* of text; 0: none yet */
        uint8_t key;   /* what cb_map_key set s->key to for it (an enum fid) */
        char text[46]; /* "name": exactly as it appeared, quotes and colon included */
    } shape[SHAPE_MAX];
};

static const uint8_t id_key[crypto_shorthash_siphashx24_KEYBYTES] = "chargeback/reqid";

/* The 128-bit SipHash-2-4 of a request_id under id_key: the bytes of libsodium's
 * crypto_shorthash_siphashx24 (test_records checks them against it), written out here so that
 * it inlines with the key's words as constants; libsodium's call was 2.5 % of the 1M bench
 * month's CPU. The key is public: the hash spreads ids and names them in 128 bits, it is no
 * defence against ids chosen to collide (a chosen collision still needs about 2^64 tries). */
static inline uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1, v1 = ROTL64(v1, 13), v1 ^= v0, v0 = ROTL64(v0, 32);                              \
        v2 += v3, v3 = ROTL64(v3, 16), v3 ^= v2;                                                   \
        v0 += v3, v3 = ROTL64(v3, 21), v3 ^= v0;                                                   \
        v2 += v1, v1 = ROTL64(v1, 17), v1 ^= v2, v2 = ROTL64(v2, 32);                              \
    } while (0)

static void id_hash(uint8_t out[16], const char *id, size_t n)
{
    const unsigned char *p = (const unsigned char *)id;
    const uint64_t k0 = le64(id_key), k1 = le64(id_key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1 ^ 0xee,
             v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    const unsigned char *end = p + (n & ~(size_t)7);
    for (; p != end; p += 8) {
        uint64_t m = le64(p);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t i = 0; i < (n & 7); i++)
        b |= (uint64_t)p[i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xee;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    uint64_t h = v0 ^ v1 ^ v2 ^ v3;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(h >> (8 * i));
    v1 ^= 0xdd;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    h = v0 ^ v1 ^ v2 ^ v3;
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(h >> (8 * i));
}

/* Formats a shown value ("got ..."): strings quoted and escaped, cut at 40 bytes. */
static void show(char *buf, size_t size, const char *v, size_t n, bool quote)
{
    size_t o = 0;
    if (quote && o + 1 < size)
        buf[o++] = '"';
    size_t i = 0;
    for (; i < n && i < 40 && o + 8 < size; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
        else
            buf[o++] = (char)c;
    }
    if (i < n) {
        while (i > 0 && o > 1 && ((unsigned char)v[i] & 0xC0) == 0x80) {
            i--; /* do not cut inside a UTF-8 sequence */
            o--;
        }
        if (o + 4 < size) {
            memcpy(buf + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
        }
    }
    if (quote && o + 1 < size)
        buf[o++] = '"';
    buf[o < size ? o : size - 1] = '\0';
}

/* The path of a field for messages: "usage.input_tokens", "team", "tags.team". */
static void field_path(const struct sax *s, enum fid f, char *buf, size_t size)
{
    const char *prefix = "";
    if (s->depth > 0) {
        switch (s->ct[s->depth - 1]) {
        case CT_USAGE: prefix = "usage."; break;
        case CT_TAGS: prefix = "tags."; break;
        case CT_METADATA: prefix = "metadata."; break;
        case CT_CACHE_CREATION: prefix = "cache_creation."; break;
        case CT_SERVER_TOOL_USE: prefix = "server_tool_use."; break;
        default: break;
        }
    }
    snprintf(buf, size, "%s%s", prefix, fid_name(f));
}

/* Records the record's first problem (later ones are ignored: one reason per record). Parsing
 * goes on to the end of the record, so the parser stays in step. Returns 1 for yajl. */
static int fail(struct sax *s, enum reject_reason reason, enum fid f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct sax *s, enum reject_reason reason, enum fid f, const char *fmt, ...)
{
    struct rstate *r = &s->r;
    if (!r->err) {
        r->err = true;
        r->reason = reason;
        size_t o = 0;
        if (f != F_NONE) {
            char path[80];
            field_path(s, f, path, sizeof path);
            o = (size_t)snprintf(r->msg, sizeof r->msg, "\"%s\": ", path);
        }
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg + o, sizeof r->msg - o, fmt, ap);
        va_end(ap);
    }
    return 1;
}

static void record_begin(struct sax *s, bool admin)
{
    struct rstate *r = &s->r;
    r->err = false;
    r->have = 0;
    r->batch = r->tier_batch = r->has_model = r->has_ts = r->has_date = r->has_id = false;
    r->speed = SPEED_STANDARD;
    r->geo = GEO_GLOBAL;
    r->long_prompt = false;
    /* only the tags the last record set: the two memsets of all 13 became a `rep stos`, whose
     * start-up cost more than the rest of this function (2.6 % of the 1M bench month's CPU) */
    for (unsigned m = r->tag_set; m; m &= m - 1) {
        int t = __builtin_ctz(m);
        r->tags[t] = NULL;
        r->tag_level[t] = 0;
    }
    r->tag_set = 0;
    r->admin = admin;
    r->line = s->line;
    r->element = s->stream ? ++s->element : 0;
    s->record_open = true;
    if (s->stream) {
        s->record_fed = s->fed;
        s->text_len = 0;
        s->text_cut = false;
        size_t n = s->piece_len < REC_TEXT_MAX ? s->piece_len : REC_TEXT_MAX;
        if (n > 0)
            memcpy(s->text, s->piece, n);
        s->text_len = n;
        s->text_cut = n < s->piece_len;
    }
}

static void push_reject(struct sax *s, const char *text, size_t text_len, bool cut)
{
    struct rec_batch *b = s->out;
    if (b->n_rejs == b->cap_rejs) {
        b->cap_rejs = b->cap_rejs ? 2 * b->cap_rejs : 64;
        b->rejs = xreallocarray(b->rejs, b->cap_rejs, sizeof *b->rejs);
    }
    struct rec_reject *j = &b->rejs[b->n_rejs++];
    j->reason = s->r.reason;
    j->line = s->r.line;
    j->element = s->r.element;
    j->message = rec_arena_strdup(&b->arena, s->r.msg, strlen(s->r.msg));
    j->text = rec_arena_strdup(&b->arena, text, text_len);
    j->text_len = text_len;
    j->text_cut = cut;
}

static struct record *new_record(struct rec_batch *b)
{
    if (b->n_recs == b->cap_recs) {
        b->cap_recs = b->cap_recs ? 2 * b->cap_recs : 1024;
        b->recs = xreallocarray(b->recs, b->cap_recs, sizeof *b->recs);
    }
    return &b->recs[b->n_recs++];
}

/* Fills the record from the state, except price and date. */
static void fill_record(const struct rstate *r, struct record *rec)
{
    memcpy(rec->tags, r->tags, sizeof rec->tags);
    memcpy(rec->tag_len, r->tag_len, sizeof rec->tag_len);
    for (int t = 0; t < TAG_COUNT; t++)
        if (!rec->tags[t])
            rec->tag_len[t] = 0;
    rec->batch = r->batch || r->tier_batch;
    rec->speed = r->speed;
    rec->geo = r->geo;
    rec->band = r->long_prompt ? BAND_LONG : BAND_STANDARD;
    rec->long_unflagged = false;
    rec->per_day = false;
    rec->cache_write_rest = 0;
    rec->requests = (r->have & (1u << S_REQUESTS)) ? r->cnt[S_REQUESTS] : 1;
#define GET(slot) ((r->have & (1u << (slot))) ? r->cnt[slot] : 0)
    rec->tokens[TOK_INPUT] = GET(S_INPUT);
    rec->tokens[TOK_OUTPUT] = GET(S_OUTPUT);
    rec->tokens[TOK_CACHE_READ] = GET(S_CACHE_READ);
    if (r->have & ((1u << S_EPH5M) | (1u << S_EPH1H))) {
        rec->tokens[TOK_CACHE_WRITE_5M] = GET(S_EPH5M);
        rec->tokens[TOK_CACHE_WRITE_1H] = GET(S_EPH1H);
        /* the split names fewer tokens than the total: the rest are written for 5 minutes, the
         * API's default (counts are at most 10^12 each, so these sums cannot overflow) */
        int64_t split = rec->tokens[TOK_CACHE_WRITE_5M] + rec->tokens[TOK_CACHE_WRITE_1H];
        if (GET(S_CC_TOTAL) > split) {
            rec->cache_write_rest = GET(S_CC_TOTAL) - split;
            rec->tokens[TOK_CACHE_WRITE_5M] += rec->cache_write_rest;
        }
    } else {
        rec->tokens[TOK_CACHE_WRITE_5M] = GET(S_CC_TOTAL);
        rec->tokens[TOK_CACHE_WRITE_1H] = 0;
    }
    rec->web_search = GET(S_WEB);
    rec->skill = GET(S_SKILL);
    rec->mcp = GET(S_MCP);
#undef GET
    rec->has_reported = false;
    rec->reported_pico = 0;
    memset(&rec->metrics, 0, sizeof rec->metrics);
    rec->has_id = r->has_id;
    if (r->has_id)
        memcpy(rec->id_hash, r->id, sizeof rec->id_hash);
    else
        memset(rec->id_hash, 0, sizeof rec->id_hash);
}

/* Settles the record's price variant (SPEC §3): the long-prompt band of one request from its
 * prompt, of a pre-aggregated row from "long_prompt"; fast mode and US-only inference only where
 * the entry prices them. False (with the reason set) when the entry does not price the variant:
 * such a record is never billed as standard. */
static bool price_variant(struct sax *s, struct record *rec)
{
    const struct price_entry *e = rec->price;
    const char *day = e->effective_from[0] ? " from " : "";
    int64_t prompt = rec->tokens[TOK_INPUT] + rec->tokens[TOK_CACHE_READ] +
                     rec->tokens[TOK_CACHE_WRITE_5M] + rec->tokens[TOK_CACHE_WRITE_1H];
    /* a model without a long-prompt band bills its whole context window at one rate (the
     * provider's 1M-token windows of Opus 4.6 and Sonnet 4.6 are priced so), so a long prompt
     * there is simply standard */
    if (rec->band == BAND_LONG && e->long_above <= 0)
        rec->band = BAND_STANDARD;
    else if (rec->band == BAND_STANDARD && e->long_above > 0 && !rec->per_day) {
        if (rec->requests == 1)
            rec->band = (uint8_t)price_band_of(e, prompt);
        else
            rec->long_unflagged = prompt / rec->requests > e->long_above;
    }
    if (rec->speed == SPEED_FAST && e->speed_fast_e3 <= 0) {
        fail(s, REJ_NOT_PRICED, F_SPEED, "%s%s%s is not priced for fast mode in the price book",
             e->model, day, e->effective_from);
        return false;
    }
    if (rec->geo == GEO_US && e->geo_us_e3 <= 0) {
        fail(s, REJ_NOT_PRICED, F_GEO,
             "%s%s%s is not priced for US-only inference in the price book", e->model, day,
             e->effective_from);
        return false;
    }
    return true;
}

/* Resolves the price on a date and attributes; false (with the reason set) when unknown. */
static bool price_and_attribute(struct sax *s, struct record *rec, const char *model,
                                size_t model_len, int y, int m, int d)
{
    rec->year = y, rec->month = m, rec->day = d;
    int32_t day = y * 10000 + m * 100 + d;
    rec->price = NULL;
    for (int i = 0; i < 4; i++) {
        const struct price_memo *c = &s->memo[i];
        if (c->price && c->len == model_len && c->day == day &&
            memcmp(c->model, model, model_len) == 0) {
            rec->price = c->price;
            break;
        }
    }
    if (!rec->price) {
        rec->price = price_book_resolve(s->env->prices, model, day);
        if (rec->price && model_len < sizeof s->memo[0].model) {
            struct price_memo *c = &s->memo[s->memo_next++ & 3];
            memcpy(c->model, model, model_len);
            c->len = model_len;
            c->day = day;
            c->price = rec->price;
        }
    }
    if (!rec->price) {
        char shown[200];
        show(shown, sizeof shown, model, model_len, true);
        fail(s, REJ_UNKNOWN_MODEL, F_MODEL,
             "unknown model %s (not in the price book on %04d-%02d-%02d)", shown, y, m, d);
        return false;
    }
    return price_variant(s, rec) && (attribute_apply(s->env->config, rec), true);
}

/* The record is complete (its object ended, or its line did): one record or one rejection. */
static void record_end(struct sax *s, const char *text, size_t text_len, bool cut)
{
    struct rstate *r = &s->r;
    s->record_open = false;
    if (!r->err) {
        if (r->admin) {
            if (!r->has_model)
                fail(s, REJ_MISSING_FIELD, F_MODEL,
                     "missing: an Admin API result without a model cannot be priced");
            else if (!(r->have & (1u << S_INPUT)))
                fail(s, REJ_MISSING_FIELD, F_UNCACHED, "missing");
            else if (!(r->have & (1u << S_OUTPUT)))
                fail(s, REJ_MISSING_FIELD, F_OUTPUT, "missing");
        } else if (!r->has_ts && !r->has_date)
            fail(s, REJ_MISSING_FIELD, F_TIMESTAMP,
                 "missing (a record needs \"timestamp\", or \"date\" for a pre-aggregated row)");
        else if (!r->has_model)
            fail(s, REJ_MISSING_FIELD, F_MODEL, "missing");
        else if (!(r->have & (1u << S_INPUT)))
            fail(s, REJ_MISSING_FIELD, F_INPUT, "missing");
        else if (!(r->have & (1u << S_OUTPUT)))
            fail(s, REJ_MISSING_FIELD, F_OUTPUT, "missing");
    }
    int y = 0, m = 0, d = 0;
    if (!r->err && !r->admin) {
        bool ok = r->has_ts ? date_parse_timestamp(r->ts, r->ts_len, false, &y, &m, &d)
                            : date_parse_timestamp(r->date, r->date_len, true, &y, &m, &d);
        if (!ok) {
            char shown[200];
            if (r->has_ts) {
                show(shown, sizeof shown, r->ts, r->ts_len, true);
                fail(s, REJ_BAD_TIMESTAMP, F_TIMESTAMP,
                     "expected an RFC 3339 time such as 2026-10-14T09:30:00Z, got %s", shown);
            } else {
                show(shown, sizeof shown, r->date, r->date_len, true);
                fail(s, REJ_BAD_TIMESTAMP, F_DATE, "expected a date YYYY-MM-DD, got %s", shown);
            }
        }
    }
    if (!r->err && r->admin && s->bucket_has_start && s->bucket_start_bad) {
        char shown[200];
        show(shown, sizeof shown, s->bucket_start, strlen(s->bucket_start), true);
        fail(s, REJ_BAD_TIMESTAMP, F_STARTING_AT, "the bucket's start is not an RFC 3339 time: %s",
             shown);
    }
    if (r->err) {
        push_reject(s, text, text_len, cut);
        return;
    }
    struct rec_batch *b = s->out;
    if (r->admin && (!s->bucket_has_start || s->n_pend > 0)) {
        if (s->n_pend >= PENDING_MAX) {
            fail(s, REJ_TOO_LONG, F_NONE,
                 "an Admin API bucket holds more than %d results before its \"starting_at\"",
                 PENDING_MAX);
            push_reject(s, text, text_len, cut);
            return;
        }
        struct record *rec = new_record(b);
        fill_record(r, rec);
        if (s->n_pend == s->cap_pend) {
            s->cap_pend = s->cap_pend ? 2 * s->cap_pend : 64;
            s->pend = xreallocarray(s->pend, s->cap_pend, sizeof *s->pend);
        }
        struct pending *p = &s->pend[s->n_pend++];
        p->rec = b->n_recs - 1;
        p->model = rec_arena_strdup(&b->arena, r->model, r->model_len);
        p->line = r->line;
        p->element = r->element;
        p->text = rec_arena_strdup(&b->arena, text, text_len);
        p->text_len = text_len;
        p->text_cut = cut;
        return;
    }
    if (r->admin)
        y = s->by, m = s->bm, d = s->bd;
    struct record *rec = new_record(b);
    fill_record(r, rec);
    if (!price_and_attribute(s, rec, r->model, r->model_len, y, m, d)) {
        b->n_recs--;
        push_reject(s, text, text_len, cut);
    }
}

/* An Admin API bucket ended: its waiting results get its date (or are rejected). */
static void bucket_end(struct sax *s)
{
    struct rec_batch *b = s->out;
    size_t keep = s->n_pend ? s->pend[0].rec : b->n_recs;
    for (size_t i = 0; i < s->n_pend; i++) {
        struct pending *p = &s->pend[i];
        struct record tmp = b->recs[p->rec];
        s->r.err = false;
        s->r.line = p->line;
        s->r.element = p->element;
        bool ok = false;
        if (!s->bucket_has_start)
            fail(s, REJ_MISSING_FIELD, F_STARTING_AT, "missing: the result's bucket has no start");
        else if (s->bucket_start_bad) {
            char shown[200];
            show(shown, sizeof shown, s->bucket_start, strlen(s->bucket_start), true);
            fail(s, REJ_BAD_TIMESTAMP, F_STARTING_AT,
                 "the bucket's start is not an RFC 3339 time: %s", shown);
        } else
            ok = price_and_attribute(s, &tmp, p->model, strlen(p->model), s->by, s->bm, s->bd);
        if (ok)
            b->recs[keep++] = tmp;
        else
            push_reject(s, p->text, p->text_len, p->text_cut);
    }
    if (s->n_pend)
        b->n_recs = keep;
    s->n_pend = 0;
    s->bucket_has_start = false;
}

/* Parses a count (the raw number text). */
static int take_count(struct sax *s, enum fid f, const char *t, size_t n)
{
    if (n >= 1 && n <= 12 && t[0] >= '1' - (f != F_REQUESTS) && t[0] <= '9') {
        /* the usual case, a plain count below 10^12 (and for requests at least 1): one pass */
        int64_t v = 0;
        size_t k = 0;
        while (k < n && t[k] >= '0' && t[k] <= '9')
            v = v * 10 + (t[k++] - '0');
        if (k == n) {
            int slot = f == F_UNCACHED ? S_INPUT : (int)(f - F_INPUT);
            s->r.cnt[slot] = v;
            s->r.have |= 1u << slot;
            return 1;
        }
    }
    bool neg = n > 0 && t[0] == '-';
    size_t i = neg ? 1 : 0, int_start = i;
    while (i < n && t[i] >= '0' && t[i] <= '9')
        i++;
    size_t int_end = i;
    bool frac = i < n; /* a '.', 'e' or 'E' follows */
    bool nonzero = false;
    for (size_t k = int_start; k < n; k++) {
        if (t[k] == 'e' || t[k] == 'E')
            break;
        if (t[k] >= '1' && t[k] <= '9')
            nonzero = true;
    }
    bool at_least_one = f == F_REQUESTS;
    char shown[64];
    if ((neg && nonzero) || frac || int_end - int_start > 12 || (at_least_one && !nonzero))
        show(shown, sizeof shown, t, n, false);
    if (neg && nonzero)
        return fail(s, REJ_NEGATIVE, f, "expected %s, got %s",
                    at_least_one ? "an integer of at least 1" : "a non-negative integer", shown);
    if (frac)
        return fail(s, REJ_NOT_INTEGER, f, "expected a whole number, got %s", shown);
    int64_t v = 0;
    if (int_end - int_start > 13)
        return fail(s, REJ_TOO_LARGE, f, "%s is above the limit of 10^12", shown);
    for (size_t k = int_start; k < int_end; k++)
        v = v * 10 + (t[k] - '0');
    if (v > 1000000000000LL)
        return fail(s, REJ_TOO_LARGE, f, "%s is above the limit of 10^12", shown);
    if (at_least_one && v < 1)
        return fail(s, REJ_NEGATIVE, f, "expected an integer of at least 1, got %s", shown);
    int slot = f == F_UNCACHED ? S_INPUT : (int)(f - F_INPUT);
    s->r.cnt[slot] = v;
    s->r.have |= 1u << slot;
    return 1;
}

enum vtype { V_NULL, V_BOOL, V_NUM, V_STR, V_MAP, V_ARRAY };

static void show_any(char *buf, size_t size, enum vtype t, const char *v, size_t n)
{
    switch (t) {
    case V_NULL: snprintf(buf, size, "null"); break;
    case V_BOOL: snprintf(buf, size, "%s", n ? "true" : "false"); break;
    case V_NUM: show(buf, size, v, n, false); break;
    case V_STR: show(buf, size, v, n, true); break;
    case V_MAP: snprintf(buf, size, "an object"); break;
    case V_ARRAY: snprintf(buf, size, "an array"); break;
    }
}

static int wrong_type(struct sax *s, enum fid f, const char *want, enum vtype t, const char *v,
                      size_t n)
{
    char shown[64];
    show_any(shown, sizeof shown, t, v, n);
    return fail(s, REJ_BAD_TYPE, f, "expected %s, got %s", want, shown);
}

static int push(struct sax *s, enum ct c)
{
    s->ct[s->depth++] = (uint8_t)c;
    s->key = F_NONE;
    return 1;
}

/* Starts ignoring a container (or rejects the record when nesting passes the cap). */
static int start_skip(struct sax *s)
{
    s->skip++;
    if (s->record_open && s->depth + s->skip > REC_DEPTH_MAX)
        return fail(s, REJ_TOO_LONG, F_NONE, "JSON nested deeper than %d levels", REC_DEPTH_MAX);
    return 1;
}

/* A string value for a string field of a record. */
static int take_modifier(struct sax *s, enum fid f, const char *v, size_t n);

static int take_string(struct sax *s, enum fid f, const char *v, size_t n)
{
    struct rstate *r = &s->r;
    if (f == F_SERVICE_TIER || f == F_SPEED || f == F_GEO || f == F_CONTEXT_WINDOW)
        return take_modifier(s, f, v, n);
    if (n > REC_STRING_MAX) {
        char shown[64];
        show(shown, sizeof shown, v, n, true);
        return fail(s, REJ_TOO_LONG, f, "%zu bytes, above the limit of %d: %s", n, REC_STRING_MAX,
                    shown);
    }
    /* only yajl's decoding of "\u0000" can put a NUL here */
    if (!s->raw && memchr(v, '\0', n))
        return fail(s, REJ_BAD_UTF8, f, "contains a NUL character (\\u0000)");
    switch (f) {
    case F_REQUEST_ID: /* an empty id is no id, as an empty tag is no tag */
        if (n == 0)
            return 1;
        id_hash(r->id, v, n);
        r->has_id = true;
        return 1;
    case F_MODEL:
        memcpy(r->model, v, n);
        r->model[n] = '\0';
        r->model_len = n;
        r->has_model = true;
        return 1;
    case F_TIMESTAMP:
    case F_DATE: {
        char *dst = f == F_TIMESTAMP ? r->ts : r->date;
        size_t k = n < TS_MAX ? n : TS_MAX;
        memcpy(dst, v, k);
        dst[k] = '\0';
        if (f == F_TIMESTAMP) {
            r->ts_len = n > TS_MAX ? TS_MAX + 1 : n; /* too long never parses */
            r->has_ts = true;
        } else {
            r->date_len = n > TS_MAX ? TS_MAX + 1 : n;
            r->has_date = true;
        }
        return 1;
    }
    default: break;
    }
    /* a tag: the top level wins over "tags", which wins over "metadata"; empty means absent */
    int t = (int)(f - F_TAG0);
    uint8_t level = 1;
    if (s->depth > 0 && s->ct[s->depth - 1] == CT_TAGS)
        level = 2;
    else if (s->depth > 0 && s->ct[s->depth - 1] == CT_METADATA)
        level = 3;
    if (n == 0 || (r->tag_level[t] && r->tag_level[t] <= level))
        return 1;
    r->tags[t] = rec_arena_strdup(&s->out->arena, v, n);
    r->tag_len[t] = (uint32_t)n; /* n <= REC_STRING_MAX */
    r->tag_level[t] = level;
    r->tag_set |= (uint16_t)(1u << t);
    return 1;
}

static bool word_is(const char *v, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(v, w, n) == 0;
}

/* service_tier, speed, inference_geo, context_window: one of the documented values, or the
 * record is rejected naming the field (an unknown value is never priced as standard). */
static int take_modifier(struct sax *s, enum fid f, const char *v, size_t n)
{
    struct rstate *r = &s->r;
    bool ok = true;
    if (f == F_SERVICE_TIER) {
        r->tier_batch = word_is(v, n, "batch");
        ok = r->tier_batch || word_is(v, n, "standard");
    } else if (f == F_SPEED) {
        enum price_speed sp;
        if ((ok = price_speed_parse(v, n, &sp)))
            r->speed = (uint8_t)sp;
    } else if (f == F_GEO) {
        enum price_geo g;
        if ((ok = price_geo_parse(v, n, &g)))
            r->geo = (uint8_t)g;
    } else {
        /* the Admin API's context-window buckets: 200k-1M holds the prompts above 200,000 */
        if (word_is(v, n, "200k-1M") || word_is(v, n, "200k-1m"))
            r->long_prompt = true;
        else
            ok = word_is(v, n, "0-200k");
    }
    if (ok)
        return 1;
    static const char *const want[] = {"\"standard\" or \"batch\"", "\"standard\" or \"fast\"",
                                       "\"global\", \"us\" or \"not_available\"",
                                       "\"0-200k\" or \"200k-1M\""};
    char shown[200];
    show(shown, sizeof shown, v, n, true);
    return fail(s, REJ_BAD_VALUE, f, "expected %s, got %s",
                want[f == F_SERVICE_TIER ? 0
                     : f == F_SPEED      ? 1
                     : f == F_GEO        ? 2
                                         : 3],
                shown);
}

/* A value (or the start of a container) in a record's object. */
static int record_value(struct sax *s, enum vtype t, const char *v, size_t n)
{
    enum fid f = s->key;
    s->key = F_NONE;
    bool container = t == V_MAP || t == V_ARRAY;
    if (f == F_NONE)
        return container ? start_skip(s) : 1;
    int rc = 1;
    switch (f) {
    case F_TAGS:
    case F_METADATA:
    case F_USAGE:
    case F_CACHE_CREATION:
    case F_SERVER_TOOL_USE:
        if (t == V_MAP)
            return push(s, f == F_TAGS             ? CT_TAGS
                           : f == F_METADATA       ? CT_METADATA
                           : f == F_USAGE          ? CT_USAGE
                           : f == F_CACHE_CREATION ? CT_CACHE_CREATION
                                                   : CT_SERVER_TOOL_USE);
        if (t != V_NULL)
            rc = wrong_type(s, f, "an object", t, v, n);
        break;
    case F_BATCH:
        if (t == V_BOOL)
            s->r.batch = n != 0;
        else if (t != V_NULL)
            rc = wrong_type(s, f, "true or false", t, v, n);
        break;
    case F_LONG_PROMPT:
        if (t == V_BOOL)
            s->r.long_prompt = n != 0;
        else if (t != V_NULL)
            rc = wrong_type(s, f, "true or false", t, v, n);
        break;
    default:
        if (f >= F_INPUT && f <= F_UNCACHED) {
            if (t == V_NUM)
                return take_count(s, f, v, n);
            bool required = f == F_INPUT || f == F_OUTPUT || f == F_UNCACHED;
            if (t != V_NULL || required)
                rc = wrong_type(
                    s, f, f == F_REQUESTS ? "an integer of at least 1" : "a non-negative integer",
                    t, v, n);
        } else {
            if (t == V_STR)
                return take_string(s, f, v, n);
            if (t != V_NULL)
                rc = wrong_type(s, f, "a string", t, v, n);
        }
        break;
    }
    if (container && rc)
        return start_skip(s);
    if (container)
        s->skip++;
    return rc;
}

/* A non-object where a record should be: one rejection. */
/* A stream value rejected as one record (its rejection begun and failed): a scalar ends it
 * now; an object or array ends it with its container, so the rejection stays open until then. */
static int reject_value_end(struct sax *s, enum vtype t)
{
    if (t == V_MAP || t == V_ARRAY) {
        s->skip++;
        s->record_depth = -1;
        return 1;
    }
    record_end(s, s->text, s->text_len, s->text_cut);
    return 1;
}

static int not_object(struct sax *s, enum vtype t, const char *v, size_t n, bool admin_page)
{
    char shown[64];
    show_any(shown, sizeof shown, t, v, n);
    if (!s->stream) {
        fail(s, REJ_NOT_OBJECT, F_NONE, "expected a JSON object, got %s", shown);
        if (t == V_ARRAY)
            s->skip++;
        return 1;
    }
    record_begin(s, false);
    fail(s, REJ_NOT_OBJECT, F_NONE, "expected %s, got %s",
         admin_page ? "an Admin API usage page (an object)" : "a JSON object", shown);
    return reject_value_end(s, t);
}

static int on_value(struct sax *s, enum vtype t, const char *v, size_t n)
{
    s->last_cb_fed = s->fed;
    if (s->skip > 0) {
        if (t == V_MAP || t == V_ARRAY)
            return start_skip(s);
        return 1;
    }
    enum ct c = s->depth > 0 ? (enum ct)s->ct[s->depth - 1] : CT_TOP_ARRAY;
    if (s->depth == 0 && !s->stream) {
        s->values++;
        if (t == V_MAP)
            return push(s, CT_RECORD);
        return not_object(s, t, v, n, false);
    }
    switch (c) {
    case CT_TOP_ARRAY:
        if (t == V_ARRAY && s->depth == 0)
            return push(s, CT_TOP_ARRAY);
        if (t != V_MAP)
            return not_object(s, t, v, n, s->fmt == REC_ADMIN_API);
        if (s->fmt == REC_ADMIN_API) {
            s->page_has_data = s->page_has_more = false;
            return push(s, CT_PAGE);
        }
        record_begin(s, false);
        s->record_depth = s->depth + 1;
        return push(s, CT_RECORD);
    case CT_PAGE:
        if (s->key == F_HAS_MORE) {
            s->page_has_more = t == V_BOOL && n == 1;
            s->key = F_NONE;
            if (t == V_MAP || t == V_ARRAY) /* not a flag: its contents are skipped, so its end
                                               does not close the page */
                s->skip++;
            return 1;
        }
        if (s->key == F_DATA && t == V_ARRAY) {
            s->page_has_data = true;
            return push(s, CT_DATA);
        }
        s->key = F_NONE;
        if (t == V_MAP || t == V_ARRAY)
            s->skip++;
        return 1;
    case CT_DATA:
        if (t == V_MAP) {
            s->bucket_has_start = s->bucket_start_bad = false;
            s->n_pend = 0;
            return push(s, CT_BUCKET);
        }
        if (t == V_ARRAY)
            s->skip++;
        return 1;
    case CT_BUCKET: {
        enum fid f = s->key;
        s->key = F_NONE;
        if (f == F_RESULTS && t == V_ARRAY)
            return push(s, CT_RESULTS);
        if (f == F_RESULTS) {
            /* rows that cannot be read are rejected, never taken for an empty bucket */
            char shown[80];
            show_any(shown, sizeof shown, t, v, n);
            record_begin(s, false);
            fail(s, REJ_BAD_TYPE, F_RESULTS, "expected an array of usage rows, got %s", shown);
            return reject_value_end(s, t);
        }
        if (f == F_STARTING_AT && t == V_STR) {
            size_t k = n < TS_MAX ? n : TS_MAX;
            memcpy(s->bucket_start, v, k);
            s->bucket_start[k] = '\0';
            s->bucket_has_start = true;
            s->bucket_start_bad = n > TS_MAX || memchr(v, '\0', n) ||
                                  !date_parse_timestamp(v, n, false, &s->by, &s->bm, &s->bd);
            return 1;
        }
        if (t == V_MAP || t == V_ARRAY)
            s->skip++;
        return 1;
    }
    case CT_RESULTS:
        if (t != V_MAP)
            return not_object(s, t, v, n, false);
        record_begin(s, true);
        s->record_depth = s->depth + 1;
        return push(s, CT_RESULT);
    default: return record_value(s, t, v, n);
    }
}

static int cb_null(void *ctx)
{
    return on_value(ctx, V_NULL, NULL, 0);
}

static int cb_boolean(void *ctx, int b)
{
    return on_value(ctx, V_BOOL, NULL, b ? 1 : 0);
}

static int cb_number(void *ctx, const char *v, size_t n)
{
    return on_value(ctx, V_NUM, v, n);
}

static int cb_string(void *ctx, const unsigned char *v, size_t n)
{
    struct sax *s = ctx;
    if (s->record_open && !s->ascii && !s->r.err && !utf8_valid(v, n))
        fail(s, REJ_BAD_UTF8, s->skip ? F_NONE : s->key, "invalid UTF-8");
    return on_value(s, V_STR, (const char *)v, n);
}

static int cb_start_map(void *ctx)
{
    return on_value(ctx, V_MAP, NULL, 0);
}

static int cb_start_array(void *ctx)
{
    return on_value(ctx, V_ARRAY, NULL, 0);
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t n)
{
    struct sax *s = ctx;
    s->last_cb_fed = s->fed;
    if (s->skip > 0)
        return 1;
    if (s->record_open && !s->ascii && !s->r.err && !utf8_valid(k, n))
        fail(s, REJ_BAD_UTF8, F_NONE, "invalid UTF-8 in a key");
    enum fid f = key_lookup(k, n);
    enum ct c = (enum ct)s->ct[s->depth - 1];
    s->key = (f != F_NONE && (allowed[c] & BIT(f))) ? f : F_NONE;
    return 1;
}

static int on_end(struct sax *s)
{
    s->last_cb_fed = s->fed;
    if (s->skip > 0) {
        s->skip--;
        if (s->skip == 0 && s->record_open && s->record_depth == -1)
            record_end(s, s->text, s->text_len, s->text_cut);
        return 1;
    }
    enum ct c = (enum ct)s->ct[--s->depth];
    s->key = F_NONE;
    if (!s->stream)
        return 1;
    if ((c == CT_RECORD || c == CT_RESULT) && s->record_open)
        record_end(s, s->text, s->text_len, s->text_cut);
    else if (c == CT_BUCKET) {
        if (s->bucket_has_start)
            memcpy(s->last_bucket, s->bucket_start, sizeof s->last_bucket);
        bucket_end(s);
    } else if (c == CT_PAGE) {
        s->pages++;
        s->last_has_more = s->page_has_more;
    }
    if (c == CT_PAGE && !s->page_has_data) {
        record_begin(s, false); /* a page stands for a record only when it is rejected */
        fail(s, REJ_MISSING_FIELD, F_DATA,
             "missing: not an Admin API usage page (expected \"data\": [buckets])");
        record_end(s, s->text, s->text_len, s->text_cut);
    }
    return 1;
}

static int cb_end(void *ctx)
{
    return on_end(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* Cleans up yajl's error text ("parse error: premature EOF\n" ...) into one line. */
static void yajl_message(yajl_handle h, char *buf, size_t size)
{
    unsigned char *e = yajl_get_error(h, 0, NULL, 0);
    const char *t = e ? (const char *)e : "syntax error";
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' ' || t[n - 1] == '.'))
        n--;
    snprintf(buf, size, "%.*s", (int)(n < 200 ? n : 200), t);
    if (e)
        yajl_free_error(h, e);
}

/* ---- JSON Lines ---- */

/* One yajl handle per parser, fed line after line (multiple values allowed): a line must hold
 * exactly one value and leave the parser between values; anything else rejects the line and
 * starts a fresh handle, so a broken line never affects the next one. */
struct rec_parser {
    struct sax sax;
    yajl_handle h;
    bool slow_only; /* test hook: every line through yajl */
};

struct rec_parser *rec_parser_new(const struct rec_env *env)
{
    pthread_once(&key_once, key_table_init);
    struct rec_parser *p = xcalloc(1, sizeof *p);
    p->sax.env = env;
    p->sax.fmt = REC_JSONL;
    return p;
}

void rec_parser_set_slow_only(struct rec_parser *p, bool on)
{
    p->slow_only = on;
}

void rec_parser_free(struct rec_parser *p)
{
    if (!p)
        return;
    if (p->h)
        yajl_free(p->h);
    free(p);
}

static bool ascii_only(const char *q, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, q + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)q[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

static void reject_line(struct sax *s, enum reject_reason reason, int64_t line, const char *text,
                        size_t n, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void reject_line(struct sax *s, enum reject_reason reason, int64_t line, const char *text,
                        size_t n, const char *fmt, ...)
{
    s->r.err = true;
    s->r.reason = reason;
    s->r.line = line;
    s->r.element = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r.msg, sizeof s->r.msg, fmt, ap);
    va_end(ap);
    bool cut = n > REC_TEXT_MAX;
    push_reject(s, text, cut ? REC_TEXT_MAX : n, cut);
}

/* ---- the fast reader ----
 * Nearly every line of a real month is a flat object of plain strings, integers and booleans.
 * This reader tokenizes such a line itself, finding its end on the way, and drives the same
 * callbacks yajl would, in the same order with the same arguments, so the record it leaves in
 * the SAX state is the one yajl would have left. It gives up on anything it does not handle
 * itself: an escape or a control character in a string, a number outside strict JSON, a syntax
 * error, a line that is not one object, nesting deeper than FAST_DEPTH, a line above
 * REC_LINE_MAX. Giving up happens before the record is finished, so the caller reads the line
 * again the general way (yajl), which also words every error message. tests/unit/test_records.c
 * and the fuzz_lines target check that both ways agree. */

#define FAST_DEPTH 32

static inline uint64_t swar_zero(uint64_t w)
{
    return (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
}

/* Skips the blanks JSON allows inside a line (a '\n' ends the line instead). Most lines have
 * none, so one comparison settles the usual byte. */
static inline const char *fast_ws(const char *p, const char *e)
{
    while (p < e && (unsigned char)*p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* p is just past an opening '"': returns the closing '"', or NULL for a string this reader does
 * not take (an escape, a control character, no end before e). *ascii says whether every byte of
 * the string is below 0x80 (then it is valid UTF-8 without looking further). */
static inline const char *fast_string_end(const char *p, const char *e, bool *ascii)
{
    unsigned high = 0;
#ifdef __SSE2__
    const __m128i quote16 = _mm_set1_epi8('"'), bslash16 = _mm_set1_epi8('\\'),
                  ctl16 = _mm_set1_epi8(0x1f);
    while (p + 16 <= e) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* a byte below 0x20 is one that min(byte, 0x1f) leaves unchanged */
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote16), _mm_cmpeq_epi8(v, bslash16)),
                         _mm_cmpeq_epi8(_mm_min_epu8(v, ctl16), v));
        unsigned m = (unsigned)_mm_movemask_epi8(hit), h = (unsigned)_mm_movemask_epi8(v);
        if (m) {
            unsigned at = (unsigned)__builtin_ctz(m);
            *ascii = !(high | (h & ((1u << at) - 1)));
            p += at;
            return *p == '"' ? p : NULL;
        }
        high |= h;
        p += 16;
    }
#endif
    const uint64_t quote = 0x2222222222222222ULL, bslash = 0x5c5c5c5c5c5c5c5cULL;
    while (p + 8 <= e) {
        uint64_t w;
        memcpy(&w, p, 8);
        /* any '"', '\\' or byte below 0x20 in these eight: look at them one by one */
        uint64_t hit = swar_zero(w ^ quote) | swar_zero(w ^ bslash) |
                       ((w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL);
        if (hit)
            break;
        high |= (w & 0x8080808080808080ULL) != 0;
        p += 8;
    }
    for (; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *ascii = !high;
            return p;
        }
        if (c == '\\' || c < 0x20)
            return NULL;
        high |= c >> 7;
    }
    return NULL;
}

/* p is at the number's first byte: returns its end, or NULL when it is not strict JSON. */
static inline const char *fast_number_end(const char *p, const char *e)
{
    if (p < e && *p == '-')
        p++;
    if (p >= e)
        return NULL;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (p < e && *p == '.') {
        const char *d = ++p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        const char *d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    return p;
}

/* A scalar value: what the callbacks would do with it. Inside a record's object (or one of its
 * sub-objects), outside ignored containers, on_value would hand it to record_value: go there
 * directly. An ASCII string needs no UTF-8 check. */
static inline void fast_scalar(struct sax *s, enum vtype t, const char *v, size_t n, bool ascii)
{
    if (s->depth > 0 && s->skip == 0 && (t != V_STR || ascii)) {
        s->last_cb_fed = s->fed;
        s->raw = true;
        record_value(s, t, v, n);
        s->raw = false;
    } else if (t == V_STR) {
        s->ascii = ascii;
        cb_string(s, (const unsigned char *)v, n);
    } else
        on_value(s, t, v, n);
}

/* Reads the line starting at q (e: the end of the buffer) into the SAX state, which the caller
 * has prepared for a record. Returns the line's end (its '\n', or e), or NULL when the line must
 * be read the general way. */
static const char *fast_line(struct sax *s, const char *q, const char *e)
{
    const char *p = fast_ws(q, e);
    char stack[FAST_DEPTH];
    int depth = 0, nkey = 0; /* nkey: keys read so far in the record's own object */
    bool ascii;
    if (p == e || *p != '{')
        return NULL; /* a blank line, or not an object: the general way says what it is */
    const char *buf_end = e;
    if (e - q > (ptrdiff_t)REC_LINE_MAX)
        e = q + REC_LINE_MAX; /* a longer line is rejected as too long without being parsed */
    for (;;) {
        /* a value */
        if (p == e)
            return NULL;
        switch (*p) {
        case ' ':
        case '\t':
        case '\r': p = fast_ws(p, e); continue; /* blanks before the value (rare) */
        case '{':
        case '[': {
            if (depth == FAST_DEPTH)
                return NULL;
            bool map = *p == '{';
            stack[depth++] = *p;
            if (map)
                cb_start_map(s);
            else
                cb_start_array(s);
            p = fast_ws(p + 1, e);
            if (p < e && *p == (map ? '}' : ']')) {
                p++;
                depth--;
                cb_end(s);
                break;
            }
            if (map)
                goto key;
            continue;
        }
        case '"': {
            const char *z = fast_string_end(p + 1, e, &ascii);
            if (!z)
                return NULL;
            fast_scalar(s, V_STR, p + 1, (size_t)(z - p - 1), ascii);
            p = z + 1;
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
            size_t len = *p == 'f' ? 5 : 4;
            if ((size_t)(e - p) < len || memcmp(p, lit, len) != 0)
                return NULL;
            fast_scalar(s, *p == 'n' ? V_NULL : V_BOOL, NULL, *p == 't', true);
            p += len;
            break;
        }
        default: {
            const char *z = fast_number_end(p, e);
            if (!z)
                return NULL;
            fast_scalar(s, V_NUM, p, (size_t)(z - p), true);
            p = z;
            break;
        }
        }
        /* after a value: a separator, a close, or (after the object) the end of the line; the
         * usual case first, a comma inside the record's object */
        if (p < e && *p == ',' && depth > 0 && stack[depth - 1] == '{') {
            p++;
            goto key;
        }
        for (;;) {
            p = fast_ws(p, e);
            if (depth == 0)
                return p == buf_end || (p < e && *p == '\n') ? p : NULL;
            if (p == e)
                return NULL;
            char top = stack[depth - 1];
            if (*p == ',') {
                p++;
                if (top == '{')
                    goto key;
                break; /* the next array element */
            }
            if (*p != (top == '{' ? '}' : ']'))
                return NULL;
            p++;
            depth--;
            cb_end(s);
        }
        continue;
    key:
        if (p == e || *p != '"') {
            p = fast_ws(p, e);
            if (p == e || *p != '"')
                return NULL;
        }
        if (depth == 1 && nkey < SHAPE_MAX) {
            /* the record's keys come in the same order line after line: the key at this
             * position last time, with its colon, is one comparison; the same bytes give the
             * same s->key that cb_map_key gave them then */
            struct shape_key *k = &s->shape[nkey++];
            if (k->len && (size_t)(e - p) >= k->len && same_bytes(k->text, p, k->len)) {
                s->last_cb_fed = s->fed;
                s->key = (enum fid)k->key;
                p += k->len;
                continue;
            }
            const char *z = fast_string_end(p + 1, e, &ascii);
            if (!z)
                return NULL;
            s->ascii = ascii;
            cb_map_key(s, (const unsigned char *)p + 1, (size_t)(z - p - 1));
            k->len = 0;
            if (ascii && z + 1 < e && z[1] == ':' && (size_t)(z + 2 - p) <= sizeof k->text) {
                k->len = (uint8_t)(z + 2 - p);
                k->key = (uint8_t)s->key;
                memcpy(k->text, p, k->len);
            }
            p = z + 1;
        } else {
            const char *z = fast_string_end(p + 1, e, &ascii);
            if (!z)
                return NULL;
            s->ascii = ascii;
            cb_map_key(s, (const unsigned char *)p + 1, (size_t)(z - p - 1));
            p = z + 1;
        }
        p = fast_ws(p, e);
        if (p == e || *p != ':')
            return NULL;
        p++;
    }
}

/* Prepares the SAX state for a line read the general way or the fast way. */
static void line_begin(struct sax *s, int64_t line)
{
    s->depth = 0;
    s->skip = 0;
    s->key = F_NONE;
    s->values = 0;
    s->line = line;
    record_begin(s, false);
}

/* Parses one non-blank line the general way (n bytes at q; has_nl when q[n] is its '\n'). */
static void parse_line(struct rec_parser *p, const char *q, size_t n, bool has_nl, int64_t line)
{
    struct sax *s = &p->sax;
    line_begin(s, line);
    s->ascii = ascii_only(q, n);
    if (!p->h) {
        p->h = yajl_alloc(&callbacks, NULL, s);
        yajl_config(p->h, yajl_dont_validate_strings, 1);
        yajl_config(p->h, yajl_allow_multiple_values, 1);
    }
    /* the newline ends a trailing number and turns an unterminated string into an error */
    yajl_status st = yajl_parse(p->h, (const unsigned char *)q, n + (has_nl ? 1 : 0));
    if (st == yajl_status_ok && !has_nl)
        st = yajl_parse(p->h, (const unsigned char *)"\n", 1);
    bool fresh = st != yajl_status_ok || s->depth > 0 || s->skip > 0 || s->values != 1;
    if (st != yajl_status_ok) {
        char m[256];
        yajl_message(p->h, m, sizeof m);
        /* a line that is not JSON is that first: "requests": 007 was read as 0 before the
         * parser stopped at "07", which is no field error (limits and bad UTF-8, which stop the
         * parser themselves, keep their reason) */
        if (s->r.reason != REJ_TOO_LONG && s->r.reason != REJ_BAD_UTF8)
            s->r.err = false;
        fail(s, REJ_NOT_JSON, F_NONE, "not JSON (%s)", m);
    } else if (s->depth > 0 || s->skip > 0 || s->values == 0)
        fail(s, REJ_NOT_JSON, F_NONE, "not JSON (the line ends inside a value)");
    else if (s->values > 1)
        fail(s, REJ_NOT_JSON, F_NONE, "not JSON (more than one value on the line)");
    if (fresh) {
        yajl_free(p->h);
        p->h = NULL;
    }
    bool cut = n > REC_TEXT_MAX;
    record_end(s, q, cut ? REC_TEXT_MAX : n, cut);
}

/* The parser asks for the bytes two pages ahead of the line it reads: a mapped file's pages come
 * cold out of the page cache, and the hardware prefetcher stops at each 4 KiB page boundary (as
 * for the hash, sha256.c). 1M bench month, 9 alternating pairs: 0.41 -> 0.39 s, 0.77 -> 0.74
 * CPU-s (medians); 4 KiB and 16 KiB ahead did the same. A prefetch never faults, so asking past
 * the end of the buffer is harmless. */
#define PARSE_PREFETCH_AHEAD 8192

void rec_parse_lines(struct rec_parser *p, const char *buf, size_t len, bool file_start,
                     struct rec_batch *out)
{
    struct sax *s = &p->sax;
    s->out = out;
    s->stream = false;
    const char *q = buf, *end = buf + len;
    int64_t line = 0;
    if (file_start && len >= 3 && memcmp(q, "\xef\xbb\xbf", 3) == 0)
        q += 3;
    const char *ahead = q;
    while (q < end) {
        line++;
        while (ahead < q + PARSE_PREFETCH_AHEAD) {
            __builtin_prefetch(ahead);
            ahead += 64;
        }
        if (!p->slow_only) {
            line_begin(s, line);
            const char *le = fast_line(s, q, end);
            if (le) {
                size_t n = (size_t)(le - q);
                bool cut = n > REC_TEXT_MAX;
                record_end(s, q, cut ? REC_TEXT_MAX : n, cut);
                q = le < end ? le + 1 : end;
                continue;
            }
            /* the general way starts the line again: the callbacks so far only touched this
             * record's state (and the arena, which keeps a few bytes until the batch is reset) */
        }
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - q);
        if (n > REC_LINE_MAX)
            reject_line(s, REJ_TOO_LONG, line, q, n, "line of %zu bytes, above the limit of %u", n,
                        REC_LINE_MAX);
        else {
            size_t i = 0;
            while (i < n && (q[i] == ' ' || q[i] == '\t' || q[i] == '\r'))
                i++;
            if (i < n)
                parse_line(p, q, n, nl != NULL, line);
        }
        q = nl ? nl + 1 : end;
    }
    out->lines += line;
}

/* ---- streams ---- */

struct rec_stream {
    struct sax sax;
    yajl_handle h;
    bool dead;
    bool at_start;
    struct doc_stream *doc; /* the formats of read_*.c: values parsed whole */
};

struct rec_stream *rec_stream_new(const struct rec_env *env, enum rec_format f)
{
    pthread_once(&key_once, key_table_init);
    struct rec_stream *st = xcalloc(1, sizeof *st);
    st->sax.env = env;
    st->sax.fmt = f;
    st->sax.stream = true;
    st->sax.line = 1;
    st->at_start = true;
    if (doc_format(f)) {
        st->doc = doc_stream_new(st, f);
        return st;
    }
    st->sax.text = xmalloc(REC_TEXT_MAX);
    st->h = yajl_alloc(&callbacks, NULL, &st->sax);
    yajl_config(st->h, yajl_dont_validate_strings, 1);
    yajl_config(st->h, yajl_allow_multiple_values, 1);
    return st;
}

void rec_stream_free(struct rec_stream *st)
{
    if (!st)
        return;
    doc_stream_free(st->doc);
    if (st->h)
        yajl_free(st->h);
    free(st->sax.pend);
    free(st->sax.text);
    free(st);
}

bool rec_stream_holding(const struct rec_stream *st)
{
    return st->sax.n_pend > 0;
}

/* Stops the stream: rejects the record in progress (or a new one) with `msg`. */
static void stream_die(struct rec_stream *st, enum reject_reason reason, const char *msg, bool rest)
{
    struct sax *s = &st->sax;
    st->dead = true;
    if (s->n_pend > 0) {
        bool open = s->record_open;
        struct rstate keep = s->r;
        bucket_end(s); /* waiting results are rejected, not lost */
        s->r = keep;
        s->record_open = open;
    }
    if (!s->record_open)
        record_begin(s, false);
    s->r.err = false;
    s->r.admin = false;
    s->skip = 0;
    if (rest)
        fail(s, reason, F_NONE, "%s; the rest of the input (from line %lld on) was not read", msg,
             (long long)s->line);
    else
        fail(s, reason, F_NONE, "%s", msg);
    record_end(s, s->text, s->text_len, s->text_cut);
}

static bool stream_piece(struct rec_stream *st, const char *q, size_t n)
{
    struct sax *s = &st->sax;
    s->piece = q;
    s->piece_len = n;
    if (s->record_open && s->text_len < REC_TEXT_MAX) {
        size_t room = REC_TEXT_MAX - s->text_len, k = n < room ? n : room;
        memcpy(s->text + s->text_len, q, k);
        s->text_len += k;
        s->text_cut = s->text_cut || k < n;
    } else if (s->record_open)
        s->text_cut = true;
    yajl_status ys = yajl_parse(st->h, (const unsigned char *)q, n);
    s->fed += n;
    if (ys == yajl_status_error) {
        char m[256], msg[320];
        yajl_message(st->h, m, sizeof m);
        snprintf(msg, sizeof msg, "not JSON (%s)", m);
        stream_die(st, REJ_NOT_JSON, msg, true);
        return false;
    }
    if (s->fed - s->last_cb_fed > (uint64_t)REC_LINE_MAX + 65536) {
        stream_die(st, REJ_TOO_LONG, "a single JSON value longer than 1 MiB", true);
        return false;
    }
    if (s->record_open && !s->r.err && s->fed - s->record_fed > (uint64_t)REC_LINE_MAX + 65536)
        fail(s, REJ_TOO_LONG, F_NONE, "record longer than %u bytes", REC_LINE_MAX);
    return true;
}

bool rec_stream_feed(struct rec_stream *st, const char *buf, size_t len, struct rec_batch *out)
{
    struct sax *s = &st->sax;
    s->out = out;
    if (st->doc)
        return doc_stream_feed(st->doc, buf, len, out);
    if (st->dead)
        return false;
    const char *q = buf, *end = buf + len;
    if (st->at_start && len > 0) {
        st->at_start = false;
        if (len >= 3 && memcmp(q, "\xef\xbb\xbf", 3) == 0)
            q += 3;
    }
    while (q < end) {
        size_t max = (size_t)(end - q) < 65536 ? (size_t)(end - q) : 65536;
        const char *nl = memchr(q, '\n', max);
        size_t n = nl ? (size_t)(nl - q) + 1 : max;
        if (!stream_piece(st, q, n))
            return false;
        if (nl)
            s->line++;
        q += n;
    }
    return true;
}

void rec_stream_finish(struct rec_stream *st, struct rec_batch *out)
{
    struct sax *s = &st->sax;
    s->out = out;
    if (st->doc) {
        doc_stream_finish(st->doc, out);
        return;
    }
    if (s->fmt == REC_ADMIN_API && s->last_has_more)
        rec_add_note(out, s->line,
                     "the last page says \"has_more\": true: the report is incomplete (its last "
                     "bucket starts %s); fetch the next pages (\"next_page\") and give them too",
                     s->last_bucket[0] ? s->last_bucket : "nowhere: it has none");
    if (st->dead)
        return;
    if (yajl_complete_parse(st->h) == yajl_status_error) {
        char m[256], msg[320];
        yajl_message(st->h, m, sizeof m);
        snprintf(msg, sizeof msg, "not JSON (%s: the input ends inside %s)", m,
                 s->record_open ? "a record" : "a value");
        stream_die(st, REJ_NOT_JSON, msg, false);
    }
}

/* ---- rows built by the readers of other formats (read_*.c) ---- */

const struct rec_env *rec_stream_env(const struct rec_stream *st)
{
    return st->sax.env;
}

void rec_add_reject(struct rec_batch *out, enum reject_reason reason, int64_t line, int64_t element,
                    const char *message, const char *text, size_t text_len)
{
    if (out->n_rejs == out->cap_rejs) {
        out->cap_rejs = out->cap_rejs ? 2 * out->cap_rejs : 64;
        out->rejs = xreallocarray(out->rejs, out->cap_rejs, sizeof *out->rejs);
    }
    bool cut = text_len > REC_TEXT_MAX;
    if (cut)
        text_len = REC_TEXT_MAX;
    struct rec_reject *j = &out->rejs[out->n_rejs++];
    j->reason = reason;
    j->line = line;
    j->element = element;
    j->message = rec_arena_strdup(&out->arena, message, strlen(message));
    j->text = rec_arena_strdup(&out->arena, text ? text : "", text ? text_len : 0);
    j->text_len = text ? text_len : 0;
    j->text_cut = cut;
}

void rec_add_note(struct rec_batch *out, int64_t line, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (out->n_notes == out->cap_notes) {
        out->cap_notes = out->cap_notes ? 2 * out->cap_notes : 8;
        out->notes = xreallocarray(out->notes, out->cap_notes, sizeof *out->notes);
    }
    out->notes[out->n_notes].line = line;
    out->notes[out->n_notes++].text = rec_arena_strdup(&out->arena, buf, strlen(buf));
}

static const char *arena_copy(struct rec_batch *out, const char *s)
{
    return s ? rec_arena_strdup(&out->arena, s, strlen(s)) : NULL;
}

void rec_add_cost(struct rec_batch *out, const struct rec_cost *c)
{
    if (out->n_costs == out->cap_costs) {
        out->cap_costs = out->cap_costs ? 2 * out->cap_costs : 64;
        out->costs = xreallocarray(out->costs, out->cap_costs, sizeof *out->costs);
    }
    struct rec_cost *d = &out->costs[out->n_costs++];
    *d = *c;
    d->model = arena_copy(out, c->model);
    d->kind = arena_copy(out, c->kind);
    d->workspace = arena_copy(out, c->workspace);
}

bool rec_add_row(struct rec_stream *st, const struct rec_row *row, struct rec_batch *out,
                 int64_t line, int64_t element, const char *text, size_t text_len)
{
    struct sax *s = &st->sax;
    s->out = out;
    s->depth = 0;
    struct rstate *r = &s->r;
    r->err = false;
    r->line = line;
    r->element = element;
    char msg[640];
    enum reject_reason reason = REJ_COUNT;
    struct record rec = {0};
    for (int t = 0; t < TAG_COUNT && reason == REJ_COUNT; t++) {
        if (!row->tags[t] || row->tag_len[t] == 0)
            continue;
        if (row->tag_len[t] > REC_STRING_MAX) {
            reason = REJ_TOO_LONG;
            snprintf(msg, sizeof msg, "\"%s\": longer than %d bytes", tag_name((enum tag)t),
                     REC_STRING_MAX);
        } else if (!utf8_valid((const unsigned char *)row->tags[t], row->tag_len[t])) {
            reason = REJ_BAD_UTF8;
            snprintf(msg, sizeof msg, "\"%s\": not valid UTF-8", tag_name((enum tag)t));
        } else {
            rec.tags[t] = rec_arena_strdup(&out->arena, row->tags[t], row->tag_len[t]);
            rec.tag_len[t] = row->tag_len[t];
        }
    }
    if (reason != REJ_COUNT) {
        rec_add_reject(out, reason, line, element, msg, text, text_len);
        return false;
    }
    rec.batch = row->batch;
    rec.speed = row->speed;
    rec.geo = row->geo;
    rec.band = row->long_prompt ? BAND_LONG : BAND_STANDARD;
    rec.per_day = row->per_day;
    rec.requests = row->requests;
    memcpy(rec.tokens, row->tokens, sizeof rec.tokens);
    rec.web_search = row->web_search;
    rec.metrics = row->metrics;
    rec.has_reported = row->has_reported;
    rec.reported_pico = row->reported_pico;
    if (row->request_id && row->request_id_len > 0) {
        rec.has_id = true;
        id_hash(rec.id_hash, row->request_id, row->request_id_len);
    }
    if (!price_and_attribute(s, &rec, row->model, row->model_len, row->year, row->month,
                             row->day)) {
        rec_add_reject(out, r->reason, line, element, r->msg, text, text_len);
        return false;
    }
    *new_record(out) = rec;
    return true;
}

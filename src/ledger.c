/* The ledger builder: folds validated records into per-month, per-bucket aggregates.
 *
 * Hot path per record: one id-set insert, interning of the team and the four dimension tags,
 * and pointer-keyed open-addressing lookups (bucket, line, group); no allocation except when
 * a new distinct key appears. Nothing is iterated in hash order into the result: finish sorts
 * buckets, lines and groups with total orders. */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "idset.h"
#include "intern.h"
#include "record.h"
#include "xalloc.h"

static const char *const reason_names[REJ_COUNT] = {
    [REJ_NOT_JSON] = "not JSON",
    [REJ_NOT_OBJECT] = "not an object",
    [REJ_MISSING_FIELD] = "missing field",
    [REJ_BAD_TYPE] = "mistyped field",
    [REJ_NEGATIVE] = "negative count",
    [REJ_NOT_INTEGER] = "non-integer count",
    [REJ_TOO_LARGE] = "count above 10^12",
    [REJ_BAD_TIMESTAMP] = "bad timestamp",
    [REJ_UNKNOWN_MODEL] = "unknown model",
    [REJ_BAD_UTF8] = "invalid UTF-8",
    [REJ_TOO_LONG] = "too long",
    [REJ_BAD_VALUE] = "unknown value",
    [REJ_NOT_PRICED] = "modifier not priced",
};

/* The reason's text as rejected.jsonl and report.json print it. Static; never NULL. */
const char *ledger_reject_reason_name(enum reject_reason r)
{
    return (unsigned)r < REJ_COUNT ? reason_names[r] : "unknown reason";
}

/* ---- a map from non-zero pointer-sized keys to indexes (linear probing, <= 1/2 full) ---- */

struct pmap {
    uintptr_t *key; /* 0 = empty */
    uint32_t *val;
    unsigned bits; /* cap = 2^bits */
    size_t n;
};

static size_t pmap_home(uintptr_t key, unsigned bits)
{
    return (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

static void pmap_free(struct pmap *m)
{
    free(m->key);
    free(m->val);
}

static bool pmap_get(const struct pmap *m, uintptr_t key, uint32_t *val)
{
    if (!m->key)
        return false;
    size_t mask = ((size_t)1 << m->bits) - 1;
    for (size_t i = pmap_home(key, m->bits);; i = (i + 1) & mask) {
        if (m->key[i] == key) {
            *val = m->val[i];
            return true;
        }
        if (!m->key[i])
            return false;
    }
}

static void pmap_place(uintptr_t *keys, uint32_t *vals, unsigned bits, uintptr_t key, uint32_t v)
{
    size_t mask = ((size_t)1 << bits) - 1;
    size_t i = pmap_home(key, bits);
    while (keys[i] && keys[i] != key)
        i = (i + 1) & mask;
    keys[i] = key;
    vals[i] = v;
}

/* Sets key -> v (key not 0). */
static void pmap_put(struct pmap *m, uintptr_t key, uint32_t v)
{
    if (!m->key || (m->n + 1) * 2 > ((size_t)1 << m->bits)) {
        unsigned bits = m->key ? m->bits + 1 : 4;
        uintptr_t *keys = xcalloc((size_t)1 << bits, sizeof *keys);
        uint32_t *vals = xcalloc((size_t)1 << bits, sizeof *vals);
        for (size_t i = 0; m->key && i < ((size_t)1 << m->bits); i++)
            if (m->key[i])
                pmap_place(keys, vals, bits, m->key[i], m->val[i]);
        pmap_free(m);
        m->key = keys;
        m->val = vals;
        m->bits = bits;
    }
    uint32_t old;
    if (!pmap_get(m, key, &old))
        m->n++;
    pmap_place(m->key, m->val, m->bits, key, v);
}

/* ---- accumulators ---- */

#define NO_INDEX UINT32_MAX

/* The groups of one dimension within one bucket. */
struct gtab {
    struct ledger_group *v;
    size_t n, cap;
    struct pmap map;   /* interned key -> index */
    uint32_t null_idx; /* the NULL-key group, or NO_INDEX */
};

struct bacc {
    struct ledger_bucket b; /* b.lines / b.n_lines grow here; groups are attached at finish */
    size_t lines_cap;
    struct pmap line_map; /* price entry pointer | batch -> line index */
    struct gtab g[DIM_COUNT];
};

/* The aggregates of one calendar month. */
struct macc {
    int year, month;
    int64_t billed;
    struct bacc **teams;
    size_t n_teams, cap_teams;
    struct pmap team_map;  /* interned team id -> index in teams */
    struct bacc **shared;  /* config->n_shared entries, NULL until used */
    struct bacc *unalloc;  /* NULL until used */
    struct pmap team_seen; /* interned team ids of billed records (values unused) */
    cb_i128 total_cost;
    cb_i128 tag_cost[TAG_COUNT];
    const struct price_entry *haiku[31]; /* price_book_family_rate cache per day */
    bool haiku_known[31];
};

struct ledger_builder {
    const struct config *c;
    const struct price_book *pb;
    int year, month; /* 0, 0: the busiest month */
    struct intern *strings;
    struct intern *retired; /* the builder's first interner, when it adopted a part's (merge) */
    struct idset *ids;
    struct ledger_counts counts;
    struct ledger_file *files;
    size_t n_files, cap_files;
    struct macc **months;
    size_t n_months, cap_months;
    struct pmap month_map;  /* year * 12 + month -> index in months */
    struct macc *last;      /* the month of the previous record */
    int64_t quantity_sum;   /* requests, tokens, searches and calls of every folded record */
    bool too_large;         /* quantity_sum would pass LEDGER_QUANTITY_CAP: finish fails */
    struct rec_cost *costs; /* Cost report rows of every month, strings interned */
    size_t n_costs, cap_costs;
    bool has_cost_report;
};

/* Every sum the ledger and the report keep (per bucket, line, group, day, and across teams) is at
 * most the sum of all quantities folded in, so capping that one sum at 10^18 keeps every int64
 * sum exact (INT64_MAX is 9.2 x 10^18). Each record's counts are at most 10^12 (ingest rejects
 * more), so only a month of millions of maximal records reaches the cap; the run then stops with
 * an error instead of wrapping around. */
#define LEDGER_QUANTITY_CAP ((int64_t)1000000000000000000)

/* What the public ledger hides: the interned strings its pointers refer to. */
struct ledger_impl {
    struct ledger pub; /* first, so a struct ledger * is a struct ledger_impl * */
    struct intern *strings;
    struct intern *retired; /* the builder's own strings (files, cost rows) after an adoption */
};

static const enum tag dim_tag[DIM_COUNT] = {
    [DIM_PROJECT] = TAG_PROJECT,
    [DIM_USER] = TAG_USER,
    [DIM_WORKFLOW] = TAG_WORKFLOW,
    [DIM_ENVIRONMENT] = TAG_ENVIRONMENT,
};

static struct bacc *bacc_new(enum bucket_kind kind, const char *team, int shared_index)
{
    struct bacc *a = xcalloc(1, sizeof *a);
    a->b.kind = kind;
    a->b.team = team;
    a->b.shared_index = shared_index;
    for (int d = 0; d < DIM_COUNT; d++)
        a->g[d].null_idx = NO_INDEX;
    return a;
}

static void bacc_free(struct bacc *a)
{
    if (!a)
        return;
    free(a->b.lines);
    free(a->b.days);
    pmap_free(&a->line_map);
    for (int d = 0; d < DIM_COUNT; d++) {
        free(a->g[d].v);
        pmap_free(&a->g[d].map);
    }
    free(a);
}

static void macc_free(struct macc *m, size_t n_shared)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_teams; i++)
        bacc_free(m->teams[i]);
    free(m->teams);
    pmap_free(&m->team_map);
    for (size_t i = 0; m->shared && i < n_shared; i++)
        bacc_free(m->shared[i]);
    free(m->shared);
    bacc_free(m->unalloc);
    pmap_free(&m->team_seen);
    free(m);
}

static struct macc *month_get(struct ledger_builder *b, int year, int month)
{
    if (b->last && b->last->year == year && b->last->month == month)
        return b->last;
    uintptr_t key = (uintptr_t)((int64_t)year * 12 + month) + 1; /* years >= 0: never 0 */
    uint32_t idx;
    if (pmap_get(&b->month_map, key, &idx))
        return b->last = b->months[idx];
    struct macc *m = xcalloc(1, sizeof *m);
    m->year = year;
    m->month = month;
    if (b->c->n_shared)
        m->shared = xcalloc(b->c->n_shared, sizeof *m->shared);
    if (b->n_months == b->cap_months) {
        b->cap_months = b->cap_months ? b->cap_months * 2 : 4;
        b->months = xreallocarray(b->months, b->cap_months, sizeof *b->months);
    }
    pmap_put(&b->month_map, key, (uint32_t)b->n_months);
    b->months[b->n_months++] = m;
    return b->last = m;
}

/* The bucket of an interned team id in a month, made on first use. */
static struct bacc *team_bucket(struct macc *m, const char *team)
{
    uint32_t idx;
    if (pmap_get(&m->team_map, (uintptr_t)team, &idx))
        return m->teams[idx];
    if (m->n_teams == m->cap_teams) {
        m->cap_teams = m->cap_teams ? m->cap_teams * 2 : 8;
        m->teams = xreallocarray(m->teams, m->cap_teams, sizeof *m->teams);
    }
    pmap_put(&m->team_map, (uintptr_t)team, (uint32_t)m->n_teams);
    return m->teams[m->n_teams++] = bacc_new(BUCKET_TEAM, team, -1);
}

static struct bacc *bucket_get(struct ledger_builder *b, struct macc *m, const struct record *r,
                               const char *team)
{
    if (r->shared_index >= 0 && (size_t)r->shared_index < b->c->n_shared) {
        struct bacc **slot = &m->shared[r->shared_index];
        if (!*slot)
            *slot = bacc_new(BUCKET_SHARED, NULL, r->shared_index);
        return *slot;
    }
    if (r->shared_index < 0 && team)
        return team_bucket(m, team);
    /* no team, or a shared index outside the configuration (a caller bug): unallocated */
    if (!m->unalloc)
        m->unalloc = bacc_new(BUCKET_UNALLOCATED, NULL, -1);
    return m->unalloc;
}

/* Tables of up to this many keys are searched in order and have no map: most buckets of a month
 * of many small teams hold a few lines and groups, and five maps of 16 slots were a kilobyte of
 * each bucket. */
#define SMALL_TABLE 8

/* user-space addresses fit in 56 bits: the low four bits of the shifted address carry the batch
 * flag and the variant */
static uintptr_t line_key(const struct price_entry *e, bool batch, unsigned band, unsigned speed,
                          unsigned geo)
{
    return ((uintptr_t)e << 4) | (batch ? 1u : 0u) | (band << 1) | (speed << 2) | (geo << 3);
}

static struct ledger_line *line_get(struct bacc *a, const struct price_entry *e, bool batch,
                                    unsigned band, unsigned speed, unsigned geo)
{
    uintptr_t key = line_key(e, batch, band, speed, geo);
    uint32_t idx;
    if (a->line_map.key) {
        if (pmap_get(&a->line_map, key, &idx))
            return &a->b.lines[idx];
    } else {
        for (size_t i = 0; i < a->b.n_lines; i++) {
            const struct ledger_line *l = &a->b.lines[i];
            if (l->price == e && l->batch == batch && l->band == band && l->speed == speed &&
                l->geo == geo)
                return &a->b.lines[i];
        }
        if (a->b.n_lines == SMALL_TABLE)
            for (size_t i = 0; i < a->b.n_lines; i++) {
                const struct ledger_line *l = &a->b.lines[i];
                pmap_put(&a->line_map, line_key(l->price, l->batch, l->band, l->speed, l->geo),
                         (uint32_t)i);
            }
    }
    if (a->b.n_lines == a->lines_cap) {
        a->lines_cap = a->lines_cap ? a->lines_cap * 2 : 4;
        a->b.lines = xreallocarray(a->b.lines, a->lines_cap, sizeof *a->b.lines);
    }
    if (a->line_map.key)
        pmap_put(&a->line_map, key, (uint32_t)a->b.n_lines);
    struct ledger_line *l = &a->b.lines[a->b.n_lines++];
    memset(l, 0, sizeof *l);
    l->price = e;
    l->batch = batch;
    l->band = (uint8_t)band;
    l->speed = (uint8_t)speed;
    l->geo = (uint8_t)geo;
    return l;
}

static struct ledger_group *group_get(struct gtab *t, const char *key)
{
    uint32_t idx = NO_INDEX;
    if (!key) {
        if (t->null_idx != NO_INDEX)
            return &t->v[t->null_idx];
    } else if (t->map.key) {
        if (pmap_get(&t->map, (uintptr_t)key, &idx))
            return &t->v[idx];
    } else {
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].key == key)
                return &t->v[i];
        if (t->n == SMALL_TABLE)
            for (size_t i = 0; i < t->n; i++)
                if (t->v[i].key)
                    pmap_put(&t->map, (uintptr_t)t->v[i].key, (uint32_t)i);
    }
    if (t->n == t->cap) {
        /* most groups of a month of many small teams hold one or two keys */
        t->cap = t->cap ? t->cap * 2 : 2;
        t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
    }
    idx = (uint32_t)t->n++;
    if (!key)
        t->null_idx = idx;
    else if (t->map.key)
        pmap_put(&t->map, (uintptr_t)key, idx);
    struct ledger_group *g = &t->v[idx];
    memset(g, 0, sizeof *g);
    g->key = key;
    return g;
}

struct ledger_day *ledger_bucket_day_add(struct ledger_bucket *b, int day)
{
    uint32_t bit = 1u << (day - 1);
    size_t at = (size_t)__builtin_popcount(b->day_mask & (bit - 1u));
    if (b->day_mask & bit)
        return &b->days[at];
    size_t n = (size_t)__builtin_popcount(b->day_mask);
    b->days = xreallocarray(b->days, n + 1, sizeof *b->days);
    memmove(&b->days[at + 1], &b->days[at], (n - at) * sizeof *b->days);
    memset(&b->days[at], 0, sizeof *b->days);
    b->day_mask |= bit;
    return &b->days[at];
}

static void usage_of(struct ledger_usage *u, const struct record *r)
{
    u->requests = r->requests;
    memcpy(u->tokens, r->tokens, sizeof u->tokens);
    u->web_search = r->web_search;
    u->skill = r->skill;
    u->mcp = r->mcp;
}

static inline void usage_add(struct ledger_usage *u, const struct ledger_usage *x)
{
    u->requests += x->requests;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        u->tokens[k] += x->tokens[k];
    u->web_search += x->web_search;
    u->skill += x->skill;
    u->mcp += x->mcp;
}

static cb_i128 token_cost(const struct price_entry *e, bool batch, const int64_t *tokens)
{
    cb_i128 sum = 0;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        sum += price_token_cost(e, (enum token_class)k, batch, tokens[k]);
    return sum;
}

/* The exact list cost of a record's tokens in its band at the given speed and geography,
 * pico-USD (the variant's unit prices are whole micro-USD per million tokens:
 * price_book_check_units). */
static cb_i128 record_token_cost(const struct record *r, enum price_speed speed, enum price_geo geo)
{
    if (!r->band && !speed && !geo)
        return token_cost(r->price, r->batch, r->tokens);
    cb_i128 sum = 0;
    for (int k = 0; k < TOK_CLASS_COUNT; k++) {
        int64_t unit = 0;
        price_variant_mtok(r->price, (enum token_class)k, r->batch, (enum price_band)r->band, speed,
                           geo, &unit);
        sum += (cb_i128)r->tokens[k] * unit;
    }
    return sum;
}

static const struct price_entry *haiku_for(struct ledger_builder *b, struct macc *m, int day)
{
    if (!m->haiku_known[day - 1]) {
        m->haiku[day - 1] =
            price_book_family_rate(b->pb, "haiku", m->year * 10000 + m->month * 100 + day);
        m->haiku_known[day - 1] = true;
    }
    return m->haiku[day - 1];
}

/* ---- the builder API ---- */

/* Returns a new builder (free with ledger_builder_free or hand it to finish); c and pb are
 * borrowed for the life of the builder and of the ledger it makes. Never fails. */
struct ledger_builder *ledger_builder_new(const struct config *c, const struct price_book *pb,
                                          int year, int month)
{
    struct ledger_builder *b = xcalloc(1, sizeof *b);
    b->c = c;
    b->pb = pb;
    b->year = year;
    b->month = year ? month : 0;
    b->strings = intern_new();
    b->ids = idset_new();
    return b;
}

/* Frees a builder and everything it still owns. Accepts NULL. */
void ledger_builder_free(struct ledger_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_months; i++)
        macc_free(b->months[i], b->c->n_shared);
    free(b->months);
    pmap_free(&b->month_map);
    for (size_t i = 0; i < b->n_files; i++)
        free(b->files[i].path);
    free(b->files);
    for (int r = 0; r < REJ_COUNT; r++)
        for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++)
            free(b->counts.examples[r][k]);
    idset_free(b->ids);
    intern_free(b->strings);
    intern_free(b->retired);
    free(b->costs);
    free(b);
}

void ledger_builder_cost(struct ledger_builder *b, const struct rec_cost *c)
{
    if (b->n_costs == b->cap_costs) {
        b->cap_costs = b->cap_costs ? 2 * b->cap_costs : 64;
        b->costs = xreallocarray(b->costs, b->cap_costs, sizeof *b->costs);
    }
    struct rec_cost *d = &b->costs[b->n_costs++];
    *d = *c;
#define KEEP(f) d->f = c->f ? intern_str(b->strings, c->f, strlen(c->f)) : NULL
    KEEP(model);
    KEEP(kind);
    KEEP(workspace);
#undef KEEP
    b->has_cost_report = true;
}

void ledger_builder_not_requests(struct ledger_builder *b, size_t file, int64_t n)
{
    if (file < b->n_files)
        b->files[file].not_requests += n;
}

cb_i128 ledger_record_list_cost(const struct record *r)
{
    return record_token_cost(r, (enum price_speed)r->speed, (enum price_geo)r->geo) +
           price_search_cost(r->price, r->web_search);
}

/* Registers an input (path and format copied); returns its index in ledger->files. */
size_t ledger_builder_add_file(struct ledger_builder *b, const char *path, const char *format)
{
    if (b->n_files == b->cap_files) {
        b->cap_files = b->cap_files ? b->cap_files * 2 : 4;
        b->files = xreallocarray(b->files, b->cap_files, sizeof *b->files);
    }
    struct ledger_file *f = &b->files[b->n_files];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->format = format ? intern_str(b->strings, format, strlen(format)) : NULL;
    return b->n_files++;
}

/* Records a registered input's digest, size and record count; unknown indexes are ignored. */
void ledger_builder_file_done(struct ledger_builder *b, size_t file, const char sha256[65],
                              int64_t bytes, int64_t records)
{
    if (file >= b->n_files)
        return;
    struct ledger_file *f = &b->files[file];
    if (sha256) {
        size_t n = strnlen(sha256, sizeof f->sha256 - 1);
        memcpy(f->sha256, sha256, n);
        f->sha256[n] = '\0';
    }
    f->bytes = bytes;
    f->records = records;
}

/* Counts a rejected record; keeps a copy of `example` while its reason has room. */
void ledger_builder_reject(struct ledger_builder *b, enum reject_reason r, const char *example)
{
    b->counts.records_read++;
    b->counts.rejected++;
    if ((unsigned)r >= REJ_COUNT)
        return;
    b->counts.by_reason[r]++;
    if (!example)
        return;
    for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++)
        if (!b->counts.examples[r][k]) {
            b->counts.examples[r][k] = xstrdup(example);
            break;
        }
}

void ledger_builder_reserve_ids(struct ledger_builder *b, size_t n)
{
    idset_reserve(b->ids, n);
}

/* Starts loading the id-set memory ledger_builder_add(b, r) will probe. Changes nothing. */
void ledger_builder_prefetch(const struct ledger_builder *b, const struct record *r)
{
    if (r->has_id)
        idset_prefetch(b->ids, r->id_hash);
}

/* The ordered half of ledger_builder_add: counts the record as read and says whether it is a
 * duplicate (its request_id seen before), outside a fixed period, or to be billed. */
enum ledger_fate ledger_builder_check(struct ledger_builder *b, const struct record *r)
{
    b->counts.records_read++;
    /* the id-set probe is a cache miss on a big table: callers start it a few records ahead with
     * ledger_builder_prefetch */
    if (r->has_id && !idset_insert(b->ids, r->id_hash)) {
        b->counts.duplicates++;
        return LEDGER_DUPLICATE;
    }
    if (b->year && (r->year != b->year || r->month != b->month)) {
        b->counts.outside_period++;
        return LEDGER_OUTSIDE;
    }
    if (r->cache_write_rest > 0) {
        b->counts.cache_rest_records++;
        b->counts.cache_rest_tokens += r->cache_write_rest;
    }
    b->counts.long_unflagged += r->long_unflagged;
    return LEDGER_BILLED;
}

/* The sums half: adds a record ledger_builder_check found billable to every aggregate of b. */
static void fold(struct ledger_builder *b, const struct record *r)
{
    /* the team and the dimensions' tags, interned (not a zeroed array of every tag: that was a
     * `rep stos` per record) */
    const struct price_entry *e = r->price;
    const char *team =
        r->tags[TAG_TEAM] ? intern_str(b->strings, r->tags[TAG_TEAM], r->tag_len[TAG_TEAM]) : NULL;
    const char *dim[DIM_COUNT];
    for (int d = 0; d < DIM_COUNT; d++) {
        enum tag t = dim_tag[d];
        dim[d] = r->tags[t] ? intern_str(b->strings, r->tags[t], r->tag_len[t]) : NULL;
    }
    cb_i128 tok = record_token_cost(r, (enum price_speed)r->speed, (enum price_geo)r->geo);
    cb_i128 cost = tok + price_search_cost(e, r->web_search) +
                   (cb_i128)r->skill * b->c->skill_rate_micros * 1000000 +
                   (cb_i128)r->mcp * b->c->mcp_rate_micros * 1000000;
    int64_t q = r->requests + r->web_search + r->skill + r->mcp;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        q += r->tokens[k];
    if (b->too_large || q > LEDGER_QUANTITY_CAP - b->quantity_sum) {
        b->too_large = true;
        return; /* finish fails the run; nothing is rendered */
    }
    b->quantity_sum += q;
    struct macc *m = month_get(b, r->year, r->month);
    m->billed++;

    struct bacc *a = bucket_get(b, m, r, team);
    struct ledger_bucket *bk = &a->b;
    struct ledger_usage ru;
    usage_of(&ru, r);
    usage_add(&bk->usage, &ru);
    bk->cost += cost;
    if (team)
        bk->team_cost += cost;

    bk->metrics.sessions += r->metrics.sessions;
    bk->metrics.commits += r->metrics.commits;
    bk->metrics.pull_requests += r->metrics.pull_requests;
    bk->metrics.lines_added += r->metrics.lines_added;
    bk->metrics.lines_removed += r->metrics.lines_removed;
    if (r->speed || r->geo) {
        bk->premium += tok - record_token_cost(r, SPEED_STANDARD, GEO_GLOBAL);
        bk->premium_requests += r->requests;
    }
    struct ledger_line *l = line_get(a, e, r->batch, r->band, r->speed, r->geo);
    l->requests += r->requests;
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        l->tokens[k] += r->tokens[k];
    l->web_search += r->web_search;

    for (int d = 0; d < DIM_COUNT; d++) {
        struct ledger_group *g = group_get(&a->g[d], dim[d]);
        usage_add(&g->usage, &ru);
        g->cost += cost;
        if (r->batch) {
            g->cost_batch += cost;
            g->batch_requests += r->requests;
        } else {
            g->cost_nonbatch_tokens += tok;
            g->uncached_input_cost += price_token_cost(e, TOK_INPUT, false, r->tokens[TOK_INPUT]);
        }
    }

    if (r->day >= 1 && r->day <= 31) {
        struct ledger_day *day = ledger_bucket_day_add(bk, r->day);
        usage_add(&day->usage, &ru);
        day->cost += cost;

        if (e->family && (e->family[0] == 'o' || e->family[0] == 's') &&
            (strcmp(e->family, "opus") == 0 || strcmp(e->family, "sonnet") == 0) &&
            r->tokens[TOK_INPUT] < 1000 * r->requests &&
            r->tokens[TOK_OUTPUT] < 500 * r->requests) {
            const struct price_entry *h = haiku_for(b, m, r->day);
            if (h) {
                cb_i128 saving = tok - token_cost(h, r->batch, r->tokens);
                if (saving > 0) {
                    bk->routing_saving += saving;
                    bk->routing_requests += r->requests;
                }
            }
        }
    }

    m->total_cost += cost;
    for (int t = 0; t < TAG_COUNT; t++)
        if (r->tags[t])
            m->tag_cost[t] += cost;
    uint32_t seen;
    if (team && !pmap_get(&m->team_seen, (uintptr_t)team, &seen))
        pmap_put(&m->team_seen, (uintptr_t)team, 0);
}

/* Folds one valid record in and says what became of it (billed, duplicate, outside the
 * period). Allocates only for keys not seen before. Never fails (OOM aborts). */
enum ledger_fate ledger_builder_add(struct ledger_builder *b, const struct record *r)
{
    enum ledger_fate fate = ledger_builder_check(b, r);
    if (fate == LEDGER_BILLED)
        fold(b, r);
    return fate;
}

/* ---- parts: folds on other threads, merged ---- */

struct ledger_part {
    struct ledger_builder b; /* no id set, no counts: only the sums of fold */
};

/* Returns a new, empty part for b's configuration, price book and period (borrowed: b must
 * outlive the part). Free with ledger_part_free, or hand it to ledger_builder_merge. */
struct ledger_part *ledger_part_new(const struct ledger_builder *b)
{
    struct ledger_part *p = xcalloc(1, sizeof *p);
    p->b.c = b->c;
    p->b.pb = b->pb;
    p->b.year = b->year;
    p->b.month = b->month;
    p->b.strings = intern_new();
    return p;
}

/* Frees a part. Accepts NULL. */
void ledger_part_free(struct ledger_part *p)
{
    if (!p)
        return;
    struct ledger_builder *b = &p->b;
    for (size_t i = 0; i < b->n_months; i++)
        macc_free(b->months[i], b->c->n_shared);
    free(b->months);
    pmap_free(&b->month_map);
    intern_free(b->strings);
    free(p);
}

/* Adds a record that ledger_builder_check found billable to the part's sums. */
void ledger_part_fold(struct ledger_part *p, const struct record *r)
{
    fold(&p->b, r);
}

static const char *reintern(struct ledger_builder *b, const char *s)
{
    return s ? intern_str(b->strings, s, strlen(s)) : NULL;
}

/* Adds bucket x (of a part) into bucket a (of the builder). */
static void bacc_merge(struct ledger_builder *b, struct bacc *a, const struct bacc *x)
{
    usage_add(&a->b.usage, &x->b.usage);
    a->b.cost += x->b.cost;
    for (int d = 1; d <= 31; d++)
        if (x->b.day_mask >> (d - 1) & 1u) {
            const struct ledger_day *xd = ledger_bucket_day(&x->b, d);
            struct ledger_day *ad = ledger_bucket_day_add(&a->b, d);
            usage_add(&ad->usage, &xd->usage);
            ad->cost += xd->cost;
        }
    a->b.team_cost += x->b.team_cost;
    a->b.routing_saving += x->b.routing_saving;
    a->b.routing_requests += x->b.routing_requests;
    a->b.premium += x->b.premium;
    a->b.premium_requests += x->b.premium_requests;
    a->b.metrics.sessions += x->b.metrics.sessions;
    a->b.metrics.commits += x->b.metrics.commits;
    a->b.metrics.pull_requests += x->b.metrics.pull_requests;
    a->b.metrics.lines_added += x->b.metrics.lines_added;
    a->b.metrics.lines_removed += x->b.metrics.lines_removed;
    for (size_t i = 0; i < x->b.n_lines; i++) {
        const struct ledger_line *xl = &x->b.lines[i];
        struct ledger_line *l = line_get(a, xl->price, xl->batch, xl->band, xl->speed, xl->geo);
        l->requests += xl->requests;
        for (int k = 0; k < TOK_CLASS_COUNT; k++)
            l->tokens[k] += xl->tokens[k];
        l->web_search += xl->web_search;
    }
    for (int d = 0; d < DIM_COUNT; d++)
        for (size_t i = 0; i < x->g[d].n; i++) {
            const struct ledger_group *xg = &x->g[d].v[i];
            struct ledger_group *g = group_get(&a->g[d], reintern(b, xg->key));
            usage_add(&g->usage, &xg->usage);
            g->cost += xg->cost;
            g->cost_batch += xg->cost_batch;
            g->cost_nonbatch_tokens += xg->cost_nonbatch_tokens;
            g->uncached_input_cost += xg->uncached_input_cost;
            g->batch_requests += xg->batch_requests;
        }
}

/* Adds every sum of part p into b and frees p. Sums are integers, so the result does not depend
 * on which part folded which record, nor on the order parts are merged in; finish sorts what
 * hash order would otherwise leak. Never fails (OOM aborts). */
void ledger_builder_merge(struct ledger_builder *b, struct ledger_part *p)
{
    if (b->n_months == 0 && !b->retired) {
        /* The first part merged into a builder that folded nothing itself is taken over whole:
         * copying it would hold every bucket twice (1.4 GB at 100,000 teams) and redo every
         * lookup. Its interner becomes the builder's, so the pointer keys of its maps stay
         * valid; the builder's own strings (file formats, cost rows) live on beside it. */
        struct ledger_builder *x = &p->b;
        b->retired = b->strings;
        b->strings = x->strings;
        x->strings = NULL;
        b->months = x->months;
        b->n_months = x->n_months;
        b->cap_months = x->cap_months;
        b->month_map = x->month_map;
        x->months = NULL;
        x->n_months = x->cap_months = 0;
        x->month_map = (struct pmap){0};
        b->last = NULL;
    }
    const struct ledger_builder *x = &p->b;
    for (size_t i = 0; i < x->n_months; i++) {
        const struct macc *xm = x->months[i];
        struct macc *m = month_get(b, xm->year, xm->month);
        m->billed += xm->billed;
        m->total_cost += xm->total_cost;
        for (int t = 0; t < TAG_COUNT; t++)
            m->tag_cost[t] += xm->tag_cost[t];
        uint32_t seen;
        for (size_t k = 0; xm->team_seen.key && k < ((size_t)1 << xm->team_seen.bits); k++) {
            const char *team = reintern(b, (const char *)xm->team_seen.key[k]);
            if (team && !pmap_get(&m->team_seen, (uintptr_t)team, &seen))
                pmap_put(&m->team_seen, (uintptr_t)team, 0);
        }
        for (size_t k = 0; k < xm->n_teams; k++)
            bacc_merge(b, team_bucket(m, reintern(b, xm->teams[k]->b.team)), xm->teams[k]);
        for (size_t k = 0; xm->shared && k < b->c->n_shared; k++)
            if (xm->shared[k]) {
                if (!m->shared[k])
                    m->shared[k] = bacc_new(BUCKET_SHARED, NULL, (int)k);
                bacc_merge(b, m->shared[k], xm->shared[k]);
            }
        if (xm->unalloc) {
            if (!m->unalloc)
                m->unalloc = bacc_new(BUCKET_UNALLOCATED, NULL, -1);
            bacc_merge(b, m->unalloc, xm->unalloc);
        }
    }
    if (x->too_large || x->quantity_sum > LEDGER_QUANTITY_CAP - b->quantity_sum)
        b->too_large = true;
    else
        b->quantity_sum += x->quantity_sum;
    ledger_part_free(p);
}

/* ---- finishing ---- */

static int cmp_line(const void *pa, const void *pb)
{
    const struct ledger_line *a = pa, *b = pb;
    int c = strcmp(a->price->model, b->price->model);
    if (c)
        return c;
    if (a->batch != b->batch)
        return a->batch ? 1 : -1;
    c = strcmp(a->price->effective_from, b->price->effective_from);
    if (c)
        return c;
    if (a->band != b->band || a->speed != b->speed || a->geo != b->geo)
        return (a->band - b->band) * 4 + (a->speed - b->speed) * 2 + (a->geo - b->geo) > 0 ? 1 : -1;
    return (a->price->index > b->price->index) - (a->price->index < b->price->index);
}

static int cmp_key(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_group(const void *pa, const void *pb)
{
    const struct ledger_group *a = pa, *b = pb;
    return cmp_key(a->key, b->key);
}

static int cmp_bacc_team(const void *pa, const void *pb)
{
    const struct bacc *const *a = pa, *const *b = pb;
    return strcmp((*a)->b.team, (*b)->b.team);
}

static int cmp_str(const void *pa, const void *pb)
{
    const char *const *a = pa, *const *b = pb;
    return strcmp(*a, *b);
}

/* A copy of n elements of `size` bytes in an allocation of exactly that size (NULL for none),
 * and frees the original. */
static void *take_exact(void *v, size_t n, size_t size)
{
    void *copy = n ? xmalloc(n * size) : NULL;
    if (n)
        memcpy(copy, v, n * size);
    free(v);
    return copy;
}

/* Moves a bucket's accumulators into `out`, sorted; `a` keeps nothing that `out` refers to.
 * Its arrays are copied at their exact size: they grew by doubling on the thread that folded
 * them, and the copies (made on the thread that finishes) leave that thread's heap holding only
 * freed memory, which ingest_run hands back to the system. */
static void bucket_take(struct bacc *a, struct ledger_bucket *out)
{
    *out = a->b;
    out->lines = take_exact(a->b.lines, a->b.n_lines, sizeof *out->lines);
    out->days = take_exact(a->b.days, (size_t)__builtin_popcount(a->b.day_mask), sizeof *out->days);
    a->b.lines = NULL;
    a->b.n_lines = 0;
    a->b.days = NULL;
    a->b.day_mask = 0;
    if (out->n_lines > 1)
        qsort(out->lines, out->n_lines, sizeof *out->lines, cmp_line);
    for (int d = 0; d < DIM_COUNT; d++) {
        out->groups[d] = take_exact(a->g[d].v, a->g[d].n, sizeof *out->groups[d]);
        out->n_groups[d] = a->g[d].n;
        a->g[d].v = NULL;
        a->g[d].n = 0;
        if (out->n_groups[d] > 1)
            qsort(out->groups[d], out->n_groups[d], sizeof *out->groups[d], cmp_group);
    }
}

/* Picks the period, moves the chosen month's aggregates into a new ledger (sorted; free with
 * ledger_free) and frees the builder. CB_EUSAGE when no month was given and no record was
 * valid; then *out is NULL. */
static int cmp_opt_str(const char *a, const char *b)
{
    return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

static int cmp_month(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int cmp_billed_row(const void *pa, const void *pb)
{
    const struct ledger_billed_row *a = pa, *b = pb;
    int c = cmp_opt_str(a->model, b->model);
    return c ? c : cmp_opt_str(a->kind, b->kind);
}

static int cmp_billed_ws(const void *pa, const void *pb)
{
    const struct ledger_billed_ws *a = pa, *b = pb;
    return cmp_opt_str(a->workspace, b->workspace);
}

/* Sums the cost rows of the ledger's month by model x kind, workspace and day; counts the
 * others by month. Rows are few (days x models x token types x workspaces), so a sort and a
 * merge of neighbours does. */
static void billed_take(struct ledger_builder *b, struct ledger *l)
{
    struct ledger_billed *B = &l->billed;
    B->present = b->has_cost_report;
    if (!b->n_costs)
        return;
    B->lines = xcalloc(b->n_costs, sizeof *B->lines);
    B->workspaces = xcalloc(b->n_costs, sizeof *B->workspaces);
    for (size_t i = 0; i < b->n_costs; i++) {
        const struct rec_cost *c = &b->costs[i];
        if (c->year != l->year || c->month != l->month) {
            B->other_rows++;
            char ym[16];
            snprintf(ym, sizeof ym, "%04d-%02d", c->year, c->month);
            size_t k = 0;
            while (k < B->n_other_months && strcmp(B->other_months[k], ym) != 0)
                k++;
            if (k == B->n_other_months && k < 8) {
                memcpy(B->other_months[k], ym, sizeof ym);
                B->n_other_months++;
                qsort(B->other_months, B->n_other_months, sizeof B->other_months[0], cmp_month);
            }
            continue;
        }
        B->rows++;
        B->total += c->pico;
        B->days[c->day - 1] += c->pico;
        B->by_description = B->by_description || c->model || c->kind;
        B->by_workspace = B->by_workspace || c->workspace;
        B->lines[B->n_lines++] = (struct ledger_billed_row){c->model, c->kind, c->pico};
        B->workspaces[B->n_workspaces++] = (struct ledger_billed_ws){c->workspace, c->pico};
    }
    qsort(B->lines, B->n_lines, sizeof *B->lines, cmp_billed_row);
    size_t n = 0;
    for (size_t i = 0; i < B->n_lines; i++)
        if (n && cmp_billed_row(&B->lines[n - 1], &B->lines[i]) == 0)
            B->lines[n - 1].pico += B->lines[i].pico;
        else
            B->lines[n++] = B->lines[i];
    B->n_lines = n;
    qsort(B->workspaces, B->n_workspaces, sizeof *B->workspaces, cmp_billed_ws);
    n = 0;
    for (size_t i = 0; i < B->n_workspaces; i++)
        if (n && cmp_billed_ws(&B->workspaces[n - 1], &B->workspaces[i]) == 0)
            B->workspaces[n - 1].pico += B->workspaces[i].pico;
        else
            B->workspaces[n++] = B->workspaces[i];
    B->n_workspaces = n;
}

enum cb_status ledger_builder_finish(struct ledger_builder *b, struct ledger **out,
                                     struct cb_error *err)
{
    *out = NULL;
    struct macc *m = NULL;
    int year = b->year, month = b->month;
    if (b->too_large) {
        ledger_builder_free(b);
        return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                            "the inputs add up to more than 10^18 requests, tokens, searches and "
                            "calls; sums that large cannot be kept exact, so nothing is priced");
    }
    if (year == 0) {
        for (size_t i = 0; i < b->n_months; i++) {
            struct macc *x = b->months[i];
            if (!m || x->billed > m->billed ||
                (x->billed == m->billed &&
                 (x->year < m->year || (x->year == m->year && x->month < m->month))))
                m = x;
        }
        if (!m) {
            /* every record was rejected: say so, or a file of bad lines reads as an empty one */
            const char *example = NULL;
            for (int r = 0; r < REJ_COUNT && !example; r++)
                example = b->counts.examples[r][0];
            enum cb_status st =
                b->counts.records_read > 0 && example
                    ? cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                   "no usage records in the inputs: %lld read, all rejected, "
                                   "e.g. %s (with --month YYYY-MM, check lists each reason)",
                                   (long long)b->counts.records_read, example)
                    : cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "no usage records in the inputs");
            ledger_builder_free(b);
            return st;
        }
        year = m->year;
        month = m->month;
    } else if (b->n_months) {
        m = b->months[0]; /* a fixed period only ever makes its own month */
    }

    struct ledger_impl *impl = xcalloc(1, sizeof *impl);
    struct ledger *l = &impl->pub;
    l->year = year;
    l->month = month;
    l->days_in_month = date_days_in_month(year, month);
    l->counts = b->counts;
    memset(b->counts.examples, 0, sizeof b->counts.examples);
    l->counts.billed = m ? m->billed : 0;
    for (size_t i = 0; i < b->n_months; i++)
        if (b->months[i] != m)
            l->counts.outside_period += b->months[i]->billed;

    size_t n_shared = 0;
    for (size_t i = 0; m && i < b->c->n_shared; i++)
        n_shared += m->shared[i] != NULL;
    size_t n_teams = m ? m->n_teams : 0;
    l->n_buckets = n_teams + n_shared + 1;
    l->buckets = xcalloc(l->n_buckets, sizeof *l->buckets);
    size_t nb = 0;
    if (n_teams) {
        qsort(m->teams, n_teams, sizeof *m->teams, cmp_bacc_team);
        for (size_t i = 0; i < n_teams; i++) {
            bucket_take(m->teams[i], &l->buckets[nb++]);
            /* what is left of it (its maps) goes now, not with the builder: the peak stays
             * at one copy of the buckets */
            bacc_free(m->teams[i]);
            m->teams[i] = NULL;
        }
    }
    for (size_t i = 0; m && i < b->c->n_shared; i++)
        if (m->shared[i])
            bucket_take(m->shared[i], &l->buckets[nb++]);
    if (m && m->unalloc) {
        bucket_take(m->unalloc, &l->buckets[nb++]);
    } else {
        l->buckets[nb].kind = BUCKET_UNALLOCATED;
        l->buckets[nb].shared_index = -1;
        nb++;
    }

    if (m) {
        l->total_cost = m->total_cost;
        memcpy(l->tag_cost, m->tag_cost, sizeof l->tag_cost);
        l->teams_seen = xcalloc(m->team_seen.n ? m->team_seen.n : 1, sizeof *l->teams_seen);
        for (size_t i = 0; m->team_seen.key && i < ((size_t)1 << m->team_seen.bits); i++)
            if (m->team_seen.key[i])
                l->teams_seen[l->n_teams_seen++] = (char *)m->team_seen.key[i];
        if (l->n_teams_seen > 1)
            qsort(l->teams_seen, l->n_teams_seen, sizeof *l->teams_seen, cmp_str);
    }

    billed_take(b, l);
    l->files = b->files;
    l->n_files = b->n_files;
    b->files = NULL;
    b->n_files = 0;
    impl->strings = b->strings;
    impl->retired = b->retired;
    b->strings = NULL;
    b->retired = NULL;
    ledger_builder_free(b);
    *out = l;
    return CB_OK;
}

/* Frees a ledger made by ledger_builder_finish, its interned strings included. Accepts NULL. */
void ledger_free(struct ledger *l)
{
    if (!l)
        return;
    struct ledger_impl *impl = (struct ledger_impl *)l;
    for (size_t i = 0; i < l->n_buckets; i++) {
        free(l->buckets[i].lines);
        free(l->buckets[i].days);
        for (int d = 0; d < DIM_COUNT; d++)
            free(l->buckets[i].groups[d]);
    }
    free(l->buckets);
    for (size_t i = 0; i < l->n_files; i++)
        free(l->files[i].path);
    free(l->files);
    for (int r = 0; r < REJ_COUNT; r++)
        for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++)
            free(l->counts.examples[r][k]);
    free(l->teams_seen); /* the strings themselves are interned */
    free(l->billed.lines);
    free(l->billed.workspaces);
    intern_free(impl->strings);
    intern_free(impl->retired);
    free(impl);
}

/* The team bucket of `id` by binary search, or NULL. Borrowed from l. */
const struct ledger_bucket *ledger_team(const struct ledger *l, const char *id)
{
    /* team buckets come first, sorted by id; any other bucket counts as greater than every id */
    size_t lo = 0, hi = l->n_buckets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ledger_bucket *bk = &l->buckets[mid];
        int c = bk->kind == BUCKET_TEAM ? strcmp(bk->team, id) : 1;
        if (c == 0)
            return bk;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The unallocated bucket (the last one in a finished ledger). Borrowed from l. */
const struct ledger_bucket *ledger_unallocated(const struct ledger *l)
{
    for (size_t i = l->n_buckets; i-- > 0;)
        if (l->buckets[i].kind == BUCKET_UNALLOCATED)
            return &l->buckets[i];
    return NULL;
}

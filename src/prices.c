/* The price book (SPEC §3): the built-in Anthropic list prices, JSON overrides, and the
 * resolution of a record's model id and day to one entry.
 *
 * Resolution rules: a model id resolves exactly, else through an alias, else with a trailing
 * "-YYYYMMDD" (exactly 8 digits) stripped and the exact/alias lookup retried. Nothing else: no
 * prefix or fuzzy matching, so a record is never priced as some other model. Among the entries
 * of the resolved id, the one in force on a day is the latest whose effective_day <= that day
 * (an entry without a date is in force from the beginning).
 *
 * All prices are integers: micro-USD per million tokens (token classes) and micro-USD per 1,000
 * web searches. Costs are tokens × micro-USD-per-million = pico-USD, exactly. */
#include "prices.h"

#include "sha256.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "strbuf.h"
#include "xalloc.h"

#define PRICES_CHECKED "2026-12-02"
#define E6             1000000

struct price_alias {
    char *alias;
    char *model; /* canonical id */
};

struct price_book {
    struct price_entry *entries; /* sorted by model, then effective_day; model/family owned */
    size_t n, cap;
    struct price_alias *aliases; /* sorted by alias */
    size_t n_aliases, cap_aliases;
    char checked[11];
    char sha256[65];
};

/* One built-in row: prices in micro-USD per million tokens, multipliers in thousandths. */
struct builtin {
    const char *model, *family, *from; /* from: effective date, NULL for always */
    int64_t in, out, cread, cw5, cw1;
    int64_t fast_e3, us_e3;                         /* 0: not priced (the API refuses it) */
    int64_t long_above, lin, lout, lcr, lcw5, lcw1; /* long-prompt band, 0: none */
    const char *source;
};

/* Sources, looked up on PRICES_CHECKED (docs/prices.md keeps every page and the decisions):
 * PRICING  the pricing page (model table, batch 50 %, web search $10 per 1,000);
 * FAST     the fast-mode pages: Opus 5.5, Opus 5 and Opus 4.8 fast at 2×, Opus 4.7 and 4.6 at
 *          6× (fast mode on 4.6/4.7 is removed now but was billed in this year's months);
 * GEO      data residency: inference_geo "us" at 1.1× on Opus 4.6, Sonnet 4.6 and later
 *          models; older models refuse the parameter;
 * the model pages for Haiku 5.5 (its prompts over 100K band) and Sonnet 5.5 (cache reads cut
 * from $0.20 to $0.10 on 2026-10-07). */
#define SRC_PRICING "https://platform.claude.com/docs/en/about-claude/pricing"
#define SRC_FAST                                                                                   \
    SRC_PRICING "; https://platform.claude.com/docs/en/build-with-claude/fast-mode; "              \
                "https://code.claude.com/docs/en/fast-mode"
#define SRC_GEO      SRC_PRICING "; https://platform.claude.com/docs/en/manage-claude/data-residency"
#define SRC_FAST_GEO SRC_FAST "; https://platform.claude.com/docs/en/manage-claude/data-residency"
#define SRC_HAIKU55  SRC_GEO "; https://platform.claude.com/docs/en/models/haiku-5-5/overview"
#define SRC_SONNET55 SRC_GEO "; https://platform.claude.com/docs/en/models/sonnet-5-5/overview"
#define SRC_RETIRED  SRC_PRICING " (last published list price of a retired model)"

#define US 1100 /* ×1.1 */

static const struct builtin BUILTIN[] = {
    /* model, family, from, input, output, cache read, 5m write, 1h write, fast, us, long band */
    {"claude-fable-5-1", "fable", NULL, 10000000, 50000000, 250000, 12500000, 20000000, 0, US, 0, 0,
     0, 0, 0, 0, SRC_GEO},
    {"claude-fable-5", "fable", NULL, 10000000, 50000000, 1000000, 12500000, 20000000, 0, US, 0, 0,
     0, 0, 0, 0, SRC_GEO},
    {"claude-opus-5-5", "opus", NULL, 4000000, 20000000, 200000, 5000000, 8000000, 2000, US, 0, 0,
     0, 0, 0, 0, SRC_FAST_GEO},
    {"claude-opus-5", "opus", NULL, 5000000, 25000000, 500000, 6250000, 10000000, 2000, US, 0, 0, 0,
     0, 0, 0, SRC_FAST_GEO},
    {"claude-opus-4-8", "opus", NULL, 5000000, 25000000, 500000, 6250000, 10000000, 2000, US, 0, 0,
     0, 0, 0, 0, SRC_FAST_GEO},
    {"claude-opus-4-7", "opus", NULL, 5000000, 25000000, 500000, 6250000, 10000000, 6000, US, 0, 0,
     0, 0, 0, 0, SRC_FAST_GEO},
    {"claude-opus-4-6", "opus", NULL, 5000000, 25000000, 500000, 6250000, 10000000, 6000, US, 0, 0,
     0, 0, 0, 0, SRC_FAST_GEO},
    {"claude-opus-4-5", "opus", NULL, 5000000, 25000000, 500000, 6250000, 10000000, 0, 0, 0, 0, 0,
     0, 0, 0, SRC_PRICING},
    {"claude-opus-4-1", "opus", NULL, 15000000, 75000000, 1500000, 18750000, 30000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_PRICING},
    {"claude-opus-4-0", "opus", NULL, 15000000, 75000000, 1500000, 18750000, 30000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_PRICING},
    {"claude-3-opus", "opus", NULL, 15000000, 75000000, 1500000, 18750000, 30000000, 0, 0, 0, 0, 0,
     0, 0, 0, SRC_RETIRED},
    {"claude-sonnet-5-5", "sonnet", NULL, 2000000, 10000000, 200000, 2500000, 4000000, 0, US, 0, 0,
     0, 0, 0, 0, SRC_SONNET55},
    {"claude-sonnet-5-5", "sonnet", "2026-10-07", 2000000, 10000000, 100000, 2500000, 4000000, 0,
     US, 0, 0, 0, 0, 0, 0, SRC_SONNET55},
    {"claude-sonnet-5", "sonnet", NULL, 2000000, 10000000, 200000, 2500000, 4000000, 0, US, 0, 0, 0,
     0, 0, 0, SRC_GEO},
    {"claude-sonnet-4-6", "sonnet", NULL, 3000000, 15000000, 300000, 3750000, 6000000, 0, US, 0, 0,
     0, 0, 0, 0, SRC_GEO},
    {"claude-sonnet-4-5", "sonnet", NULL, 3000000, 15000000, 300000, 3750000, 6000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_PRICING},
    {"claude-sonnet-4-0", "sonnet", NULL, 3000000, 15000000, 300000, 3750000, 6000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_PRICING},
    {"claude-3-7-sonnet", "sonnet", NULL, 3000000, 15000000, 300000, 3750000, 6000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_RETIRED},
    {"claude-3-5-sonnet", "sonnet", NULL, 3000000, 15000000, 300000, 3750000, 6000000, 0, 0, 0, 0,
     0, 0, 0, 0, SRC_RETIRED},
    /* Haiku 5.5 exists from its release day, so months before it keep recommending Haiku 4.5. */
    {"claude-haiku-5-5", "haiku", "2026-10-07", 100000, 500000, 10000, 125000, 200000, 0, US,
     100000, 500000, 2500000, 50000, 625000, 1000000, SRC_HAIKU55},
    {"claude-haiku-4-5", "haiku", NULL, 1000000, 5000000, 100000, 1250000, 2000000, 0, 0, 0, 0, 0,
     0, 0, 0, SRC_PRICING},
    {"claude-3-5-haiku", "haiku", NULL, 800000, 4000000, 80000, 1000000, 1600000, 0, 0, 0, 0, 0, 0,
     0, 0, SRC_RETIRED},
    {"claude-3-haiku", "haiku", NULL, 250000, 1250000, 30000, 300000, 500000, 0, 0, 0, 0, 0, 0, 0,
     0, SRC_RETIRED},
};

static const struct {
    const char *alias, *model;
} BUILTIN_ALIASES[] = {
    {"claude-opus-4", "claude-opus-4-0"},
    {"claude-sonnet-4", "claude-sonnet-4-0"},
    {"claude-3-7-sonnet-latest", "claude-3-7-sonnet"},
    {"claude-3-5-haiku-latest", "claude-3-5-haiku"},
    {"claude-3-5-sonnet-latest", "claude-3-5-sonnet"},
    {"claude-3-opus-latest", "claude-3-opus"},
};

#define BUILTIN_WEB_SEARCH_PER_K  10000000 /* $10.00 per 1,000 searches */
#define BUILTIN_BATCH_DISCOUNT_E6 500000   /* 50 % */

static int entry_cmp(const void *a, const void *b)
{
    const struct price_entry *x = a, *y = b;
    int c = strcmp(x->model, y->model);
    if (c != 0)
        return c;
    return (x->effective_day > y->effective_day) - (x->effective_day < y->effective_day);
}

static int alias_cmp(const void *a, const void *b)
{
    const struct price_alias *x = a, *y = b;
    return strcmp(x->alias, y->alias);
}

/* per_mtok × (1 − discount), rounded half away from zero to whole micro-USD. */
static void entry_fill_batch(struct price_entry *e)
{
    for (int k = 0; k < TOK_CLASS_COUNT; k++)
        e->batch_per_mtok[k] =
            (int64_t)money_div_round((cb_i128)e->per_mtok[k] * (E6 - e->batch_discount_e6), E6);
}

/* Appends a copy of *e (model and family duplicated) and returns the new slot. */
static struct price_entry *book_add(struct price_book *pb, const struct price_entry *e)
{
    if (pb->n == pb->cap) {
        pb->cap = pb->cap ? pb->cap * 2 : 32;
        pb->entries = xreallocarray(pb->entries, pb->cap, sizeof *pb->entries);
    }
    struct price_entry *slot = &pb->entries[pb->n++];
    *slot = *e;
    slot->model = xstrdup(e->model);
    slot->family = xstrdup(e->family ? e->family : "");
    slot->source = xstrdup(e->source ? e->source : "");
    return slot;
}

static struct price_alias *alias_find(const struct price_book *pb, const char *alias)
{
    for (size_t i = 0; i < pb->n_aliases; i++)
        if (strcmp(pb->aliases[i].alias, alias) == 0)
            return &pb->aliases[i];
    return NULL;
}

static void book_set_alias(struct price_book *pb, const char *alias, const char *model)
{
    struct price_alias *a = alias_find(pb, alias);
    if (a) {
        free(a->model);
        a->model = xstrdup(model);
        return;
    }
    if (pb->n_aliases == pb->cap_aliases) {
        pb->cap_aliases = pb->cap_aliases ? pb->cap_aliases * 2 : 16;
        pb->aliases = xreallocarray(pb->aliases, pb->cap_aliases, sizeof *pb->aliases);
    }
    pb->aliases[pb->n_aliases].alias = xstrdup(alias);
    pb->aliases[pb->n_aliases].model = xstrdup(model);
    pb->n_aliases++;
}

static bool book_has_model(const struct price_book *pb, const char *model)
{
    for (size_t i = 0; i < pb->n; i++)
        if (strcmp(pb->entries[i].model, model) == 0)
            return true;
    return false;
}

/* The canonical text every hash is taken over: one line per entry in book order, then one line
 * per alias in alias order, integers only, tab-separated. */
static void book_serialize(const struct price_book *pb, struct strbuf *b)
{
    strbuf_printf(b, "chargeback price book v2\nchecked\t%s\n", pb->checked);
    for (size_t i = 0; i < pb->n; i++) {
        const struct price_entry *e = &pb->entries[i];
        strbuf_printf(b, "model\t%s\t%s\t%s", e->model,
                      e->effective_from[0] ? e->effective_from : "-", e->family);
        for (int k = 0; k < TOK_CLASS_COUNT; k++)
            strbuf_printf(b, "\t%lld", (long long)e->per_mtok[k]);
        strbuf_printf(b, "\t%lld\t%lld\tlong\t%lld", (long long)e->web_search_per_k,
                      (long long)e->batch_discount_e6, (long long)e->long_above);
        for (int k = 0; k < TOK_CLASS_COUNT; k++)
            strbuf_printf(b, "\t%lld", (long long)e->long_per_mtok[k]);
        strbuf_printf(b, "\tfast\t%lld\tus\t%lld\n", (long long)e->speed_fast_e3,
                      (long long)e->geo_us_e3);
    }
    for (size_t i = 0; i < pb->n_aliases; i++)
        strbuf_printf(b, "alias\t%s\t%s\n", pb->aliases[i].alias, pb->aliases[i].model);
}

/* Sorts, renumbers and re-hashes the book after any change. */
static void book_finish(struct price_book *pb)
{
    qsort(pb->entries, pb->n, sizeof *pb->entries, entry_cmp);
    for (size_t i = 0; i < pb->n; i++)
        pb->entries[i].index = (int)i;
    qsort(pb->aliases, pb->n_aliases, sizeof *pb->aliases, alias_cmp);

    if (!cb_sodium_start()) {
        fprintf(stderr, "chargeback: fatal: libsodium failed to initialize\n");
        abort();
    }
    struct strbuf b = STRBUF_INIT;
    book_serialize(pb, &b);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)(b.data ? b.data : ""), b.len);
    sodium_bin2hex(pb->sha256, sizeof pb->sha256, h, sizeof h);
    strbuf_free(&b);
}

/* Returns a new book with the built-in list prices; free with price_book_free. Never fails. */
struct price_book *price_book_new_builtin(void)
{
    struct price_book *pb = xcalloc(1, sizeof *pb);
    snprintf(pb->checked, sizeof pb->checked, "%s", PRICES_CHECKED);
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++) {
        const struct builtin *r = &BUILTIN[i];
        struct price_entry e = {
            .model = r->model,
            .family = r->family,
            .per_mtok = {r->in, r->out, r->cread, r->cw5, r->cw1},
            .web_search_per_k = BUILTIN_WEB_SEARCH_PER_K,
            .batch_discount_e6 = BUILTIN_BATCH_DISCOUNT_E6,
            .long_above = r->long_above,
            .long_per_mtok = {r->lin, r->lout, r->lcr, r->lcw5, r->lcw1},
            .speed_fast_e3 = r->fast_e3,
            .geo_us_e3 = r->us_e3,
            .source = r->source,
        };
        snprintf(e.checked, sizeof e.checked, "%s", PRICES_CHECKED);
        if (r->from) {
            snprintf(e.effective_from, sizeof e.effective_from, "%s", r->from);
            e.effective_day = (r->from[0] - '0') * 10000000 + (r->from[1] - '0') * 1000000 +
                              (r->from[2] - '0') * 100000 + (r->from[3] - '0') * 10000 +
                              (r->from[5] - '0') * 1000 + (r->from[6] - '0') * 100 +
                              (r->from[8] - '0') * 10 + (r->from[9] - '0');
        }
        entry_fill_batch(&e);
        book_add(pb, &e);
    }
    for (size_t i = 0; i < sizeof BUILTIN_ALIASES / sizeof BUILTIN_ALIASES[0]; i++)
        book_set_alias(pb, BUILTIN_ALIASES[i].alias, BUILTIN_ALIASES[i].model);
    book_finish(pb);
    return pb;
}

/* Frees the book and every entry it owns. Accepts NULL. */
void price_book_free(struct price_book *pb)
{
    if (!pb)
        return;
    for (size_t i = 0; i < pb->n; i++) {
        free((char *)pb->entries[i].model);
        free((char *)pb->entries[i].family);
        free((char *)pb->entries[i].source);
    }
    free(pb->entries);
    for (size_t i = 0; i < pb->n_aliases; i++) {
        free(pb->aliases[i].alias);
        free(pb->aliases[i].model);
    }
    free(pb->aliases);
    free(pb);
}

/* Parses "YYYY-MM-DD" (a real calendar day) into YYYYMMDD. */
static bool parse_day(const char *s, int32_t *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return false;
    *out = y * 10000 + m * 100 + d;
    return true;
}

/* strcmp(s, key[0..len)) for a key that is not NUL-terminated at len. */
static int cmp_n(const char *s, const char *key, size_t len)
{
    int c = strncmp(s, key, len);
    if (c != 0)
        return c;
    return s[len] != '\0';
}

/* The entry of exactly `model` in force on `day` (day <= 0: the newest entry). Entries are
 * sorted by model then date: binary search for the first, then walk the model's dates. */
static const struct price_entry *find_exact(const struct price_book *pb, const char *model,
                                            size_t len, int32_t day)
{
    size_t lo = 0, hi = pb->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_n(pb->entries[mid].model, model, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct price_entry *best = NULL;
    for (size_t i = lo; i < pb->n && cmp_n(pb->entries[i].model, model, len) == 0; i++) {
        if (day > 0 && pb->entries[i].effective_day > day)
            break;
        best = &pb->entries[i];
    }
    return best;
}

static const struct price_entry *find_exact_or_alias(const struct price_book *pb, const char *model,
                                                     size_t len, int32_t day)
{
    const struct price_entry *e = find_exact(pb, model, len, day);
    if (e)
        return e;
    size_t lo = 0, hi = pb->n_aliases;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_n(pb->aliases[mid].alias, model, len);
        if (c == 0)
            return find_exact(pb, pb->aliases[mid].model, strlen(pb->aliases[mid].model), day);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Exact, alias, or with a trailing "-YYYYMMDD" stripped (model[0..len)). */
static const struct price_entry *resolve_plain(const struct price_book *pb, const char *model,
                                               size_t len, int32_t day)
{
    const struct price_entry *e = find_exact_or_alias(pb, model, len, day);
    if (e)
        return e;
    if (len > 9 && model[len - 9] == '-') {
        for (size_t i = len - 8; i < len; i++)
            if (!(model[i] >= '0' && model[i] <= '9'))
                return NULL;
        return find_exact_or_alias(pb, model, len - 9, day);
    }
    return NULL;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Rewrites a model id as another channel writes it into the first-party spelling, in buf.
 * Returns the new length, or 0 when the id has no channel decoration. The forms (SPEC §3):
 *   Bedrock     [us.|eu.|apac.|global.]anthropic.<id>[-vN[:M]]
 *   Vertex      <id>@YYYYMMDD                       -> <id>-YYYYMMDD
 *   Claude Code <id>[1m]
 *   OpenRouter  anthropic/<id with dotted versions>  (claude-sonnet-4.5 -> claude-sonnet-4-5)
 * Only these exact shapes are rewritten; the result must still resolve exactly, by alias or by
 * its date, so nothing becomes some other model. */
static size_t channel_canonical(const char *m, size_t len, char *buf, size_t cap)
{
    bool changed = false;
    if (len >= 4 && memcmp(m + len - 4, "[1m]", 4) == 0) {
        len -= 4;
        changed = true;
    }
    bool openrouter = false;
    if (starts_with(m, len, "anthropic/")) {
        m += 10, len -= 10;
        openrouter = changed = true;
    } else {
        static const char *const PROFILES[] = {"us.", "eu.", "apac.", "global."};
        for (size_t i = 0; i < sizeof PROFILES / sizeof PROFILES[0]; i++)
            if (starts_with(m, len, PROFILES[i]) &&
                starts_with(m + strlen(PROFILES[i]), len - strlen(PROFILES[i]), "anthropic.")) {
                m += strlen(PROFILES[i]), len -= strlen(PROFILES[i]);
                break;
            }
        if (starts_with(m, len, "anthropic.")) {
            m += 10, len -= 10;
            changed = true;
            /* The Bedrock version suffix: -v<digits>, optionally followed by :<digits>. */
            size_t j = len;
            while (j > 0 && m[j - 1] >= '0' && m[j - 1] <= '9')
                j--;
            if (j < len && j > 0 && m[j - 1] == ':') {
                size_t k = j - 1;
                j = k;
                while (j > 0 && m[j - 1] >= '0' && m[j - 1] <= '9')
                    j--;
                if (j == k)
                    j = len; /* ":0" without a version number before it: no suffix */
            }
            if (j < len && j >= 2 && m[j - 1] == 'v' && m[j - 2] == '-')
                len = j - 2;
        }
    }
    if (len + 1 > cap || !changed) {
        /* Vertex: the only decoration is '@' before an 8-digit date. */
        if (!changed && len > 9 && len + 1 <= cap && m[len - 9] == '@') {
            memcpy(buf, m, len);
            buf[len - 9] = '-';
            buf[len] = '\0';
            return len;
        }
        return 0;
    }
    memcpy(buf, m, len);
    buf[len] = '\0';
    if (len > 9 && buf[len - 9] == '@')
        buf[len - 9] = '-';
    if (openrouter)
        for (size_t i = 1; i + 1 < len; i++)
            if (buf[i] == '.' && buf[i - 1] >= '0' && buf[i - 1] <= '9' && buf[i + 1] >= '0' &&
                buf[i + 1] <= '9')
                buf[i] = '-';
    return len;
}

/* Resolves a model id to its entry in force on `yyyymmdd` (see the rules at the top of this
 * file). A day <= 0 means "the newest entry". Returns a borrowed pointer valid until the book is
 * merged into or freed, or NULL when the model is unknown or has no price yet on that day. */
const struct price_entry *price_book_resolve(const struct price_book *pb, const char *model,
                                             int32_t yyyymmdd)
{
    if (!pb || !model || !model[0])
        return NULL;
    size_t len = strlen(model);
    const struct price_entry *e = resolve_plain(pb, model, len, yyyymmdd);
    if (e)
        return e;
    char buf[256];
    size_t n = channel_canonical(model, len, buf, sizeof buf);
    return n ? resolve_plain(pb, buf, n, yyyymmdd) : NULL;
}

/* The generation of a model id: its first two numeric parts of at most two digits
 * ("claude-haiku-4-5" -> 4.5, "claude-3-5-haiku" -> 3.5, "claude-3-haiku" -> 3.0). */
static int model_generation(const char *id)
{
    int parts[2] = {0, 0}, n = 0;
    for (const char *p = id; *p && n < 2;) {
        if (*p >= '0' && *p <= '9') {
            const char *q = p;
            int v = 0;
            while (*q >= '0' && *q <= '9')
                v = v * 10 + (*q++ - '0');
            if (q - p <= 2)
                parts[n++] = v;
            p = q;
        } else
            p++;
    }
    return parts[0] * 100 + parts[1];
}

/* The family member to recommend on a day: the newest generation in force that day (by the
 * version in its id, so claude-haiku-4-5 over claude-3-5-haiku over claude-3-haiku), then the
 * cheapest input price within that generation, then the smallest id. Borrowed, or NULL. */
const struct price_entry *price_book_family_rate(const struct price_book *pb, const char *family,
                                                 int32_t yyyymmdd)
{
    if (!pb || !family || !family[0])
        return NULL;
    const struct price_entry *best = NULL;
    int best_gen = -1;
    for (size_t i = 0; i < pb->n; i++) {
        if (strcmp(pb->entries[i].family, family) != 0)
            continue;
        const struct price_entry *e =
            find_exact(pb, pb->entries[i].model, strlen(pb->entries[i].model), yyyymmdd);
        if (e != &pb->entries[i])
            continue; /* not the entry in force that day */
        int gen = model_generation(e->model);
        if (!best || gen > best_gen ||
            (gen == best_gen && (e->per_mtok[TOK_INPUT] < best->per_mtok[TOK_INPUT] ||
                                 (e->per_mtok[TOK_INPUT] == best->per_mtok[TOK_INPUT] &&
                                  strcmp(e->model, best->model) < 0)))) {
            best = e;
            best_gen = gen;
        }
    }
    return best;
}

/* Number of entries. */
size_t price_book_count(const struct price_book *pb)
{
    return pb ? pb->n : 0;
}

/* Entry i in book order (sorted by model, then date). Borrowed; NULL when out of range. */
const struct price_entry *price_book_entry(const struct price_book *pb, size_t i)
{
    return pb && i < pb->n ? &pb->entries[i] : NULL;
}

/* "YYYY-MM-DD" the prices were last checked (an override's "checked" replaces it). Borrowed. */
const char *price_book_checked(const struct price_book *pb)
{
    return pb ? pb->checked : "";
}

/* Lower-case hex SHA-256 of the canonical serialization. Borrowed, valid until the next merge. */
const char *price_book_sha256(const struct price_book *pb)
{
    return pb ? pb->sha256 : "";
}

/* tokens × price per million tokens: pico-USD, exact. */
cb_i128 price_token_cost(const struct price_entry *e, enum token_class c, bool batch,
                         int64_t tokens)
{
    if (!e || (unsigned)c >= TOK_CLASS_COUNT)
        return 0;
    return (cb_i128)tokens * (batch ? e->batch_per_mtok[c] : e->per_mtok[c]);
}

/* Unit price in 10^-18 USD per million tokens: micro-USD × thousandths × thousandths ×
 * millionths. Exact: nothing is rounded until price_line_cents. */
bool price_unit(const struct price_entry *e, enum token_class c, bool batch, enum price_band band,
                enum price_speed speed, enum price_geo geo, cb_i128 *unit)
{
    if (!e || (unsigned)c >= TOK_CLASS_COUNT)
        return false;
    if (band == BAND_LONG && e->long_above <= 0)
        return false;
    int64_t s_e3 = 1000, g_e3 = 1000;
    if (speed == SPEED_FAST && (s_e3 = e->speed_fast_e3) <= 0)
        return false;
    if (geo == GEO_US && (g_e3 = e->geo_us_e3) <= 0)
        return false;
    int64_t base = band == BAND_LONG ? e->long_per_mtok[c] : e->per_mtok[c];
    *unit = (cb_i128)base * s_e3 * g_e3 * (batch ? E6 - e->batch_discount_e6 : E6);
    return true;
}

bool price_variant_mtok(const struct price_entry *e, enum token_class c, bool batch,
                        enum price_band band, enum price_speed speed, enum price_geo geo,
                        int64_t *micros)
{
    if (!e || (unsigned)c >= TOK_CLASS_COUNT)
        return false;
    if (band == BAND_STANDARD && speed == SPEED_STANDARD && geo == GEO_GLOBAL) {
        *micros = batch ? e->batch_per_mtok[c] : e->per_mtok[c];
        return true;
    }
    cb_i128 unit;
    if (!price_unit(e, c, batch, band, speed, geo, &unit))
        return false;
    *micros = (int64_t)(unit / ((cb_i128)E6 * E6));
    return true;
}

enum cb_status price_book_check_units(const struct price_book *pb, struct cb_error *err)
{
    static const char *const cls[TOK_CLASS_COUNT] = {"input", "output", "cache_read",
                                                     "cache_write_5m", "cache_write_1h"};
    for (size_t i = 0; i < price_book_count(pb); i++) {
        const struct price_entry *e = price_book_entry(pb, i);
        for (unsigned v = 1; v < 8; v++)
            for (int batch = 0; batch < 2; batch++)
                for (int k = 0; k < TOK_CLASS_COUNT; k++) {
                    cb_i128 unit;
                    enum price_band band = (v & 1) ? BAND_LONG : BAND_STANDARD;
                    enum price_speed speed = (v & 2) ? SPEED_FAST : SPEED_STANDARD;
                    enum price_geo geo = (v & 4) ? GEO_US : GEO_GLOBAL;
                    if (!price_unit(e, (enum token_class)k, batch, band, speed, geo, &unit))
                        continue;
                    if (unit % ((cb_i128)E6 * E6) == 0)
                        continue;
                    return cb_error_set(
                        err, CB_EUSAGE, e->source, 0, e->model,
                        "the %s price%s%s%s%s%s is not a whole number of micro-dollars per "
                        "million tokens once its multipliers are applied; give the multipliers "
                        "or prices with fewer decimals",
                        cls[k], e->effective_from[0] ? " from " : "", e->effective_from,
                        band == BAND_LONG ? ", long prompts" : "",
                        speed == SPEED_FAST ? ", fast mode" : "", geo == GEO_US ? ", US-only" : "");
                }
    }
    return CB_OK;
}

/* cents = quantity / 10^6 × unit × 10^-18 USD × 100 = quantity × unit / 10^22. */
cb_i128 price_line_cents(int64_t quantity, cb_i128 unit)
{
    static const cb_i128 DEN = (cb_i128)10000000000LL * 1000000000000LL;
    return money_div_round((cb_i128)quantity * unit, DEN);
}

enum price_band price_band_of(const struct price_entry *e, int64_t prompt_tokens)
{
    return e && e->long_above > 0 && prompt_tokens > e->long_above ? BAND_LONG : BAND_STANDARD;
}

static bool word_is(const char *s, size_t len, const char *w)
{
    return strlen(w) == len && memcmp(s, w, len) == 0;
}

bool price_speed_parse(const char *s, size_t len, enum price_speed *out)
{
    if (word_is(s, len, "standard"))
        *out = SPEED_STANDARD;
    else if (word_is(s, len, "fast"))
        *out = SPEED_FAST;
    else
        return false;
    return true;
}

/* "not_available" is what the API reports when the model cannot say where it ran (models
 * before Opus 4.6): no premium applies, as for "global". */
bool price_geo_parse(const char *s, size_t len, enum price_geo *out)
{
    if (word_is(s, len, "global") || word_is(s, len, "not_available"))
        *out = GEO_GLOBAL;
    else if (word_is(s, len, "us"))
        *out = GEO_US;
    else
        return false;
    return true;
}

/* searches × micro-USD per 1,000 searches = searches × price × 10^-9 USD = × 1000 pico-USD. */
cb_i128 price_search_cost(const struct price_entry *e, int64_t searches)
{
    if (!e)
        return 0;
    return (cb_i128)searches * e->web_search_per_k * 1000;
}

/* ---- overrides ---- */

/* Parses a price: a decimal string or a JSON integer, in USD, into micro-USD. Reals are refused
 * so no binary float ever becomes money. */
static enum cb_status parse_price(json_t *v, const char *source, const char *path, int64_t *out,
                                  struct cb_error *err)
{
    if (json_is_string(v)) {
        if (!money_parse(json_string_value(v), 6, out) || *out < 0)
            return cb_error_set(err, CB_EUSAGE, source, 0, path,
                                "expected a non-negative decimal string with at most 6 decimals, "
                                "got \"%s\"",
                                json_string_value(v));
        return CB_OK;
    }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > INT64_MAX / E6)
            return cb_error_set(err, CB_EUSAGE, source, 0, path, "price out of range");
        *out = (int64_t)i * E6;
        return CB_OK;
    }
    if (json_is_real(v))
        return cb_error_set(err, CB_EUSAGE, source, 0, path,
                            "expected a decimal string; quote the price (\"%.15g\") so it is read "
                            "exactly",
                            json_real_value(v));
    return cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a decimal string");
}

/* Parses a fraction in [0, 1] (string, integer or real) into millionths, rounded to 6 places.
 * A rate is not money; a real is rounded to the nearest millionth. */
static enum cb_status parse_fraction(json_t *v, const char *source, const char *path, int64_t *out,
                                     struct cb_error *err)
{
    bool ok = false;
    if (json_is_string(v))
        ok = money_parse(json_string_value(v), 6, out);
    else if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        ok = i >= 0 && i <= 1;
        *out = (int64_t)i * E6;
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        ok = d >= 0 && d <= 1;
        if (ok)
            *out = (int64_t)llround(d * E6);
    } else
        return cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a number or decimal string");
    if (!ok || *out < 0 || *out > E6)
        return cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a fraction between 0 and 1");
    return CB_OK;
}

static const char *const ENTRY_KEYS[] = {
    "input",       "output",         "cache_read",    "cache_write_5m", "cache_write_1h",
    "web_search",  "batch_discount", "family",        "aliases",        "effective_from",
    "long_prompt", "speed",          "inference_geo", "source",         "checked"};
#define N_ENTRY_KEYS (sizeof ENTRY_KEYS / sizeof ENTRY_KEYS[0])

static enum cb_status unknown_key(const char *source, const char *path, const char *const *keys,
                                  size_t n, struct cb_error *err)
{
    struct strbuf b = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&b, "%s%s", i ? ", " : "", keys[i]);
    enum cb_status st = cb_error_set(err, CB_EUSAGE, source, 0, path,
                                     "unknown key (expected one of: %s)", strbuf_cstr(&b));
    strbuf_free(&b);
    return st;
}

static bool key_known(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

static const char *const CLASS_KEYS[TOK_CLASS_COUNT] = {"input", "output", "cache_read",
                                                        "cache_write_5m", "cache_write_1h"};

/* Reads the five token-class prices of `obj` into p (input and output required; a missing cache
 * price follows Anthropic's structure: read 10 %, 5-minute write 125 %, 1-hour write 200 % of
 * the input price). */
static enum cb_status parse_classes(json_t *obj, const char *source, const char *at, int64_t *p,
                                    struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = NULL;
    for (int k = 0; k < TOK_CLASS_COUNT; k++) {
        free(path);
        path = xasprintf("%s.%s", at, CLASS_KEYS[k]);
        json_t *v = json_object_get(obj, CLASS_KEYS[k]);
        if (!v) {
            if (k == TOK_INPUT || k == TOK_OUTPUT) {
                st = cb_error_set(err, CB_EUSAGE, source, 0, path,
                                  "missing (input and output prices are required)");
                goto cleanup;
            }
            static const int64_t pct[TOK_CLASS_COUNT] = {0, 0, 10, 125, 200};
            p[k] = (int64_t)money_div_round((cb_i128)p[TOK_INPUT] * pct[k], 100);
            continue;
        }
        if ((st = parse_price(v, source, path, &p[k], err)) != CB_OK)
            goto cleanup;
    }
cleanup:
    free(path);
    return st;
}

/* A multiplier: a decimal string (at most 3 decimals) or an integer, above 0 and at most 100. */
static enum cb_status parse_multiplier(json_t *v, const char *source, const char *path,
                                       int64_t *out_e3, struct cb_error *err)
{
    bool ok = false;
    if (json_is_string(v))
        ok = money_parse(json_string_value(v), 3, out_e3);
    else if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        ok = i > 0 && i <= 100;
        *out_e3 = (int64_t)i * 1000;
    }
    if (!ok || *out_e3 <= 0 || *out_e3 > 100000)
        return cb_error_set(err, CB_EUSAGE, source, 0, path,
                            "expected a multiplier above 0 and at most 100 as a decimal string "
                            "with at most 3 decimals, e.g. \"1.1\"");
    return CB_OK;
}

/* {"<only key>": multiplier}: the one modifier value an entry can price ("fast", "us"). */
static enum cb_status parse_modifier(json_t *v, const char *source, const char *at,
                                     const char *name, const char *value, int64_t *out_e3,
                                     struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = xasprintf("%s.%s", at, name);
    if (!json_is_object(v)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected an object {\"%s\": \"N\"}",
                          value);
        goto cleanup;
    }
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m)
    {
        free(path);
        path = xasprintf("%s.%s.%s", at, name, key);
        if (strcmp(key, value) != 0) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "unknown key (expected: %s)", value);
            goto cleanup;
        }
        if ((st = parse_multiplier(m, source, path, out_e3, err)) != CB_OK)
            goto cleanup;
    }
cleanup:
    free(path);
    return st;
}

/* "long_prompt": {"above_tokens": N, <the five token-class prices>}. */
static enum cb_status parse_long_prompt(json_t *v, const char *source, const char *at,
                                        struct price_entry *e, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = xasprintf("%s.long_prompt", at);
    if (!json_is_object(v)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, path,
                          "expected an object {\"above_tokens\": N, \"input\": …, …}");
        goto cleanup;
    }
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m)
    {
        bool known = strcmp(key, "above_tokens") == 0;
        for (int k = 0; k < TOK_CLASS_COUNT && !known; k++)
            known = strcmp(key, CLASS_KEYS[k]) == 0;
        if (!known) {
            static const char *const LONG_KEYS[] = {"above_tokens",   "input",
                                                    "output",         "cache_read",
                                                    "cache_write_5m", "cache_write_1h"};
            char *kp = xasprintf("%s.%s", path, key);
            st = unknown_key(source, kp, LONG_KEYS, 6, err);
            free(kp);
            goto cleanup;
        }
    }
    json_t *above = json_object_get(v, "above_tokens");
    if (!json_is_integer(above) || json_integer_value(above) < 1 ||
        json_integer_value(above) > 1000000000000LL) {
        char *kp = xasprintf("%s.above_tokens", path);
        st = cb_error_set(err, CB_EUSAGE, source, 0, kp,
                          "expected a whole number of tokens, at least 1");
        free(kp);
        goto cleanup;
    }
    e->long_above = (int64_t)json_integer_value(above);
    st = parse_classes(v, source, path, e->long_per_mtok, err);
cleanup:
    free(path);
    return st;
}

/* Merges one ENTRY object of model `id`; `at` is the path prefix ("models.x" or "models.x[1]"). */
static enum cb_status merge_entry(struct price_book *pb, const char *id, json_t *obj,
                                  const char *source, const char *at, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *path = NULL;
    char *family = NULL;
    if (!json_is_object(obj)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, at, "expected an object of prices");
        goto cleanup;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!key_known(key, ENTRY_KEYS, N_ENTRY_KEYS)) {
            path = xasprintf("%s.%s", at, key);
            st = unknown_key(source, path, ENTRY_KEYS, N_ENTRY_KEYS, err);
            goto cleanup;
        }
    }
    struct price_entry e = {.model = id,
                            .web_search_per_k = BUILTIN_WEB_SEARCH_PER_K,
                            .batch_discount_e6 = BUILTIN_BATCH_DISCOUNT_E6};
    if ((st = parse_classes(obj, source, at, e.per_mtok, err)) != CB_OK)
        goto cleanup;
    if ((v = json_object_get(obj, "long_prompt")) &&
        (st = parse_long_prompt(v, source, at, &e, err)) != CB_OK)
        goto cleanup;
    if ((v = json_object_get(obj, "speed")) &&
        (st = parse_modifier(v, source, at, "speed", "fast", &e.speed_fast_e3, err)) != CB_OK)
        goto cleanup;
    if ((v = json_object_get(obj, "inference_geo")) &&
        (st = parse_modifier(v, source, at, "inference_geo", "us", &e.geo_us_e3, err)) != CB_OK)
        goto cleanup;
    /* Without its own "source", an override names the file it came from (its base name, so
     * reports do not carry the machine's paths). */
    e.source = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    if ((v = json_object_get(obj, "source"))) {
        if (!json_is_string(v)) {
            free(path);
            path = xasprintf("%s.source", at);
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a string");
            goto cleanup;
        }
        e.source = json_string_value(v);
    }
    if ((v = json_object_get(obj, "checked"))) {
        int32_t day;
        if (!json_is_string(v) || !parse_day(json_string_value(v), &day)) {
            free(path);
            path = xasprintf("%s.checked", at);
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a date \"YYYY-MM-DD\"");
            goto cleanup;
        }
        snprintf(e.checked, sizeof e.checked, "%s", json_string_value(v));
    }
    if ((v = json_object_get(obj, "web_search"))) {
        free(path);
        path = xasprintf("%s.web_search", at);
        if ((st = parse_price(v, source, path, &e.web_search_per_k, err)) != CB_OK)
            goto cleanup;
    }
    if ((v = json_object_get(obj, "batch_discount"))) {
        free(path);
        path = xasprintf("%s.batch_discount", at);
        if ((st = parse_fraction(v, source, path, &e.batch_discount_e6, err)) != CB_OK)
            goto cleanup;
    }
    if ((v = json_object_get(obj, "family"))) {
        if (!json_is_string(v)) {
            free(path);
            path = xasprintf("%s.family", at);
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a string");
            goto cleanup;
        }
        family = xstrdup(json_string_value(v));
    } else {
        /* A new date of a known model keeps its family. */
        const char *old = "";
        for (size_t i = 0; i < pb->n && !old[0]; i++) /* unsorted while merging: scan */
            if (strcmp(pb->entries[i].model, id) == 0)
                old = pb->entries[i].family;
        family = xstrdup(old);
    }
    e.family = family;
    if ((v = json_object_get(obj, "effective_from"))) {
        free(path);
        path = xasprintf("%s.effective_from", at);
        if (!json_is_string(v) || !parse_day(json_string_value(v), &e.effective_day)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a date \"YYYY-MM-DD\"");
            goto cleanup;
        }
        snprintf(e.effective_from, sizeof e.effective_from, "%s", json_string_value(v));
    }
    entry_fill_batch(&e);

    /* Same model and same effective date: replace; otherwise add. */
    struct price_entry *slot = NULL;
    for (size_t i = 0; i < pb->n && !slot; i++)
        if (strcmp(pb->entries[i].model, id) == 0 &&
            pb->entries[i].effective_day == e.effective_day)
            slot = &pb->entries[i];
    if (slot) {
        char *old_model = (char *)slot->model, *old_family = (char *)slot->family;
        char *old_source = (char *)slot->source;
        int index = slot->index;
        *slot = e;
        slot->model = old_model;
        slot->family = xstrdup(family);
        slot->source = xstrdup(e.source ? e.source : "");
        slot->index = index;
        free(old_family);
        free(old_source);
    } else
        book_add(pb, &e);

    if ((v = json_object_get(obj, "aliases"))) {
        free(path);
        path = xasprintf("%s.aliases", at);
        if (!json_is_array(v)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected an array of strings");
            goto cleanup;
        }
        size_t i;
        json_t *a;
        json_array_foreach(v, i, a)
        {
            free(path);
            path = xasprintf("%s.aliases[%zu]", at, i);
            if (!json_is_string(a) || !json_string_value(a)[0]) {
                st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a model alias string");
                goto cleanup;
            }
            if (book_has_model(pb, json_string_value(a))) {
                st = cb_error_set(err, CB_EUSAGE, source, 0, path,
                                  "\"%s\" is a model id, not an alias", json_string_value(a));
                goto cleanup;
            }
            book_set_alias(pb, json_string_value(a), id);
        }
    }
cleanup:
    free(family);
    free(path);
    return st;
}

/* Merges overrides (format in the header and SPEC §3). Models are merged first, then the
 * "aliases" object, whatever the key order. On error the book may hold part of the document;
 * callers discard it (the run stops with exit 2). */
enum cb_status price_book_merge_json(struct price_book *pb, json_t *doc, const char *source,
                                     struct cb_error *err)
{
    static const char *const TOP_KEYS[] = {"checked", "models", "aliases"};
    enum cb_status st = CB_OK;
    char *path = NULL;
    if (!source)
        source = "prices";
    if (!json_is_object(doc)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, NULL, "the price book must be a JSON object");
        goto cleanup;
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (!key_known(key, TOP_KEYS, 3)) {
            st = unknown_key(source, key, TOP_KEYS, 3, err);
            goto cleanup;
        }
    }
    if ((v = json_object_get(doc, "checked"))) {
        int32_t day;
        if (!json_is_string(v) || !parse_day(json_string_value(v), &day)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, "checked",
                              "expected a date \"YYYY-MM-DD\"");
            goto cleanup;
        }
        snprintf(pb->checked, sizeof pb->checked, "%s", json_string_value(v));
    }
    json_t *models = json_object_get(doc, "models");
    if (models && !json_is_object(models)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, "models", "expected an object of models");
        goto cleanup;
    }
    json_t *m;
    json_object_foreach(models, key, m)
    {
        free(path);
        path = xasprintf("models.%s", key);
        if (!key[0]) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "empty model id");
            goto cleanup;
        }
        if (alias_find(pb, key)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path,
                              "\"%s\" is an alias of %s; price the model id instead", key,
                              alias_find(pb, key)->model);
            goto cleanup;
        }
        if (json_is_array(m)) {
            if (json_array_size(m) == 0) {
                st = cb_error_set(err, CB_EUSAGE, source, 0, path, "empty list of prices");
                goto cleanup;
            }
            size_t i;
            json_t *one;
            json_array_foreach(m, i, one)
            {
                free(path);
                path = xasprintf("models.%s[%zu]", key, i);
                if ((st = merge_entry(pb, key, one, source, path, err)) != CB_OK)
                    goto cleanup;
            }
        } else if ((st = merge_entry(pb, key, m, source, path, err)) != CB_OK)
            goto cleanup;
    }
    json_t *aliases = json_object_get(doc, "aliases");
    if (aliases && !json_is_object(aliases)) {
        st = cb_error_set(err, CB_EUSAGE, source, 0, "aliases",
                          "expected an object mapping alias to model id");
        goto cleanup;
    }
    json_object_foreach(aliases, key, v)
    {
        free(path);
        path = xasprintf("aliases.%s", key);
        if (!json_is_string(v)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "expected a model id string");
            goto cleanup;
        }
        if (!key[0] || book_has_model(pb, key)) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "\"%s\" is a model id, not an alias",
                              key);
            goto cleanup;
        }
        if (!book_has_model(pb, json_string_value(v))) {
            st = cb_error_set(err, CB_EUSAGE, source, 0, path, "unknown model \"%s\"",
                              json_string_value(v));
            goto cleanup;
        }
        book_set_alias(pb, key, json_string_value(v));
    }
cleanup:
    book_finish(pb);
    free(path);
    return st;
}

/* Reads a --prices file (duplicate keys are an error) and merges it. CB_EIO when unreadable,
 * CB_EUSAGE when it is not valid JSON or not a valid price document. */
enum cb_status price_book_merge_file(struct price_book *pb, const char *path, struct cb_error *err)
{
    enum cb_status st;
    json_t *doc = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    json_error_t jerr;
    doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        st = cb_error_set(err, ferror(f) ? CB_EIO : CB_EUSAGE, path, jerr.line, NULL, "%s",
                          jerr.text);
        goto cleanup;
    }
    st = price_book_merge_json(pb, doc, path, err);
cleanup:
    json_decref(doc);
    if (f)
        fclose(f);
    return st;
}

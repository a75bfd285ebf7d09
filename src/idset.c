/* The request-id set: 64 quotiented Robin Hood hash tables of 8-byte slots.
 *
 * Each id's 128-bit hash is first mixed by a fixed bijection (so a weak input hash still spreads
 * over the tables, and distinct hashes stay distinct); its first FP_BITS = 70 bits are the key.
 * The top 6 bits pick a segment; the other 64 bits K are quotiented inside it: with H = 2^k home
 * positions (k = floor(log2 m) for a segment of m >= H slots), the top k bits of K are the
 * quotient h, whose home slot is floor(h * m / H) (injective because m >= H), and the other
 * 64 - k bits are the remainder r, stored with the probe distance d as r << 8 | (d + 1) (0 is an
 * empty slot). A segment is kept sorted by K (Robin Hood order by home, then by r within one
 * home) with no wrap-around (PAD spare slots at its end), so home = position - d,
 * h = ceil(home * H / m), and a resize is one in-order pass: when H doubles, one bit moves from
 * r into h and K is unchanged. No bit of the 70 is ever dropped.
 *
 * False duplicates: two different request ids are confused only when their mixed hashes agree
 * in all 70 key bits. Over n distinct ids the chance that any record is wrongly taken for a
 * duplicate is at most n(n-1)/2 / 2^70 < n^2 / 2^71: 4.2e-8 for 10^7 ids, 4.2e-6 for 10^8
 * (a plain 64-bit fingerprint in the same 8 bytes would give n^2 / 2^65, 64 times more).
 *
 * Memory: a segment grows by half when it is 90 % full, so between resizes its load stays in
 * [0.6, 0.9]: 8.9 to 13.3 bytes per id, plus PAD slots per segment (130 KiB in all). A resize
 * holds one segment twice for one pass, about 1/64 of the set; segments fill evenly, so they
 * resize one after another, never all at once. */
#include "idset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xalloc.h"

__extension__ typedef unsigned __int128 u128;

#define SEG_BITS 6
#define N_SEG    (1 << SEG_BITS)
#define MIN_K    8 /* the remainder, 64 - k bits, must fit the 56 bits above the distance */
#define MAX_DIST 254
#define PAD      (MAX_DIST + 1)

struct seg {
    uint64_t *slot; /* m + PAD slots */
    size_t m;       /* home positions 0 .. m-1 */
    unsigned k;     /* H = 2^k <= m < 2^(k+1) */
    size_t n;       /* ids held */
    size_t limit;   /* grow before n exceeds this (90 % of m) */
};

struct idset {
    struct seg seg[N_SEG];
    size_t n;
    /* idset_reserve's tables, in one mapping of huge pages: each probe is a random access in
     * megabytes of tables, and with 4 KiB pages most of them also missed the TLB */
    char *arena;
    size_t arena_len, arena_used;
};

#define HUGE_PAGE ((size_t)2 << 20)

/* A zeroed table of n slots: from the arena while it has room, else from the heap. */
static uint64_t *table_new(struct idset *set, size_t n)
{
    size_t bytes = n * sizeof(uint64_t);
    if (set->arena && set->arena_len - set->arena_used >= bytes) {
        uint64_t *t = (uint64_t *)(void *)(set->arena + set->arena_used);
        set->arena_used += bytes; /* never reused: a fresh mapping is zero */
        return t;
    }
    return xcalloc(n, sizeof(uint64_t));
}

static void table_free(struct idset *set, uint64_t *t)
{
    if (set->arena && (char *)t >= set->arena && (char *)t < set->arena + set->arena_len)
        return; /* the arena goes with the set */
    free(t);
}

/* Returns a new, empty set; segments allocate on their first id. Free with idset_free. */
struct idset *idset_new(void)
{
    return xcalloc(1, sizeof(struct idset));
}

/* Frees the set. Accepts NULL. */
void idset_free(struct idset *s)
{
    if (!s)
        return;
    for (int i = 0; i < N_SEG; i++)
        table_free(s, s->seg[i].slot);
    if (s->arena)
        munmap(s->arena, s->arena_len);
    free(s);
}

/* Number of distinct ids held. */
size_t idset_count(const struct idset *s)
{
    return s ? s->n : 0;
}

/* Bytes of all slot tables, pad slots included. */
size_t idset_bytes(const struct idset *s)
{
    size_t bytes = 0;
    for (int i = 0; s && i < N_SEG; i++)
        if (s->seg[i].slot)
            bytes += (s->seg[i].m + PAD) * sizeof *s->seg[i].slot;
    return bytes;
}

static uint64_t fmix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* The 8 bytes at p as a big-endian number: one load (and a byte swap on little-endian hosts). */
static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* The 70-bit key of a hash, after two Feistel rounds over its halves (a bijection): the segment
 * (top 6 bits) and K (the next 64). */
static uint64_t key_of(const uint8_t hash[16], unsigned *seg)
{
    uint64_t x = load_be64(hash), y = load_be64(hash + 8);
    x ^= fmix64(y);
    y ^= fmix64(x ^ 0x9e3779b97f4a7c15ULL);
    *seg = (unsigned)(x >> (64 - SEG_BITS));
    return x << SEG_BITS | y >> (64 - SEG_BITS);
}

static unsigned floor_log2(size_t v)
{
    unsigned k = 0;
    while (v >>= 1)
        k++;
    return k;
}

static size_t home_of(uint64_t h, size_t m, unsigned k)
{
    return (size_t)(((u128)h * m) >> k);
}

/* The quotient whose home is `home`: ceil(home * 2^k / m). */
static uint64_t quotient_of(uint64_t home, size_t m, unsigned k)
{
    if (k <= 30) /* home < 2^(k+1) + PAD: the product fits 64 bits, and 64-bit division is fast */
        return ((home << k) + m - 1) / m;
    return (uint64_t)((((u128)home << k) + m - 1) / m);
}

/* Moves every id of a segment into a table of new_m home positions. Returns false (nothing
 * changed) when some id would land further than MAX_DIST from its home; the caller then tries
 * a bigger one. */
static bool rebuild(struct idset *set, struct seg *s, size_t new_m)
{
    unsigned nk = floor_log2(new_m);
    uint64_t *ns = table_new(set, new_m + PAD);
    size_t next = 0; /* first free position in the new table */
    size_t len = s->slot ? s->m + PAD : 0;
    uint64_t rmask = s->slot ? ~(uint64_t)0 >> s->k : 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t v = s->slot[i];
        if (!v)
            continue;
        uint64_t home = i - ((v & 0xff) - 1);
        uint64_t h = quotient_of(home, s->m, s->k);
        uint64_t key = h << (64 - s->k) | ((v >> 8) & rmask);
        size_t nhome = home_of(key >> (64 - nk), new_m, nk);
        size_t pos = nhome > next ? nhome : next;
        if (pos - nhome > MAX_DIST) {
            table_free(set, ns);
            return false;
        }
        ns[pos] = (key & (~(uint64_t)0 >> nk)) << 8 | (pos - nhome + 1);
        next = pos + 1;
    }
    table_free(set, s->slot);
    s->slot = ns;
    s->m = new_m;
    s->k = nk;
    s->limit = new_m / 10 * 9;
    return true;
}

static void grow(struct idset *set, struct seg *s)
{
    size_t m = s->slot ? s->m + s->m / 2 : (size_t)1 << MIN_K;
    while (!rebuild(set, s, m))
        m += m / 2;
}

void idset_reserve(struct idset *s, size_t n)
{
    /* segments fill evenly (each takes 1/64 of the hashes), within a fraction of a percent at
     * the sizes where reserving pays */
    size_t per = n / N_SEG + 1;
    if (per > SIZE_MAX / 4 / sizeof(uint64_t))
        per = SIZE_MAX / 4 / sizeof(uint64_t);
    size_t m = per + per / 3;
    if (m < (size_t)1 << MIN_K)
        m = (size_t)1 << MIN_K;
    /* one mapping for the 64 tables, aligned to a huge page and asking for huge pages (where
     * the system has none it is plain memory); only for sets of megabytes, and only once */
    size_t bytes = (m + PAD) * sizeof(uint64_t) * N_SEG;
    if (!s->arena && bytes >= 2 * HUGE_PAGE && bytes < SIZE_MAX / 2) {
        size_t len = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        char *p =
            mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            size_t lead = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
            if (lead)
                munmap(p, lead);
            if (HUGE_PAGE - lead)
                munmap(p + lead + len, HUGE_PAGE - lead);
            s->arena = p + lead;
            s->arena_len = len;
            s->arena_used = 0;
            madvise(s->arena, len, MADV_HUGEPAGE);
        }
    }
    for (int i = 0; i < N_SEG; i++) {
        struct seg *sg = &s->seg[i];
        if (sg->slot && sg->m >= m)
            continue;
        size_t want = m > sg->n + sg->n / 3 ? m : sg->n + sg->n / 3;
        while (!rebuild(s, sg, want))
            want += want / 2;
    }
}

/* Prefetches the home slot of `hash` (a stale address after a resize is harmless). */
void idset_prefetch(const struct idset *s, const uint8_t hash[16])
{
    unsigned g;
    uint64_t key = key_of(hash, &g);
    const struct seg *sg = &s->seg[g];
    if (sg->slot)
        __builtin_prefetch(&sg->slot[home_of(key >> (64 - sg->k), sg->m, sg->k)]);
}

/* Inserts `hash` in its segment: true when new, false when already there. Never fails. */
bool idset_insert(struct idset *s, const uint8_t hash[16])
{
    unsigned g;
    uint64_t key = key_of(hash, &g);
    struct seg *sg = &s->seg[g];
    if (!sg->slot || sg->n >= sg->limit)
        grow(s, sg);
    for (;;) {
        uint64_t r = key & (~(uint64_t)0 >> sg->k);
        size_t i = home_of(key >> (64 - sg->k), sg->m, sg->k);
        uint64_t d = 0;
        /* Robin Hood order: skip ids of earlier homes, then smaller remainders of this home. */
        for (;; i++, d++) {
            uint64_t v = sg->slot[i];
            if (!v)
                break;
            uint64_t vd = (v & 0xff) - 1;
            if (vd < d)
                break;
            if (vd == d) {
                uint64_t vr = v >> 8;
                if (vr == r)
                    return false;
                if (vr > r)
                    break;
            }
        }
        /* Insert at i: the run up to the next empty slot shifts right by one. */
        size_t j = i, len = sg->m + PAD;
        bool fits = d <= MAX_DIST;
        while (fits && j < len && sg->slot[j]) {
            if ((sg->slot[j] & 0xff) - 1 >= MAX_DIST)
                fits = false;
            j++;
        }
        if (fits && j < len) {
            memmove(&sg->slot[i + 1], &sg->slot[i], (j - i) * sizeof *sg->slot);
            for (size_t t = i + 1; t <= j; t++)
                sg->slot[t]++; /* one further from home */
            sg->slot[i] = r << 8 | (d + 1);
            sg->n++;
            s->n++;
            return true;
        }
        grow(s, sg);
    }
}

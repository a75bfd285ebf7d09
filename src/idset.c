/* The request-id set: a quotiented Robin Hood hash table of 8-byte slots.
 *
 * Each id's 128-bit hash is first mixed by a fixed bijection (so a weak input hash still spreads
 * over the table, and distinct hashes stay distinct), and its first FP_BITS = 70 bits are the
 * key K. With H = 2^k home positions (k = floor(log2 m) for a table of m >= H slots), the top k
 * bits of K are the quotient h, whose home slot is floor(h * m / H) (injective because m >= H);
 * the other 70 - k bits are the remainder r, stored in the slot with the probe distance d:
 * slot = r << 8 | (d + 1), 0 meaning empty. The table is kept sorted by K (Robin Hood order by
 * home, then by r within a home) with no wrap-around (PAD spare slots at the end), so home =
 * position - d, h = ceil(home * H / m), and a resize is one in-order pass: when H doubles, one
 * bit moves from r into h and the 70-bit key is unchanged.
 *
 * False duplicates: two different request ids are confused only when their mixed hashes agree
 * in all 70 key bits. Over n distinct ids the chance that any record is wrongly taken for a
 * duplicate is at most n(n-1)/2 / 2^70 < n^2 / 2^71: 4.2e-8 for 10^7 ids, 4.2e-6 for 10^8
 * (a plain 64-bit fingerprint would give n^2 / 2^65, 64 times more).
 *
 * Memory: the table grows by half when it is 90 % full, so between resizes the load stays in
 * [0.6, 0.9] and a slot costs 8.9 to 13.3 bytes per id (plus 255 pad slots). While a resize
 * runs the old and new tables coexist for one pass (at most 22 bytes per id for that moment). */
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

__extension__ typedef unsigned __int128 u128;

#define FP_BITS  70
#define MIN_K    14 /* so the remainder (FP_BITS - k bits) fits the 56 bits above the distance */
#define MAX_DIST 254
#define PAD      (MAX_DIST + 1)

struct idset {
    uint64_t *slot; /* len = m + PAD slots */
    size_t m;       /* home positions 0 .. m-1 */
    unsigned k;     /* H = 2^k <= m < 2^(k+1) */
    size_t n;       /* ids held */
    size_t limit;   /* grow before n exceeds this (90 % of m) */
};

struct idset *idset_new(void)
{
    return xcalloc(1, sizeof(struct idset));
}

void idset_free(struct idset *s)
{
    if (!s)
        return;
    free(s->slot);
    free(s);
}

size_t idset_count(const struct idset *s)
{
    return s ? s->n : 0;
}

size_t idset_bytes(const struct idset *s)
{
    return s && s->slot ? (s->m + PAD) * sizeof *s->slot : 0;
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

/* The 70-bit key of a hash: two Feistel rounds over its halves (a bijection), top 70 bits. */
static u128 key_of(const uint8_t hash[16])
{
    uint64_t x = 0, y = 0;
    for (int i = 0; i < 8; i++) {
        x = x << 8 | hash[i];
        y = y << 8 | hash[8 + i];
    }
    x ^= fmix64(y);
    y ^= fmix64(x ^ 0x9e3779b97f4a7c15ULL);
    return ((u128)x << (FP_BITS - 64)) | (y >> (128 - FP_BITS));
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

/* Moves every id into a table of new_m home positions. Returns false (nothing changed) when
 * some id would land further than MAX_DIST from its home; the caller then tries a bigger one. */
static bool rebuild(struct idset *s, size_t new_m)
{
    unsigned nk = floor_log2(new_m);
    uint64_t *ns = xcalloc(new_m + PAD, sizeof *ns);
    size_t next = 0; /* first free position in the new table */
    size_t len = s->slot ? s->m + PAD : 0;
    uint64_t rmask = ((uint64_t)1 << (FP_BITS - s->k)) - 1;
    uint64_t nrmask = ((uint64_t)1 << (FP_BITS - nk)) - 1;
    for (size_t i = 0; i < len; i++) {
        uint64_t v = s->slot[i];
        if (!v)
            continue;
        size_t home = i - ((v & 0xff) - 1);
        uint64_t h = (uint64_t)((((u128)home << s->k) + s->m - 1) / s->m);
        u128 key = ((u128)h << (FP_BITS - s->k)) | ((v >> 8) & rmask);
        uint64_t nh = (uint64_t)(key >> (FP_BITS - nk));
        size_t nhome = home_of(nh, new_m, nk);
        size_t pos = nhome > next ? nhome : next;
        if (pos - nhome > MAX_DIST) {
            free(ns);
            return false;
        }
        ns[pos] = ((uint64_t)(key & nrmask) << 8) | (pos - nhome + 1);
        next = pos + 1;
    }
    free(s->slot);
    s->slot = ns;
    s->m = new_m;
    s->k = nk;
    s->limit = new_m / 10 * 9;
    return true;
}

static void grow(struct idset *s)
{
    size_t m = s->slot ? s->m + s->m / 2 : (size_t)1 << MIN_K;
    while (!rebuild(s, m))
        m += m / 2;
}

bool idset_insert(struct idset *s, const uint8_t hash[16])
{
    u128 key = key_of(hash);
    if (!s->slot || s->n >= s->limit)
        grow(s);
    for (;;) {
        uint64_t h = (uint64_t)(key >> (FP_BITS - s->k));
        uint64_t r = (uint64_t)key & (((uint64_t)1 << (FP_BITS - s->k)) - 1);
        size_t i = home_of(h, s->m, s->k);
        uint64_t d = 0;
        /* Robin Hood order: skip ids of earlier homes, then smaller remainders of this home. */
        for (;; i++, d++) {
            uint64_t v = s->slot[i];
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
        size_t j = i, len = s->m + PAD;
        bool fits = d <= MAX_DIST;
        while (fits && j < len && s->slot[j]) {
            if ((s->slot[j] & 0xff) - 1 >= MAX_DIST)
                fits = false;
            j++;
        }
        if (fits && j < len) {
            memmove(&s->slot[i + 1], &s->slot[i], (j - i) * sizeof *s->slot);
            for (size_t t = i + 1; t <= j; t++)
                s->slot[t]++; /* one further from home */
            s->slot[i] = (r << 8) | (d + 1);
            s->n++;
            return true;
        }
        grow(s);
    }
}

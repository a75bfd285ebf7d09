/* String interning: an open-addressing table (linear probing, power-of-two size, at most half
 * full) of (hash, length, pointer), with the strings packed into 64 KiB arena blocks. */
#include "intern.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define BLOCK_SIZE ((size_t)64 * 1024)

struct entry {
    uint64_t hash; /* never 0 for a used entry (see hash_bytes) */
    size_t len;
    const char *s;
};

struct block {
    struct block *next;
    size_t used, cap;
    char data[];
};

struct intern {
    struct entry *tab;
    size_t cap, n;
    struct block *blocks; /* newest first; the first one is being filled */
};

/* Returns a new, empty interner. Free with intern_free. */
struct intern *intern_new(void)
{
    struct intern *in = xcalloc(1, sizeof *in);
    in->cap = 256;
    in->tab = xcalloc(in->cap, sizeof *in->tab);
    return in;
}

/* Frees the interner and every string it handed out. Accepts NULL. */
void intern_free(struct intern *in)
{
    if (!in)
        return;
    struct block *b = in->blocks;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(in->tab);
    free(in);
}

/* Number of distinct strings held. */
size_t intern_count(const struct intern *in)
{
    return in ? in->n : 0;
}

static uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static uint64_t load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* 64x64 -> 128-bit multiply, folded: the mixing step of wyhash. */
static uint64_t mum(uint64_t a, uint64_t b)
{
    __extension__ unsigned __int128 p = (unsigned __int128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/* A fast non-cryptographic hash in the shape of wyhash: short strings (tags are mostly under
 * 16 bytes) take two overlapping loads and two multiplies. Tags are chosen by users, not
 * adversaries of the billing run, and collisions only cost speed, never correctness. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
    uint64_t seed = k0 ^ len, a, b;
    if (len <= 16) {
        if (len >= 8) {
            a = load64(s);
            b = load64(s + len - 8);
        } else if (len >= 4) {
            a = load32(s);
            b = load32(s + len - 4);
        } else if (len) {
            a = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len / 2] << 8 |
                (unsigned char)s[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        const char *p = s;
        size_t left = len;
        while (left > 16) {
            seed = mum(load64(p) ^ k1, load64(p + 8) ^ seed);
            p += 16;
            left -= 16;
        }
        a = load64(p + left - 16);
        b = load64(p + left - 8);
    }
    uint64_t h = mum(k1 ^ len, mum(a ^ k1, b ^ seed));
    return h ? h : 1;
}

/* memcmp(a, b, len) == 0, without a call for the short strings tags usually are. */
static bool same_bytes(const char *a, const char *b, size_t len)
{
    if (len >= 8 && len <= 16)
        return load64(a) == load64(b) && load64(a + len - 8) == load64(b + len - 8);
    if (len >= 4 && len < 8)
        return load32(a) == load32(b) && load32(a + len - 4) == load32(b + len - 4);
    return memcmp(a, b, len) == 0;
}

static char *store(struct intern *in, const char *s, size_t len)
{
    struct block *b = in->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_SIZE / 4 ? len + 1 : BLOCK_SIZE - sizeof *b;
        b = xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        if (cap == len + 1 && in->blocks) {
            /* a big string gets its own block behind the one being filled */
            b->next = in->blocks->next;
            in->blocks->next = b;
        } else {
            b->next = in->blocks;
            in->blocks = b;
        }
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

static void grow(struct intern *in)
{
    size_t cap = in->cap * 2;
    struct entry *tab = xcalloc(cap, sizeof *tab);
    for (size_t i = 0; i < in->cap; i++) {
        if (!in->tab[i].hash)
            continue;
        size_t j = (size_t)in->tab[i].hash & (cap - 1);
        while (tab[j].hash)
            j = (j + 1) & (cap - 1);
        tab[j] = in->tab[i];
    }
    free(in->tab);
    in->tab = tab;
    in->cap = cap;
}

/* Returns the one stored copy of s[0..len), adding it when new. Borrowed until intern_free. */
const char *intern_str(struct intern *in, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    size_t mask = in->cap - 1;
    size_t i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        struct entry *e = &in->tab[i];
        if (!e->hash)
            break;
        if (e->hash == h && e->len == len && same_bytes(e->s, s, len))
            return e->s;
    }
    const char *p = store(in, s, len);
    in->tab[i] = (struct entry){.hash = h, .len = len, .s = p};
    if (++in->n * 2 > in->cap)
        grow(in);
    return p;
}

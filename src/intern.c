/* String interning: an open-addressing table (linear probing, power-of-two size, at most half
 * full) of (hash, length, pointer), with the strings packed into 64 KiB arena blocks. */
#include "intern.h"

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

struct intern *intern_new(void)
{
    struct intern *in = xcalloc(1, sizeof *in);
    in->cap = 256;
    in->tab = xcalloc(in->cap, sizeof *in->tab);
    return in;
}

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

size_t intern_count(const struct intern *in)
{
    return in ? in->n : 0;
}

/* A fast non-cryptographic hash: 8 bytes at a time, multiply-xorshift, murmur3's finalizer.
 * Tags are chosen by users, not adversaries of the billing run, and the table degrades only in
 * speed, never in correctness, on collisions. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0x243f6a8885a308d3ULL ^ (len * k);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * k;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1;
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

const char *intern_str(struct intern *in, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    size_t mask = in->cap - 1;
    size_t i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        struct entry *e = &in->tab[i];
        if (!e->hash)
            break;
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
            return e->s;
    }
    const char *p = store(in, s, len);
    in->tab[i] = (struct entry){.hash = h, .len = len, .s = p};
    if (++in->n * 2 > in->cap)
        grow(in);
    return p;
}

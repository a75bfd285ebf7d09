#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ARENA_BLOCK 65536

struct rec_arena_block {
    struct rec_arena_block *next;
    size_t cap, used;
    char data[];
};

char *rec_arena_strdup(struct rec_arena *a, const char *s, size_t n)
{
    struct rec_arena_block *b = a->head;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        if (cap == ARENA_BLOCK && a->spare) {
            b = a->spare;
            a->spare = b->next;
        } else
            b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    char *p = b->data + b->used;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

void rec_arena_reset(struct rec_arena *a)
{
    while (a->head) {
        struct rec_arena_block *b = a->head;
        a->head = b->next;
        if (b->cap == ARENA_BLOCK) {
            b->next = a->spare;
            a->spare = b;
        } else
            free(b);
    }
}

void rec_arena_free(struct rec_arena *a)
{
    rec_arena_reset(a);
    while (a->spare) {
        struct rec_arena_block *b = a->spare;
        a->spare = b->next;
        free(b);
    }
}

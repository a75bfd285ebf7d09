/* A chunked arena of strings: blocks never move, so pointers into it stay valid until it is
 * reset. Emptied blocks of the usual size are kept for reuse, so a batch reused for chunk after
 * chunk stops allocating. */
#ifndef CB_ARENA_H
#define CB_ARENA_H

#include <stddef.h>

struct rec_arena_block;
struct rec_arena {
    struct rec_arena_block *head;  /* the block being filled */
    struct rec_arena_block *spare; /* emptied blocks kept for reuse */
};

/* Copies n bytes plus a NUL into the arena. Returns a borrowed pointer valid until reset.
 * Cannot fail (out of memory aborts). */
char *rec_arena_strdup(struct rec_arena *a, const char *s, size_t n);
/* Forgets every string (the blocks are kept for reuse). */
void rec_arena_reset(struct rec_arena *a);
/* Frees every block; the arena is empty and usable again. */
void rec_arena_free(struct rec_arena *a);

#endif

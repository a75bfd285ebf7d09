/* String interning: one copy of each distinct string, so equal strings share one pointer and
 * can be compared and hashed by address. Memory grows with distinct strings only. */
#ifndef CB_INTERN_H
#define CB_INTERN_H

#include <stddef.h>

struct intern;

/* Returns a new, empty interner. Free with intern_free (which frees every string it gave). */
struct intern *intern_new(void);
/* Frees the interner and all its strings. Accepts NULL. */
void intern_free(struct intern *in);

/* Returns the interned, NUL-terminated copy of the `len` bytes at `s` (which need not be
 * NUL-terminated and may contain no NUL). Borrowed: valid until intern_free. The same bytes
 * always give the same pointer. Never fails (OOM aborts). */
const char *intern_str(struct intern *in, const char *s, size_t len);

/* Number of distinct strings held. */
size_t intern_count(const struct intern *in);

#endif

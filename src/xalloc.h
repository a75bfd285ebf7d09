/* Allocation wrappers: out of memory prints a message and aborts (STYLE: OOM is not an
 * input error). Every function returns memory the caller frees with free(). */
#ifndef CB_XALLOC_H
#define CB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array: returns p resized to hold `count` elements of `size` (overflow aborts). */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new printf-formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* UTF-8 validation. */
#ifndef CB_UTF8_H
#define CB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at s are well-formed UTF-8 (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF). ASCII runs are checked eight bytes at a time. */
bool utf8_valid(const unsigned char *s, size_t n);

#endif

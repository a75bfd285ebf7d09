/* UTF-8 validation. */
#ifndef CB_UTF8_H
#define CB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at s are well-formed UTF-8 (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF). ASCII runs are checked eight bytes at a time. */
bool utf8_valid(const unsigned char *s, size_t n);

/* The characters XML 1.0 forbids (§2.2: C0 controls but tab, LF and CR; U+FFFE, U+FFFF) in the
 * n bytes at s, each replaced by U+FFFD. Returns a new NUL-terminated string of *out_len bytes
 * (free it), or NULL when s holds none (nothing to change). Bytes that are not UTF-8 are kept. */
char *utf8_xml_safe(const char *s, size_t n, size_t *out_len);

/* When s (NUL-terminated UTF-8) holds a character that shows as nothing (C0/C1 controls, soft
 * hyphen, zero-width spaces and joiners, bidi marks, word joiner, variation selectors, BOM, tag
 * characters, ...), returns a new copy with each written as \\uXXXX (\\UXXXXXXXX above U+FFFF),
 * so two names that only look alike can be told apart in a message; else NULL. */
char *utf8_show_invisible(const char *s);

#endif

#include "utf8.h"

#include <stdint.h>
#include <string.h>

#include "xalloc.h"

bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        } else
            return false;
        if (i + len > n)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return false;
        i += len;
    }
    return true;
}

/* Length of the XML-forbidden character at p (n bytes left), or 0 when p starts an allowed one. */
static size_t xml_forbidden(const unsigned char *p, size_t n)
{
    if (p[0] < 0x20)
        return p[0] != '\t' && p[0] != '\n' && p[0] != '\r';
    if (p[0] == 0xEF && n >= 3 && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
        return 3; /* U+FFFE, U+FFFF */
    return 0;
}

char *utf8_xml_safe(const char *s, size_t n, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += (u[i] < 0x20 || u[i] == 0xEF) && xml_forbidden(u + i, n - i) > 0;
    if (bad == 0)
        return NULL;
    char *out = xmalloc(n + 2 * bad + 1), *o = out;
    for (size_t i = 0; i < n;) {
        size_t k = (u[i] < 0x20 || u[i] == 0xEF) ? xml_forbidden(u + i, n - i) : 0;
        if (k) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += k;
        } else {
            *o++ = (char)u[i++];
        }
    }
    *o = '\0';
    if (out_len)
        *out_len = (size_t)(o - out);
    return out;
}

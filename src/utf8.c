#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* True for the code points that render as nothing, or as a blank indistinguishable from none. */
static bool invisible(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x0000, 0x001F},   {0x007F, 0x009F},   {0x00AD, 0x00AD}, {0x034F, 0x034F},
        {0x061C, 0x061C},   {0x115F, 0x1160},   {0x17B4, 0x17B5}, {0x180B, 0x180F},
        {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x206F}, {0x3164, 0x3164},
        {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0}, {0xFFF9, 0xFFFB},
        {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return true;
    return false;
}

/* Decodes the sequence at p (assumed well-formed); sets *len. Malformed bytes decode as
 * themselves, one at a time. */
static uint32_t decode(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    uint32_t cp = n == 4 ? p[0] & 0x07u : n == 3 ? p[0] & 0x0Fu : n == 2 ? p[0] & 0x1Fu : p[0];
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *len = 1;
            return p[0];
        }
        cp = cp << 6 | (p[k] & 0x3Fu);
    }
    *len = n;
    return cp;
}

char *utf8_show_invisible(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    bool any = false;
    for (size_t i = 0, len; p[i] && !any; i += len)
        any = invisible(decode(p + i, &len));
    if (!any)
        return NULL;
    size_t cap = strlen(s) * 10 + 1, o = 0;
    char *out = xmalloc(cap);
    for (size_t i = 0, len; p[i]; i += len) {
        uint32_t cp = decode(p + i, &len);
        if (invisible(cp))
            o += (size_t)snprintf(out + o, cap - o, cp > 0xFFFF ? "\\U%08x" : "\\u%04x",
                                  (unsigned)cp);
        else {
            memcpy(out + o, p + i, len);
            o += len;
        }
    }
    out[o] = '\0';
    return out;
}

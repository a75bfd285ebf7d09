/* Text forms of the model's numbers (text.h). */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "xalloc.h"

struct text text_money(int64_t cents)
{
    struct text t;
    money_format_grouped(cents, t.s, sizeof t.s);
    return t;
}

struct text text_signed(int64_t cents)
{
    struct text t;
    size_t k = cents > 0 ? 1 : 0;
    t.s[0] = '+';
    money_format_grouped(cents, t.s + k, sizeof t.s - k);
    return t;
}

struct text text_count(int64_t n)
{
    struct text t;
    money_format_count(n, t.s, sizeof t.s);
    return t;
}

struct text text_percent(int64_t e4)
{
    struct text t;
    char plain[40];
    /* hundredths of a percent are cents of a percent: grouped like money ("1,767.70%") */
    money_format_grouped(e4, plain, sizeof plain);
    snprintf(t.s, sizeof t.s, "%s%%", plain);
    return t;
}

/* Drops trailing zeros of a decimal, and its point when nothing follows. */
static void trim(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t k = strlen(s);
    while (k > 0 && s[k - 1] == '0')
        s[--k] = '\0';
    if (k > 0 && s[k - 1] == '.')
        s[--k] = '\0';
}

struct text text_rate(int64_t e6)
{
    struct text t;
    char plain[40];
    money_format_fixed(e6, 4, 4, plain, sizeof plain);
    trim(plain);
    snprintf(t.s, sizeof t.s, "%s%%", plain);
    return t;
}

struct text text_factor(int64_t e2)
{
    struct text t;
    char plain[40];
    money_format_fixed(e2, 2, 2, plain, sizeof plain);
    snprintf(t.s, sizeof t.s, "%s\xC3\x97", plain);
    return t;
}

struct text text_e6(int64_t e6)
{
    struct text t;
    money_format_fixed(e6, 6, 6, t.s, sizeof t.s);
    trim(t.s);
    return t;
}

struct text text_price(int64_t micros)
{
    struct text t;
    if (micros % MONEY_MICRO_PER_CENT == 0)
        return text_money(micros / MONEY_MICRO_PER_CENT);
    money_format_fixed(micros, 6, 6, t.s, sizeof t.s);
    size_t n = strlen(t.s);
    const char *dot = strchr(t.s, '.');
    while (dot && n > (size_t)(dot - t.s) + 3 && t.s[n - 1] == '0')
        t.s[--n] = '\0';
    return t;
}

struct text text_unit_cost(int64_t micros)
{
    int64_t mag = micros < 0 ? -micros : micros;
    if (mag == 0 || mag >= MONEY_MICRO_PER_CENT) {
        int64_t c = (mag + MONEY_MICRO_PER_CENT / 2) / MONEY_MICRO_PER_CENT;
        return text_money(micros < 0 ? -c : c);
    }
    struct text t;
    money_format_fixed(micros, 6, 4, t.s, sizeof t.s);
    return t;
}

struct text text_plural(int64_t n, const char *one, const char *many)
{
    struct text t;
    struct text c = text_count(n); /* at most 26 characters; nouns are short */
    snprintf(t.s, sizeof t.s, "%.26s %.20s", c.s, n == 1 ? one : many);
    return t;
}

/* Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), two bytes
 * each: the letter, and a second one or a blank; "*" keeps the character as it is (× and ÷). */
static const char latin_base[] =
    /* C0 */ "a a a a a a aec e e e e i i i i d n o o o o o * o u u u u y thss"
             /* E0 */ "a a a a a a aec e e e e i i i i d n o o o o o * o u u u u y thy "
             /* 100 */ "a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g "
             /* 120 */ "g g g g h h h h i i i i i i i i i i ijijj j k k k l l l l l l l "
             /* 140 */ "l l l n n n n n n n n n o o o o o o oeoer r r r r r s s s s s s "
             /* 160 */ "s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s ";

char *text_sort_key(const char *name)
{
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    size_t n = strlen((const char *)s);
    /* a fold never takes more bytes than the name, but a run of digits gains two */
    char *key = xmalloc(2 * n + 3);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= '0' && c <= '9') {
            size_t j = i;
            while (j < n && s[j] == '0')
                j++;
            size_t k = j;
            while (k < n && s[k] >= '0' && s[k] <= '9')
                k++;
            size_t len = k - j; /* significant digits: a shorter number is smaller */
            key[o++] = '0';
            key[o++] = (char)(len < 255 ? len + 1 : 255);
            memcpy(key + o, s + j, len);
            o += len;
            i = k;
            continue;
        }
        if (c < 0x80) {
            key[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            i++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (i + len > n)
            len = n - i;
        if (len == 2) {
            unsigned cp = (unsigned)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
            if (cp >= 0xC0 && cp <= 0x17F && latin_base[2 * (cp - 0xC0)] != '*') {
                key[o++] = latin_base[2 * (cp - 0xC0)];
                if (latin_base[2 * (cp - 0xC0) + 1] != ' ')
                    key[o++] = latin_base[2 * (cp - 0xC0) + 1];
                i += 2;
                continue;
            }
        }
        memcpy(key + o, s + i, len); /* UTF-8 bytes sort as their code points */
        o += len;
        i += len;
    }
    key[o] = '\0';
    return key;
}

int text_name_cmp(const char *a, const char *b)
{
    char *x = text_sort_key(a), *y = text_sort_key(b);
    int c = strcmp(x, y);
    free(x);
    free(y);
    return c ? c : strcmp(a ? a : "", b ? b : "");
}

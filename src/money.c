#include "money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

bool money_parse(const char *s, int scale, int64_t *out)
{
    const cb_i128 limit = (cb_i128)INT64_MAX;
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!(*s >= '0' && *s <= '9'))
        return false;
    cb_i128 v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > limit)
            return false;
    }
    int frac = 0;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (frac == scale) {
                if (*s != '0') /* more precision than the unit holds: refuse, never round */
                    return false;
                continue;
            }
            v = v * 10 + (*s - '0');
            frac++;
            if (v > limit)
                return false;
        }
    }
    if (*s != '\0')
        return false;
    for (; frac < scale; frac++) {
        v *= 10;
        if (v > limit)
            return false;
    }
    *out = (int64_t)(neg ? -v : v);
    return true;
}

cb_i128 money_div_round(cb_i128 num, cb_i128 den)
{
    bool neg = num < 0;
    cb_i128 a = neg ? -num : num;
    cb_i128 q = a / den, r = a % den;
    if (r * 2 >= den)
        q++;
    return neg ? -q : q;
}

int64_t money_clamp(cb_i128 v)
{
    const cb_i128 lim = (cb_i128)MONEY_MAX_CENTS * 10;
    return (int64_t)(v > lim ? lim : v < -lim ? -lim : v);
}

int64_t money_pico_to_cents(cb_i128 pico)
{
    return money_clamp(money_div_round(pico, MONEY_PICO_PER_CENT));
}

void money_format_fixed(int64_t value, int scale, int places, char *buf, size_t size)
{
    cb_i128 v = value;
    for (int i = places; i < scale; i++)
        v = money_div_round(v, 10);
    bool neg = v < 0;
    /* |v| <= |value| <= 2^63 after the rounding: 64-bit digits (a report writes millions) */
    uint64_t a = neg ? 0 - (uint64_t)(int64_t)v : (uint64_t)(int64_t)v;
    char digits[64];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(a % 10));
        a /= 10;
    } while (a > 0 || n <= places);
    char tmp[80];
    size_t k = 0;
    if (neg)
        tmp[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        tmp[k++] = digits[i];
        if (i == places && places > 0)
            tmp[k++] = '.';
    }
    if (size == 0)
        return;
    if (k >= size) /* as snprintf would: cut, and terminated */
        k = size - 1;
    memcpy(buf, tmp, k);
    buf[k] = '\0';
}

void money_format(int64_t cents, char *buf, size_t size)
{
    money_format_fixed(cents, 2, 2, buf, size);
}

/* Inserts thousands separators into the integer part of a plain decimal. */
static void group(const char *plain, char *buf, size_t size)
{
    char tmp[96];
    size_t k = 0;
    const char *p = plain;
    if (*p == '-')
        tmp[k++] = *p++;
    size_t int_len = strcspn(p, ".");
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            tmp[k++] = ',';
        tmp[k++] = p[i];
    }
    snprintf(tmp + k, sizeof tmp - k, "%s", p + int_len);
    snprintf(buf, size, "%s", tmp);
}

void money_format_grouped(int64_t cents, char *buf, size_t size)
{
    char plain[64];
    money_format(cents, plain, sizeof plain);
    group(plain, buf, size);
}

void money_format_count(int64_t n, char *buf, size_t size)
{
    char plain[32];
    snprintf(plain, sizeof plain, "%lld", (long long)n);
    group(plain, buf, size);
}

struct rem_index {
    cb_i128 rem;
    size_t index;
};

static int cmp_rem_index(const void *pa, const void *pb)
{
    const struct rem_index *a = pa, *b = pb;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

void money_split(int64_t pool, const cb_i128 *weights, size_t n, int64_t *out)
{
    if (n == 0)
        return;
    bool neg = pool < 0;
    cb_i128 p = neg ? -(cb_i128)pool : pool;
    cb_i128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i] > 0 ? weights[i] : 0;
    cb_i128 *rem = xcalloc(n, sizeof *rem);
    cb_i128 given = 0;
    for (size_t i = 0; i < n; i++) {
        cb_i128 w = total > 0 ? (weights[i] > 0 ? weights[i] : 0) : 1;
        cb_i128 t = total > 0 ? total : (cb_i128)n;
        /* p × w can pass 2^127 only for absurd inputs; split the product to stay exact. */
        cb_i128 q = (p / t) * w, r = (p % t) * w;
        q += r / t;
        rem[i] = r % t;
        out[i] = (int64_t)q;
        given += q;
    }
    /* the units left (fewer than n) go to the largest remainders, ties to the lower index: one
     * sort, not a scan per unit (a split among 100,000 teams) */
    cb_i128 left = p - given;
    if (left > 0) {
        struct rem_index *order = xcalloc(n, sizeof *order);
        for (size_t i = 0; i < n; i++)
            order[i] = (struct rem_index){rem[i], i};
        qsort(order, n, sizeof *order, cmp_rem_index);
        for (size_t k = 0; k < n && left > 0; k++, left--)
            out[order[k].index]++;
        free(order);
    }
    if (neg)
        for (size_t i = 0; i < n; i++)
            out[i] = -out[i];
    free(rem);
}

/* Text forms of the model's numbers (text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

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

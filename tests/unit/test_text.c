/* text.c: the text forms every format shows, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void forms(void **state)
{
    (void)state;
    static const struct {
        struct text (*fn)(int64_t);
        int64_t in;
        const char *want;
    } cases[] = {
        {text_money, 104070, "1,040.70"},
        {text_money, -1087, "-10.87"},
        {text_money, 0, "0.00"},
        {text_money, INT64_MIN, "-92,233,720,368,547,758.08"},
        {text_signed, 613, "+6.13"},
        {text_signed, -613, "-6.13"},
        {text_signed, 0, "0.00"},
        {text_count, 15000000, "15,000,000"},
        {text_count, INT64_MAX, "9,223,372,036,854,775,807"},
        {text_percent, 3672, "36.72%"},
        {text_percent, 10000, "100.00%"},
        {text_percent, 5, "0.05%"},
        {text_percent, -1234, "-12.34%"},
        {text_rate, 100000, "10%"},
        {text_rate, 125000, "12.5%"},
        {text_rate, 1000000, "100%"},
        {text_factor, 674, "6.74\xC3\x97"},
        {text_factor, 1000, "10.00\xC3\x97"},
        {text_e6, 1500000, "1.5"},
        {text_e6, 3000000, "3"},
        {text_e6, 1, "0.000001"},
        {text_price, 3000000, "3.00"},
        {text_price, 5000, "0.005"},
        {text_price, 1875000, "1.875"},
        {text_price, 30000000000, "30,000.00"},
        {text_price, 150000, "0.15"},
        {text_unit_cost, 3184417, "3.18"},
        {text_unit_cost, 15000, "0.02"},
        {text_unit_cost, 3100, "0.0031"},
        {text_unit_cost, 0, "0.00"},
        {text_unit_cost, -3184417, "-3.18"},
        {text_unit_cost, 1234567890, "1,234.57"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(cases[i].fn(cases[i].in).s, cases[i].want);
}

static void plurals(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        const char *want;
    } cases[] = {{0, "0 requests"}, {1, "1 request"}, {2, "2 requests"}, {1234, "1,234 requests"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(text_plural(cases[i].n, "request", "requests").s, cases[i].want);
}

/* Names in the order a reader expects: accents with their base letter, numbers by value, case
 * ignored; whatever else by code point. */
static void sort_keys(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int sign; /* of strcmp(key(a), key(b)) */
    } pairs[] = {
        {"Analytics 9", "Analytics 10", -1},
        {"Analytics 10", "Analytics 100", -1},
        {"Team 007", "Team 7", 0},
        {"Engineering",
         "\xc3\x89quipe Donn\xc3\xa9"
         "es",
         -1},
        {"\xc3\x89quipe Donn\xc3\xa9"
         "es",
         "Product", -1},
        {"\xc3\x89quipe", "equipe", 0},
        {"Stra\xc3\x9f"
         "e",
         "Strasse", 0},
        {"\xc5\x81\xc3\xb3"
         "d\xc5\xba",
         "Lodz", 0},
        {"Zo\xc3\xab", "Zoe", 0},
        {"Zeta", "\xe6\x95\xb0\xe6\x8d\xae", -1}, /* CJK after the Latin letters */
        {"a \xc3\x97 b", "a x b", 1},             /* × is kept, not a letter */
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *x = text_sort_key(pairs[i].a), *y = text_sort_key(pairs[i].b);
        int c = strcmp(x, y);
        int sign = c < 0 ? -1 : c > 0;
        if (sign != pairs[i].sign)
            fail_msg("\"%s\" against \"%s\": %d, want %d", pairs[i].a, pairs[i].b, sign,
                     pairs[i].sign);
        free(x);
        free(y);
    }
    /* the same order for a few names at a time: keys, then bytes (never 0 for two names) */
    assert_true(text_name_cmp("\xc3\x89quipe", "Fab") < 0);
    assert_true(text_name_cmp("Team 9", "Team 10") < 0);
    assert_true(text_name_cmp("equipe", "\xc3\x89quipe") != 0);
    assert_int_equal(text_name_cmp("Ops", "Ops"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forms),
        cmocka_unit_test(plurals),
        cmocka_unit_test(sort_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

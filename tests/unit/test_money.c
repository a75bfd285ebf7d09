/* money.c: exact parsing, rounding half away from zero, formatting and largest-remainder
 * splits that always add up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

static void parse_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int scale;
        bool ok;
        int64_t want;
    } cases[] = {
        {"15000.00", 2, true, 1500000},
        {"15000", 2, true, 1500000},
        {"0.0001", 6, true, 100},
        {"-3", 2, true, -300},
        {"+3.5", 2, true, 350},
        {"1.230", 2, true, 123}, /* trailing zeros beyond the scale are exact */
        {"1.235", 2, false, 0},  /* more precision than the unit: refused, not rounded */
        {"0.30", 6, true, 300000},
        {"9223372036854775807", 0, true, INT64_MAX},
        {"9223372036854775808", 0, false, 0},
        {"92233720368547758.08", 2, false, 0}, /* overflows only once scaled */
        {"", 2, false, 0},
        {"-", 2, false, 0},
        {".5", 2, false, 0},
        {"1.", 2, false, 0},
        {"1e3", 2, false, 0},
        {" 1", 2, false, 0},
        {"1 ", 2, false, 0},
        {"1,000", 2, false, 0},
        {"abc", 2, false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = -77;
        bool ok = money_parse(cases[i].in, cases[i].scale, &got);
        if (ok != cases[i].ok)
            fail_msg("money_parse(\"%s\", %d): ok %d, want %d", cases[i].in, cases[i].scale, ok,
                     cases[i].ok);
        if (ok)
            assert_int_equal(got, cases[i].want);
    }
}

static void div_round_table(void **state)
{
    (void)state;
    static const struct {
        int64_t num, den, want;
    } cases[] = {
        {5, 10, 1},    {4, 10, 0},    {15, 10, 2}, {25, 10, 3}, {-5, 10, -1}, {-4, 10, 0},
        {-15, 10, -2}, {-25, 10, -3}, {0, 7, 0},   {7, 7, 1},   {10, 3, 3},   {-10, 3, -3},
        {11, 3, 4},    {-11, 3, -4},  {1, 2, 1},   {-1, 2, -1}, {1, 3, 0},    {-1, 3, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_i128 got = money_div_round(cases[i].num, cases[i].den);
        if (got != cases[i].want)
            fail_msg("money_div_round(%lld, %lld) = %lld, want %lld", (long long)cases[i].num,
                     (long long)cases[i].den, (long long)got, (long long)cases[i].want);
    }
    /* Beyond 64 bits: 2^80 cents + half a cent rounds up. */
    cb_i128 big = ((cb_i128)1 << 80) * MONEY_PICO_PER_CENT + MONEY_PICO_PER_CENT / 2;
    assert_true(money_div_round(big, MONEY_PICO_PER_CENT) == ((cb_i128)1 << 80) + 1);
    assert_true(money_div_round(-big, MONEY_PICO_PER_CENT) == -(((cb_i128)1 << 80) + 1));
}

static void pico_to_cents_table(void **state)
{
    (void)state;
    static const struct {
        int64_t pico, cents;
    } cases[] = {
        {5000000000, 1}, /* exactly half a cent */
        {4999999999, 0},  {-5000000000, -1}, {-4999999999, 0},
        {15000000000, 2}, {10000000000, 1},  {0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(money_pico_to_cents(cases[i].pico), cases[i].cents);
    /* A million tokens at $3 per million (3,000,000 micro-USD) is 300 cents. */
    assert_int_equal(money_pico_to_cents((cb_i128)1000000 * 3000000), 300);
}

static void format_table(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        int scale, places;
        const char *want;
    } cases[] = {
        {123456, 2, 2, "1234.56"}, {-5, 2, 2, "-0.05"}, {0, 2, 2, "0.00"},
        {3000000, 6, 2, "3.00"},   {125, 3, 2, "0.13"}, {-125, 3, 2, "-0.13"},
        {500000, 4, 0, "50"},      {7, 0, 0, "7"},      {100, 6, 6, "0.000100"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        money_format_fixed(cases[i].v, cases[i].scale, cases[i].places, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    char buf[64];
    money_format(150000000, buf, sizeof buf);
    assert_string_equal(buf, "1500000.00");
    money_format_grouped(150000000, buf, sizeof buf);
    assert_string_equal(buf, "1,500,000.00");
    money_format_grouped(-123456, buf, sizeof buf);
    assert_string_equal(buf, "-1,234.56");
    money_format_grouped(99, buf, sizeof buf);
    assert_string_equal(buf, "0.99");
    money_format_count(15000000, buf, sizeof buf);
    assert_string_equal(buf, "15,000,000");
    money_format_count(-1000, buf, sizeof buf);
    assert_string_equal(buf, "-1,000");
    money_format_count(999, buf, sizeof buf);
    assert_string_equal(buf, "999");
}

#define MAXP 6
static void split_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t pool;
        size_t n;
        int64_t w[MAXP];
        int64_t want[MAXP];
    } cases[] = {
        {"100.00 among three", 10000, 3, {1, 1, 1}, {3334, 3333, 3333}},
        {"15000.00 among five",
         1500000,
         5,
         {1, 1, 1, 1, 1},
         {300000, 300000, 300000, 300000, 300000}},
        {"ties go to the lower index", 2, 4, {1, 1, 1, 1}, {1, 1, 0, 0}},
        {"largest remainder wins", 10, 3, {1, 2, 3}, {2, 3, 5}}, /* 1.67 3.33 5.00 */
        {"all weights zero: even", 10, 3, {0, 0, 0}, {4, 3, 3}},
        {"zero weight gets nothing", 100, 3, {0, 1, 1}, {0, 50, 50}},
        {"negative pool by magnitude", -10000, 3, {1, 1, 1}, {-3334, -3333, -3333}},
        {"zero pool", 0, 2, {5, 7}, {0, 0}},
        {"proportional", 100, 2, {3, 1}, {75, 25}},
        {"one part", 12345, 1, {9}, {12345}},
        {"remainder beyond a tie", 5, 3, {1, 1, 1}, {2, 2, 1}},
        {"weights in pico", 1001, 2, {1000000000000, 1000000000000}, {501, 500}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_i128 w[MAXP];
        int64_t out[MAXP], sum = 0;
        for (size_t k = 0; k < cases[i].n; k++)
            w[k] = cases[i].w[k];
        money_split(cases[i].pool, w, cases[i].n, out);
        for (size_t k = 0; k < cases[i].n; k++) {
            sum += out[k];
            if (out[k] != cases[i].want[k])
                fail_msg("%s: part %zu = %lld, want %lld", cases[i].name, k, (long long)out[k],
                         (long long)cases[i].want[k]);
        }
        assert_int_equal(sum, cases[i].pool);
    }
}

/* Awkward pools and weights must still sum exactly (a pseudo-random sweep, fixed seed). */
static void split_always_sums(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 2000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = 1 + x % MAXP;
        int64_t pool = (int64_t)(x >> 20) % 100000000 - 50000000;
        cb_i128 w[MAXP];
        int64_t out[MAXP], sum = 0;
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            w[k] = (cb_i128)(x % 1000003) * (cb_i128)(x % 7 == 0 ? 0 : 1000000007);
        }
        money_split(pool, w, n, out);
        for (size_t k = 0; k < n; k++)
            sum += out[k];
        assert_int_equal(sum, pool);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_table),         cmocka_unit_test(div_round_table),
        cmocka_unit_test(pico_to_cents_table), cmocka_unit_test(format_table),
        cmocka_unit_test(split_table),         cmocka_unit_test(split_always_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* allocate.c: line amounts, splits and the chargeback models, pinned to the cent with the
 * worked figures of SPEC §5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "allocate.h"

static void line_amounts_round_once_half_away(void **state)
{
    (void)state;
    static const struct {
        int64_t qty, price, per, want;
    } cases[] = {
        {1000000, 3000000, 1000000, 300},     /* 1M input tokens at 3.00 */
        {333333, 3000000, 1000000, 100},      /* 0.999999 -> 1.00 */
        {1666, 3000000, 1000000, 0},          /* 0.004998 -> 0.00 */
        {1667, 3000000, 1000000, 1},          /* 0.005001 -> 0.01 */
        {5000, 1000000, 1000000, 1},          /* 0.005 exactly -> half away: 0.01 */
        {1500, 10000000, 1000, 1500},         /* 1,500 searches at 10.00 per 1K */
        {12345, 100, 1, 123},                 /* 12,345 calls at 0.0001 = 1.2345 -> 1.23 */
        {1, -5000, 1, -1},                    /* -0.005 -> -0.01 (away from zero) */
        {15000000, 10000000, 1000000, 15000}, /* volume tier: 15M at 10.00 = 150.00 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(alloc_line_amount(cases[i].qty, cases[i].price, cases[i].per),
                         cases[i].want);
}

static void rates_round_half_away(void **state)
{
    (void)state;
    assert_int_equal(alloc_rate(1021, 100000), 102); /* 10.21 × 10 % = 1.021 */
    assert_int_equal(alloc_rate(1816, 100000), 182); /* 1.816 -> 1.82 */
    assert_int_equal(alloc_rate(1021, 50000), 51);   /* 0.5105 -> 0.51 */
    assert_int_equal(alloc_rate(1010, 50000), 51);   /* 0.505 -> 0.51 */
    assert_int_equal(alloc_rate(-1010, 50000), -51);
    assert_int_equal(alloc_share_e4(234567, 1000000), 2346);
    assert_int_equal(alloc_share_e4(1, 3), 3333);
    assert_int_equal(alloc_share_e4(5, 0), 0);
}

static void fixed_pool_splits(void **state)
{
    (void)state;
    int64_t out[5];
    const int64_t w5[5] = {1000000, 1000000, 1000000, 1000000, 1000000};
    alloc_split(1500000, SPLIT_WEIGHTS, NULL, w5, 5, out);
    for (int i = 0; i < 5; i++)
        assert_int_equal(out[i], 300000); /* 15000.00 among five = 3000.00 each */
    const int64_t w3[3] = {1000000, 1000000, 1000000};
    alloc_split(10000, SPLIT_WEIGHTS, NULL, w3, 3, out);
    assert_int_equal(out[0], 3334); /* 100.00 among three: the first id gets the cent */
    assert_int_equal(out[1], 3333);
    assert_int_equal(out[2], 3333);
    const int64_t w[3] = {2000000, 1000000, 1000000};
    alloc_split(10001, SPLIT_WEIGHTS, NULL, w, 3, out);
    assert_int_equal(out[0] + out[1] + out[2], 10001);
    assert_int_equal(out[0], 5001); /* 5000.5 wins the odd cent over two 2500.25 */
    assert_int_equal(out[1], 2500);
    assert_int_equal(out[2], 2500);
}

static void proportional_and_even_splits(void **state)
{
    (void)state;
    int64_t out[3];
    const int64_t usage[3] = {900, 1600, 100};
    alloc_split(300, SPLIT_PROPORTIONAL, usage, NULL, 3, out);
    assert_int_equal(out[0], 104);
    assert_int_equal(out[1], 185);
    assert_int_equal(out[2], 11);
    const int64_t zero[3] = {0, 0, 0};
    alloc_split(100, SPLIT_PROPORTIONAL, zero, NULL, 3, out); /* nobody used: even */
    assert_int_equal(out[0], 34);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 33);
    alloc_split(-50, SPLIT_PROPORTIONAL, (const int64_t[]){1004, 1785, 111}, NULL, 3, out);
    assert_int_equal(out[0], -17);
    assert_int_equal(out[1], -31);
    assert_int_equal(out[2], -2);
    alloc_split(7, SPLIT_EVEN, usage, NULL, 3, out);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 2);
}

static void hybrid_splits_by_headcount_then_usage(void **state)
{
    (void)state;
    int64_t fixed[2], usage[2];
    const int64_t head[2] = {12, 48};
    const int64_t direct[2] = {234567, 765433};
    int64_t f = alloc_hybrid(1500000, 400000, BASIS_HEADCOUNT, head, direct, 2, fixed, usage);
    assert_int_equal(f, 600000);        /* 40 % of 15,000.00 */
    assert_int_equal(fixed[0], 120000); /* 12 of 60 people = 1,200.00 */
    assert_int_equal(fixed[1], 480000);
    assert_int_equal(usage[0], 211110); /* 23.4567 % of 9,000.00 = 2,111.103 */
    assert_int_equal(usage[1], 688890);
    f = alloc_hybrid(10000, 333333, BASIS_EQUAL, head, direct, 2, fixed, usage);
    assert_int_equal(f, 3333);
    assert_int_equal(fixed[0], 1667);
    assert_int_equal(fixed[1], 1666);
    assert_int_equal(fixed[0] + fixed[1] + usage[0] + usage[1], 10000);
}

static const struct config_tier spec_tiers[3] = {
    {true, 1000000, 15000000},
    {true, 10000000, 12000000},
    {false, 0, 10000000},
};

static void tiers_graduated_and_volume(void **state)
{
    (void)state;
    struct alloc_tier_part parts[3];
    size_t n;
    static const struct {
        enum tier_mode mode;
        int64_t tokens, want;
        size_t n_parts;
    } cases[] = {
        {TIER_GRADUATED, 15000000, 17300, 3}, /* 15.00 + 108.00 + 50.00 */
        {TIER_VOLUME, 15000000, 15000, 1},    /* all at 10.00 */
        {TIER_GRADUATED, 1000000, 1500, 1},   /* exactly the first tier */
        {TIER_VOLUME, 1000000, 1500, 1},
        {TIER_GRADUATED, 1000001, 1500, 2}, /* one token at 12.00 rounds to 0.00 */
        {TIER_VOLUME, 1000001, 1200, 1},    /* the whole volume drops to 12.00 */
        {TIER_GRADUATED, 0, 0, 0},
        {TIER_GRADUATED, 10000000, 12300, 2}, /* 15.00 + 108.00 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = alloc_tiered(spec_tiers, 3, cases[i].mode, cases[i].tokens, parts, &n);
        assert_int_equal(got, cases[i].want);
        assert_int_equal(n, cases[i].n_parts);
        int64_t sum = 0, tokens = 0;
        for (size_t k = 0; k < n; k++) {
            sum += parts[k].amount;
            tokens += parts[k].tokens;
        }
        assert_int_equal(sum, got);
        assert_int_equal(tokens, cases[i].tokens);
    }
    alloc_tiered(spec_tiers, 3, TIER_GRADUATED, 15000000, parts, &n);
    assert_int_equal(parts[0].tokens, 1000000);
    assert_int_equal(parts[0].amount, 1500);
    assert_int_equal(parts[1].tokens, 9000000);
    assert_int_equal(parts[1].amount, 10800);
    assert_int_equal(parts[2].tokens, 5000000);
    assert_int_equal(parts[2].amount, 5000);
    /* a closed last tier: tokens above it stay at the last rate */
    const struct config_tier closed[1] = {{true, 1000, 1000000}};
    assert_int_equal(alloc_tiered(closed, 1, TIER_GRADUATED, 2000000, parts, &n), 200);
    assert_int_equal(parts[0].tokens, 2000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_amounts_round_once_half_away),
        cmocka_unit_test(rates_round_half_away),
        cmocka_unit_test(fixed_pool_splits),
        cmocka_unit_test(proportional_and_even_splits),
        cmocka_unit_test(hybrid_splits_by_headcount_then_usage),
        cmocka_unit_test(tiers_graduated_and_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

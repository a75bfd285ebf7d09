/* date.c: the one module for calendar math (days of a month, day counts, weekdays, names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "date.h"

static void days_in_month(void **state)
{
    (void)state;
    static const struct {
        int y, m, want;
    } cases[] = {{2026, 10, 31}, {2026, 11, 30}, {2026, 2, 28}, {2024, 2, 29}, {1900, 2, 28},
                 {2000, 2, 29},  {2026, 12, 31}, {2026, 0, 31}, {2026, 13, 31}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(date_days_in_month(cases[i].y, cases[i].m), cases[i].want);
}

static void day_counts_and_weekdays(void **state)
{
    (void)state;
    static const struct {
        int y, m, d;
        int64_t days;
        int weekday; /* 0 = Monday */
    } cases[] = {
        {1970, 1, 1, 0, 3},      {2026, 10, 1, 20727, 3}, {2026, 11, 1, 20758, 6},
        {2000, 2, 29, 11016, 1}, {1969, 12, 31, -1, 2},   {2026, 12, 31, 20818, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(date_days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days);
        assert_int_equal(date_weekday(cases[i].y, cases[i].m, cases[i].d), cases[i].weekday);
    }
    /* every day from 1900 to 2200 round-trips and follows the one before */
    int64_t prev = date_days_from_civil(1899, 12, 31);
    for (int y = 1900; y <= 2200; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= date_days_in_month(y, m); d++) {
                int64_t z = date_days_from_civil(y, m, d);
                assert_int_equal(z, prev + 1);
                int yy, mm, dd;
                date_civil_from_days(z, &yy, &mm, &dd);
                assert_int_equal(yy, y);
                assert_int_equal(mm, m);
                assert_int_equal(dd, d);
                prev = z;
            }
}

static void month_names(void **state)
{
    (void)state;
    assert_string_equal(date_month_name(1), "January");
    assert_string_equal(date_month_name(10), "October");
    assert_string_equal(date_month_name(12), "December");
    assert_string_equal(date_month_name(0), "");
    assert_string_equal(date_month_name(13), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_in_month),
        cmocka_unit_test(day_counts_and_weekdays),
        cmocka_unit_test(month_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The renderer fixture itself must be consistent, or every renderer test built on it lies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support_fixture.h"

static void fixture_adds_up(void **state)
{
    (void)state;
    static const struct fixture_opts cases[] = {{false, 0, 0, 0, NULL}, {true, 7, 60, 40, NULL}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct report *r = fixture_report(&cases[c]);
        int64_t charged = 0;
        for (size_t i = 0; i < r->n_teams; i++) {
            int64_t sum = 0;
            for (size_t k = 0; k < r->teams[i].n_lines; k++)
                sum += r->teams[i].lines[k].amount;
            assert_int_equal(sum, r->teams[i].total);
            charged += r->teams[i].total;
        }
        assert_int_equal(charged, r->totals.charged);
        assert_int_equal(r->shadow, cases[c].shadow);
        struct cb_error err;
        cb_error_clear(&err);
        if (report_check(r, &err) != CB_OK) /* the identities the real model meets */
            fail_msg("fixture fails report_check: %s", err.text);
        report_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(fixture_adds_up)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

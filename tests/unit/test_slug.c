/* slug.c: the folding rule, the Windows device names, configured teams claiming first, and a
 * month of many teams that all fold to the same base. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slug.h"

static void base_table(void **state)
{
    (void)state;
    static const struct {
        const char *id, *want;
    } cases[] = {
        {"data", "data"},
        {"DATA", "data"},
        {"Data Platform", "data-platform"},
        {"Équipe Données", "equipe-donnees"},
        {"数据", "team"},
        {"--x--", "x"},
        {"con", "con-team"},
        {"CON", "con-team"},
        {"Nul", "nul-team"},
        {"prn", "prn-team"},
        {"aux", "aux-team"},
        {"com1", "com1-team"},
        {"LPT9", "lpt9-team"},
        {"com10", "com10"},
        {"console", "console"},
        {"con-1", "con-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = slug_base(cases[i].id);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%s): got \"%s\", want \"%s\"", i, cases[i].id, got, cases[i].want);
        free(got);
    }
}

/* ids are sorted like the report's teams; configured teams claim first. */
static void assign_table(void **state)
{
    (void)state;
    static const struct {
        const char *ids[4];
        bool first[4];
        const char *want[4];
    } cases[] = {
        /* a stray tag sorting first never takes the configured team's slug */
        {{"DATA", "data", NULL}, {false, true}, {"data-2", "data"}},
        {{"DATA", "data", NULL}, {false, false}, {"data", "data-2"}},
        /* a real tag that looks like a suffix is respected */
        {{"team-2", "数据", "数據", NULL}, {false, false, false}, {"team-2", "team", "team-3"}},
        {{"CON", "con-team", NULL}, {false, true}, {"con-team-2", "con-team"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = 0;
        while (n < 4 && cases[i].ids[n])
            n++;
        char *out[4] = {0};
        slug_assign(cases[i].ids, cases[i].first, n, out);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(out[k], cases[i].want[k]) != 0)
                fail_msg("case %zu, team %zu (%s): got \"%s\", want \"%s\"", i, k, cases[i].ids[k],
                         out[k], cases[i].want[k]);
            free(out[k]);
        }
    }
}

/* 100,000 names that all fold to "team": unique, in order, and quick (this was cubic). */
static void many_same_base(void **state)
{
    (void)state;
    enum { N = 100000 };
    char **ids = calloc(N, sizeof *ids), **out = calloc(N, sizeof *out);
    for (size_t i = 0; i < N; i++)
        ids[i] = strdup("\xE6\x95\xB0\xE6\x8D\xAE"); /* 数据 */
    slug_assign((const char *const *)ids, NULL, N, out);
    assert_string_equal(out[0], "team");
    assert_string_equal(out[1], "team-2");
    assert_string_equal(out[N - 1], "team-100000");
    for (size_t i = 0; i < N; i++) {
        free(ids[i]);
        free(out[i]);
    }
    free(ids);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_table),
        cmocka_unit_test(assign_table),
        cmocka_unit_test(many_same_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

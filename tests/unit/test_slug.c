/* slug.c: team ids to unique file names, linear in the number of teams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "slug.h"
#include "xalloc.h"

static void from_ids(void **state)
{
    (void)state;
    static const struct {
        const char *id, *want;
    } cases[] = {
        {"data", "data"},   {"Équipe Données", "equipe-donnees"}, {"--x--", "x"},
        {"Данные", "team"}, {"Ops & Infra", "ops-infra"},         {"Straße", "strasse"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = slug_from_id(cases[i].id);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
    char *long_id = xcalloc(200, 1);
    memset(long_id, 'a', 199);
    char *s = slug_from_id(long_id);
    assert_int_equal(strlen(s), SLUG_MAX);
    free(s);
    free(long_id);
}

/* Later duplicates get -2, -3, ...; a suffixed slug never takes one an earlier team holds. */
static void unique_in_id_order(void **state)
{
    (void)state;
    const char *ids[] = {"a", "a-2", "A", "a!", "b"};
    const char *want[] = {"a", "a-2", "a-3", "a-4", "b"};
    struct report_team teams[5] = {0};
    for (size_t i = 0; i < 5; i++)
        teams[i].id = (char *)ids[i];
    slug_assign(teams, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(teams[i].slug, want[i]);
        free(teams[i].slug);
    }
}

/* 100,000 teams whose ids all make the same slug: every slug distinct, in well under a second
 * (the old search of every earlier team, for every suffix, took hours). */
static void a_hundred_thousand_teams(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct report_team *teams = xcalloc(N, sizeof *teams);
    for (size_t i = 0; i < N; i++)
        teams[i].id = xasprintf("Team%s", i % 2 ? "!" : "");
    clock_t t0 = clock();
    slug_assign(teams, N);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("slug_assign: %d colliding ids in %.3f s\n", N, secs);
    assert_true(secs < 30.0); /* ~0.1 s, ~3 s under valgrind; the old search took hours */
    assert_string_equal(teams[0].slug, "team");
    assert_string_equal(teams[1].slug, "team-2");
    assert_string_equal(teams[N - 1].slug, "team-100000");
    for (size_t i = 0; i < N; i++) {
        free(teams[i].id);
        free(teams[i].slug);
    }
    free(teams);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(from_ids),
        cmocka_unit_test(unique_in_id_order),
        cmocka_unit_test(a_hundred_thousand_teams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

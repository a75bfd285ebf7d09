/* glossary.c: a document's glossary lists exactly the terms it uses, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glossary.h"

/* The terms as one "|"-joined string, for comparing against a want. */
static void joined(const struct report *r, const struct report_team *t, char *out, size_t size)
{
    struct glossary_term g[GLOSSARY_MAX];
    size_t n = glossary_terms(r, t, g);
    assert_true(n <= GLOSSARY_MAX);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        assert_non_null(g[i].text);
        assert_true(strlen(g[i].text) > 10);
        if (i)
            strncat(out, "|", size - strlen(out) - 1);
        strncat(out, g[i].term, size - strlen(out) - 1);
    }
}

static void terms_used(void **state)
{
    (void)state;
    static const struct {
        bool team; /* the team's invoice, else the summary */
        bool shadow;
        enum cb_model model;
        int64_t shared, overhead, markup, true_up, unallocated;
        const char *policy;
        const char *want;
    } cases[] = {
        {true, false, CB_MODEL_USAGE, 0, 0, 0, 0, 0, "show", "List price|Chargeback model"},
        {true, false, CB_MODEL_HYBRID, 5, 3, 0, 0, 0, "show",
         "List price|Shared pools|Overhead|Chargeback model"},
        {true, true, CB_MODEL_FIXED, 0, 0, 2, -1, 0, "show",
         "List price|Markup|Adjustment to the provider's invoice (true-up)|Chargeback model|"
         "Shadow month"},
        /* unallocated usage shown apart: on the summary, not on an invoice */
        {true, false, CB_MODEL_USAGE, 0, 0, 0, 0, 45, "show", "List price|Chargeback model"},
        {false, false, CB_MODEL_USAGE, 0, 0, 0, 0, 45, "show",
         "List price|Unallocated usage|Chargeback model"},
        /* split into the charges: on both */
        {true, false, CB_MODEL_USAGE, 0, 0, 0, 0, 45, "even",
         "List price|Unallocated usage|Chargeback model"},
        {false, true, CB_MODEL_TIERED, 1, 1, 1, 1, 1, "proportional",
         "List price|Shared pools|Overhead|Markup|Adjustment to the provider's invoice "
         "(true-up)|Unallocated usage|Chargeback model|Shadow month"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct report r;
        struct report_team t;
        memset(&r, 0, sizeof r);
        memset(&t, 0, sizeof t);
        r.shadow = cases[i].shadow;
        r.model = cases[i].model;
        r.unallocated_list_cost = cases[i].unallocated;
        r.unallocated_policy = (char *)cases[i].policy;
        struct report_totals *s = &r.totals;
        if (cases[i].team) {
            t.shared = cases[i].shared;
            t.overhead = cases[i].overhead;
            t.markup = cases[i].markup;
            t.true_up = cases[i].true_up;
            /* the month has every amount elsewhere: the invoice shows only its own */
            s->shared = s->overhead = s->markup = s->true_up = 7;
        } else {
            s->shared = cases[i].shared;
            s->overhead = cases[i].overhead;
            s->markup = cases[i].markup;
            s->true_up = cases[i].true_up;
        }
        char got[512];
        joined(&r, cases[i].team ? &t : NULL, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
    }
}

/* The model sentence names the model the month uses. */
static void model_sentence(void **state)
{
    (void)state;
    static const struct {
        enum cb_model model;
        const char *word;
    } cases[] = {{CB_MODEL_USAGE, "usage model"},
                 {CB_MODEL_FIXED, "fixed model"},
                 {CB_MODEL_HYBRID, "hybrid model"},
                 {CB_MODEL_TIERED, "tiered model"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct report r;
        memset(&r, 0, sizeof r);
        r.model = cases[i].model;
        struct glossary_term g[GLOSSARY_MAX];
        size_t n = glossary_terms(&r, NULL, g);
        assert_string_equal(g[n - 1].term, "Chargeback model");
        assert_non_null(strstr(g[n - 1].text, cases[i].word));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(terms_used),
                                       cmocka_unit_test(model_sentence)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

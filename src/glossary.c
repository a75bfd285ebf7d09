/* The glossary box of a document (glossary.h). */
#include "glossary.h"

#include <stdbool.h>
#include <string.h>

static const char *model_text(enum cb_model m)
{
    switch (m) {
    case CB_MODEL_USAGE:
        return "This month uses the usage model: each team is charged its own usage at list "
               "price plus its part of shared pools.";
    case CB_MODEL_FIXED:
        return "This month uses the fixed model: a set monthly amount is divided among the "
               "teams by weight (equally by default), whatever their usage.";
    case CB_MODEL_HYBRID:
        return "This month uses the hybrid model: part of the month's amount is divided by "
               "headcount or equally, the rest in proportion to each team's usage.";
    case CB_MODEL_TIERED:
        return "This month uses the tiered model: each team's monthly tokens are priced through "
               "the configured tiers, each tier at its own rate.";
    }
    return "";
}

size_t glossary_terms(const struct report *r, const struct report_team *t,
                      struct glossary_term out[GLOSSARY_MAX])
{
    const struct report_totals *s = &r->totals;
    bool shared = t ? t->shared != 0 : s->shared != 0;
    bool overhead = t ? t->overhead != 0 : s->overhead != 0;
    bool markup = t ? t->markup != 0 : s->markup != 0;
    bool true_up = t ? t->true_up != 0 : s->true_up != 0;
    /* a team's invoice meets unallocated usage only when it is split into the charges; the
     * summary lists it whenever there is some */
    bool unallocated = r->unallocated_list_cost != 0 &&
                       (!t || !r->unallocated_policy || strcmp(r->unallocated_policy, "show") != 0);
    size_t n = 0;
    out[n++] = (struct glossary_term){
        "List price", "The provider's published price for the tokens used, before any rule of "
                      "this chargeback."};
    if (shared)
        out[n++] = (struct glossary_term){
            "Shared pools", "Usage of shared services (such as a common platform) divided among "
                            "the teams; \"usage including shared pools\" is a team's own usage "
                            "plus its part of them."};
    if (overhead)
        out[n++] = (struct glossary_term){
            "Overhead", "A platform fee added as a percentage of the charge, for the cost of "
                        "running the service."};
    if (markup)
        out[n++] = (struct glossary_term){
            "Markup", "A percentage added to a team's charge on top of overhead, as configured "
                      "for that team."};
    if (true_up)
        out[n++] = (struct glossary_term){
            "Adjustment to the provider's invoice (true-up)",
            "The difference between the provider's invoice and usage at list price, divided "
            "among the teams so that the charges add up to the invoice."};
    if (unallocated)
        out[n++] = (struct glossary_term){"Unallocated usage",
                                          "Usage that no rule tied to a team; it is shown apart or "
                                          "divided among the teams, as the summary states."};
    out[n++] = (struct glossary_term){"Chargeback model", model_text(r->model)};
    if (r->shadow)
        out[n++] = (struct glossary_term){
            "Shadow month", "A trial run: the document shows what would be charged under the "
                            "configured rules; nothing is billed."};
    return n;
}

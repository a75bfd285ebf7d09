/* The report model's lifecycle: names of line kinds and report_free. */
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

#include "allocate.h"
#include "compare.h"
#include "budgets.h"
#include "money.h"
#include "strbuf.h"
#include "text.h"

static const char *const kind_names[LINE_KIND_COUNT] = {
    "input",       "output", "cache_read", "cache_write_5m", "cache_write_1h",
    "web_search",  "skill",  "mcp",        "shared",         "fixed",
    "usage_share", "tier",   "overhead",   "markup",         "true_up",
};

const char *report_line_kind_name(enum line_kind k)
{
    return (k >= 0 && k < LINE_KIND_COUNT) ? kind_names[k] : "";
}

static const char *const rec_kinds[REC_KIND_COUNT] = {"model_routing", "batching", "caching",
                                                      "premium_modifiers"};
static const char *const rec_titles[REC_KIND_COUNT] = {
    "Route small requests to Haiku", "Move eligible work to the Batch API",
    "Cache repeated prompts", "Standard speed and global inference"};

const char *report_rec_kind_name(enum report_rec_kind k)
{
    return (k >= 0 && k < REC_KIND_COUNT) ? rec_kinds[k] : "";
}

const char *report_rec_title(enum report_rec_kind k)
{
    return (k >= 0 && k < REC_KIND_COUNT) ? rec_titles[k] : "";
}

const char *report_budget_state_text(enum report_budget_state s)
{
    switch (s) {
    case BUDGET_STATE_WITHIN: return "within budget";
    case BUDGET_STATE_ALERT: return "threshold crossed";
    case BUDGET_STATE_OVER: return "over budget";
    case BUDGET_STATE_NONE: break;
    }
    return "no budget";
}

bool report_pools_used(const struct report *r)
{
    for (size_t i = 0; i < r->shared_pools.n; i++)
        if (r->shared_pools.items[i].usage.requests > 0 || r->shared_pools.items[i].list_cost != 0)
            return true;
    return false;
}

bool report_line_reproducible(const struct report_line *l)
{
    int64_t per = l->per > 0 ? l->per : 1;
    return alloc_line_amount(l->quantity, l->unit_price_micros, per) == l->amount;
}

char *report_thresholds_text(const struct report_budget *b)
{
    struct strbuf t = STRBUF_INIT;
    for (size_t i = 0; i < b->n_thresholds_crossed; i++) {
        strbuf_printf(&t, "%s%s", i ? ", " : "", text_rate(b->thresholds_crossed_e6[i]).s);
    }
    return strbuf_detach(&t);
}

static void free_lines(struct report_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(lines[i].model);
        free(lines[i].description);
    }
    free(lines);
}

static void free_groups(struct report_groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->items[i].key);
    free(g->items);
}

static void free_team(struct report_team *t)
{
    free(t->id);
    free(t->name);
    free(t->slug);
    free(t->invoice_number);
    free(t->cost_center);
    free(t->contact);
    free(t->gl_account);
    free_lines(t->lines, t->n_lines);
    free(t->method);
    free_groups(&t->by_project);
    free_groups(&t->by_user);
    free_groups(&t->by_workflow);
    free_groups(&t->by_environment);
    free_groups(&t->by_model);
    free(t->days);
    free(t->budget.thresholds_crossed_e6);
    free(t->anomalies);
    for (size_t i = 0; i < t->n_recommendations; i++)
        free(t->recommendations[i].explanation);
    free(t->recommendations);
    for (size_t i = 0; i < t->n_metrics; i++)
        free(t->metrics[i].name);
    free(t->metrics);
    free(t->supersedes_invoice);
    free(t->owner);
    free(t->reference);
    free_lines(t->usage_lines, t->n_usage_lines);
}

void report_free(struct report *r)
{
    if (!r)
        return;
    recon_free(r->recon);
    compare_free(r->comparison);
    free(r->tool_version);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->organization);
    free(r->currency);
    free(r->issuer);
    free(r->footer);
    free(r->paper);
    free(r->method);
    free(r->reconciliation_text);
    free(r->mom_note);
    free(r->unallocated_policy);
    for (size_t i = 0; i < r->n_files; i++) {
        free(r->files[i].path);
        free(r->files[i].format);
    }
    free(r->files);
    for (size_t i = 0; i < r->n_rejects; i++) {
        free(r->rejects[i].reason);
        for (size_t j = 0; j < r->rejects[i].n_examples; j++)
            free(r->rejects[i].examples[j]);
        free(r->rejects[i].examples);
    }
    free(r->rejects);
    budgets_free(r);
    for (size_t i = 0; i < r->n_teams; i++)
        free_team(&r->teams[i]);
    free(r->teams);
    free(r->order);
    free(r->ranked);
    free(r->credit_account);
    free_lines(r->unallocated_lines, r->n_unallocated_lines);
    free_groups(&r->shared_pools);
    for (size_t i = 0; i < r->n_coverage; i++)
        free(r->coverage[i].tag);
    free(r->coverage);
    free_groups(&r->top_projects);
    free_groups(&r->top_users);
    free_groups(&r->by_model);
    free(r->days);
    for (size_t i = 0; i < r->totals.n_bridge; i++)
        free(r->totals.bridge[i].label);
    free(r->totals.bridge);
    free(r->supersedes.folder);
    free(r->supersedes.signed_by);
    free(r->supersedes.signed_at);
    free(r->supersedes.credit_account);
    for (size_t i = 0; i < r->supersedes.n_invoices; i++) {
        struct report_superseded_invoice *x = &r->supersedes.invoices[i];
        free(x->team);
        free(x->name);
        free(x->invoice_number);
        free(x->cost_center);
        free(x->reference);
        free(x->gl_account);
    }
    free(r->supersedes.invoices);
    free(r->supersedes.gone);
    free(r);
}

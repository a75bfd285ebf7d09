/* config.c: good configurations read into the right values, and every kind of mistake is an
 * error naming its key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!doc)
        fail_msg("bad test JSON (%s): %s", e.text, text);
    return doc;
}

static struct config *load_ok(const char *text)
{
    json_t *doc = parse(text);
    struct config *c = NULL;
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st = config_from_json(doc, "config.json", &c, &err);
    if (st != CB_OK)
        fail_msg("config rejected: %s: %s (%s)", err.field, err.text, text);
    json_decref(doc);
    return c;
}

static const char SPEC_EXAMPLE[] =
    "{\"organization\": \"Acme Corp\", \"currency\": \"USD\","
    " \"chargeback\": {\"model\": \"hybrid\", \"amount\": \"15000.00\", \"fixed_share\": 0.4,"
    "   \"fixed_basis\": \"headcount\","
    "   \"tiers\": [{\"up_to\": 1000000, \"per_million\": \"15.00\"},"
    "             {\"up_to\": 10000000, \"per_million\": \"12.00\"}, {\"per_million\": \"10.00\"}],"
    "   \"tier_mode\": \"volume\", \"tier_metric\": \"output_tokens\"},"
    " \"overhead_rate\": 0.10,"
    " \"teams\": {"
    "   \"support\": {\"headcount\": 3, \"markup\": \"0.05\", \"gl_account\": \"6421\","
    "                 \"budget\": {\"monthly_tokens\": 50000000}},"
    "   \"data\": {\"name\": \"Data Platform\", \"cost_center\": \"DATA-001\", \"headcount\": 12,"
    "              \"weight\": 1.5, \"markup\": 0.0,"
    "              \"budget\": {\"monthly\": \"5000.00\", \"alert_thresholds\": [0.9, 0.5, "
    "\"0.8\"]},"
    "              \"contact\": \"lead@example.com\"}},"
    " \"attribution\": ["
    "   {\"match\": {\"project\": [\"backend-api\", \"frontend-app\"]}, \"set\": {\"team\": "
    "\"engineering\"}},"
    "   {\"match\": {\"api_key_id\": \"apikey_01\", \"environment\": \"prod\"},"
    "    \"set\": {\"team\": \"support\", \"cost_center\": \"SUP\"}}],"
    " \"shared\": [{\"match\": {\"project\": \"platform-rag\"}, \"split\": \"even\"},"
    "             {\"match\": {\"project\": [\"a\", \"b\"], \"region\": \"eu\"}},"
    "             {\"match\": {\"workflow\": \"nightly\"}, \"split\": \"weights\", \"name\": "
    "\"Nightly jobs\"}],"
    " \"unallocated\": \"proportional\","
    " \"provider_invoice\": {\"2026-10\": \"15234.17\"},"
    " \"invoice\": {\"number_prefix\": \"INV-\", \"issuer\": \"Finance, Acme Corp\", \"footer\": "
    "\"Thanks\","
    "              \"paper\": \"Letter\"},"
    " \"internal_rates\": {\"skill_invocation\": \"0.0001\", \"mcp_operation\": \"0.0002\"},"
    " \"value_metrics\": {\"support\": {\"tickets resolved\": 5400, \"chats\": 12.5}},"
    " \"gl_account\": \"6420-AI\", \"anomaly_factor\": \"2.5\","
    " \"prices\": {\"models\": {\"claude-x\": {\"input\": \"1\", \"output\": \"2\"}}}}";

static void spec_example(void **state)
{
    (void)state;
    struct config *c = load_ok(SPEC_EXAMPLE);
    assert_string_equal(c->organization, "Acme Corp");
    assert_string_equal(c->currency, "USD");
    assert_string_equal(c->source, "config.json");
    assert_int_equal(c->model, CB_MODEL_HYBRID);
    assert_true(c->has_amount);
    assert_int_equal(c->amount_cents, 1500000);
    assert_int_equal(c->fixed_share_e6, 400000);
    assert_int_equal(c->fixed_basis, BASIS_HEADCOUNT);
    assert_int_equal(c->n_tiers, 3);
    assert_true(c->tiers[0].has_up_to);
    assert_int_equal(c->tiers[0].up_to, 1000000);
    assert_int_equal(c->tiers[0].per_million_micros, 15000000);
    assert_int_equal(c->tiers[1].up_to, 10000000);
    assert_false(c->tiers[2].has_up_to);
    assert_int_equal(c->tiers[2].per_million_micros, 10000000);
    assert_int_equal(c->tier_mode, TIER_VOLUME);
    assert_int_equal(c->tier_metric, METRIC_OUTPUT_TOKENS);
    assert_int_equal(c->overhead_e6, 100000);

    /* Teams sorted by id. */
    assert_int_equal(c->n_teams, 2);
    assert_string_equal(c->teams[0].id, "data");
    assert_string_equal(c->teams[1].id, "support");
    const struct config_team *d = config_team(c, "data");
    assert_ptr_equal(d, &c->teams[0]);
    assert_string_equal(d->name, "Data Platform");
    assert_string_equal(d->cost_center, "DATA-001");
    assert_string_equal(d->contact, "lead@example.com");
    assert_null(d->gl_account);
    assert_true(d->has_headcount);
    assert_int_equal(d->headcount, 12);
    assert_int_equal(d->weight_e6, 1500000);
    assert_int_equal(d->markup_e6, 0);
    assert_true(d->has_budget);
    assert_false(d->budget_is_tokens);
    assert_int_equal(d->budget_monthly, 500000);
    assert_int_equal(d->n_thresholds, 3);
    assert_int_equal(d->thresholds_e6[0], 500000);
    assert_int_equal(d->thresholds_e6[1], 800000);
    assert_int_equal(d->thresholds_e6[2], 900000);
    const struct config_team *s = config_team(c, "support");
    assert_non_null(s);
    assert_null(s->name);
    assert_int_equal(s->weight_e6, 1000000);
    assert_int_equal(s->markup_e6, 50000);
    assert_string_equal(s->gl_account, "6421");
    assert_true(s->budget_is_tokens);
    assert_int_equal(s->budget_monthly, 50000000);
    assert_int_equal(s->n_metrics, 2);
    assert_string_equal(s->metrics[0].name, "tickets resolved");
    assert_int_equal(s->metrics[0].units_e6, 5400000000);
    assert_string_equal(s->metrics[1].name, "chats");
    assert_int_equal(s->metrics[1].units_e6, 12500000);
    assert_null(config_team(c, "nobody"));
    assert_null(config_team(c, "dat"));

    assert_int_equal(c->n_rules, 2);
    assert_int_equal(c->rules[0].match.n_conds, 1);
    assert_int_equal(c->rules[0].match.conds[0].tag, TAG_PROJECT);
    assert_int_equal(c->rules[0].match.conds[0].n_values, 2);
    assert_string_equal(c->rules[0].set[TAG_TEAM], "engineering");
    assert_null(c->rules[0].set[TAG_PROJECT]);
    assert_string_equal(c->rules[1].set[TAG_COST_CENTER], "SUP");

    assert_int_equal(c->n_shared, 3);
    assert_int_equal(c->shared[0].split, SPLIT_EVEN);
    assert_string_equal(c->shared[0].name, "platform-rag");
    assert_int_equal(c->shared[1].split, SPLIT_PROPORTIONAL);
    assert_string_equal(c->shared[1].name, "project=a|b, region=eu");
    assert_int_equal(c->shared[2].split, SPLIT_WEIGHTS);
    assert_string_equal(c->shared[2].name, "Nightly jobs");

    assert_int_equal(c->unallocated, UNALLOC_PROPORTIONAL);
    assert_int_equal(c->n_provider_months, 1);
    assert_int_equal(c->provider_months[0].year, 2026);
    assert_int_equal(c->provider_months[0].month, 10);
    assert_int_equal(c->provider_months[0].cents, 1523417);
    assert_false(c->has_provider_total); /* set for the rendered month by the pipeline */
    assert_string_equal(c->number_prefix, "INV-");
    assert_string_equal(c->issuer, "Finance, Acme Corp");
    assert_string_equal(c->footer, "Thanks");
    assert_string_equal(c->paper, "Letter");
    assert_int_equal(c->skill_rate_micros, 100);
    assert_int_equal(c->mcp_rate_micros, 200);
    assert_string_equal(c->gl_account, "6420-AI");
    assert_int_equal(c->anomaly_factor_e6, 2500000);
    assert_non_null(c->prices);
    assert_true(json_is_object(json_object_get(c->prices, "models")));
    config_free(c);
}

static void defaults(void **state)
{
    (void)state;
    struct config *d = config_new_default();
    struct config *e = load_ok("{}");
    struct config *both[] = {d, e};
    for (size_t i = 0; i < 2; i++) {
        struct config *c = both[i];
        assert_string_equal(c->organization, "Organization");
        assert_string_equal(c->currency, "USD");
        assert_int_equal(c->model, CB_MODEL_USAGE);
        assert_false(c->has_amount);
        assert_int_equal(c->overhead_e6, 0);
        assert_int_equal(c->n_teams, 0);
        assert_int_equal(c->unallocated, UNALLOC_SHOW);
        assert_string_equal(c->number_prefix, "CB-");
        assert_string_equal(c->paper, "A4");
        assert_int_equal(c->payment_terms_days, 30);
        assert_null(c->credit_account);
        assert_null(c->issuer);
        assert_int_equal(c->anomaly_factor_e6, 2000000);
        assert_int_equal(c->tier_mode, TIER_GRADUATED);
        assert_int_equal(c->tier_metric, METRIC_TOTAL_TOKENS);
        assert_null(c->prices);
    }
    assert_string_equal(d->source, "(built-in)");
    config_free(d);
    config_free(e);
    config_free(NULL);
}

/* Numbers: rates round to 6 places, money is exact. */
static void numbers_table(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        int64_t overhead_e6;
    } cases[] = {
        {"{\"overhead_rate\": 0.1}", 100000},
        {"{\"overhead_rate\": \"0.1\"}", 100000},
        {"{\"overhead_rate\": 0}", 0},
        {"{\"overhead_rate\": 1}", 1000000},
        {"{\"overhead_rate\": 0.15}", 150000},
        {"{\"overhead_rate\": 0.0000004}", 0},
        {"{\"overhead_rate\": 0.0000005}", 1},
        {"{\"overhead_rate\": 0.333333333}", 333333},
        {"{\"overhead_rate\": \"0.123456\"}", 123456},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config *c = load_ok(cases[i].doc);
        assert_int_equal(c->overhead_e6, cases[i].overhead_e6);
        config_free(c);
    }
    struct config *c = load_ok(
        "{\"chargeback\": {\"amount\": 15000}, \"provider_invoice\": {\"2026-09\": \"0.5\", "
        "\"2026-10\": \"7\"}}");
    assert_int_equal(c->amount_cents, 1500000);
    assert_int_equal(c->n_provider_months, 2);
    assert_int_equal(c->provider_months[0].cents, 50);
    assert_int_equal(c->provider_months[1].cents, 700);
    config_free(c);
    c = load_ok("{\"chargeback\": {\"model\": \"tiered\", \"tiers\": [{\"per_million\": 10}]}}");
    assert_int_equal(c->n_tiers, 1);
    assert_int_equal(c->tiers[0].per_million_micros, 10000000);
    config_free(c);
    /* Hybrid with equal basis needs no headcount; hybrid without teams has nothing to check. */
    c = load_ok("{\"chargeback\": {\"model\": \"hybrid\", \"fixed_basis\": \"equal\"},"
                " \"teams\": {\"a\": {}}}");
    assert_int_equal(c->fixed_basis, BASIS_EQUAL);
    config_free(c);
    c = load_ok("{\"chargeback\": {\"model\": \"hybrid\"}}");
    config_free(c);
}

static void errors_table(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *field, *text;
    } cases[] = {
        {"{\"chargeback\": {\"tier_mod\": \"volume\"}}", "chargeback.tier_mod",
         "unknown key (expected one of: model, amount, fixed_share, fixed_basis, tiers, "
         "tier_mode, tier_metric)"},
        {"{\"organisation\": \"x\"}", "organisation",
         "unknown key (expected one of: organization, currency, chargeback, overhead_rate, teams, "
         "attribution, shared, unallocated, provider_invoice, invoice, internal_rates, "
         "value_metrics, gl_account, anomaly_factor, prices, budgets, finance, alerts, journal)"},
        {"{\"teams\": {\"data\": {\"headcont\": 3}}}", "teams.data.headcont",
         "unknown key (expected one of: name, cost_center, headcount, weight, markup, budget, "
         "contact, gl_account, owner, reference)"},
        {"{\"teams\": {\"data\": {\"budget\": {\"monthly\": \"1\", \"alerts\": []}}}}",
         "teams.data.budget.alerts",
         "unknown key (expected one of: monthly, monthly_tokens, alert_thresholds, owner)"},
        {"{\"chargeback\": {\"tiers\": [{\"per_million\": \"1\", \"upto\": 5}]}}",
         "chargeback.tiers[0].upto", "unknown key (expected one of: up_to, per_million)"},
        {"{\"invoice\": {\"papper\": \"A4\"}}", "invoice.papper",
         "unknown key (expected one of: number_prefix, issuer, footer, paper, payment_terms_days)"},
        {"{\"internal_rates\": {\"skill\": \"1\"}}", "internal_rates.skill",
         "unknown key (expected one of: skill_invocation, mcp_operation)"},
        {"{\"provider_invoice\": {\"amount\": \"1\"}}", "provider_invoice.amount",
         "expected a month YYYY-MM as the key"},
        {"{\"provider_invoice\": {\"2026-13\": \"1\"}}", "provider_invoice.2026-13",
         "expected a month YYYY-MM as the key"},
        {"{\"provider_invoice\": {\"2026-10\": 950.06}}", "provider_invoice.2026-10",
         "expected a decimal string; quote the amount"},
        {"{\"attribution\": [{\"match\": {\"team\": \"a\"}, \"set\": {\"team\": \"b\"}, \"x\": "
         "1}]}",
         "attribution[0].x", "unknown key (expected one of: match, set)"},
        {"{\"shared\": [{\"match\": {\"team\": \"a\"}, \"spilt\": \"even\"}]}", "shared[0].spilt",
         "unknown key (expected one of: match, split, name)"},
        {"{\"chargeback\": {\"amount\": 15000.5}}", "chargeback.amount",
         "expected a decimal string; quote the amount (\"15000.5\") so it is read exactly"},
        {"{\"chargeback\": {\"amount\": true}}", "chargeback.amount", "expected a decimal string"},
        {"{\"chargeback\": {\"amount\": \"15,000\"}}", "chargeback.amount",
         "expected a decimal string with at most 2 decimals, got \"15,000\""},
        {"{\"chargeback\": {\"amount\": \"1.005\"}}", "chargeback.amount",
         "expected a decimal string with at most 2 decimals, got \"1.005\""},
        {"{\"chargeback\": {\"amount\": \"-5\"}}", "chargeback.amount", "must not be negative"},
        {"{\"chargeback\": {\"tiers\": [{\"up_to\": 5, \"per_million\": 1.5}, {\"per_million\": "
         "\"1\"}]}}",
         "chargeback.tiers[0].per_million", "expected a decimal string; quote the amount"},
        {"{\"internal_rates\": {\"mcp_operation\": 0.0002}}", "internal_rates.mcp_operation",
         "expected a decimal string; quote the amount"},
        {"{\"provider_invoice\": {\"total\": \"950.06\"}}", "provider_invoice.total",
         "a provider total must name its month"},
        {"{\"teams\": {\"a\": {\"budget\": {\"monthly\": 100.5}}}}", "teams.a.budget.monthly",
         "expected a decimal string; quote the amount"},
        {"{\"chargeback\": {\"model\": \"flat\"}}", "chargeback.model",
         "expected one of usage | fixed | hybrid | tiered, got \"flat\""},
        {"{\"chargeback\": {\"tier_mode\": 1}}", "chargeback.tier_mode",
         "expected one of graduated | volume"},
        {"{\"chargeback\": {\"tier_metric\": \"tokens\"}}", "chargeback.tier_metric",
         "expected one of total_tokens | input_tokens | output_tokens, got \"tokens\""},
        {"{\"chargeback\": {\"fixed_basis\": \"heads\"}}", "chargeback.fixed_basis",
         "expected one of headcount | equal, got \"heads\""},
        {"{\"unallocated\": \"hide\"}", "unallocated",
         "expected one of show | proportional | even, got \"hide\""},
        {"{\"shared\": [{\"match\": {\"team\": \"a\"}, \"split\": \"half\"}]}", "shared[0].split",
         "expected one of proportional | even | weights, got \"half\""},
        {"{\"invoice\": {\"paper\": \"Legal\"}}", "invoice.paper",
         "expected one of A4 | Letter, got \"Legal\""},
        {"{\"invoice\": {\"payment_terms_days\": \"30\"}}", "invoice.payment_terms_days",
         "expected a whole number of days from 0 to 366, such as 30"},
        {"{\"invoice\": {\"payment_terms_days\": -1}}", "invoice.payment_terms_days",
         "expected a whole number of days from 0 to 366, such as 30"},
        {"{\"journal\": {\"credit\": \"2100\"}}", "journal.credit",
         "unknown key (expected one of: credit_account)"},
        {"{\"journal\": {\"credit_account\": \"\"}}", "journal.credit_account",
         "expected an account, got \"\""},
        {"{\"chargeback\": {\"fixed_share\": 1.2}}", "chargeback.fixed_share",
         "must be between 0 and 1"},
        {"{\"chargeback\": {\"fixed_share\": -0.1}}", "chargeback.fixed_share",
         "must be between 0 and 1"},
        {"{\"chargeback\": {\"fixed_share\": \"40%\"}}", "chargeback.fixed_share",
         "expected a number or a decimal string with at most 6 decimals, got \"40%\""},
        {"{\"overhead_rate\": [0.1]}", "overhead_rate", "expected a number or decimal string"},
        {"{\"overhead_rate\": -0.1}", "overhead_rate", "must be between 0 and 10"},
        {"{\"overhead_rate\": 9e12}", "overhead_rate", "number out of range (at most 1000000)"},
        {"{\"overhead_rate\": 10.5}", "overhead_rate", "must be between 0 and 10"},
        {"{\"teams\": {\"a\": {\"markup\": \"11\"}}}", "teams.a.markup",
         "must be between 0 and 10"},
        {"{\"chargeback\": {\"amount\": \"1000000000000.01\"}}", "chargeback.amount",
         "1000000000000.01 is above the largest amount chargeback bills"},
        {"{\"teams\": {\"a\": {\"headcount\": 1000000000000001}}}", "teams.a.headcount",
         "number out of range (at most 10^15)"},
        {"{\"anomaly_factor\": 0}", "anomaly_factor", "must be greater than 0"},
        {"{\"teams\": {\"a\": {\"weight\": -1}}}", "teams.a.weight", "must not be negative"},
        {"{\"teams\": {\"a\": {\"headcount\": 2.5}}}", "teams.a.headcount",
         "expected a non-negative integer"},
        {"{\"teams\": {\"a\": {\"headcount\": -2}}}", "teams.a.headcount",
         "expected a non-negative integer"},
        {"{\"teams\": {\"a\": {\"name\": 5}}}", "teams.a.name", "expected a string"},
        {"{\"teams\": {\"a\": []}}", "teams.a", "expected an object"},
        {"{\"teams\": []}", "teams", "expected an object"},
        {"{\"teams\": {\"\": {}}}", "teams.", "empty team id"},
        {"{\"teams\": {\"a\": {\"budget\": {}}}}", "teams.a.budget",
         "missing monthly (an amount) or monthly_tokens"},
        {"{\"teams\": {\"a\": {\"budget\": {\"monthly\": \"1\", \"monthly_tokens\": 5}}}}",
         "teams.a.budget", "give either monthly or monthly_tokens, not both"},
        {"{\"teams\": {\"a\": {\"budget\": {\"monthly_tokens\": \"many\"}}}}",
         "teams.a.budget.monthly_tokens", "expected a non-negative integer"},
        {"{\"teams\": {\"a\": {\"budget\": {\"monthly\": \"1\", \"alert_thresholds\": [0.5, 0]}}}}",
         "teams.a.budget.alert_thresholds[1]", "must be greater than 0"},
        {"{\"teams\": {\"a\": {\"budget\": {\"monthly\": \"1\", \"alert_thresholds\": 0.5}}}}",
         "teams.a.budget.alert_thresholds", "expected an array of fractions"},
        {"{\"chargeback\": {\"tiers\": [{\"up_to\": 10, \"per_million\": \"1\"}, "
         "{\"up_to\": 5, \"per_million\": \"1\"}, {\"per_million\": \"1\"}]}}",
         "chargeback.tiers[1].up_to", "tiers must be in ascending order of up_to (got 5)"},
        {"{\"chargeback\": {\"tiers\": [{\"per_million\": \"1\"}, {\"per_million\": \"1\"}]}}",
         "chargeback.tiers[0].up_to", "missing (only the last tier may be open)"},
        {"{\"chargeback\": {\"tiers\": [{\"up_to\": 10, \"per_million\": \"1\"}]}}",
         "chargeback.tiers[0].up_to", "the last tier must be open (no up_to)"},
        {"{\"chargeback\": {\"tiers\": [{\"up_to\": 10}, {\"per_million\": \"1\"}]}}",
         "chargeback.tiers[0].per_million",
         "missing (every tier needs a price per million tokens)"},
        {"{\"chargeback\": {\"tiers\": []}}", "chargeback.tiers",
         "expected a non-empty array of tiers"},
        {"{\"chargeback\": {\"model\": \"tiered\"}}", "chargeback.tiers",
         "missing (the tiered model needs tiers)"},
        {"{\"chargeback\": {\"model\": \"hybrid\"}, \"teams\": {\"a\": {\"headcount\": 3}, \"b\": "
         "{}}}",
         "teams.b.headcount", "missing: the hybrid model splits its fixed share by headcount"},
        {"{\"attribution\": [{\"match\": {\"teem\": \"a\"}, \"set\": {\"team\": \"b\"}}]}",
         "attribution[0].match.teem", "unknown tag"},
        {"{\"attribution\": [{\"match\": {\"team\": \"a\"}, \"set\": {\"squad\": \"b\"}}]}",
         "attribution[0].set.squad", "unknown tag"},
        {"{\"attribution\": [{\"match\": {\"team\": \"a\"}, \"set\": {\"team\": 5}}]}",
         "attribution[0].set.team", "expected a non-empty string"},
        {"{\"attribution\": [{\"match\": {\"team\": \"a\"}}]}", "attribution[0].set", "missing"},
        {"{\"attribution\": [{\"set\": {\"team\": \"a\"}}]}", "attribution[0].match", "missing"},
        {"{\"attribution\": [{\"match\": {}, \"set\": {\"team\": \"a\"}}]}", "attribution[0].match",
         "empty match"},
        {"{\"attribution\": [{\"match\": {\"project\": [\"a\", 3]}, \"set\": {\"team\": \"a\"}}]}",
         "attribution[0].match.project[1]", "expected a string"},
        {"{\"attribution\": [{\"match\": {\"project\": []}, \"set\": {\"team\": \"a\"}}]}",
         "attribution[0].match.project", "expected a string or a non-empty array of strings"},
        {"{\"attribution\": {}}", "attribution", "expected an array of rules"},
        {"{\"shared\": [{\"split\": \"even\"}]}", "shared[0].match", "missing"},
        {"{\"value_metrics\": {\"support\": {\"tickets\": 5}}}", "value_metrics.support",
         "no team \"support\" in teams"},
        {"{\"teams\": {\"s\": {}}, \"value_metrics\": {\"s\": {\"tickets\": \"lots\"}}}",
         "value_metrics.s.tickets", "expected a number or a decimal string"},
        {"{\"currency\": \"usd\"}", "currency", "expected a three-letter ISO 4217 code"},
        {"{\"organization\": 7}", "organization", "expected a string"},
        {"{\"prices\": {\"models\": {\"claude-x\": {\"inptu\": \"3\", \"output\": \"1\"}}}}",
         "prices.models.claude-x.inptu", "unknown key (expected one of: input,"},
        {"{\"prices\": {\"model\": {}}}", "prices.model", "unknown key"},
        {"{\"prices\": 5}", "prices", "the price book must be a JSON object"},
        {"[1]", "", "the configuration must be a JSON object"},
        /* budgets on projects and users (issue 21): every key checked, with its path */
        {"{\"budgets\": [{\"project\": \"p\", \"monthly\": \"1\", \"treshold\": [0.5]}]}",
         "budgets[0].treshold",
         "unknown key (expected one of: team, project, user, monthly, monthly_tokens, "
         "alert_thresholds, owner)"},
        {"{\"budgets\": [{\"user\": \"u\", \"monthly\": \"1\", \"owner\": {\"mail\": \"a@b\"}}]}",
         "budgets[0].owner.mail", "unknown key (expected one of: name, email)"},
        {"{\"budgets\": [{\"user\": \"u\", \"monthly\": \"1\", \"owner\": {\"name\": \"A\"}}]}",
         "budgets[0].owner.email", "missing (the address its alerts go to)"},
        {"{\"budgets\": [{\"user\": \"u\", \"monthly\": \"1\", \"owner\": {\"email\": \"a "
         "b@c\"}}]}",
         "budgets[0].owner.email", "expected one address"},
        {"{\"budgets\": [{\"monthly\": \"1\"}]}", "budgets[0]",
         "missing what the budget is on: \"project\", \"user\" or \"team\""},
        {"{\"budgets\": [{\"project\": \"p\", \"user\": \"u\", \"monthly\": \"1\"}]}", "budgets[0]",
         "give one of team, project or user, not both project and user"},
        {"{\"budgets\": [{\"project\": \"\", \"monthly\": \"1\"}]}", "budgets[0].project",
         "expected a non-empty string"},
        {"{\"budgets\": [{\"project\": \"p\"}]}", "budgets[0]",
         "missing monthly (an amount) or monthly_tokens"},
        {"{\"budgets\": [{\"project\": \"p\", \"monthly\": 0.5}]}", "budgets[0].monthly",
         "expected a decimal string"},
        {"{\"budgets\": [{\"user\": \"u\", \"monthly_tokens\": 0}]}", "budgets[0].monthly_tokens",
         "must be greater than 0"},
        {"{\"budgets\": [{\"project\": \"p\", \"monthly\": \"1\", \"alert_thresholds\": [0.5, "
         "-1]}]}",
         "budgets[0].alert_thresholds[1]", "must be greater than 0"},
        {"{\"budgets\": [{\"project\": \"p\", \"monthly\": \"1\"}, {\"user\": \"p\", "
         "\"monthly\": \"1\"}, {\"project\": \"p\", \"monthly\": \"2\"}]}",
         "budgets[2].project", "project \"p\" has a budget already (budgets[0]): give it once"},
        {"{\"budgets\": [{\"team\": \"t\", \"monthly\": \"1\"}]}", "budgets[0].team",
         "no team \"t\" in teams"},
        {"{\"teams\": {\"t\": {\"budget\": {\"monthly\": \"1\"}}}, \"budgets\": [{\"team\": \"t\", "
         "\"monthly\": \"1\"}]}",
         "budgets[0].team", "team \"t\" has a budget already"},
        {"{\"budgets\": {}}", "budgets", "expected an array of budgets"},
        {"{\"teams\": {\"t\": {\"budget\": {\"monthly\": \"1\", \"owner\": \"Dana\"}}}}",
         "teams.t.budget.owner", "expected an object"},
        {"{\"finance\": {\"name\": \"F\", \"e-mail\": \"f@x\"}}", "finance.e-mail",
         "unknown key (expected one of: name, email)"},
        {"{\"alerts\": {\"unallocated\": 0.05}}", "alerts.unallocated",
         "unknown key (expected one of: unallocated_share)"},
        {"{\"alerts\": {\"unallocated_share\": 1.5}}", "alerts.unallocated_share",
         "must be between 0 and 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = parse(cases[i].doc);
        struct config *c = (struct config *)&c; /* must be reset to NULL */
        struct cb_error err;
        cb_error_clear(&err);
        enum cb_status st = config_from_json(doc, "config.json", &c, &err);
        if (st != CB_EUSAGE)
            fail_msg("case %zu (%s): status %d, want CB_EUSAGE", i, cases[i].doc, (int)st);
        assert_null(c);
        assert_string_equal(err.file, "config.json");
        if (strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu (%s): field \"%s\", want \"%s\"", i, cases[i].doc, err.field,
                     cases[i].field);
        if (strncmp(err.text, cases[i].text, strlen(cases[i].text)) != 0)
            fail_msg("case %zu (%s): text \"%s\", want prefix \"%s\"", i, cases[i].doc, err.text,
                     cases[i].text);
        json_decref(doc);
    }
}

static void load_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_config.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/config.json", dir);
    struct config *c = NULL;
    struct cb_error err;

    assert_int_equal(config_load(path, &c, &err), CB_EIO);
    assert_null(c);
    assert_string_equal(err.file, path);

    static const struct {
        const char *text;
        enum cb_status st;
        long line;
        const char *needle;
    } cases[] = {
        {"{\"organization\": \"A\",\n \"organization\": \"B\"}", CB_EUSAGE, 2, "duplicate"},
        {"{\"teams\": {\"a\": {}, \"a\": {}}}", CB_EUSAGE, 1, "duplicate"},
        {"{\n\n\"organization\": }", CB_EUSAGE, 3, ""},
        {"", CB_EUSAGE, 1, ""},
        {"{\"organization\": \"Acme\",\n \"teams\": {\"x\": {\"nme\": \"X\"}}}", CB_EUSAGE, 0,
         "unknown key"},
        {"{\"organization\": \"Acme\"}\n", CB_OK, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        cb_error_clear(&err);
        enum cb_status st = config_load(path, &c, &err);
        if (st != cases[i].st)
            fail_msg("case %zu: status %d, want %d (%s)", i, (int)st, (int)cases[i].st, err.text);
        if (st == CB_OK) {
            assert_string_equal(c->organization, "Acme");
            assert_string_equal(c->source, path);
            config_free(c);
            continue;
        }
        assert_null(c);
        assert_string_equal(err.file, path);
        if (cases[i].line)
            assert_int_equal(err.line, cases[i].line);
        assert_non_null(strstr(err.text, cases[i].needle));
    }
    remove(path);
    remove(dir);
}

static void match_table(void **state)
{
    (void)state;
    struct config *c =
        load_ok("{\"attribution\": ["
                "{\"match\": {\"project\": [\"api\", \"web\"]}, \"set\": {\"team\": \"eng\"}},"
                "{\"match\": {\"api_key_id\": \"k1\", \"environment\": \"prod\"}, \"set\": "
                "{\"team\": \"ops\"}}]}");
    static const struct {
        size_t rule;
        const char *project, *api_key, *env;
        bool want;
    } cases[] = {
        {0, "api", NULL, NULL, true},    {0, "web", "k1", "prod", true},
        {0, "apis", NULL, NULL, false},  {0, NULL, NULL, NULL, false},
        {0, "", NULL, NULL, false},      {1, NULL, "k1", "prod", true},
        {1, NULL, "k1", "dev", false},   {1, NULL, "k1", NULL, false},
        {1, "api", NULL, "prod", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *tags[TAG_COUNT] = {0};
        tags[TAG_PROJECT] = cases[i].project;
        tags[TAG_API_KEY_ID] = cases[i].api_key;
        tags[TAG_ENVIRONMENT] = cases[i].env;
        if (config_match(&c->rules[cases[i].rule].match, tags) != cases[i].want)
            fail_msg("match case %zu: want %d", i, cases[i].want);
    }
    struct config_match empty = {NULL, 0};
    const char *none[TAG_COUNT] = {0};
    assert_true(config_match(&empty, none));
    config_free(c);
}

static void model_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cb_model m;
    } cases[] = {{"usage", CB_MODEL_USAGE},
                 {"fixed", CB_MODEL_FIXED},
                 {"hybrid", CB_MODEL_HYBRID},
                 {"tiered", CB_MODEL_TIERED}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum cb_model m = CB_MODEL_USAGE;
        assert_true(config_model_parse(cases[i].name, &m));
        assert_int_equal(m, cases[i].m);
        assert_string_equal(config_model_name(cases[i].m), cases[i].name);
    }
    static const char *const bad[] = {"", "Usage", "tier", "hybrid ", "flat"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum cb_model m = CB_MODEL_FIXED;
        assert_false(config_model_parse(bad[i], &m));
        assert_int_equal(m, CB_MODEL_FIXED);
    }
}

/* budgets on projects and users (sorted by scope, then key), a team entry moved onto its team
 * with its owner, finance and the unallocated-share limit. */
static void budgets_read(void **state)
{
    (void)state;
    struct config *c = load_ok(
        "{\"teams\": {\"data\": {\"owner\": \"Dana Lee\", \"contact\": \"dana@x.example\"}},"
        " \"budgets\": ["
        "  {\"user\": \"zoe\", \"monthly\": \"20.00\"},"
        "  {\"project\": \"rag\", \"monthly_tokens\": 1000000, \"alert_thresholds\": [0.9, 0.5],"
        "   \"owner\": {\"name\": \"Ana\", \"email\": \"ana@x.example\"}},"
        "  {\"user\": \"bob\", \"monthly\": \"5\"},"
        "  {\"team\": \"data\", \"monthly\": \"100.00\", \"alert_thresholds\": [0.8],"
        "   \"owner\": {\"email\": \"cfo@x.example\"}}],"
        " \"finance\": {\"name\": \"Finance\", \"email\": \"finance@x.example\"},"
        " \"alerts\": {\"unallocated_share\": 0.05}}");
    assert_int_equal(c->n_budgets, 3);
    static const struct {
        enum config_scope scope;
        const char *key;
        bool tokens;
        int64_t monthly;
        size_t n_thresholds;
    } want[] = {{SCOPE_PROJECT, "rag", true, 1000000, 2},
                {SCOPE_USER, "bob", false, 500, 0},
                {SCOPE_USER, "zoe", false, 2000, 0}};
    for (size_t i = 0; i < 3; i++) {
        const struct config_budget *b = &c->budgets[i];
        assert_int_equal(b->scope, want[i].scope);
        assert_string_equal(b->key, want[i].key);
        assert_int_equal(b->is_tokens, want[i].tokens);
        assert_int_equal(b->monthly, want[i].monthly);
        assert_int_equal(b->n_thresholds, want[i].n_thresholds);
        assert_ptr_equal(config_budget_find(c, want[i].scope, want[i].key), b);
    }
    assert_int_equal(c->budgets[0].thresholds_e6[0], 500000);
    assert_string_equal(c->budgets[0].owner.email, "ana@x.example");
    assert_null(c->budgets[1].owner.email);
    assert_null(config_budget_find(c, SCOPE_PROJECT, "zoe"));
    const struct config_team *t = config_team(c, "data");
    assert_true(t->has_budget);
    assert_int_equal(t->budget_monthly, 10000);
    assert_int_equal(t->n_thresholds, 1);
    assert_string_equal(t->owner, "Dana Lee");
    assert_string_equal(t->budget_owner.email, "cfo@x.example");
    assert_string_equal(c->finance.email, "finance@x.example");
    assert_true(c->has_unallocated_limit);
    assert_int_equal(c->unallocated_limit_e6, 50000);
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_example),  cmocka_unit_test(defaults),
        cmocka_unit_test(numbers_table), cmocka_unit_test(errors_table),
        cmocka_unit_test(load_file),     cmocka_unit_test(match_table),
        cmocka_unit_test(model_names),   cmocka_unit_test(budgets_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

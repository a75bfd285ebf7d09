#include "cli.h"

#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xalloc.h"

const char *cli_command_name(enum cli_command cmd)
{
    switch (cmd) {
    case CMD_RENDER: return "render";
    case CMD_CHECK: return "check";
    case CMD_PRICES: return "prices";
    case CMD_TEMPLATE: return "template";
    case CMD_SIGN: return "sign";
    case CMD_VERIFY: return "verify";
    case CMD_KEYGEN: return "keygen";
    case CMD_MAIL: return "mail";
    case CMD_ROLLUP_SQL: return "rollup-sql";
    case CMD_HELP: return "help";
    case CMD_VERSION: return "version";
    case CMD_NONE: break;
    }
    return "";
}

static const char tool_help[] =
    "usage: chargeback COMMAND [options] ...\n"
    "\n"
    "Turns a month of tagged Claude API usage into per-team chargeback invoices.\n"
    "\n"
    "commands:\n"
    "  render   [options] INPUT...      inputs -> out/YYYY-MM/ (HTML, PDF, XLSX, JSON, CSV)\n"
    "  check    [options] INPUT...      validate and count only; writes nothing\n"
    "  prices   [--prices FILE] [--at YYYY-MM-DD]   print the effective price book\n"
    "  template TEMPLATE DATA.json [--partials DIR] render one Mustache template to stdout\n"
    "  sign     DIR --by NAME [--key FILE]          finalize a rendered month\n"
    "  verify   DIR [--pubkey FILE]                 re-check a finalized month\n"
    "  keygen   --out FILE [--force]                make an Ed25519 signing key pair\n"
    "  mail     DIR --from ADDRESS [--out DIR2] [--cc ADDRESS] [--send] [--draft]\n"
    "                                               one e-mail per team, ready to send\n"
    "  rollup-sql --engine duckdb|spark|bigquery --input GLOB --output PATH\n"
    "                                               print the warehouse roll-up query\n"
    "\n"
    "  chargeback COMMAND --help   options of one command\n"
    "  chargeback --version        the version\n"
    "\n"
    "INPUT is a file (.gz is decompressed) or - for standard input; several inputs are one month.\n"
    "exit status: 0 ok, 1 data problems (--strict) or verify found a difference,\n"
    "             2 usage or configuration error, 3 input/output error, 4 internal check failed.\n";

static const char run_options[] =
    "options:\n"
    "  -c, --config FILE        organization configuration (default: usage model, list prices)\n"
    "  -m, --month YYYY-MM      billing period (default: the month with the most records)\n"
    "  -o, --out DIR            output folder (default out/YYYY-MM, out/YYYY-MM-shadow)\n"
    "      --model MODEL        fixed, usage, hybrid or tiered (overrides the configuration)\n"
    "      --shadow             shadow month: every document says SHADOW - NOT BILLED\n"
    "      --compare            render: each team's total under every chargeback model\n"
    "                           (always on a shadow month)\n"
    "  -f, --formats LIST       any of %s (default: all)\n"
    "  -p, --prices FILE        price book override\n"
    "      --previous DIR       last month's output folder, for month-over-month figures\n"
    "      --supersedes DIR     render: a corrected revision of a signed month (numbers get\n"
    "                           -R2, -R3...; default output DIR-r2, DIR-r3...)\n"
    "      --strict             any rejected record fails the run (exit 1), writes nothing\n"
    "  -q, --quiet              no progress bar, no summary\n"
    "      --progress           force a progress bar (default: when stderr is a terminal)\n"
    "  -j, --threads N          worker threads (default: about one per core)\n"
    "      --data-dir DIR       where templates/ and fonts/ are (or CHARGEBACK_DATA_DIR)\n";

void cli_print_help(enum cli_command cmd, void *outp)
{
    FILE *out = outp;
    switch (cmd) {
    case CMD_RENDER:
        fprintf(out, "usage: chargeback render [options] INPUT...\n\n"
                     "Reads the inputs as one month, prices and allocates it, and writes the\n"
                     "invoices, summary and exports into the output folder (atomically).\n\n");
        fprintf(out, run_options, render_format_list());
        break;
    case CMD_CHECK:
        fprintf(out, "usage: chargeback check [options] INPUT...\n\n"
                     "Validates and counts the inputs as render would, prints the counts, the\n"
                     "rejects by reason and the teams found, and writes no file. Exits 1 when any\n"
                     "record would be rejected.\n\n");
        fprintf(out, run_options, render_format_list());
        break;
    case CMD_PRICES:
        fprintf(out,
                "usage: chargeback prices [--prices FILE] [--at YYYY-MM-DD] [--config FILE]\n\n"
                "Prints the effective price book (USD per million tokens; web search per\n"
                "1,000), built-in prices merged with the configuration's and the file's.\n");
        break;
    case CMD_TEMPLATE:
        fprintf(out,
                "usage: chargeback template TEMPLATE DATA.json [--partials DIR]\n\n"
                "Renders one Mustache template with JSON data to standard output. Partials\n"
                "{{>name}} are read from DIR/name.mustache (default: the template's folder).\n");
        break;
    case CMD_SIGN:
        fprintf(out, "usage: chargeback sign DIR --by NAME [--key FILE]\n\n"
                     "Records the approval of a rendered billing month: writes DIR/SIGNOFF.json\n"
                     "(signer, time, version, SHA-256 of every file), with --key an Ed25519\n"
                     "signature DIR/SIGNOFF.sig, and makes the files read-only.\n");
        break;
    case CMD_VERIFY:
        fprintf(out,
                "usage: chargeback verify DIR [--pubkey FILE]\n\n"
                "Recomputes every hash of a signed month (and the signature with --pubkey)\n"
                "and names each file added, removed or changed. Exit 0 only when all match.\n");
        break;
    case CMD_KEYGEN:
        fprintf(out, "usage: chargeback keygen --out FILE [--force]\n\n"
                     "Makes an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub. Refuses\n"
                     "a FILE inside a git work tree (one `git add` from publishing the secret)\n"
                     "unless --force is given.\n");
        break;
    case CMD_MAIL:
        fprintf(
            out,
            "usage: chargeback mail DIR --from ADDRESS [--out DIR2] [--cc ADDRESS] [--send]\n"
            "                       [--draft]\n\n"
            "Writes one e-mail (RFC 5322, .eml) per team with a contact into DIR2 (default\n"
            "DIR-mail, never inside DIR): the team's PDF invoice and workbook attached, the\n"
            "amount and how it was computed in the body. The same month gives the same bytes.\n"
            "A billing month must be signed and verify clean first; shadow months need not.\n\n"
            "options:\n"
            "      --from ADDRESS   the sender (finance), e.g. \"Finance <finops@example.com>\"\n"
            "  -o, --out DIR2       where the messages go (replaced whole; default DIR-mail)\n"
            "      --cc ADDRESS     a copy of every message to this address\n"
            "      --send           hand each message to sendmail -t -i (found on PATH)\n"
            "      --draft          write them for an unsigned billing month, marked DRAFT\n"
            "                       (X-Unsent: 1); drafts cannot be sent\n"
            "  -q, --quiet          no line per message\n");
        break;
    case CMD_ROLLUP_SQL:
        fprintf(out,
                "usage: chargeback rollup-sql --engine duckdb|spark|bigquery --input GLOB\n"
                "                             --output PATH [--prices FILE]\n\n"
                "Prints the SQL that rolls raw native usage records (JSON Lines) up to one row\n"
                "per day x tags x model x pricing variant with \"requests\", the first copy of\n"
                "each request_id kept (file order, then line order). Render its output like\n"
                "the raw logs: the invoices are the same. --input is a path or glob (BigQuery:\n"
                "a table with the raw line in column `line`), --output where the query writes\n"
                "(BigQuery: a gs:// URI with *). --prices: the book whose long-prompt\n"
                "thresholds the query uses (default built-in; pass the one render uses).\n");
        break;
    default: fputs(tool_help, out); break;
    }
}

static enum cli_command command_from_name(const char *s)
{
    static const enum cli_command cmds[] = {CMD_RENDER,   CMD_CHECK, CMD_PRICES,
                                            CMD_TEMPLATE, CMD_SIGN,  CMD_VERIFY,
                                            CMD_KEYGEN,   CMD_MAIL,  CMD_ROLLUP_SQL};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(s, cli_command_name(cmds[i])) == 0)
            return cmds[i];
    return CMD_NONE;
}

/* Options: long name, short name, whether it takes a value, commands it applies to (bitmask). */
#define BIT(c) (1u << (c))
#define RUN    (BIT(CMD_RENDER) | BIT(CMD_CHECK))

enum opt_id {
    O_CONFIG,
    O_MONTH,
    O_OUT,
    O_MODEL,
    O_SHADOW,
    O_COMPARE,
    O_FORMATS,
    O_PRICES,
    O_PREVIOUS,
    O_SUPERSEDES,
    O_STRICT,
    O_QUIET,
    O_PROGRESS,
    O_THREADS,
    O_DATA_DIR,
    O_AT,
    O_PARTIALS,
    O_BY,
    O_KEY,
    O_PUBKEY,
    O_KOUT,
    O_FROM,
    O_CC,
    O_SEND,
    O_DRAFT,
    O_FORCE,
    O_ENGINE,
    O_INPUT,
    O_OUTPUT
};

struct opt_def {
    enum opt_id id;
    const char *name;
    char short_name;
    bool has_value;
    unsigned commands;
};

static const struct opt_def opt_defs[] = {
    {O_CONFIG, "config", 'c', true, RUN | BIT(CMD_PRICES)},
    {O_MONTH, "month", 'm', true, RUN},
    {O_OUT, "out", 'o', true, RUN | BIT(CMD_KEYGEN) | BIT(CMD_MAIL)},
    {O_MODEL, "model", 0, true, RUN},
    {O_SHADOW, "shadow", 0, false, RUN},
    {O_COMPARE, "compare", 0, false, BIT(CMD_RENDER)},
    {O_FORMATS, "formats", 'f', true, RUN},
    {O_PRICES, "prices", 'p', true, RUN | BIT(CMD_PRICES) | BIT(CMD_ROLLUP_SQL)},
    {O_PREVIOUS, "previous", 0, true, RUN},
    {O_SUPERSEDES, "supersedes", 0, true, BIT(CMD_RENDER)},
    {O_STRICT, "strict", 0, false, RUN},
    {O_QUIET, "quiet", 'q', false, RUN | BIT(CMD_MAIL)},
    {O_PROGRESS, "progress", 0, false, RUN},
    {O_THREADS, "threads", 'j', true, RUN},
    {O_DATA_DIR, "data-dir", 0, true, RUN | BIT(CMD_TEMPLATE)},
    {O_AT, "at", 0, true, BIT(CMD_PRICES)},
    {O_PARTIALS, "partials", 0, true, BIT(CMD_TEMPLATE)},
    {O_BY, "by", 0, true, BIT(CMD_SIGN)},
    {O_KEY, "key", 0, true, BIT(CMD_SIGN)},
    {O_PUBKEY, "pubkey", 0, true, BIT(CMD_VERIFY)},
    {O_FROM, "from", 0, true, BIT(CMD_MAIL)},
    {O_CC, "cc", 0, true, BIT(CMD_MAIL)},
    {O_SEND, "send", 0, false, BIT(CMD_MAIL)},
    {O_DRAFT, "draft", 0, false, BIT(CMD_MAIL)},
    {O_FORCE, "force", 0, false, BIT(CMD_KEYGEN)},
    {O_ENGINE, "engine", 0, true, BIT(CMD_ROLLUP_SQL)},
    {O_INPUT, "input", 0, true, BIT(CMD_ROLLUP_SQL)},
    {O_OUTPUT, "output", 0, true, BIT(CMD_ROLLUP_SQL)},
};

static bool valid_month(const char *s, int *y, int *m)
{
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    return *y >= 1970 && *m >= 1 && *m <= 12;
}

static bool valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m); /* no 2026-02-30 */
}

static bool valid_formats(const char *list, char *bad, size_t badsz)
{
    const char *p = list;
    if (!*p)
        return false;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool ok = false;
        /* the format table of render.c is the one list of formats */
        for (size_t i = 0; i < render_format_count; i++)
            if (strlen(render_formats[i].name) == n && strncmp(render_formats[i].name, p, n) == 0)
                ok = true;
        if (!ok) {
            snprintf(bad, badsz, "%.*s", (int)(n > 40 ? 40 : n), p);
            return false;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return true;
}

static enum cb_status apply(struct cli_opts *o, const struct opt_def *d, const char *v,
                            struct cb_error *err)
{
    switch (d->id) {
    case O_CONFIG: o->config = v; break;
    case O_MONTH:
        if (!valid_month(v, &o->year, &o->mon))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--month: expected YYYY-MM, got \"%s\"", v);
        o->month = v;
        break;
    case O_OUT:
        if (o->command == CMD_KEYGEN)
            o->keygen_out = v;
        else
            o->out = v;
        break;
    case O_MODEL:
        if (!config_model_parse(v, &o->model))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--model: expected fixed, usage, hybrid or tiered, got \"%s\"", v);
        o->has_model = true;
        break;
    case O_SHADOW: o->shadow = true; break;
    case O_COMPARE: o->compare = true; break;
    case O_FORMATS: {
        char bad[64] = "";
        if (!valid_formats(v, bad, sizeof bad))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--formats: unknown format \"%s\" (expected any of %s)", bad,
                                render_format_list());
        o->formats = v;
        break;
    }
    case O_PRICES: o->prices = v; break;
    case O_PREVIOUS: o->previous = v; break;
    case O_SUPERSEDES: o->supersedes = v; break;
    case O_STRICT: o->strict = true; break;
    case O_QUIET: o->progress = -1; break;
    case O_PROGRESS: o->progress = 1; break;
    case O_THREADS: {
        char *end;
        long n = strtol(v, &end, 10);
        if (*v == '\0' || *end || n < 1 || n > 64)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--threads: expected a whole number from 1 to 64, got \"%s\"", v);
        o->threads = (int)n;
        break;
    }
    case O_DATA_DIR: o->data_dir = v; break;
    case O_AT:
        if (!valid_date(v))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--at: expected a calendar date YYYY-MM-DD, got \"%s\"", v);
        o->at = v;
        break;
    case O_PARTIALS: o->partials = v; break;
    case O_BY: o->by = v; break;
    case O_KEY: o->key = v; break;
    case O_PUBKEY: o->pubkey = v; break;
    case O_KOUT: o->keygen_out = v; break;
    case O_FROM: o->from = v; break;
    case O_CC: o->cc = v; break;
    case O_SEND: o->send = true; break;
    case O_DRAFT: o->draft = true; break;
    case O_FORCE: o->force = true; break;
    case O_ENGINE:
        if (!rollup_engine_parse(v, &o->engine))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "--engine: expected duckdb, spark or bigquery, got \"%s\"", v);
        o->has_engine = true;
        break;
    case O_INPUT: o->rollup_input = v; break;
    case O_OUTPUT: o->rollup_output = v; break;
    }
    return CB_OK;
}

static const struct opt_def *find_long(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof opt_defs / sizeof opt_defs[0]; i++)
        if (strlen(opt_defs[i].name) == n && strncmp(opt_defs[i].name, name, n) == 0)
            return &opt_defs[i];
    return NULL;
}

static const struct opt_def *find_short(char c)
{
    for (size_t i = 0; i < sizeof opt_defs / sizeof opt_defs[0]; i++)
        if (opt_defs[i].short_name == c)
            return &opt_defs[i];
    return NULL;
}

static void add_positional(struct cli_opts *o, const char *arg, size_t *n_pos, const char **pos)
{
    if (o->command == CMD_RENDER || o->command == CMD_CHECK) {
        o->inputs = xreallocarray(o->inputs, o->n_inputs + 1, sizeof *o->inputs);
        o->inputs[o->n_inputs++] = arg;
    } else {
        if (*n_pos < 2)
            pos[*n_pos] = arg;
        (*n_pos)++;
    }
}

enum cb_status cli_parse(int argc, char **argv, struct cli_opts *o, struct cb_error *err)
{
    memset(o, 0, sizeof *o);
    if (argc < 2) {
        o->command = CMD_HELP;
        return CB_OK;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0 || strcmp(first, "help") == 0) {
        o->command = CMD_HELP;
        if (argc > 2)
            o->help_for = command_from_name(argv[2]);
        return CB_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        o->command = CMD_VERSION;
        return CB_OK;
    }
    o->command = command_from_name(first);
    if (o->command == CMD_NONE)
        return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "unknown command \"%s\"", first);

    const char *pos[2] = {NULL, NULL};
    size_t n_pos = 0;
    bool only_positional = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            add_positional(o, a, &n_pos, pos);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help_for = o->command;
            o->command = CMD_HELP;
            return CB_OK;
        }
        const struct opt_def *d;
        const char *value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            d = find_long(name, n);
            if (eq)
                value = eq + 1;
        } else {
            /* "-j 2" or "-j2": a short option's value may follow it in the same word */
            d = find_short(a[1]);
            if (d && a[2] != '\0') {
                if (d->has_value)
                    value = a + 2;
                else
                    d = NULL;
            }
        }
        if (!d || !(d->commands & BIT(o->command)))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "%s: unknown option \"%s\"",
                                cli_command_name(o->command), a);
        if (d->has_value && !value) {
            if (i + 1 >= argc)
                return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                    "%s: option \"%s\" needs a value", cli_command_name(o->command),
                                    a);
            value = argv[++i];
        } else if (!d->has_value && value) {
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "%s: option \"--%s\" takes no value",
                                cli_command_name(o->command), d->name);
        }
        enum cb_status st = apply(o, d, value, err);
        if (st != CB_OK)
            return st;
    }

    switch (o->command) {
    case CMD_RENDER:
    case CMD_CHECK:
        if (o->n_inputs == 0)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "%s: no INPUT given",
                                cli_command_name(o->command));
        break;
    case CMD_ROLLUP_SQL:
        if (n_pos > 0)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "rollup-sql: unexpected argument \"%s\"", pos[0]);
        if (!o->has_engine)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "rollup-sql: --engine duckdb|spark|bigquery is required");
        if (!o->rollup_input || !*o->rollup_input)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "rollup-sql: --input PATH-OR-GLOB is required");
        if (!o->rollup_output || !*o->rollup_output)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "rollup-sql: --output PATH is required");
        break;
    case CMD_PRICES:
    case CMD_KEYGEN:
        if (n_pos > 0)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "%s: unexpected argument \"%s\"",
                                cli_command_name(o->command), pos[0]);
        if (o->command == CMD_KEYGEN && !o->keygen_out)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "keygen: --out FILE is required");
        break;
    case CMD_TEMPLATE:
        if (n_pos != 2)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "template: expected TEMPLATE and DATA.json");
        o->template_path = pos[0];
        o->data_path = pos[1];
        break;
    case CMD_SIGN:
    case CMD_VERIFY:
        if (n_pos != 1)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "%s: expected one folder DIR",
                                cli_command_name(o->command));
        o->dir = pos[0];
        if (o->command == CMD_SIGN && (!o->by || !*o->by))
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "sign: --by NAME is required");
        break;
    case CMD_MAIL:
        if (n_pos != 1)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "mail: expected one folder DIR");
        o->dir = pos[0];
        if (!o->from || !*o->from)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL, "mail: --from ADDRESS is required");
        if (o->send && o->draft)
            return cb_error_set(err, CB_EUSAGE, NULL, 0, NULL,
                                "mail: --send and --draft together: drafts are not sent");
        break;
    default: break;
    }
    return CB_OK;
}

void cli_opts_free(struct cli_opts *o)
{
    if (!o)
        return;
    free(o->inputs);
    o->inputs = NULL;
    o->n_inputs = 0;
}

/* The command line (SPEC §1): arguments to a struct cli_opts. Printing help is the only output. */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rollup.h"
#include "status.h"

enum cli_command {
    CMD_NONE,
    CMD_RENDER,
    CMD_CHECK,
    CMD_PRICES,
    CMD_TEMPLATE,
    CMD_SIGN,
    CMD_VERIFY,
    CMD_KEYGEN,
    CMD_MAIL,
    CMD_ROLLUP_SQL,
    CMD_HELP,
    CMD_VERSION
};

/* Which documents to write (--formats), one bit per render_formats entry name. */
struct cli_opts {
    enum cli_command command;
    enum cli_command help_for; /* CMD_HELP: the subcommand asked about, or CMD_NONE */
    const char **inputs;       /* render/check: INPUT...; owned array, borrowed strings */
    size_t n_inputs;
    const char *config;
    const char *month; /* "YYYY-MM" as given (validated) */
    int year, mon;     /* parsed --month, 0 when absent */
    const char *out;   /* render/check --out, mail --out */
    bool has_model;
    enum cb_model model;
    bool shadow;
    bool compare;        /* render --compare: the model comparison on a billing month too */
    const char *formats; /* the --formats text, NULL for all */
    const char *prices;
    const char *previous;
    const char *supersedes; /* render --supersedes DIR: a signed month to correct */
    bool strict;
    int progress;              /* -1 quiet, 0 auto, 1 forced */
    int threads;               /* 0 = each stage's default (ingest.h, render.h) */
    const char *data_dir;      /* --data-dir: where templates/ and fonts/ are */
    const char *at;            /* prices --at YYYY-MM-DD */
    const char *template_path; /* template TEMPLATE DATA.json */
    const char *data_path;
    const char *partials;
    const char *dir;           /* sign/verify DIR */
    const char *by;            /* sign --by */
    const char *key;           /* sign --key */
    const char *pubkey;        /* verify --pubkey */
    const char *keygen_out;    /* keygen --out */
    enum rollup_engine engine; /* rollup-sql --engine */
    bool has_engine;
    const char *rollup_input;  /* rollup-sql --input PATH-OR-GLOB */
    const char *rollup_output; /* rollup-sql --output PATH */
    const char *from;          /* mail --from ADDRESS */
    const char *cc;            /* mail --cc ADDRESS */
    bool send;                 /* mail --send */
    bool draft;                /* mail --draft */
    bool force;                /* keygen --force: a key inside a git work tree */
};

/* Parses argv into opts. Returns CB_OK, or CB_EUSAGE with err->text holding a one-line
 * problem (the caller prints it with a usage hint). opts->inputs is allocated: free it with
 * cli_opts_free. */
enum cb_status cli_parse(int argc, char **argv, struct cli_opts *opts, struct cb_error *err);
void cli_opts_free(struct cli_opts *opts);

/* Prints the help for a subcommand (CMD_NONE: the tool) to `out`. */
void cli_print_help(enum cli_command cmd, void *out);
/* The name of a subcommand ("render"). */
const char *cli_command_name(enum cli_command cmd);

#endif

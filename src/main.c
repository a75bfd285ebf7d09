/* chargeback: reads the arguments and runs one subcommand. Everything else is in cbcore. */
#include <stdio.h>

#include "archive.h"
#include "cli.h"
#include "mail.h"
#include "msg.h"
#include "mustache.h"
#include "pipeline.h"
#include "rollup.h"

int main(int argc, char **argv)
{
    struct cli_opts o;
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st = cli_parse(argc, argv, &o, &err);
    if (st != CB_OK) {
        msg_error("%s", err.text);
        if (o.command != CMD_NONE && o.command != CMD_HELP)
            fprintf(stderr, "Try 'chargeback %s --help' for more information.\n",
                    cli_command_name(o.command));
        else
            fprintf(stderr, "Try 'chargeback --help' for more information.\n");
        cli_opts_free(&o);
        return st;
    }
    switch (o.command) {
    case CMD_HELP:
    case CMD_NONE: cli_print_help(o.help_for, stdout); break;
    case CMD_VERSION: printf("chargeback %s\n", CB_VERSION_STRING); break;
    case CMD_RENDER: st = pipeline_render(&o); break;
    case CMD_CHECK: st = pipeline_check(&o); break;
    case CMD_PRICES: st = pipeline_prices(&o); break;
    case CMD_TEMPLATE:
        st = mustache_render_file(o.template_path, o.data_path, o.partials, stdout, &err);
        if (st != CB_OK)
            msg_error_at(&err);
        break;
    case CMD_SIGN:
        st = archive_sign(o.dir, o.by, o.key, &err);
        if (st != CB_OK)
            msg_error_at(&err);
        else
            msg_info("signed %s as %s: SIGNOFF.json records the SHA-256 of every file%s; the "
                     "files are now read-only (check them with: chargeback verify %s%s)",
                     o.dir, o.by, o.key ? ", SIGNOFF.sig is its Ed25519 signature" : "", o.dir,
                     o.key ? " --pubkey KEY.pub" : "");
        break;
    case CMD_VERIFY:
        st = archive_verify(o.dir, o.pubkey, &err);
        if (st != CB_OK && err.text[0])
            msg_error_at(&err);
        break;
    case CMD_KEYGEN:
        st = archive_keygen(o.keygen_out, o.force, &err);
        if (st != CB_OK)
            msg_error_at(&err);
        else
            msg_info("wrote the secret key %s (mode 0600: keep it private, out of version "
                     "control) and the public key %s.pub (for whoever verifies)",
                     o.keygen_out, o.keygen_out);
        break;
    case CMD_ROLLUP_SQL: st = rollup_sql_command(&o); break;
    case CMD_MAIL: {
        struct mail_opts mo = {.dir = o.dir,
                               .from = o.from,
                               .out = o.out,
                               .cc = o.cc,
                               .send = o.send,
                               .draft = o.draft,
                               .quiet = o.progress < 0};
        st = mail_month(&mo, &err);
        if (st != CB_OK)
            msg_error_at(&err);
        break;
    }
    }
    cli_opts_free(&o);
    return (int)st;
}

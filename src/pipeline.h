/* The subcommands that run the whole pipeline: render, check, prices. Each prints its own
 * diagnostics through msg and returns the status main turns into the exit code. */
#ifndef CB_PIPELINE_H
#define CB_PIPELINE_H

#include "cli.h"
#include "status.h"

enum cb_status pipeline_render(const struct cli_opts *o);
enum cb_status pipeline_check(const struct cli_opts *o);
enum cb_status pipeline_prices(const struct cli_opts *o);

#endif

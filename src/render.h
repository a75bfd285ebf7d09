/* The output formats. Every renderer has the same shape: it reads a finished report and writes
 * its files into a folder the caller owns. The list of formats is the table render_formats. */
#ifndef CB_RENDER_H
#define CB_RENDER_H

#include <stddef.h>

#include "report.h"
#include "status.h"

struct render_dest {
    const char *dir;           /* the (temporary) month folder; "teams/" is created inside */
    const char *templates_dir; /* templates/ */
    const char *fonts_dir;     /* fonts/ */
};

typedef enum cb_status (*render_fn)(const struct report *r, const struct render_dest *d,
                                    struct cb_error *err);

struct render_format {
    const char *name; /* as in --formats: "html", "pdf", "xlsx", "json", "csv", "focus" */
    render_fn render;
};

extern const struct render_format render_formats[];
extern const size_t render_format_count;

/* Each renderer's entry point (render_<name>.c). */
enum cb_status render_html(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
enum cb_status render_pdf(const struct report *r, const struct render_dest *d,
                          struct cb_error *err);
enum cb_status render_xlsx(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
enum cb_status render_json(const struct report *r, const struct render_dest *d,
                           struct cb_error *err);
enum cb_status render_csv(const struct report *r, const struct render_dest *d,
                          struct cb_error *err);
enum cb_status render_focus(const struct report *r, const struct render_dest *d,
                            struct cb_error *err);

#endif

#include "render.h"

const struct render_format render_formats[] = {
    {"json", render_json}, {"csv", render_csv}, {"focus", render_focus},
    {"html", render_html}, {"pdf", render_pdf}, {"xlsx", render_xlsx},
};

const size_t render_format_count = sizeof render_formats / sizeof render_formats[0];

/* libFuzzer target: the Mustache engine. The input is split at the first NUL byte into a
 * template and JSON data (no NUL: the whole input is the template, data is a fixed object);
 * partials resolve to the template itself, so recursion limits are exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mustache.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *self_partial(const char *name, void *ctx)
{
    (void)name;
    return xstrdup(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    char *tmpl = xstrndup((const char *)data, tlen);
    json_t *doc = NULL;
    if (nul) {
        json_error_t jerr;
        doc = json_loadb((const char *)nul + 1, size - tlen - 1, JSON_DECODE_ANY, &jerr);
    }
    if (!doc)
        doc = json_pack("{s:s, s:[i,i,{s:b}], s:{s:s}}", "name", "<x&y>", "list", 1, 2, "ok", 1,
                        "a", "b", "c");
    struct strbuf out = STRBUF_INIT;
    out.limit = 1 << 20;
    struct cb_error err;
    mustache_render(tmpl, "fuzz", doc, self_partial, tmpl, &out, &err);
    strbuf_free(&out);
    json_decref(doc);
    free(tmpl);
    return 0;
}

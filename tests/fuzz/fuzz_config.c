/* libFuzzer target: the configuration loader on arbitrary bytes. Any input must either load or
 * return an error naming what is wrong; never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return 0;
    struct config *c = NULL;
    struct cb_error err;
    if (config_from_json(doc, "fuzz.json", &c, &err) == CB_OK)
        config_free(c);
    json_decref(doc);
    return 0;
}

/* libFuzzer target: the fast JSON Lines reader against yajl. Any bytes, read as JSON Lines by a
 * parser that takes the fast path where it can and by one that sends every line through yajl,
 * must give the same records and rejections, field by field and message by message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "prices.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *cfg;
static struct price_book *pb;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg) {
        cfg = config_new_default();
        pb = price_book_new_builtin();
    }
    struct rec_env env = {cfg, pb};
    struct rec_parser *fast = rec_parser_new(&env), *slow = rec_parser_new(&env);
    rec_parser_set_slow_only(slow, true);
    struct rec_batch a = {0}, b = {0};
    rec_parse_lines(fast, (const char *)data, size, true, &a);
    rec_parse_lines(slow, (const char *)data, size, true, &b);
    if (!rec_batch_same(&a, &b))
        abort();
    rec_batch_free(&a);
    rec_batch_free(&b);
    rec_parser_free(fast);
    rec_parser_free(slow);
    return 0;
}

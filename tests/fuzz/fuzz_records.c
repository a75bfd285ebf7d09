/* libFuzzer target: the record reader on arbitrary bytes. The bytes go through the real reader
 * (ingest_run on a file: gzip and format detection, chunking, the line parser, the builder) with
 * a read size taken from the input's length, then through each stream parser directly (array,
 * concatenated objects, Admin API pages) fed in uneven pieces. Any input must end in records and
 * rejections that add up, never a crash, leak or out-of-bounds read. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ingest.h"
#include "ingest_tune.h"
#include "ledger.h"
#include "prices.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *cfg;
static struct price_book *pb;
static char path[64];

static void init(void)
{
    const char rules[] =
        "{\"attribution\":[{\"match\":{\"project\":[\"p\",\"q\"]},\"set\":{\"team\":"
        "\"t\"}}],\"shared\":[{\"match\":{\"user\":\"u\"},\"split\":\"even\"}]}";
    json_error_t jerr;
    json_t *doc = json_loads(rules, 0, &jerr);
    struct cb_error err;
    if (!doc || config_from_json(doc, "fuzz", &cfg, &err) != CB_OK)
        abort();
    json_decref(doc);
    pb = price_book_new_builtin();
    snprintf(path, sizeof path, "/tmp/fuzz-records-%ld.in", (long)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg)
        init();
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    char *rej = NULL;
    size_t rej_len = 0;
    FILE *rf = open_memstream(&rej, &rej_len);
    const char *inputs[] = {path};
    struct ingest_opts o = {.inputs = inputs,
                            .n_inputs = 1,
                            .year = 2026,
                            .month = 10,
                            .config = cfg,
                            .prices = pb,
                            .rejected = rf,
                            .threads = 1};
    /* tiny reads exercise the chunk seams; not on gzip, where 15 KB can inflate to millions of
     * lines and a 3-byte chunk each would time the run out without finding anything */
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    ingest_set_chunk_size(gz ? 0 : 1 + size % 61);
    struct ledger *l = NULL;
    struct cb_error err;
    if (ingest_run(&o, &l, &err) == CB_OK) {
        const struct ledger_counts *c = &l->counts;
        if (c->billed + c->rejected + c->duplicates + c->outside_period != c->records_read)
            abort();
        ledger_free(l);
    }
    fclose(rf);
    free(rej);

    struct rec_env env = {cfg, pb};
    /* every stream reader, whatever the detection would have picked */
    static const enum rec_format forms[] = {REC_JSON_ARRAY,  REC_JSON_STREAM, REC_ADMIN_API,
                                            REC_CLAUDE_CODE, REC_COST_REPORT, REC_OTEL_LOGS,
                                            REC_BEDROCK,     REC_LITELLM};
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        struct rec_stream *s = rec_stream_new(&env, forms[k]);
        struct rec_batch b = {0};
        size_t step = 1 + (size * (k + 3)) % 17;
        for (size_t i = 0; i < size; i += step)
            rec_stream_feed(s, (const char *)data + i, size - i < step ? size - i : step, &b);
        rec_stream_finish(s, &b);
        for (size_t i = 0; i < b.n_recs; i++)
            if (!b.recs[i].price)
                abort();
        rec_batch_free(&b);
        rec_stream_free(s);
    }
    return 0;
}

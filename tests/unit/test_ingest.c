/* ingest.c end to end into a ledger: records split across read buffers of any size, any number
 * of threads, gzip and plain, several files; rejected.jsonl lines; I/O errors; SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "config.h"
#include "ingest.h"
#include "ingest_tune.h"
#include "ledger.h"
#include "prices.h"
#include "progress.h"
#include "sha256.h"

static char dir[] = "/tmp/cb-test-ingest-XXXXXX";

static char *path_of(const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *name, const char *data, size_t n, bool gz)
{
    char *p = path_of(name);
    if (gz) {
        gzFile g = gzopen(p, "wb9");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
        gzclose(g);
    } else {
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        fclose(f);
    }
    free(p);
}

/* A JSON Lines month: varied records, blank lines, duplicates, bad lines, another month. With
 * 3000 lines: 81 blank, 2919 records: 2614 billed, 162 rejected, 49 duplicates, 94 outside
 * (counted independently by replaying the rules of this generator). */
static char *make_month(size_t lines, size_t *len)
{
    size_t cap = lines * 400 + 1024, n = 0;
    char *b = malloc(cap);
    static const char *const teams[] = {"alpha", "beta", "gamma", "δέλτα"};
    static const char *const models[] = {"claude-sonnet-4-6", "claude-haiku-4-5",
                                         "claude-opus-4-1-20250805"};
    for (size_t i = 0; i < lines; i++) {
        switch (i % 37) {
        case 5: n += (size_t)snprintf(b + n, cap - n, "\n"); continue;
        case 11: n += (size_t)snprintf(b + n, cap - n, "{\"broken\": \n"); continue;
        case 17:
            n += (size_t)snprintf(b + n, cap - n,
                                  "{\"timestamp\":\"2026-10-03T01:00:00Z\",\"model\":\"m?\","
                                  "\"input_tokens\":1,\"output_tokens\":1,\"team\":\"\xff\"}\n");
            continue;
        default: break;
        }
        int day = 1 + (int)(i % 31);
        int month = i % 29 == 3 ? 11 : 10;
        size_t id = i % 53 == 7 ? i - 7 : i; /* some repeat an earlier id */
        if (i % 3 == 0)
            n += (size_t)snprintf(
                b + n, cap - n,
                "{\"request_id\":\"req-%zu\",\"timestamp\":\"2026-%02d-%02dT%02zu:%02zu:00Z\","
                "\"model\":\"%s\",\"team\":\"%s\",\"project\":\"p%zu\",\"input_tokens\":%zu,"
                "\"output_tokens\":%zu,\"batch\":%s}\n",
                id, month, day > 30 && month == 11 ? 30 : day, i % 24, i % 60, models[i % 3],
                teams[i % 4], i % 7, i * 13 % 100000, i % 5000, i % 2 ? "true" : "false");
        else
            n += (size_t)snprintf(
                b + n, cap - n,
                "{\"request_id\":\"req-%zu\",\"date\":\"2026-%02d-%02d\",\"model\":\"%s\","
                "\"tags\":{\"user\":\"u%zu\"},\"usage\":{\"input_tokens\":%zu,\"output_tokens\":%"
                "zu,"
                "\"cache_creation\":{\"ephemeral_1h_input_tokens\":%zu}},\"requests\":%zu}\n",
                id, month, day > 30 && month == 11 ? 30 : day, models[(i + 1) % 3], i % 11,
                i * 7 % 9000, i % 300, i % 17, 1 + i % 4);
    }
    *len = n;
    return b;
}

static struct config *cfg;
static struct price_book *pb;

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    cfg = config_new_default();
    pb = price_book_new_builtin();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    price_book_free(pb);
    config_free(cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Everything a ledger says, as text, for comparisons; file facts optional. */
static char *summary(const struct ledger *l, bool with_files)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    const struct ledger_counts *c = &l->counts;
    fprintf(f, "%04d-%02d read %lld billed %lld rejected %lld dup %lld outside %lld\n", l->year,
            l->month, (long long)c->records_read, (long long)c->billed, (long long)c->rejected,
            (long long)c->duplicates, (long long)c->outside_period);
    for (int r = 0; r < REJ_COUNT; r++) {
        fprintf(f, "reason %d: %lld", r, (long long)c->by_reason[r]);
        for (int k = 0; k < LEDGER_REJECT_EXAMPLES; k++)
            fprintf(f, " | %s",
                    c->examples[r][k] ? strchr(strrchr(c->examples[r][k], '/'), ':') : "-");
        fputc('\n', f);
    }
    fprintf(f, "total %lld\n", (long long)l->total_cost);
    for (size_t i = 0; i < l->n_buckets; i++) {
        const struct ledger_bucket *b = &l->buckets[i];
        fprintf(f, "bucket %d %s %d req %lld cost %lld lines %zu", b->kind, b->team ? b->team : "-",
                b->shared_index, (long long)b->usage.requests, (long long)b->cost, b->n_lines);
        for (int t = 0; t < TOK_CLASS_COUNT; t++)
            fprintf(f, " %lld", (long long)b->usage.tokens[t]);
        for (int d = 0; d < DIM_COUNT; d++)
            fprintf(f, " dim%d=%zu", d, b->n_groups[d]);
        fputc('\n', f);
    }
    if (with_files)
        for (size_t i = 0; i < l->n_files; i++)
            fprintf(f, "file %s %s %s %lld %lld\n", strrchr(l->files[i].path, '/'),
                    l->files[i].format, l->files[i].sha256, (long long)l->files[i].bytes,
                    (long long)l->files[i].records);
    fclose(f);
    return out;
}

static char *run(const char *const *inputs, size_t n, int threads, size_t chunk, char **rejected)
{
    ingest_set_chunk_size(chunk);
    char *rej = NULL;
    size_t rej_len = 0;
    FILE *rf = open_memstream(&rej, &rej_len);
    struct ingest_opts o = {
        .inputs = inputs,
        .n_inputs = n,
        .config = cfg,
        .prices = pb,
        .rejected = rf,
        .threads = threads,
    };
    struct ledger *l = NULL;
    struct cb_error err;
    enum cb_status st = ingest_run(&o, &l, &err);
    fclose(rf);
    ingest_set_chunk_size(0);
    if (st != CB_OK)
        fail_msg("ingest_run: %s: %s", err.file, err.text);
    char *s = summary(l, true);
    ledger_free(l);
    if (rejected)
        *rejected = rej;
    else
        free(rej);
    return s;
}

/* Reads `path` with every chunk size and 1 .. max_threads threads: each run must give `want`
 * and `want_rej`. */
static void same_for_all(const char *path, const size_t *chunks, size_t n_chunks, int max_threads,
                         const char *want, const char *want_rej)
{
    const char *in[] = {path};
    for (size_t c = 0; c < n_chunks; c++)
        for (int t = 1; t <= max_threads; t++) {
            char *rej = NULL;
            char *got = run(in, 1, t, chunks[c], &rej);
            if (strcmp(got, want) != 0)
                fail_msg("chunk %zu, %d threads:\n%s\nwant:\n%s", chunks[c], t, got, want);
            assert_string_equal(rej, want_rej);
            free(got);
            free(rej);
        }
}

/* Records split across read buffers of any size, with any thread count, give one ledger. */
static void buffers_and_threads(void **state)
{
    (void)state;
    size_t len;
    char *month = make_month(3000, &len);
    write_file("month.jsonl", month, len, false);
    char *p = path_of("month.jsonl");
    const char *in[] = {p};
    char *want_rej = NULL;
    char *want = run(in, 1, 1, 0, &want_rej);
    if (!strstr(want, "read 2919 billed 2614 rejected 162 dup 49 outside 94"))
        fail_msg("%s", want);
    static const size_t chunks[] = {1, 7, 100, 333, 4096, 65536};
    same_for_all(in[0], chunks, sizeof chunks / sizeof chunks[0], 3, want, want_rej);
    free(want);
    free(want_rej);
    free(p);
    free(month);
}

/* Plain files are read through mapped windows of 4 chunks, which hand back to read() at a line
 * that does not end within a chunk. A month with lines of 4,500 bytes here and there, read in
 * chunks of 4,096 bytes (windows, a line across a window's end, the hand-back to read() after
 * the first long line), 65,536 and the default (windows only), gives the ledger, rejections and
 * SHA-256 of the same month read with read() alone (chunks of 1 byte never map a line). */
static void mapped_and_read_agree(void **state)
{
    (void)state;
    size_t len;
    char *month = make_month(6000, &len);
    char *m = malloc(len + 10 * 5000), *q = m;
    size_t k = 0;
    for (char *line = month, *nl; (nl = memchr(line, '\n', len - (size_t)(line - month)));
         line = nl + 1, k++) {
        size_t n = (size_t)(nl - line) + 1;
        if (k % 700 == 350 && n > 2 && line[0] == '{' && line[n - 2] == '}') {
            /* the same record with a long field it does not read */
            memcpy(q, line, n - 2);
            q += n - 2;
            q += sprintf(q, ",\"note\":\"");
            memset(q, 'n', 4500);
            q += 4500;
            q += sprintf(q, "\"}\n");
        } else {
            memcpy(q, line, n);
            q += n;
        }
    }
    write_file("long.jsonl", m, (size_t)(q - m), false);
    char *p = path_of("long.jsonl");
    const char *in[] = {p};
    char *want_rej = NULL;
    char *want = run(in, 1, 1, 1, &want_rej);
    static const size_t chunks[] = {4096, 65536, 0};
    same_for_all(in[0], chunks, sizeof chunks / sizeof chunks[0], 2, want, want_rej);
    free(want);
    free(want_rej);
    free(p);
    free(m);
    free(month);
}

/* Writes `name`: the first `upto` bytes of month (len bytes) with a line of a `note` field of
 * `big` bytes put in at the first line start at or after `at` (0: the file's start). Returns
 * its path (free it). */
static char *with_long_line(const char *name, const char *month, size_t len, size_t at, size_t big,
                            size_t upto)
{
    size_t cut = 0;
    if (at > 0) {
        for (size_t i = at; i < upto && !cut; i++)
            if (month[i] == '\n')
                cut = i + 1;
        assert_true(cut > 0 && cut < upto);
    }
    assert_true(upto <= len);
    char *m = malloc(upto + big + 64), *q = m;
    memcpy(q, month, cut);
    q += cut;
    q += sprintf(q, "{\"note\":\"");
    memset(q, 'n', big);
    q += big;
    q += sprintf(q, "\"}\n");
    memcpy(q, month + cut, upto - cut);
    q += upto - cut;
    write_file(name, m, (size_t)(q - m), false);
    free(m);
    return path_of(name);
}

/* A line longer than a chunk that starts inside the first read (1 MiB, past the 256 KiB that
 * input_open peeks): read() takes over from that line's start, bytes that were read once
 * already and are no longer in any buffer. The ledger, the rejection of the long line and the
 * SHA-256 are those of read() alone. */
static void mapped_hand_back_early(void **state)
{
    (void)state;
    size_t len;
    char *month = make_month(12000, &len);
    /* above REC_LINE_MAX (rejected as too long), at 900,000 bytes */
    char *p = with_long_line("early.jsonl", month, len, 900000, (size_t)1 << 20 | 4096, len);
    const char *in[] = {p};
    char *want_rej = NULL;
    char *want = run(in, 1, 1, 1, &want_rej);
    static const size_t chunks[] = {0};
    same_for_all(in[0], chunks, 1, 2, want, want_rej);
    free(want);
    free(want_rej);
    free(p);
    /* a file shorter than its first read (64 KiB at 4 KiB chunks), so that read had reached
     * the end, with a line longer than a chunk in its middle */
    size_t small = 0;
    for (size_t i = 40000; i < len && !small; i++)
        if (month[i] == '\n')
            small = i + 1;
    p = with_long_line("small.jsonl", month, len, 20000, 5000, small);
    in[0] = p;
    want = run(in, 1, 1, 1, &want_rej);
    static const size_t small_chunks[] = {4096};
    same_for_all(in[0], small_chunks, 1, 2, want, want_rej);
    free(want);
    free(want_rej);
    free(p);
    free(month);
}

/* A line above the limit at the start, longer than two chunks, then 2 MB of records: the
 * records after it are all read (one rejection more than the month without the long line, and
 * the same sums), mapped or through gzip's read(). Reading past the long line once took the
 * next carry's worth of whole lines for more of it. */
static void long_line_then_more(void **state)
{
    (void)state;
    size_t len;
    char *month = make_month(16000, &len);
    assert_true(len > 2000000);
    write_file("base.jsonl", month, len, false);
    char *pb_ = path_of("base.jsonl"),
         *pl = with_long_line("long-first.jsonl", month, len, 0, 2100000, len);
    /* the same bytes as gzip */
    FILE *f = fopen(pl, "rb");
    assert_non_null(f);
    char *m = malloc(len + 2200000);
    size_t n = fread(m, 1, len + 2200000, f);
    fclose(f);
    write_file("long-first.gz.bin", m, n, true);
    char *pg = path_of("long-first.gz.bin");
    const char *a[] = {pb_}, *b[] = {pl}, *c[] = {pg};
    char *base = run(a, 1, 1, 0, NULL);
    long long read, billed, rejected, dup, outside;
    assert_int_equal(sscanf(strchr(base, ' '),
                            " read %lld billed %lld rejected %lld dup %lld "
                            "outside %lld",
                            &read, &billed, &rejected, &dup, &outside),
                     5);
    *strstr(base, "\nfile ") = '\0';
    const char *sums = strstr(base, "total ");
    char want[160];
    snprintf(want, sizeof want, "read %lld billed %lld rejected %lld dup %lld outside %lld\n",
             read + 1, billed, rejected + 1, dup, outside);
    for (int t = 1; t <= 2; t++) {
        char *mapped = run(b, 1, t, 0, NULL), *gz = run(c, 1, t, 0, NULL);
        if (!strstr(mapped, want) || !strstr(gz, want))
            fail_msg("want \"%s\"\nmapped: %.200s\ngzip: %.200s", want, mapped, gz);
        /* the same buckets and sums as the month without the long line (the file lines,
         * of other files, left out) */
        *strstr(mapped, "\nfile ") = '\0';
        *strstr(gz, "\nfile ") = '\0';
        assert_string_equal(strstr(mapped, "total "), sums);
        assert_string_equal(strstr(gz, "total "), sums);
        free(mapped);
        free(gz);
    }
    free(base);
    free(pb_);
    free(pl);
    free(pg);
    free(m);
    free(month);
}

/* The same month as gzip, as a JSON array, and split over several files: the same sums. */
static void forms_agree(void **state)
{
    (void)state;
    size_t len;
    char *month = make_month(2000, &len);
    write_file("m.jsonl", month, len, false);
    write_file("m.gz.bin", month, len, true); /* gzip without the name saying so */
    /* the array form of the valid lines only */
    char *arr = malloc(len + 16), *q = arr;
    *q++ = '[';
    bool first = true;
    for (char *line = month, *nl; (nl = memchr(line, '\n', len - (size_t)(line - month)));
         line = nl + 1) {
        if (nl == line || strncmp(line, "{\"request_id\"", 13) != 0)
            continue;
        if (!first)
            *q++ = ',';
        first = false;
        memcpy(q, line, (size_t)(nl - line) + 1);
        q += nl - line + 1;
    }
    *q++ = ']';
    write_file("m.json", arr, (size_t)(q - arr), false);
    char *split = path_of("m.jsonl"), *gz = path_of("m.gz.bin"), *js = path_of("m.json");
    const char *a[] = {split}, *b[] = {gz}, *c[] = {js};
    char *plain = run(a, 1, 2, 0, NULL);
    char *zipped = run(b, 1, 2, 100, NULL);
    char *array = run(c, 1, 2, 100, NULL);
    /* without the file facts, gzip reads the same as plain */
    char *x = strstr(plain, "file "), *y = strstr(zipped, "file ");
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(x - plain, y - zipped);
    assert_memory_equal(plain, zipped, (size_t)(x - plain));
    assert_non_null(strstr(zipped, " jsonl "));
    assert_non_null(strstr(array, " json-array "));
    /* the array holds only the valid lines: the same money, no rejections */
    char *tp = strstr(plain, "total "), *ta = strstr(array, "total ");
    assert_memory_equal(tp, ta, (size_t)(strchr(tp, '\n') - tp));
    /* several inputs read as one month: the file twice makes every id a duplicate */
    const char *twice[] = {split, split};
    char *both = run(twice, 2, 2, 0, NULL);
    assert_memory_equal(strstr(both, "total "), tp, (size_t)(strchr(tp, '\n') - tp));
    assert_non_null(strstr(both, "file /m.jsonl jsonl"));
    free(both);
    free(plain);
    free(zipped);
    free(array);
    free(split);
    free(gz);
    free(js);
    free(arr);
    free(month);
}

static void rejected_lines(void **state)
{
    (void)state;
    const char data[] = "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"model\":\"claude-sonnet-4-6\","
                        "\"input_tokens\":1,\"output_tokens\":2}\n"
                        "\n"
                        "{\"team\":\"\xff\",\t\"q\":\"\\\"\"}\n"
                        "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"model\":\"claude-sonnet-4-6\","
                        "\"input_tokens\":\"many\",\"output_tokens\":2}";
    write_file("rej.jsonl", data, sizeof data - 1, false);
    char *p = path_of("rej.jsonl");
    const char *in[] = {p};
    char *rej = NULL;
    char *s = run(in, 1, 1, 0, &rej);
    char *want = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&want, &n);
    fprintf(
        f,
        "{\"file\":\"%s\",\"line\":3,\"reason\":\"invalid UTF-8\",\"message\":\"\\\"team\\\": "
        "invalid "
        "UTF-8\",\"text\":\"{\\\"team\\\":\\\"\xef\xbf\xbd\\\",\\t\\\"q\\\":\\\"\\\\\\\"\\\"}\"}\n"
        "{\"file\":\"%s\",\"line\":4,\"reason\":\"mistyped field\",\"message\":"
        "\"\\\"input_tokens\\\": expected a non-negative integer, got \\\"many\\\"\",\"text\":"
        "\"{\\\"timestamp\\\":\\\"2026-10-01T10:00:00Z\\\",\\\"model\\\":\\\"claude-sonnet-4-6"
        "\\\",\\\"input_tokens\\\":\\\"many\\\",\\\"output_tokens\\\":2}\"}\n",
        p, p);
    fclose(f);
    assert_string_equal(rej, want);
    assert_non_null(strstr(s, "read 3 billed 1 rejected 2"));
    free(want);
    free(rej);
    free(s);
    free(p);
}

static void io_errors(void **state)
{
    (void)state;
    static const char gz_head[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate";
    write_file("bad.gz", gz_head, sizeof gz_head - 1, false);
    char *bad = path_of("bad.gz"), *missing = path_of("missing.jsonl");
    static const struct {
        const char *what;
        const char *text;
    } cases[] = {{NULL, "gzip"}, {NULL, "cannot open"}, {NULL, "directory"}};
    const char *paths[] = {bad, missing, dir};
    for (size_t i = 0; i < 3; i++) {
        const char *in[] = {paths[i]};
        struct ingest_opts o = {.inputs = in, .n_inputs = 1, .config = cfg, .prices = pb};
        struct ledger *l = NULL;
        struct cb_error err;
        cb_error_clear(&err);
        assert_int_equal(ingest_run(&o, &l, &err), CB_EIO);
        assert_null(l);
        assert_string_equal(err.file, paths[i]);
        if (!strstr(err.text, cases[i].text))
            fail_msg("%s: \"%s\" lacks \"%s\"", paths[i], err.text, cases[i].text);
    }
    /* no record anywhere and no month: a usage error from the builder */
    write_file("empty.jsonl", "\n\n", 2, false);
    char *empty = path_of("empty.jsonl");
    const char *in[] = {empty};
    struct ingest_opts o = {.inputs = in, .n_inputs = 1, .config = cfg, .prices = pb};
    struct ledger *l = NULL;
    struct cb_error err;
    assert_int_equal(ingest_run(&o, &l, &err), CB_EUSAGE);
    o.year = 2026;
    o.month = 10;
    assert_int_equal(ingest_run(&o, &l, &err), CB_OK);
    assert_int_equal(l->counts.records_read, 0);
    assert_int_equal(l->files[0].records, 0);
    ledger_free(l);
    free(empty);
    free(bad);
    free(missing);
}

static void sha256_paths_agree(void **state)
{
    (void)state;
    unsigned char buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 31 + 7);
    for (size_t len = 0; len <= sizeof buf; len += 37)
        for (size_t step = 1; step < 200; step += 61) {
            struct sha256 a, b;
            char ha[65], hb[65];
            sha256_init(&a, true);
            sha256_init(&b, false);
            for (size_t o = 0; o < len; o += step)
                sha256_update(&a, buf + o, len - o < step ? len - o : step);
            sha256_update(&b, buf, len);
            sha256_final_hex(&a, ha);
            sha256_final_hex(&b, hb);
            assert_string_equal(ha, hb);
        }
    struct sha256 s;
    char h[65];
    sha256_init(&s, true);
    sha256_update(&s, "abc", 3);
    sha256_final_hex(&s, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void progress_text(void **state)
{
    (void)state;
    char buf[200];
    progress_format(buf, sizeof buf, 400000000, 100000000, 250000, 2.0);
    assert_string_equal(buf, "reading [#####...............]  25%  100.0 MB of 400.0 MB  250,000 "
                             "records  125,000 records/s  0:06 left");
    progress_format(buf, sizeof buf, -1, 2500000000LL, 10, 0);
    assert_string_equal(buf, "reading  2.50 GB  10 records  0 records/s");
    progress_format(buf, sizeof buf, 3700000000LL, 3700000000LL, 10000000, 5.0);
    assert_string_equal(buf, "reading [####################] 100%  3.70 GB of 3.70 GB  "
                             "10,000,000 records  2,000,000 records/s  0:00 left");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffers_and_threads),
        cmocka_unit_test(mapped_and_read_agree),
        cmocka_unit_test(mapped_hand_back_early),
        cmocka_unit_test(long_line_then_more),
        cmocka_unit_test(forms_agree),
        cmocka_unit_test(rejected_lines),
        cmocka_unit_test(io_errors),
        cmocka_unit_test(sha256_paths_agree),
        cmocka_unit_test(progress_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

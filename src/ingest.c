/* ingest_run: one producer thread reads the inputs in order (detecting each one's format, and
 * hashing them), cuts JSON Lines into chunks of whole lines and parses array/Admin API inputs
 * itself; worker threads parse the chunks into batches of validated, attributed records; the
 * calling thread then checks each batch strictly in input order (which copy of a request_id is
 * billed, what is outside the period, the rejections and their examples), and hands the billable
 * records back to the workers, each of which folds them into its own partial ledger. The parts
 * are merged at the end; their sums are integers, so the ledger (and every output) is the same
 * for any number of threads. The ring of slots between them is bounded, so memory does not grow
 * with the input.
 *
 * A slot goes EMPTY -> (RAW -> PARSING ->) READY -> FOLD -> FOLDING -> DONE -> EMPTY: the
 * producer fills it, a worker parses a chunk, the calling thread checks it, a worker folds it,
 * and the calling thread recycles it, in order, for the producer. */
#include "ingest.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_tune.h"
#include "input.h"
#include "msg.h"
#include "progress.h"
#include "record.h"
#include "records.h"
#include "xalloc.h"

#define DEFAULT_CHUNK    (1u << 20)
#define STREAM_BATCH_MAX 4096
#define PREFETCH_AHEAD   8

static size_t chunk_size = DEFAULT_CHUNK;

void ingest_set_chunk_size(size_t bytes)
{
    chunk_size = bytes ? bytes : DEFAULT_CHUNK;
}

#define WIN_QUEUE 16 /* windows retired but still in use, at most */

enum job_state { J_EMPTY, J_RAW, J_PARSING, J_READY, J_FOLD, J_FOLDING, J_DONE };
enum job_kind { K_CHUNK, K_BATCH, K_FILE_START, K_FILE_END, K_ERROR, K_END };

struct job {
    enum job_state state;
    enum job_kind kind;
    const char *buf; /* K_CHUNK: whole lines to parse, in own or in a mapped window */
    size_t len;
    char *own; /* the slot's buffer for lines read with read() */
    size_t cap;
    const char *hash_at; /* K_CHUNK: stored bytes the checker hashes, in order (mapped) */
    size_t hash_len;
    bool sha_by_checker; /* K_FILE_END: the checker finishes the file's hash (sha unset) */
    bool file_start;
    struct rec_batch batch;
    size_t n_fold; /* after the check: how many of batch.recs are billed */
    bool *billed;  /* after the check: billed[i] says batch.recs[i] is to be folded */
    size_t cap_billed;
    size_t input;           /* index into opts->inputs */
    enum rec_format format; /* K_FILE_START */
    char sha[65];           /* K_FILE_END */
    int64_t bytes;
    int64_t consumed;    /* stored bytes read by the producer when the job was made */
    struct cb_error err; /* K_ERROR */
};

struct run {
    const struct ingest_opts *opts;
    struct rec_env env;
    struct job *slots;
    size_t n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv_producer, cv_worker, cv_consumer;
    /* slot counters (a slot is index % n_slots): filled by the producer, next to parse, checked
     * by the calling thread, next to fold, recycled for the producer */
    size_t produced, next_parse, checked, next_fold, recycled;
    bool abort;              /* the run is over (finished or failed): every thread leaves */
    int64_t consumed_before; /* stored bytes of the inputs finished */
    int64_t total_bytes;     /* stored bytes of all inputs; -1 when one is a pipe */
    /* mapped reading: windows whose chunks may still be in the ring (the producer's, then
     * ingest_run's once the threads are over), and the input (index + 1) cut short while
     * mapped, if any */
    struct retired {
        struct input_window w;
        size_t until; /* unmapped once this many jobs are recycled */
    } retired[WIN_QUEUE];
    size_t n_retired;
    atomic_int map_fault;
    struct rec_parser *reader_parser; /* the producer's, for chunks it parses while it waits */
    struct mapped_input {
        bool mapped;           /* some of it was read through windows */
        int64_t size;          /* its size and modification time when opened */
        struct timespec mtime; /* (checked again at the end: check_mapped) */
        struct sha256 sha;     /* its hash while the checker holds it (map_lines) */
    } * mapped;                /* per input */
};

/* ---- the ring ---- */

/* Under the lock: parses chunk j (J_RAW) with parser p, the lock released meanwhile, and tells
 * the checker. A batch parses the same on any thread. */
static void parse_slot(struct run *r, struct rec_parser *p, struct job *j)
{
    j->state = J_PARSING;
    pthread_mutex_unlock(&r->mu);
    rec_parse_lines(p, j->buf, j->len, j->file_start, &j->batch);
    pthread_mutex_lock(&r->mu);
    j->state = J_READY;
    pthread_cond_signal(&r->cv_consumer);
}

/* Under the lock: the oldest chunk no thread has started to parse, or NULL: the one the checker
 * will wait for first (taking the newest instead left the oldest to the checker, the busiest
 * thread, 40-55 chunks of the 1M month's 353 against 0-4). */
static struct job *oldest_raw(struct run *r)
{
    size_t low = r->next_parse > r->checked ? r->next_parse : r->checked;
    for (size_t i = low; i < r->produced; i++)
        if (r->slots[i % r->n_slots].state == J_RAW)
            return &r->slots[i % r->n_slots];
    return NULL;
}

/* Producer: waits for the next slot to be free; NULL when the run is aborted. While the ring is
 * full, the reader parses the oldest chunk no one has taken instead of waiting: reading a
 * mapped file leaves it little to do (the checker hashes), and with one worker on 2 cores the
 * worker would otherwise parse almost every chunk and fold every record (55 % of the 1M month's
 * CPU samples, on one thread). */
static struct job *slot_acquire(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    while (!r->abort && r->produced - r->recycled >= r->n_slots) {
        struct job *raw = r->reader_parser ? oldest_raw(r) : NULL;
        if (raw) {
            parse_slot(r, r->reader_parser, raw);
            continue;
        }
        pthread_cond_wait(&r->cv_producer, &r->mu);
    }
    struct job *j = r->abort ? NULL : &r->slots[r->produced % r->n_slots];
    pthread_mutex_unlock(&r->mu);
    if (j) {
        rec_batch_reset(&j->batch);
        j->len = 0;
        j->file_start = false;
        j->hash_len = 0;
        j->sha_by_checker = false;
    }
    return j;
}

static void slot_publish(struct run *r, struct job *j, enum job_kind kind)
{
    j->kind = kind;
    pthread_mutex_lock(&r->mu);
    j->state = kind == K_CHUNK ? J_RAW : J_READY;
    r->produced++;
    if (kind == K_CHUNK)
        pthread_cond_signal(&r->cv_worker);
    pthread_cond_signal(&r->cv_consumer);
    pthread_mutex_unlock(&r->mu);
}

/* ---- the producer ---- */

struct reader {
    struct run *r;
    size_t index;
    const char *path;
    struct input *in;
    char *carry; /* bytes read but not yet handed on (a partial line) */
    size_t carry_len, carry_cap, carry_max;
    bool eof;
    bool first_chunk;
    bool hashed_by_checker; /* the current input's hash is the checker's (map_lines) */
};

/* Grows the carry to hold n bytes (never past carry_max, which every caller respects). */
static void carry_reserve(struct reader *rd, size_t n)
{
    if (n <= rd->carry_cap)
        return;
    size_t cap = rd->carry_cap * 2 > n ? rd->carry_cap * 2 : n;
    rd->carry_cap = cap < rd->carry_max ? cap : rd->carry_max;
    rd->carry = xrealloc(rd->carry, rd->carry_cap);
}

static bool publish_error(struct run *r, const struct cb_error *err)
{
    struct job *j = slot_acquire(r);
    if (!j)
        return false;
    j->err = *err;
    slot_publish(r, j, K_ERROR);
    return false;
}

/* Reads until buf holds `want` bytes or the input ends. */
static enum cb_status fill(struct reader *rd, char *buf, size_t *have, size_t want,
                           struct cb_error *err)
{
    while (*have < want && !rd->eof) {
        size_t got;
        enum cb_status st = input_read(rd->in, buf + *have, want - *have, &got, err);
        if (st != CB_OK)
            return st;
        if (got == 0)
            rd->eof = true;
        *have += got;
    }
    return CB_OK;
}

static int64_t consumed_now(const struct reader *rd)
{
    return rd->r->consumed_before + input_consumed(rd->in);
}

/* A line longer than REC_LINE_MAX: keeps its first bytes for rejected.jsonl, reads past it
 * without keeping it, and hands on one rejection. `have` bytes of it are in rd->carry. */
static bool skip_long_line(struct reader *rd, struct cb_error *err)
{
    struct run *r = rd->r;
    size_t keep = rd->carry_len < REC_TEXT_MAX ? rd->carry_len : REC_TEXT_MAX;
    char *head = xmalloc(keep ? keep : 1);
    memcpy(head, rd->carry, keep);
    uint64_t length = rd->carry_len;
    size_t rest = 0;
    rd->carry_len = 0;
    for (;;) {
        size_t have = 0;
        if (fill(rd, rd->carry, &have, rd->carry_cap, err) != CB_OK) {
            free(head);
            return publish_error(r, err);
        }
        char *nl = memchr(rd->carry, '\n', have);
        if (nl) {
            length += (uint64_t)(nl - rd->carry);
            rest = have - (size_t)(nl - rd->carry) - 1;
            memmove(rd->carry, nl + 1, rest);
            break;
        }
        length += have;
        if (rd->eof)
            break;
    }
    rd->carry_len = rest;
    struct job *j = slot_acquire(r);
    if (!j) {
        free(head);
        return false;
    }
    struct rec_batch *b = &j->batch;
    b->cap_rejs = b->cap_rejs ? b->cap_rejs : 1;
    b->rejs = b->rejs ? b->rejs : xcalloc(1, sizeof *b->rejs);
    char msg[128];
    snprintf(msg, sizeof msg, "line of %llu bytes, above the limit of %u",
             (unsigned long long)length, REC_LINE_MAX);
    b->rejs[0] = (struct rec_reject){
        .reason = REJ_TOO_LONG,
        .line = 1,
        .message = rec_arena_strdup(&b->arena, msg, strlen(msg)),
        .text = rec_arena_strdup(&b->arena, head, keep),
        .text_len = keep,
        .text_cut = true,
    };
    b->n_rejs = 1;
    b->lines = 1;
    j->input = rd->index;
    j->consumed = consumed_now(rd);
    free(head);
    slot_publish(r, j, K_BATCH);
    return true;
}

/* Unmaps the retired windows none of whose chunks is in the ring any more (all of them when
 * `all`, once the threads are over). */
static void release_windows(struct run *r, bool all)
{
    if (r->n_retired == 0)
        return;
    size_t recycled = SIZE_MAX;
    if (!all) {
        pthread_mutex_lock(&r->mu);
        recycled = r->recycled;
        pthread_mutex_unlock(&r->mu);
    }
    size_t keep = 0;
    for (size_t i = 0; i < r->n_retired; i++) {
        if (r->retired[i].until <= recycled)
            input_unmap(&r->retired[i].w);
        else
            r->retired[keep++] = r->retired[i];
    }
    r->n_retired = keep;
}

/* Retires window w: its chunks are the jobs published so far. */
static void retire_window(struct run *r, struct input_window *w)
{
    if (!w->base)
        return;
    r->retired[r->n_retired++] = (struct retired){.w = *w, .until = r->produced};
    *w = (struct input_window){0};
}

/* Producer: waits until every job published is over, so that the checker holds no state of
 * the reader's any more. False when the run is aborted. */
static bool drain(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    while (!r->abort && r->recycled < r->produced)
        pthread_cond_wait(&r->cv_producer, &r->mu);
    bool ok = !r->abort;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

/* JSON Lines from a plain file, mapped: chunks of whole lines handed to the parsers from the
 * page cache itself, in windows of 4 chunks. rd->carry holds the bytes read so far (the start
 * the format was told from). Stops at the file's end as opened, at a line that does not end
 * within a chunk (a line too long, which read_lines' own loop deals with), or when the file
 * cannot be mapped; read_lines then goes on from there with read(). Returns false when the run
 * is aborted.
 *
 * The file's SHA-256 goes with the chunks: the in-order checker hashes each chunk's new bytes
 * as it checks the chunk, and finishes the hash at the file's end. The reader would otherwise
 * be the busiest of the three threads (the hash was 26 % of the 1M month's CPU samples, all of
 * them on it) while the checker, which must also go in order, had the least to do. When read()
 * takes over before the file's end, the reader waits for the checker to finish the chunks
 * handed on, and hashes the rest itself. */
static bool map_lines(struct reader *rd, struct cb_error *err)
{
    struct run *r = rd->r;
    struct input *in = rd->in;
    if (!input_mappable(in) || r->n_retired >= WIN_QUEUE)
        return true;
    struct mapped_input *id = &r->mapped[rd->index];
    input_identity(in, &id->size, &id->mtime);
    int64_t done = input_consumed(in); /* hashed (read, or taken from a window) */
    int64_t pos = input_offset(in);    /* the carry is [off, pos), input_read's next byte pos */
    int64_t off = pos - (int64_t)rd->carry_len;
    struct input_window w = {0};
    bool published = false, detached = false;
    while (off < id->size) {
        int64_t w_end = w.base ? w.off + (int64_t)w.len : 0;
        if (!w.base || (off + (int64_t)chunk_size > w_end && w_end < id->size)) {
            retire_window(r, &w);
            release_windows(r, false);
            if (r->n_retired >= WIN_QUEUE ||
                !input_map(in, off, chunk_size * 4, &r->map_fault, (int)rd->index + 1, &w))
                break;
            id->mapped = true;
            w_end = w.off + (int64_t)w.len;
        }
        int64_t end = off + (int64_t)chunk_size < w_end ? off + (int64_t)chunk_size : w_end;
        const char *at = w.data + (off - w.off);
        if (end < id->size)
            while (end > off && at[end - 1 - off] != '\n')
                end--;
        if (end == off)
            break; /* no line ends within a chunk */
        struct job *j = slot_acquire(r);
        if (!j) {
            retire_window(r, &w);
            return false;
        }
        if (!detached) {
            input_hash_detach(in, &r->mapped[rd->index].sha);
            detached = true;
        }
        if (end > done) {
            j->hash_at = w.data + (done - w.off);
            j->hash_len = (size_t)(end - done);
            input_take(in, j->hash_at, j->hash_len);
            done = end;
        }
        j->buf = at;
        j->len = (size_t)(end - off);
        j->file_start = rd->first_chunk;
        rd->first_chunk = false;
        j->input = rd->index;
        j->consumed = consumed_now(rd);
        slot_publish(r, j, K_CHUNK);
        published = true;
        off = end;
    }
    retire_window(r, &w);
    if (published)
        rd->carry_len = 0; /* every byte before off is in a chunk: input_read goes on from off */
    if (input_resume(in, published ? off : pos, err) != CB_OK)
        return publish_error(r, err);
    if (off < id->size)
        rd->eof = false; /* the first read may have reached the end: read() goes on from off */
    if (detached && off < id->size) { /* read() goes on: the hash comes back to the reader */
        if (!drain(r))
            return false;
        input_hash_attach(in, &r->mapped[rd->index].sha);
        rd->hashed_by_checker = false;
    } else if (detached) {
        rd->hashed_by_checker = true;
    }
    return true;
}

/* JSON Lines: cuts the input into chunks of whole lines for the workers. */
static bool read_lines(struct reader *rd, struct cb_error *err)
{
    struct run *r = rd->r;
    if (!map_lines(rd, err))
        return false;
    while (!(rd->eof && rd->carry_len == 0)) {
        /* a line longer than the limit with no end in sight; what skip_long_line leaves (the
         * lines after it, up to a carry's worth) can be as long and is whole lines, read the
         * usual way */
        if (rd->carry_len > REC_LINE_MAX && !memchr(rd->carry, '\n', rd->carry_len)) {
            if (!skip_long_line(rd, err))
                return false;
            continue;
        }
        struct job *j = slot_acquire(r);
        if (!j)
            return false;
        /* a line still without its end makes the next read at least as long as what waits, so
         * reading a long line costs linear time whatever the chunk size */
        size_t more = rd->carry_len > chunk_size ? rd->carry_len : chunk_size;
        if (more > rd->carry_max - rd->carry_len - 1)
            more = rd->carry_max - rd->carry_len - 1;
        size_t need = rd->carry_len + more;
        if (j->cap < need) {
            free(j->own);
            j->cap = need;
            j->own = xmalloc(need);
        }
        j->buf = j->own;
        memcpy(j->own, rd->carry, rd->carry_len);
        size_t have = rd->carry_len;
        rd->carry_len = 0;
        if (fill(rd, j->own, &have, need, err) != CB_OK)
            return publish_error(r, err);
        size_t cut = have;
        if (!rd->eof) {
            cut = have;
            while (cut > 0 && j->own[cut - 1] != '\n')
                cut--;
        }
        carry_reserve(rd, have - cut);
        memcpy(rd->carry, j->own + cut, have - cut);
        rd->carry_len = have - cut;
        if (cut == 0)
            continue; /* no line ended yet: the slot stays free, the bytes wait in carry */
        j->len = cut;
        j->file_start = rd->first_chunk;
        rd->first_chunk = false;
        j->input = rd->index;
        j->consumed = consumed_now(rd);
        slot_publish(r, j, K_CHUNK);
    }
    return true;
}

/* Arrays, concatenated objects and Admin API pages: parsed here, in order. */
static bool read_stream(struct reader *rd, enum rec_format f, struct cb_error *err)
{
    struct run *r = rd->r;
    struct rec_stream *s = rec_stream_new(&r->env, f);
    bool ok = true;
    struct job *j = slot_acquire(r);
    if (!j) {
        rec_stream_free(s);
        return false;
    }
    size_t have = rd->carry_len;
    for (;;) {
        rec_stream_feed(s, rd->carry, have, &j->batch);
        if (rd->eof)
            break;
        if (j->batch.n_recs + j->batch.n_rejs >= STREAM_BATCH_MAX && !rec_stream_holding(s)) {
            j->input = rd->index;
            j->consumed = consumed_now(rd);
            slot_publish(r, j, K_BATCH);
            if (!(j = slot_acquire(r))) {
                ok = false;
                break;
            }
        }
        have = 0;
        carry_reserve(rd, chunk_size);
        if (fill(rd, rd->carry, &have, chunk_size, err) != CB_OK) {
            ok = publish_error(r, err);
            j = NULL; /* the error took the next slot; this one is dropped with the run */
            break;
        }
    }
    if (ok && j) {
        rec_stream_finish(s, &j->batch);
        j->input = rd->index;
        j->consumed = consumed_now(rd);
        slot_publish(r, j, K_BATCH);
    }
    rd->carry_len = 0;
    rec_stream_free(s);
    return ok;
}

static bool read_input(struct run *r, size_t index, struct reader *rd)
{
    struct cb_error err;
    cb_error_clear(&err);
    rd->index = index;
    rd->path = r->opts->inputs[index];
    rd->eof = false;
    rd->first_chunk = true;
    rd->hashed_by_checker = false;
    rd->carry_len = 0;
    if (input_open(rd->path, &rd->in, &err) != CB_OK)
        return publish_error(r, &err);
    bool ok = false;
    size_t have = 0;
    /* enough of the start to tell the format */
    size_t first = chunk_size < 65536 ? 65536 : chunk_size;
    carry_reserve(rd, first);
    if (fill(rd, rd->carry, &have, first, &err) != CB_OK) {
        ok = publish_error(r, &err);
        goto cleanup;
    }
    rd->carry_len = have;
    char why[640];
    const struct rec_reader *reader = rec_detect_reader(rd->carry, have, rd->eof, why, sizeof why);
    if (!reader) {
        /* a document no reader reads is an error, never zero records */
        cb_error_set(&err, CB_EUSAGE, rd->path, 0, NULL, "not an input chargeback reads: %s", why);
        ok = publish_error(r, &err);
        goto cleanup;
    }
    struct job *j = slot_acquire(r);
    if (!j)
        goto cleanup;
    j->input = index;
    j->format = reader->format;
    j->consumed = consumed_now(rd);
    slot_publish(r, j, K_FILE_START);
    ok = reader->lines ? read_lines(rd, &err) : read_stream(rd, reader->format, &err);
    if (!ok)
        goto cleanup;
    if (!(j = slot_acquire(r))) {
        ok = false;
        goto cleanup;
    }
    j->input = index;
    if (rd->hashed_by_checker)
        j->sha_by_checker = true;
    else
        input_sha256(rd->in, j->sha);
    j->bytes = input_consumed(rd->in);
    r->consumed_before += j->bytes;
    j->consumed = r->consumed_before;
    slot_publish(r, j, K_FILE_END);
cleanup:
    input_close(rd->in);
    rd->in = NULL;
    return ok;
}

static void *producer_main(void *arg)
{
    struct run *r = arg;
    struct reader rd = {.r = r};
    /* the carry holds a partial line (< REC_LINE_MAX) plus one read */
    size_t c = chunk_size < 65536 ? 65536 : chunk_size;
    rd.carry_max = REC_LINE_MAX + c + 1;
    bool ok = true;
    r->reader_parser = rec_parser_new(&r->env);
    for (size_t i = 0; ok && i < r->opts->n_inputs; i++)
        ok = read_input(r, i, &rd);
    if (ok) {
        struct job *j = slot_acquire(r);
        if (j)
            slot_publish(r, j, K_END);
    }
    free(rd.carry);
    return NULL;
}

/* ---- the workers ---- */

struct worker {
    struct run *r;
    struct ledger_part *part; /* this worker's sums */
    pthread_t thread;
};

/* Parses chunks and folds checked batches (folding first: it frees slots for the producer) until
 * the run is over. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->r;
    struct rec_parser *p = rec_parser_new(&r->env);
    pthread_mutex_lock(&r->mu);
    while (!r->abort) {
        /* slots become FOLD only at `checked`, in order, and never again before recycling, so
         * one pointer finds them all */
        if (r->next_fold < r->recycled)
            r->next_fold = r->recycled;
        while (r->next_fold < r->checked && r->slots[r->next_fold % r->n_slots].state != J_FOLD)
            r->next_fold++;
        if (r->next_fold < r->checked) {
            struct job *j = &r->slots[r->next_fold++ % r->n_slots];
            j->state = J_FOLDING;
            pthread_mutex_unlock(&r->mu);
            for (size_t i = 0; i < j->batch.n_recs; i++)
                if (j->billed[i])
                    ledger_part_fold(w->part, &j->batch.recs[i]);
            pthread_mutex_lock(&r->mu);
            j->state = J_DONE;
            pthread_cond_signal(&r->cv_consumer);
            continue;
        }
        if (r->next_parse < r->checked)
            r->next_parse = r->checked;
        if (r->next_parse < r->produced) {
            struct job *j = &r->slots[r->next_parse++ % r->n_slots];
            if (j->state == J_RAW)
                parse_slot(r, p, j);
            continue;
        }
        pthread_cond_wait(&r->cv_worker, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    rec_parser_free(p);
    return NULL;
}

/* ---- the consumer: the one thread that checks batches in order ---- */

/* Writes s as a JSON string; invalid UTF-8 bytes become U+FFFD. */
static void put_json_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\r')
                fputs("\\r", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc((int)c, f);
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                     : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4
                                              : 0;
        bool ok = len > 0 && i + len <= n;
        if (ok) {
            unsigned lo = 0x80, hi = 0xBF;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
            else if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
            ok = p[i + 1] >= lo && p[i + 1] <= hi;
            for (size_t k = 2; ok && k < len; k++)
                ok = p[i + k] >= 0x80 && p[i + k] <= 0xBF;
        }
        if (ok) {
            fwrite(p + i, 1, len, f);
            i += len;
        } else {
            fputs("\xef\xbf\xbd", f);
            i++;
        }
    }
    fputc('"', f);
}

struct consumer {
    struct ledger_builder *b;
    size_t file; /* builder index of the current input */
    int64_t line_base;
    int64_t records; /* of the current input */
    int64_t total_records;
    bool jsonl;
    const char *format;       /* of the current input */
    cb_i128 reported, listed; /* the current input's own costs and list prices, pico-USD */
    int64_t n_reported;
    bool sized; /* the id set was sized from the first chunk */
};

/* The id set grows by half when a table fills, and each growth moves every id once more: on the
 * 1M bench month, 2 % of the run's CPU. The first chunk says how many bytes an id takes in this
 * month's data (about 370 in API logs), and the size of the inputs how many ids to expect: the
 * set starts at that size. No fewer than 256 bytes an id are assumed, so a first chunk of short
 * records in a month of long ones cannot reserve much more than the month needs; a wrong
 * guess costs memory or a few resizes, never a result. */
#define BYTES_PER_ID_MIN 256

static void size_ids(struct run *r, struct consumer *c, const struct job *j)
{
    if (c->sized || r->total_bytes <= 0 || j->consumed <= 0)
        return;
    size_t ids = 0;
    for (size_t i = 0; i < j->batch.n_recs; i++)
        ids += j->batch.recs[i].has_id;
    if (ids == 0)
        return; /* a first chunk without ids (a cost report) says nothing: try the next */
    c->sized = true;
    double per = (double)j->consumed / (double)ids;
    if (per < BYTES_PER_ID_MIN)
        per = BYTES_PER_ID_MIN;
    ledger_builder_reserve_ids(c->b, (size_t)((double)r->total_bytes / per));
}

/* Checks a batch in input order: counts and rejections go to the builder, and the billable
 * records are flagged in j->billed (j->n_fold of them) for a worker to fold. Flags rather than
 * moving the records together: a duplicate early in a batch would otherwise copy every record
 * after it. */
static void consume_batch(struct run *r, struct consumer *c, struct job *j)
{
    struct rec_batch *b = &j->batch;
    size_ids(r, c, j);
    /* the id-set probe is a cache miss on a big table: ask for it a few records ahead */
    for (size_t i = 0; i < b->n_recs && i < PREFETCH_AHEAD; i++)
        ledger_builder_prefetch(c->b, &b->recs[i]);
    if (j->cap_billed < b->n_recs) {
        j->cap_billed = b->n_recs;
        j->billed = xreallocarray(j->billed, j->cap_billed, sizeof *j->billed);
    }
    size_t keep = 0;
    for (size_t i = 0; i < b->n_recs; i++) {
        if (i + PREFETCH_AHEAD < b->n_recs)
            ledger_builder_prefetch(c->b, &b->recs[i + PREFETCH_AHEAD]);
        const struct record *rec = &b->recs[i];
        j->billed[i] = ledger_builder_check(c->b, rec) == LEDGER_BILLED;
        keep += j->billed[i];
        /* a source's own cost estimate, beside the list price: compared per input at its end
         * (summed here, in the pass that has the record in cache) */
        if (rec->has_reported && j->billed[i]) {
            c->reported += rec->reported_pico;
            c->listed += ledger_record_list_cost(rec);
            c->n_reported++;
        }
    }
    j->n_fold = keep;
    const char *path = r->opts->inputs[j->input];
    for (size_t i = 0; i < b->n_rejs; i++) {
        const struct rec_reject *x = &b->rejs[i];
        int64_t line = c->jsonl ? c->line_base + x->line : x->line;
        char *example = xasprintf("%s:%lld: %s", path, (long long)line, x->message);
        ledger_builder_reject(c->b, x->reason, example);
        free(example);
        FILE *f = r->opts->rejected;
        if (f) {
            fputs("{\"file\":", f);
            put_json_string(f, path, strlen(path));
            fprintf(f, ",\"line\":%lld", (long long)line);
            if (x->element > 0)
                fprintf(f, ",\"element\":%lld", (long long)x->element);
            fputs(",\"reason\":", f);
            const char *reason = ledger_reject_reason_name(x->reason);
            put_json_string(f, reason, strlen(reason));
            fputs(",\"message\":", f);
            put_json_string(f, x->message, strlen(x->message));
            fputs(",\"text\":", f);
            put_json_string(f, x->text, x->text_len);
            if (x->text_cut)
                fputs(",\"text_cut\":true", f);
            fputs("}\n", f);
        }
    }
    for (size_t i = 0; i < b->n_notes; i++) {
        if (b->notes[i].line > 0)
            msg_warn("%s:%lld: %s", path, (long long)b->notes[i].line, b->notes[i].text);
        else
            msg_warn("%s: %s", path, b->notes[i].text);
    }
    for (size_t i = 0; i < b->n_costs; i++)
        ledger_builder_cost(c->b, &b->costs[i]);
    if (b->not_requests)
        ledger_builder_not_requests(c->b, c->file, b->not_requests);
    c->line_base += b->lines;
    c->records += (int64_t)(b->n_recs + b->n_rejs + b->n_costs);
    c->total_records += (int64_t)(b->n_recs + b->n_rejs);
}

/* The end of an input whose records carried their source's cost: a difference above 1 % of the
 * list price is a warning (the source's price list, or its arithmetic, is not the provider's). */
static void compare_reported(const char *path, const struct consumer *c, const char *format)
{
    if (c->n_reported == 0)
        return;
    cb_i128 diff = c->reported - c->listed;
    cb_i128 mag = diff < 0 ? -diff : diff;
    if (mag * 100 <= c->listed)
        return;
    char rep[40], list[40], d[40];
    /* to the hundredth of a cent: a few requests cost less than a cent */
    money_format_fixed((int64_t)money_div_round(c->reported, 100000000), 4, 4, rep, sizeof rep);
    money_format_fixed((int64_t)money_div_round(c->listed, 100000000), 4, 4, list, sizeof list);
    money_format_fixed((int64_t)(c->listed ? diff * 10000 / c->listed : 0), 2, 2, d, sizeof d);
    msg_warn("%s: the %s cost stated in the input for its %lld billed records is %s, the list "
             "price is %s (%s%s %%); the invoices use the list price",
             path, format, (long long)c->n_reported, rep, list, diff > 0 ? "+" : "", d);
}

/* Under the lock: hands the producer, in order, the slots whose work is over. */
static void recycle(struct run *r)
{
    bool freed = false;
    while (r->recycled < r->checked && r->slots[r->recycled % r->n_slots].state == J_DONE) {
        r->slots[r->recycled % r->n_slots].state = J_EMPTY;
        r->recycled++;
        freed = true;
    }
    if (freed)
        pthread_cond_broadcast(&r->cv_producer);
}

/* One worker per core but one: the reader (which also hashes every byte) and the in-order
 * checker need about half a core between them, and a worker more than the cores can run only
 * makes them all wait for each other. On 2 cores, 1M bench records, 15 alternating runs:
 * one worker 449 ms, two 485 ms (medians); the same on 10M records. */
static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The ring's length, which bounds the memory in flight (a slot holds a chunk of up to 1 MiB and
 * its batch, about 2.7 MB in all). Three threads share 2 cores on the bench machine, so each
 * runs in turns of a few milliseconds: the reader must be able to run ahead by more than one
 * turn of work, or it waits for a slot while the others wait for it. 1M bench records, --formats
 * json, alternating runs on 2 cores (2026-12-04): 6 slots 0.50 s, 10 slots 0.49 s, 16 slots
 * 0.46-0.48 s, 32 slots 0.46 s (medians); RSS 39, 51, 66 and 107 MiB. The 100,000-team month
 * peaks while its report is built, after the ring is freed: 576 MiB with 6 or 16 slots. */
static size_t slots_for(int threads)
{
    size_t n = (size_t)threads * 2 + 14;
    return n > 24 ? 24 : n;
}

/* After the run: a mapped file was parsed from the page cache after its end was hashed, so it
 * must not have moved until the last chunk was parsed (read() gives the parsers a copy, a map
 * the file itself). A file cut short while mapped, or whose size or modification time is not
 * the one it had when opened, fails the run. */
static enum cb_status check_mapped(struct run *r, struct cb_error *err)
{
    const char *text = "changed while it was read (%s); nothing is billed from a file that "
                       "moves: run again once it is complete";
    int cut = atomic_load(&r->map_fault);
    if (cut > 0)
        return cb_error_set(err, CB_EIO, r->opts->inputs[cut - 1], 0, NULL, text,
                            "cut short while its lines were parsed");
    for (size_t i = 0; i < r->opts->n_inputs; i++) {
        const struct mapped_input *id = &r->mapped[i];
        struct stat sb;
        if (!id->mapped)
            continue;
        if (stat(r->opts->inputs[i], &sb) != 0 || (int64_t)sb.st_size != id->size ||
            sb.st_mtim.tv_sec != id->mtime.tv_sec || sb.st_mtim.tv_nsec != id->mtime.tv_nsec)
            return cb_error_set(err, CB_EIO, r->opts->inputs[i], 0, NULL, text,
                                "modified while its lines were parsed");
    }
    return CB_OK;
}

enum cb_status ingest_run(const struct ingest_opts *opts, struct ledger **out, struct cb_error *err)
{
    *out = NULL;
    /* every input must be readable before hours of reading start */
    int64_t total = 0;
    for (size_t i = 0; i < opts->n_inputs; i++) {
        const char *p = opts->inputs[i];
        if (strcmp(p, "-") == 0) {
            total = -1;
            continue;
        }
        struct stat sb;
        if (stat(p, &sb) != 0)
            return cb_error_set(err, CB_EIO, p, 0, NULL, "cannot open: %s", strerror(errno));
        if (S_ISDIR(sb.st_mode))
            return cb_error_set(err, CB_EIO, p, 0, NULL, "cannot read: is a directory");
        if (total >= 0)
            total += S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0;
    }
    int threads = opts->threads > 0 ? opts->threads : default_threads();
    if (threads > 64)
        threads = 64;
    struct run r = {
        .opts = opts,
        .env = {.config = opts->config, .prices = opts->prices},
        .n_slots = slots_for(threads),
        .total_bytes = total,
        .mapped = xcalloc(opts->n_inputs ? opts->n_inputs : 1, sizeof *r.mapped),
    };
    r.slots = xcalloc(r.n_slots, sizeof *r.slots);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv_producer, NULL);
    pthread_cond_init(&r.cv_worker, NULL);
    pthread_cond_init(&r.cv_consumer, NULL);
    struct consumer c = {
        .b = ledger_builder_new(opts->config, opts->prices, opts->year, opts->month)};
    pthread_t producer;
    struct worker *workers = xcalloc((size_t)threads, sizeof *workers);
    int started = 0, rc = 0;
    for (; started < threads; started++) {
        workers[started] = (struct worker){.r = &r, .part = ledger_part_new(c.b)};
        rc = pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]);
        if (rc != 0) {
            ledger_part_free(workers[started].part);
            break;
        }
    }
    if (started == 0 || (rc = pthread_create(&producer, NULL, producer_main, &r)) != 0) {
        pthread_mutex_lock(&r.mu);
        r.abort = true;
        pthread_cond_broadcast(&r.cv_worker);
        pthread_mutex_unlock(&r.mu);
        for (int i = 0; i < started; i++) {
            pthread_join(workers[i].thread, NULL);
            ledger_part_free(workers[i].part);
        }
        free(workers);
        ledger_builder_free(c.b);
        free(r.slots);
        free(r.mapped);
        pthread_cond_destroy(&r.cv_consumer);
        pthread_cond_destroy(&r.cv_worker);
        pthread_cond_destroy(&r.cv_producer);
        pthread_mutex_destroy(&r.mu);
        return cb_error_set(err, CB_EIO, NULL, 0, NULL, "cannot start a reader thread: %s",
                            strerror(rc));
    }
    threads = started;

    struct progress *bar = opts->progress ? progress_new(total) : NULL;
    enum cb_status st = CB_OK;
    /* When the next batch in order is still unparsed because no worker has taken it, this
     * thread parses it itself instead of waiting. That happens when the workers are the slower
     * side, as on the 1,000-team bench month, where folding into many teams, users and models
     * keeps the one worker busiest: --formats json, 6 alternating pairs, 1.70 -> 1.48 s
     * (medians); the 1M bench month, where the worker keeps ahead, stays at 0.55 s. It folds
     * nothing: that would take a ledger part of its own, as much memory again as a worker's
     * (a second worker: 1,000 teams 1.41 -> 1.13 s, but the 100,000-team month up to 696 MiB
     * instead of 576). A batch parses the same on any thread. */
    struct rec_parser *helper = rec_parser_new(&r.env);
    for (bool done = false; !done;) {
        pthread_mutex_lock(&r.mu);
        struct job *j = NULL;
        for (;;) {
            recycle(&r);
            if (r.checked < r.produced) {
                j = &r.slots[r.checked % r.n_slots];
                if (j->state == J_READY)
                    break;
                if (j->state == J_RAW) {
                    parse_slot(&r, helper, j);
                    continue;
                }
            }
            pthread_cond_wait(&r.cv_consumer, &r.mu);
        }
        pthread_mutex_unlock(&r.mu);
        j->n_fold = 0;
        switch (j->kind) {
        case K_FILE_START:
            c.file =
                ledger_builder_add_file(c.b, opts->inputs[j->input], rec_format_name(j->format));
            c.line_base = 0;
            c.records = 0;
            c.jsonl = j->format == REC_JSONL;
            c.format = rec_format_name(j->format);
            c.reported = c.listed = 0;
            c.n_reported = 0;
            break;
        case K_CHUNK:
            if (j->hash_len)
                sha256_update(&r.mapped[j->input].sha, j->hash_at, j->hash_len);
            consume_batch(&r, &c, j);
            break;
        case K_BATCH: consume_batch(&r, &c, j); break;
        case K_FILE_END:
            if (j->sha_by_checker)
                sha256_final_hex(&r.mapped[j->input].sha, j->sha);
            ledger_builder_file_done(c.b, c.file, j->sha, j->bytes, c.records);
            compare_reported(opts->inputs[j->input], &c, c.format);
            break;
        case K_ERROR:
            if (err)
                *err = j->err;
            st = CB_EIO;
            done = true;
            break;
        case K_END: done = true; break;
        }
        if (bar)
            progress_update(bar, j->consumed, c.total_records);
        pthread_mutex_lock(&r.mu);
        r.checked++;
        j->state = j->n_fold ? J_FOLD : J_DONE;
        if (j->n_fold)
            pthread_cond_signal(&r.cv_worker);
        if (done && st == CB_OK) {
            /* the end: wait for the last folds before the workers leave */
            for (;;) {
                recycle(&r);
                if (r.recycled == r.checked)
                    break;
                pthread_cond_wait(&r.cv_consumer, &r.mu);
            }
        }
        if (done) {
            r.abort = true;
            pthread_cond_broadcast(&r.cv_worker);
            pthread_cond_broadcast(&r.cv_producer);
        }
        pthread_mutex_unlock(&r.mu);
    }
    pthread_join(producer, NULL);
    rec_parser_free(r.reader_parser);
    rec_parser_free(helper);
    for (int i = 0; i < threads; i++)
        pthread_join(workers[i].thread, NULL);
    release_windows(&r, true);
    if (st == CB_OK)
        st = check_mapped(&r, err);
    for (int i = 0; i < threads; i++) {
        /* every sum is an integer: merging in worker order or any other gives the same ledger */
        if (st == CB_OK)
            ledger_builder_merge(c.b, workers[i].part);
        else
            ledger_part_free(workers[i].part);
    }
    if (st == CB_OK)
        progress_done(bar);
    progress_end(bar);
    if (st == CB_OK && opts->rejected && (fflush(opts->rejected) != 0 || ferror(opts->rejected)))
        st = cb_error_set(err, CB_EIO, "rejected.jsonl", 0, NULL, "write failed: %s",
                          strerror(errno));
    if (st == CB_OK)
        st = ledger_builder_finish(c.b, out, err);
    else
        ledger_builder_free(c.b);
    free(r.mapped);
    for (size_t i = 0; i < r.n_slots; i++) {
        free(r.slots[i].own);
        free(r.slots[i].billed);
        rec_batch_free(&r.slots[i].batch);
    }
    free(r.slots);
    free(workers);
    pthread_cond_destroy(&r.cv_consumer);
    pthread_cond_destroy(&r.cv_worker);
    pthread_cond_destroy(&r.cv_producer);
    pthread_mutex_destroy(&r.mu);
#ifdef __GLIBC__
    /* The folding threads' heaps now hold mostly freed memory (their maps, the buckets' first
     * arrays: the ledger was copied out at its size): give what pages of it the allocator can
     * back to the system (100,000 teams: 12 MB of the peak). */
    malloc_trim(0);
#endif
    return st;
}

/* Reads the first PEEK_BYTES of one regular file through its reader into `b`. */
#define PEEK_BYTES 65536

static void peek_one(const char *path, const struct rec_env *env, struct rec_batch *b)
{
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return; /* standard input and pipes are read once, by ingest_run */
    struct cb_error err;
    struct input *in = NULL;
    if (input_open(path, &in, &err) != CB_OK)
        return;
    char *buf = xmalloc(PEEK_BYTES);
    size_t have = 0;
    bool eof = false;
    while (have < PEEK_BYTES && !eof) {
        size_t got = 0;
        if (input_read(in, buf + have, PEEK_BYTES - have, &got, &err) != CB_OK)
            break;
        eof = got == 0;
        have += got;
    }
    const struct rec_reader *reader = rec_detect_reader(buf, have, eof, NULL, 0);
    if (reader && reader->lines) {
        size_t len = have;
        if (!eof) /* whole lines only: the last one may be cut */
            while (len > 0 && buf[len - 1] != '\n')
                len--;
        struct rec_parser *p = rec_parser_new(env);
        rec_parse_lines(p, buf, len, true, b);
        rec_parser_free(p);
    } else if (reader) {
        struct rec_stream *s = rec_stream_new(env, reader->format);
        rec_stream_feed(s, buf, have, b);
        rec_stream_free(s);
    }
    free(buf);
    input_close(in);
}

bool ingest_peek_month(const struct ingest_opts *opts, int *year, int *month)
{
    const struct rec_env env = {.config = opts->config, .prices = opts->prices};
    /* the months seen and their records; a few late or early records do not count against
     * the month most of them are in */
    struct peek_month {
        int y, m;
        size_t n;
    } seen[8] = {{0}};
    size_t n_seen = 0, total = 0;
    for (size_t i = 0; i < opts->n_inputs; i++) {
        struct rec_batch b = {0};
        peek_one(opts->inputs[i], &env, &b);
        for (size_t k = 0; k < b.n_recs; k++) {
            const struct record *rec = &b.recs[k];
            if (rec->year <= 0) /* an Admin API record still waiting for its bucket's date */
                continue;
            size_t j = 0;
            while (j < n_seen && (seen[j].y != rec->year || seen[j].m != rec->month))
                j++;
            if (j == n_seen && n_seen < sizeof seen / sizeof *seen)
                seen[n_seen++] = (struct peek_month){rec->year, rec->month, 0};
            if (j < n_seen)
                seen[j].n++;
            total++;
        }
        rec_batch_free(&b);
    }
    for (size_t j = 0; j < n_seen; j++)
        if (2 * seen[j].n > total) { /* more than half of the records peeked at */
            *year = seen[j].y;
            *month = seen[j].m;
            return true;
        }
    return false;
}

#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "sha256.h"
#include "xalloc.h"

#define RAW_BUF (256 * 1024)

struct input {
    char *path;
    int fd;
    bool is_stdin;
    int64_t size;
    struct timespec mtime; /* a regular file's modification time at open */
    int64_t start;         /* its read offset at open (standard input may be past 0) */
    int64_t consumed;
    struct sha256 sha;
    bool detached; /* the bytes are hashed by whoever holds the state (input_hash_detach) */
    bool gzip, z_init, raw_eof, z_end;
    z_stream z;
    unsigned char *raw; /* gzip: compressed bytes waiting */
    size_t raw_len;     /* bytes of raw that hold data (peeked or to inflate) */
    size_t raw_pos;
    /* a plain file read again from an earlier offset (input_resume): stored bytes below
     * `consumed` were hashed and counted once already, and are not again */
    int64_t raw_off; /* the stored offset of raw[0] (the bytes input_open peeked) */
    int64_t fdpos;   /* the stored offset of the next read() */
};

/* At the end of a regular file: CB_EIO when it is not the file that was opened any more (its
 * size or modification time changed, or fewer or more bytes were read than it held), so a log
 * truncated or rewritten while it was read is never billed in part. */
static enum cb_status check_unchanged(const struct input *in, struct cb_error *err)
{
    struct stat sb;
    if (fstat(in->fd, &sb) != 0)
        return cb_error_set(err, CB_EIO, in->path, 0, NULL, "cannot stat: %s", strerror(errno));
    bool same = (int64_t)sb.st_size == in->size && in->consumed == in->size - in->start &&
                sb.st_mtim.tv_sec == in->mtime.tv_sec && sb.st_mtim.tv_nsec == in->mtime.tv_nsec;
    if (same)
        return CB_OK;
    return cb_error_set(
        err, CB_EIO, in->path, 0, NULL,
        "changed while it was read (%lld bytes when opened, %lld now, %lld read%s); "
        "nothing is billed from a file that moves: run again once it is complete",
        (long long)in->size, (long long)sb.st_size, (long long)in->consumed,
        (int64_t)sb.st_size == in->size && in->consumed == in->size - in->start
            ? ", modified meanwhile"
            : "");
}

/* Reads up to n stored bytes, hashing them. */
static enum cb_status raw_read(struct input *in, unsigned char *buf, size_t n, size_t *got,
                               struct cb_error *err)
{
    for (;;) {
        ssize_t k = read(in->fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return cb_error_set(err, CB_EIO, in->path, 0, NULL, "read failed: %s", strerror(errno));
        if (k == 0 && in->size >= 0) {
            enum cb_status st = check_unchanged(in, err);
            if (st != CB_OK)
                return st;
        }
        size_t skip = 0; /* read before, hashed then */
        if (in->consumed > in->fdpos)
            skip = in->consumed - in->fdpos < (int64_t)k ? (size_t)(in->consumed - in->fdpos)
                                                         : (size_t)k;
        input_take(in, (const char *)buf + skip, (size_t)k - skip);
        in->fdpos += k;
        *got = (size_t)k;
        return CB_OK;
    }
}

enum cb_status input_open(const char *path, struct input **out, struct cb_error *err)
{
    *out = NULL;
    struct input *in = xcalloc(1, sizeof *in);
    in->path = xstrdup(path);
    in->size = -1;
    in->is_stdin = strcmp(path, "-") == 0;
    in->fd = in->is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        enum cb_status st =
            cb_error_set(err, CB_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        input_close(in);
        return st;
    }
    struct stat sb;
    if (fstat(in->fd, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            enum cb_status st =
                cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: is a directory");
            input_close(in);
            return st;
        }
        if (S_ISREG(sb.st_mode)) {
            in->size = (int64_t)sb.st_size;
            in->mtime = sb.st_mtim;
            off_t at = lseek(in->fd, 0, SEEK_CUR);
            in->start = at > 0 ? (int64_t)at : 0;
        }
    }
    sha256_init(&in->sha, true);
    /* peek the magic bytes: gzip is 1f 8b whatever the name says */
    in->raw = xmalloc(RAW_BUF);
    while (in->raw_len < 2) {
        size_t got = 0;
        enum cb_status st = raw_read(in, in->raw + in->raw_len, RAW_BUF - in->raw_len, &got, err);
        if (st != CB_OK) {
            input_close(in);
            return st;
        }
        if (got == 0) {
            in->raw_eof = true;
            break;
        }
        in->raw_len += got;
    }
    in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    if (in->gzip) {
        if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
            enum cb_status st =
                cb_error_set(err, CB_EIO, path, 0, NULL, "cannot start gzip decompression");
            input_close(in);
            return st;
        }
        in->z_init = true;
    }
    *out = in;
    return CB_OK;
}

static enum cb_status gz_read(struct input *in, char *buf, size_t cap, size_t *got,
                              struct cb_error *err)
{
    *got = 0;
    while (*got == 0 && !in->z_end) {
        if (in->raw_pos == in->raw_len && !in->raw_eof) {
            size_t k;
            enum cb_status st = raw_read(in, in->raw, RAW_BUF, &k, err);
            if (st != CB_OK)
                return st;
            in->raw_pos = 0;
            in->raw_len = k;
            if (k == 0)
                in->raw_eof = true;
        }
        if (in->raw_pos == in->raw_len && in->raw_eof)
            return cb_error_set(err, CB_EIO, in->path, 0, NULL,
                                "truncated gzip data (the file ends inside the compressed stream)");
        in->z.next_in = in->raw + in->raw_pos;
        in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
        in->z.next_out = (unsigned char *)buf;
        in->z.avail_out = (uInt)cap;
        int zr = inflate(&in->z, Z_NO_FLUSH);
        in->raw_pos = in->raw_len - in->z.avail_in;
        *got = cap - in->z.avail_out;
        if (zr == Z_STREAM_END) {
            /* another gzip member may follow (concatenated .gz files) */
            while (in->raw_pos == in->raw_len && !in->raw_eof) {
                size_t k;
                enum cb_status st = raw_read(in, in->raw, RAW_BUF, &k, err);
                if (st != CB_OK)
                    return st;
                in->raw_pos = 0;
                in->raw_len = k;
                if (k == 0)
                    in->raw_eof = true;
            }
            if (in->raw_pos < in->raw_len)
                inflateReset(&in->z);
            else
                in->z_end = true;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return cb_error_set(err, CB_EIO, in->path, 0, NULL,
                                "corrupt gzip data near byte %lld: %s",
                                (long long)(in->consumed - (int64_t)(in->raw_len - in->raw_pos)),
                                in->z.msg ? in->z.msg : "inflate failed");
    }
    return CB_OK;
}

enum cb_status input_read(struct input *in, char *buf, size_t cap, size_t *got,
                          struct cb_error *err)
{
    *got = 0;
    if (cap > (1u << 30))
        cap = 1u << 30;
    if (in->gzip)
        return gz_read(in, buf, cap, got, err);
    if (in->raw_pos < in->raw_len) { /* the peeked bytes first */
        size_t k = in->raw_len - in->raw_pos < cap ? in->raw_len - in->raw_pos : cap;
        memcpy(buf, in->raw + in->raw_pos, k);
        in->raw_pos += k;
        *got = k;
        return CB_OK;
    }
    if (in->raw_eof)
        return CB_OK;
    size_t total = 0;
    /* fill the buffer: fewer, larger chunks for the parsers */
    while (total < cap) {
        size_t k = 0;
        enum cb_status st = raw_read(in, (unsigned char *)buf + total, cap - total, &k, err);
        if (st != CB_OK)
            return st;
        if (k == 0) {
            in->raw_eof = true;
            break;
        }
        total += k;
    }
    *got = total;
    return CB_OK;
}

int64_t input_consumed(const struct input *in)
{
    return in->consumed;
}

bool input_is_gzip(const struct input *in)
{
    return in->gzip;
}

void input_sha256(struct input *in, char hex[65])
{
    sha256_final_hex(&in->sha, hex);
}

void input_close(struct input *in)
{
    if (!in)
        return;
    if (in->z_init)
        inflateEnd(&in->z);
    if (in->fd >= 0 && !in->is_stdin)
        close(in->fd);
    free(in->raw);
    free(in->path);
    free(in);
}

/* ---- mapped reading ----
 *
 * read() copies every byte from the page cache: on the 1M bench month (369 MB, page-cached)
 * that copy was 9 % of the run's CPU. A mapped window hands the parsers the page cache's own
 * bytes. The cost of mapping is a file that shrinks meanwhile: touching a mapped page past its
 * new end raises SIGBUS, which would kill the run. The handler below looks the address up in
 * the table of live windows; for one of them it maps a page of zeros there, so the read goes on,
 * and flags the run, which then fails as for any file that changed while it was read. Any other
 * SIGBUS goes to the disposition there was before. */

#define MAP_REG 64

struct map_reg {
    _Atomic uintptr_t lo, hi; /* [lo, hi): a live window's mapping; 0, 0 when free */
    atomic_int *fault;
    int tag;
    atomic_bool used;
};

static struct map_reg map_reg[MAP_REG];
static uintptr_t page_size;
static struct sigaction old_bus;
static pthread_mutex_t bus_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < MAP_REG; i++) {
        uintptr_t lo = atomic_load(&map_reg[i].lo), hi = atomic_load(&map_reg[i].hi);
        if (lo == 0 || a < lo || a >= hi)
            continue;
        void *page = (void *)(a & ~(page_size - 1));
        if (mmap(page, (size_t)page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                 0) == MAP_FAILED)
            break;
        int zero = 0;
        atomic_compare_exchange_strong(map_reg[i].fault, &zero, map_reg[i].tag);
        return;
    }
    /* not a window's: the fault happens again on return, under the earlier disposition */
    sigaction(sig, &old_bus, NULL);
}

/* Makes on_bus the SIGBUS handler unless it is already (something may have set another since
 * the last window: a test harness does). Returns false when it cannot. */
static bool bus_install(void)
{
    pthread_mutex_lock(&bus_mu);
    if (!page_size)
        page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction cur;
    bool ok = sigaction(SIGBUS, NULL, &cur) == 0;
    if (ok && !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_bus)) {
        struct sigaction sa = {0};
        sa.sa_sigaction = on_bus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        old_bus = cur;
        ok = sigaction(SIGBUS, &sa, NULL) == 0;
    }
    pthread_mutex_unlock(&bus_mu);
    return ok;
}

bool input_mappable(const struct input *in)
{
    return !in->gzip && !in->is_stdin && in->size >= 0 && in->start == 0;
}

int64_t input_offset(const struct input *in)
{
    return in->raw_pos < in->raw_len ? in->raw_off + (int64_t)in->raw_pos : in->fdpos;
}

void input_identity(const struct input *in, int64_t *size, struct timespec *mtime)
{
    *size = in->size;
    *mtime = in->mtime;
}

bool input_map(struct input *in, int64_t off, size_t len, atomic_int *fault, int tag,
               struct input_window *w)
{
    if (!input_mappable(in) || off < 0 || off >= in->size || !bus_install())
        return false;
    if ((int64_t)len > in->size - off)
        len = (size_t)(in->size - off);
    int64_t start = off & ~(int64_t)(page_size - 1);
    size_t map_len = len + (size_t)(off - start);
    int reg = -1;
    for (int i = 0; i < MAP_REG && reg < 0; i++) {
        bool no = false;
        if (atomic_compare_exchange_strong(&map_reg[i].used, &no, true))
            reg = i;
    }
    if (reg < 0)
        return false;
    /* MAP_POPULATE: the page tables in one call rather than a fault per few pages */
    void *base = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, in->fd, (off_t)start);
    if (base == MAP_FAILED) {
        atomic_store(&map_reg[reg].used, false);
        return false;
    }
    map_reg[reg].fault = fault;
    map_reg[reg].tag = tag;
    atomic_store(&map_reg[reg].hi, (uintptr_t)base + map_len);
    atomic_store(&map_reg[reg].lo, (uintptr_t)base);
    *w = (struct input_window){.data = (const char *)base + (off - start),
                               .off = off,
                               .len = len,
                               .base = base,
                               .map_len = map_len,
                               .reg = reg};
    return true;
}

void input_unmap(struct input_window *w)
{
    if (!w->base)
        return;
    atomic_store(&map_reg[w->reg].lo, 0);
    atomic_store(&map_reg[w->reg].hi, 0);
    munmap(w->base, w->map_len);
    atomic_store(&map_reg[w->reg].used, false);
    *w = (struct input_window){0};
}

void input_take(struct input *in, const char *p, size_t n)
{
    if (!in->detached)
        sha256_update(&in->sha, p, n);
    in->consumed += (int64_t)n;
}

void input_hash_detach(struct input *in, struct sha256 *state)
{
    *state = in->sha;
    in->detached = true;
}

void input_hash_attach(struct input *in, const struct sha256 *state)
{
    in->sha = *state;
    in->detached = false;
}

enum cb_status input_resume(struct input *in, int64_t at, struct cb_error *err)
{
    /* from the peeked bytes when they hold `at`, else from the file; what was read before
     * `consumed` is read again without being hashed or counted again */
    if (at >= in->raw_off && at < in->raw_off + (int64_t)in->raw_len) {
        in->raw_pos = (size_t)(at - in->raw_off);
        in->fdpos = in->raw_off + (int64_t)in->raw_len;
    } else {
        in->raw_pos = in->raw_len;
        in->fdpos = at;
    }
    in->raw_eof = false; /* the end seen before may lie past `at` */
    if (lseek(in->fd, (off_t)(in->start + in->fdpos), SEEK_SET) < 0)
        return cb_error_set(err, CB_EIO, in->path, 0, NULL, "cannot seek: %s", strerror(errno));
    return CB_OK;
}

#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
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
    bool gzip, z_init, raw_eof, z_end;
    z_stream z;
    unsigned char *raw; /* gzip: compressed bytes waiting */
    size_t raw_len;     /* bytes of raw that hold data (peeked or to inflate) */
    size_t raw_pos;
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
        sha256_update(&in->sha, buf, (size_t)k);
        in->consumed += k;
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
        size_t k;
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

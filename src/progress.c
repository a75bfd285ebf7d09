#include "progress.h"

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "money.h"
#include "msg.h"
#include "xalloc.h"

struct progress {
    int64_t total;
    double start, last;
    int64_t bytes, records; /* the latest figures, drawn or not */
    bool drawn;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct progress *progress_new(int64_t total)
{
    struct progress *p = xcalloc(1, sizeof *p);
    p->total = total;
    p->start = now();
    p->last = p->start;
    return p;
}

static void human(char *buf, size_t size, double bytes)
{
    if (bytes >= 1e9)
        snprintf(buf, size, "%.2f GB", bytes / 1e9);
    else if (bytes >= 1e6)
        snprintf(buf, size, "%.1f MB", bytes / 1e6);
    else
        snprintf(buf, size, "%.0f kB", bytes / 1e3);
}

void progress_format(char *buf, size_t size, int64_t total, int64_t bytes, int64_t records,
                     double elapsed)
{
    char done[32], all[32], recs[32], per_s[32];
    human(done, sizeof done, (double)bytes);
    double rate = elapsed > 0 ? (double)records / elapsed : 0;
    money_format_count(records, recs, sizeof recs);
    money_format_count((int64_t)(rate + 0.5), per_s, sizeof per_s);
    if (total > 0) {
        double f = (double)bytes / (double)total;
        if (f > 1)
            f = 1;
        char bar[21];
        int fill = (int)(f * 20);
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        human(all, sizeof all, (double)total);
        double left = f > 0 ? elapsed * (1 - f) / f : 0;
        snprintf(buf, size, "reading [%s] %3d%%  %s of %s  %s records  %s records/s  %d:%02d left",
                 bar, (int)(f * 100), done, all, recs, per_s, (int)left / 60, (int)left % 60);
    } else
        snprintf(buf, size, "reading  %s  %s records  %s records/s", done, recs, per_s);
}

void progress_update(struct progress *p, int64_t bytes, int64_t records)
{
    p->bytes = bytes;
    p->records = records;
    double t = now();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    char line[200];
    progress_format(line, sizeof line, p->total, bytes, records, t - p->start);
    msg_progress(line);
    p->drawn = true;
}

void progress_done(struct progress *p)
{
    if (p && p->total > 0)
        p->bytes = p->total;
}

void progress_end(struct progress *p)
{
    if (!p)
        return;
    if (p->drawn) {
        /* The last frame stays on screen with the final figures (100 % when everything was
         * read), so the bar never stops short of where reading ended. */
        char line[200];
        progress_format(line, sizeof line, p->total, p->bytes, p->records, now() - p->start);
        msg_progress(line);
        msg_progress_end();
    }
    free(p);
}

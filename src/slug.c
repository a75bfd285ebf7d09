/* Team slugs: file names made from team ids (SPEC §6: lower-case [a-z0-9-], unique). */
#include "slug.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* Latin-1 supplement letters (U+00C0..U+00FF) to ASCII; "" drops the character. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

char *slug_from_id(const char *id)
{
    struct strbuf b = STRBUF_INIT;
    bool dash = false;
    const unsigned char *p = (const unsigned char *)id;
    while (*p) {
        const char *piece = NULL;
        char one[2] = {0, 0};
        size_t adv = 1;
        if (*p < 0x80) {
            unsigned char ch = *p;
            if (ch >= 'A' && ch <= 'Z')
                ch = (unsigned char)(ch - 'A' + 'a');
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
                one[0] = (char)ch;
                piece = one;
            }
        } else {
            adv = (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : (*p >= 0xC0) ? 2 : 1;
            if (*p == 0xC3 && (p[1] & 0xC0) == 0x80)
                piece = latin1[p[1] & 0x3F];
            else
                piece = ""; /* other scripts are dropped, not turned into separators */
            for (size_t k = 1; k < adv; k++)
                if (!p[k]) {
                    adv = k;
                    break;
                }
        }
        if (piece == NULL)
            dash = true;
        else if (piece[0]) {
            if (dash && b.len > 0)
                strbuf_putc(&b, '-');
            dash = false;
            strbuf_puts(&b, piece);
        }
        p += adv;
    }
    char *s = b.len ? strbuf_detach(&b) : xstrdup("team");
    if (strlen(s) > SLUG_MAX)
        s[SLUG_MAX] = '\0';
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '-')
        s[--n] = '\0';
    return s;
}

/* A string map on FNV-1a with open addressing, at most half full; keys are borrowed. It holds
 * the slugs taken so far (value unused) and, for each base slug, the next suffix to try, so
 * the 100,000th team of one name costs the same as the first. */
struct map {
    struct entry {
        const char *key;
        int value;
    } * slot;
    size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t map_find(const struct map *m, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (m->cap - 1);
    while (m->slot[i].key && strcmp(m->slot[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* Sets key (borrowed, must outlive the map) to value. */
static void map_put(struct map *m, const char *key, int value)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct map bigger = {xcalloc(cap, sizeof *bigger.slot), cap, 0};
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i].key) {
                bigger.slot[map_find(&bigger, m->slot[i].key)] = m->slot[i];
                bigger.n++;
            }
        free(m->slot);
        *m = bigger;
    }
    size_t i = map_find(m, key);
    if (!m->slot[i].key)
        m->n++;
    m->slot[i].key = key;
    m->slot[i].value = value;
}

/* The value of key, or `otherwise` when it is not in the map. */
static int map_get(const struct map *m, const char *key, int otherwise)
{
    if (!m->cap)
        return otherwise;
    size_t i = map_find(m, key);
    return m->slot[i].key ? m->slot[i].value : otherwise;
}

void slug_assign(struct report_team *teams, size_t n)
{
    struct map taken = {0}, next = {0};
    char **bases = xcalloc(n ? n : 1, sizeof *bases);
    for (size_t i = 0; i < n; i++) {
        char *base = slug_from_id(teams[i].id);
        bases[i] = base;
        char *s = xstrdup(base);
        int k = map_get(&next, base, 2);
        while (map_get(&taken, s, 0)) {
            free(s);
            char suffix[24];
            snprintf(suffix, sizeof suffix, "-%d", k++);
            size_t keep = strlen(base);
            if (keep + strlen(suffix) > SLUG_MAX)
                keep = SLUG_MAX - strlen(suffix);
            while (keep > 0 && base[keep - 1] == '-')
                keep--;
            s = xasprintf("%.*s%s", (int)keep, base, suffix);
        }
        map_put(&next, base, k);
        teams[i].slug = s;
        map_put(&taken, s, 1);
    }
    free(taken.slot);
    free(next.slot);
    for (size_t i = 0; i < n; i++)
        free(bases[i]);
    free(bases);
}

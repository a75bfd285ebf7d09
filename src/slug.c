/* Team slugs: the folding rule, the Windows device names, and unique assignment. */
#include "slug.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "strbuf.h"
#include "xalloc.h"

/* Latin-1 supplement letters (U+00C0..U+00FF) to ASCII; "" drops the character. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Windows reserves these device names, with any extension ("con.html"), in every folder
 * (Microsoft, "Naming Files, Paths, and Namespaces"). */
static bool windows_reserved(const char *s)
{
    static const char *const names[] = {"con", "prn", "aux", "nul"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return (strncmp(s, "com", 3) == 0 || strncmp(s, "lpt", 3) == 0) && s[3] >= '0' && s[3] <= '9' &&
           s[4] == '\0';
}

char *slug_base(const char *id)
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
    if (windows_reserved(s)) {
        char *t = xasprintf("%s-team", s);
        free(s);
        s = t;
    }
    return s;
}

/* Takes `s` when nobody has it. Returns true when it was free (and is now taken). */
static bool claim(struct intern *taken, const char *s)
{
    size_t before = intern_count(taken);
    intern_str(taken, s, strlen(s));
    return intern_count(taken) > before;
}

/* "<base>-<k>", cut so it stays within SLUG_MAX. Returns a new string. */
static char *suffixed(const char *base, int64_t k)
{
    char suffix[24];
    snprintf(suffix, sizeof suffix, "-%lld", (long long)k);
    size_t keep = strlen(base);
    if (keep + strlen(suffix) > SLUG_MAX)
        keep = SLUG_MAX - strlen(suffix);
    while (keep > 0 && base[keep - 1] == '-')
        keep--;
    return xasprintf("%.*s%s", (int)keep, base, suffix);
}

struct base_ref {
    const char *base;
    size_t team;
};

static int cmp_base(const void *a, const void *b)
{
    const struct base_ref *x = a, *y = b;
    int c = strcmp(x->base, y->base);
    return c ? c : (x->team > y->team) - (x->team < y->team);
}

void slug_assign(const char *const *ids, const bool *claims_first, size_t n, char **out)
{
    if (n == 0)
        return;
    char **bases = xcalloc(n, sizeof *bases);
    struct base_ref *refs = xcalloc(n, sizeof *refs);
    size_t *group = xcalloc(n, sizeof *group);
    int64_t *next = xcalloc(n, sizeof *next); /* per group: the next suffix to try */
    for (size_t i = 0; i < n; i++) {
        bases[i] = slug_base(ids[i]);
        refs[i] = (struct base_ref){bases[i], i};
    }
    /* one counter per distinct base: teams sharing a base find it by sorting, not by search */
    qsort(refs, n, sizeof *refs, cmp_base);
    size_t g = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(refs[i - 1].base, refs[i].base) != 0)
            g++;
        group[refs[i].team] = g;
        next[g] = 2;
    }
    struct intern *taken = intern_new();
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            bool first = claims_first && claims_first[i];
            if (first != (pass == 0))
                continue;
            if (claim(taken, bases[i])) {
                out[i] = xstrdup(bases[i]);
                continue;
            }
            for (int64_t *k = &next[group[i]];; (*k)++) {
                char *s = suffixed(bases[i], *k);
                if (claim(taken, s)) {
                    out[i] = s;
                    (*k)++;
                    break;
                }
                free(s);
            }
        }
    intern_free(taken);
    for (size_t i = 0; i < n; i++)
        free(bases[i]);
    free(next);
    free(group);
    free(refs);
    free(bases);
}

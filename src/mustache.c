/* Mustache over jansson values. A template is parsed once into a flat list of nodes (a section
 * node knows where its body ends), then rendered against a stack of contexts. Partials are parsed
 * on first use and kept for the rest of the render, keyed by name and standalone indentation. */
#include "mustache.h"

#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define DELIM_MAX          16                  /* bytes in a set-delimiter tag's delimiter */
#define SECTION_DEPTH_MAX  100                 /* sections nested in one template */
#define PARTIAL_DEPTH_MAX  50                  /* partials nested while rendering */
#define STEPS_MAX          5000000L            /* nodes visited in one render */
#define OUTPUT_MAX_DEFAULT ((size_t)256 << 20) /* when the caller's strbuf has no limit */
#define FILE_MAX           ((size_t)64 << 20)  /* a template, partial or data file */

enum node_kind { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
    enum node_kind kind;
    const char *s; /* text, or the trimmed tag name; points into the template's text */
    size_t len;
    size_t end; /* sections: index of the first node after the body */
    long line;
    const char *indent; /* standalone partials: the blanks before the tag */
    size_t indent_len;
};

struct tmpl {
    const char *label; /* names the template in errors (borrowed) */
    const char *text;  /* the source; borrowed for the top template, == owned for partials */
    char *owned;
    struct node *nodes;
    size_t n, cap;
};

struct partial {
    char *name;
    char *indent;
    char *label;
    bool missing;
    struct tmpl t;
};

struct render {
    json_t **stack;
    size_t depth, stack_cap;
    struct strbuf *out;
    mustache_partial_fn load;
    void *load_ctx;
    struct partial **partials; /* each its own allocation: rendering one may add others */
    size_t n_partials, partials_cap;
    int partial_depth;
    long steps; /* bounds the work of templates that recurse without output */
    struct cb_error *err;
};

static void tmpl_free(struct tmpl *t)
{
    free(t->nodes);
    free(t->owned);
    memset(t, 0, sizeof *t);
}

static void add_node(struct tmpl *t, enum node_kind kind, const char *s, size_t len, long line)
{
    if (kind == N_TEXT && len == 0)
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->nodes = xreallocarray(t->nodes, t->cap, sizeof *t->nodes);
    }
    t->nodes[t->n++] = (struct node){kind, s, len, 0, line, NULL, 0};
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}
static bool is_space(char c)
{
    return is_blank(c) || c == '\n' || c == '\r';
}

static long count_lines(const char *s, size_t n)
{
    long k = 0;
    for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))) != NULL; p++)
        k++;
    return k;
}

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || m > n)
        return NULL;
    for (const char *p = hay; (p = memchr(p, needle[0], n - m + 1 - (size_t)(p - hay))) != NULL;
         p++)
        if (memcmp(p, needle, m) == 0)
            return p;
    return NULL;
}

/* Trims blanks and line breaks from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* "." or dot-separated non-empty keys. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 1 && s[0] == '.')
        return true;
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 1; i < n; i++)
        if (s[i] == '.' && s[i - 1] == '.')
            return false;
    return true;
}

/* Parses `{{=OPEN CLOSE=}}`'s body into the two delimiters. */
static bool set_delimiters(const char *s, size_t n, char *open, size_t *olen, char *close,
                           size_t *clen)
{
    trim(&s, &n);
    size_t a = 0;
    while (a < n && !is_space(s[a]))
        a++;
    size_t b = a;
    while (b < n && is_space(s[b]))
        b++;
    const char *c = s + b;
    size_t cn = n - b;
    if (a == 0 || cn == 0 || a > DELIM_MAX || cn > DELIM_MAX || memchr(s, '=', a) ||
        memchr(c, '=', cn))
        return false;
    for (size_t i = 0; i < cn; i++)
        if (is_space(c[i]))
            return false;
    memcpy(open, s, a);
    open[a] = '\0';
    *olen = a;
    memcpy(close, c, cn);
    close[cn] = '\0';
    *clen = cn;
    return true;
}

/* Parses t->text into t->nodes. Returns CB_OK, or CB_EUSAGE naming t->label and the line. */
static enum cb_status parse(struct tmpl *t, struct cb_error *err)
{
    const char *src = t->text;
    size_t n = strlen(src);
    char open[DELIM_MAX + 1] = "{{", close[DELIM_MAX + 1] = "}}";
    size_t olen = 2, clen = 2;
    size_t open_sections[SECTION_DEPTH_MAX];
    size_t depth = 0;
    size_t pos = 0;
    long line = 1; /* the line of src[pos] */

    while (pos < n) {
        const char *p = find(src + pos, n - pos, open, olen);
        if (!p) {
            add_node(t, N_TEXT, src + pos, n - pos, line);
            break;
        }
        size_t tag = (size_t)(p - src);
        long tag_line = line + count_lines(src + pos, tag - pos);
        size_t body = tag + olen;
        char sigil = body < n && strchr("#^/>!=&{", src[body]) ? src[body] : 0;
        if (sigil)
            body++;

        /* The tag ends at the closing delimiter; `{` and `=` tags end with their own mark first. */
        char closer[DELIM_MAX + 2];
        size_t closer_len = 0;
        if (sigil == '{' || sigil == '=')
            closer[closer_len++] = sigil == '{' ? '}' : '=';
        memcpy(closer + closer_len, close, clen);
        closer_len += clen;
        const char *q = find(src + body, n - body, closer, closer_len);
        if (!q)
            return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL,
                                "unclosed tag: \"%s%s\" has no matching \"%.*s\"", open,
                                sigil ? (char[]){sigil, 0} : "", (int)closer_len, closer);
        const char *name = src + body;
        size_t name_len = (size_t)(q - name);
        size_t tag_end = (size_t)(q - src) + closer_len;
        if (sigil != '!' && sigil != '=')
            trim(&name, &name_len);

        /* Standalone: alone on its line but for blanks; the whole line then vanishes. */
        bool standalone = false;
        size_t line_start = tag, after = tag_end;
        if (sigil && sigil != '&' && sigil != '{') {
            while (line_start > pos && src[line_start - 1] != '\n')
                line_start--;
            /* A tag earlier on the same line (pos sits after it) makes this one inline. */
            bool blank_before = line_start > pos || pos == 0 || src[pos - 1] == '\n';
            for (size_t i = line_start; blank_before && i < tag; i++)
                blank_before = is_blank(src[i]);
            while (after < n && is_blank(src[after]))
                after++;
            if (blank_before) {
                if (after == n)
                    standalone = true;
                else if (src[after] == '\n')
                    standalone = true, after++;
                else if (src[after] == '\r' && after + 1 < n && src[after + 1] == '\n')
                    standalone = true, after += 2;
            }
        }
        size_t text_end = standalone ? line_start : tag;
        add_node(t, N_TEXT, src + pos, text_end - pos, line);
        size_t next = standalone ? after : tag_end;
        line += count_lines(src + pos, next - pos);
        pos = next;

        if (sigil == '!')
            continue;
        if (sigil == '=') {
            if (!set_delimiters(name, name_len, open, &olen, close, &clen))
                return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL,
                                    "bad set-delimiters tag \"%.*s\": expected two delimiters "
                                    "of 1 to %d characters without blanks or '='",
                                    (int)(tag_end - tag > 200 ? 200 : tag_end - tag), src + tag,
                                    DELIM_MAX);
            continue;
        }
        if (sigil == '>' ? name_len == 0 : !valid_name(name, name_len))
            return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL, "bad tag name \"%.*s\"",
                                (int)(name_len > 200 ? 200 : name_len), name);
        switch (sigil) {
        case '#':
        case '^':
            if (depth == SECTION_DEPTH_MAX)
                return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL,
                                    "sections nested deeper than %d", SECTION_DEPTH_MAX);
            open_sections[depth++] = t->n;
            add_node(t, sigil == '#' ? N_SECTION : N_INVERTED, name, name_len, tag_line);
            break;
        case '/': {
            if (depth == 0)
                return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL,
                                    "closing tag \"%.*s\" without an open section",
                                    (int)(name_len > 200 ? 200 : name_len), name);
            struct node *o = &t->nodes[open_sections[--depth]];
            if (o->len != name_len || memcmp(o->s, name, name_len) != 0)
                return cb_error_set(err, CB_EUSAGE, t->label, tag_line, NULL,
                                    "closing tag \"%.*s\" does not match section \"%.*s\" "
                                    "opened on line %ld",
                                    (int)(name_len > 200 ? 200 : name_len), name,
                                    (int)(o->len > 200 ? 200 : o->len), o->s, o->line);
            o->end = t->n;
            break;
        }
        case '>':
            add_node(t, N_PARTIAL, name, name_len, tag_line);
            if (standalone) {
                t->nodes[t->n - 1].indent = src + line_start;
                t->nodes[t->n - 1].indent_len = tag - line_start;
            }
            break;
        default:
            add_node(t, sigil == '&' || sigil == '{' ? N_RAW : N_VAR, name, name_len, tag_line);
        }
    }
    if (depth > 0) {
        const struct node *o = &t->nodes[open_sections[depth - 1]];
        return cb_error_set(err, CB_EUSAGE, t->label, o->line, NULL,
                            "unclosed section \"%.*s\": no \"%s/%.*s%s\" before the end",
                            (int)(o->len > 200 ? 200 : o->len), o->s, open,
                            (int)(o->len > 200 ? 200 : o->len), o->s, close);
    }
    return CB_OK;
}

static void push(struct render *r, json_t *v)
{
    if (r->depth == r->stack_cap) {
        r->stack_cap = r->stack_cap ? r->stack_cap * 2 : 16;
        r->stack = xreallocarray(r->stack, r->stack_cap, sizeof *r->stack);
    }
    r->stack[r->depth++] = v;
}

/* Resolves a name against the context stack: the first key through the stack from the top, the
 * rest of a dotted name only inside what the first key found. Returns a borrowed value or NULL. */
static json_t *lookup(const struct render *r, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return r->stack[r->depth - 1];
    const char *dot = memchr(name, '.', len);
    size_t seg = dot ? (size_t)(dot - name) : len;
    json_t *v = NULL;
    for (size_t k = r->depth; k-- > 0 && !v;)
        if (json_is_object(r->stack[k]))
            v = json_object_getn(r->stack[k], name, seg);
    while (v && seg < len) {
        name += seg + 1;
        len -= seg + 1;
        dot = memchr(name, '.', len);
        seg = dot ? (size_t)(dot - name) : len;
        v = json_is_object(v) ? json_object_getn(v, name, seg) : NULL;
    }
    return v;
}

/* Falsey: missing, null, false, an empty list and an empty string; everything else is truthy. */
static bool truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    return true;
}

/* The shortest digits that read back as the same double, written like JavaScript's
 * Number#toString (plain from 1e-6 up to 1e21, else d.ddde+N), with '.' whatever the locale. */
static void format_real(double d, char *buf, size_t size)
{
    char e[48];
    int prec = 0;
    for (; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, d);
        if (strtod(e, NULL) == d)
            break;
    }
    const char *ep = strchr(e, 'e');
    int exp = ep ? (int)strtol(ep + 1, NULL, 10) : 0;
    if (exp >= -6 && exp < 21) {
        snprintf(buf, size, "%.*f", prec - exp > 0 ? prec - exp : 0, d);
    } else {
        /* mantissa as printed, exponent without the padding zeros C adds */
        snprintf(buf, size, "%.*se%c%d", (int)(ep - e), e, exp < 0 ? '-' : '+',
                 exp < 0 ? -exp : exp);
    }
    const char *point = localeconv()->decimal_point;
    size_t plen = point ? strlen(point) : 0;
    char *at = plen && strcmp(point, ".") != 0 ? strstr(buf, point) : NULL;
    if (at) {
        *at = '.';
        memmove(at + 1, at + plen, strlen(at + plen) + 1);
    }
}

/* Bytes of a bidi embedding, override or isolate control at s (U+202A-U+202E, U+2066-U+2069,
 * three bytes in UTF-8), else 0. */
static size_t bidi_control(const unsigned char *s, size_t n)
{
    if (n < 3 || s[0] != 0xe2)
        return 0;
    if ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
        (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))
        return 3;
    return 0;
}

/* HTML-escapes s. Controls other than tab, LF and CR, DEL, and the bidi controls become
 * U+FFFD: they are parse errors in HTML, and a name holding U+202E would show reversed and
 * reorder the text after it ("admin\u202egnp.exe" reads "adminexe.png"). */
static void append_escaped(struct strbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        size_t len = 1;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') || u[i] == 0x7f)
                rep = "\xEF\xBF\xBD";
            else if ((len = bidi_control(u + i, n - i)) > 0)
                rep = "\xEF\xBF\xBD";
            else
                continue;
        }
        strbuf_append(out, s + run, i - run);
        strbuf_puts(out, rep);
        i += len - 1;
        run = i + 1;
    }
    strbuf_append(out, s + run, n - run);
}

static void write_value(struct strbuf *out, const json_t *v, bool escape)
{
    char num[64];
    const char *s = NULL;
    size_t n = 0;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
        n = strlen(num);
        break;
    case JSON_REAL:
        format_real(json_real_value(v), num, sizeof num);
        s = num;
        n = strlen(num);
        break;
    case JSON_TRUE: s = "true", n = 4; break;
    case JSON_FALSE: s = "false", n = 5; break;
    default: return; /* null, objects and lists print nothing */
    }
    if (escape)
        append_escaped(out, s, n);
    else
        strbuf_append(out, s, n);
}

/* Returns a new string: `text` with `indent` before every line that has content after it, or
 * NULL when that would pass FILE_MAX bytes. */
static char *indent_text(const char *text, const char *indent)
{
    size_t ilen = strlen(indent);
    if (ilen == 0)
        return xstrdup(text);
    struct strbuf b = STRBUF_INIT;
    b.limit = FILE_MAX;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        strbuf_append(&b, indent, ilen);
        strbuf_append(&b, p, n);
        p += n;
    }
    if (b.overflow) {
        strbuf_free(&b);
        return NULL;
    }
    strbuf_cstr(&b);
    return strbuf_detach(&b);
}

/* Returns the partial `name` indented by `indent`, parsed on first use; NULL when the loader
 * has none (it renders as nothing). On a parse error returns NULL with *failed set and err
 * filled, naming the including template and line. */
static struct tmpl *get_partial(struct render *r, const struct tmpl *from, const struct node *nd,
                                bool *failed)
{
    const char *indent_src = nd->indent ? nd->indent : "";
    *failed = false;
    for (size_t i = 0; i < r->n_partials; i++) {
        struct partial *p = r->partials[i];
        if (strncmp(p->name, nd->s, nd->len) == 0 && p->name[nd->len] == '\0' &&
            strncmp(p->indent, indent_src, nd->indent_len) == 0 &&
            p->indent[nd->indent_len] == '\0')
            return p->missing ? NULL : &p->t;
    }
    char *name = xstrndup(nd->s, nd->len);
    char *indent = xstrndup(indent_src, nd->indent_len);
    if (r->n_partials == r->partials_cap) {
        r->partials_cap = r->partials_cap ? r->partials_cap * 2 : 8;
        r->partials = xreallocarray(r->partials, r->partials_cap, sizeof *r->partials);
    }
    struct partial *p = xcalloc(1, sizeof *p);
    r->partials[r->n_partials++] = p;
    p->name = name;
    p->indent = indent;
    p->label = xasprintf("partial %s", name);
    char *text = r->load ? r->load(name, r->load_ctx) : NULL;
    if (!text) {
        p->missing = true;
        return NULL;
    }
    p->t.owned = indent_text(text, indent);
    free(text);
    if (!p->t.owned) {
        p->missing = true;
        *failed = true;
        cb_error_set(r->err, CB_EUSAGE, from->label, nd->line, NULL,
                     "partial \"%s\" is larger than %zu bytes once indented", name, FILE_MAX);
        return NULL;
    }
    p->t.text = p->t.owned;
    p->t.label = p->label;
    struct cb_error inner;
    cb_error_clear(&inner);
    if (parse(&p->t, &inner) != CB_OK) {
        p->missing = true;
        *failed = true;
        cb_error_set(r->err, CB_EUSAGE, from->label, nd->line, NULL,
                     "in partial \"%s\", line %ld: %s", name, inner.line, inner.text);
        return NULL;
    }
    return &p->t;
}

static enum cb_status render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to);

static enum cb_status render_section(struct render *r, const struct tmpl *t, size_t i)
{
    const struct node *nd = &t->nodes[i];
    json_t *v = lookup(r, nd->s, nd->len);
    enum cb_status st = CB_OK;
    if (nd->kind == N_INVERTED)
        return truthy(v) ? CB_OK : render_nodes(r, t, i + 1, nd->end);
    if (!truthy(v))
        return CB_OK;
    if (json_is_array(v)) {
        for (size_t k = 0; k < json_array_size(v) && st == CB_OK; k++) {
            push(r, json_array_get(v, k));
            st = render_nodes(r, t, i + 1, nd->end);
            r->depth--;
        }
        return st;
    }
    push(r, v);
    st = render_nodes(r, t, i + 1, nd->end);
    r->depth--;
    return st;
}

static enum cb_status render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
    enum cb_status st = CB_OK;
    for (size_t i = from; i < to && st == CB_OK;) {
        const struct node *nd = &t->nodes[i];
        if (r->out->overflow)
            return cb_error_set(r->err, CB_EUSAGE, t->label, nd->line, NULL,
                                "output larger than the limit of %zu bytes", r->out->limit);
        if (++r->steps > STEPS_MAX)
            return cb_error_set(r->err, CB_EUSAGE, t->label, nd->line, NULL,
                                "rendering takes more than %ld steps (partials that recurse "
                                "over the same data?)",
                                STEPS_MAX);
        switch (nd->kind) {
        case N_TEXT: strbuf_append(r->out, nd->s, nd->len); break;
        case N_VAR:
        case N_RAW: write_value(r->out, lookup(r, nd->s, nd->len), nd->kind == N_VAR); break;
        case N_SECTION:
        case N_INVERTED:
            st = render_section(r, t, i);
            i = nd->end;
            continue;
        case N_PARTIAL: {
            bool failed;
            const struct tmpl *p = get_partial(r, t, nd, &failed);
            if (failed)
                return CB_EUSAGE;
            if (!p)
                break;
            if (r->partial_depth == PARTIAL_DEPTH_MAX)
                return cb_error_set(r->err, CB_EUSAGE, t->label, nd->line, NULL,
                                    "partials nested deeper than %d (at partial \"%.*s\")",
                                    PARTIAL_DEPTH_MAX, (int)nd->len, nd->s);
            r->partial_depth++;
            st = render_nodes(r, p, 0, p->n);
            r->partial_depth--;
            break;
        }
        }
        i++;
    }
    if (st == CB_OK && r->out->overflow)
        return cb_error_set(r->err, CB_EUSAGE, t->label, 0, NULL,
                            "output larger than the limit of %zu bytes", r->out->limit);
    return st;
}

enum cb_status mustache_render(const char *tmpl, const char *name, json_t *data,
                               mustache_partial_fn partials, void *partials_ctx, struct strbuf *out,
                               struct cb_error *err)
{
    struct tmpl t = {.label = name ? name : "template", .text = tmpl};
    struct render r = {.out = out, .load = partials, .load_ctx = partials_ctx, .err = err};
    size_t saved_limit = out->limit;
    if (out->limit == 0)
        out->limit = OUTPUT_MAX_DEFAULT;
    enum cb_status st = parse(&t, err);
    if (st != CB_OK)
        goto cleanup;
    push(&r, data);
    st = render_nodes(&r, &t, 0, t.n);
cleanup:
    out->limit = saved_limit;
    for (size_t i = 0; i < r.n_partials; i++) {
        tmpl_free(&r.partials[i]->t);
        free(r.partials[i]->name);
        free(r.partials[i]->indent);
        free(r.partials[i]->label);
        free(r.partials[i]);
    }
    free(r.partials);
    free(r.stack);
    tmpl_free(&t);
    return st;
}

/* Reads a whole file of at most FILE_MAX bytes. Returns a new NUL-terminated string, or NULL
 * with err filled (CB_EIO; `missing_ok` turns a missing file into NULL with err untouched). */
static char *read_file(const char *path, bool missing_ok, struct cb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (!(missing_ok && errno == ENOENT))
            cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        return NULL;
    }
    struct strbuf b = STRBUF_INIT;
    b.limit = FILE_MAX;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b.overflow)
        strbuf_append(&b, chunk, n);
    char *text = NULL;
    if (ferror(f))
        cb_error_set(err, CB_EIO, path, 0, NULL, "read failed: %s", strerror(errno));
    else if (b.overflow)
        cb_error_set(err, CB_EIO, path, 0, NULL, "larger than %zu bytes", FILE_MAX);
    else if (memchr(strbuf_cstr(&b), '\0', b.len))
        cb_error_set(err, CB_EUSAGE, path, 0, NULL, "holds a NUL byte");
    else
        text = strbuf_detach(&b);
    strbuf_free(&b);
    fclose(f);
    return text;
}

/* Partials for the template command: DIR/NAME.mustache; names that could leave DIR (a slash,
 * a leading dot) and missing files render as nothing, as the spec says of failed lookups. */
static char *file_partial(const char *name, void *ctx)
{
    const char *dir = ctx;
    if (!*name || name[0] == '.' || strchr(name, '/') || strchr(name, '\\'))
        return NULL;
    char *path = xasprintf("%s/%s.mustache", dir, name);
    struct cb_error ignored;
    char *text = read_file(path, true, &ignored);
    free(path);
    return text;
}

enum cb_status mustache_render_file(const char *tmpl_path, const char *data_path,
                                    const char *partials_dir, FILE *out, struct cb_error *err)
{
    char *tmpl = NULL, *data_text = NULL, *dir = NULL;
    json_t *data = NULL;
    struct strbuf b = STRBUF_INIT;
    enum cb_status st = CB_EIO;
    tmpl = read_file(tmpl_path, false, err);
    if (!tmpl)
        goto cleanup;
    data_text = read_file(data_path, false, err);
    if (!data_text)
        goto cleanup;
    json_error_t je;
    data = json_loads(data_text, JSON_DECODE_ANY, &je);
    if (!data) {
        st = cb_error_set(err, CB_EUSAGE, data_path, je.line, NULL, "invalid JSON: %s", je.text);
        goto cleanup;
    }
    if (partials_dir) {
        dir = xstrdup(partials_dir);
    } else {
        const char *slash = strrchr(tmpl_path, '/');
        dir = slash ? xstrndup(tmpl_path, slash == tmpl_path ? 1 : (size_t)(slash - tmpl_path))
                    : xstrdup(".");
    }
    st = mustache_render(tmpl, tmpl_path, data, file_partial, dir, &b, err);
    if (st != CB_OK)
        goto cleanup;
    if ((b.len && fwrite(b.data, 1, b.len, out) != b.len) || fflush(out) != 0 || ferror(out))
        st = cb_error_set(err, CB_EIO, "standard output", 0, NULL, "write failed: %s",
                          strerror(errno));
cleanup:
    strbuf_free(&b);
    json_decref(data);
    free(dir);
    free(data_text);
    free(tmpl);
    return st;
}

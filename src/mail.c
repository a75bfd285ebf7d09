/* chargeback mail: one message per team, built with GMime from the month folder's report.json
 * and the team's documents. Nothing is recomputed here: every figure is a string copied from
 * report.json, so a message says exactly what the signed documents say.
 *
 * Determinism: GMime would pick random MIME boundaries and the caller would normally add the
 * current time; here the boundaries come from a hash of the invoice number, the Date from the
 * month's issue date and the Message-ID from the invoice number, the mode and a hash of the
 * attached PDF, so the same folder gives the same bytes on every run. */
#include "mail.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "archive.h"
#include "msg.h"
#include "outdir.h"
#include "sha256.h"
#include "strbuf.h"
#include "xalloc.h"

/* The largest attachment read (a team's PDF or workbook is well under a megabyte). */
#define MAIL_ATTACHMENT_MAX (64u << 20)

#define XLSX_SUBTYPE "vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* What one message needs from report.json; every string is borrowed from the JSON document. */
struct mail_month {
    const char *month, *mode, *organization, *currency, *issuer, *issue_date, *method, *due;
    bool shadow;
};

struct mail_team {
    size_t index; /* in report.json teams[], for messages */
    const char *team, *name, *slug, *invoice, *total, *contact, *owner, *due;
};

/* A member `key` of object `o` as a string: NULL when absent or null, or when not a string (then
 * *bad is set to key, and the caller reports it). */
static const char *member(json_t *o, const char *key, const char **bad)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = key;
        return NULL;
    }
    return json_string_value(v);
}

/* Reads the month-level fields; CB_EUSAGE naming the field when one is missing or mistyped. */
static enum cb_status read_month(json_t *doc, const char *path, struct mail_month *m,
                                 struct cb_error *err)
{
    const char *bad = NULL;
    json_t *period = json_object_get(doc, "period");
    const char *schema = member(doc, "schema", &bad);
    if (!schema || strcmp(schema, "chargeback-report/1") != 0)
        return cb_error_set(err, CB_EUSAGE, path, 0, "schema",
                            "not a chargeback report (expected \"chargeback-report/1\")");
    m->month = json_is_object(period) ? member(period, "month", &bad) : NULL;
    m->mode = member(doc, "mode", &bad);
    m->organization = member(doc, "organization", &bad);
    m->currency = member(doc, "currency", &bad);
    m->issuer = member(doc, "issuer", &bad);
    m->issue_date = member(doc, "issue_date", &bad);
    m->method = member(doc, "method", &bad);
    m->due = member(doc, "due_date", &bad);
    if (bad)
        return cb_error_set(err, CB_EUSAGE, path, 0, bad, "expected a string");
    const char *missing = !m->month          ? "period.month"
                          : !m->mode         ? "mode"
                          : !m->organization ? "organization"
                          : !m->currency     ? "currency"
                          : !m->issue_date   ? "issue_date"
                                             : NULL;
    if (missing)
        return cb_error_set(err, CB_EUSAGE, path, 0, missing, "missing");
    if (strcmp(m->mode, "billing") != 0 && strcmp(m->mode, "shadow") != 0)
        return cb_error_set(err, CB_EUSAGE, path, 0, "mode",
                            "expected \"billing\" or \"shadow\", got \"%s\"", m->mode);
    m->shadow = strcmp(m->mode, "shadow") == 0;
    return CB_OK;
}

/* True when `s` can name a file in teams/: letters, digits, '.', '-', '_', not starting with '.'
 * (a report.json edited to say "../x" must not attach a file from elsewhere). */
static bool safe_slug(const char *s)
{
    if (!s[0] || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

/* Reads teams[i]; CB_EUSAGE naming "teams[i].field" when a field is missing or mistyped. */
static enum cb_status read_team(json_t *t, size_t i, const char *path, struct mail_team *out,
                                struct cb_error *err)
{
    const char *bad = NULL;
    char field[96];
    memset(out, 0, sizeof *out);
    out->index = i;
    if (!json_is_object(t)) {
        snprintf(field, sizeof field, "teams[%zu]", i);
        return cb_error_set(err, CB_EUSAGE, path, 0, field, "expected an object");
    }
    out->team = member(t, "team", &bad);
    out->name = member(t, "name", &bad);
    out->slug = member(t, "slug", &bad);
    out->invoice = member(t, "invoice_number", &bad);
    out->total = member(t, "total", &bad);
    out->contact = member(t, "contact", &bad);
    out->owner = member(t, "owner", &bad);
    out->due = member(t, "due_date", &bad);
    const char *missing = !out->team      ? "team"
                          : !out->slug    ? "slug"
                          : !out->invoice ? "invoice_number"
                          : !out->total   ? "total"
                                          : NULL;
    if (bad || missing) {
        snprintf(field, sizeof field, "teams[%zu].%s", i, bad ? bad : missing);
        return cb_error_set(err, CB_EUSAGE, path, 0, field, bad ? "expected a string" : "missing");
    }
    if (!safe_slug(out->slug)) {
        snprintf(field, sizeof field, "teams[%zu].slug", i);
        return cb_error_set(err, CB_EUSAGE, path, 0, field, "\"%s\" cannot name a file in teams/",
                            out->slug);
    }
    if (!out->name || !out->name[0])
        out->name = out->team;
    if (out->contact && !out->contact[0])
        out->contact = NULL;
    if (out->owner && !out->owner[0])
        out->owner = NULL;
    return CB_OK;
}

/* Reads a whole file into a new buffer (free it). CB_EIO naming the file. */
static enum cb_status read_file(const char *path, char **data, size_t *len, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    struct strbuf b = STRBUF_INIT;
    b.limit = MAIL_ATTACHMENT_MAX;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&b, chunk, n);
    if (ferror(f))
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "read error: %s", strerror(errno));
    else if (b.overflow)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "larger than %u MiB; not attached",
                          MAIL_ATTACHMENT_MAX >> 20);
    fclose(f);
    if (st != CB_OK) {
        strbuf_free(&b);
        return st;
    }
    *len = b.len;
    *data = b.len ? strbuf_detach(&b) : xstrdup("");
    return CB_OK;
}

/* Parses an address list; NULL when it does not parse or holds no address. Free with
 * g_object_unref. */
static InternetAddressList *parse_addresses(const char *text)
{
    InternetAddressList *l = internet_address_list_parse(NULL, text);
    if (l && internet_address_list_length(l) == 0) {
        g_object_unref(l);
        l = NULL;
    }
    return l;
}

/* The domain of the sender's first mailbox, for Message-IDs ("localhost" when it has none). */
static const char *from_domain(InternetAddressList *from)
{
    InternetAddress *a = internet_address_list_get_address(from, 0);
    const char *addr = INTERNET_ADDRESS_IS_MAILBOX(a)
                           ? internet_address_mailbox_get_addr((InternetAddressMailbox *)a)
                           : NULL;
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : "localhost";
}

/* The sender's address alone, for "Questions: …" in the body. */
static const char *from_addr(InternetAddressList *from)
{
    InternetAddress *a = internet_address_list_get_address(from, 0);
    return INTERNET_ADDRESS_IS_MAILBOX(a)
               ? internet_address_mailbox_get_addr((InternetAddressMailbox *)a)
               : "";
}

/* The first `n` hex digits of SHA-256(data) into hex (n < 65). */
static void short_hash(const void *data, size_t len, char *hex, size_t n)
{
    struct sha256 s;
    char full[65];
    sha256_init(&s, true);
    sha256_update(&s, data, len);
    sha256_final_hex(&s, full);
    memcpy(hex, full, n);
    hex[n] = '\0';
}

/* `s` with every character a Message-ID's dot-atom cannot hold replaced by '-'. New string. */
static char *id_atom(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '-';
    return out;
}

/* The first sentence of the report's method text (up to and including the first ". "), as a
 * new string; the whole text when it is one sentence. */
static char *first_sentence(const char *method)
{
    const char *p = strstr(method, ". ");
    return p ? xstrndup(method, (size_t)(p - method) + 1) : xstrdup(method);
}

static void html_escaped(struct strbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        default: strbuf_putc(b, *s); break;
        }
    }
}

/* The body's paragraphs, written once and rendered as plain text and as HTML. */
struct paragraphs {
    char *v[10];
    size_t n;
};

static void para_add(struct paragraphs *p, char *text)
{
    if (p->n < sizeof p->v / sizeof p->v[0])
        p->v[p->n++] = text;
    else
        free(text);
}

static void para_free(struct paragraphs *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    p->n = 0;
}

static void body_paragraphs(const struct mail_month *m, const struct mail_team *t,
                            const char *questions_to, bool draft, struct paragraphs *p)
{
    para_add(p, xasprintf("Hello %s,", t->owner ? t->owner : t->name));
    if (m->shadow)
        para_add(p, xstrdup("This is a SHADOW month, NOT BILLED: it shows what chargeback would "
                            "mean for your team. Nothing is charged."));
    if (draft) /* a shadow month asks for nothing, so it has nothing not to pay */
        para_add(p, xstrdup(m->shadow ? "DRAFT: this month is not signed off yet, so its figures "
                                        "may still change."
                                      : "DRAFT: this month is not signed off yet, so its figures "
                                        "may still change. Do not pay from this message."));
    para_add(p, xasprintf("Attached is the %s AI usage chargeback of %s for %s: invoice %s, "
                          "%s %s%s.",
                          m->organization, t->name, m->month, t->invoice, t->total, m->currency,
                          m->shadow ? " (what it would be; not billed)" : ""));
    const char *due = t->due ? t->due : m->due;
    if (due && !m->shadow)
        para_add(p, xasprintf("Issued %s, due %s.", m->issue_date, due));
    else
        para_add(p, xasprintf("Issued %s.", m->issue_date));
    if (m->method && m->method[0]) {
        char *s = first_sentence(m->method);
        para_add(p, xasprintf("How it is computed: %s The invoice shows every step.", s));
        free(s);
    }
    para_add(p, xasprintf("Attached: %s.pdf (the invoice) and %s.xlsx (the workbook with "
                          "every line).",
                          t->invoice, t->invoice));
    if (m->issuer && m->issuer[0])
        para_add(p, xasprintf("Questions about this invoice: %s, %s (reply to this message).",
                              m->issuer, questions_to));
    else
        para_add(p, xasprintf("Questions about this invoice: %s (reply to this message).",
                              questions_to));
}

/* A text part holding `body` (UTF-8) with the given subtype, quoted-printable. New object. */
static GMimeObject *text_part(const char *subtype, const char *body)
{
    GMimePart *part = (GMimePart *)g_mime_text_part_new_with_subtype(subtype);
    g_mime_object_set_content_type_parameter((GMimeObject *)part, "charset", "utf-8");
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, w);
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_object_unref(w);
    g_object_unref(s);
    return (GMimeObject *)part;
}

/* An attachment part holding the bytes as given, base64. New object. */
static GMimeObject *attachment(const char *type, const char *subtype, const char *filename,
                               const char *data, size_t len)
{
    GMimePart *part = g_mime_part_new_with_type(type, subtype);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, w);
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    g_mime_part_set_filename(part, filename);
    g_object_unref(w);
    g_object_unref(s);
    return (GMimeObject *)part;
}

/* Everything one message is made of, owned by the caller. */
struct mail_parts {
    InternetAddressList *from, *cc;
    const char *pdf, *xlsx;
    size_t pdf_len, xlsx_len;
};

/* Builds the message of team t into *out (a new string, free it) and its length. Fails only
 * on a contact that is not an address (CB_EUSAGE naming teams[i].contact). */
static enum cb_status build_message(const struct mail_month *m, const struct mail_team *t,
                                    const struct mail_parts *parts, bool draft, char **out,
                                    size_t *out_len, const char *path, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    GMimeMessage *msg = NULL;
    InternetAddressList *to = NULL;
    GDateTime *date = NULL;
    GMimeStream *mem = NULL;
    struct paragraphs p = {0};
    struct strbuf text = STRBUF_INIT, html = STRBUF_INIT;
    char *subject = NULL, *id = NULL, *atom = NULL, *pdf_name = NULL, *xlsx_name = NULL;
    char *bmixed = NULL, *balt = NULL;

    to = parse_addresses(t->contact);
    if (!to) {
        char field[64];
        snprintf(field, sizeof field, "teams[%zu].contact", t->index);
        st = cb_error_set(err, CB_EUSAGE, path, 0, field, "\"%s\" is not an e-mail address",
                          t->contact);
        goto cleanup;
    }
    InternetAddress *first = internet_address_list_get_address(to, 0);
    const char *shown = t->owner ? t->owner : t->name;
    if (internet_address_list_length(to) == 1 && INTERNET_ADDRESS_IS_MAILBOX(first) &&
        (!internet_address_get_name(first) || !internet_address_get_name(first)[0]))
        internet_address_set_name(first, shown);

    msg = g_mime_message_new(TRUE);
    internet_address_list_append(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_FROM),
                                 parts->from);
    internet_address_list_append(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), to);
    if (parts->cc)
        internet_address_list_append(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC),
                                     parts->cc);
    subject = xasprintf("%s%s%s AI usage chargeback %s: invoice %s, %s %s", draft ? "DRAFT: " : "",
                        m->shadow ? "SHADOW \xe2\x80\x94 NOT BILLED: " : "", m->organization,
                        m->month, t->invoice, t->total, m->currency);
    g_mime_message_set_subject(msg, subject, "utf-8");

    int y = 0, mo = 0, d = 0;
    if (sscanf(m->issue_date, "%4d-%2d-%2d", &y, &mo, &d) != 3 ||
        !(date = g_date_time_new_utc(y, mo, d, 0, 0, 0))) {
        st = cb_error_set(err, CB_EUSAGE, path, 0, "issue_date", "expected YYYY-MM-DD, got \"%s\"",
                          m->issue_date);
        goto cleanup;
    }
    g_mime_message_set_date(msg, date);

    char pdf_hash[13], inv_hash[17];
    short_hash(parts->pdf, parts->pdf_len, pdf_hash, 12);
    short_hash(t->invoice, strlen(t->invoice), inv_hash, 16);
    atom = id_atom(t->invoice);
    id = xasprintf("%s.%s%s.%s@%s", atom, m->mode, draft ? ".draft" : "", pdf_hash,
                   from_domain(parts->from));
    g_mime_message_set_message_id(msg, id);
    if (draft)
        g_mime_object_set_header((GMimeObject *)msg, "X-Unsent", "1", NULL);

    body_paragraphs(m, t, from_addr(parts->from), draft, &p);
    strbuf_puts(&html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    for (size_t i = 0; i < p.n; i++) {
        strbuf_printf(&text, "%s%s\n", i ? "\n" : "", p.v[i]);
        strbuf_puts(&html, "<p>");
        html_escaped(&html, p.v[i]);
        strbuf_puts(&html, "</p>\n");
    }
    strbuf_puts(&html, "</body></html>\n");

    /* "=_" cannot occur in quoted-printable or base64 text, so these never collide with a body. */
    bmixed = xasprintf("=_cb-mixed-%s", inv_hash);
    balt = xasprintf("=_cb-alt-%s", inv_hash);
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    g_mime_multipart_set_boundary(alt, balt);
    GMimeObject *o = text_part("plain", strbuf_cstr(&text));
    g_mime_multipart_add(alt, o);
    g_object_unref(o);
    o = text_part("html", strbuf_cstr(&html));
    g_mime_multipart_add(alt, o);
    g_object_unref(o);

    GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
    g_mime_multipart_set_boundary(mixed, bmixed);
    g_mime_multipart_add(mixed, (GMimeObject *)alt);
    g_object_unref(alt);
    pdf_name = xasprintf("%s.pdf", t->invoice);
    o = attachment("application", "pdf", pdf_name, parts->pdf, parts->pdf_len);
    g_mime_multipart_add(mixed, o);
    g_object_unref(o);
    xlsx_name = xasprintf("%s.xlsx", t->invoice);
    o = attachment("application", XLSX_SUBTYPE, xlsx_name, parts->xlsx, parts->xlsx_len);
    g_mime_multipart_add(mixed, o);
    g_object_unref(o);
    g_mime_message_set_mime_part(msg, (GMimeObject *)mixed);
    g_object_unref(mixed);

    mem = g_mime_stream_mem_new();
    g_mime_object_write_to_stream((GMimeObject *)msg, NULL, mem);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *out = xstrndup((const char *)ba->data, ba->len);
    *out_len = ba->len;

cleanup:
    if (mem)
        g_object_unref(mem);
    if (date)
        g_date_time_unref(date);
    if (msg)
        g_object_unref(msg);
    if (to)
        g_object_unref(to);
    para_free(&p);
    strbuf_free(&html);
    strbuf_free(&text);
    free(balt);
    free(bmixed);
    free(xlsx_name);
    free(pdf_name);
    free(id);
    free(atom);
    free(subject);
    return st;
}

/* `path` made absolute with symbolic links resolved as far as it exists; the part that does not
 * exist yet is appended with "." and ".." applied. New string, or NULL when the working folder
 * cannot be read. */
static char *resolve(const char *path)
{
    char *abs = NULL, *result = NULL;
    if (path[0] == '/') {
        abs = xstrdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        abs = xasprintf("%s/%s", cwd, path);
        free(cwd);
    }
    /* The longest prefix (cut at a '/') that exists. */
    size_t cut = strlen(abs);
    char *real = NULL;
    for (;;) {
        char saved = abs[cut];
        abs[cut] = '\0';
        real = realpath(cut ? abs : "/", NULL);
        abs[cut] = saved;
        if (real || cut == 0)
            break;
        while (cut > 0 && abs[cut - 1] != '/')
            cut--;
        while (cut > 0 && abs[cut - 1] == '/')
            cut--;
    }
    if (!real) {
        free(abs);
        return NULL;
    }
    struct strbuf b = STRBUF_INIT;
    strbuf_puts(&b, strcmp(real, "/") == 0 ? "" : real);
    free(real);
    for (char *p = abs + cut; *p;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (b.len > 0 && b.data[b.len - 1] != '/')
                b.len--;
            if (b.len > 0)
                b.len--;
        } else if (!(n == 1 && p[0] == '.')) {
            strbuf_putc(&b, '/');
            strbuf_append(&b, p, n);
        }
        p += n;
    }
    if (b.len == 0)
        strbuf_putc(&b, '/');
    result = xstrdup(strbuf_cstr(&b));
    strbuf_free(&b);
    free(abs);
    return result;
}

/* True when `inner` is `outer` or lies under it (both resolved). */
static bool is_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    if (strcmp(outer, "/") == 0)
        return true;
    return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* Refuses an output folder inside the month, one that holds the month, and an existing folder
 * holding anything but .eml files: mail replaces its output folder whole, and must not take
 * anything else with it. */
static enum cb_status check_out(const char *dir, const char *out, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *rdir = realpath(dir, NULL), *rout = resolve(out);
    DIR *d = NULL;
    if (!rdir || !rout) {
        st = cb_error_set(err, CB_EIO, rdir ? out : dir, 0, NULL, "cannot resolve: %s",
                          strerror(errno));
        goto cleanup;
    }
    if (is_within(rout, rdir)) {
        st = cb_error_set(err, CB_EUSAGE, out, 0, "--out",
                          "is inside the month folder %s; messages are never written into it", dir);
        goto cleanup;
    }
    if (is_within(rdir, rout)) {
        st = cb_error_set(err, CB_EUSAGE, out, 0, "--out",
                          "holds the month folder %s; it would be replaced", dir);
        goto cleanup;
    }
    struct stat sb;
    if (lstat(out, &sb) != 0)
        goto cleanup; /* a new folder */
    if (!S_ISDIR(sb.st_mode)) {
        st = cb_error_set(err, CB_EUSAGE, out, 0, "--out", "exists and is not a folder");
        goto cleanup;
    }
    d = opendir(out);
    if (!d) {
        st = cb_error_set(err, CB_EIO, out, 0, NULL, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".eml") != 0) {
            st = cb_error_set(err, CB_EUSAGE, out, 0, "--out",
                              "holds \"%s\", which chargeback mail did not write; the folder "
                              "is replaced whole, so give another --out",
                              e->d_name);
            goto cleanup;
        }
    }
cleanup:
    if (d)
        closedir(d);
    free(rout);
    free(rdir);
    return st;
}

/* Writes `len` bytes to a new file at path. CB_EIO naming it. */
static enum cb_status write_file(const char *path, const char *data, size_t len,
                                 struct cb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? CB_OK
              : cb_error_set(err, CB_EIO, path, 0, NULL, "write error: %s", strerror(errno));
}

/* The path of the first executable "sendmail" on PATH, as a new string; NULL when none. */
static char *find_sendmail(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *p = path;;) {
        size_t n = strcspn(p, ":");
        char *cand = n ? xasprintf("%.*s/sendmail", (int)n, p) : xstrdup("./sendmail");
        if (access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (!p[n])
            return NULL;
        p += n + 1;
    }
}

/* Pipes one message to `sendmail -t -i` and waits for it. CB_EIO when it cannot be started or
 * exits other than 0, naming the team. */
static enum cb_status send_one(const char *sendmail, const char *team, const char *data, size_t len,
                               struct cb_error *err)
{
    int fds[2];
    if (pipe(fds) != 0)
        return cb_error_set(err, CB_EIO, sendmail, 0, NULL, "cannot make a pipe: %s",
                            strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return cb_error_set(err, CB_EIO, sendmail, 0, NULL, "cannot start: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(sendmail, "sendmail", "-t", "-i", (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    /* A sendmail that stops reading must give an error here, not kill the run. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    size_t done = 0;
    int werr = 0;
    while (done < len) {
        ssize_t w = write(fds[1], data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            werr = errno;
            break;
        }
        done += (size_t)w;
    }
    close(fds[1]);
    signal(SIGPIPE, old);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !werr)
        return CB_OK;
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return cb_error_set(err, CB_EIO, sendmail, 0, NULL,
                            "exited with status %d on the message of team \"%s\"",
                            WEXITSTATUS(status), team);
    if (WIFSIGNALED(status))
        return cb_error_set(err, CB_EIO, sendmail, 0, NULL,
                            "killed by signal %d on the message of team \"%s\"", WTERMSIG(status),
                            team);
    return cb_error_set(err, CB_EIO, sendmail, 0, NULL,
                        "stopped reading the message of team \"%s\": %s", team, strerror(werr));
}

/* One built message, kept for --send after the folder is in place. */
struct built {
    const char *team;
    char *data;
    size_t len;
};

enum cb_status mail_month(const struct mail_opts *o, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    json_t *doc = NULL;
    InternetAddressList *from = NULL, *cc = NULL;
    char *report_path = xasprintf("%s/report.json", o->dir);
    char *out = NULL, *tmp = NULL, *sendmail = NULL;
    struct built *msgs = NULL;
    size_t n_msgs = 0, skipped = 0;
    struct mail_month m = {0};

    g_mime_init();
    from = parse_addresses(o->from);
    if (!from || internet_address_list_length(from) != 1 ||
        !INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(from, 0))) {
        st = cb_error_set(err, CB_EUSAGE, NULL, 0, "--from", "\"%s\" is not one e-mail address",
                          o->from);
        goto cleanup;
    }
    if (o->cc && !(cc = parse_addresses(o->cc))) {
        st =
            cb_error_set(err, CB_EUSAGE, NULL, 0, "--cc", "\"%s\" is not an e-mail address", o->cc);
        goto cleanup;
    }
    json_error_t jerr;
    doc = json_load_file(report_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        struct stat sb;
        if (stat(report_path, &sb) != 0)
            st = cb_error_set(err, CB_EUSAGE, o->dir, 0, NULL,
                              "not a rendered month folder (no report.json): %s", strerror(errno));
        else
            st = cb_error_set(err, CB_EUSAGE, report_path, jerr.line, NULL, "%s", jerr.text);
        goto cleanup;
    }
    st = read_month(doc, report_path, &m, err);
    if (st != CB_OK)
        goto cleanup;
    if (!m.shadow && !o->draft) {
        if (!archive_is_signed(o->dir)) {
            st = cb_error_set(err, CB_EUSAGE, o->dir, 0, NULL,
                              "a billing month is mailed once it is signed: run chargeback sign "
                              "%s --by NAME first, or give --draft to write drafts",
                              o->dir);
            goto cleanup;
        }
        st = archive_check(o->dir, err);
        if (st != CB_OK)
            goto cleanup;
    }
    bool draft = o->draft && !m.shadow;
    if (o->draft && m.shadow)
        msg_warn("%s is a shadow month: its messages are not drafts (--draft ignored)", o->dir);

    if (o->out) {
        out = xstrdup(o->out);
    } else {
        size_t n = strlen(o->dir);
        while (n > 1 && o->dir[n - 1] == '/')
            n--;
        out = xasprintf("%.*s-mail", (int)n, o->dir);
    }
    st = check_out(o->dir, out, err);
    if (st != CB_OK)
        goto cleanup;
    if (o->send && !(sendmail = find_sendmail())) {
        st = cb_error_set(err, CB_EIO, NULL, 0, "--send",
                          "no sendmail on PATH; the messages were not written");
        goto cleanup;
    }

    json_t *teams = json_object_get(doc, "teams");
    if (!json_is_array(teams)) {
        st = cb_error_set(err, CB_EUSAGE, report_path, 0, "teams", "expected an array");
        goto cleanup;
    }
    st = outdir_begin(out, &tmp, err);
    if (st != CB_OK)
        goto cleanup;
    {
        char *teams_dir = xasprintf("%s/teams", tmp); /* a month's layout; messages need none */
        rmdir(teams_dir);
        free(teams_dir);
    }
    msgs = xcalloc(json_array_size(teams) + 1, sizeof *msgs);
    for (size_t i = 0; i < json_array_size(teams); i++) {
        struct mail_team t;
        st = read_team(json_array_get(teams, i), i, report_path, &t, err);
        if (st != CB_OK)
            goto cleanup;
        if (!t.contact) {
            msg_warn("team \"%s\" has no contact in the configuration: no message", t.team);
            skipped++;
            continue;
        }
        char *pdf = NULL, *xlsx = NULL, *msg_path = NULL;
        char *pdf_path = xasprintf("%s/teams/%s.pdf", o->dir, t.slug);
        char *xlsx_path = xasprintf("%s/teams/%s.xlsx", o->dir, t.slug);
        struct mail_parts parts = {.from = from, .cc = cc};
        st = read_file(pdf_path, &pdf, &parts.pdf_len, err);
        if (st == CB_OK)
            st = read_file(xlsx_path, &xlsx, &parts.xlsx_len, err);
        if (st == CB_OK) {
            parts.pdf = pdf;
            parts.xlsx = xlsx;
            st = build_message(&m, &t, &parts, draft, &msgs[n_msgs].data, &msgs[n_msgs].len,
                               report_path, err);
        }
        if (st == CB_OK) {
            msgs[n_msgs].team = t.team;
            msg_path = xasprintf("%s/%s.eml", tmp, t.slug);
            st = write_file(msg_path, msgs[n_msgs].data, msgs[n_msgs].len, err);
            n_msgs++;
        }
        free(msg_path);
        free(xlsx_path);
        free(pdf_path);
        free(xlsx);
        free(pdf);
        if (st != CB_OK)
            goto cleanup;
    }
    st = outdir_commit(tmp, out, err);
    if (st != CB_OK)
        goto cleanup;
    free(tmp);
    tmp = NULL;
    if (!o->quiet)
        msg_info("%zu message%s%s written to %s%s", n_msgs, n_msgs == 1 ? "" : "s",
                 draft ? " (drafts)" : "", out,
                 skipped ? " (teams without a contact have none)" : "");
    for (size_t i = 0; sendmail && i < n_msgs; i++) {
        st = send_one(sendmail, msgs[i].team, msgs[i].data, msgs[i].len, err);
        if (st != CB_OK) {
            if (i > 0)
                msg_warn("%zu of %zu messages were sent before this failure", i, n_msgs);
            goto cleanup;
        }
        if (!o->quiet)
            msg_info("sent: %s", msgs[i].team);
    }

cleanup:
    outdir_abort(tmp);
    for (size_t i = 0; msgs && i < n_msgs; i++)
        free(msgs[i].data);
    free(msgs);
    free(sendmail);
    free(tmp);
    free(out);
    if (cc)
        g_object_unref(cc);
    if (from)
        g_object_unref(from);
    json_decref(doc);
    free(report_path);
    g_mime_shutdown();
    return st;
}

/* XLSX workbooks with libxlsxwriter: teams/<slug>.xlsx (one invoice) and summary.xlsx.
 *
 * Finance re-checks these numbers, so a workbook is data: amounts are numbers with currency
 * formats, every invoice line's amount is the formula =ROUND(quantity*unit_price/per,2) and every
 * total a =SUM(...), each written with its cached result (the report's integer cents) so viewers
 * that do not recalculate show the right figures. Text from the data goes through
 * worksheet_write_string, which stores a string cell: a team called "=cmd()" stays text.
 *
 * Cell values in OOXML are IEEE doubles; cents become one only at the cell, as the double
 * nearest to the decimal (cents / 100.0). libxlsxwriter 1.1.4 prints it with %.16G, so 98.43 may
 * appear as "98.43000000000001" in the XML: text that parses back to that same double, which is
 * what Excel, LibreOffice and openpyxl read and show. Sheet names are fixed words, so they are
 * valid (31 characters, none of []:*?/\, unique) whatever the team names.
 *
 * Determinism: the `created` document property is the report's issue date (from the period or
 * SOURCE_DATE_EPOCH), and libxlsxwriter 1.1.4 stamps every zip entry 1980-01-01 00:00, so the
 * same report gives the same bytes. */
#define _GNU_SOURCE /* fopencookie: libxlsxwriter's temporary files in memory (lxw_tmpfile) */
#include "render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "compare.h"
#include "date.h"
#include "explain.h"
#include "glossary.h"
#include "budgets.h"
#include "money.h"
#include "paths.h"
#include "strbuf.h"
#include "text.h"
#include "utf8.h"
#include "xalloc.h"

/* ---- libxlsxwriter's temporary files, in memory ------------------------------------------------
 * libxlsxwriter 1.1.4 writes each XML part of a workbook (21 for a team's invoice) to a temporary
 * file from lxw_tmpfile, reads it back into the zip and closes it: 21,000 files made and deleted
 * in /tmp for 1,000 teams. Its calls to lxw_tmpfile go through the dynamic symbol table, so this
 * definition is the one they reach (as for gmtime in render.c): a stream over a growing buffer
 * (fopencookie), which does all libxlsxwriter asks of the file (write, flush, rewind, read, seek,
 * close). A part that passes MEMPART_SPILL bytes (a summary sheet of a very large month) moves
 * to a real temporary file, so memory stays bounded. The same bytes go into the zip either way.
 * The 1,000-team bench month, --formats xlsx written to tmpfs, 5 alternating pairs: 2.89 -> 2.37 s
 * wall, 1.2 -> 0.3 s of system time (medians), every workbook byte-identical. */
#define MEMPART_SPILL ((size_t)64 << 20)

struct mempart {
    char *data;
    size_t len, cap, pos;
    FILE *spill; /* once the part is on disk */
};

static ssize_t mempart_read(void *cookie, char *buf, size_t n)
{
    struct mempart *m = cookie;
    if (m->spill) {
        size_t k = fread(buf, 1, n, m->spill);
        return ferror(m->spill) ? -1 : (ssize_t)k;
    }
    size_t k = m->pos < m->len ? m->len - m->pos : 0;
    if (k > n)
        k = n;
    if (k)
        memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (ssize_t)k;
}

/* Moves the part to a temporary file, positioned where the buffer was. */
static bool mempart_spill(struct mempart *m)
{
    FILE *f = tmpfile();
    if (!f)
        return false;
    if ((m->len && fwrite(m->data, 1, m->len, f) != m->len) ||
        fseeko(f, (off_t)m->pos, SEEK_SET) != 0) {
        fclose(f);
        return false;
    }
    free(m->data);
    m->data = NULL;
    m->len = m->cap = 0;
    m->spill = f;
    return true;
}

static ssize_t mempart_write(void *cookie, const char *buf, size_t n)
{
    struct mempart *m = cookie;
    if (!m->spill && m->pos + n > MEMPART_SPILL && !mempart_spill(m))
        return -1;
    if (m->spill)
        return fwrite(buf, 1, n, m->spill) == n ? (ssize_t)n : -1;
    if (m->pos + n > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 65536;
        while (cap < m->pos + n)
            cap *= 2;
        m->data = xrealloc(m->data, cap);
        m->cap = cap;
    }
    if (m->pos > m->len) /* written past the end after a seek: the gap reads as zeros */
        memset(m->data + m->len, 0, m->pos - m->len);
    memcpy(m->data + m->pos, buf, n);
    m->pos += n;
    if (m->pos > m->len)
        m->len = m->pos;
    return (ssize_t)n;
}

static int mempart_seek(void *cookie, off64_t *off, int whence)
{
    struct mempart *m = cookie;
    if (m->spill) {
        if (fseeko(m->spill, (off_t)*off, whence) != 0)
            return -1;
        *off = ftello(m->spill);
        return 0;
    }
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos : (off64_t)m->len;
    off64_t to = base + *off;
    if (to < 0)
        return -1;
    m->pos = (size_t)to;
    *off = to;
    return 0;
}

static int mempart_close(void *cookie)
{
    struct mempart *m = cookie;
    int rc = m->spill ? fclose(m->spill) : 0;
    free(m->data);
    free(m);
    return rc;
}

FILE *lxw_tmpfile(char *tmpdir)
{
    (void)tmpdir;
    struct mempart *m = xcalloc(1, sizeof *m);
    cookie_io_functions_t io = {
        .read = mempart_read, .write = mempart_write, .seek = mempart_seek, .close = mempart_close};
    FILE *f = fopencookie(m, "w+", io);
    if (!f) {
        free(m);
        return tmpfile();
    }
    return f;
}

#define SHADOW_MARK "SHADOW \xE2\x80\x94 NOT BILLED"
#define MAX_COLS    16
/* A first table that ends above this row (0-based) prints whole on the first page (a landscape
 * page holds about 32 rows at full size, more when fitted to width), so its header is not
 * repeated: repeated, it printed above the sheet's other blocks on the next page (an invoice's
 * line-item heading over its "For reference" figures). */
#define REPEAT_PAST_ROW 28
#define WIDTH_CAP       40.0 /* characters: wider text wraps in its cell, never spills or is cut */
/* a longer column heading wraps (at 15, a sheet of ten counts printed at 65 %) */
#define HEAD_CAP   11.0
#define PARA_WIDTH 90.0  /* a merged paragraph spans columns at least this wide */
#define LINE_PT    15.0  /* the height of one line of 11 pt text */
#define ROW_MAX_PT 409.0 /* Excel's tallest row */
#define MAX_CELL   32767 /* Excel's limit on the characters in one cell */

struct fmts {
    lxw_format *title, *title_shadow, *head, *head_num, *label, *money, *money_bold, *price, *count,
        *count_bold, *pct, *pct_bold, *date, *wrap, *wrap_cell, *section, *tokens, *units;
};

struct book {
    const struct report *r;
    const struct report_team *t; /* the team of an invoice workbook, NULL for the summary */
    lxw_workbook *wb;
    struct fmts f;
    lxw_error error; /* the first error of any call, LXW_NO_ERROR while none */
    char where[128]; /* the sheet and cell of that error */
};

/* Wrapped text laid out when the sheet closes, once the column widths are final: one cell
 * (c0 == c1, already written) or a range merged from c0 to at least c1 (written then). */
struct para {
    lxw_row_t row;
    lxw_col_t c0, c1;
    bool merge;
    char *text; /* owned */
};

struct sheet {
    struct book *b;
    lxw_worksheet *ws;
    const char *name;
    double width[MAX_COLS];
    double cap[MAX_COLS]; /* a narrower cap than WIDTH_CAP for one column; 0 for none */
    lxw_row_t max_row;    /* the used range, for the print area */
    lxw_col_t max_col;
    lxw_row_t repeat; /* the header row repeated on every printed page */
    bool has_repeat;
    lxw_row_t repeat_end; /* the last row of that header's table (rows without a gap) */
    bool repeat_closed;   /* a gap after it was written: the table has ended */
    struct para *paras;
    size_t n_paras, cap_paras;
    lxw_chart *chart; /* inserted when the sheet closes: below the used range, or at chart_row */
    double chart_rows;
    bool chart_beside; /* at chart_row, chart_col, as wide as the columns after it */
    lxw_row_t chart_row;
    lxw_col_t chart_col;
};

/* ---- cells ---- */

static void note(struct sheet *s, lxw_error e, lxw_row_t row, lxw_col_t col)
{
    if (row > s->max_row)
        s->max_row = row;
    if (s->has_repeat && !s->repeat_closed && row > s->repeat_end) {
        if (row == s->repeat_end + 1)
            s->repeat_end = row;
        else
            s->repeat_closed = true; /* blocks are separated by an empty row */
    }
    if (col > s->max_col && col < MAX_COLS)
        s->max_col = col;
    if (e == LXW_NO_ERROR || s->b->error != LXW_NO_ERROR)
        return;
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(cell, row, col);
    s->b->error = e;
    snprintf(s->b->where, sizeof s->b->where, "sheet %s, cell %s", s->name, cell);
}

static size_t utf8_chars(const char *p)
{
    size_t n = 0;
    for (; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            n++;
    return n;
}

static void fit(struct sheet *s, lxw_col_t col, size_t chars, double cap)
{
    if (col >= MAX_COLS)
        return;
    double w = (double)chars + 2;
    if (w > cap)
        w = cap;
    if (w > s->width[col])
        s->width[col] = w;
}

/* Returns a new copy of text with each character XML 1.0 forbids (the C0 controls other than
 * tab, LF and CR; U+FFFE and U+FFFF) replaced by U+FFFD, or NULL when text has none; free with
 * free().
 * libxlsxwriter escapes these in shared strings but writes them raw into chart caches and the
 * document properties, where one \x01 in a team name makes the whole workbook unreadable. */
static char *xml_safe(const char *text)
{
    return utf8_xml_safe(text, strlen(text), NULL);
}

/* Records wrapped text for sheet_close (struct para); copies text. */
static void para_add(struct sheet *s, lxw_row_t row, lxw_col_t c0, lxw_col_t c1, bool merge,
                     const char *text)
{
    if (s->n_paras == s->cap_paras) {
        s->cap_paras = s->cap_paras ? 2 * s->cap_paras : 16;
        s->paras = xrealloc(s->paras, s->cap_paras * sizeof *s->paras);
    }
    s->paras[s->n_paras++] = (struct para){row, c0, c1, merge, xstrdup(text)};
    if (row > s->max_row)
        s->max_row = row;
}

/* Text across columns c0..c1 or wider (at least PARA_WIDTH characters), merged and wrapped in
 * one row as tall as its lines; laid out by sheet_close. Nothing for NULL or "". */
static void put_paragraph(struct sheet *s, lxw_row_t row, lxw_col_t c0, lxw_col_t c1,
                          const char *text)
{
    if (!text || !*text)
        return;
    char *safe = xml_safe(text);
    para_add(s, row, c0, c1, true, safe ? safe : text);
    free(safe);
}

/* Writes text as a string cell (never a formula), cut at Excel's cell limit on a character
 * boundary, with XML-forbidden controls shown as U+FFFD (xml_safe). NULL is written as
 * nothing. */
static void put_text(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *text,
                     lxw_format *fmt)
{
    if (!text || !*text)
        return;
    char *cut = xml_safe(text);
    if (cut)
        text = cut;
    size_t len = strlen(text);
    if (len > MAX_CELL) {
        size_t n = MAX_CELL;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
        char *shorter = xstrndup(text, n);
        free(cut);
        cut = shorter;
        text = cut;
    }
    /* the longest line decides the width; longer text than a column may be wide wraps */
    size_t longest = 0;
    for (const char *p = text; *p;) {
        size_t k = strcspn(p, "\n");
        char *part = xstrndup(p, k);
        size_t n = utf8_chars(part);
        free(part);
        if (n > longest)
            longest = n;
        p += k;
        if (*p)
            p++;
    }
    const struct fmts *f = &s->b->f;
    bool head = fmt == f->head || fmt == f->head_num;
    double cap = head ? HEAD_CAP : WIDTH_CAP;
    if (col < MAX_COLS && s->cap[col] > 0 && s->cap[col] < cap)
        cap = s->cap[col];
    bool wrap = fmt == f->wrap || ((!fmt || head) && (double)longest + 2 > cap);
    if (wrap && !head)
        fmt = f->wrap_cell;
    note(s, worksheet_write_string(s->ws, row, col, text, fmt), row, col);
    fit(s, col, longest, cap);
    if (wrap)
        para_add(s, row, col, col, false, text);
    free(cut);
}

static void put_money(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t cents, lxw_format *fmt)
{
    char buf[64];
    money_format_grouped(cents, buf, sizeof buf);
    note(s, worksheet_write_number(s->ws, row, col, (double)cents / 100.0, fmt), row, col);
    fit(s, col, strlen(buf) + 4, WIDTH_CAP); /* and " USD" */
}

static void put_count(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t n, lxw_format *fmt)
{
    char buf[64];
    money_format_count(n, buf, sizeof buf);
    note(s, worksheet_write_number(s->ws, row, col, (double)n, fmt), row, col);
    fit(s, col, strlen(buf) + (fmt == s->b->f.tokens ? 7 : 0), WIDTH_CAP);
}

/* A rate scaled 10^4 (9430 = 94.30 %) as a percentage cell. */
static void put_pct(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t e4, lxw_format *fmt)
{
    note(s, worksheet_write_number(s->ws, row, col, (double)e4 / 10000.0, fmt), row, col);
    fit(s, col, 9, WIDTH_CAP);
}

/* Micro-USD (a unit price, a cost per unit) with up to six decimals. */
static void put_micros(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t micros)
{
    char buf[64];
    money_format_fixed(micros, 6, 6, buf, sizeof buf);
    note(s, worksheet_write_number(s->ws, row, col, (double)micros / 1e6, s->b->f.price), row, col);
    fit(s, col, strlen(buf) + 1, WIDTH_CAP);
}

/* A value scaled 10^6 (units of a value metric): whole numbers without decimals. */
static void put_e6(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t e6)
{
    if (e6 % 1000000 == 0) {
        put_count(s, row, col, e6 / 1000000, s->b->f.count);
        return;
    }
    char buf[64];
    money_format_fixed(e6, 6, 6, buf, sizeof buf);
    note(s, worksheet_write_number(s->ws, row, col, (double)e6 / 1e6, s->b->f.units), row, col);
    fit(s, col, strlen(buf) + 1, WIDTH_CAP);
}

/* "YYYY-MM-DD" as a date cell; anything else stays text. */
static void put_date(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *ymd)
{
    int64_t y, m, d;
    char part[5];
    bool ok =
        strlen(ymd) == 10 && ymd[4] == '-' && ymd[7] == '-' && strspn(ymd, "0123456789-") == 10;
    if (ok) {
        memcpy(part, ymd, 4);
        part[4] = '\0';
        ok = money_parse(part, 0, &y);
        memcpy(part, ymd + 5, 2);
        part[2] = '\0';
        ok = ok && money_parse(part, 0, &m);
        memcpy(part, ymd + 8, 2);
        ok = ok && money_parse(part, 0, &d);
        ok = ok && y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    }
    if (!ok) {
        put_text(s, row, col, ymd, NULL);
        return;
    }
    lxw_datetime dt = {(int)y, (int)m, (int)d, 0, 0, 0};
    note(s, worksheet_write_datetime(s->ws, row, col, &dt, s->b->f.date), row, col);
    fit(s, col, 10, WIDTH_CAP);
}

/* A formula with its cached result in cents. */
static void put_formula_cents(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *formula,
                              int64_t cents, lxw_format *fmt)
{
    char buf[64];
    money_format_grouped(cents, buf, sizeof buf);
    note(s, worksheet_write_formula_num(s->ws, row, col, formula, fmt, (double)cents / 100.0), row,
         col);
    fit(s, col, strlen(buf) + 4, WIDTH_CAP);
}

/* A formula with a cached integer (a count) or rate (scaled by `scale`). */
static void put_formula_scaled(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *formula,
                               int64_t v, double scale, lxw_format *fmt)
{
    char buf[64];
    money_format_count(v, buf, sizeof buf);
    note(s, worksheet_write_formula_num(s->ws, row, col, formula, fmt, (double)v / scale), row,
         col);
    fit(s, col, strlen(buf), WIDTH_CAP);
}

/* "=SUM(X5:X9)" over one column. */
static char *sum_formula(lxw_col_t col, lxw_row_t first, lxw_row_t last)
{
    char a[LXW_MAX_CELL_NAME_LENGTH], b[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(a, first, col);
    lxw_rowcol_to_cell(b, last, col);
    return xasprintf("=SUM(%s:%s)", a, b);
}

/* A SUM total of cents over rows first..last (inclusive; none when last < first). */
static void put_sum_cents(struct sheet *s, lxw_row_t row, lxw_col_t col, lxw_row_t first,
                          lxw_row_t last, int64_t cached, lxw_format *fmt)
{
    if (last < first || last == (lxw_row_t)-1) {
        put_money(s, row, col, cached, fmt);
        return;
    }
    char *f = sum_formula(col, first, last);
    put_formula_cents(s, row, col, f, cached, fmt);
    free(f);
}

static void put_sum_scaled(struct sheet *s, lxw_row_t row, lxw_col_t col, lxw_row_t first,
                           lxw_row_t last, int64_t cached, double scale, lxw_format *fmt)
{
    if (last < first || last == (lxw_row_t)-1) {
        note(s, worksheet_write_number(s->ws, row, col, (double)cached / scale, fmt), row, col);
        return;
    }
    char *f = sum_formula(col, first, last);
    put_formula_scaled(s, row, col, f, cached, scale, fmt);
    free(f);
}

/* ---- sheets ---- */

/* Adds a sheet with the shadow header (in shadow mode), page setup and the title in A1.
 * Returns false (with the book's error set) when libxlsxwriter refuses the sheet. */
static bool sheet_open(struct book *b, struct sheet *s, const char *name, const char *title)
{
    memset(s, 0, sizeof *s);
    s->b = b;
    s->name = name;
    s->ws = workbook_add_worksheet(b->wb, name);
    if (!s->ws) {
        if (b->error == LXW_NO_ERROR) {
            b->error = LXW_ERROR_MEMORY_MALLOC_FAILED;
            snprintf(b->where, sizeof b->where, "sheet %s", name);
        }
        return false;
    }
    const struct report *r = b->r;
    /* the page header names the document (whole, or not at all: the sheet shows it too) */
    struct strbuf h = STRBUF_INIT;
    char *what = b->t ? xasprintf("Invoice %s \xC2\xB7 %s", b->t->invoice_number, b->t->name)
                      : xasprintf("Chargeback summary %s \xC2\xB7 %s", r->month, r->organization);
    char *safe_what = xml_safe(what);
    strbuf_puts(&h, "&L");
    for (const char *p = safe_what ? safe_what : what; *p; p++)
        if (*p == '&')
            strbuf_puts(&h, "&&");
        else
            strbuf_putc(&h, *p);
    free(safe_what);
    free(what);
    if (strlen(strbuf_cstr(&h)) > 200)
        strbuf_reset(&h);
    /* the mark on the right: a long document name on the left would run into a centred one */
    strbuf_puts(&h, "&R");
    if (r->shadow)
        strbuf_puts(&h, "&\"-,Bold\"" SHADOW_MARK " \xC2\xB7 ");
    strbuf_puts(&h, "&A");
    note(s, worksheet_set_header(s->ws, strbuf_cstr(&h)), 0, 0);
    strbuf_free(&h);
    note(s, worksheet_set_footer(s->ws, "&L&A&RPage &P of &N"), 0, 0);
    worksheet_set_landscape(s->ws);
    worksheet_fit_to_pages(s->ws, 1, 0);
    worksheet_set_paper(s->ws, r->paper && strcmp(r->paper, "Letter") == 0 ? 1 : 9);
    worksheet_set_margins(s->ws, 0.5, 0.5, 0.75, 0.75);
    worksheet_center_horizontally(s->ws);
    char *t = r->shadow ? xasprintf("%s \xC2\xB7 %s", SHADOW_MARK, title) : xstrdup(title);
    char *safe = xml_safe(t);
    if (safe) {
        free(t);
        t = safe;
    }
    note(s, worksheet_write_string(s->ws, 0, 0, t, r->shadow ? b->f.title_shadow : b->f.title), 0,
         0);
    free(t);
    return true;
}

/* The width of column c as set (an unset column keeps Excel's default, 8.43). */
static double col_width(const struct sheet *s, lxw_col_t c)
{
    if (c >= MAX_COLS || s->width[c] <= 0)
        return 8.43;
    return s->width[c] < 8 ? 8 : s->width[c];
}

/* Lines text needs at `chars` characters a line: each of its lines broken at spaces. */
static size_t text_lines(const char *text, size_t chars)
{
    size_t lines = 0;
    for (const char *p = text;;) {
        size_t k = strcspn(p, "\n");
        char *part = xstrndup(p, k);
        size_t n = utf8_chars(part);
        free(part);
        /* a word that does not fit moves whole to the next line: allow for that with 5 % */
        size_t per = chars > 10 ? chars - chars / 20 : 1;
        lines += n ? (n + per - 1) / per : 1;
        p += k;
        if (!*p)
            break;
        p++;
    }
    return lines;
}

/* Sets the final column widths, lays out the wrapped text (struct para) at those widths, puts
 * the chart below the used range within the printed width, and sets the print area and the
 * repeated header row. Frees the sheet's own memory. */
static void sheet_close(struct sheet *s)
{
    if (!s->ws)
        return;
    for (lxw_col_t c = 0; c < MAX_COLS; c++)
        if (s->width[c] > 0)
            note(s, worksheet_set_column(s->ws, c, c, col_width(s, c), NULL), 0, c);
    double last_h = 0;
    for (size_t i = 0; i < s->n_paras; i++) {
        struct para *p = &s->paras[i];
        lxw_col_t c1 = p->c1;
        double w = 0;
        for (lxw_col_t c = p->c0; c <= c1; c++)
            w += col_width(s, c);
        while (p->merge && (w < PARA_WIDTH || c1 < s->max_col) && c1 + 1 < MAX_COLS)
            w += col_width(s, ++c1);
        double h = LINE_PT * (double)text_lines(p->text, (size_t)w) + 3;
        if (h > ROW_MAX_PT)
            h = ROW_MAX_PT;
        if (i > 0 && s->paras[i - 1].row == p->row && last_h > h)
            h = last_h;
        last_h = h;
        if (h > LINE_PT + 3 || p->merge)
            note(s, worksheet_set_row(s->ws, p->row, h, NULL), p->row, p->c0);
        if (p->merge)
            note(s, worksheet_merge_range(s->ws, p->row, p->c0, p->row, c1, p->text, s->b->f.wrap),
                 p->row, c1);
        free(p->text);
    }
    free(s->paras);
    if (s->chart) {
        /* as wide as the printed columns (about 7 pixels a character), 480 x 288 at scale 1 */
        lxw_col_t c0 = s->chart_beside ? s->chart_col : 0;
        double px = 0;
        for (lxw_col_t c = c0; c <= s->max_col; c++)
            px += col_width(s, c) * 7 + 5;
        /* a narrow table: the print area takes in columns for the chart (a little less beside a
         * table, which is drawn at the same scale) */
        while (px < (s->chart_beside ? 540 : 600))
            px += col_width(s, ++s->max_col) * 7 + 5;
        if (px > 1100)
            px = 1100;
        px -= 10; /* inside the last column's right edge */
        lxw_row_t at = s->chart_beside ? s->chart_row : s->max_row + 2;
        lxw_chart_options opt = {.x_scale = px / 480.0, .y_scale = s->chart_rows * 20.0 / 288.0};
        note(s, worksheet_insert_chart_opt(s->ws, at, c0, s->chart, &opt), at, c0);
        if (at + (lxw_row_t)s->chart_rows + 1 > s->max_row)
            s->max_row = at + (lxw_row_t)s->chart_rows + 1;
    }
    note(s, worksheet_print_area(s->ws, 0, 0, s->max_row, s->max_col), 0, 0);
    if (s->has_repeat && s->repeat_end >= REPEAT_PAST_ROW)
        note(s, worksheet_repeat_rows(s->ws, s->repeat, s->repeat), s->repeat, 0);
}

/* Marks row as the header repeated on every printed page (the first table's, once). */
static void repeat_head(struct sheet *s, lxw_row_t row)
{
    if (s->has_repeat)
        return;
    s->repeat = row;
    s->repeat_end = row;
    s->has_repeat = true;
}

/* Writes the header row of a table from `heads` at `row`; numeric columns right-aligned. */
static void table_head(struct sheet *s, lxw_row_t row, const char *const *heads, size_t n,
                       const bool *numeric)
{
    repeat_head(s, row);
    for (size_t i = 0; i < n; i++)
        put_text(s, row, (lxw_col_t)i, heads[i],
                 numeric && numeric[i] ? s->b->f.head_num : s->b->f.head);
}

/* Text that runs into the empty cells to its right: written as put_text does, but without
 * widening its column. */
static void spill(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *text, lxw_format *fmt)
{
    char *safe = xml_safe(text);
    note(s, worksheet_write_string(s->ws, row, col, safe ? safe : text, fmt), row, col);
    free(safe);
}

/* A section's heading in column A, above a table or a block of labels. */
static void section(struct sheet *s, lxw_row_t row, const char *text)
{
    spill(s, row, 0, text, s->b->f.section);
}

static void label(struct sheet *s, lxw_row_t row, const char *text)
{
    put_text(s, row, 0, text, s->b->f.label);
}

/* A label in A and a text value in B; nothing for an empty value. */
static void kv_text(struct sheet *s, lxw_row_t *row, const char *key, const char *val)
{
    if (!val || !*val)
        return;
    label(s, *row, key);
    /* a value runs on into the empty columns; a long one wraps across them */
    if (utf8_chars(val) > 60)
        put_paragraph(s, *row, 1, 7, val);
    else
        spill(s, *row, 1, val, NULL);
    (*row)++;
}

/* A label in A and an amount in column `col`. */
static void kv_money_at(struct sheet *s, lxw_row_t *row, const char *key, int64_t cents, bool bold,
                        lxw_col_t col)
{
    if (col > 1)
        spill(s, *row, 0, key, s->b->f.label);
    else
        label(s, *row, key);
    put_money(s, *row, col, cents, bold ? s->b->f.money_bold : s->b->f.money);
    (*row)++;
}

static void kv_money(struct sheet *s, lxw_row_t *row, const char *key, int64_t cents, bool bold)
{
    kv_money_at(s, row, key, cents, bold, 1);
}

/* ---- invoice lines ---- */

/* Where the 8 fields of a line go. The invoice reads description first (its column B also holds
 * the header block's values); "All lines" keeps the journal order after team and invoice. */
enum { F_KIND, F_MODEL, F_BATCH, F_DESC, F_QTY, F_UNIT, F_PRICE, F_AMOUNT };
struct line_layout {
    lxw_col_t col[8]; /* indexed by F_* */
};

static const struct line_layout invoice_layout = {{0, 2, 3, 1, 4, 5, 6, 7}};
static const struct line_layout all_lines_layout = {{2, 3, 4, 5, 6, 7, 8, 9}};

static const char *const line_heads_fmt[] = {"Kind",     "Model", "Pricing",         "Description",
                                             "Quantity", "Unit",  "Unit price (%s)", "Amount (%s)"};
static const bool line_numeric[] = {false, false, false, false, true, false, true, true};

static void line_head(struct sheet *s, lxw_row_t row, const struct line_layout *L)
{
    repeat_head(s, row);
    for (size_t i = 0; i < 8; i++) {
        char *h = xasprintf(line_heads_fmt[i], s->b->r->currency);
        put_text(s, row, L->col[i], h, line_numeric[i] ? s->b->f.head_num : s->b->f.head);
        free(h);
    }
}

/* One line. The amount is =ROUND(quantity*unit_price/per,2) with the line's cents cached when
 * that formula reproduces them (report.c rounds the same way, once, half away from zero; an
 * allocation line is 1 × its amount); otherwise it stays a plain number, so the sheet's totals
 * still match the report to the cent. */
static void line_row(struct sheet *s, lxw_row_t row, const struct line_layout *L,
                     const struct report_line *l)
{
    const struct fmts *f = &s->b->f;
    const lxw_col_t *c = L->col;
    put_text(s, row, c[F_KIND], report_line_kind_name(l->kind), NULL);
    put_text(s, row, c[F_MODEL], l->model, NULL);
    /* batch pricing applies to token lines only; other lines leave the column blank */
    if (l->kind <= LINE_CACHE_WRITE_1H)
        put_text(s, row, c[F_BATCH], l->batch ? "Batch" : "Standard", NULL);
    put_text(s, row, c[F_DESC], l->description, NULL);
    put_count(s, row, c[F_QTY], l->quantity, f->count);
    put_text(s, row, c[F_UNIT], l->unit, NULL);
    put_micros(s, row, c[F_PRICE], l->unit_price_micros);
    int64_t per = l->per > 0 ? l->per : 1;
    if (!report_line_reproducible(l)) {
        put_money(s, row, c[F_AMOUNT], l->amount, f->money);
        return;
    }
    char q[LXW_MAX_CELL_NAME_LENGTH], p[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(q, row, c[F_QTY]);
    lxw_rowcol_to_cell(p, row, c[F_PRICE]);
    char *formula = per == 1 ? xasprintf("=ROUND(%s*%s,2)", q, p)
                             : xasprintf("=ROUND(%s*%s/%lld,2)", q, p, (long long)per);
    put_formula_cents(s, row, c[F_AMOUNT], formula, l->amount, f->money);
    free(formula);
}

/* Lines from `row` with their header and a SUM total; returns the next free row. */
static lxw_row_t lines_table(struct sheet *s, lxw_row_t row, const struct report_line *v, size_t n,
                             const char *total_label)
{
    const struct line_layout *L = &invoice_layout;
    line_head(s, row++, L);
    lxw_row_t first = row;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++, row++) {
        line_row(s, row, L, &v[i]);
        sum += v[i].amount;
    }
    put_text(s, row, L->col[F_DESC], total_label, s->b->f.label);
    put_sum_cents(s, row, L->col[F_AMOUNT], first, n ? row - 1 : (lxw_row_t)-1, sum,
                  s->b->f.money_bold);
    return row + 1;
}

/* ---- breakdowns and daily ---- */

static const char *const usage_heads[] = {
    "Requests",          "Input tokens",          "Output tokens",
    "Cache read tokens", "Cache write 5m tokens", "Cache write 1h tokens",
    "Web searches",      "Total tokens"};

static void usage_cells(struct sheet *s, lxw_row_t row, lxw_col_t col0,
                        const struct report_usage *u)
{
    const int64_t v[] = {u->requests,
                         u->input_tokens,
                         u->output_tokens,
                         u->cache_read_input_tokens,
                         u->cache_write_5m_input_tokens,
                         u->cache_write_1h_input_tokens,
                         u->web_search_requests,
                         u->total_tokens};
    for (size_t i = 0; i < 8; i++)
        put_count(s, row, col0 + (lxw_col_t)i, v[i], s->b->f.count);
}

/* A sheet of one breakdown: key, usage, list cost, share; totals as SUM formulas. */
static void groups_sheet(struct book *b, const char *name, const char *title, const char *key,
                         const struct report_groups *g)
{
    struct sheet s;
    if (!sheet_open(b, &s, name, title))
        return;
    const struct fmts *f = &b->f;
    lxw_row_t row = 2;
    repeat_head(&s, row);
    put_text(&s, row, 0, key, f->head);
    for (size_t i = 0; i < 8; i++)
        put_text(&s, row, (lxw_col_t)(1 + i), usage_heads[i], f->head_num);
    char *h = xasprintf("List cost (%s)", b->r->currency);
    put_text(&s, row, 9, h, f->head_num);
    free(h);
    put_text(&s, row, 10, "Share", f->head_num);
    lxw_row_t head = row++;
    lxw_row_t first = row;
    int64_t sums[8] = {0}, cost = 0, share = 0;
    for (size_t i = 0; i < g->n; i++, row++) {
        const struct report_group *x = &g->items[i];
        put_text(&s, row, 0, x->key, NULL);
        usage_cells(&s, row, 1, &x->usage);
        put_money(&s, row, 9, x->list_cost, f->money);
        put_pct(&s, row, 10, x->share_e4, f->pct);
        const int64_t v[] = {x->usage.requests,
                             x->usage.input_tokens,
                             x->usage.output_tokens,
                             x->usage.cache_read_input_tokens,
                             x->usage.cache_write_5m_input_tokens,
                             x->usage.cache_write_1h_input_tokens,
                             x->usage.web_search_requests,
                             x->usage.total_tokens};
        for (size_t k = 0; k < 8; k++)
            sums[k] += v[k];
        cost += x->list_cost;
        share += x->share_e4;
    }
    lxw_row_t last = g->n ? row - 1 : (lxw_row_t)-1;
    put_text(&s, row, 0, "Total", f->label);
    for (size_t k = 0; k < 8; k++)
        put_sum_scaled(&s, row, (lxw_col_t)(1 + k), first, last, sums[k], 1.0, f->count_bold);
    put_sum_cents(&s, row, 9, first, last, cost, f->money_bold);
    put_sum_scaled(&s, row, 10, first, last, share, 10000.0, f->pct_bold);
    if (g->n)
        note(&s, worksheet_autofilter(s.ws, head, 0, row - 1, 10), head, 0);
    worksheet_freeze_panes(s.ws, head + 1, 1);
    sheet_close(&s);
}

/* "Daily": date, requests, tokens, list cost, a SUM total and a line chart of list cost. */
static void daily_sheet(struct book *b, const char *title, const struct report_day *days, size_t n)
{
    struct sheet s;
    if (!sheet_open(b, &s, "Daily", title))
        return;
    const struct fmts *f = &b->f;
    lxw_row_t row = 2;
    char *h = xasprintf("List cost (%s)", b->r->currency);
    const char *heads[] = {"Date", "Requests", "Tokens", h};
    const bool num[] = {false, true, true, true};
    table_head(&s, row, heads, 4, num);
    free(h);
    lxw_row_t head = row++;
    lxw_row_t first = row;
    int64_t req = 0, tok = 0, cost = 0;
    for (size_t i = 0; i < n; i++, row++) {
        put_date(&s, row, 0, days[i].date);
        put_count(&s, row, 1, days[i].requests, f->count);
        put_count(&s, row, 2, days[i].tokens, f->count);
        put_money(&s, row, 3, days[i].list_cost, f->money);
        req += days[i].requests;
        tok += days[i].tokens;
        cost += days[i].list_cost;
    }
    lxw_row_t last = n ? row - 1 : (lxw_row_t)-1;
    put_text(&s, row, 0, "Total", f->label);
    put_sum_scaled(&s, row, 1, first, last, req, 1.0, f->count_bold);
    put_sum_scaled(&s, row, 2, first, last, tok, 1.0, f->count_bold);
    put_sum_cents(&s, row, 3, first, last, cost, f->money_bold);
    worksheet_freeze_panes(s.ws, head + 1, 0);
    if (n) {
        lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_LINE);
        if (!chart) {
            note(&s, LXW_ERROR_MEMORY_MALLOC_FAILED, head, 5);
        } else {
            lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
            chart_series_set_categories(series, "Daily", first, 0, last, 0);
            chart_series_set_values(series, "Daily", first, 3, last, 3);
            char *name = xasprintf("List cost (%s)", b->r->currency);
            chart_series_set_name(series, name);
            chart_title_set_name(chart, "Daily list cost");
            chart_axis_set_name(chart->y_axis, name);
            free(name);
            chart_axis_set_num_format(chart->y_axis, "#,##0.00");
            chart_axis_set_num_format(chart->x_axis, "mm-dd");
            chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
            s.chart = chart;
            s.chart_rows = 18;
        }
    }
    sheet_close(&s);
}

/* ---- team workbook ---- */

static const char *budget_state(const struct report_budget *bu)
{
    return report_budget_state_text(bu->present ? bu->state : BUDGET_STATE_NONE);
}

/* Rows of budgets (a team's projects and users, every budget crossed, or every team): what the
 * budget is on, its monthly amount, what was used, this team's part (when `part` is given),
 * utilization, state and thresholds, then the days above the anomaly threshold (when `anomalies`
 * is given). A NULL budget is a row without one ("no budget"). Returns the row after the last. */
static lxw_row_t budget_table(struct sheet *s, lxw_row_t row, const char *const *on,
                              const struct report_budget *const *bs, const int64_t *part,
                              const size_t *anomalies, size_t n)
{
    const struct fmts *f = &s->b->f;
    lxw_col_t c = part ? 4 : 3; /* utilization, state and thresholds after the amounts */
    const char *heads[8];
    bool num[8];
    size_t h = 0;
    heads[h] = "Budget on", num[h++] = false;
    heads[h] = "Monthly budget", num[h++] = true;
    heads[h] = part ? "Used (all teams)" : "Used", num[h++] = true;
    if (part)
        heads[h] = "This team", num[h++] = true;
    heads[h] = "Utilization", num[h++] = true;
    heads[h] = "State", num[h++] = false;
    heads[h] = "Thresholds crossed", num[h++] = false;
    if (anomalies)
        heads[h] = "Anomalies", num[h++] = true;
    table_head(s, row++, heads, h, num);
    for (size_t i = 0; i < n; i++, row++) {
        const struct report_budget *b = bs[i];
        put_text(s, row, 0, on[i], NULL);
        if (anomalies && anomalies[i])
            put_count(s, row, c + 3, (int64_t)anomalies[i], f->count);
        if (!b || !b->present) {
            put_text(s, row, c + 1, report_budget_state_text(BUDGET_STATE_NONE), NULL);
            continue;
        }
        lxw_format *fmt = b->tokens ? f->tokens : f->money;
        for (int k = 0; k < (part ? 3 : 2); k++) {
            int64_t v = k == 0 ? b->monthly : k == 1 ? b->used : part[i];
            if (b->tokens)
                put_count(s, row, (lxw_col_t)(1 + k), v, fmt);
            else
                put_money(s, row, (lxw_col_t)(1 + k), v, fmt);
        }
        put_pct(s, row, c, b->utilization_e4, f->pct);
        put_text(s, row, c + 1, budget_state(b), NULL);
        char *th = report_thresholds_text(b);
        put_text(s, row, c + 2, th, NULL);
        free(th);
    }
    if (s->b->r->n_budgets) /* the measure of project and user budgets, when there are any */
        put_paragraph(s, row++, 0, (lxw_col_t)(h - 1), REPORT_ENTITY_BUDGET_NOTE);
    return row;
}

/* The glossary box (glossary.h) from `*row` on: the heading, then one merged, wrapped row per
 * term across columns A..last ("Term: sentence", so no column widens for it); `t` NULL on the
 * summary. */
static void glossary_rows(struct sheet *s, lxw_row_t *row, lxw_col_t last,
                          const struct report_team *t)
{
    struct glossary_term g[GLOSSARY_MAX];
    size_t n = glossary_terms(s->b->r, t, g);
    put_text(s, (*row)++, 0, GLOSSARY_TITLE, s->b->f.head);
    for (size_t i = 0; i < n; i++) {
        char *line = xasprintf("%s: %s", g[i].term, g[i].text);
        put_paragraph(s, (*row)++, 0, last, line);
        free(line);
    }
}

/* A cost per unit of outcome: to the cent from one cent up, as text.h's text_unit_cost reads. */
static void put_unit_cost(struct sheet *s, lxw_row_t row, lxw_col_t col, int64_t micros)
{
    int64_t mag = micros < 0 ? -micros : micros;
    if (mag == 0 || mag >= MONEY_MICRO_PER_CENT) {
        int64_t c = (mag + MONEY_MICRO_PER_CENT / 2) / MONEY_MICRO_PER_CENT;
        put_money(s, row, col, micros < 0 ? -c : c, s->b->f.money);
    } else {
        put_micros(s, row, col, micros);
    }
}

static void invoice_sheet(struct book *b, const struct report_team *t)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    char *title = xasprintf("%s %s \xE2\x80\x94 %s", explain_invoice_title(r->shadow),
                            t->invoice_number, r->period_label);
    bool ok = sheet_open(b, &s, "Invoice", title);
    free(title);
    if (!ok)
        return;
    lxw_row_t row = 2;
    char *period = xasprintf("%s (%s to %s)", r->period_label, r->period_start, r->period_end);
    kv_text(&s, &row, "Organization", r->organization);
    kv_text(&s, &row, "Team", t->name);
    kv_text(&s, &row, "Team id", t->id);
    kv_text(&s, &row, "Cost center", t->cost_center);
    kv_text(&s, &row, "GL account", t->gl_account);
    /* Bill to: the owner with the contact e-mail under it, else the e-mail alone */
    if (t->owner && *t->owner) {
        kv_text(&s, &row, "Bill to", t->owner);
        kv_text(&s, &row, "", t->contact);
    } else
        kv_text(&s, &row, "Bill to", t->contact);
    kv_text(&s, &row, "Reference / PO", t->reference);
    kv_text(&s, &row, "Period", period);
    kv_text(&s, &row, "Invoice number", t->invoice_number);
    kv_text(&s, &row, "Issuer", r->issuer);
    label(&s, row, "Issue date");
    put_date(&s, row++, 1, r->issue_date);
    if (!r->shadow) { /* a shadow month asks for no payment */
        label(&s, row, "Due date");
        put_date(&s, row++, 1, r->due_date);
    }
    kv_text(&s, &row, "Currency", r->currency);
    kv_text(&s, &row, "Chargeback model", config_model_name(r->model));
    kv_text(&s, &row, "Mode", r->shadow ? SHADOW_MARK : "billing");
    free(period);
    row++;
    char *due = xasprintf("%s (%s)", explain_total_label(r->shadow, r->revision > 1), r->currency);
    row = lines_table(&s, row, t->lines, t->n_lines, due);
    free(due);
    row++;
    /* the charge's parts add up to the total (a SUM); the figures for reference stand apart */
    section(&s, row++, "Composition of the charge");
    lxw_row_t cfirst = row;
    char *under = xasprintf("Charge under the %s model", config_model_name(r->model));
    kv_money_at(&s, &row, under, t->charge, false, 7);
    free(under);
    kv_money_at(&s, &row, "Adjustment to the provider's invoice", t->true_up, false, 7);
    kv_money_at(&s, &row, "Overhead", t->overhead, false, 7);
    kv_money_at(&s, &row, "Markup", t->markup, false, 7);
    label(&s, row, "Total");
    put_sum_cents(&s, row, 7, cfirst, row - 1, t->total, f->money_bold);
    row++;
    label(&s, row, "Share of all charges");
    put_pct(&s, row++, 7, t->share_e4, f->pct);
    row++;
    section(&s, row++, "For reference, not added to the amount");
    kv_money_at(&s, &row, "Usage at list price", t->list_cost, false, 7);
    kv_money_at(&s, &row, "Shared pools", t->shared, false, 7);
    if (t->revision.present) {
        row++;
        section(&s, row++, "Corrected revision");
        kv_text(&s, &row, "Superseded invoice",
                t->supersedes_invoice && *t->supersedes_invoice ? t->supersedes_invoice
                                                                : "(no earlier invoice)");
        lxw_row_t prev = row;
        kv_money_at(&s, &row, REPORT_REVISION_PREVIOUS, t->revision.previous_total, false, 7);
        lxw_row_t cur = row;
        kv_money_at(&s, &row, REPORT_REVISION_THIS, t->total, false, 7);
        char pc[LXW_MAX_CELL_NAME_LENGTH], cc[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(pc, prev, 7);
        lxw_rowcol_to_cell(cc, cur, 7);
        char *fm = xasprintf("=ROUND(%s-%s,2)", cc, pc);
        label(&s, row, REPORT_REVISION_SETTLE);
        put_formula_cents(&s, row++, 7, fm, t->revision.difference, f->money_bold);
        free(fm);
    }
    row++;
    glossary_rows(&s, &row, 7, t);
    if (r->footer && *r->footer) {
        row++;
        put_paragraph(&s, row, 0, 7, r->footer);
    }
    sheet_close(&s);
}

static void method_sheet(struct book *b, const struct report_team *t)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!sheet_open(b, &s, "Method", "How this charge was computed"))
        return;
    lxw_row_t row = 2;
    section(&s, row++, "Method");
    put_paragraph(&s, row++, 0, 7, t->method);
    row++;

    const struct report_budget *bu = &t->budget;
    section(&s, row++, "Budget");
    if (!bu->present) {
        put_text(&s, row++, 0, "No budget configured.", NULL);
    } else if (bu->tokens) {
        label(&s, row, "Monthly budget (tokens)");
        put_count(&s, row++, 1, bu->monthly, f->tokens);
        label(&s, row, "Used (tokens)");
        put_count(&s, row++, 1, bu->used, f->tokens);
    } else {
        char *k = xasprintf("Monthly budget (%s)", r->currency);
        kv_money(&s, &row, k, bu->monthly, false);
        free(k);
        k = xasprintf("Charged (%s)", r->currency);
        kv_money(&s, &row, k, bu->used, false);
        free(k);
    }
    if (bu->present) {
        label(&s, row, "Utilization");
        put_pct(&s, row++, 1, bu->utilization_e4, f->pct);
        kv_text(&s, &row, "State", budget_state(bu));
        char *th = report_thresholds_text(bu);
        kv_text(&s, &row, "Alert thresholds crossed", th);
        free(th);
    }
    row++;
    if (t->n_entity_budgets) {
        size_t n = t->n_entity_budgets;
        char **on = xcalloc(n, sizeof *on);
        const struct report_budget **bs = xcalloc(n, sizeof *bs);
        int64_t *part = xcalloc(n, sizeof *part);
        for (size_t i = 0; i < n; i++) {
            const struct report_entity_budget *eb = &r->budgets[t->entity_budgets[i].index];
            on[i] = xasprintf("%s %s", budgets_entity_title(eb->entity), eb->key);
            bs[i] = &eb->budget;
            part[i] = t->entity_budgets[i].team_used;
        }
        section(&s, row++, "Budgets of this team's projects and users");
        row = budget_table(&s, row, (const char *const *)on, bs, part, NULL, n) + 1;
        for (size_t i = 0; i < n; i++)
            free(on[i]);
        free(on);
        free(bs);
        free(part);
    }

    section(&s, row++, "Anomalies");
    if (!t->n_anomalies) {
        put_text(&s, row++, 0, "No day above the anomaly threshold.", NULL);
    } else {
        char *c1 = xasprintf("List cost (%s)", r->currency);
        char *c2 = xasprintf("Mean daily (%s)", r->currency);
        const char *heads[] = {"Date", c1, c2, "Ratio to mean"};
        const bool num[] = {false, true, true, true};
        table_head(&s, row++, heads, 4, num);
        free(c1);
        free(c2);
        for (size_t i = 0; i < t->n_anomalies; i++, row++) {
            const struct report_anomaly *x = &t->anomalies[i];
            put_date(&s, row, 0, x->date);
            put_money(&s, row, 1, x->list_cost, f->money);
            put_money(&s, row, 2, x->mean_daily, f->money);
            if (x->mean_daily > 0) {
                char bcell[LXW_MAX_CELL_NAME_LENGTH], ccell[LXW_MAX_CELL_NAME_LENGTH];
                lxw_rowcol_to_cell(bcell, row, 1);
                lxw_rowcol_to_cell(ccell, row, 2);
                char *fm = xasprintf("=ROUND(%s/%s,2)", bcell, ccell);
                put_formula_scaled(&s, row, 3, fm, x->factor_e2, 100.0, f->units);
                free(fm);
            }
        }
    }
    row++;

    section(&s, row++, "Recommendations");
    if (!t->n_recommendations) {
        put_text(&s, row++, 0, "None this month.", NULL);
    } else {
        char *c1 = xasprintf("Monthly saving (%s)", r->currency);
        const char *heads[] = {"Kind", "Explanation", c1};
        const bool num[] = {false, false, true};
        table_head(&s, row++, heads, 3, num);
        free(c1);
        for (size_t i = 0; i < t->n_recommendations; i++, row++) {
            const struct report_recommendation *x = &t->recommendations[i];
            put_text(&s, row, 0, report_rec_title(x->kind), NULL);
            put_text(&s, row, 1, x->explanation, NULL);
            put_money(&s, row, 2, x->saving, f->money);
        }
    }
    row++;

    section(&s, row++, "Unit economics");
    if (!t->n_metrics) {
        put_text(&s, row++, 0, "No value metrics configured.", NULL);
    } else {
        char *c1 = xasprintf("Cost per unit (%s)", r->currency);
        const char *heads[] = {"Outcome", "Units", c1};
        const bool num[] = {false, true, true};
        table_head(&s, row++, heads, 3, num);
        free(c1);
        for (size_t i = 0; i < t->n_metrics; i++, row++) {
            const struct report_value_metric *m = &t->metrics[i];
            put_text(&s, row, 0, m->name, NULL);
            put_e6(&s, row, 1, m->units_e6);
            put_unit_cost(&s, row, 2, m->cost_per_unit_micros);
        }
    }
    row++;

    section(&s, row++, "Month over month");
    const struct report_mom *m = &t->mom;
    if (!m->present) {
        put_text(&s, row++, 0, "No previous month given.", NULL);
    } else {
        kv_text(&s, &row, "Previous month", m->previous_month);
        kv_money(&s, &row, "Previous total", m->previous_total, false);
        kv_money(&s, &row, "Previous list cost", m->previous_list_cost, false);
        kv_money(&s, &row, "Change in total", m->delta_total, false);
        if (m->has_pct) {
            label(&s, row, "Change in total (%)");
            put_pct(&s, row++, 1, m->delta_pct_e4, f->pct);
        }
    }
    sheet_close(&s);
}

/* ---- summary workbook ---- */

/* The "Spend" sheet: the chart's data, the REPORT_CHART_TOP largest charges (report.ranked)
 * (each a reference to its row of the summary sheet's team table, whose first team row is `first`
 * and whose charges are in column `col`) and, with more teams, one "others" row (the "All teams"
 * total at row `all` less those, as a formula), then a bar chart of that block beside it, so the
 * chart reads the same with 5 teams or 100,000. A sheet of its own, so its names do not widen the
 * summary's columns. */
static void spend_sheet(struct book *bk, const char *summary, lxw_row_t first, lxw_row_t all,
                        lxw_col_t col)
{
    const struct report *r = bk->r;
    const struct fmts *f = &bk->f;
    size_t n = r->n_teams, shown = r->n_ranked_shown;
    if (!n)
        return;
    struct sheet sh;
    struct sheet *s = &sh;
    if (!sheet_open(bk, s, "Spend", shown < n ? "Largest charges" : "Charge by team"))
        return;
    s->cap[0] = 30; /* a long name wraps in its cell */
    lxw_row_t row = 2;
    /* the summary table lists teams in r->order: where each team's row is */
    size_t *pos = xcalloc(n ? n : 1, sizeof *pos);
    for (size_t k = 0; k < n; k++)
        pos[r->order[k]] = k;
    char *h = xasprintf("Charge (%s)", r->currency);
    s->chart_row = row;
    section(s, row++, shown < n ? "Top 15, then the others" : "Largest first");
    const char *heads[] = {"Team", h};
    const bool num[] = {false, true};
    table_head(s, row++, heads, 2, num);
    lxw_row_t cfirst = row;
    char cell[LXW_MAX_CELL_NAME_LENGTH], a[LXW_MAX_CELL_NAME_LENGTH], b[LXW_MAX_CELL_NAME_LENGTH];
    for (size_t k = 0; k < shown; k++, row++) {
        const struct report_team *t = &r->teams[r->ranked[k]];
        put_text(s, row, 0, t->name, NULL);
        lxw_rowcol_to_cell(cell, first + (lxw_row_t)pos[r->ranked[k]], col);
        char *fm = xasprintf("=%s!%s", summary, cell);
        put_formula_cents(s, row, 1, fm, t->total, f->money);
        free(fm);
    }
    if (shown < n) {
        char *name = xasprintf("%zu other teams", n - shown);
        put_text(s, row, 0, name, NULL);
        free(name);
        lxw_rowcol_to_cell(cell, all, col);
        lxw_rowcol_to_cell(a, cfirst, 1);
        lxw_rowcol_to_cell(b, row - 1, 1);
        char *fm = xasprintf("=ROUND(%s!%s-SUM(%s:%s),2)", summary, cell, a, b);
        put_formula_cents(s, row++, 1, fm, r->ranked_others_total, f->money);
        free(fm);
    }
    lxw_row_t clast = row - 1;
    free(pos);
    lxw_chart *chart = workbook_add_chart(s->b->wb, LXW_CHART_BAR);
    if (!chart) {
        note(s, LXW_ERROR_MEMORY_MALLOC_FAILED, row, 0);
        free(h);
        sheet_close(s);
        return;
    }
    lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(series, s->name, cfirst, 0, clast, 0);
    chart_series_set_values(series, s->name, cfirst, 1, clast, 1);
    chart_series_set_name(series, h);
    chart_axis_set_name(chart->x_axis, h);
    chart_axis_set_num_format(chart->x_axis, "#,##0");
    chart_axis_set_reverse(chart->y_axis); /* the largest on top, as in the table above */
    chart_title_set_name(chart, shown < n ? "Largest charges" : "Charge by team");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    free(h);
    /* beside the block (columns A-B), over the columns to the right of it */
    s->chart = chart;
    s->chart_beside = true;
    s->chart_col = 2;
    s->chart_rows = 6 + 1.25 * (double)(clast - cfirst + 1);
    sheet_close(s);
}

static void summary_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    char *title =
        xasprintf("%s \xE2\x80\x94 %s", explain_summary_title(r->shadow), r->period_label);
    bool ok = sheet_open(b, &s, "Summary", title);
    free(title);
    if (!ok)
        return;
    lxw_row_t row = 2;
    char *period = xasprintf("%s (%s to %s)", r->period_label, r->period_start, r->period_end);
    kv_text(&s, &row, "Organization", r->organization);
    kv_text(&s, &row, "Period", period);
    free(period);
    kv_text(&s, &row, "Issuer", r->issuer);
    label(&s, row, "Issue date");
    put_date(&s, row++, 1, r->issue_date);
    kv_text(&s, &row, "Currency", r->currency);
    kv_text(&s, &row, "Chargeback model", config_model_name(r->model));
    kv_text(&s, &row, "Mode", r->shadow ? SHADOW_MARK : "billing");
    kv_text(&s, &row, "Unallocated policy", r->unallocated_policy);
    row++;

    /* every document lists teams in r->order; with --previous the month over month figures
     * have a sheet of their own (mom_sheet), so this table prints at full size */
    char *c_charge = xasprintf("Total (%s)", r->currency);
    char *c_list = xasprintf("List cost (%s)", r->currency);
    const char *heads[] = {"Team",   "Name",  "Cost center", "Invoice number",
                           c_charge, "Share", c_list};
    const bool num[] = {false, false, false, false, true, true, true};
    const lxw_col_t c_tot = 4, c_share = 5, c_lc = 6;
    /* long ids and names wrap in their cells rather than widen the printed page; invoice
     * numbers are allowed their usual length, so each stays on one line */
    s.cap[0] = 20;
    s.cap[1] = 18;
    s.cap[3] = 26;
    table_head(&s, row, heads, 7, num);
    free(c_charge);
    free(c_list);
    row++;
    lxw_row_t first = row;
    int64_t charged = 0, share = 0, list = 0;
    for (size_t i = 0; i < r->n_teams; i++, row++) {
        const struct report_team *t = &r->teams[r->order[i]];
        put_text(&s, row, 0, t->id, NULL);
        put_text(&s, row, 1, t->name, NULL);
        put_text(&s, row, 2, t->cost_center, NULL);
        put_text(&s, row, 3, t->invoice_number, NULL);
        put_money(&s, row, c_tot, t->total, f->money);
        put_pct(&s, row, c_share, t->share_e4, f->pct);
        put_money(&s, row, c_lc, t->list_cost, f->money);
        charged += t->total;
        share += t->share_e4;
        list += t->list_cost;
    }
    lxw_row_t last = r->n_teams ? row - 1 : (lxw_row_t)-1;
    put_text(&s, row, 0, "All teams", f->label);
    put_sum_cents(&s, row, c_tot, first, last, charged, f->money_bold);
    put_sum_scaled(&s, row, c_share, first, last, share, 10000.0, f->pct_bold);
    put_sum_cents(&s, row, c_lc, first, last, list, f->money_bold);
    row++;
    put_text(&s, row, 0, "(unallocated)", f->label);
    bool show = !r->unallocated_policy || strcmp(r->unallocated_policy, "show") == 0;
    spill(&s, row, 1, show ? "not charged (policy show)" : "included in the teams' charges above",
          NULL);
    put_money(&s, row, c_lc, r->unallocated_list_cost, f->money);
    row += 2;

    /* the model's summary bridge, step for step; its result is the sum of the steps */
    section(&s, row++, "How the charges add up");
    lxw_row_t bfirst = row;
    for (size_t i = 0; i < r->totals.n_bridge; i++)
        kv_money_at(&s, &row, r->totals.bridge[i].label, r->totals.bridge[i].amount, false, 3);
    spill(&s, row, 0, explain_charged_label(r->shadow), f->label);
    put_sum_cents(&s, row, 3, bfirst, r->totals.n_bridge ? row - 1 : (lxw_row_t)-1,
                  r->totals.charged, f->money_bold);
    row += 2;

    section(&s, row++, "Reconciliation");
    if (r->totals.has_provider_total) {
        lxw_row_t prov = row;
        kv_money_at(&s, &row, "Provider invoice total", r->totals.provider_total, false, 3);
        lxw_row_t plist = row;
        kv_money_at(&s, &row, "Teams' usage, shared pools, unallocated",
                    r->totals.period_list_total, false, 3);
        char a[LXW_MAX_CELL_NAME_LENGTH], c[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(a, prov, 3);
        lxw_rowcol_to_cell(c, plist, 3);
        char *fm = xasprintf("=ROUND(%s-%s,2)", a, c);
        label(&s, row, "Difference");
        put_formula_cents(&s, row++, 3, fm, r->totals.reconciliation_difference, f->money_bold);
        free(fm);
    } else {
        kv_money_at(&s, &row, "Teams' usage, shared pools, unallocated",
                    r->totals.period_list_total, false, 3);
        put_text(&s, row++, 0, "No provider invoice total given.", NULL);
    }
    if (r->reconciliation_text && *r->reconciliation_text)
        put_paragraph(&s, row++, 0, c_lc, r->reconciliation_text);
    row++;
    if (r->method && *r->method) {
        section(&s, row++, "Method");
        put_paragraph(&s, row++, 0, c_lc, r->method);
    }
    row++;
    glossary_rows(&s, &row, c_lc, NULL);
    if (r->n_warnings) {
        row++;
        section(&s, row++, "Notes on the data");
        for (size_t i = 0; i < r->n_warnings && i < REPORT_NOTES_SHOWN; i++)
            put_paragraph(&s, row++, 0, c_lc, r->warnings[i]);
        if (r->n_warnings > REPORT_NOTES_SHOWN) {
            char *more = xasprintf("and %zu more notes: report.json lists every one",
                                   r->n_warnings - REPORT_NOTES_SHOWN);
            put_paragraph(&s, row++, 0, c_lc, more);
            free(more);
        }
    }
    if (r->footer && *r->footer)
        put_paragraph(&s, ++row, 0, c_lc, r->footer);

    sheet_close(&s);
    spend_sheet(b, "Summary", first, first + (lxw_row_t)r->n_teams, c_tot);
}

/* "Month over month" (with --previous only): each team's charge, its previous month's total and
 * the change, in the documents' order; the whole month's figures (teams gone included) and the
 * note below. */
static void mom_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!r->mom.present || !sheet_open(b, &s, "Month over month", "Month over month"))
        return;
    char *c_charge = xasprintf("Total (%s)", r->currency);
    char *c_prev = xasprintf(REPORT_MOM_PREVIOUS " (%s)", r->currency);
    char *c_delta = xasprintf(REPORT_MOM_CHANGE " (%s)", r->currency);
    const char *heads[] = {"Team", "Name", c_charge, c_prev, c_delta, REPORT_MOM_CHANGE " (%)"};
    const bool num[] = {false, false, true, true, true, true};
    s.cap[1] = 24;
    lxw_row_t row = 2;
    table_head(&s, row++, heads, 6, num);
    free(c_charge);
    free(c_prev);
    free(c_delta);
    lxw_row_t first = row;
    int64_t charged = 0;
    for (size_t i = 0; i < r->n_teams; i++, row++) {
        const struct report_team *t = &r->teams[r->order[i]];
        put_text(&s, row, 0, t->id, NULL);
        put_text(&s, row, 1, t->name, NULL);
        put_money(&s, row, 2, t->total, f->money);
        charged += t->total;
        if (!t->mom.present) {
            put_text(&s, row, 3, "new", NULL);
            continue;
        }
        put_money(&s, row, 3, t->mom.previous_total, f->money);
        put_money(&s, row, 4, t->mom.delta_total, f->money);
        if (t->mom.has_pct)
            put_pct(&s, row, 5, t->mom.delta_pct_e4, f->pct);
    }
    put_text(&s, row, 0, "All teams", f->label);
    put_sum_cents(&s, row, 2, first, r->n_teams ? row - 1 : (lxw_row_t)-1, charged, f->money_bold);
    put_money(&s, row, 3, r->mom.previous_total, f->money_bold);
    put_money(&s, row, 4, r->mom.delta_total, f->money_bold);
    if (r->mom.has_pct)
        put_pct(&s, row, 5, r->mom.delta_pct_e4, f->pct_bold);
    row += 2;
    if (r->mom_note && *r->mom_note)
        put_paragraph(&s, row, 0, 5, r->mom_note);
    sheet_close(&s);
}

/* "Revision" (a corrected revision only): each superseded invoice, what it charged, what this
 * revision charges and the difference to settle, as a formula. */
static void revision_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (r->revision <= 1 ||
        !sheet_open(b, &s, "Revision", "Corrected revision: what remains to settle"))
        return;
    const char *sh[] = {"Team", "Superseded invoice", REPORT_REVISION_PREVIOUS,
                        REPORT_REVISION_THIS, REPORT_REVISION_SETTLE};
    const bool snum[] = {false, false, true, true, true};
    lxw_row_t row = 2;
    table_head(&s, row++, sh, 5, snum);
    lxw_row_t first = row;
    for (size_t i = 0, n = r->n_teams + r->supersedes.n_gone; i < n; i++) {
        /* the revision's teams, then the teams it no longer invoices (reversed, not replaced) */
        const struct report_team *t = i < r->n_teams ? &r->teams[r->order[i]] : NULL;
        const struct report_superseded_invoice *x =
            t ? NULL : &r->supersedes.invoices[r->supersedes.gone[i - r->n_teams]];
        if (t && !t->revision.present)
            continue;
        /* the team's name, as the PDF and HTML tables give it */
        const char *name = t ? t->name : x->name && x->name[0] ? x->name : x->team;
        put_text(&s, row, 0, name, NULL);
        put_text(&s, row, 1, t ? t->supersedes_invoice : x->invoice_number, NULL);
        put_money(&s, row, 2, t ? t->revision.previous_total : x->total, f->money);
        put_money(&s, row, 3, t ? t->total : 0, f->money);
        char pc[LXW_MAX_CELL_NAME_LENGTH], cc[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(pc, row, 2);
        lxw_rowcol_to_cell(cc, row, 3);
        char *fm = xasprintf("=ROUND(%s-%s,2)", cc, pc);
        put_formula_cents(&s, row, 4, fm, t ? t->revision.difference : -x->total, f->money);
        free(fm);
        if (!t)
            put_text(&s, row, 5, REPORT_REVISION_GONE, NULL);
        row++;
    }
    lxw_row_t last = row > first ? row - 1 : (lxw_row_t)-1;
    put_text(&s, row, 0, REPORT_REVISION_ALL, f->label);
    put_sum_cents(&s, row, 2, first, last, r->supersedes.previous_total, f->money_bold);
    put_sum_cents(&s, row, 3, first, last, r->totals.charged, f->money_bold);
    put_sum_cents(&s, row, 4, first, last, r->supersedes.difference, f->money_bold);
    sheet_close(&s);
}

/* "Budgets": every team in the documents' order with its budget (or "no budget"), utilization,
 * state, thresholds crossed and days above the anomaly threshold. Only when some team has a
 * budget or an anomaly. A sheet of its own: beside the charges these columns would make the
 * summary print at half size. */
static void budgets_sheet(struct book *b)
{
    const struct report *r = b->r;
    size_t n = r->n_teams, with = 0;
    for (size_t i = 0; i < n; i++)
        with += r->teams[i].budget.present || r->teams[i].n_anomalies;
    struct sheet s;
    if (!with || !sheet_open(b, &s, "Budgets", "Team budgets and anomalies"))
        return;
    char **on = xcalloc(n, sizeof *on);
    const struct report_budget **bs = xcalloc(n, sizeof *bs);
    size_t *anomalies = xcalloc(n, sizeof *anomalies);
    for (size_t i = 0; i < n; i++) {
        const struct report_team *t = &r->teams[r->order[i]];
        on[i] = xasprintf("%s %s", budgets_entity_title(ENTITY_TEAM), t->name);
        bs[i] = &t->budget;
        anomalies[i] = t->n_anomalies;
    }
    s.cap[0] = 22; /* a long name wraps in its cell */
    lxw_row_t row = budget_table(&s, 2, (const char *const *)on, bs, NULL, anomalies, n);
    put_paragraph(&s, row + 1, 0, 6,
                  "A team's budget is measured on its charge (or its tokens). Each team's "
                  "invoice lists its anomalies; alerts.json lists every crossing and anomaly.");
    for (size_t i = 0; i < n; i++)
        free(on[i]);
    free(on);
    free(bs);
    free(anomalies);
    sheet_close(&s);
}

/* "Budgets crossed": every budget crossed or over (team, project, user), by utilization, as
 * the HTML and PDF summaries list them. Only when there is one. */
static void budgets_crossed_sheet(struct book *b)
{
    const struct report *r = b->r;
    size_t n = r->n_budgets_crossed;
    struct sheet s;
    if (!n || !sheet_open(b, &s, "Budgets crossed", "Budgets crossed"))
        return;
    char **on = xcalloc(n, sizeof *on);
    const struct report_budget **bs = xcalloc(n, sizeof *bs);
    for (size_t i = 0; i < n; i++) {
        const struct report_budget_row *x = &r->budgets_crossed[i];
        on[i] = xasprintf("%s %s", budgets_entity_title(x->entity), x->name);
        bs[i] = x->budget;
    }
    s.cap[0] = 22;
    budget_table(&s, 2, (const char *const *)on, bs, NULL, NULL, n);
    for (size_t i = 0; i < n; i++)
        free(on[i]);
    free(on);
    free(bs);
    sheet_close(&s);
}

/* The model comparison: a row per team (or team `only`'s row alone, on its invoice) with its
 * total under each model and, beside every model but the configured one, the change against it
 * as a formula; the summary's totals are SUMs. Then the reading (summary) and the note. */
static void models_sheet(struct book *b, size_t only)
{
    const struct report *r = b->r;
    const struct comparison *c = r->comparison;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!c || !sheet_open(b, &s, "Models",
                          only == SIZE_MAX ? "Chargeback models compared"
                                           : "This charge under each chargeback model"))
        return;
    char *heads[1 + 2 * COMPARE_MODELS];
    bool num[1 + 2 * COMPARE_MODELS];
    lxw_col_t col_of[COMPARE_MODELS] = {0};
    size_t n = 0;
    heads[n] = xstrdup("Team");
    num[n++] = false;
    for (int m = 0; m < COMPARE_MODELS; m++) {
        if (!c->present[m])
            continue;
        bool conf = m == (int)c->configured;
        col_of[m] = (lxw_col_t)n;
        heads[n] = xasprintf("%s%s (%s)", compare_model_title((enum cb_model)m),
                             conf ? ", configured" : "", r->currency);
        num[n++] = true;
        if (!conf) {
            heads[n] = xasprintf("Change against %s", config_model_name(c->configured));
            num[n++] = true;
        }
    }
    table_head(&s, 2, (const char *const *)heads, n, num);
    for (size_t k = 0; k < n; k++)
        free(heads[k]);
    lxw_row_t row = 3, first = 3;
    char at[LXW_MAX_CELL_NAME_LENGTH], base[LXW_MAX_CELL_NAME_LENGTH];
    for (size_t i = 0; i <= c->n_teams; i++) {
        bool total = i == c->n_teams;
        if (only != SIZE_MAX && (total || i != only))
            continue;
        /* teams in the documents' order (r->order), as in the Teams table */
        size_t ti = total || only != SIZE_MAX ? i : r->order[i];
        put_text(&s, row, 0, total ? "All teams" : c->teams[ti].name, total ? f->label : NULL);
        lxw_rowcol_to_cell(base, row, col_of[c->configured]);
        for (int m = 0; m < COMPARE_MODELS; m++) {
            if (!c->present[m])
                continue;
            lxw_col_t col = col_of[m];
            int64_t v = total ? c->totals[m] : c->teams[ti].charges[m];
            if (total)
                put_sum_cents(&s, row, col, first, row - 1, v, f->money_bold);
            else
                put_money(&s, row, col, v, f->money);
            if (m == (int)c->configured)
                continue;
            int64_t d =
                v - (total ? c->totals[c->configured] : c->teams[ti].charges[c->configured]);
            lxw_rowcol_to_cell(at, row, col);
            char *formula = xasprintf("=ROUND(%s-%s,2)", at, base);
            put_formula_cents(&s, row, col + 1, formula, d, total ? f->money_bold : f->money);
            free(formula);
        }
        row++;
    }
    row++;
    if (only == SIZE_MAX)
        put_paragraph(&s, row++, 0, (lxw_col_t)(n - 1), c->reading);
    char *note_text = xasprintf("Change: the model's total less the configured %s model's; a "
                                "minus means the team would be charged less. %s",
                                config_model_name(c->configured), c->note);
    put_paragraph(&s, row, 0, (lxw_col_t)(n - 1), note_text);
    free(note_text);
    sheet_close(&s);
}

/* "All lines": every invoice line of every team, one table to filter and pivot. */
static void all_lines_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!sheet_open(b, &s, "All lines", "All invoice lines"))
        return;
    lxw_row_t head = 2, row = head;
    put_text(&s, row, 0, "Team", f->head);
    put_text(&s, row, 1, "Invoice number", f->head);
    line_head(&s, row++, &all_lines_layout);
    lxw_row_t first = row;
    int64_t sum = 0;
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct report_team *t = &r->teams[r->order[i]];
        for (size_t k = 0; k < t->n_lines; k++, row++) {
            put_text(&s, row, 0, t->id, NULL);
            put_text(&s, row, 1, t->invoice_number, NULL);
            line_row(&s, row, &all_lines_layout, &t->lines[k]);
            sum += t->lines[k].amount;
        }
    }
    lxw_row_t last = row > first ? row - 1 : (lxw_row_t)-1;
    note(&s, worksheet_autofilter(s.ws, head, 0, row > first ? row - 1 : head, 9), head, 0);
    worksheet_freeze_panes(s.ws, head + 1, 0);
    /* the total sits one row below the table so that filtering and pivoting leave it out */
    row++;
    put_text(&s, row, 5, "Total", f->label);
    put_sum_cents(&s, row, 9, first, last, sum, f->money_bold);
    sheet_close(&s);
}

/* "Unallocated": usage no team carried, with its lines under policy "show". */
static void unallocated_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!sheet_open(b, &s, "Unallocated", "Unallocated usage"))
        return;
    lxw_row_t row = 2;
    kv_text(&s, &row, "Policy", r->unallocated_policy);
    char *k = xasprintf("List cost (%s)", r->currency);
    kv_money(&s, &row, k, r->unallocated_list_cost, true);
    free(k);
    for (size_t i = 0; i < 8; i++) {
        const int64_t v[] = {r->unallocated_usage.requests,
                             r->unallocated_usage.input_tokens,
                             r->unallocated_usage.output_tokens,
                             r->unallocated_usage.cache_read_input_tokens,
                             r->unallocated_usage.cache_write_5m_input_tokens,
                             r->unallocated_usage.cache_write_1h_input_tokens,
                             r->unallocated_usage.web_search_requests,
                             r->unallocated_usage.total_tokens};
        label(&s, row, usage_heads[i]);
        put_count(&s, row++, 1, v[i], f->count);
    }
    row++;
    if (r->n_unallocated_lines)
        lines_table(&s, row, r->unallocated_lines, r->n_unallocated_lines, "Total (not charged)");
    else
        put_text(&s, row, 0, "No unallocated lines are shown under this policy.", NULL);
    sheet_close(&s);
}

static void coverage_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!sheet_open(b, &s, "Tag coverage", "Share of billed list cost carrying each tag"))
        return;
    char *h = xasprintf("List cost carrying it (%s)", r->currency);
    const char *heads[] = {"Tag", h, "Share"};
    const bool num[] = {false, true, true};
    table_head(&s, 2, heads, 3, num);
    free(h);
    lxw_row_t row = 3;
    /* rows without cost say nothing: the sheet lists the tags usage carried */
    for (size_t i = 0; i < r->n_coverage; i++) {
        if (!r->coverage[i].list_cost)
            continue;
        put_text(&s, row, 0, r->coverage[i].tag, NULL);
        put_money(&s, row, 1, r->coverage[i].list_cost, f->money);
        put_pct(&s, row++, 2, r->coverage[i].share_e4, f->pct);
    }
    if (row == 3)
        put_text(&s, row, 0, "No usage carried these tags.", NULL);
    sheet_close(&s);
}

/* The Cost report beside the list price (reconcile.h): each difference is a formula
 * (billed - list price), each total a SUM, with the model's figures cached. */
static void recon_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct recon *x = r->recon;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!x || !sheet_open(b, &s, "Reconciliation", "The list price against the Cost report"))
        return;
    lxw_row_t row = 2;
    char cell_a[LXW_MAX_CELL_NAME_LENGTH], cell_b[LXW_MAX_CELL_NAME_LENGTH];
    if (x->n_lines) {
        label(&s, row++, "By model and token type");
        const char *heads[] = {"Model", "Cost", "List price", "Billed", "Difference"};
        const bool num[] = {false, false, true, true, true};
        table_head(&s, row++, heads, 5, num);
        lxw_row_t first = row;
        for (size_t i = 0; i < x->n_lines; i++, row++) {
            const struct recon_line *l = &x->lines[i];
            put_text(&s, row, 0, recon_model_label(l->model), NULL);
            put_text(&s, row, 1, recon_kind_label(l->kind), NULL);
            put_money(&s, row, 2, l->computed, f->money);
            put_money(&s, row, 3, l->billed, f->money);
            lxw_rowcol_to_cell(cell_a, row, 2);
            lxw_rowcol_to_cell(cell_b, row, 3);
            char *fm = xasprintf("=%s-%s", cell_b, cell_a);
            put_formula_cents(&s, row, 4, fm, l->billed - l->computed, f->money);
            free(fm);
        }
        put_text(&s, row, 0, "Total (each row rounded once: rows may differ by a cent)", f->label);
        put_sum_cents(&s, row, 2, first, row - 1, x->computed, f->money_bold);
        put_sum_cents(&s, row, 3, first, row - 1, x->billed, f->money_bold);
        put_sum_cents(&s, row, 4, first, row - 1, x->billed - x->computed, f->money_bold);
        row += 2;
    }
    if (x->n_days) {
        label(&s, row++, "By day");
        const char *heads[] = {"Day", "List price", "Billed", "Difference"};
        const bool num[] = {false, true, true, true};
        table_head(&s, row++, heads, 4, num);
        for (size_t i = 0; i < x->n_days; i++, row++) {
            char day[16];
            snprintf(day, sizeof day, "%s-%02d", r->month, x->days[i].day);
            put_date(&s, row, 0, day);
            put_money(&s, row, 1, x->days[i].computed, f->money);
            put_money(&s, row, 2, x->days[i].billed, f->money);
            lxw_rowcol_to_cell(cell_a, row, 1);
            lxw_rowcol_to_cell(cell_b, row, 2);
            char *fm = xasprintf("=%s-%s", cell_b, cell_a);
            put_formula_cents(&s, row, 3, fm, x->days[i].billed - x->days[i].computed, f->money);
            free(fm);
        }
        row++;
    }
    if (x->n_workspaces) {
        label(&s, row++, "Billed by workspace");
        const char *heads[] = {"Workspace", "Billed"};
        const bool num[] = {false, true};
        table_head(&s, row++, heads, 2, num);
        for (size_t i = 0; i < x->n_workspaces; i++, row++) {
            put_text(&s, row, 0,
                     x->workspaces[i].workspace ? x->workspaces[i].workspace
                                                : "(default workspace)",
                     NULL);
            put_money(&s, row, 1, x->workspaces[i].billed, f->money);
        }
    }
    sheet_close(&s);
}

static void inputs_sheet(struct book *b)
{
    const struct report *r = b->r;
    const struct fmts *f = &b->f;
    struct sheet s;
    if (!sheet_open(b, &s, "Inputs", "Input provenance"))
        return;
    lxw_row_t row = 2;
    const char *heads[] = {"File", "Format", "Bytes", "Records", "SHA-256"};
    const bool num[] = {false, false, true, true, false};
    table_head(&s, row++, heads, 5, num);
    for (size_t i = 0; i < r->n_files; i++, row++) {
        const struct report_file *x = &r->files[i];
        put_text(&s, row, 0, x->path, NULL);
        put_text(&s, row, 1, x->format, NULL);
        put_count(&s, row, 2, x->bytes, f->count);
        put_count(&s, row, 3, x->records, f->count);
        put_text(&s, row, 4, x->sha256, NULL);
    }
    row++;
    label(&s, row, "Price book checked");
    put_date(&s, row++, 1, r->price_book_checked);
    kv_text(&s, &row, "Price book SHA-256", r->price_book_sha256);
    const struct {
        const char *key;
        int64_t v;
    } counts[] = {{"Records read", r->records_read},
                  {"Records billed", r->records_billed},
                  {"Records rejected", r->records_rejected},
                  {"Duplicates", r->duplicates},
                  {"Outside the period", r->outside_period}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        label(&s, row, counts[i].key);
        put_count(&s, row++, 1, counts[i].v, f->count);
    }
    if (r->n_rejects) {
        row++;
        const char *rh[] = {"Rejected because", "Records", "Example"};
        const bool rn[] = {false, true, false};
        table_head(&s, row++, rh, 3, rn);
        for (size_t i = 0; i < r->n_rejects; i++) {
            const struct report_reject_reason *x = &r->rejects[i];
            put_text(&s, row, 0, x->reason, NULL);
            put_count(&s, row, 1, x->count, f->count);
            for (size_t k = 0; k < x->n_examples; k++)
                put_text(&s, row++, 2, x->examples[k], NULL);
            if (!x->n_examples)
                row++;
        }
    }
    row++;
    kv_text(&s, &row, "Generated by", "chargeback");
    kv_text(&s, &row, "Version", r->tool_version);
    sheet_close(&s);
}

/* ---- workbooks ---- */

static lxw_format *fmt_new(lxw_workbook *wb, const char *num, bool bold)
{
    lxw_format *f = workbook_add_format(wb);
    if (num)
        format_set_num_format(f, num);
    if (bold)
        format_set_bold(f);
    return f;
}

static void fmts_init(struct book *b)
{
    lxw_workbook *wb = b->wb;
    struct fmts *f = &b->f;
    f->title = fmt_new(wb, NULL, true);
    format_set_font_size(f->title, 14);
    format_set_font_color(f->title, 0x1F3B6B);
    f->title_shadow = fmt_new(wb, NULL, true);
    format_set_font_size(f->title_shadow, 14);
    format_set_font_color(f->title_shadow, 0xB31F1F);
    f->head = fmt_new(wb, NULL, true);
    format_set_bottom(f->head, LXW_BORDER_THIN);
    format_set_bg_color(f->head, 0xE8ECF2);
    f->head_num = fmt_new(wb, NULL, true);
    format_set_bottom(f->head_num, LXW_BORDER_THIN);
    format_set_bg_color(f->head_num, 0xE8ECF2);
    format_set_align(f->head_num, LXW_ALIGN_RIGHT);
    format_set_text_wrap(f->head);
    format_set_text_wrap(f->head_num);
    f->label = fmt_new(wb, NULL, true);
    f->section = fmt_new(wb, NULL, true);
    format_set_font_size(f->section, 12);
    format_set_font_color(f->section, 0x1F3B6B);
    /* the currency code as quoted text after the amount: Excel and LibreOffice both show it the
     * same in every locale (a [$USD] tag is read as a locale by some versions) */
    char code[8] = "";
    const char *cur = b->r->currency ? b->r->currency : "";
    size_t n = 0;
    while (n < sizeof code - 1 &&
           ((cur[n] >= 'A' && cur[n] <= 'Z') || (cur[n] >= 'a' && cur[n] <= 'z')))
        n++;
    if (!cur[n])
        memcpy(code, cur, n + 1);
    char *money = *code ? xasprintf("#,##0.00 \"%s\"", code) : xstrdup("#,##0.00");
    f->money = fmt_new(wb, money, false);
    f->money_bold = fmt_new(wb, money, true);
    free(money);
    format_set_top(f->money_bold, LXW_BORDER_THIN);
    f->price = fmt_new(wb, "#,##0.00####", false);
    f->count = fmt_new(wb, "#,##0", false);
    f->count_bold = fmt_new(wb, "#,##0", true);
    format_set_top(f->count_bold, LXW_BORDER_THIN);
    f->pct = fmt_new(wb, "0.00%", false);
    f->pct_bold = fmt_new(wb, "0.00%", true);
    format_set_top(f->pct_bold, LXW_BORDER_THIN);
    f->date = fmt_new(wb, "yyyy-mm-dd", false);
    format_set_align(f->date, LXW_ALIGN_LEFT);
    f->wrap = fmt_new(wb, NULL, false);
    format_set_text_wrap(f->wrap);
    format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    /* in a table, wrapped text ends on the line where its row's other cells stand */
    f->wrap_cell = fmt_new(wb, NULL, false);
    format_set_text_wrap(f->wrap_cell);

    f->tokens = fmt_new(wb, "#,##0\" tokens\"", false);
    f->units = fmt_new(wb, "#,##0.00####", false);
}

/* The issue date at 00:00:00 UTC; 0 (the epoch, never the clock) when it is not a date. */
static time_t issue_time(const char *ymd)
{
    int64_t y = 0, m = 0, d = 0;
    char part[5];
    if (strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-')
        return 0;
    memcpy(part, ymd, 4);
    part[4] = '\0';
    bool ok = money_parse(part, 0, &y);
    memcpy(part, ymd + 5, 2);
    part[2] = '\0';
    ok = ok && money_parse(part, 0, &m);
    memcpy(part, ymd + 8, 2);
    ok = ok && money_parse(part, 0, &d);
    if (!ok || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    return (time_t)(date_days_from_civil(y, (int)m, (int)d) * 86400);
}

/* Writes one workbook to path: the team's invoice when t is set, else the summary. */
static enum cb_status write_book(const struct report *r, const struct report_team *t,
                                 const char *path, struct cb_error *err)
{
    struct book b = {.r = r, .t = t, .error = LXW_NO_ERROR};
    char *title = NULL, *subject = NULL, *keywords = NULL, *comments = NULL, *author = NULL,
         *company = NULL;
    enum cb_status st = CB_OK;
    /* libxlsxwriter opens the file only when closing and reports just "error creating the
     * file"; trying first gives the system's reason */
    FILE *probe = fopen(path, "wb");
    if (!probe)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
    fclose(probe);
    b.wb = workbook_new(path);
    if (!b.wb)
        return cb_error_set(err, CB_EIO, path, 0, NULL, "xlsx: cannot start a workbook");
    fmts_init(&b);

    if (t) {
        title = xasprintf("%s%s %s \xE2\x80\x94 %s", r->shadow ? SHADOW_MARK " \xC2\xB7 " : "",
                          explain_invoice_title(r->shadow), t->invoice_number, t->name);
        keywords = xasprintf("chargeback, invoice, %s, %s", r->month, t->id);
    } else {
        title = xasprintf("%s%s %s", r->shadow ? SHADOW_MARK " \xC2\xB7 " : "",
                          explain_summary_title(r->shadow), r->month);
        keywords = xasprintf("chargeback, summary, %s", r->month);
    }
    subject = xasprintf("AI usage chargeback for %s", r->period_label);
    comments = xasprintf("Period %s to %s%s", r->period_start, r->period_end,
                         r->shadow ? "; " SHADOW_MARK : "");
    author = xstrdup(r->issuer && *r->issuer ? r->issuer : r->organization);
    company = xstrdup(r->organization);
    char **texts[] = {&title, &keywords, &author, &company};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *safe = xml_safe(*texts[i]);
        if (safe) {
            free(*texts[i]);
            *texts[i] = safe;
        }
    }
    lxw_doc_properties props = {
        .title = title,
        .subject = subject,
        .author = author,
        .company = company,
        .category = r->shadow ? "Shadow chargeback" : "Chargeback",
        .keywords = keywords,
        .comments = comments,
        .status = r->shadow ? "Shadow" : "Issued",
        .created = issue_time(r->issue_date),
    };
    lxw_error e = workbook_set_properties(b.wb, &props);
    if (e != LXW_NO_ERROR && b.error == LXW_NO_ERROR) {
        b.error = e;
        snprintf(b.where, sizeof b.where, "document properties");
    }

    if (t) {
        invoice_sheet(&b, t);
        groups_sheet(&b, "By project", "Usage by project", "Project", &t->by_project);
        groups_sheet(&b, "By user", "Usage by user", "User", &t->by_user);
        groups_sheet(&b, "By workflow", "Usage by workflow", "Workflow", &t->by_workflow);
        groups_sheet(&b, "By environment", "Usage by environment", "Environment",
                     &t->by_environment);
        groups_sheet(&b, "By model", "Usage by model", "Model", &t->by_model);
        daily_sheet(&b, "Daily list cost", t->days, t->n_days);
        method_sheet(&b, t);
        models_sheet(&b, (size_t)(t - r->teams));
    } else {
        summary_sheet(&b);
        budgets_sheet(&b);
        budgets_crossed_sheet(&b);
        mom_sheet(&b);
        revision_sheet(&b);
        models_sheet(&b, SIZE_MAX);
        all_lines_sheet(&b);
        unallocated_sheet(&b);
        daily_sheet(&b, "Daily list cost, all teams", r->days, r->n_days);
        groups_sheet(&b, "Top projects", "Top projects", "Project", &r->top_projects);
        groups_sheet(&b, "Top users", "Top users", "User", &r->top_users);
        groups_sheet(&b, "By model", "Usage by model", "Model", &r->by_model);
        /* every summary workbook has the same sheets, for imports that name them: an unused
         * pool stays a row of zeros here, while the PDF and HTML summaries leave it out */
        groups_sheet(&b, "Shared pools", "Shared pools", "Pool", &r->shared_pools);
        coverage_sheet(&b);
        recon_sheet(&b);
        inputs_sheet(&b);
    }

    /* workbook_close frees the workbook whatever happens, so it runs even after an error */
    e = workbook_close(b.wb);
    b.wb = NULL;
    if (b.error != LXW_NO_ERROR)
        st = cb_error_set(err, CB_EIO, path, 0, b.where, "xlsx: %s", lxw_strerror(b.error));
    else if (e != LXW_NO_ERROR)
        st = cb_error_set(err, CB_EIO, path, 0, NULL, "xlsx: %s", lxw_strerror(e));
    free(company);
    free(author);
    free(comments);
    free(subject);
    free(keywords);
    free(title);
    return st;
}

struct xlsx_job {
    const struct report *r;
    const char *dir;
};

static enum cb_status team_book(size_t i, void *ctx, struct cb_error *err)
{
    const struct xlsx_job *j = ctx;
    char *path = xasprintf("%s/teams/%s.xlsx", j->dir, j->r->teams[i].slug);
    enum cb_status st = write_book(j->r, &j->r->teams[i], path, err);
    free(path);
    return st;
}

enum cb_status render_xlsx(const struct report *r, const struct render_dest *d,
                           struct cb_error *err)
{
    /* team books on worker threads (each its own workbook); the summary after them */
    struct xlsx_job job = {.r = r, .dir = d->dir};
    enum cb_status st = render_each(d, r->n_teams, team_book, &job, err);
    if (st == CB_OK) {
        char *path = paths_join(d->dir, "summary.xlsx");
        st = write_book(r, NULL, path, err);
        free(path);
    }
    return st;
}

/* PDF page layout on top of libharu for render_pdf.c: one document with the embedded DejaVu
 * fonts (and the CJK and Hangul fallbacks where its text needs them), a flowing cursor that starts
 * new pages, text that is sanitized against the font's glyph coverage, wrapped paragraphs, tables
 * whose header repeats on every page, and footers with "page N of M" drawn once the page count is
 * known. libharu errors are recorded in the document (never longjmp) and reported by pdf_doc_save.
 */
#ifndef CB_PDF_DOC_H
#define CB_PDF_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "status.h"
#include "strbuf.h"

/* How many fallback fonts are tried, in order, for what DejaVu Sans lacks: Droid Sans
 * Fallback (CJK ideographs, kana) and NanumGothic (Hangul). */
#define PDF_FALLBACKS 2

/* The fallback fonts and the code points no font could draw, shared by the documents of one
 * run (opaque: see pdf_doc.c). */
struct pdf_shared;
struct pdf_shell;

/* A stream's bytes deflated once per run, written as they are into every document that has
 * that stream (see pdf_doc.c). */
struct pdf_blob {
    uint8_t *data;
    size_t len;
};

/* A font file in memory, read by libharu through a callback stream. */
struct pdf_mem_reader {
    const uint8_t *data;
    size_t len, pos;
};

/* The two font files and which Unicode BMP code points both of them can draw. */
struct pdf_fonts {
    char *regular_path, *bold_path;
    uint8_t cover[65536 / 8]; /* bit c set: U+c has a glyph in both fonts */
    const char *replacement;  /* "\xEF\xBF\xBD" (U+FFFD) when covered, else "?" */
    uint8_t *icc;             /* the sRGB ICC profile for the PDF/A output intent, or NULL */
    size_t icc_len;
    /* glyph id of each BMP code point in the regular and bold font, as libharu's cmap lookup
     * gives it; NULL when libharu's fonts cannot take the flat cmap (see pdf_doc.c) */
    uint16_t *glyphs[2];
    char *to_unicode; /* the ToUnicode CMap of the DejaVu fonts of every document */
    size_t to_unicode_len;
    char *to_unicode_arabic; /* the same with the Arabic presentation forms, where drawn */
    size_t to_unicode_arabic_len;
    uint8_t *ttf[2]; /* the regular and bold font files, read once per run */
    size_t ttf_len[2];
    /* deflated once per run: both ToUnicode maps, the profile */
    struct pdf_blob to_unicode_z, to_unicode_arabic_z, icc_z;
    struct pdf_shared *shared;
};

/* Finds DejaVuSans.ttf and DejaVuSans-Bold.ttf in fonts_dir and reads their cmaps, and reads
 * the sRGB profile from icc/sRGB.icc beside fonts_dir (when absent: one msg_warn, and billing
 * PDFs go without an output intent). The fallback fonts are looked for in fonts_dir, then in
 * the folders of their Debian packages (fonts-droid-fallback, fonts-nanum), when a document
 * first needs one. Returns CB_OK, or CB_EIO with err naming the font file that is missing or
 * unreadable. Free with pdf_fonts_free (accepts a zeroed struct). */
enum cb_status pdf_fonts_load(struct pdf_fonts *f, const char *fonts_dir, struct cb_error *err);
void pdf_fonts_free(struct pdf_fonts *f);

/* One msg_warn for the whole run when some document printed characters that no embedded font
 * can show (or invalid UTF-8) as the replacement glyph, listing their code points; nothing
 * otherwise. Call once all documents are freed. */
void pdf_fonts_warn(const struct pdf_fonts *f);

struct pdf_col {
    const char *title;
    float width; /* points */
    bool right;  /* right-aligned (numbers) */
};

/* The smallest size an identifier cell or header value is set at before it would be broken. */
#define PDF_ID_MIN_SIZE 5.5f

struct pdf_table {
    const struct pdf_col *cols;
    size_t n;
    float size; /* font size of the body */
};

/* How a table flows (pdf_table_begin_with); zero for each is the plain table. */
struct pdf_table_flow {
    /* body rows to come, when known: the table's heading stays with its first rows (three, or
     * all of a table of up to PDF_KEEP_LINES rows, kept whole) and its last page holds at least
     * its last three rows */
    size_t rows;
    /* bit i set: column i holds identifiers (cost centre, invoice number, GL account), set on
     * one line and smaller when wider than the column (down to PDF_ID_MIN_SIZE), never broken
     * mid-word nor cut */
    uint32_t id_cols;
    /* where > 0: the size identifiers of column i start from instead of the table's, so that a
     * column of them reads at one size (pdf_table_id_size gives the size one of them needs) */
    float id_size[8];
};

/* One line of a label/value block (pdf_labels). */
struct pdf_label {
    const char *label; /* plain text */
    const char *value; /* raw text, cleaned with `field`; '\n' starts a new line */
    const char *field; /* names the value in warnings, or NULL */
    bool small;        /* a hash or an example: smaller, grey */
};

struct pdf_doc {
    HPDF_Doc pdf;
    HPDF_Font regular, bold;
    HPDF_Font fallback[PDF_FALLBACKS]; /* made on first use */
    uint8_t *used[PDF_FALLBACKS];      /* the code points measured or drawn in each */
    const struct pdf_fonts *fonts;
    HPDF_Page *pages;
    size_t n_pages;
    HPDF_Page page;                 /* the current page */
    float width, height;            /* page size, points */
    float left, right, top, bottom; /* content box */
    float y;                        /* the cursor: baseline area top, from the page bottom */
    bool shadow;
    const char *who;               /* "team X" or "summary", for pdf_fonts_warn */
    bool fallbacks_ready;          /* the shared fallback fonts were loaded (or looked for) */
    bool shaped;                   /* Arabic presentation forms were drawn (or measured) */
    uint32_t *missing;             /* sorted code points printed as the replacement */
    size_t n_missing, invalid;     /* and how many invalid UTF-8 bytes */
    struct strbuf fields;          /* "\n"-separated fields where that happened */
    const struct pdf_table *table; /* the open table, its header repeats on new pages */
    struct pdf_table_flow flow;    /* and how it flows */
    size_t table_row;              /* rows of it drawn so far */
    struct strbuf heading;         /* a heading not drawn yet: it goes with what follows */
    bool heading_pending;
    float heading_keep;
    HPDF_ExtGState translucent;                   /* the shadow watermark's alpha, made once */
    struct pdf_mem_reader readers[PDF_FALLBACKS]; /* the fallback fonts, read from memory */
    struct pdf_shell *shell; /* its libharu document, kept for the next (pdf_doc.c) */
    bool failed;
    HPDF_STATUS error_no, detail_no;
};

/* Starts a document: fonts embedded as UTF-8 CID fonts, compression on, info dates fixed from
 * issue_date ("YYYY-MM-DD"), paper "A4" or "Letter" (else A4). `who` is borrowed for the
 * document's life. Returns CB_OK or CB_EIO (libharu failed) with err. Free with pdf_doc_free. */
enum cb_status pdf_doc_open(struct pdf_doc *d, const struct pdf_fonts *fonts, const char *paper,
                            bool shadow, const char *issue_date, const char *title, const char *who,
                            struct cb_error *err);
void pdf_doc_free(struct pdf_doc *d);

/* Gives the document a stable /ID computed from `id_seed` and, when pdfa, declares PDF/A-1b
 * (XMP metadata, the sRGB output intent; libharu's own ID would hash the clock). Call after the
 * info is set and the pages are drawn, before saving. Errors are recorded for pdf_doc_save. */
void pdf_doc_identify(struct pdf_doc *d, const char *id_seed, bool pdfa);

/* Writes valid, drawable UTF-8 for `text` into out (reset first): invalid bytes, code points no
 * font has (DejaVu Sans, then the fallbacks) and the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069, as in the HTML) become the replacement glyph, noted for
 * pdf_fonts_warn with `field` (NULL: not noted); control characters become spaces (newlines
 * kept when keep_newlines). Text stays in logical order: pdf_width and pdf_text shape Arabic
 * and reorder right-to-left runs (GNU FriBidi) line by line. Returns out's string. */
const char *pdf_clean(struct pdf_doc *d, const char *text, const char *field, bool keep_newlines,
                      struct strbuf *out);

/* Width of already-clean text in points, as drawn (shaped, each character in the font that
 * has it). */
float pdf_width(struct pdf_doc *d, HPDF_Font font, float size, const char *text);
/* The size identifier `text` is set at in column `col` of table t, body font: the smallest of a
 * column's is the flow's id_size for one size down the column. */
/* Like pdf_fit, but cut in the middle: the head, "…", and the text's last words (up to a third
 * of the width), so that names differing only at their end stay apart in a chart. */
const char *pdf_fit_middle(struct pdf_doc *d, HPDF_Font font, float size, float width,
                           const char *text, struct strbuf *out);
float pdf_table_id_size(struct pdf_doc *d, const struct pdf_table *t, size_t col, const char *text);

/* Draws one line of clean text with its baseline at (x, y), in visual order, each run in the
 * font that has its glyphs (bold in a fallback font, which has no bold face, as filled and
 * stroked outlines); _right ends it at x. */
void pdf_text(struct pdf_doc *d, HPDF_Font font, float size, float x, float y, const char *text);
void pdf_text_right(struct pdf_doc *d, HPDF_Font font, float size, float x, float y,
                    const char *text);

void pdf_fill_rgb(struct pdf_doc *d, float r, float g, float b);
void pdf_rect(struct pdf_doc *d, float x, float y, float w, float h);

/* Starts a new page (with the table header if a table is open). */
void pdf_new_page(struct pdf_doc *d);
/* Makes room for h points below the cursor, starting a new page when needed. Returns true
 * when a page was started. */
bool pdf_need(struct pdf_doc *d, float h);

/* Splits clean text into lines no wider than `width` (words, then characters for long words).
 * Returns the number of lines; lines are appended to `out` separated by '\n'. */
size_t pdf_wrap(struct pdf_doc *d, HPDF_Font font, float size, float width, const char *text,
                struct strbuf *out);

/* Writes into out (reset first) clean text cut to one line of `width`, ending in "…" when
 * something was cut. Returns out's string. */
const char *pdf_fit(struct pdf_doc *d, HPDF_Font font, float size, float width, const char *text,
                    struct strbuf *out);

/* A section heading with a rule. It is drawn by the next pdf_need (every block starts with one),
 * on the page where that block starts, keeping max(keep, what the block needs) points free
 * below it: a heading never stands alone at the bottom of a page. */
void pdf_heading(struct pdf_doc *d, const char *text, float keep);
/* A wrapped paragraph of raw text (cleaned with `field`) at the cursor. A short one (up to
 * PDF_KEEP_LINES lines) is kept whole, moved to the next page rather than split; a longer one
 * flows across pages with at least two lines on each side of a break. */
void pdf_paragraph(struct pdf_doc *d, HPDF_Font font, float size, const char *text,
                   const char *field);
#define PDF_KEEP_LINES 8
/* The height pdf_paragraph would take for the same text, font and size. */
float pdf_paragraph_height(struct pdf_doc *d, HPDF_Font font, float size, const char *text,
                           const char *field);
/* A two-column block: each label in a narrow grey column of `label_w` points, its value
 * wrapped beside it, a hairline between rows. Kept on one page when it fits on one; else it
 * breaks between rows and its last page holds at least three rows. */
void pdf_labels(struct pdf_doc *d, float label_w, const struct pdf_label *rows, size_t n);
/* Moves the cursor down. */
void pdf_skip(struct pdf_doc *d, float h);

/* Opens a table at the cursor (header row drawn; repeated on each new page until
 * pdf_table_end). */
void pdf_table_begin(struct pdf_doc *d, const struct pdf_table *t);
/* The same with the flow of the table (copied). */
void pdf_table_begin_with(struct pdf_doc *d, const struct pdf_table *t,
                          const struct pdf_table_flow *flow);
/* One row of raw cell texts (cleaned with `field`), wrapped inside their columns; a row never
 * splits across pages. style: 0 plain, 1 bold with a rule above (totals), 2 shaded. */
void pdf_table_row(struct pdf_doc *d, const char *const *cells, int style, const char *field);
void pdf_table_end(struct pdf_doc *d);

/* Draws the footer on every page: `left` text, `line2` (may be ""), "page N of M"; in shadow
 * mode also the translucent diagonal "SHADOW — NOT BILLED" over the content. */
void pdf_doc_footers(struct pdf_doc *d, const char *left, const char *line2);

/* Saves to path. Returns CB_OK, or CB_EIO naming the path and libharu's error codes. */
enum cb_status pdf_doc_save(struct pdf_doc *d, const char *path, struct cb_error *err);

#endif

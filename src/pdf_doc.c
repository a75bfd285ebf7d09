#include "pdf_doc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fribidi.h>
#include <hpdf_utils.h>
#include <sodium.h>
#include <unistd.h>
#include <zlib.h>

#include "msg.h"
#include "paths.h"
#include "xalloc.h"

#define FONT_FILE_LIMIT (64L * 1024 * 1024)
#define MARGIN          48.0f
#define FOOTER_H        30.0f
#define CELL_PAD        4.0f
#define LEADING         1.25f

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf b = STRBUF_INIT;
    b.limit = (size_t)FONT_FILE_LIMIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_append(&b, chunk, n);
    bool bad = ferror(f) || b.overflow;
    fclose(f);
    if (bad) {
        strbuf_free(&b);
        return NULL;
    }
    *len = b.len;
    strbuf_cstr(&b);
    return (uint8_t *)strbuf_detach(&b);
}

/* Marks in `cover` the BMP code points the font maps to a glyph, from its cmap format 4
 * subtable (Windows Unicode BMP, or Unicode platform). Returns false when there is none. */
/* Finds the table `tag` of a TrueType font in memory: sets *at and *n to its offset and length
 * (the last record of that tag) and returns true, or returns false when it has none within len. */
static bool find_table(const uint8_t *ttf, size_t len, const char *tag, size_t *at, size_t *n)
{
    if (len < 12)
        return false;
    uint32_t ntables = be16(ttf + 4);
    if (12 + (size_t)ntables * 16 > len)
        return false;
    size_t off = 0, size = 0;
    for (uint32_t i = 0; i < ntables; i++) {
        const uint8_t *rec = ttf + 12 + (size_t)i * 16;
        if (memcmp(rec, tag, 4) == 0) {
            off = be32(rec + 8);
            size = be32(rec + 12);
        }
    }
    if (!off || off > len || size > len - off)
        return false;
    *at = off;
    *n = size;
    return true;
}

static bool cmap_cover(const uint8_t *ttf, size_t len, uint8_t *cover)
{
    size_t cmap = 0, cmap_len = 0;
    if (!find_table(ttf, len, "cmap", &cmap, &cmap_len) || cmap_len < 4)
        return false;
    const uint8_t *c = ttf + cmap;
    uint32_t nsub = be16(c + 2);
    size_t sub = 0;
    for (uint32_t i = 0; i < nsub && 4 + (size_t)i * 8 + 8 <= cmap_len; i++) {
        const uint8_t *rec = c + 4 + (size_t)i * 8;
        uint32_t plat = be16(rec), enc = be16(rec + 2), off = be32(rec + 4);
        if (off + 14 > cmap_len || be16(c + off) != 4)
            continue;
        if ((plat == 3 && enc == 1) || plat == 0)
            sub = off;
    }
    if (!sub)
        return false;
    const uint8_t *s = c + sub;
    size_t slen = be16(s + 2);
    if (sub + slen > cmap_len)
        return false;
    size_t segs = be16(s + 6) / 2;
    if (16 + segs * 8 > slen)
        return false;
    const uint8_t *ends = s + 14, *starts = ends + segs * 2 + 2;
    const uint8_t *deltas = starts + segs * 2, *ranges = deltas + segs * 2;
    for (size_t i = 0; i < segs; i++) {
        uint32_t end = be16(ends + i * 2), start = be16(starts + i * 2);
        uint32_t delta = be16(deltas + i * 2), ro = be16(ranges + i * 2);
        for (uint32_t u = start; u <= end && u < 0xFFFF; u++) {
            uint32_t glyph;
            if (ro == 0) {
                glyph = (u + delta) & 0xFFFF;
            } else {
                size_t at = (size_t)(ranges + i * 2 - s) + ro + (size_t)(u - start) * 2;
                if (at + 2 > slen)
                    continue;
                glyph = be16(s + at);
                if (glyph)
                    glyph = (glyph + delta) & 0xFFFF;
            }
            if (glyph)
                cover[u / 8] |= (uint8_t)(1u << (u % 8));
        }
    }
    return true;
}

/* libharu 2.3.0 maps a code point to a glyph by a linear search of the cmap's segments
 * (HPDF_TTFontDef_GetGlyphid), and HPDF_GetFont with the UTF-8 encoder does it for all 65,536
 * BMP code points of each font of each document, to build the CIDToGIDMap and W arrays: most of
 * the time of a small PDF. The lookup is the same for every document, so it is done once per
 * process (glyph_table) and each document's font then gets a flat cmap of one segment
 * 0000-FFFF whose glyph array is that table: with id_range_offset 2 the lookup reads
 * glyph_id_array[u] + id_delta (0), after one comparison. Only the in-memory cmap changes:
 * the embedded font program is made by subset_font. */
#define BMP 65536u

/* libharu 2.3.0 copies and fills memory a byte at a time (HPDF_MemCpy, HPDF_MemSet in
 * hpdf_utils.c), and every PDF goes through them for hundreds of kilobytes: HPDF_GetFont
 * clears a 128 KB table and writes a 128 KB CIDToGIDMap per font, and every stream write is a
 * HPDF_MemCpy. Its calls to them go through the dynamic symbol table, so these definitions,
 * which do the same with the C library's memset and (for 64 bytes or more: most calls copy a
 * few bytes, and a call to memcpy costs more than that) memcpy, are the ones it calls (as for
 * gmtime and ctime in render.c). The same result: HPDF_MemCpy returns out + n, HPDF_MemSet
 * s + n, and an overlapping copy, which memcpy may not do, is done as libharu's loop does it.
 * The 1,000-team bench month, --formats pdf on tmpfs, 5 alternating pairs: 3.44 -> 3.19 s wall,
 * 5.71 -> 5.30 s CPU (medians), every PDF byte-identical. */
HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
    uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
    if (n >= 64 && (o + n <= i || i + n <= o)) { /* a call costs more than a short loop */
        memcpy(out, in, n);
        return out + n;
    }
    while (n > 0) {
        *out++ = *in++;
        n--;
    }
    return out;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    if (n == 0)
        return s;
    memset(s, c, n);
    return (HPDF_BYTE *)s + n;
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data);

static HPDF_TTFontDefAttr tt_attr(HPDF_FontDef def)
{
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE || !def->attr)
        return NULL;
    HPDF_TTFontDefAttr a = def->attr;
    return a->cmap.format == 4 && a->cmap.seg_count_x2 > 0 ? a : NULL;
}

/* Replaces def's cmap with the flat one over `glyphs`. Returns false (def unchanged) when def
 * is not a format 4 TrueType font or memory runs out. */
static bool flatten_cmap(HPDF_FontDef def, const uint16_t *glyphs)
{
    HPDF_TTFontDefAttr a = tt_attr(def);
    if (!a)
        return false;
    HPDF_UINT16 *end = HPDF_GetMem(def->mmgr, sizeof *end);
    HPDF_UINT16 *start = HPDF_GetMem(def->mmgr, sizeof *start);
    HPDF_INT16 *delta = HPDF_GetMem(def->mmgr, sizeof *delta);
    HPDF_UINT16 *range = HPDF_GetMem(def->mmgr, sizeof *range);
    HPDF_UINT16 *ids = HPDF_GetMem(def->mmgr, BMP * sizeof *ids);
    if (!end || !start || !delta || !range || !ids) {
        void *got[5] = {end, start, delta, range, ids};
        for (int i = 0; i < 5; i++)
            if (got[i])
                HPDF_FreeMem(def->mmgr, got[i]);
        return false;
    }
    void *gone[5] = {a->cmap.end_count, a->cmap.start_count, a->cmap.id_delta,
                     a->cmap.id_range_offset, a->cmap.glyph_id_array};
    for (int i = 0; i < 5; i++)
        if (gone[i])
            HPDF_FreeMem(def->mmgr, gone[i]);
    a->cmap.end_count = end;
    a->cmap.start_count = start;
    a->cmap.id_delta = delta;
    a->cmap.id_range_offset = range;
    a->cmap.glyph_id_array = ids;
    *end = 0xFFFF;
    *start = 0;
    *delta = 0;
    *range = 2; /* index = range / 2 + (segment - seg_count) + (u - start) = u */
    memcpy(ids, glyphs, BMP * sizeof *ids);
    a->cmap.seg_count_x2 = 2;
    a->cmap.glyph_id_array_count = BMP;
    return true;
}

/* Fills t with libharu's glyph id of every BMP code point of def (a format 4 cmap).
 * HPDF_TTFontDef_GetGlyphid takes the first segment whose end is at or past the code point,
 * searching from the first: that segment only moves forward as the code point grows, so each
 * call is handed the cmap from that segment on (the arrays offset by it and the count cut by
 * as much; its arithmetic is relative to the segment and to the segments after it, so the
 * result is the same) and finds it at once, instead of after hundreds of segments. */
static void lookup_all(HPDF_FontDef def, uint16_t *t)
{
    HPDF_TTFontDefAttr a = tt_attr(def);
    const HPDF_TTF_CmapRange whole = a->cmap;
    size_t segs = whole.seg_count_x2 / 2, i = 0;
    for (uint32_t u = 0; u < BMP; u++) {
        while (i < segs && whole.end_count[i] < u)
            i++;
        a->cmap = whole;
        if (i < segs) {
            a->cmap.end_count = whole.end_count + i;
            a->cmap.start_count = whole.start_count + i;
            a->cmap.id_delta = whole.id_delta + i;
            a->cmap.id_range_offset = whole.id_range_offset + i;
            a->cmap.seg_count_x2 = (HPDF_UINT16)((segs - i) * 2);
        }
        t[u] = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)u);
    }
    a->cmap = whole;
}

/* Reads libharu's glyph id of every BMP code point of the font at `path`, then checks that a
 * flat cmap gives the same ids. Returns the table, or NULL when libharu fails or differs. */
static uint16_t *glyph_table(const char *path)
{
    struct pdf_doc probe = {0};
    HPDF_Doc pdf = HPDF_New(on_error, &probe);
    if (!pdf)
        return NULL;
    uint16_t *t = xmalloc(BMP * sizeof *t);
    const char *name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_FALSE);
    HPDF_FontDef def = name ? HPDF_GetFontDef(pdf, name) : NULL;
    bool ok = tt_attr(def) != NULL && !probe.failed;
    if (ok)
        lookup_all(def, t);
    ok = ok && !probe.failed && flatten_cmap(def, t);
    for (uint32_t u = 0; ok && u < BMP; u++)
        ok = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)u) == t[u];
    HPDF_Free(pdf);
    if (!ok || probe.failed) {
        free(t);
        return NULL;
    }
    return t;
}

/* Streams that are the same in every document (the ToUnicode maps, the ICC profile) are
 * deflated once per run and their compressed bytes written into each
 * document as they are. libharu deflates a stream with zlib's default level in one zlib
 * stream, and zlib's output does not depend on how the input is fed, so compress2 at that
 * level gives the same bytes; the document is byte for byte what libharu would write. */
static void deflate_blob(const void *data, size_t len, struct pdf_blob *z)
{
    uLongf cap = compressBound((uLong)len);
    z->data = xmalloc(cap);
    if (compress2(z->data, &cap, data, (uLong)len, Z_DEFAULT_COMPRESSION) != Z_OK) {
        free(z->data);
        z->data = NULL;
        cap = 0;
    }
    z->len = cap;
}

static void blob_free(struct pdf_blob *z)
{
    free(z->data);
    z->data = NULL;
    z->len = 0;
}

/* Written with no filter, as libharu would write it with FlateDecode: its Dict_Write removes
 * a /Filter when the filter is none and adds it as the last key otherwise, so the key goes
 * in the same place, after the others. */
static HPDF_STATUS deflated_before_write(HPDF_Dict obj)
{
    obj->filter = HPDF_STREAM_FILTER_NONE; /* libharu's font sets its own filter before */
    return HPDF_OK;
}

static HPDF_STATUS deflated_write(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter [ /FlateDecode ]\012");
}

/* Gives stream dictionary s the already deflated bytes of z. Returns false (s unchanged)
 * when there are none. */
static bool use_deflated(HPDF_Dict s, const struct pdf_blob *z)
{
    if (!s || !s->stream || !z || !z->data)
        return false;
    HPDF_MemStream_FreeData(s->stream);
    HPDF_Stream_Write(s->stream, z->data, (HPDF_UINT)z->len);
    s->filter = HPDF_STREAM_FILTER_NONE;
    s->before_write_fn = deflated_before_write;
    s->write_fn = deflated_write;
    return true;
}

/* libharu reads a font file through a stream; these read one already in memory, so no
 * document reads the font files again (HPDF_LoadTTFontFromFile would, and keeps reading it
 * to write the subset). They behave as libharu's file reader: a short read zero-fills. */
static HPDF_STATUS mem_read(HPDF_Stream s, HPDF_BYTE *p, HPDF_UINT *n)
{
    struct pdf_mem_reader *r = s->attr;
    size_t left = r->pos < r->len ? r->len - r->pos : 0;
    if (*n > left) {
        memset(p + left, 0, *n - left);
        if (left)
            memcpy(p, r->data + r->pos, left);
        r->pos += left;
        *n = (HPDF_UINT)left;
        return HPDF_STREAM_EOF;
    }
    memcpy(p, r->data + r->pos, *n);
    r->pos += *n;
    return HPDF_OK;
}

static HPDF_STATUS mem_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    struct pdf_mem_reader *r = s->attr;
    long long base = mode == HPDF_SEEK_CUR   ? (long long)r->pos
                     : mode == HPDF_SEEK_END ? (long long)r->len
                                             : 0;
    if (base + pos < 0)
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, 0);
    r->pos = (size_t)(base + pos);
    return HPDF_OK;
}

static HPDF_INT32 mem_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((struct pdf_mem_reader *)s->attr)->pos;
}

static HPDF_UINT32 mem_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((struct pdf_mem_reader *)s->attr)->len;
}

/* HPDF_LoadTTFontFromFile for a font in memory (r, owned by the caller, must outlive pdf):
 * the same font definition, registered and tagged as libharu does it. */
static const char *load_font(HPDF_Doc pdf, struct pdf_mem_reader *r, const uint8_t *data,
                             size_t len, HPDF_BOOL embedding)
{
    *r = (struct pdf_mem_reader){.data = data, .len = len};
    HPDF_Stream st = HPDF_CallbackReader_New(pdf->mmgr, mem_read, mem_seek, mem_tell, mem_size, r);
    HPDF_FontDef def = st ? HPDF_TTFontDef_Load(pdf->mmgr, st, embedding) : NULL;
    if (!def) {
        HPDF_CheckError(&pdf->error);
        return NULL;
    }
    HPDF_FontDef had = HPDF_Doc_FindFontDef(pdf, def->base_font);
    if (had) {
        HPDF_FontDef_Free(def);
        return had->base_font;
    }
    if (HPDF_List_Add(pdf->fontdef_list, def) != HPDF_OK) {
        HPDF_FontDef_Free(def);
        HPDF_CheckError(&pdf->error);
        return NULL;
    }
    if (embedding) {
        if (pdf->ttfont_tag[0] == 0) {
            memcpy(pdf->ttfont_tag, "HPDFAA", 6);
        } else {
            for (int i = 5; i >= 0; i--) {
                pdf->ttfont_tag[i] += 1;
                if (pdf->ttfont_tag[i] <= 'Z')
                    break;
                pdf->ttfont_tag[i] = 'A';
            }
        }
        HPDF_TTFontDef_SetTagName(def, (char *)pdf->ttfont_tag);
    }
    return def->base_font;
}

/* Gives font the ToUnicode CMap `cmap` (from to_unicode_cmap, deflated as z when z has bytes)
 * in place of libharu's, in the same object. */
static void fix_to_unicode(HPDF_Font font, const char *text, size_t len, const struct pdf_blob *z)
{
    HPDF_FontAttr attr = font ? font->attr : NULL;
    HPDF_Dict cmap = attr ? attr->cmap_stream : NULL;
    if (!cmap || !cmap->stream || !text)
        return;
    if (!use_deflated(cmap, z)) {
        HPDF_MemStream_FreeData(cmap->stream);
        HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)text, (HPDF_UINT)len);
    }
    /* the keys of an encoding CMap; a ToUnicode stream has none of them */
    static const char *const keys[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        HPDF_Dict_RemoveElement(cmap, keys[i]);
}

/* Where the glyphs of a TrueType font in memory are, for subset_font and mark_components. */
struct pdf_ttf {
    const uint8_t *ttf;
    size_t len, loca, glyf, glyf_len, n_glyphs;
    bool long_loca;
};

/* Fills t for the font `ttf` (borrowed): returns false when it has no head, maxp, loca or glyf
 * table within len, or its loca is short. */
static bool ttf_parse(struct pdf_ttf *t, const uint8_t *ttf, size_t len)
{
    size_t head = 0, head_len = 0, maxp = 0, maxp_len = 0, loca_len = 0;
    *t = (struct pdf_ttf){.ttf = ttf, .len = len};
    if (ttf && find_table(ttf, len, "head", &head, &head_len) && head_len >= 54 &&
        find_table(ttf, len, "maxp", &maxp, &maxp_len) && maxp_len >= 6 &&
        find_table(ttf, len, "loca", &t->loca, &loca_len) &&
        find_table(ttf, len, "glyf", &t->glyf, &t->glyf_len)) {
        t->long_loca = be16(ttf + head + 50) != 0;
        t->n_glyphs = be16(ttf + maxp + 4);
        if (t->n_glyphs > 0 && loca_len >= (t->n_glyphs + 1) * (t->long_loca ? 4 : 2))
            return true;
    }
    *t = (struct pdf_ttf){0};
    return false;
}

/* The fallback fonts, tried in this order for a code point DejaVu Sans lacks: the file, and
 * the folder of the Debian package that installs it, looked in after fonts_dir. They have no
 * bold face here (Droid Sans Fallback has none; NanumGothicBold would add as much again to a
 * document): bold text in them is drawn filled and stroked. */
static const struct {
    const char *file;
    const char *debian_dir, *package;
} fallback_files[PDF_FALLBACKS] = {
    {"DroidSansFallbackFull.ttf", "/usr/share/fonts/truetype/droid", "fonts-droid-fallback"},
    {"NanumGothic.ttf", "/usr/share/fonts/truetype/nanum", "fonts-nanum"},
};

struct pdf_fallback {
    char *path;             /* NULL: not found (or unusable) */
    uint8_t cover[BMP / 8]; /* code points it draws */
    uint16_t *glyphs;
    char *to_unicode; /* its ToUnicode CMap */
    size_t to_unicode_len;
    struct pdf_blob to_unicode_z; /* deflated */
    uint8_t *ttf;                 /* the file, for its subsets (see finish_font) */
    size_t ttf_len;
    struct pdf_ttf t;
};

/* The code points of each glyph of a font, from its glyph table: cp[start[g]] to
 * cp[start[g + 1] - 1] map to glyph g. */
struct glyph_index {
    uint32_t *start; /* n_glyphs + 1 */
    uint16_t *cp;
    size_t n_glyphs;
};

static void glyph_index_build(struct glyph_index *ix, const uint16_t *glyphs, size_t n_glyphs)
{
    *ix = (struct glyph_index){0};
    if (!glyphs || !n_glyphs)
        return;
    ix->n_glyphs = n_glyphs;
    ix->start = xcalloc(n_glyphs + 1, sizeof *ix->start);
    for (uint32_t u = 0; u < BMP; u++)
        if (glyphs[u] && glyphs[u] < n_glyphs)
            ix->start[glyphs[u] + 1]++;
    for (size_t g = 0; g < n_glyphs; g++)
        ix->start[g + 1] += ix->start[g];
    ix->cp = xmalloc((ix->start[n_glyphs] ? ix->start[n_glyphs] : 1) * sizeof *ix->cp);
    uint32_t *at = xmalloc(n_glyphs * sizeof *at);
    memcpy(at, ix->start, n_glyphs * sizeof *at);
    for (uint32_t u = 0; u < BMP; u++)
        if (glyphs[u] && glyphs[u] < n_glyphs)
            ix->cp[at[glyphs[u]]++] = (uint16_t)u;
    free(at);
}

static void glyph_index_free(struct glyph_index *ix)
{
    free(ix->start);
    free(ix->cp);
    *ix = (struct glyph_index){0};
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* A libharu document kept between the documents of a run, one per document drawn at a time:
 * HPDF_FreeDoc drops a document's objects but keeps its font definitions and encoders, so the
 * next document neither parses DejaVu Sans and its bold again (HPDF_TTFontDef_Load: 25,000
 * small reads a font) nor sets up the UTF-8 encoder (256 KB of tables). What a document leaves
 * in them is reset (the glyphs it used, its font descriptors, the font tag counter), so each
 * document is byte for byte what a fresh libharu document makes; a document that loaded a
 * fallback font does not hand its shell on (that font's tag would depend on the documents
 * before). */
struct pdf_shell {
    HPDF_Doc pdf;
    struct pdf_mem_reader readers[2]; /* DejaVu's, read by the kept font definitions */
    const char *names[2];             /* their names in pdf */
    HPDF_BYTE tag[6];                 /* pdf's font tag counter after them */
    struct pdf_shell *next;
};

struct pdf_shared {
    pthread_mutex_t lock;
    struct pdf_shell *idle; /* shells no document holds */
    char *fonts_dir;
    bool loaded;           /* the fallbacks were looked for */
    struct pdf_ttf ttf[2]; /* DejaVu Sans and its bold (pdf_fonts.ttf), for their subsets */
    struct glyph_index by_glyph[2]; /* and the code points of their glyphs */
    struct pdf_fallback fallback[PDF_FALLBACKS];
    uint32_t *missing; /* sorted */
    size_t n_missing, invalid, docs;
    struct strbuf fields;    /* "\n"-separated */
    struct strbuf docs_list; /* the documents, "\n"-separated */
    struct pdf_unshape *unshape;
};

static bool bit(const uint8_t *map, uint32_t u)
{
    return u < BMP && (map[u / 8] & (1u << (u % 8)));
}

/* What each Arabic presentation form (U+FB50-U+FDFF, U+FE70-U+FEFF) stands for, as FriBidi
 * shapes it: the letter, or lam and alef for the lam-alef ligatures; 0 where FriBidi makes
 * none. Filled by arabic_letters. */
struct pdf_unshape {
    uint32_t base[0x10000 - 0xFB50][2];
};

static uint32_t *unshaped(const struct pdf_unshape *t, uint32_t u)
{
    return u >= 0xFB50 && u <= 0xFFFF ? (uint32_t *)t->base[u - 0xFB50] : NULL;
}

/* Shapes `n` letters as one right-to-left word and notes, for each shaped form, the letters it
 * came from (a ligature takes the letter whose place FriBidi filled with U+FEFF beside it, in
 * logical order). */
static void shape_word(struct pdf_unshape *t, const FriBidiChar *word, int n)
{
    FriBidiChar str[4];
    FriBidiCharType types[4];
    FriBidiLevel levels[4] = {1, 1, 1, 1};
    FriBidiArabicProp props[4];
    memcpy(str, word, (size_t)n * sizeof *str);
    fribidi_get_bidi_types(str, n, types);
    fribidi_get_joining_types(str, n, props);
    fribidi_join_arabic(types, n, levels, props);
    fribidi_shape(FRIBIDI_FLAGS_ARABIC, levels, n, props, str);
    for (int i = 0; i < n; i++) {
        uint32_t *b = unshaped(t, str[i]);
        if (!b || str[i] == word[i] || b[0])
            continue;
        b[0] = word[i];
        if (i > 0 && str[i - 1] == FRIBIDI_CHAR_FILL) {
            b[0] = word[i - 1];
            b[1] = word[i];
        } else if (i + 1 < n && str[i + 1] == FRIBIDI_CHAR_FILL) {
            b[1] = word[i + 1];
        }
    }
}

static void arabic_letters(struct pdf_unshape *t)
{
    const FriBidiChar beh = 0x0628, lam = 0x0644;
    for (FriBidiChar c = 0x0621; c <= 0x06FF; c++) {
        const FriBidiChar contexts[4][3] = {{c}, {beh, c}, {c, beh}, {beh, c, beh}};
        const int lens[4] = {1, 2, 2, 3};
        for (int k = 0; k < 4; k++)
            shape_word(t, contexts[k], lens[k]);
    }
    const FriBidiChar alefs[] = {0x0622, 0x0623, 0x0625, 0x0627};
    for (size_t i = 0; i < sizeof alefs / sizeof alefs[0]; i++) {
        const FriBidiChar isolated[2] = {lam, alefs[i]}, final[3] = {beh, lam, alefs[i]};
        shape_word(t, isolated, 2);
        shape_word(t, final, 3);
    }
}

/* A ToUnicode CMap for a font drawing the code points in `cover`. The codes are the Unicode
 * BMP code points (libharu's UTF-8 encoder writes each character as its 2-byte code point
 * under Identity-H), so each maps to itself, except, with `t`, the Arabic presentation forms the
 * font has, which map to the letters they show (extracted text reads as the HTML and XLSX do;
 * without `t` the map is a third of the size, for documents without shaped Arabic). One
 * bfrange per stretch of identity codes within a high byte that the font covers (controls,
 * surrogates and U+FFFE/U+FFFF left out), one bfchar per presentation form, at most 100 entries
 * to a block: Adobe Technical Note #5411 (ToUnicode mapping file tutorial) and #5014 (CMap
 * and CIDFont files) allow 100 and a bfrange that differs only in its last byte. libharu
 * 2.3.0 writes its UTF-8 encoding CMap there instead, whose begincidrange is not a ToUnicode
 * operator (poppler warns "Invalid 'begincidrange' operator in ToUnicode CMap"). Returns a
 * new string; free with free(). */
static char *to_unicode_cmap(const uint8_t *cover, const struct pdf_unshape *t, size_t *len)
{
    /* entries: ranges lo-hi to themselves, and single codes (lo == hi) to to[0] to[1] */
    struct entry {
        uint32_t lo, hi, to[2];
    };
    /* a presentation form splits a high byte's range: at most 256 ranges and one per form */
    enum { FORMS = 0x10000 - 0xFB50 };
    struct entry *e[2] = {xcalloc(256 + FORMS, sizeof **e), xcalloc(FORMS, sizeof **e)};
    size_t n[2] = {0, 0};
    for (uint32_t h = 0; h < 256; h++) {
        bool any = false;
        for (uint32_t u = h << 8; u < (h + 1) << 8 && !any; u++)
            any = bit(cover, u);
        if (!any || (h >= 0xD8 && h <= 0xDF))
            continue;
        uint32_t lo = h << 8 | (h == 0 ? 0x20 : 0), hi = h << 8 | (h == 0xFF ? 0xFD : 0xFF);
        uint32_t start = lo;
        for (uint32_t u = lo; u <= hi + 1; u++) {
            const uint32_t *base = u <= hi && t ? unshaped(t, u) : NULL;
            if (u <= hi && !(base && base[0] && bit(cover, u)))
                continue;
            if (start < u)
                e[0][n[0]++] = (struct entry){start, u - 1, {start, 0}};
            if (u <= hi)
                e[1][n[1]++] = (struct entry){u, u, {base[0], base[1]}};
            start = u + 1;
        }
    }
    struct strbuf b = STRBUF_INIT;
    strbuf_puts(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    static const char *const kinds[2] = {"bfrange", "bfchar"};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n[k]; i++) {
            const struct entry *x = &e[k][i];
            if (i % 100 == 0)
                strbuf_printf(&b, "%zu begin%s\n", n[k] - i < 100 ? n[k] - i : 100, kinds[k]);
            if (k == 0)
                strbuf_printf(&b, "<%04X> <%04X> ", (unsigned)x->lo, (unsigned)x->hi);
            else
                strbuf_printf(&b, "<%04X> ", (unsigned)x->lo);
            strbuf_printf(&b, "<%04X", (unsigned)x->to[0]);
            if (x->to[1])
                strbuf_printf(&b, "%04X", (unsigned)x->to[1]);
            strbuf_puts(&b, ">\n");
            if (i % 100 == 99 || i + 1 == n[k])
                strbuf_printf(&b, "end%s\n", kinds[k]);
        }
    }
    strbuf_puts(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    free(e[0]);
    free(e[1]);
    *len = b.len;
    return strbuf_detach(&b);
}

static char *find_font(const char *fonts_dir, const char *debian_dir, const char *file)
{
    const char *dirs[2] = {fonts_dir, debian_dir};
    for (int i = 0; i < 2; i++) {
        char *p = paths_join(dirs[i], file);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

/* Finds fallback i and reads it: the file, its cover, where its glyphs are and libharu's glyph
 * table; leaves it out (path NULL, cover empty) when it is missing, not a TrueType font with a
 * Unicode cmap and a glyph table, or libharu cannot take it. */
static void fallback_load(struct pdf_fallback *fb, int i, const struct pdf_shared *s)
{
    const char *fonts_dir = s->fonts_dir;
    fb->path = find_font(fonts_dir, fallback_files[i].debian_dir, fallback_files[i].file);
    fb->ttf = fb->path ? read_file(fb->path, &fb->ttf_len) : NULL;
    bool ok = fb->ttf && cmap_cover(fb->ttf, fb->ttf_len, fb->cover) &&
              ttf_parse(&fb->t, fb->ttf, fb->ttf_len);
    if (ok)
        fb->glyphs = glyph_table(fb->path);
    if (fb->glyphs) {
        fb->to_unicode = to_unicode_cmap(fb->cover, NULL, &fb->to_unicode_len);
        deflate_blob(fb->to_unicode, fb->to_unicode_len, &fb->to_unicode_z);
    }
    if (!fb->glyphs) {
        free(fb->path);
        free(fb->ttf);
        fb->path = NULL;
        fb->ttf = NULL;
        memset(fb->cover, 0, sizeof fb->cover);
    }
}

/* Makes the fallbacks ready for d: looked for once per run, by the first document that meets
 * a code point DejaVu Sans lacks. */
static void fallbacks_ready(struct pdf_doc *d)
{
    if (d->fallbacks_ready)
        return;
    struct pdf_shared *s = d->fonts->shared;
    pthread_mutex_lock(&s->lock);
    if (!s->loaded) {
        for (int i = 0; i < PDF_FALLBACKS; i++)
            fallback_load(&s->fallback[i], i, s);
        s->loaded = true;
    }
    pthread_mutex_unlock(&s->lock);
    d->fallbacks_ready = true;
}

/* HPDF_GetFont(pdf, name, "UTF-8") with the flat cmap over `glyphs` (NULL: libharu's own).
 * HPDF_GetFont builds the W array and CIDToGIDMap of all 65,536 code points, which
 * finish_font replaces with those of the code points the document used: so that it builds
 * next to nothing, the flat cmap maps every code point to glyph 0 (whose width is the default
 * width, which W leaves out) while the font is made, and the real glyphs come in after. */
static HPDF_Font get_font(HPDF_Doc pdf, const char *name, const uint16_t *glyphs)
{
    static const uint16_t none[BMP];
    HPDF_FontDef def = HPDF_GetFontDef(pdf, name);
    bool flat = def && glyphs && flatten_cmap(def, none);
    HPDF_Font font = HPDF_GetFont(pdf, name, "UTF-8");
    if (flat)
        memcpy(tt_attr(def)->cmap.glyph_id_array, glyphs, BMP * sizeof *glyphs);
    return font;
}

/* Starts pdf's UTF-8 encoding and its DejaVu fonts (read from f's bytes through readers[0]
 * and [1]), with the flat cmaps; *regular and *bold stay NULL when libharu fails. */
static void open_fonts(HPDF_Doc pdf, const struct pdf_fonts *f, struct pdf_mem_reader *readers,
                       const char **names, HPDF_Font *regular, HPDF_Font *bold)
{
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    HPDF_Font *out[2] = {regular, bold};
    for (int i = 0; i < 2; i++)
        names[i] = load_font(pdf, &readers[i], f->ttf[i], f->ttf_len[i], HPDF_TRUE);
    for (int i = 0; i < 2; i++)
        *out[i] = names[i] ? get_font(pdf, names[i], f->glyphs[i]) : NULL;
}

enum cb_status pdf_fonts_load(struct pdf_fonts *f, const char *fonts_dir, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    uint8_t *bytes = NULL;
    uint8_t *other = xcalloc(1, sizeof f->cover);
    memset(f->cover, 0, sizeof f->cover);
    f->regular_path = paths_join(fonts_dir, "DejaVuSans.ttf");
    f->bold_path = paths_join(fonts_dir, "DejaVuSans-Bold.ttf");
    f->shared = xcalloc(1, sizeof *f->shared);
    pthread_mutex_init(&f->shared->lock, NULL);
    f->shared->fonts_dir = xstrdup(fonts_dir);
    f->shared->unshape = xcalloc(1, sizeof *f->shared->unshape);
    const char *paths[2] = {f->regular_path, f->bold_path};
    uint8_t *maps[2] = {f->cover, other};
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        bytes = read_file(paths[i], &len);
        if (!bytes) {
            st = cb_error_set(err, CB_EIO, paths[i], 0, NULL, "pdf: cannot read the font file");
            goto cleanup;
        }
        if (!cmap_cover(bytes, len, maps[i])) {
            st = cb_error_set(err, CB_EIO, paths[i], 0, NULL,
                              "pdf: not a TrueType font with a Unicode cmap");
            goto cleanup;
        }
        f->ttf[i] = bytes;
        f->ttf_len[i] = len;
        bytes = NULL;
    }
    for (size_t i = 0; i < sizeof f->cover; i++)
        f->cover[i] &= other[i];
    arabic_letters(f->shared->unshape);
    f->to_unicode = to_unicode_cmap(f->cover, NULL, &f->to_unicode_len);
    f->to_unicode_arabic = to_unicode_cmap(f->cover, f->shared->unshape, &f->to_unicode_arabic_len);
    for (int i = 0; i < 2; i++)
        f->glyphs[i] = glyph_table(paths[i]);
    deflate_blob(f->to_unicode, f->to_unicode_len, &f->to_unicode_z);
    deflate_blob(f->to_unicode_arabic, f->to_unicode_arabic_len, &f->to_unicode_arabic_z);
    for (int i = 0; i < 2; i++)
        if (ttf_parse(&f->shared->ttf[i], f->ttf[i], f->ttf_len[i]))
            glyph_index_build(&f->shared->by_glyph[i], f->glyphs[i], f->shared->ttf[i].n_glyphs);
    f->replacement = f->cover[0xFFFD / 8] & (1u << (0xFFFD % 8)) ? "\xEF\xBF\xBD" : "?";
    char *icc_path = paths_join(fonts_dir, "../icc/sRGB.icc");
    f->icc = read_file(icc_path, &f->icc_len);
    /* an ICC header: size at 0, 'acsp' at 36, an RGB data colour space at 16 */
    if (f->icc && (f->icc_len < 128 || be32(f->icc) != f->icc_len ||
                   memcmp(f->icc + 36, "acsp", 4) != 0 || memcmp(f->icc + 16, "RGB ", 4) != 0)) {
        free(f->icc);
        f->icc = NULL;
    }
    if (f->icc)
        deflate_blob(f->icc, f->icc_len, &f->icc_z);
    else
        msg_warn("pdf: %s is missing or not an RGB ICC profile; billing PDFs declare PDF/A-1b "
                 "without an output intent",
                 icc_path);
    free(icc_path);
cleanup:
    free(bytes);
    free(other);
    return st;
}

void pdf_fonts_free(struct pdf_fonts *f)
{
    if (!f)
        return;
    /* the kept documents read the font files: they go first */
    for (struct pdf_shell *sh = f->shared ? f->shared->idle : NULL, *next; sh; sh = next) {
        next = sh->next;
        HPDF_Free(sh->pdf);
        free(sh);
    }
    if (f->shared)
        f->shared->idle = NULL;
    free(f->regular_path);
    free(f->bold_path);
    free(f->icc);
    free(f->glyphs[0]);
    free(f->glyphs[1]);
    free(f->to_unicode);
    free(f->to_unicode_arabic);
    for (int i = 0; i < 2; i++) {
        free(f->ttf[i]);
        f->ttf[i] = NULL;
    }
    blob_free(&f->to_unicode_z);
    blob_free(&f->to_unicode_arabic_z);
    blob_free(&f->icc_z);
    struct pdf_shared *s = f->shared;
    if (s) {
        for (int i = 0; i < PDF_FALLBACKS; i++) {
            free(s->fallback[i].path);
            free(s->fallback[i].glyphs);
            free(s->fallback[i].ttf);
            free(s->fallback[i].to_unicode);
            blob_free(&s->fallback[i].to_unicode_z);
        }
        for (int i = 0; i < 2; i++)
            glyph_index_free(&s->by_glyph[i]);
        free(s->missing);
        strbuf_free(&s->fields);
        strbuf_free(&s->docs_list);
        free(s->fonts_dir);
        free(s->unshape);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
    f->regular_path = f->bold_path = NULL;
    f->icc = NULL;
    f->glyphs[0] = f->glyphs[1] = NULL;
    f->to_unicode = f->to_unicode_arabic = NULL;
    f->shared = NULL;
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    struct pdf_doc *d = user_data;
    if (!d->failed) {
        d->failed = true;
        d->error_no = error_no;
        d->detail_no = detail_no;
    }
}

static bool covered(const struct pdf_fonts *f, uint32_t u)
{
    return bit(f->cover, u);
}

/* Which font draws u: -1 DejaVu Sans (also for what nothing has: clean text holds none of
 * that), else the index of the first fallback that has it. */
static int face_of(const struct pdf_doc *d, uint32_t u)
{
    if (covered(d->fonts, u) || !d->fallbacks_ready)
        return -1;
    for (int i = 0; i < PDF_FALLBACKS; i++)
        if (bit(d->fonts->shared->fallback[i].cover, u))
            return i;
    return -1;
}

/* Decodes one UTF-8 sequence at s (n bytes left). Returns its length, or 0 when invalid
 * (overlong, surrogate, out of range, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *u)
{
    if (s[0] < 0x80) {
        *u = s[0];
        return 1;
    }
    size_t len;
    uint32_t min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *u = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *u = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *u = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *u = *u << 6 | (s[i] & 0x3F);
    }
    if (*u < min || *u > 0x10FFFF || (*u >= 0xD800 && *u <= 0xDFFF))
        return 0;
    return len;
}

static void utf8_put(struct strbuf *b, uint32_t u)
{
    char c[4];
    size_t n;
    if (u < 0x80) {
        c[0] = (char)u, n = 1;
    } else if (u < 0x800) {
        c[0] = (char)(0xC0 | u >> 6), c[1] = (char)(0x80 | (u & 0x3F)), n = 2;
    } else if (u < 0x10000) {
        c[0] = (char)(0xE0 | u >> 12), c[1] = (char)(0x80 | (u >> 6 & 0x3F));
        c[2] = (char)(0x80 | (u & 0x3F)), n = 3;
    } else {
        c[0] = (char)(0xF0 | u >> 18), c[1] = (char)(0x80 | (u >> 12 & 0x3F));
        c[2] = (char)(0x80 | (u >> 6 & 0x3F)), c[3] = (char)(0x80 | (u & 0x3F)), n = 4;
    }
    strbuf_append(b, c, n);
}

/* Adds u to the sorted set (*set, *n) unless it is there. */
static void set_add(uint32_t **set, size_t *n, uint32_t u)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((*set)[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && (*set)[lo] == u)
        return;
    *set = xreallocarray(*set, *n + 1, sizeof **set);
    memmove(*set + lo + 1, *set + lo, (*n - lo) * sizeof **set);
    (*set)[lo] = u;
    (*n)++;
}

/* Notes that u (or, for u == UINT32_MAX, an invalid byte) was printed as the replacement. */
static void note_missing(struct pdf_doc *d, uint32_t u)
{
    if (u == UINT32_MAX)
        d->invalid++;
    else
        set_add(&d->missing, &d->n_missing, u);
}

/* Adds field to a "\n"-separated list of fields unless it is there. */
static void add_field(struct strbuf *fields, const char *field)
{
    char *key = xasprintf("\n%s\n", field);
    if (!strstr(strbuf_cstr(fields), key)) {
        if (fields->len)
            fields->len--; /* keep one separator between keys */
        strbuf_puts(fields, key);
    }
    free(key);
}

static bool bidi_control(uint32_t u)
{
    return (u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069);
}

const char *pdf_clean(struct pdf_doc *d, const char *text, const char *field, bool keep_newlines,
                      struct strbuf *out)
{
    strbuf_reset(out);
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s);
    bool replaced = false;
    for (size_t i = 0; i < n;) {
        uint32_t u;
        size_t len = utf8_decode(s + i, n - i, &u);
        if (len == 0) {
            strbuf_puts(out, d->fonts->replacement);
            if (field)
                note_missing(d, UINT32_MAX);
            replaced = true;
            i++;
            continue;
        }
        bool drawable = covered(d->fonts, u) && !bidi_control(u);
        if (!drawable && !bidi_control(u) && u < BMP) {
            fallbacks_ready(d);
            drawable = face_of(d, u) >= 0;
        }
        if (u == '\n' && keep_newlines)
            strbuf_putc(out, '\n');
        else if (u < 0x20 || u == 0x7F || (u >= 0x80 && u < 0xA0))
            strbuf_putc(out, ' ');
        else if (!drawable) {
            strbuf_puts(out, d->fonts->replacement);
            if (field)
                note_missing(d, u);
            replaced = true;
        } else
            strbuf_append(out, (const char *)s + i, len);
        i += len;
    }
    if (replaced && field)
        add_field(&d->fields, field);
    return strbuf_cstr(out);
}

/* What drawing text takes: TEXT_PLAIN when DejaVu Sans draws all of it as it is, TEXT_RUNS when
 * some is in a fallback font, TEXT_BIDI when some is right-to-left (shaping, reordering). */
enum text_kind { TEXT_PLAIN, TEXT_RUNS, TEXT_BIDI };

static enum text_kind text_kind(const struct pdf_doc *d, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    enum text_kind k = TEXT_PLAIN;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t u;
        size_t len = utf8_decode(s + i, n - i, &u);
        if (len == 0)
            return k; /* not clean text: libharu draws the rest as it is */
        /* no character below U+0590 (Hebrew) is right-to-left */
        if (u >= 0x0590 && FRIBIDI_IS_RTL(fribidi_get_bidi_type(u)))
            return TEXT_BIDI;
        if (face_of(d, u) >= 0)
            k = TEXT_RUNS;
        i += len;
    }
    return k;
}

/* Writes into out (reset first) one line of clean text in visual order, shaped: Arabic letters
 * as their contextual presentation forms (and lam-alef ligatures) where a font has them,
 * right-to-left runs reversed with numbers and left-to-right runs inside them kept in order,
 * mirrored brackets; the paragraph direction is that of the first strong character. Returns
 * out's string. */
static const char *visual(struct pdf_doc *d, const char *text, struct strbuf *out)
{
    strbuf_reset(out);
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), len = 0;
    FriBidiChar *str = xcalloc(n + 1, sizeof *str), *orig = xcalloc(n + 1, sizeof *orig);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_decode(s + i, n - i, &str[len]);
        if (k == 0) {
            str[len] = 0xFFFD;
            k = 1;
        }
        orig[len] = str[len];
        len++;
        i += k;
    }
    FriBidiStrIndex m = (FriBidiStrIndex)len;
    FriBidiCharType *types = xcalloc(len + 1, sizeof *types);
    FriBidiBracketType *brackets = xcalloc(len + 1, sizeof *brackets);
    FriBidiLevel *levels = xcalloc(len + 1, sizeof *levels);
    FriBidiArabicProp *joining = xcalloc(len + 1, sizeof *joining);
    FriBidiParType dir = FRIBIDI_PAR_ON;
    /* marks stay before their letter in the visual string: DejaVu Sans draws a Hebrew or Arabic
     * mark from the pen position rightwards, over the letter drawn next (FriBidi's
     * REORDER_NSM would put each mark on its left neighbour) */
    FriBidiFlags flags = (FRIBIDI_FLAGS_DEFAULT & ~FRIBIDI_FLAG_REORDER_NSM) | FRIBIDI_FLAGS_ARABIC;
    fribidi_get_bidi_types(str, m, types);
    fribidi_get_bracket_types(str, m, types, brackets);
    bool ok = fribidi_get_par_embedding_levels_ex(types, brackets, m, &dir, levels) != 0;
    if (ok) {
        fribidi_get_joining_types(str, m, joining);
        fribidi_join_arabic(types, m, levels, joining);
        fribidi_shape(flags, levels, m, joining, str);
        /* a shaped form no font has goes back to the letter (a ligature to both letters,
         * whose second place FriBidi filled with U+FEFF) */
        for (size_t i = 0; i < len; i++) {
            if (str[i] == orig[i] || str[i] == FRIBIDI_CHAR_FILL)
                continue;
            if (covered(d->fonts, str[i]) || face_of(d, str[i]) >= 0)
                continue;
            str[i] = orig[i];
            for (size_t j = i ? i - 1 : i; j <= i + 1 && j < len; j++)
                if (str[j] == FRIBIDI_CHAR_FILL && orig[j] != FRIBIDI_CHAR_FILL)
                    str[j] = orig[j];
        }
        ok = fribidi_reorder_line(flags, types, m, 0, dir, levels, str, NULL) != 0;
    }
    for (size_t i = 0; i < len; i++) {
        uint32_t u = ok ? str[i] : orig[i];
        if (u >= 0xFB50 && u != orig[i])
            d->shaped = true;
        /* the ligatures' fillers and the zero-width direction marks draw nothing */
        if (u == FRIBIDI_CHAR_FILL || u == 0x200E || u == 0x200F || u == 0x061C)
            continue;
        utf8_put(out, u);
    }
    free(joining);
    free(levels);
    free(brackets);
    free(types);
    free(orig);
    free(str);
    return strbuf_cstr(out);
}

/* The font that draws a run of face `face` where the caller asked for `font` (d->regular or
 * d->bold), made on first use; *stroke is set when bold must be drawn as stroked outlines. */
static HPDF_Font face_font(struct pdf_doc *d, HPDF_Font font, int face, bool *stroke)
{
    *stroke = false;
    if (face < 0 || d->failed)
        return font;
    const struct pdf_fallback *fb = &d->fonts->shared->fallback[face];
    if (!d->fallback[face]) {
        const char *name = load_font(d->pdf, &d->readers[face], fb->ttf, fb->ttf_len, HPDF_TRUE);
        HPDF_Font f = name ? get_font(d->pdf, name, fb->glyphs) : NULL;
        if (!f)
            return font;
        fix_to_unicode(f, fb->to_unicode, fb->to_unicode_len, &fb->to_unicode_z);
        d->fallback[face] = f;
        d->used[face] = xcalloc(1, BMP / 8);
    }
    *stroke = font == d->bold;
    return d->fallback[face];
}

/* The length in bytes of the run at the start of text (visual, clean) drawn by one face. */
static size_t run_len(const struct pdf_doc *d, const char *text, int *face)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    *face = -2;
    while (i < n) {
        uint32_t u;
        size_t len = utf8_decode(s + i, n - i, &u);
        int f = len ? face_of(d, u) : -1;
        if (len == 0)
            len = 1;
        if (*face != -2 && f != *face)
            break;
        *face = f;
        i += len;
    }
    return i;
}

/* Notes the code points of a run (n bytes of clean text) that fallback `face` draws. */
static void mark_used(struct pdf_doc *d, int face, const char *text, size_t n)
{
    if (face < 0 || !d->used[face])
        return;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        uint32_t u;
        size_t len = utf8_decode(s + i, n - i, &u);
        if (len == 0)
            len = 1;
        else if (u < BMP)
            d->used[face][u / 8] |= (uint8_t)(1u << (u % 8));
        i += len;
    }
}

static float measure(HPDF_Font font, float size, const char *text, size_t n)
{
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)text, (HPDF_UINT)n);
    return (float)tw.width * size / 1000.0f;
}

float pdf_width(struct pdf_doc *d, HPDF_Font font, float size, const char *text)
{
    size_t n = strlen(text);
    if (n == 0)
        return 0;
    enum text_kind kind = text_kind(d, text);
    if (kind == TEXT_PLAIN)
        return measure(font, size, text, n);
    struct strbuf v = STRBUF_INIT;
    const char *p = kind == TEXT_BIDI ? visual(d, text, &v) : text;
    float w = 0;
    while (*p) {
        int face;
        bool stroke;
        size_t k = run_len(d, p, &face);
        w += measure(face_font(d, font, face, &stroke), size, p, k);
        mark_used(d, face, p, k);
        p += k;
    }
    strbuf_free(&v);
    return w;
}

static void show(struct pdf_doc *d, HPDF_Font font, float size, float x, float y, const char *text)
{
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, font, size);
    HPDF_Page_TextOut(d->page, x, y, text);
    HPDF_Page_EndText(d->page);
}

void pdf_text(struct pdf_doc *d, HPDF_Font font, float size, float x, float y, const char *text)
{
    if (!*text || d->failed)
        return;
    enum text_kind kind = text_kind(d, text);
    if (kind == TEXT_PLAIN) {
        show(d, font, size, x, y, text);
        return;
    }
    struct strbuf v = STRBUF_INIT, run = STRBUF_INIT;
    const char *p = kind == TEXT_BIDI ? visual(d, text, &v) : text;
    while (*p && !d->failed) {
        int face;
        bool stroke;
        size_t k = run_len(d, p, &face);
        HPDF_Font f = face_font(d, font, face, &stroke);
        mark_used(d, face, p, k);
        strbuf_reset(&run);
        strbuf_append(&run, p, k);
        if (stroke) {
            /* a bold look for a face without bold: the outlines stroked in the fill colour */
            HPDF_Page_GSave(d->page);
            if (HPDF_Page_GetFillingColorSpace(d->page) == HPDF_CS_DEVICE_RGB) {
                HPDF_RGBColor c = HPDF_Page_GetRGBFill(d->page);
                HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
            } else {
                HPDF_Page_SetGrayStroke(d->page, HPDF_Page_GetGrayFill(d->page));
            }
            HPDF_Page_SetLineWidth(d->page, size * 0.04f);
            HPDF_Page_SetTextRenderingMode(d->page, HPDF_FILL_THEN_STROKE);
            show(d, f, size, x, y, strbuf_cstr(&run));
            HPDF_Page_GRestore(d->page);
        } else {
            show(d, f, size, x, y, strbuf_cstr(&run));
        }
        x += measure(f, size, p, k);
        p += k;
    }
    strbuf_free(&run);
    strbuf_free(&v);
}

void pdf_text_right(struct pdf_doc *d, HPDF_Font font, float size, float x, float y,
                    const char *text)
{
    pdf_text(d, font, size, x - pdf_width(d, font, size, text), y, text);
}

void pdf_fill_rgb(struct pdf_doc *d, float r, float g, float b)
{
    HPDF_Page_SetRGBFill(d->page, r, g, b);
}

void pdf_rect(struct pdf_doc *d, float x, float y, float w, float h)
{
    if (w <= 0 || h <= 0)
        return;
    HPDF_Page_Rectangle(d->page, x, y, w, h);
    HPDF_Page_Fill(d->page);
}

static void watermark(struct pdf_doc *d)
{
    static const char text[] = "SHADOW \xE2\x80\x94 NOT BILLED";
    float size = 54;
    float w = pdf_width(d, d->bold, size, text);
    float diag = atan2f(d->height, d->width);
    float c = cosf(diag), s = sinf(diag);
    /* centre the text's box (width w, cap height ~0.73 em) on the page centre */
    float cx = d->width / 2 - (w / 2) * c + (0.36f * size) * s;
    float cy = d->height / 2 - (w / 2) * s - (0.36f * size) * c;
    /* drawn last, over the content, so it must be translucent (shadow documents are not
     * PDF/A, where transparency is forbidden) */
    if (!d->translucent) {
        d->translucent = HPDF_CreateExtGState(d->pdf);
        HPDF_ExtGState_SetAlphaFill(d->translucent, 0.16f);
    }
    HPDF_ExtGState gs = d->translucent;
    HPDF_Page_GSave(d->page);
    HPDF_Page_SetExtGState(d->page, gs);
    HPDF_Page_SetRGBFill(d->page, 0.55f, 0.55f, 0.55f);
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, d->bold, size);
    HPDF_Page_SetTextMatrix(d->page, c, s, -s, c, cx, cy);
    HPDF_Page_ShowText(d->page, text);
    HPDF_Page_EndText(d->page);
    HPDF_Page_GRestore(d->page);
}

static void table_header(struct pdf_doc *d);

void pdf_new_page(struct pdf_doc *d)
{
    if (d->failed)
        return;
    HPDF_Page p = HPDF_AddPage(d->pdf);
    if (!p)
        return;
    d->pages = xreallocarray(d->pages, d->n_pages + 1, sizeof *d->pages);
    d->pages[d->n_pages++] = p;
    d->page = p;
    HPDF_Page_SetWidth(p, d->width);
    HPDF_Page_SetHeight(p, d->height);
    HPDF_Page_SetGrayFill(p, 0);
    HPDF_Page_SetGrayStroke(p, 0);
    d->y = d->top;
    if (d->table)
        table_header(d);
}

static bool flush_heading(struct pdf_doc *d, float h);

bool pdf_need(struct pdf_doc *d, float h)
{
    if (d->heading_pending)
        return flush_heading(d, h);
    if (d->y - h >= d->bottom)
        return false;
    pdf_new_page(d);
    return true;
}

void pdf_skip(struct pdf_doc *d, float h)
{
    if (d->heading_pending)
        flush_heading(d, 0);
    d->y -= h;
    if (d->y < d->bottom)
        d->y = d->bottom;
}

/* Appends to out the longest prefix of `word` (clean UTF-8) that fits in width; returns the
 * number of bytes taken (at least one character). */
static size_t fit_chars(struct pdf_doc *d, HPDF_Font font, float size, float width,
                        const char *word, size_t n)
{
    size_t best = 0;
    size_t i = 0;
    char *tmp = xmalloc(n + 1);
    while (i < n) {
        size_t next = i + 1;
        while (next < n && ((unsigned char)word[next] & 0xC0) == 0x80)
            next++;
        memcpy(tmp, word, next);
        tmp[next] = '\0';
        if (best && pdf_width(d, font, size, tmp) > width)
            break;
        best = next;
        i = next;
    }
    free(tmp);
    return best;
}

size_t pdf_wrap(struct pdf_doc *d, HPDF_Font font, float size, float width, const char *text,
                struct strbuf *out)
{
    size_t lines = 0;
    struct strbuf line = STRBUF_INIT, cand = STRBUF_INIT;
    const char *p = text;
    for (;;) {
        /* one paragraph up to '\n' or the end */
        const char *end = strchr(p, '\n');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        strbuf_reset(&line);
        size_t i = 0;
        while (i < plen) {
            while (i < plen && p[i] == ' ')
                i++;
            if (i >= plen)
                break;
            size_t w0 = i;
            while (i < plen && p[i] != ' ')
                i++;
            const char *word = p + w0;
            size_t wlen = i - w0;
            strbuf_reset(&cand);
            if (line.len) {
                strbuf_append(&cand, line.data, line.len);
                strbuf_putc(&cand, ' ');
            }
            strbuf_append(&cand, word, wlen);
            if (pdf_width(d, font, size, strbuf_cstr(&cand)) <= width) {
                strbuf_reset(&line);
                strbuf_append(&line, cand.data, cand.len);
                continue;
            }
            if (line.len) {
                strbuf_append(out, line.data, line.len);
                strbuf_putc(out, '\n');
                lines++;
                strbuf_reset(&line);
            }
            /* the word alone: break it by characters while it is too wide */
            for (;;) {
                strbuf_reset(&cand);
                strbuf_append(&cand, word, wlen);
                if (pdf_width(d, font, size, strbuf_cstr(&cand)) <= width) {
                    strbuf_append(&line, word, wlen);
                    break;
                }
                size_t take = fit_chars(d, font, size, width, word, wlen);
                strbuf_append(out, word, take);
                strbuf_putc(out, '\n');
                lines++;
                word += take;
                wlen -= take;
                if (!wlen)
                    break;
            }
        }
        if (line.len || plen == 0 || lines == 0) {
            strbuf_append(out, line.data ? line.data : "", line.len);
            strbuf_putc(out, '\n');
            lines++;
        }
        if (!end)
            break;
        p = end + 1;
    }
    strbuf_free(&line);
    strbuf_free(&cand);
    return lines;
}

const char *pdf_fit(struct pdf_doc *d, HPDF_Font font, float size, float width, const char *text,
                    struct strbuf *out)
{
    static const char ellipsis[] = "\xE2\x80\xA6";
    strbuf_reset(out);
    if (pdf_width(d, font, size, text) <= width) {
        strbuf_puts(out, text);
        return strbuf_cstr(out);
    }
    size_t n = strlen(text);
    size_t keep = fit_chars(d, font, size, width - pdf_width(d, font, size, ellipsis), text, n);
    while (keep > 0 && text[keep - 1] == ' ')
        keep--;
    strbuf_append(out, text, keep);
    strbuf_puts(out, ellipsis);
    return strbuf_cstr(out);
}

const char *pdf_fit_middle(struct pdf_doc *d, HPDF_Font font, float size, float width,
                           const char *text, struct strbuf *out)
{
    static const char ellipsis[] = "\xE2\x80\xA6";
    strbuf_reset(out);
    if (pdf_width(d, font, size, text) <= width) {
        strbuf_puts(out, text);
        return strbuf_cstr(out);
    }
    /* the tail: the last words that fit in a third of the width */
    size_t n = strlen(text), t = n;
    for (size_t k = n; k > 0; k--)
        if (text[k - 1] == ' ') {
            if (pdf_width(d, font, size, text + k - 1) > width / 3)
                break;
            t = k - 1; /* "head… 18": the blank stays before the last words */
        }
    float rest = width - pdf_width(d, font, size, ellipsis) - pdf_width(d, font, size, text + t);
    size_t keep = fit_chars(d, font, size, rest, text, t);
    while (keep > 0 && text[keep - 1] == ' ')
        keep--;
    strbuf_append(out, text, keep);
    strbuf_puts(out, ellipsis);
    strbuf_puts(out, text + t);
    return strbuf_cstr(out);
}

/* Draws the pending heading where the block that follows it starts: on this page when the
 * heading and max(its keep, h) fit, else on a new one. Returns true when a page was started. */
static bool flush_heading(struct pdf_doc *d, float h)
{
    d->heading_pending = false;
    pdf_skip(d, 10);
    bool started = pdf_need(d, 24 + (h > d->heading_keep ? h : d->heading_keep));
    if (started)
        d->y = d->top; /* no gap above a heading at the top of a page */
    d->y -= 13;
    HPDF_Page_SetRGBFill(d->page, 0.12f, 0.23f, 0.42f);
    pdf_text(d, d->bold, 12, d->left, d->y, strbuf_cstr(&d->heading));
    HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    d->y -= 5;
    HPDF_Page_SetRGBStroke(d->page, 0.12f, 0.23f, 0.42f);
    HPDF_Page_SetLineWidth(d->page, 0.8f);
    HPDF_Page_MoveTo(d->page, d->left, d->y);
    HPDF_Page_LineTo(d->page, d->right, d->y);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetRGBStroke(d->page, 0, 0, 0);
    d->y -= 8;
    return started;
}

void pdf_heading(struct pdf_doc *d, const char *text, float keep)
{
    if (d->heading_pending)
        flush_heading(d, 0); /* a heading with nothing under it still shows */
    strbuf_reset(&d->heading);
    strbuf_puts(&d->heading, text);
    d->heading_keep = keep;
    d->heading_pending = true;
}

/* Wraps text to the content width into lines; returns their count. */
static size_t paragraph_lines(struct pdf_doc *d, HPDF_Font font, float size, const char *text,
                              const char *field, struct strbuf *lines)
{
    struct strbuf clean = STRBUF_INIT;
    pdf_clean(d, text, field, true, &clean);
    size_t n = pdf_wrap(d, font, size, d->right - d->left, strbuf_cstr(&clean), lines);
    strbuf_free(&clean);
    return n;
}

float pdf_paragraph_height(struct pdf_doc *d, HPDF_Font font, float size, const char *text,
                           const char *field)
{
    struct strbuf lines = STRBUF_INIT;
    size_t n = paragraph_lines(d, font, size, text, field, &lines);
    strbuf_free(&lines);
    return (float)n * size * LEADING;
}

void pdf_paragraph(struct pdf_doc *d, HPDF_Font font, float size, const char *text,
                   const char *field)
{
    struct strbuf lines = STRBUF_INIT;
    size_t n = paragraph_lines(d, font, size, text, field, &lines);
    float lead = size * LEADING;
    /* short: whole; long: never one or two lines alone at the bottom of a page */
    pdf_need(d, (float)(n <= PDF_KEEP_LINES ? n : 3) * lead);
    char *p = lines.data;
    for (size_t i = 0; p && *p; i++) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        /* nor alone at the top of the next one */
        pdf_need(d, (n > PDF_KEEP_LINES && n - i == 3 ? 3 : 1) * lead);
        d->y -= lead;
        pdf_text(d, font, size, d->left, d->y + size * 0.25f, p);
        p = nl + 1;
    }
    strbuf_free(&lines);
}

void pdf_labels(struct pdf_doc *d, float label_w, const struct pdf_label *rows, size_t n)
{
    const float label_size = 8, gap = 8, pad = 3;
    float value_w = d->right - d->left - label_w - gap;
    struct strbuf clean = STRBUF_INIT;
    struct strbuf *wrapped = xcalloc(n ? n : 1, sizeof *wrapped);
    float *h = xcalloc(n ? n : 1, sizeof *h);
    float total = 0;
    for (size_t i = 0; i < n; i++) {
        float size = rows[i].small ? 7 : 8.5f;
        pdf_clean(d, rows[i].value ? rows[i].value : "", rows[i].field, true, &clean);
        size_t lines = pdf_wrap(d, d->regular, size, value_w, strbuf_cstr(&clean), &wrapped[i]);
        h[i] = (float)lines * size * LEADING + 2 * pad;
        total += h[i];
    }
    if (total <= d->top - d->bottom)
        pdf_need(d, total);
    for (size_t i = 0; i < n; i++) {
        float size = rows[i].small ? 7 : 8.5f;
        float want = h[i];
        if (n - i == 3 && total > d->top - d->bottom)
            want = h[i] + h[i + 1] + h[i + 2];
        pdf_need(d, want);
        float top = d->y;
        d->y -= h[i];
        HPDF_Page_SetGrayFill(d->page, 0.35f);
        pdf_text(d, d->regular, label_size, d->left, top - pad - size * 0.95f, rows[i].label);
        HPDF_Page_SetGrayFill(d->page, rows[i].small ? 0.25f : 0);
        float base = top - pad - size * 0.95f;
        char *p = wrapped[i].data;
        while (p && *p) {
            char *nl = strchr(p, '\n');
            *nl = '\0';
            pdf_text(d, d->regular, size, d->left + label_w + gap, base, p);
            base -= size * LEADING;
            p = nl + 1;
        }
        HPDF_Page_SetGrayFill(d->page, 0);
        HPDF_Page_SetLineWidth(d->page, 0.3f);
        HPDF_Page_SetGrayStroke(d->page, 0.85f);
        HPDF_Page_MoveTo(d->page, d->left, d->y);
        HPDF_Page_LineTo(d->page, d->right, d->y);
        HPDF_Page_Stroke(d->page);
        HPDF_Page_SetGrayStroke(d->page, 0);
        strbuf_free(&wrapped[i]);
    }
    free(h);
    free(wrapped);
    strbuf_free(&clean);
}

static void table_header(struct pdf_doc *d)
{
    const struct pdf_table *t = d->table;
    float h = t->size * LEADING + 2 * CELL_PAD;
    d->y -= h;
    HPDF_Page_SetRGBFill(d->page, 0.12f, 0.23f, 0.42f);
    pdf_rect(d, d->left, d->y, d->right - d->left, h);
    HPDF_Page_SetRGBFill(d->page, 1, 1, 1);
    float x = d->left;
    for (size_t i = 0; i < t->n; i++) {
        float base = d->y + CELL_PAD + t->size * 0.3f;
        if (t->cols[i].right)
            pdf_text_right(d, d->bold, t->size, x + t->cols[i].width - CELL_PAD, base,
                           t->cols[i].title);
        else
            pdf_text(d, d->bold, t->size, x + CELL_PAD, base, t->cols[i].title);
        x += t->cols[i].width;
    }
    HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
}

void pdf_table_begin_with(struct pdf_doc *d, const struct pdf_table *t,
                          const struct pdf_table_flow *flow)
{
    float row = t->size * LEADING + 2 * CELL_PAD;
    d->flow = flow ? *flow : (struct pdf_table_flow){0};
    /* the header row with the first rows: three, or all of a table short enough to keep whole
     * (like a short paragraph), so a short table never leaves a tail of a few rows alone */
    size_t first = d->flow.rows && d->flow.rows <= PDF_KEEP_LINES ? d->flow.rows : 3;
    pdf_need(d, (float)(1 + first) * row);
    d->table = t;
    d->table_row = 0;
    table_header(d);
}

void pdf_table_begin(struct pdf_doc *d, const struct pdf_table *t)
{
    pdf_table_begin_with(d, t, NULL);
}

/* The size an identifier is set at in a cell of `width`: the body size, or smaller so that it
 * fits on one line (not below PDF_ID_MIN_SIZE). */
static float id_size(struct pdf_doc *d, HPDF_Font font, float size, float width, const char *text)
{
    while (size > PDF_ID_MIN_SIZE && pdf_width(d, font, size, text) > width)
        size -= 0.25f;
    return size;
}

float pdf_table_id_size(struct pdf_doc *d, const struct pdf_table *t, size_t col, const char *text)
{
    struct strbuf clean = STRBUF_INIT;
    pdf_clean(d, text ? text : "", NULL, false, &clean);
    float size =
        id_size(d, d->regular, t->size, t->cols[col].width - 2 * CELL_PAD, strbuf_cstr(&clean));
    strbuf_free(&clean);
    return size;
}

void pdf_table_end(struct pdf_doc *d)
{
    d->table = NULL;
}

void pdf_table_row(struct pdf_doc *d, const char *const *cells, int style, const char *field)
{
    const struct pdf_table *t = d->table;
    HPDF_Font font = style == 1 ? d->bold : d->regular;
    struct strbuf clean = STRBUF_INIT;
    struct strbuf *wrapped = xcalloc(t->n, sizeof *wrapped);
    float *sizes = xcalloc(t->n, sizeof *sizes);
    size_t most = 1;
    for (size_t i = 0; i < t->n; i++) {
        pdf_clean(d, cells[i] ? cells[i] : "", field, false, &clean);
        float w = t->cols[i].width - 2 * CELL_PAD;
        bool id = i < 32 && (d->flow.id_cols >> i & 1);
        float start = i < 8 && d->flow.id_size[i] > 0 && d->flow.id_size[i] < t->size
                          ? d->flow.id_size[i]
                          : t->size;
        sizes[i] = id ? id_size(d, font, start, w, strbuf_cstr(&clean)) : t->size;
        /* an identifier still too wide at the smallest size wraps rather than being cut */
        size_t n = pdf_wrap(d, font, sizes[i], w, strbuf_cstr(&clean), &wrapped[i]);
        if (n > most)
            most = n;
    }
    float lead = t->size * LEADING;
    float h = (float)most * lead + 2 * CELL_PAD - (lead - t->size) / 2;
    /* the last three rows of a table of known length start a page together */
    float want = d->flow.rows && d->flow.rows - d->table_row == 3 ? 3 * h : h;
    if (d->y - want < d->bottom && d->table_row > 0) {
        pdf_new_page(d); /* repeats the header */
    } else if (d->y - h < d->bottom) {
        pdf_new_page(d);
    }
    d->table_row++;
    d->y -= h;
    if (style == 2) {
        HPDF_Page_SetRGBFill(d->page, 0.94f, 0.95f, 0.97f);
        pdf_rect(d, d->left, d->y, d->right - d->left, h);
        HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    }
    HPDF_Page_SetLineWidth(d->page, style == 1 ? 0.8f : 0.3f);
    HPDF_Page_SetGrayStroke(d->page, style == 1 ? 0.2f : 0.8f);
    float rule = style == 1 ? d->y + h : d->y;
    HPDF_Page_MoveTo(d->page, d->left, rule);
    HPDF_Page_LineTo(d->page, d->right, rule);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetGrayStroke(d->page, 0);
    float x = d->left;
    for (size_t i = 0; i < t->n; i++) {
        float base = d->y + h - CELL_PAD - t->size * 0.95f;
        char *p = wrapped[i].data;
        while (p && *p) {
            char *nl = strchr(p, '\n');
            *nl = '\0';
            if (t->cols[i].right)
                pdf_text_right(d, font, sizes[i], x + t->cols[i].width - CELL_PAD, base, p);
            else
                pdf_text(d, font, sizes[i], x + CELL_PAD, base, p);
            base -= lead;
            p = nl + 1;
        }
        x += t->cols[i].width;
        strbuf_free(&wrapped[i]);
    }
    free(sizes);
    free(wrapped);
    strbuf_free(&clean);
}

void pdf_doc_footers(struct pdf_doc *d, const char *left, const char *line2)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, lines = STRBUF_INIT;
    if (d->heading_pending)
        flush_heading(d, 0);
    pdf_clean(d, left, NULL, false, &a); /* made of fields already checked in the body */
    pdf_clean(d, line2, "footer text", false, &b);
    /* the second line is cut to one line of the page width */
    pdf_fit(d, d->regular, 7, d->right - d->left, strbuf_cstr(&b), &lines);
    for (size_t i = 0; i < d->n_pages; i++) {
        d->page = d->pages[i];
        HPDF_Page_SetGrayStroke(d->page, 0.7f);
        HPDF_Page_SetLineWidth(d->page, 0.4f);
        HPDF_Page_MoveTo(d->page, d->left, MARGIN - 6);
        HPDF_Page_LineTo(d->page, d->right, MARGIN - 6);
        HPDF_Page_Stroke(d->page);
        HPDF_Page_SetGrayFill(d->page, 0.3f);
        char num[64];
        snprintf(num, sizeof num, "page %zu of %zu", i + 1, d->n_pages);
        float nw = pdf_width(d, d->regular, 7.5f, num);
        pdf_text_right(d, d->regular, 7.5f, d->right, MARGIN - 16, num);
        /* the left text must not run into the page number */
        struct strbuf cut = STRBUF_INIT;
        pdf_fit(d, d->regular, 7.5f, d->right - d->left - nw - 12, strbuf_cstr(&a), &cut);
        pdf_text(d, d->regular, 7.5f, d->left, MARGIN - 16, strbuf_cstr(&cut));
        strbuf_free(&cut);
        if (lines.data && *lines.data)
            pdf_text(d, d->regular, 7, d->left, MARGIN - 26, lines.data);
        HPDF_Page_SetGrayFill(d->page, 0);
        if (d->shadow)
            watermark(d);
    }
    strbuf_free(&a);
    strbuf_free(&b);
    strbuf_free(&lines);
}

static bool parse_date(const char *s, HPDF_Date *out)
{
    int y, m, dd;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &dd) != 3)
        return false;
    if (m < 1 || m > 12 || dd < 1 || dd > 31)
        return false;
    *out = (HPDF_Date){.year = y, .month = m, .day = dd, .ind = '+'};
    return true;
}

enum cb_status pdf_doc_open(struct pdf_doc *d, const struct pdf_fonts *fonts, const char *paper,
                            bool shadow, const char *issue_date, const char *title, const char *who,
                            struct cb_error *err)
{
    memset(d, 0, sizeof *d);
    d->fonts = fonts;
    d->shadow = shadow;
    d->who = who;
    bool letter = paper && strcmp(paper, "Letter") == 0;
    d->width = letter ? 612.0f : 595.276f;
    d->height = letter ? 792.0f : 841.89f;
    d->left = MARGIN;
    d->right = d->width - MARGIN;
    d->top = d->height - MARGIN + 8;
    d->bottom = MARGIN + FOOTER_H - 14;
    struct pdf_shared *s = fonts->shared;
    pthread_mutex_lock(&s->lock);
    struct pdf_shell *shell = s->idle;
    if (shell)
        s->idle = shell->next;
    pthread_mutex_unlock(&s->lock);
    if (shell) {
        d->shell = shell;
        d->pdf = shell->pdf;
        d->pdf->error.user_data = d;
        HPDF_NewDoc(d->pdf);
        HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
        memcpy(d->pdf->ttfont_tag, shell->tag, sizeof shell->tag);
        HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
        HPDF_Font *out[2] = {&d->regular, &d->bold};
        for (int i = 0; i < 2; i++) {
            HPDF_FontDef def = HPDF_GetFontDef(d->pdf, shell->names[i]);
            HPDF_TTFontDefAttr a = def ? def->attr : NULL;
            if (a) { /* HPDF_FreeDoc's clean-up, made sure of */
                memset(a->glyph_tbl.flgs, 0, a->num_glyphs);
                a->glyph_tbl.flgs[0] = 1;
                def->descriptor = NULL;
            }
            *out[i] = def ? get_font(d->pdf, shell->names[i], fonts->glyphs[i]) : NULL;
        }
    } else {
        d->pdf = HPDF_New(on_error, d);
        if (!d->pdf)
            return cb_error_set(err, CB_EIO, NULL, 0, NULL,
                                "pdf: libharu could not start a document");
        shell = d->shell = xcalloc(1, sizeof *shell);
        shell->pdf = d->pdf;
        HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
        open_fonts(d->pdf, fonts, shell->readers, shell->names, &d->regular, &d->bold);
        memcpy(shell->tag, d->pdf->ttfont_tag, sizeof shell->tag);
    }
    HPDF_Font both[2] = {d->regular, d->bold};
    for (int i = 0; i < 2; i++)
        if (both[i])
            fix_to_unicode(both[i], fonts->to_unicode, fonts->to_unicode_len, &fonts->to_unicode_z);
    HPDF_Date date;
    if (parse_date(issue_date, &date)) {
        HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, date);
        HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, date);
    }
    HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "chargeback");
    if (title)
        HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, title);
    if (d->failed || !d->regular || !d->bold)
        return cb_error_set(err, CB_EIO, fonts->regular_path, 0, NULL,
                            "pdf: libharu could not load the fonts (error 0x%04X, detail %u)",
                            (unsigned)d->error_no, (unsigned)d->detail_no);
    pdf_new_page(d);
    return CB_OK;
}

/* The PDF/A-1 output intent with the embedded sRGB profile. libharu 2.3.0 has
 * HPDF_PDFA_AppendOutputIntents, but it writes the key "/DestOutputProfile " with a trailing
 * space (a different name), so the dictionary is built here from its object functions. */
static void output_intent(struct pdf_doc *d)
{
    HPDF_Doc pdf = d->pdf;
    HPDF_Dict icc = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!icc)
        return;
    HPDF_Dict_AddNumber(icc, "N", 3);
    if (!use_deflated(icc, &d->fonts->icc_z)) {
        icc->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        HPDF_Stream_Write(icc->stream, d->fonts->icc, (HPDF_UINT)d->fonts->icc_len);
    }
    HPDF_Dict intent = HPDF_Dict_New(pdf->mmgr);
    if (!intent || HPDF_Xref_Add(pdf->xref, intent) != HPDF_OK)
        return;
    HPDF_Dict_AddName(intent, "Type", "OutputIntent");
    HPDF_Dict_AddName(intent, "S", "GTS_PDFA1");
    HPDF_Dict_Add(intent, "OutputConditionIdentifier",
                  HPDF_String_New(pdf->mmgr, "sRGB IEC61966-2.1", NULL));
    HPDF_Dict_Add(intent, "Info", HPDF_String_New(pdf->mmgr, "sRGB IEC61966-2.1", NULL));
    HPDF_Dict_Add(intent, "DestOutputProfile", icc);
    HPDF_Array intents = HPDF_Array_New(pdf->mmgr);
    if (!intents)
        return;
    HPDF_Array_Add(intents, intent);
    HPDF_Dict_Add(pdf->catalog, "OutputIntents", intents);
}

void pdf_doc_identify(struct pdf_doc *d, const char *id_seed, bool pdfa)
{
    if (d->failed)
        return;
    /* libharu 2.3.0's HPDF_PDFA_GenerateID hashes ctime(); it leaves an existing /ID alone,
     * so a stable one derived from the seed goes into the trailer first. */
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)id_seed, strlen(id_seed));
    HPDF_Array id = HPDF_Array_New(d->pdf->mmgr);
    if (!id)
        return;
    HPDF_Array_Add(id, HPDF_Binary_New(d->pdf->mmgr, hash, 16));
    HPDF_Array_Add(id, HPDF_Binary_New(d->pdf->mmgr, hash, 16));
    HPDF_Dict_Add(d->pdf->trailer, "ID", id);
    if (!pdfa)
        return;
    /* it calls ctime() before it sees the /ID above: render.c gives each thread its own */
    HPDF_PDFA_SetPDFAConformance(d->pdf, HPDF_PDFA_1B);
    /* libharu 2.3.0 names the metadata stream's subtype "/SubType"; PDF says "/Subtype" */
    HPDF_Dict xmp = HPDF_Dict_GetItem(d->pdf->catalog, "Metadata", HPDF_OCLASS_DICT);
    if (xmp) {
        HPDF_Dict_RemoveElement(xmp, "SubType");
        HPDF_Dict_AddName(xmp, "Subtype", "XML");
    }
    if (d->fonts->icc)
        output_intent(d);
}

/* Where glyph g of t is (offset into its glyf table, and its end). Returns false when it is
 * empty or out of bounds. */
static bool glyph_at(const struct pdf_ttf *t, size_t g, size_t *at, size_t *end)
{
    const uint8_t *loca = t->ttf + t->loca;
    *at = t->long_loca ? be32(loca + g * 4) : 2 * (size_t)be16(loca + g * 2);
    *end = t->long_loca ? be32(loca + g * 4 + 4) : 2 * (size_t)be16(loca + g * 2 + 2);
    return g < t->n_glyphs && *at < *end && *end <= t->glyf_len;
}

/* Calls fn(p + i, arg) at each component glyph id (2 bytes at p + i) of the composite glyph
 * p of len bytes; nothing for a simple glyph. */
static void each_component(uint8_t *p, size_t len, void (*fn)(uint8_t *id, void *arg), void *arg)
{
    if (len < 10 || be16(p) != 0xFFFF) /* numberOfContours -1: a composite */
        return;
    for (size_t i = 10;;) {
        if (i + 4 > len)
            return;
        uint32_t f = be16(p + i);
        fn(p + i + 2, arg);
        i += 4 + (f & 1 ? 4 : 2) + (f & 8 ? 2 : f & 0x40 ? 4 : f & 0x80 ? 8 : 0);
        if (!(f & 0x20)) /* MORE_COMPONENTS */
            return;
    }
}

struct component_marks {
    const struct pdf_ttf *t;
    HPDF_BYTE *flags;
    int depth;
};

static void mark_components(const struct pdf_ttf *t, size_t g, HPDF_BYTE *flags, int depth);

static void mark_component(uint8_t *id, void *arg)
{
    const struct component_marks *m = arg;
    size_t c = be16(id);
    if (c < m->t->n_glyphs) {
        m->flags[c] = 1;
        mark_components(m->t, c, m->flags, m->depth + 1);
    }
}

/* Flags the components of glyph g of t in flags, and theirs (to a depth of 8). libharu
 * 2.3.0 flags one level only, and reads component glyph ids as signed 16-bit numbers, so it
 * misses every id above 32767: most of Droid Sans Fallback's ideographs are composites of
 * such glyphs, which would come out blank or in parts. */
static void mark_components(const struct pdf_ttf *t, size_t g, HPDF_BYTE *flags, int depth)
{
    size_t at, end;
    if (depth > 8 || !glyph_at(t, g, &at, &end))
        return;
    struct component_marks m = {t, flags, depth};
    each_component((uint8_t *)t->ttf + t->glyf + at, end - at, mark_component, &m);
}

struct renumbering {
    const uint16_t *remap;
    size_t n_glyphs;
};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

static void renumber_component(uint8_t *id, void *arg)
{
    const struct renumbering *r = arg;
    size_t c = be16(id);
    put16(id, c < r->n_glyphs ? r->remap[c] : 0);
}

static uint32_t table_sum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        sum += be32(p + i);
    if (i < n) {
        uint8_t b[4] = {0, 0, 0, 0};
        memcpy(b, p + i, n - i);
        sum += be32(b);
    }
    return sum;
}

/* Writes into out (reset first) the font t cut to glyph 0 and the glyphs set in flags,
 * numbered anew in their order (remap[g]: the new id of glyph g, 0 for a glyph left out;
 * components of composites are renumbered too), with only the tables a CIDFontType2 program
 * needs (ISO 32000-1, 9.9: glyf, head, hhea, hmtx, loca, maxp, cvt, fpgm, prep; OS/2 for its
 * metrics) and a cmap that maps nothing (the CIDToGIDMap reaches the glyphs). libharu 2.3.0
 * keeps only the used glyphs too, but under their old ids and with loca, hmtx, cmap, name and
 * post whole: 149 KB for DejaVu Sans, 155 KB of metrics alone for Droid Sans Fallback's 49,382
 * glyphs. Returns false when a table it needs is missing or out of bounds. */
static bool subset_font(const struct pdf_ttf *t, const HPDF_BYTE *flags, uint16_t *remap,
                        struct strbuf *out)
{
    enum { OS2, CMAP, CVT, FPGM, GLYF, HEAD, HHEA, HMTX, LOCA, MAXP, PREP, N_TAGS };
    static const char *const tags[N_TAGS] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head",
                                             "hhea", "hmtx", "loca", "maxp", "prep"};
    const uint8_t *ttf = t->ttf;
    size_t at[N_TAGS], len[N_TAGS];
    for (size_t i = 0; i < N_TAGS; i++) {
        at[i] = len[i] = 0;
        bool optional = i == OS2 || i == CMAP || i == CVT || i == FPGM || i == PREP;
        if (!find_table(ttf, t->len, tags[i], &at[i], &len[i]) && !optional)
            return false;
    }
    size_t n_glyphs = t->n_glyphs;
    if (len[HEAD] < 54 || len[HHEA] < 36 || len[MAXP] < 6)
        return false;
    size_t n_metrics = be16(ttf + at[HHEA] + 34);
    if (n_metrics == 0 || n_metrics > n_glyphs ||
        len[HMTX] < n_metrics * 4 + (n_glyphs - n_metrics) * 2)
        return false;
    size_t kept = 0;
    for (size_t g = 0; g < n_glyphs; g++)
        remap[g] = g == 0 || flags[g] ? (uint16_t)kept++ : 0;
    /* the new glyf, loca (long offsets) and hmtx (a long metric for every glyph) */
    struct strbuf glyf = STRBUF_INIT;
    uint8_t *loca = xcalloc(kept + 1, 4);
    uint8_t *hmtx = xcalloc(kept, 4);
    const uint8_t *old_hmtx = ttf + at[HMTX];
    struct renumbering r = {remap, n_glyphs};
    for (size_t g = 0, k = 0; g < n_glyphs; g++) {
        if (g != 0 && !flags[g])
            continue;
        put32(loca + k * 4, (uint32_t)glyf.len);
        size_t a, e;
        if (glyph_at(t, g, &a, &e)) {
            size_t start = glyf.len;
            strbuf_append(&glyf, (const char *)ttf + t->glyf + a, e - a);
            if (!glyf.overflow)
                each_component((uint8_t *)glyf.data + start, e - a, renumber_component, &r);
            while (glyf.len % 4)
                strbuf_putc(&glyf, '\0');
        }
        size_t m = g < n_metrics ? g : n_metrics - 1;
        memcpy(hmtx + k * 4, old_hmtx + m * 4, 2); /* advance width */
        memcpy(hmtx + k * 4 + 2,
               g < n_metrics ? old_hmtx + g * 4 + 2
                             : old_hmtx + n_metrics * 4 + (g - n_metrics) * 2,
               2); /* left side bearing */
        k++;
    }
    put32(loca + kept * 4, (uint32_t)glyf.len);
    /* cmap: one (3,1) format 4 subtable with only the closing segment */
    static const uint8_t cmap[36] = {0, 0, 0,    1,    0, 3, 0,    1,    0, 0, 0, 12,
                                     0, 4, 0,    24,   0, 0, 0,    2,    0, 2, 0, 0,
                                     0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0, 1, 0, 0};
    uint8_t head[54], hhea[36], maxp[32];
    size_t maxp_len = len[MAXP] < sizeof maxp ? len[MAXP] : sizeof maxp;
    memcpy(head, ttf + at[HEAD], sizeof head);
    put32(head + 8, 0);  /* checkSumAdjustment, set below */
    put16(head + 50, 1); /* indexToLocFormat: long */
    memcpy(hhea, ttf + at[HHEA], sizeof hhea);
    put16(hhea + 34, (uint32_t)kept); /* numberOfHMetrics */
    memcpy(maxp, ttf + at[MAXP], maxp_len);
    put16(maxp + 4, (uint32_t)kept); /* numGlyphs */
    const uint8_t *data[N_TAGS];
    size_t size[N_TAGS];
    for (size_t i = 0; i < N_TAGS; i++) {
        data[i] = ttf + at[i];
        size[i] = len[i];
    }
    data[CMAP] = cmap, size[CMAP] = sizeof cmap;
    data[GLYF] = (const uint8_t *)glyf.data, size[GLYF] = glyf.len;
    data[HEAD] = head, size[HEAD] = sizeof head;
    data[HHEA] = hhea, size[HHEA] = sizeof hhea;
    data[HMTX] = hmtx, size[HMTX] = kept * 4;
    data[LOCA] = loca, size[LOCA] = (kept + 1) * 4;
    data[MAXP] = maxp, size[MAXP] = maxp_len;
    size_t n = 0;
    for (size_t i = 0; i < N_TAGS; i++)
        n += size[i] || i == GLYF ? 1 : 0;
    strbuf_reset(out);
    uint8_t dir[12 + N_TAGS * 16];
    memset(dir, 0, sizeof dir);
    put32(dir, 0x00010000);
    put16(dir + 4, (uint32_t)n);
    uint32_t pow2 = 1, log2 = 0;
    while (pow2 * 2 <= n)
        pow2 *= 2, log2++;
    put16(dir + 6, pow2 * 16);
    put16(dir + 8, log2);
    put16(dir + 10, (uint32_t)(n * 16 - pow2 * 16));
    size_t offset = 12 + n * 16, k = 0;
    uint32_t total = 0;
    for (size_t i = 0; i < N_TAGS; i++) {
        if (!size[i] && i != GLYF)
            continue;
        uint8_t *rec = dir + 12 + k++ * 16;
        memcpy(rec, tags[i], 4);
        uint32_t sum = table_sum(data[i], size[i]);
        put32(rec + 4, sum);
        put32(rec + 8, (uint32_t)offset);
        put32(rec + 12, (uint32_t)size[i]);
        total += sum;
        offset += (size[i] + 3) / 4 * 4;
    }
    strbuf_append(out, (const char *)dir, 12 + n * 16);
    total += table_sum(dir, 12 + n * 16);
    for (size_t i = 0; i < N_TAGS; i++) {
        if (!size[i] && i != GLYF)
            continue;
        size_t start = out->len;
        strbuf_append(out, (const char *)data[i], size[i]);
        while (out->len % 4)
            strbuf_putc(out, '\0');
        if (i == HEAD && !out->overflow) /* the adjustment that makes the font sum to 0xB1B0AFBA */
            put32((uint8_t *)out->data + start + 8, 0xB1B0AFBAu - total);
    }
    bool ok = !glyf.overflow && !out->overflow;
    free(hmtx);
    free(loca);
    strbuf_free(&glyf);
    return ok;
}

/* Gives font `font` its FontDescriptor (the same keys libharu writes) with the font program
 * `ttf`; libharu then leaves the descriptor and its FontFile2 alone. */
static void own_descriptor(HPDF_Font font, const struct strbuf *ttf)
{
    HPDF_FontAttr attr = font->attr;
    HPDF_FontDef def = attr->fontdef;
    HPDF_TTFontDefAttr ta = def->attr;
    HPDF_Dict desc = HPDF_Dict_New(font->mmgr);
    HPDF_Dict data = HPDF_DictStream_New(font->mmgr, attr->xref);
    if (!desc || !data || HPDF_Xref_Add(attr->xref, desc) != HPDF_OK)
        return;
    data->filter = font->filter;
    HPDF_Stream_Write(data->stream, (const HPDF_BYTE *)ttf->data, (HPDF_UINT)ttf->len);
    HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)ttf->len);
    HPDF_Dict_AddNumber(data, "Length2", 0);
    HPDF_Dict_AddNumber(data, "Length3", 0);
    HPDF_Dict_Add(desc, "FontFile2", data);
    HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
    HPDF_Dict_AddNumber(desc, "Ascent", def->ascent);
    HPDF_Dict_AddNumber(desc, "Descent", def->descent);
    HPDF_Dict_AddNumber(desc, "Flags", (HPDF_INT32)def->flags);
    HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(font->mmgr, def->font_bbox));
    HPDF_Dict_AddName(desc, "FontName", ta->base_font);
    HPDF_Dict_AddNumber(desc, "ItalicAngle", def->italic_angle);
    HPDF_Dict_AddNumber(desc, "StemV", def->stemv);
    HPDF_Dict_AddNumber(desc, "XHeight", def->x_height);
    def->descriptor = desc;
}

/* The code points (sorted, n of them; free with free()) that finish_font writes widths and
 * CIDToGIDMap entries for: those set in `used`, or with used NULL those whose glyph the
 * document measured or drew (flags), found through ix (each glyph's code points) or, without
 * it, libharu's lookup of every code point. */
static uint32_t *code_points(HPDF_FontDef def, const uint8_t *used, const struct glyph_index *ix,
                             size_t *n)
{
    HPDF_TTFontDefAttr ta = def->attr;
    const HPDF_BYTE *flags = ta->glyph_tbl.flgs;
    size_t cap = 64;
    uint32_t *cps = xmalloc(cap * sizeof *cps);
    *n = 0;
    if (!used && ix && ix->start) {
        for (size_t g = 1; g < ix->n_glyphs && g < ta->num_glyphs; g++) {
            if (!flags[g])
                continue;
            for (uint32_t i = ix->start[g]; i < ix->start[g + 1]; i++) {
                if (*n == cap)
                    cps = xreallocarray(cps, cap *= 2, sizeof *cps);
                cps[(*n)++] = ix->cp[i];
            }
        }
        qsort(cps, *n, sizeof *cps, cmp_u32);
        return cps;
    }
    for (uint32_t u = 0; u < BMP; u++) {
        bool in;
        if (used) {
            if (!used[u / 8]) {
                u |= 7;
                continue;
            }
            in = used[u / 8] & (1u << (u % 8));
        } else {
            uint16_t g = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)u);
            in = g && g < ta->num_glyphs && flags[g];
        }
        if (!in)
            continue;
        if (*n == cap)
            cps = xreallocarray(cps, cap *= 2, sizeof *cps);
        cps[(*n)++] = u;
    }
    return cps;
}

/* Before font `font` (of the file t, glyph ids `glyphs` per code point, NULL: libharu's
 * lookup) is written: its subset (the glyphs drawn and their components, renumbered), and its
 * CIDToGIDMap and widths for the code points of code_points only, instead of the 65,536 code
 * points libharu writes them for: a few hundred bytes instead of tens of kilobytes. When the
 * subset cannot be made (t has no usable tables), libharu writes its own from the same glyph
 * flags. */
static void finish_font(HPDF_Font font, const struct pdf_ttf *t, const uint16_t *glyphs,
                        const uint8_t *used, const struct glyph_index *ix)
{
    HPDF_FontAttr attr = font->attr;
    HPDF_FontDef def = attr->fontdef;
    HPDF_TTFontDefAttr ta = def->attr;
    HPDF_BYTE *flags = ta->glyph_tbl.flgs;
    size_t n;
    uint32_t *cps = code_points(def, used, glyphs ? ix : NULL, &n);
    uint16_t *gids = xmalloc((n ? n : 1) * sizeof *gids);
    for (size_t i = 0; i < n; i++)
        gids[i] = glyphs ? glyphs[cps[i]] : HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cps[i]);
    uint16_t *remap = NULL;
    struct strbuf ttf = STRBUF_INIT;
    if (t->ttf && !def->descriptor && ta->num_glyphs == t->n_glyphs) {
        for (size_t g = 0; g < t->n_glyphs; g++)
            if (flags[g])
                mark_components(t, g, flags, 0);
        remap = xcalloc(t->n_glyphs, sizeof *remap);
        if (subset_font(t, flags, remap, &ttf)) {
            own_descriptor(font, &ttf);
        } else {
            free(remap);
            remap = NULL;
        }
    }
    strbuf_free(&ttf);
    uint32_t max = n ? cps[n - 1] + 1 : 0;
    if (attr->map_stream) {
        HPDF_Stream st = attr->map_stream->stream;
        HPDF_MemStream_FreeData(st);
        uint8_t *map = xcalloc(max ? max : 1, 2);
        for (size_t i = 0; i < n; i++)
            put16(map + cps[i] * 2, remap ? (gids[i] < t->n_glyphs ? remap[gids[i]] : 0) : gids[i]);
        HPDF_Stream_Write(st, map, max * 2);
        free(map);
    }
    HPDF_Array w = HPDF_Array_New(font->mmgr);
    HPDF_Array run = NULL;
    for (size_t i = 0; w && i < n; i++) {
        if (!run || cps[i] != cps[i - 1] + 1) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cps[i]);
            run = HPDF_Array_New(font->mmgr);
            if (!run || HPDF_Array_Add(w, run) != HPDF_OK)
                break;
        }
        HPDF_Array_AddNumber(run, HPDF_TTFontDef_GetGidWidth(def, gids[i]));
    }
    if (w) {
        HPDF_Dict_RemoveElement(attr->descendant_font, "W");
        HPDF_Dict_Add(attr->descendant_font, "W", w);
    }
    free(remap);
    free(gids);
    free(cps);
}

/* The level a document's own streams are deflated at (deflate_streams). libharu uses zlib's
 * default, 6; level 2 gives up 5 % of size for a fifth of the PDFs' time: the 1,000-team bench
 * month's 1,001 PDFs, 5 alternating pairs on tmpfs, 2.93 -> 2.56 s wall and 5.17 -> 4.52 s CPU
 * (medians), 39.7 -> 41.9 KB a PDF; callgrind on 51 PDFs: 34.8 -> 31.9 M instructions a
 * document (level 4: 33.3 M and 2 % larger; level 1: 31.8 M and 7 %). The streams made once per
 * run (the ICC profile, the shared ToUnicode maps) keep level 6. */
#define STREAM_LEVEL 2

/* Scratch buffers, grown as needed. */
struct zbuf {
    uint8_t *in, *out;
    size_t in_cap, out_cap;
};

static uint8_t *zbuf_grow(uint8_t *p, size_t *cap, size_t need)
{
    if (*cap >= need)
        return p;
    free(p);
    *cap = need;
    return xmalloc(need);
}

/* Deflates stream dictionary s with z (reset first) when libharu would at saving: a stream
 * with the Flate filter, not deflated already, whose contents no write hook changes. */
static void deflate_stream(z_stream *z, HPDF_Dict s, struct zbuf *b)
{
    if (!s || !s->stream || !(s->filter & HPDF_STREAM_FILTER_FLATE_DECODE) ||
        s->write_fn == deflated_write || s->before_write_fn)
        return;
    HPDF_UINT32 n = HPDF_Stream_Size(s->stream);
    if (n == 0 || deflateReset(z) != Z_OK)
        return;
    size_t bound = deflateBound(z, n);
    b->in = zbuf_grow(b->in, &b->in_cap, n);
    b->out = zbuf_grow(b->out, &b->out_cap, bound);
    HPDF_UINT got = n;
    if (HPDF_Stream_Seek(s->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
        HPDF_Stream_Read(s->stream, b->in, &got) != HPDF_OK || got != n)
        return;
    z->next_in = b->in;
    z->avail_in = n;
    z->next_out = b->out;
    z->avail_out = (uInt)bound;
    if (deflate(z, Z_FINISH) != Z_STREAM_END)
        return;
    struct pdf_blob blob = {.data = b->out, .len = bound - z->avail_out};
    use_deflated(s, &blob);
}

/* Deflates the document's streams (the pages' contents, the fonts' programs, CIDToGIDMaps and
 * ToUnicode maps) before libharu writes them, at STREAM_LEVEL, with one zlib stream reset
 * between them: libharu sets one up (256 KB of state) for each. */
static void deflate_streams(struct pdf_doc *d)
{
    HPDF_List entries = d->pdf->xref ? d->pdf->xref->entries : NULL;
    z_stream z = {0};
    if (!entries || deflateInit(&z, STREAM_LEVEL) != Z_OK)
        return;
    struct zbuf b = {0};
    for (HPDF_UINT i = 0; i < entries->count; i++) {
        HPDF_XrefEntry e = HPDF_List_ItemAt(entries, i);
        HPDF_Obj_Header *h = e && e->obj ? e->obj : NULL;
        if (h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT)
            deflate_stream(&z, (HPDF_Dict)e->obj, &b);
    }
    deflateEnd(&z);
    free(b.in);
    free(b.out);
}

enum cb_status pdf_doc_save(struct pdf_doc *d, const char *path, struct cb_error *err)
{
    const struct pdf_shared *s = d->fonts->shared;
    HPDF_Font dejavu[2] = {d->regular, d->bold};
    for (int i = 0; i < 2 && !d->failed; i++)
        if (dejavu[i])
            finish_font(dejavu[i], &s->ttf[i], d->fonts->glyphs[i], NULL, &s->by_glyph[i]);
    for (int i = 0; i < PDF_FALLBACKS && !d->failed; i++)
        if (d->fallback[i])
            finish_font(d->fallback[i], &s->fallback[i].t, s->fallback[i].glyphs, d->used[i], NULL);
    if (d->shaped && !d->failed) {
        fix_to_unicode(d->regular, d->fonts->to_unicode_arabic, d->fonts->to_unicode_arabic_len,
                       &d->fonts->to_unicode_arabic_z);
        fix_to_unicode(d->bold, d->fonts->to_unicode_arabic, d->fonts->to_unicode_arabic_len,
                       &d->fonts->to_unicode_arabic_z);
    }
    if (!d->failed) {
        deflate_streams(d);
        HPDF_SaveToFile(d->pdf, path);
    }
    if (d->failed) {
        remove(path);
        return cb_error_set(err, CB_EIO, path, 0, NULL,
                            "pdf: libharu failed (error 0x%04X, detail %u)", (unsigned)d->error_no,
                            (unsigned)d->detail_no);
    }
    return CB_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the entries of a "\n"-separated list in sorted order (documents finish in any order
 * on several threads), ", "-separated, at most `max` of them and then "and N more". */
static void put_sorted(struct strbuf *b, const struct strbuf *entries, size_t max)
{
    char *list = xstrdup(entries->data ? entries->data : "");
    char **items = NULL;
    size_t n = 0;
    for (char *p = list + (*list == '\n'); *p; n++) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        items = xreallocarray(items, n + 1, sizeof *items);
        items[n] = p;
        p = nl + 1;
    }
    qsort(items, n, sizeof *items, cmp_str);
    for (size_t i = 0; i < n && i < max; i++)
        strbuf_printf(b, "%s%s", i ? ", " : "", items[i]);
    if (n > max)
        strbuf_printf(b, " and %zu more", n - max);
    free(items);
    free(list);
}

void pdf_fonts_warn(const struct pdf_fonts *f)
{
    struct pdf_shared *s = f->shared;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    if (s->n_missing || s->invalid) {
        struct strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "pdf: %zu document%s (", s->docs, s->docs == 1 ? "" : "s");
        put_sorted(&b, &s->docs_list, 5);
        strbuf_puts(&b, ") print");
        if (s->n_missing) {
            strbuf_printf(&b, " %zu character%s that no embedded font can show", s->n_missing,
                          s->n_missing == 1 ? "" : "s");
            int absent = 0;
            for (int i = 0; s->loaded && i < PDF_FALLBACKS; i++)
                if (!s->fallback[i].path)
                    strbuf_printf(&b, "%s%s of %s",
                                  absent++ ? ", " : " (not found: ", fallback_files[i].file,
                                  fallback_files[i].package);
            if (absent)
                strbuf_puts(&b, ")");
        }
        if (s->invalid)
            strbuf_printf(&b, "%s %zu invalid UTF-8 byte%s", s->n_missing ? " and" : "", s->invalid,
                          s->invalid == 1 ? "" : "s");
        strbuf_printf(&b, " as %s, in ", strcmp(f->replacement, "?") ? "U+FFFD" : "'?'");
        put_sorted(&b, &s->fields, SIZE_MAX);
        size_t shown = s->n_missing < 20 ? s->n_missing : 20;
        for (size_t i = 0; i < shown; i++)
            strbuf_printf(&b, "%sU+%04X", i ? " " : ": ", (unsigned)s->missing[i]);
        if (shown < s->n_missing)
            strbuf_printf(&b, " and %zu more", s->n_missing - shown);
        msg_warn("%s", strbuf_cstr(&b));
        strbuf_free(&b);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Adds d's replaced characters to the run's. */
static void merge_missing(struct pdf_doc *d)
{
    struct pdf_shared *s = d->fonts ? d->fonts->shared : NULL;
    if (!s || (!d->n_missing && !d->invalid))
        return;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < d->n_missing; i++)
        set_add(&s->missing, &s->n_missing, d->missing[i]);
    s->invalid += d->invalid;
    s->docs++;
    add_field(&s->docs_list, d->who ? d->who : "?");
    char *list = xstrdup(strbuf_cstr(&d->fields));
    for (char *p = list + (*list == '\n'); *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        add_field(&s->fields, p);
        p = nl + 1;
    }
    free(list);
    pthread_mutex_unlock(&s->lock);
}

void pdf_doc_free(struct pdf_doc *d)
{
    if (!d)
        return;
    merge_missing(d);
    bool keep = d->shell && d->pdf && !d->failed && d->regular && d->bold;
    for (int i = 0; i < PDF_FALLBACKS; i++)
        keep = keep && !d->fallback[i];
    if (keep) {
        HPDF_FreeDoc(d->pdf);
        struct pdf_shared *s = d->fonts->shared;
        pthread_mutex_lock(&s->lock);
        d->shell->next = s->idle;
        s->idle = d->shell;
        pthread_mutex_unlock(&s->lock);
    } else {
        if (d->pdf)
            HPDF_Free(d->pdf);
        free(d->shell);
    }
    free(d->pages);
    free(d->missing);
    for (int i = 0; i < PDF_FALLBACKS; i++)
        free(d->used[i]);
    strbuf_free(&d->fields);
    strbuf_free(&d->heading);
    memset(d, 0, sizeof *d);
}

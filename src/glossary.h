/* The glossary box of a document (glossary.c): one line for each term the document uses, from
 * one table, so the HTML, the PDF and the workbook explain a term in the same words. Renderers
 * only lay the lines out. */
#ifndef CB_GLOSSARY_H
#define CB_GLOSSARY_H

#include <stddef.h>

#include "report.h"

#define GLOSSARY_MAX 8

struct glossary_term {
    const char *term; /* "List price" */
    const char *text; /* one sentence */
};

/* Fills `out` (room for GLOSSARY_MAX) with the terms team `t`'s invoice uses, or the summary's
 * when `t` is NULL, in a fixed order; returns how many. Terms whose amount is zero everywhere on
 * the document are left out (no Markup line when no markup is charged). The strings are static.
 * Cannot fail. */
size_t glossary_terms(const struct report *r, const struct report_team *t,
                      struct glossary_term out[GLOSSARY_MAX]);

/* The heading every format puts above the box. */
#define GLOSSARY_TITLE "Terms used on this document"

#endif

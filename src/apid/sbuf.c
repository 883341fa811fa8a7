/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbuf - capped growing text buffer (see sbuf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/sbuf.h"
#include "common/alloc.h"

/* reserve - room for @n more bytes plus NUL; false past the cap. */
static bool reserve(struct sbuf *b, size_t n)
{
    size_t want = b->len + n + 1;

    if (want > SBUF_MAX) {
        b->is_full = true;
        return false;
    }
    if (want > b->cap) {
        b->cap = b->cap ? b->cap : 4096;
        while (b->cap < want)
            b->cap *= 2;
        b->s = omkt_xrealloc(b->s, b->cap);
    }
    return true;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sbuf_html(struct sbuf *b, const char *text)
{
    for (const char *p = text ? text : ""; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            sbuf_printf(b, "&amp;");
            break;
        case '<':
            sbuf_printf(b, "&lt;");
            break;
        case '>':
            sbuf_printf(b, "&gt;");
            break;
        case '"':
            sbuf_printf(b, "&quot;");
            break;
        case '\'':
            sbuf_printf(b, "&#39;");
            break;
        default:
            sbuf_printf(b, "%c", *p);
        }
    }
}

char *sbuf_take(struct sbuf *b)
{
    char *s = b->s ? b->s : omkt_xstrdup("");

    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void sbuf_free(struct sbuf *b)
{
    OMKT_FREE(b->s);
    b->len = b->cap = 0;
}

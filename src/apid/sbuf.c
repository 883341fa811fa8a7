/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbuf - capped growing text buffer (see sbuf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/sbuf.h"
#include "common/alloc.h"
#include "common/text.h"

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

    if (b->is_full) /* nothing after a dropped piece: no gaps */
        return;
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

/* entity - the HTML entity of special character @c. */
static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    default:
        return "&#39;";
    }
}

void sbuf_html(struct sbuf *b, const char *text)
{
    /* client text: invalid bytes become U+FFFD; runs are appended whole,
     * so the cap never cuts a character */
    char *clean = omkt_text_dup(text ? text : "", SBUF_MAX);
    const char *p = clean;

    while (*p != '\0') {
        size_t run = strcspn(p, "&<>\"'");

        if (run > 0)
            sbuf_printf(b, "%.*s", (int)run, p);
        p += run;
        if (*p == '\0')
            break;
        sbuf_printf(b, "%s", entity(*p));
        p++;
    }
    free(clean);
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

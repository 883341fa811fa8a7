/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sbuf - a growing text buffer with a hard cap, for the generated pages
 * (/metrics, the dashboard).  Appends past the cap are dropped and
 * remembered (is_full), never an overflow; once full, every later
 * append is dropped too.
 */
#ifndef OMKT_APID_SBUF_H
#define OMKT_APID_SBUF_H

#include <stdbool.h>
#include <stddef.h>

#define SBUF_MAX (4u * 1024 * 1024)

struct sbuf {
    char *s;
    size_t len;
    size_t cap;
    bool is_full;
};

/* sbuf_printf - append formatted text. */
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* sbuf_html - append @text with &<>"' escaped, invalid UTF-8 replaced
 * by U+FFFD (text.h). */
void sbuf_html(struct sbuf *b, const char *text);

/* sbuf_take - the text (new, free()), leaving @b empty. */
char *sbuf_take(struct sbuf *b);

void sbuf_free(struct sbuf *b);

#endif

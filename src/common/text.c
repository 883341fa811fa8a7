/* SPDX-License-Identifier: GPL-2.0-or-later */
/* text - UTF-8 validation, cleaning and cutting (see text.h). */
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "text.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/*
 * seq_len - the length of the well-formed UTF-8 sequence at @u[0..@left),
 * or 0 when the byte there does not start one.
 */
static size_t seq_len(const unsigned char *u, size_t left)
{
    unsigned c = u[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t n;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    /* The second byte's range excludes overlongs, surrogates and code
     * points above U+10FFFF (RFC 3629 section 4). */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (n > left || u[1] < lo || u[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((u[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

bool omkt_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n = seq_len(u + i, len - i);

        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t omkt_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    if (len <= max)
        return len;
    while (i < len) {
        size_t n = seq_len(u + i, len - i);

        if (n == 0)
            n = 1; /* an invalid byte is a character of its own */
        if (i + n > max)
            break;
        i += n;
    }
    return i;
}

int omkt_text_copy(char *dst, size_t size, const char *src)
{
    const unsigned char *u = (const unsigned char *)src;
    size_t len = strlen(src);
    size_t i = 0, j = 0;

    while (i < len) {
        size_t n = seq_len(u + i, len - i);
        const char *from = src + i;
        size_t out = n;

        if (n == 0) {
            from = REPLACEMENT;
            out = sizeof(REPLACEMENT) - 1;
        }
        if (j + out >= size)
            break;
        memcpy(dst + j, from, out);
        j += out;
        i += n == 0 ? 1 : n;
    }
    dst[j] = '\0';
    return i < len ? OMKT_ETOOBIG : OMKT_OK;
}

char *omkt_text_dup(const char *src, size_t max)
{
    /* Each input byte yields at most 3 output bytes (U+FFFD). */
    size_t len = strlen(src);
    size_t size = (len > max ? max : len * 3 > max ? max : len * 3) + 1;
    char *out = omkt_xmalloc(size);

    (void)omkt_text_copy(out, size, src); /* cut is this call's contract */
    return out;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pathkey - the API key in media-nommer's submit path (see pathkey.h). */
#include <string.h>

#include "apid/pathkey.h"

/* is_submit - "/job/submit" or "//job/submit", with or without a
 * trailing "/": the rest of a submit path after its base. */
static bool is_submit(const char *p)
{
    if (strncmp(p, "//", 2) == 0)
        p++;
    return strcmp(p, "/job/submit") == 0 || strcmp(p, "/job/submit/") == 0;
}

bool pathkey_nommer(const char *path, char *key, size_t size)
{
    size_t plen = strlen(PATHKEY_PREFIX), klen;

    if (key != NULL && size > 0)
        key[0] = '\0';
    if (is_submit(path))
        return true;
    if (strncmp(path, PATHKEY_PREFIX, plen) != 0)
        return false;
    klen = strcspn(path + plen, "/");
    if (klen == 0 || !is_submit(path + plen + klen))
        return false;
    if (key == NULL)
        return true;
    if (klen >= size)
        return false;
    memcpy(key, path + plen, klen);
    key[klen] = '\0';
    return true;
}

/* put - append @n bytes of @s to @out at *len, cut at @size - 1. */
static void put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
    size_t room = size - 1 - *len;

    if (n > room)
        n = room;
    memcpy(out + *len, s, n);
    *len += n;
}

void pathkey_mask(const char *in, char *out, size_t size)
{
    size_t plen = strlen(PATHKEY_PREFIX), len = 0;
    const char *hit;

    if (size == 0)
        return;
    for (hit = strstr(in, PATHKEY_PREFIX); hit != NULL;
         hit = strstr(in, PATHKEY_PREFIX)) {
        size_t seg = strcspn(hit + plen, "/ \t\r\n?#");

        put(out, size, &len, in, (size_t)(hit - in) + plen);
        if (seg > 0)
            put(out, size, &len, "****", 4);
        in = hit + plen + seg;
    }
    put(out, size, &len, in, strlen(in));
    out[len] = '\0';
}

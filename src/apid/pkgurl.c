/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkgurl - parsing package URLs (see pkgurl.h). */
#include <string.h>

#include "apid/pkgurl.h"
#include "common/err.h"

#define SIGNED_PREFIX "/v1/signed/"
#define MEDIA_PREFIX  "/v1/media/"

/* number - 1 to @max_digits decimal digits at *s (advanced) ending at
 * @end, strictly positive, into *v; false otherwise. */
static bool number(const char **s, char end, size_t max_digits, int64_t *v)
{
    const char *p = *s;
    size_t n = 0;

    *v = 0;
    for (; *p >= '0' && *p <= '9' && n < max_digits; p++, n++)
        *v = *v * 10 + (*p - '0');
    if (n == 0 || *p != end || *v <= 0)
        return false;
    *s = p + 1;
    return true;
}

/* word - @w at *s (advanced); false otherwise. */
static bool word(const char **s, const char *w)
{
    size_t n = strlen(w);

    if (strncmp(*s, w, n) != 0)
        return false;
    *s += n;
    return true;
}

/* token - "EXP.SIG/" at *s (advanced) into @out. */
static bool token(const char **s, struct pkgurl *out)
{
    const char *p = *s;

    if (!number(&p, '.', 12, &out->expires))
        return false;
    for (size_t i = 0; i < OMKT_PKGSIGN_SIG_HEX; i++, p++) {
        bool is_hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');

        if (!is_hex)
            return false;
        out->sig[i] = *p;
    }
    out->sig[OMKT_PKGSIGN_SIG_HEX] = '\0';
    if (*p != '/')
        return false;
    *s = p + 1;
    return true;
}

bool pkgurl_is(const char *path)
{
    return strncmp(path, SIGNED_PREFIX, strlen(SIGNED_PREFIX)) == 0 ||
           (strncmp(path, MEDIA_PREFIX, strlen(MEDIA_PREFIX)) == 0 &&
            strstr(path, "/package/") != NULL);
}

int pkgurl_parse(const char *path, struct pkgurl *out)
{
    const char *p = path;

    memset(out, 0, sizeof(*out));
    if (word(&p, SIGNED_PREFIX)) {
        out->is_signed = true;
        if (!token(&p, out))
            return OMKT_EPERM;
        if (!word(&p, "media/"))
            return OMKT_EINVAL;
    } else if (!word(&p, MEDIA_PREFIX)) {
        return OMKT_EINVAL;
    }
    if (!number(&p, '/', 18, &out->media_id) || !word(&p, "package/") ||
        !number(&p, '/', 9, &out->setting_id) || *p == '\0')
        return OMKT_EINVAL;
    out->file = p;
    return OMKT_OK;
}

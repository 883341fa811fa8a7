/* SPDX-License-Identifier: GPL-2.0-or-later */
/* randhex - random hex tokens (see randhex.h). */
#include <errno.h>
#include <sys/random.h>
#include <sys/types.h>

#include "randhex.h"

#define RANDHEX_MAX 128

int omkt_random_hex(char *out, size_t nhex, struct omkt_errbuf *eb)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[RANDHEX_MAX / 2];
    size_t n = nhex / 2;

    out[0] = '\0';
    if (nhex % 2 != 0 || nhex > RANDHEX_MAX) {
        omkt_errf(eb, "random token of %zu hex digits", nhex);
        return OMKT_EINVAL;
    }
    if (getrandom(raw, n, 0) != (ssize_t)n) {
        omkt_errf(eb, "getrandom: %s", omkt_errno_str(errno));
        return OMKT_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[nhex] = '\0';
    return OMKT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pkgurl - the URLs of a streaming package's files (docs/streaming.md), a
 * pure parser of client bytes (no I/O; fuzzed by fuzz/fuzz_pkgurl.c):
 *   /v1/media/M/package/S/FILE                 (API key in the headers)
 *   /v1/signed/EXP.SIG/media/M/package/S/FILE  (signed, common/pkgsign.h)
 * FILE is only cut out here; the path layer (common/path.h) judges it.
 */
#ifndef OMKT_APID_PKGURL_H
#define OMKT_APID_PKGURL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/pkgsign.h"

struct pkgurl {
    int64_t media_id;
    int64_t setting_id;
    bool is_signed;
    int64_t expires;                    /* signed: unix seconds */
    char sig[OMKT_PKGSIGN_SIG_HEX + 1]; /* signed: lowercase hex */
    const char *file;                   /* borrowed from the path */
};

/* pkgurl_is - @path is under one of the two package URL forms (cheap
 * prefix test for the route table; pkgurl_parse() decides). */
bool pkgurl_is(const char *path);

/*
 * pkgurl_parse - @path (NUL-terminated, any bytes) into @out.  OMKT_OK;
 * OMKT_EPERM when the signed form's token is malformed (a bad
 * signature: 403); OMKT_EINVAL for any other malformed path (404).
 */
int pkgurl_parse(const char *path, struct pkgurl *out);

#endif

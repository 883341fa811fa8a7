/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multipart - multipart/form-data request bodies (what PHP's curl sends
 * for an array of POST fields).  The body is collected as it arrives
 * (the caller caps it at [apid] max_body) and parsed once complete; the
 * parser needs no MHD, so unit tests and fuzz harnesses call it directly:
 *
 *     struct multipart m;
 *     if (multipart_start(&m, content_type)) {
 *         multipart_feed(&m, data, len);     (any number of pieces)
 *         multipart_finish(&m, &params);
 *     }
 *
 * Fields become parameters in order; file parts (a filename in their
 * Content-Disposition) are ignored (no OMKT action takes an upload).  A
 * body that is malformed or truncated (no closing delimiter), a missing
 * or invalid boundary, more than APID_PARAMS_MAX fields or a NUL inside a
 * field marks the parameters bad (is_too_many or is_bad_utf8).
 */
#ifndef OMKT_APID_MULTIPART_H
#define OMKT_APID_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "apid/params.h"

#define MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */

struct multipart {
    char delim[MULTIPART_BOUNDARY_MAX + 5]; /* "\r\n--" boundary */
    size_t delim_len;
    char *buf; /* the body so far */
    size_t len;
    bool is_bad;
};

/*
 * multipart_start - begin a body of @content_type (borrowed, may be
 * NULL).  False (and @m empty) when it is not multipart/form-data; true
 * when it is, with is_bad set when its boundary is missing or invalid.
 */
bool multipart_start(struct multipart *m, const char *content_type);

/* multipart_feed - the next @len bytes of the body (copied); false once
 * the body is known to be bad. */
bool multipart_feed(struct multipart *m, const char *data, size_t len);

/* multipart_finish - parse the body, add every field to @p (may be NULL:
 * only release) and release @m; idempotent. */
void multipart_finish(struct multipart *m, struct apid_params *p);

#endif

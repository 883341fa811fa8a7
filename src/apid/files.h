/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * files - sending a transcoded output: a single file straight from its
 * descriptor (MHD sends it with sendfile), a multi-file output as a stored
 * zip built in memory, with RFC 7233 single byte ranges (206,
 * Content-Range, 416), the OMKT content_range parameter and HEAD.  The
 * path always comes from the transcode row of the caller's own media and
 * is resolved under the document root; nothing of the request names a
 * file.
 */
#ifndef OMKT_APID_FILES_H
#define OMKT_APID_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "apid/apid.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"

/* How to answer an error: OMKT code (404, 216 for content_range, 416 for
 * the Range header, 500) and a message.  Returns what MHD wants. */
typedef enum MHD_Result (*files_err_fn)(struct apid_req *r, int code,
                                        const char *msg);

/* A byte range [first, last] inclusive. */
struct files_range {
    int64_t first;
    int64_t last;
};

/*
 * files_parse_range - an RFC 7233 "bytes=A-B" | "bytes=A-" | "bytes=-N"
 * header against @size.  OMKT_OK with *out; OMKT_ENOTFOUND when the
 * header should be ignored (absent, malformed, several ranges: send it
 * all); OMKT_EINVAL when unsatisfiable (416).
 */
int files_parse_range(const char *h, int64_t size, struct files_range *out);

/*
 * files_parse_content_range - the OMKT content_range parameter against
 * @size, as the reference reads it: "START-END", END exclusive, either
 * side may be empty ("START-" and an END of 0 mean to the end, an empty
 * START is 0), END clipped to @size, anything unparseable means the
 * whole file; *out may be empty (last = first - 1) for "N-N".
 * OMKT_EINVAL when START > END (both non-zero), OMKT_ETOOBIG when START
 * is at or past @size (both the reference's 216).
 */
int files_parse_content_range(const char *s, int64_t size,
                              struct files_range *out);

/*
 * files_send - answer with the output of transcode @t of media @m.
 * @content_range is the OMKT parameter (may be NULL).  Errors go through
 * @err.
 */
enum MHD_Result files_send(struct apid_req *r, const struct omkt_media *m,
                           const struct omkt_transcode *t,
                           const char *content_range, files_err_fn err);

/* How files_send_in() answers. */
struct files_opts {
    const char *mime;          /* Content-Type */
    const char *cache_control; /* Cache-Control, or NULL */
    bool is_conditional;       /* If-None-Match/If-Modified-Since: 304 */
};

/*
 * files_send_in - answer with @file (client bytes: a relative path,
 * judged by the path layer, never trusted) inside the output directory
 * of transcode @t of media @m, with Range (206/416) and HEAD as
 * files_send(), and @o.  A path that is not clean, leaves the directory
 * or names no regular file: @err 404.
 */
enum MHD_Result files_send_in(struct apid_req *r, const struct omkt_media *m,
                              const struct omkt_transcode *t, const char *file,
                              const struct files_opts *o, files_err_fn err);

#endif

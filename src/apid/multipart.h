/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multipart - multipart/form-data request bodies (what PHP's curl sends
 * for an array of POST fields), parsed by libmicrohttpd's post processor
 * as the body arrives.  Field values may come in several pieces; they are
 * joined here and handed to the request's parameters at the end.  File
 * parts are ignored (no OMKT action takes an upload).
 */
#ifndef OMKT_APID_MULTIPART_H
#define OMKT_APID_MULTIPART_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "apid/params.h"

struct mp_field {
    char *key;
    char *val;
    size_t len;
};

struct multipart {
    struct MHD_PostProcessor *pp;
    struct mp_field *v;
    size_t n;
    bool is_bad;
};

/* multipart_start - a post processor when the request is multipart;
 * false when it is not (or cannot be parsed). */
bool multipart_start(struct multipart *m, struct MHD_Connection *conn);

/* multipart_feed - the next piece of the body; false on a parse error. */
bool multipart_feed(struct multipart *m, const char *data, size_t len);

/* multipart_finish - add every field to @p and release @m. */
void multipart_finish(struct multipart *m, struct apid_params *p);

#endif

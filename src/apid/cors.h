/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cors - Cross-Origin Resource Sharing for the streaming packages
 * (docs/streaming.md#cors): each account lists the origins whose pages
 * may fetch its packages (accounts.cors_origins, `omktctl account
 * cors`).  An allowed Origin is echoed in Access-Control-Allow-Origin of
 * every reply of the request (errors too, so a player can read them);
 * any other origin gets no CORS header and the browser blocks the read.
 */
#ifndef OMKT_APID_CORS_H
#define OMKT_APID_CORS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "apid/apid.h"

/*
 * cors_allows - @origin (client bytes, may be NULL) is in @list (words
 * separated by spaces or commas; "*" allows any).  Pure.
 */
bool cors_allows(const char *list, const char *origin);

/*
 * cors_apply - when the request's Origin is allowed by @list, mark the
 * request so its replies carry the CORS headers.
 */
void cors_apply(struct apid_req *r, const char *list);

/* cors_headers - add the CORS headers of a marked request to @resp. */
void cors_headers(struct apid_req *r, struct MHD_Response *resp);

/*
 * cors_preflight - answer an OPTIONS preflight: 204, with the allowed
 * methods and headers when the request was marked by cors_apply().
 */
enum MHD_Result cors_preflight(struct apid_req *r);

#endif

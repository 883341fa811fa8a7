/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * audit - the call log (calllog.h, `api_calls`) of the REST and
 * media-nommer fronts, as the OMKT front keeps it for its actions: one
 * row and one `info` line per request a handler answered, with the
 * key's account (0 when none was found), "METHOD PATH" as the action,
 * the User-Agent as the application, the HTTP status as the code and the
 * client address.  The API key is never stored or logged: REST keys
 * travel in headers, and media-nommer paths that carry one are masked
 * (pathkey_mask: the segment after "/nommer/" becomes four stars).
 */
#ifndef OMKT_APID_AUDIT_H
#define OMKT_APID_AUDIT_H

#include "apid/apid.h"

/* audit_call - log request @r of front @api ("rest", "nommer") once it
 * is answered (r->status set). */
void audit_call(struct apid_req *r, const char *api);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rest_stream - the "stream" object of a finished streaming package in
 * the REST media object (docs/openapi.yaml, docs/streaming.md): signed,
 * expiring URLs of its HLS master playlist, DASH manifest and preview
 * track, for a browser player that has no API key.
 */
#ifndef OMKT_APID_REST_STREAM_H
#define OMKT_APID_REST_STREAM_H

#include <jansson.h>
#include <stdint.h>

#include "apid/apid.h"

/*
 * rest_stream_json - the stream object (new) of package @setting_id of
 * media @media_id, owned by the request's account (r->account_id), its
 * URLs under @base (no trailing slash), valid [apid] stream_url_ttl from
 * now.  NULL when the account cannot be read (the field is then left
 * out).
 */
json_t *rest_stream_json(struct apid_req *r, const char *base, int64_t media_id,
                         int64_t setting_id);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_rest - the JSON REST API under /v1/ (docs/openapi.yaml). */
#ifndef OMKT_APID_H_REST_H
#define OMKT_APID_H_REST_H

#include <microhttpd.h>

#include "apid/apid.h"
#include "apid/auth.h"

/* h_rest - route and authenticate one REST call. */
enum MHD_Result h_rest(struct apid_req *r);

/*
 * rest_auth_error - answer verdict @v of the auth door (auth.h) as a REST
 * error (401, 403, 503, 429).  For APID_AUTH_OK nothing is answered and
 * MHD_NO is returned.
 */
enum MHD_Result rest_auth_error(struct apid_req *r, enum apid_auth v);

#endif

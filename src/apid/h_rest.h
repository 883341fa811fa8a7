/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_rest - the JSON REST API under /v1/ (docs/openapi.yaml). */
#ifndef OMKT_APID_H_REST_H
#define OMKT_APID_H_REST_H

#include <microhttpd.h>

#include "apid/apid.h"

/* h_rest - route and authenticate one REST call. */
enum MHD_Result h_rest(struct apid_req *r);

#endif

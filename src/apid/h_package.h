/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_package - the files of a streaming package (setting 1001: HLS and
 * DASH manifests, CMAF segments, preview sprites; docs/streaming.md)
 * under the two URL forms of pkgurl.h: with the API key (the one auth
 * door, auth.h), or signed and expiring without it (common/pkgsign.h).
 * Right MIME types, Range, caching headers, conditional GET (files.h),
 * per-account CORS with OPTIONS preflight (cors.h).
 */
#ifndef OMKT_APID_H_PACKAGE_H
#define OMKT_APID_H_PACKAGE_H

#include <microhttpd.h>

#include "apid/apid.h"

/* h_package - answer a GET, HEAD or OPTIONS on a package URL. */
enum MHD_Result h_package(struct apid_req *r);

#endif

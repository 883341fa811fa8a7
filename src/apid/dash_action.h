/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dash_action - the dashboard's buttons: POST /status/media/<id>/retry
 * and /status/media/<id>/cancel, for an operator, on any media
 * (media_verb.h), then 303 back to the page.
 *
 * DESIGN: browsers send Basic credentials with cross-site requests too,
 * so a POST is accepted only with the form's token, an HMAC-SHA256 of
 * the operator's credential (another site cannot read the page that
 * holds it, nor compute it), and, when the browser tells, a same-origin
 * request (Origin equal to the Host, Sec-Fetch-Site not cross-site).
 */
#ifndef OMKT_APID_DASH_ACTION_H
#define OMKT_APID_DASH_ACTION_H

#include <stdbool.h>

#include "apid/apid.h"

#define DASH_CSRF_LEN 64 /* hex characters */

/* dash_csrf - the form token of the request's operator credential into
 * @out (DASH_CSRF_LEN + 1 bytes).  False when there is no credential. */
bool dash_csrf(struct apid_req *r, char *out);

/* h_dash_action - POST /status/media/<id>/(retry|cancel). */
enum MHD_Result h_dash_action(struct apid_req *r);

#endif

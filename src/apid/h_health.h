/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_health - /health, /metrics and the operator's 401. */
#ifndef OMKT_APID_H_HEALTH_H
#define OMKT_APID_H_HEALTH_H

#include <microhttpd.h>

#include "apid/apid.h"
#include "apid/auth.h"

/* h_health - database reachable and schema version (200 / 503). */
enum MHD_Result h_health(struct apid_req *r);

/* h_metrics - Prometheus text (operator credential). */
enum MHD_Result h_metrics(struct apid_req *r);

/*
 * apid_refuse_admin - the answer to an operator page whose credential
 * got verdict @v (auth_admin): 503 db_unavailable when the database
 * could not judge it, else 401 asking for the operator credential.
 */
enum MHD_Result apid_refuse_admin(struct apid_req *r, enum apid_auth v);

#endif

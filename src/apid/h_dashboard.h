/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_dashboard - the operator dashboard (/, /status). */
#ifndef OMKT_APID_H_DASHBOARD_H
#define OMKT_APID_H_DASHBOARD_H

#include <microhttpd.h>

#include "apid/apid.h"

/* h_dashboard - the dashboard page (operator credential). */
enum MHD_Result h_dashboard(struct apid_req *r);

#endif

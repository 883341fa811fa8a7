/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_omkt - the OpenMediaKit protocol on /api/ (PROTOCOL.md section 1). */
#ifndef OMKT_APID_H_OMKT_H
#define OMKT_APID_H_OMKT_H

#include <microhttpd.h>

#include "apid/apid.h"

/* h_omkt - one OMKT call (every action). */
enum MHD_Result h_omkt(struct apid_req *r);

#endif

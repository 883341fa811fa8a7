/* SPDX-License-Identifier: GPL-2.0-or-later */
/* h_nommer - media-nommer job submission (POST /job/submit/). */
#ifndef OMKT_APID_H_NOMMER_H
#define OMKT_APID_H_NOMMER_H

#include <microhttpd.h>

#include "apid/apid.h"

/* h_nommer - one media-nommer submission. */
enum MHD_Result h_nommer(struct apid_req *r);

#endif

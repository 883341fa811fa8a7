/* SPDX-License-Identifier: GPL-2.0-or-later */
/* router - the static {path, methods, handler} table of apid. */
#ifndef OMKT_APID_ROUTER_H
#define OMKT_APID_ROUTER_H

#include <microhttpd.h>

#include "apid/apid.h"

/* router_dispatch - find the handler of the request and run it. */
enum MHD_Result router_dispatch(struct apid_req *r);

#endif

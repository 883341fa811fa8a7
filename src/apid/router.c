/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * router - run the handler that route_match() (route.c, a pure function)
 * chose for the request, or answer 404/405.
 */
#include "apid/apid.h"
#include "apid/h_dashboard.h"
#include "apid/h_health.h"
#include "apid/h_nommer.h"
#include "apid/h_omkt.h"
#include "apid/h_rest.h"
#include "apid/route.h"
#include "apid/router.h"
#include "apid/server.h"

enum MHD_Result router_dispatch(struct apid_req *r)
{
    struct route_match m;

    route_match(r->method, r->url, &m);
    r->action = m.action;
    switch (m.handler) {
    case ROUTE_OMKT:
        return h_omkt(r);
    case ROUTE_HEALTH:
        return h_health(r);
    case ROUTE_METRICS:
        return h_metrics(r);
    case ROUTE_DASHBOARD:
        return h_dashboard(r);
    case ROUTE_REST:
        return h_rest(r);
    case ROUTE_NOMMER:
        return h_nommer(r);
    case ROUTE_NONE:
        break;
    }
    if (m.status == 405)
        return apid_reply_error(r, 405, "method_not_allowed",
                                "method not allowed on this path");
    return apid_reply_error(r, 404, "not_found", "no such path");
}

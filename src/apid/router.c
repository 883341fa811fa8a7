/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * router - run the handler that route_match() (route.c, a pure function)
 * chose for the request, or answer 404/405.  REST and media-nommer calls
 * are logged here (audit.h); the OMKT front logs its own actions.
 */
#include "apid/apid.h"
#include "apid/audit.h"
#include "apid/dash_action.h"
#include "apid/h_dashboard.h"
#include "apid/h_health.h"
#include "apid/h_nommer.h"
#include "apid/h_omkt.h"
#include "apid/h_package.h"
#include "apid/h_rest.h"
#include "apid/route.h"
#include "apid/router.h"
#include "apid/server.h"

/* audited - @res, the answer of @api's handler, after logging the call. */
static enum MHD_Result audited(struct apid_req *r, const char *api,
                               enum MHD_Result res)
{
    audit_call(r, api);
    return res;
}

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
    case ROUTE_DASH_ACTION:
        return h_dash_action(r);
    case ROUTE_REST:
        return audited(r, "rest", h_rest(r));
    case ROUTE_NOMMER:
        return audited(r, "nommer", h_nommer(r));
    case ROUTE_PACKAGE: /* not audited: a player fetches many files */
        return h_package(r);
    case ROUTE_NONE:
        break;
    }
    if (m.status == 405)
        return apid_reply_error(r, 405, "method_not_allowed",
                                "method not allowed on this path");
    return apid_reply_error(r, 404, "not_found", "no such path");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * router - the static {method, path, handler} table of apid.  Paths are
 * exact, or prefixes when they end with '/' and is_prefix is set.
 */
#include <string.h>

#include "apid/apid.h"
#include "apid/h_dashboard.h"
#include "apid/h_health.h"
#include "apid/h_nommer.h"
#include "apid/h_omkt.h"
#include "apid/h_rest.h"
#include "apid/router.h"
#include "apid/server.h"

struct route {
    const char *path;
    bool is_prefix;
    unsigned methods; /* M_* bits */
    enum MHD_Result (*fn)(struct apid_req *r);
    const char *action; /* metrics label unless the handler sets one */
};

#define M_GET  1u
#define M_HEAD 2u
#define M_POST 4u
#define M_ANY  7u

static const struct route routes[] = {
    {"/api", false, M_ANY, h_omkt, "omkt"},
    {"/api/", false, M_ANY, h_omkt, "omkt"},
    {"/api/index.php", false, M_ANY, h_omkt, "omkt"},
    {"/health", false, M_GET | M_HEAD, h_health, "health"},
    {"/metrics", false, M_GET | M_HEAD, h_metrics, "metrics"},
    {"/", false, M_GET | M_HEAD, h_dashboard, "dashboard"},
    {"/status", false, M_GET | M_HEAD, h_dashboard, "dashboard"},
    {"/status/", false, M_GET | M_HEAD, h_dashboard, "dashboard"},
    {"/v1/", true, M_ANY, h_rest, "rest"},
    {"/job/submit/", false, M_POST, h_nommer, "nommer"},
    {"/job/submit", false, M_POST, h_nommer, "nommer"},
};

/* method_bit - the M_* bit of @m, 0 for others. */
static unsigned method_bit(const char *m)
{
    if (strcmp(m, MHD_HTTP_METHOD_GET) == 0)
        return M_GET;
    if (strcmp(m, MHD_HTTP_METHOD_HEAD) == 0)
        return M_HEAD;
    if (strcmp(m, MHD_HTTP_METHOD_POST) == 0)
        return M_POST;
    return 0;
}

enum MHD_Result router_dispatch(struct apid_req *r)
{
    unsigned m = method_bit(r->method);

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route *rt = &routes[i];
        bool is_match = rt->is_prefix
                            ? strncmp(r->url, rt->path, strlen(rt->path)) == 0
                            : strcmp(r->url, rt->path) == 0;

        if (!is_match)
            continue;
        r->action = rt->action;
        if ((rt->methods & m) == 0)
            return apid_reply_error(r, 405, "method_not_allowed",
                                    "method not allowed on this path");
        return rt->fn(r);
    }
    r->action = "not_found";
    return apid_reply_error(r, 404, "not_found", "no such path");
}

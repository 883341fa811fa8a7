/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route - the static {method, path, handler} table of apid (see
 * route.h).  Paths are exact, or prefixes when is_prefix is set;
 * media-nommer's submit paths, which may carry a key, are pathkey.h's.
 */
#include <stdbool.h>
#include <string.h>

#include "apid/pathkey.h"
#include "apid/pkgurl.h"
#include "apid/route.h"

struct route {
    const char *path;
    bool is_prefix;
    unsigned methods; /* M_* bits */
    enum route_handler handler;
    const char *action; /* metrics label unless the handler sets one */
};

#define M_GET     1u
#define M_HEAD    2u
#define M_POST    4u
#define M_ANY     7u
#define M_OPTIONS 8u

static const struct route routes[] = {
    {"/api", false, M_ANY, ROUTE_OMKT, "omkt"},
    {"/api/", false, M_ANY, ROUTE_OMKT, "omkt"},
    {"/api/index.php", false, M_ANY, ROUTE_OMKT, "omkt"},
    {"/health", false, M_GET | M_HEAD, ROUTE_HEALTH, "health"},
    {"/metrics", false, M_GET | M_HEAD, ROUTE_METRICS, "metrics"},
    {"/", false, M_GET | M_HEAD, ROUTE_DASHBOARD, "dashboard"},
    {"/status", false, M_GET | M_HEAD, ROUTE_DASHBOARD, "dashboard"},
    {"/status/", false, M_GET | M_HEAD, ROUTE_DASHBOARD, "dashboard"},
    {"/v1/", true, M_ANY, ROUTE_REST, "rest"},
    {"/status/media/", true, M_POST, ROUTE_DASH_ACTION, "dashboard_action"},
};

/* Every media-nommer submit path (pathkey.h), the key-carrying ones too. */
static const struct route nommer = {"", false, M_POST, ROUTE_NOMMER, "nommer"};

/* Every streaming package URL (pkgurl.h), keyed or signed. */
static const struct route package = {"", false, M_GET | M_HEAD | M_OPTIONS,
                                     ROUTE_PACKAGE, "package"};

/* method_bit - the M_* bit of @m, 0 for others. */
static unsigned method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return M_GET;
    if (strcmp(m, "HEAD") == 0)
        return M_HEAD;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    if (strcmp(m, "OPTIONS") == 0)
        return M_OPTIONS;
    return 0;
}

/* api_of - the API (metrics label) that handler @h serves. */
static const char *api_of(enum route_handler h)
{
    switch (h) {
    case ROUTE_OMKT:
        return "omkt";
    case ROUTE_REST:
    case ROUTE_PACKAGE:
        return "rest";
    case ROUTE_NOMMER:
        return "nommer";
    case ROUTE_HEALTH:
    case ROUTE_METRICS:
    case ROUTE_DASHBOARD:
    case ROUTE_DASH_ACTION:
        return "operator";
    case ROUTE_NONE:
        break;
    }
    return "none";
}

/* found - @m for route @rt and method @bit: its handler, or 405. */
static void found(const struct route *rt, unsigned bit, struct route_match *m)
{
    m->api = api_of(rt->handler);
    m->action = rt->action;
    if ((rt->methods & bit) == 0) {
        m->status = 405;
        return;
    }
    m->handler = rt->handler;
    m->status = 0;
}

void route_match(const char *method, const char *path, struct route_match *m)
{
    unsigned bit = method_bit(method);

    *m = (struct route_match){ROUTE_NONE, "none", "not_found", 404};
    if (pathkey_nommer(path, NULL, 0)) {
        found(&nommer, bit, m);
        return;
    }
    if (pkgurl_is(path)) {
        found(&package, bit, m);
        return;
    }
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route *rt = &routes[i];
        bool is_match = rt->is_prefix
                            ? strncmp(path, rt->path, strlen(rt->path)) == 0
                            : strcmp(path, rt->path) == 0;

        if (is_match) {
            found(rt, bit, m);
            return;
        }
    }
}

const char *route_api(const char *method, const char *path)
{
    struct route_match m;

    route_match(method, path, &m);
    return m.api;
}

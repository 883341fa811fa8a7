/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route - the static {method, path, handler} table of apid (see
 * route.h).  Paths are exact, or prefixes when is_prefix is set;
 * media-nommer's submit paths, which may carry a key, are pathkey.h's.
 */
#include <stdbool.h>
#include <string.h>

#include "apid/pathkey.h"
#include "apid/route.h"

struct route {
    const char *path;
    bool is_prefix;
    unsigned methods; /* M_* bits */
    enum route_handler handler;
    const char *action; /* metrics label unless the handler sets one */
};

#define M_GET  1u
#define M_HEAD 2u
#define M_POST 4u
#define M_ANY  7u

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
};

/* Every media-nommer submit path (pathkey.h), the key-carrying ones too. */
static const struct route nommer = {"", false, M_POST, ROUTE_NOMMER, "nommer"};

/* method_bit - the M_* bit of @m, 0 for others. */
static unsigned method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return M_GET;
    if (strcmp(m, "HEAD") == 0)
        return M_HEAD;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    return 0;
}

/* found - @m for route @rt and method @bit: its handler, or 405. */
static void found(const struct route *rt, unsigned bit, struct route_match *m)
{
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

    *m = (struct route_match){ROUTE_NONE, "not_found", 404};
    if (pathkey_nommer(path, NULL, 0)) {
        found(&nommer, bit, m);
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

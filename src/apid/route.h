/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route - apid's static {method, path} table and its matcher, a pure
 * function (no MHD, no I/O) so unit tests and fuzz harnesses can call
 * it.  router.c maps the result to a handler.
 */
#ifndef OMKT_APID_ROUTE_H
#define OMKT_APID_ROUTE_H

#include <stddef.h>

/* The handlers a route can lead to. */
enum route_handler {
    ROUTE_NONE, /* no route: 404, or 405 when the path exists */
    ROUTE_OMKT,
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_DASHBOARD,
    ROUTE_REST,
    ROUTE_NOMMER,
    ROUTE_DASH_ACTION, /* the dashboard's POST buttons */
    ROUTE_PACKAGE,     /* streaming package files (pkgurl.h) */
};

struct route_match {
    enum route_handler handler;
    const char *api;    /* metrics label: omkt, rest, nommer, operator
                           or none; static string */
    const char *action; /* metrics label, static string */
    unsigned status;    /* 0 when found, else 404 or 405 */
};

/*
 * route_match - the route of @method (any bytes, NUL-terminated) on
 * @path (the URL path without the query).  Always fills @m: handler
 * ROUTE_NONE with status 404 (no such path) or 405 (path known, method
 * not allowed; action is then the route's label).  Thread-safe.
 */
void route_match(const char *method, const char *path, struct route_match *m);

/* route_api - the api label of route_match(@method, @path) (static). */
const char *route_api(const char *method, const char *path);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_route - the route table's matcher without MHD
 * (src/apid/route.c: exact paths, the /v1/ prefix, 404 and 405).  The
 * multipart parser has its own test (test_apid_multipart.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apid/route.h"
#include "omkt_test.h"

static void test_route(void)
{
    static const struct {
        const char *method, *path;
        enum route_handler h;
        unsigned status;
        const char *action;
    } c[] = {
        {"GET", "/api/", ROUTE_OMKT, 0, "omkt"},
        {"POST", "/api", ROUTE_OMKT, 0, "omkt"},
        {"HEAD", "/api/index.php", ROUTE_OMKT, 0, "omkt"},
        {"PUT", "/api/", ROUTE_NONE, 405, "omkt"},
        {"GET", "/api/x", ROUTE_NONE, 404, "not_found"},
        {"GET", "/health", ROUTE_HEALTH, 0, "health"},
        {"POST", "/health", ROUTE_NONE, 405, "health"},
        {"GET", "/healthz", ROUTE_NONE, 404, "not_found"},
        {"GET", "/metrics", ROUTE_METRICS, 0, "metrics"},
        {"GET", "/", ROUTE_DASHBOARD, 0, "dashboard"},
        {"GET", "/status/", ROUTE_DASHBOARD, 0, "dashboard"},
        {"DELETE", "/v1/media/1", ROUTE_NONE, 405, "rest"},
        {"POST", "/v1/media", ROUTE_REST, 0, "rest"},
        {"GET", "/v1/", ROUTE_REST, 0, "rest"},
        {"GET", "/v1", ROUTE_NONE, 404, "not_found"},
        {"POST", "/job/submit/", ROUTE_NOMMER, 0, "nommer"},
        {"GET", "/job/submit", ROUTE_NONE, 405, "nommer"},
        /* the key in the path, and a base URL with a trailing slash */
        {"POST", "/nommer/K/job/submit", ROUTE_NOMMER, 0, "nommer"},
        {"POST", "/nommer/K//job/submit", ROUTE_NOMMER, 0, "nommer"},
        {"POST", "//job/submit", ROUTE_NOMMER, 0, "nommer"},
        {"GET", "/nommer/K/job/submit/", ROUTE_NONE, 405, "nommer"},
        {"POST", "/nommer/K", ROUTE_NONE, 404, "not_found"},
        {"get", "/health", ROUTE_NONE, 405, "health"}, /* methods are exact */
        {"POST", "/status/media/3/retry", ROUTE_DASH_ACTION, 0,
         "dashboard_action"},
        {"GET", "/status/media/3/retry", ROUTE_NONE, 405, "dashboard_action"},
        {"", "", ROUTE_NONE, 404, "not_found"},
        {"GET", "/\xff\xfe", ROUTE_NONE, 404, "not_found"},
        /* streaming packages: both forms, GET HEAD OPTIONS only */
        {"GET", "/v1/media/3/package/1001/master.m3u8", ROUTE_PACKAGE, 0,
         "package"},
        {"OPTIONS", "/v1/signed/1.ab/media/3/package/1001/v0/init.mp4",
         ROUTE_PACKAGE, 0, "package"},
        {"POST", "/v1/media/3/package/1001/x", ROUTE_NONE, 405, "package"},
        {"OPTIONS", "/v1/media/3", ROUTE_NONE, 405, "rest"},
    };
    struct route_match m;

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        route_match(c[i].method, c[i].path, &m);
        OMKT_CHECK_INT(m.handler, c[i].h, "route %zu: %s %s: handler", i,
                       c[i].method, c[i].path);
        OMKT_CHECK_INT(m.status, c[i].status, "route %zu: status", i);
        OMKT_CHECK_STR(m.action, c[i].action, "route %zu: action", i);
    }
}

/* test_api - the api label of /metrics splits the fronts. */
static void test_api(void)
{
    static const struct {
        const char *method, *path, *api;
    } c[] = {
        {"GET", "/api/", "omkt"},
        {"POST", "/v1/media", "rest"},
        {"GET", "/v1/nope", "rest"},
        {"POST", "/nommer/K/job/submit", "nommer"},
        {"GET", "/nommer/K/job/submit/", "nommer"}, /* its 405 */
        {"POST", "/job/submit/", "nommer"},
        {"GET", "/metrics", "operator"},
        {"GET", "/", "operator"},
        {"GET", "/health", "operator"},
        {"GET", "/nowhere", "none"},
        {"POST", "/status/media/3/cancel", "operator"},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        OMKT_CHECK_STR(route_api(c[i].method, c[i].path), c[i].api,
                       "api %zu: %s %s", i, c[i].method, c[i].path);
}

int main(void)
{
    test_route();
    test_api();
    return omkt_test_done();
}

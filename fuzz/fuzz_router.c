/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_router - libFuzzer target: apid's route table and matcher
 * (src/apid/route.c, route_match) on any method and path.
 *
 * Input: the method, one space, the path (as libmicrohttpd hands it:
 * decoded, without the query); a newline ends it.
 *
 * Oracles: ASan/UBSan; a metrics label always set; a handler only with
 * status 0, else 404 or 405; a handler chosen only for a path of its own
 * (exact, or under /v1/ for REST) and a method it takes; 405 only on a
 * path that exists with another method.
 *
 * XXX: until apid's pure route_match() and MHD-free multipart parser
 * (they came together with src/apid/route.h) are on this branch, the
 * #else part fuzzes the previous code instead (see there).  Drop it once
 * route.h is everywhere.
 */
#if __has_include("apid/route.h")
#include <stdbool.h>
#include <string.h>

#include "apid/route.h"
#include "fuzz.h"

/* is_one_of - @s equals one of the NULL-terminated @list. */
static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *const omkt[] = {"/api", "/api/", "/api/index.php", NULL};
static const char *const dash[] = {"/", "/status", "/status/", NULL};
static const char *const nommer[] = {"/job/submit", "/job/submit/", NULL};
static const char *const other[] = {"/health", "/metrics", NULL};

/* is_known - @url is a path of the table, whatever the method. */
static bool is_known(const char *url)
{
    return is_one_of(url, omkt) || is_one_of(url, dash) ||
           is_one_of(url, nommer) || is_one_of(url, other) ||
           strncmp(url, "/v1/", 4) == 0;
}

/* check_handler - @h may serve @method @url. */
static void check_handler(enum route_handler h, const char *method,
                          const char *url)
{
    bool is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool is_post = strcmp(method, "POST") == 0;

    switch (h) {
    case ROUTE_NONE:
        FUZZ_ASSERT(false, "no handler with status 0");
        break;
    case ROUTE_OMKT:
        FUZZ_ASSERT(is_one_of(url, omkt) && (is_read || is_post),
                    "OMKT handler on another path or method");
        break;
    case ROUTE_HEALTH:
        FUZZ_ASSERT(strcmp(url, "/health") == 0 && is_read,
                    "health on another path or method");
        break;
    case ROUTE_METRICS:
        FUZZ_ASSERT(strcmp(url, "/metrics") == 0 && is_read,
                    "metrics on another path or method");
        break;
    case ROUTE_DASHBOARD:
        FUZZ_ASSERT(is_one_of(url, dash) && is_read,
                    "dashboard on another path or method");
        break;
    case ROUTE_REST:
        FUZZ_ASSERT(strncmp(url, "/v1/", 4) == 0 && (is_read || is_post),
                    "REST handler off /v1/");
        break;
    case ROUTE_NOMMER:
        FUZZ_ASSERT(is_one_of(url, nommer) && is_post,
                    "nommer handler on another path or method");
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char *sp = strchr(text, ' ');
    char *nl;
    struct route_match m;

    if (sp == NULL) {
        free(text);
        return 0;
    }
    *sp = '\0';
    nl = strchr(sp + 1, '\n');
    if (nl != NULL)
        *nl = '\0';
    memset(&m, 0xa5, sizeof(m));
    route_match(text, sp + 1, &m);
    FUZZ_ASSERT(m.action != NULL && m.action[0] != '\0', "no metrics label");
    if (m.status == 0) {
        check_handler(m.handler, text, sp + 1);
    } else {
        FUZZ_ASSERT(m.handler == ROUTE_NONE, "an error with a handler");
        FUZZ_ASSERT(m.status == 404 || m.status == 405, "not 404/405");
        FUZZ_ASSERT((m.status == 405) == is_known(sp + 1),
                    "405 exactly on the known paths");
    }
    free(text);
    return 0;
}

#else /* the previous code */
/*
 * router_dispatch() with the handlers and the error reply stubbed here
 * (the linker then takes only router.o from libapid.a).  Oracles as
 * above: one outcome per request, a metrics label, handlers only on
 * their own paths and methods.
 */
#include <stdbool.h>
#include <string.h>

#include "apid/apid.h"
#if __has_include("apid/router.h") /* surfaces split out of apid.h */
#include "apid/h_dashboard.h"
#include "apid/h_health.h"
#include "apid/h_nommer.h"
#include "apid/h_omkt.h"
#include "apid/h_rest.h"
#include "apid/router.h"
#include "apid/server.h"
#endif
#include "fuzz.h"

/* What the request led to. */
static const char *ran; /* handler name */
static unsigned status; /* error status */
static unsigned outcomes;

/* outcome - count one handler or error. */
static enum MHD_Result outcome(const char *name)
{
    ran = name;
    outcomes++;
    return MHD_YES;
}

enum MHD_Result h_omkt(struct apid_req *r)
{
    (void)r;
    return outcome("omkt");
}

enum MHD_Result h_health(struct apid_req *r)
{
    (void)r;
    return outcome("health");
}

enum MHD_Result h_metrics(struct apid_req *r)
{
    (void)r;
    return outcome("metrics");
}

enum MHD_Result h_dashboard(struct apid_req *r)
{
    (void)r;
    return outcome("dashboard");
}

enum MHD_Result h_rest(struct apid_req *r)
{
    (void)r;
    return outcome("rest");
}

enum MHD_Result h_nommer(struct apid_req *r)
{
    (void)r;
    return outcome("nommer");
}

enum MHD_Result apid_reply_error(struct apid_req *r, unsigned st,
                                 const char *code, const char *msg)
{
    (void)r;
    FUZZ_ASSERT(code != NULL && msg != NULL, "error without code or text");
    status = st;
    return outcome(NULL);
}

/* is_one_of - @s equals one of the NULL-terminated @list. */
static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* check_handler - @ran may serve @method @url. */
static void check_handler(const char *method, const char *url)
{
    static const char *const omkt[] = {"/api", "/api/", "/api/index.php", NULL};
    static const char *const dash[] = {"/", "/status", "/status/", NULL};
    static const char *const nommer[] = {"/job/submit", "/job/submit/", NULL};
    bool is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

    if (strcmp(ran, "omkt") == 0)
        FUZZ_ASSERT(is_one_of(url, omkt), "OMKT handler on another path");
    else if (strcmp(ran, "rest") == 0)
        FUZZ_ASSERT(strncmp(url, "/v1/", 4) == 0, "REST handler off /v1/");
    else if (strcmp(ran, "nommer") == 0)
        FUZZ_ASSERT(is_one_of(url, nommer) && strcmp(method, "POST") == 0,
                    "nommer handler on another path or method");
    else if (strcmp(ran, "dashboard") == 0)
        FUZZ_ASSERT(is_one_of(url, dash) && is_read,
                    "dashboard on another path or method");
    else
        FUZZ_ASSERT(strcmp(url, ran[0] == 'h' ? "/health" : "/metrics") == 0 &&
                        is_read,
                    "health/metrics on another path or method");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char *sp = strchr(text, ' ');
    char *nl;
    struct apid_req r;

    if (sp == NULL) {
        free(text);
        return 0;
    }
    *sp = '\0';
    nl = strchr(sp + 1, '\n');
    if (nl != NULL)
        *nl = '\0';
    memset(&r, 0, sizeof(r));
    r.method = text;
    r.url = sp + 1;
    ran = NULL;
    status = 0;
    outcomes = 0;
    (void)router_dispatch(&r);
    FUZZ_ASSERT(outcomes == 1, "not exactly one outcome");
    FUZZ_ASSERT(r.action != NULL, "no metrics label");
    if (ran != NULL)
        check_handler(r.method, r.url);
    else
        FUZZ_ASSERT(status == 404 || status == 405, "router error not 404/405");
    free(text);
    return 0;
}

#endif

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
 * (exact, under /v1/ for REST, media-nommer's with or without a key in
 * the path, streaming packages' for GET, HEAD and OPTIONS) and a method
 * it takes; 405 only on a
 * path that exists with another method.
 */
#include <stdbool.h>
#include <string.h>

#include "apid/pkgurl.h"
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
static const char *const nommer[] = {"/job/submit", "/job/submit/",
                                     "//job/submit", "//job/submit/", NULL};

/* is_nommer - a media-nommer submit path: one of nommer[], alone or after
 * "/nommer/<one non-empty segment>" (the key of a client's base URL). */
static bool is_nommer(const char *url)
{
    const char *seg = url + 8, *end;

    if (is_one_of(url, nommer))
        return true;
    if (strncmp(url, "/nommer/", 8) != 0)
        return false;
    end = strchr(seg, '/');
    return end != NULL && end > seg && is_one_of(end, nommer);
}
static const char *const other[] = {"/health", "/metrics", NULL};

/* is_known - @url is a path of the table, whatever the method. */
static bool is_known(const char *url)
{
    return is_one_of(url, omkt) || is_one_of(url, dash) || is_nommer(url) ||
           is_one_of(url, other) || strncmp(url, "/v1/", 4) == 0 ||
           strncmp(url, "/status/media/", 14) == 0; /* dashboard actions */
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
        FUZZ_ASSERT(is_nommer(url) && is_post,
                    "nommer handler on another path or method");
        break;
    case ROUTE_DASH_ACTION:
        FUZZ_ASSERT(strncmp(url, "/status/media/", 14) == 0 && is_post,
                    "dashboard action on another path or method");
        break;
    case ROUTE_PACKAGE:
        FUZZ_ASSERT(pkgurl_is(url) && strncmp(url, "/v1/", 4) == 0 &&
                        (is_read || strcmp(method, "OPTIONS") == 0),
                    "package handler on another path or method");
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cors - per-account CORS of the streaming packages (see cors.h). */
#include <string.h>

#include "apid/cors.h"
#include "apid/server.h"
#include "common/parse.h"

bool cors_allows(const char *list, const char *origin)
{
    size_t n = origin ? strlen(origin) : 0;
    const char *p = list;

    if (n == 0 || list == NULL)
        return false;
    while (*p != '\0') {
        size_t w;

        p += strspn(p, " ,");
        w = strcspn(p, " ,");
        if ((w == 1 && *p == '*') || (w == n && strncmp(p, origin, n) == 0))
            return true;
        p += w;
    }
    return false;
}

void cors_apply(struct apid_req *r, const char *list)
{
    const char *origin = apid_header(r, "Origin");

    if (cors_allows(list, origin))
        (void)omkt_strlcpy(r->cors_origin, origin, sizeof(r->cors_origin));
    /* too long for the buffer: cut, so no browser matches it: fine */
}

void cors_headers(struct apid_req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Access-Control-Allow-Origin",
                            r->cors_origin);
    MHD_add_response_header(resp, "Vary", "Origin");
    MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                            "Content-Length, Content-Range, Accept-Ranges, "
                            "ETag, Last-Modified");
}

enum MHD_Result cors_preflight(struct apid_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

    if (resp != NULL && r->cors_origin[0] != '\0') {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods",
                                "GET, HEAD, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                "Range, If-None-Match, If-Modified-Since, "
                                "If-Range, X-API-Key, Authorization");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    }
    return apid_queue(r, 204, resp);
}

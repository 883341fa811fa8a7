/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_health - GET /health (database reachable, schema version; no
 * credential, for load balancers), and the answer of the operator pages
 * (/metrics: h_metrics.c, the dashboard) to a credential they refuse.
 */
#include <stdint.h>
#include <string.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/h_health.h"
#include "apid/server.h"
#include "common/db_schema.h"
#include "common/version.h"

enum MHD_Result h_health(struct apid_req *r)
{
    struct omkt_errbuf eb = {0};
    unsigned version = 0;
    unsigned want = omkt_schema_latest();
    struct omkt_db *db = apid_db(r);
    bool is_ok;

    if (db == NULL || omkt_schema_version(db, &version, &eb) != OMKT_OK)
        return apid_reply_json(r, 503,
                               json_pack("{s:s, s:s, s:s, s:I}", "status",
                                         "error", "db", "unreachable",
                                         "version", OMKT_VERSION,
                                         "schema_expected", (json_int_t)want));
    is_ok = version == want;
    return apid_reply_json(r, is_ok ? 200 : 503,
                           json_pack("{s:s, s:s, s:s, s:I, s:I}", "status",
                                     is_ok ? "ok" : "schema_mismatch", "db",
                                     "ok", "version", OMKT_VERSION,
                                     "schema_version", (json_int_t)version,
                                     "schema_expected", (json_int_t)want));
}

/* need_admin - 401 asking for the operator credential. */
static enum MHD_Result need_admin(struct apid_req *r)
{
    struct MHD_Response *resp;
    static const char text[] = "{\"error\":{\"code\":\"unauthorized\","
                               "\"message\":\"operator credential "
                               "required\"}}";

    resp = MHD_create_response_from_buffer(
        strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return apid_queue(r, 401, NULL); /* a logged 500 */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Basic realm=\"omkt operators\"");
    return apid_queue(r, 401, resp);
}

enum MHD_Result apid_refuse_admin(struct apid_req *r, enum apid_auth v)
{
    if (v == APID_AUTH_DB_DOWN)
        return apid_reply_error(
            r, 503, "db_unavailable",
            "the database is unreachable, so this credential cannot be "
            "checked now ([apid] admin_key and operator keys this apid "
            "verified within the last hour still work)");
    return need_admin(r);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dash_action - the dashboard's retry and cancel buttons (dash_action.h). */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "apid/auth.h"
#include "apid/dash_action.h"
#include "apid/h_health.h"
#include "apid/media_verb.h"
#include "apid/server.h"
#include "common/log.h"
#include "common/parse.h"

#define PREFIX "/status/media/"

bool dash_csrf(struct apid_req *r, char *out)
{
    static const char msg[] = "omkt dashboard actions";
    char key[APID_AUTH_KEY_MAX];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (auth_admin_key(r, key, sizeof(key)) == NULL ||
        HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg,
             strlen(msg), mac, &len) == NULL ||
        len * 2 != DASH_CSRF_LEN)
        return false;
    for (unsigned int i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    return true;
}

/* is_same_site - the browser says nothing, or that the form is ours. */
static bool is_same_site(struct apid_req *r)
{
    const char *origin = apid_header(r, "Origin");
    const char *host = apid_header(r, MHD_HTTP_HEADER_HOST);
    const char *site = apid_header(r, "Sec-Fetch-Site");
    const char *rest;

    if (site != NULL && strcmp(site, "same-origin") != 0 &&
        strcmp(site, "none") != 0)
        return false;
    if (origin == NULL)
        return true;
    rest = strncmp(origin, "http://", 7) == 0    ? origin + 7
           : strncmp(origin, "https://", 8) == 0 ? origin + 8
                                                 : NULL;
    return rest != NULL && host != NULL && strcmp(rest, host) == 0;
}

/* is_token_ok - the form carries this operator's token. */
static bool is_token_ok(struct apid_req *r)
{
    char want[DASH_CSRF_LEN + 1];
    const char *got = params_get(&r->params, "csrf");

    return got != NULL && strlen(got) == DASH_CSRF_LEN && dash_csrf(r, want) &&
           CRYPTO_memcmp(got, want, DASH_CSRF_LEN) == 0;
}

/* parse - "/status/media/<id>/retry|cancel" into @id and @is_cancel. */
static bool parse(const char *url, int64_t *id, bool *is_cancel)
{
    char num[24];
    const char *p, *slash;

    if (strncmp(url, PREFIX, strlen(PREFIX)) != 0)
        return false; /* before looking past a shorter url's end */
    p = url + strlen(PREFIX);
    slash = strchr(p, '/');
    if (slash == NULL || (size_t)(slash - p) >= sizeof(num))
        return false;
    memcpy(num, p, (size_t)(slash - p));
    num[slash - p] = '\0';
    *is_cancel = strcmp(slash, "/cancel") == 0;
    return (*is_cancel || strcmp(slash, "/retry") == 0) &&
           omkt_parse_i64(num, id) == OMKT_OK && *id > 0;
}

/* back - 303 to the media's row on the dashboard. */
static enum MHD_Result back(struct apid_req *r, int64_t id)
{
    char where[64];
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

    snprintf(where, sizeof(where), "/status#m-%" PRId64, id);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, where);
    return apid_queue(r, 303, resp);
}

/* act - run the verb on media @id and answer. */
static enum MHD_Result act(struct apid_req *r, int64_t id, bool is_cancel)
{
    unsigned n = 0;
    struct omkt_db *db = apid_db(r);
    int rc = db ? media_verb(db, id, 0, is_cancel, &n) : OMKT_EDB;

    if (rc == OMKT_ENOTFOUND)
        return apid_reply_error(r, 404, "not_found", "no such media");
    if (rc != OMKT_OK)
        return apid_reply_error(r, 503, "db_unavailable",
                                "database unavailable, retry later");
    if (n == 0)
        return apid_reply_error(r, 409,
                                is_cancel ? "not_cancellable" : "not_failed",
                                is_cancel ? "nothing is queued or running "
                                            "for this media"
                                          : "nothing has failed for this "
                                            "media");
    omkt_log(OMKT_LOG_NOTICE, "dashboard: media=%" PRId64 " %s: %u job(s)", id,
             is_cancel ? "cancelled" : "retried", n);
    return back(r, id);
}

enum MHD_Result h_dash_action(struct apid_req *r)
{
    int64_t id = 0;
    bool is_cancel = false;
    enum apid_auth v = auth_admin(r);

    if (v != APID_AUTH_OK)
        return apid_refuse_admin(r, v);
    if (!parse(r->url, &id, &is_cancel))
        return apid_reply_error(r, 404, "not_found", "no such path");
    if (!is_same_site(r) || !is_token_ok(r))
        return apid_reply_error(r, 403, "forbidden",
                                "cross-site request refused: the form's "
                                "token is missing or wrong");
    return act(r, id, is_cancel);
}

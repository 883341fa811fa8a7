/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_stream - signed stream URLs in the REST API (see rest_stream.h). */
#include <stdio.h>
#include <time.h>

#include "apid/rest_stream.h"
#include "apid/server.h"
#include "common/db_accounts.h"
#include "common/log.h"
#include "common/pkgsign.h"

/* url - the signed URL of @file into a new JSON string, or NULL. */
static json_t *url(const char *base, const char *key,
                   const struct omkt_pkgsign *p, const char *file)
{
    char buf[1024];

    if (omkt_pkgsign_url(buf, sizeof(buf), base, key, p, file) != OMKT_OK)
        return NULL;
    return json_string(buf);
}

json_t *rest_stream_json(struct apid_req *r, const char *base, int64_t media_id,
                         int64_t setting_id)
{
    struct omkt_account acc = {0};
    struct omkt_pkgsign p = {
        .account_id = r->account_id,
        .media_id = media_id,
        .setting_id = setting_id,
        .expires = (int64_t)time(NULL) + r->a->conf.stream_url_ttl_ms / 1000,
    };
    time_t exp = (time_t)p.expires;
    char when[32];
    struct tm tm;
    json_t *o = NULL;

    if (omkt_account_by_id(apid_db(r), r->account_id, &acc, NULL) != OMKT_OK)
        goto out;
    gmtime_r(&exp, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    o = json_pack("{s:o?, s:o?, s:o?, s:I, s:s}", "hls_url",
                  url(base, acc.api_key, &p, "master.m3u8"), "dash_url",
                  url(base, acc.api_key, &p, "manifest.mpd"), "preview_url",
                  url(base, acc.api_key, &p, "preview/thumbs.vtt"), "expires",
                  (json_int_t)p.expires, "expires_at", when);
out:
    omkt_account_clear(&acc);
    return o;
}

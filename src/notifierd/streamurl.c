/* SPDX-License-Identifier: GPL-2.0-or-later */
/* streamurl - the stream URL of OMKT callbacks (see streamurl.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/parse.h"
#include "common/pkgsign.h"
#include "streamurl.h"

void streamurl_add(const struct nt_conf *c, const char *action, json_t *params,
                   const struct omkt_account *acct, int64_t media_id,
                   int64_t now_s)
{
    const char *sid = json_string_value(json_object_get(params, "settings_id"));
    const char *base = c->stream_base_url ? c->stream_base_url : "";
    struct omkt_pkgsign p = {.account_id = acct->id,
                             .media_id = media_id,
                             .expires = now_s + c->stream_url_ttl_ms / 1000};
    size_t n = strlen(base);
    char url[1024], b[512];

    if (strcmp(action, "transcoder_send_format") != 0 || sid == NULL ||
        omkt_parse_i64(sid, &p.setting_id) != OMKT_OK ||
        !omkt_pkgsign_is_package(p.setting_id) || acct->api_key == NULL ||
        n >= sizeof(b))
        return;
    snprintf(b, sizeof(b), "%.*s",
             (int)(n > 0 && base[n - 1] == '/' ? n - 1 : n), base);
    if (omkt_pkgsign_url(url, sizeof(url), b, acct->api_key, &p,
                         "master.m3u8") != OMKT_OK)
        return;
    json_object_set_new(params, "stream_url", json_string(url));
    json_object_set_new(params, "stream_expires",
                        json_sprintf("%" PRId64, p.expires));
}

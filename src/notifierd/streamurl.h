/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * streamurl - the signed master playlist URL in the OMKT
 * transcoder_send_format callback of a streaming package (setting 1001,
 * docs/streaming.md): two fields added, "stream_url" and
 * "stream_expires" (unix seconds); every existing field keeps its name
 * and value, so old OMKT clients, which ignore unknown fields, work
 * unchanged.  Signed when the callback is sent, so a retried callback
 * carries a fresh expiry.
 */
#ifndef OMKT_NOTIFIERD_STREAMURL_H
#define OMKT_NOTIFIERD_STREAMURL_H

#include <jansson.h>
#include <stdint.h>

#include "callback.h"
#include "common/db_accounts.h"

/*
 * streamurl_add - when @action is transcoder_send_format and @params'
 * settings_id is a streaming package, add the fields to @params (an
 * object, borrowed) for media @media_id of account @acct, under [notifierd]
 * stream_base_url (a path alone when unset), valid stream_url_ttl from
 * @now_s.  Anything else is left alone.
 */
void streamurl_add(const struct nt_conf *c, const char *action, json_t *params,
                   const struct omkt_account *acct, int64_t media_id,
                   int64_t now_s);

#endif

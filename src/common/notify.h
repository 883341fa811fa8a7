/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify - queue callbacks to CMSs.  Every callback is a job of task
 * 'notify' (so it survives restarts and is retried with backoff by
 * notifierd); its payload is JSON:
 *   {"kind":"omkt","action":"transcoder_send_metadata",
 *    "params":{"id":"12","metadata":"{...}"}}
 *       a PROTOCOL.md section 2 GET to the account's callback URL with
 *       app_key and action added; params are sent in order as given;
 *   {"kind":"url","url":"http://...","body":{...}}
 *       a JSON POST to a notify_url given with a REST or media-nommer job.
 * Call these inside the transaction that records the event, so the
 * callback exists exactly when the event does.
 */
#ifndef OMKT_COMMON_NOTIFY_H
#define OMKT_COMMON_NOTIFY_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"

/* With notifierd's default backoff (30 s doubling to 10 min) this keeps
 * trying for about two and a half hours: a CMS down for an hour gets
 * everything once it is back. */
#define OMKT_NOTIFY_ATTEMPTS 20

/* omkt_notify_omkt - queue @action with @params (borrowed: an object of
 * string values) for @account_id. */
int omkt_notify_omkt(struct omkt_db *db, int64_t account_id, int64_t media_id,
                     const char *action, json_t *params,
                     struct omkt_errbuf *eb);

/* omkt_notify_alert - transcoder_send_alert for CMS media @remote_id. */
int omkt_notify_alert(struct omkt_db *db, int64_t account_id, int64_t media_id,
                      int64_t remote_id, const char *message,
                      struct omkt_errbuf *eb);

/* omkt_notify_url - queue a JSON POST of @body (borrowed) to @url. */
int omkt_notify_url(struct omkt_db *db, int64_t account_id, int64_t media_id,
                    const char *url, json_t *body, struct omkt_errbuf *eb);

struct omkt_media;

/*
 * omkt_notify_media_error - tell the media's owner that it failed: a
 * transcoder_send_alert for OMKT media, a JSON POST to notify_url for REST
 * and media-nommer media (which have remote_id < 0).
 */
int omkt_notify_media_error(struct omkt_db *db, const struct omkt_media *m,
                            const char *message, struct omkt_errbuf *eb);

/*
 * omkt_notify_media_done - the JSON POST to a REST or media-nommer media's
 * notify_url for its finished output of @setting_id (@meta: the output's
 * metadata JSON text).  Nothing when the media has no notify_url.
 *
 * Bodies: {"media_id":N,"setting_id":N,"status":"ok","metadata":"..."}
 * and {"media_id":N,"status":"error","message":"..."}; media-nommer
 * media also get media-nommer's own fields "unique_id" (the job id it was
 * given), "job_state" ("FINISHED" or "ERROR"), "job_state_details" and
 * "dest_path".
 */
int omkt_notify_media_done(struct omkt_db *db, const struct omkt_media *m,
                           int setting_id, const char *meta,
                           struct omkt_errbuf *eb);

#endif

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
 *       a JSON POST to the callback_url of a REST media (bodies:
 *       restcb_body.c, events: restcb.c), delivered in order like forms;
 *   {"kind":"form","url":"http://...","fields":[["unique_id","7"],...]}
 *       a form-urlencoded POST of the fields, in order, to the notify_url
 *       of a media-nommer job: one per state change, as feederd sends.
 *       notifierd sends the url and form callbacks of one media one at a
 *       time in the order they were queued (db_jobs.c claims the next only once
 *       the one before is delivered or given up).
 * Call these inside the transaction that records the event, so the
 * callback exists exactly when the event does.
 */
#ifndef OMKT_COMMON_NOTIFY_H
#define OMKT_COMMON_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
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

/* omkt_notify_is_nommer - @m was submitted through media-nommer's API
 * (it carries a job_options mapping). */
bool omkt_notify_is_nommer(const struct omkt_media *m);

/*
 * omkt_notify_nommer_state - queue media-nommer's state notification: a
 * form POST to the media's notify_url of unique_id (the job id),
 * job_state (@state: PENDING, DOWNLOADING, ENCODING, UPLOADING,
 * FINISHED, ERROR, ABANDONED), job_state_details (@details, "" when
 * NULL; cleaned and cut like a stored error), in that order, then ours:
 * media_id, dest_path.  Signed and retried like every callback.  A
 * no-op (OMKT_OK) for media that are not media-nommer's or have no
 * notify_url.  Call it inside the transaction that records the event.
 */
int omkt_notify_nommer_state(struct omkt_db *db, const struct omkt_media *m,
                             const char *state, const char *details,
                             struct omkt_errbuf *eb);

/*
 * omkt_notify_media_error - tell the media's owner that it failed: a
 * transcoder_send_alert for OMKT media, media.failed for REST media
 * (restcb.h: for a download or metadata failure; a setting's failure is
 * omkt_restcb_setting_ended), the ERROR state (omkt_notify_nommer_state)
 * for media-nommer's.
 */
int omkt_notify_media_error(struct omkt_db *db, const struct omkt_media *m,
                            const char *message, struct omkt_errbuf *eb);

/*
 * omkt_notify_media_done - for a media-nommer media, the FINISHED state
 * for its finished output of @setting_id (@meta: the output's metadata
 * JSON text), whose form also carries setting_id and metadata after
 * media_id and dest_path.  Nothing for other media (REST media:
 * omkt_restcb_setting_ended) or without a notify_url.
 */
int omkt_notify_media_done(struct omkt_db *db, const struct omkt_media *m,
                           int setting_id, const char *meta,
                           struct omkt_errbuf *eb);

#endif

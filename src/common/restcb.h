/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restcb - when a REST media's callback_url is told what (docs/callbacks.md
 * "REST callbacks"): format.done / format.failed when one setting ends,
 * then ONE media-level event when the media's work has ended: media.done
 * (done, partial or failed), media.failed (download or metadata failed)
 * or media.cancelled (its last open work was cancelled).  Bodies come from
 * restcb_body.c; each is a notify job (notify.c, kind "url"), delivered in
 * the order queued (db_jobs.c), so media.* comes after the format events.
 *
 * DESIGN: the media-level event is decided under the media's row lock
 * (omkt_media_lock: job, then media, then transcodes), reading the
 * transcodes as committed (READ COMMITTED), and recorded with a guarded
 * UPDATE of media.final_event: two workers ending the last two settings at
 * once take turns, the second sees the first's row, and only one UPDATE
 * matches.  A retry clears final_event: its end gets an event of its own.
 * Every function is a no-op (OMKT_OK) for media that are not REST media
 * with a callback URL.  Call them inside the transaction that records the
 * outcome.
 */
#ifndef OMKT_COMMON_RESTCB_H
#define OMKT_COMMON_RESTCB_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "db_media.h"

/* omkt_restcb_applies - @m is a REST media with a callback URL. */
bool omkt_restcb_applies(const struct omkt_media *m);

/* omkt_restcb_lock - lock @m's row (before writing its transcodes). */
int omkt_restcb_lock(struct omkt_db *db, const struct omkt_media *m,
                     struct omkt_errbuf *eb);

/* omkt_restcb_setting_ended - format.done or format.failed for transcode
 * row @tid as it now is (nothing for other states). */
int omkt_restcb_setting_ended(struct omkt_db *db, const struct omkt_media *m,
                              int64_t tid, struct omkt_errbuf *eb);

/*
 * omkt_restcb_media_end - when no setting of @m is asked or running any
 * more: media.cancelled (@is_cancel: a cancel ended it) or media.done,
 * once per round of work.  Locks the media.
 */
int omkt_restcb_media_end(struct omkt_db *db, const struct omkt_media *m,
                          bool is_cancel, struct omkt_errbuf *eb);

/* omkt_restcb_media_failed - media.failed (@message: why), once per round
 * of work; the stage comes from the media's state.  Locks the media. */
int omkt_restcb_media_failed(struct omkt_db *db, const struct omkt_media *m,
                             const char *message, struct omkt_errbuf *eb);

/* omkt_restcb_reopen - a retry starts a new round of work. */
int omkt_restcb_reopen(struct omkt_db *db, const struct omkt_media *m,
                       struct omkt_errbuf *eb);

#endif

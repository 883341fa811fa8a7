/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobflow - the steps of a media's jobs that more than one program takes
 * (apid, metadatad, omktctl, the reaper): asking transcodes (one job for
 * all new rows; its payload is tpayload.h's), cancelling or retrying a job
 * together with the rows it works for, and recording a job whose workers
 * kept dying.  Not to be confused with media/pipeline.c, the FFmpeg
 * decode/encode graph.
 */
#ifndef OMKT_COMMON_JOBFLOW_H
#define OMKT_COMMON_JOBFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "db_media.h"

/*
 * omkt_jobflow_request - ask settings @ids[0..@n) of media @m: one
 * transcodes row per new id and ONE transcode job for all of them (they
 * are decoded once together).  @status[i] (may be NULL) receives OMKT_OK
 * for a newly asked id and OMKT_EEXIST for one asked before.  *queued
 * counts the new ones.  Run it inside the caller's transaction.
 */
int omkt_jobflow_request(struct omkt_db *db, const struct omkt_media *m,
                         const int *ids, size_t n, int *status,
                         unsigned *queued, struct omkt_errbuf *eb);

/*
 * omkt_jobflow_parse_ids - "11,15,101" into at most @max ids.  Returns
 * the count, or -1 when the list is malformed.
 */
int omkt_jobflow_parse_ids(const char *list, int *ids, size_t max);

/*
 * omkt_jobflow_cancel / omkt_jobflow_retry - what an operator or a
 * client means by cancelling or retrying job @id: the job's state and the
 * rows it works for, together.  Cancel: queued, delayed or running ->
 * cancelled, its transcodes cancelled (a running worker learns it at its
 * next lease renewal and stops).  Retry: failed or cancelled -> queued
 * with attempts reset, its media or transcodes reopened so the worker
 * takes them up again.  One transaction each.  OMKT_ENOTFOUND when the job
 * is absent or not in a fitting state.
 */
int omkt_jobflow_cancel(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);
int omkt_jobflow_retry(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

struct omkt_job;

/*
 * omkt_jobflow_claimed - what a media's client learns when a worker takes
 * its job up: media-nommer's DOWNLOADING (download) or ENCODING
 * (transcode) state, on a job's first attempt only (a retry is no new
 * state).  Called by the claim loop right after the claim commits, so no
 * daemon's handler needs to know.  OMKT_OK for everything else.
 */
int omkt_jobflow_claimed(struct omkt_db *db, const struct omkt_job *job,
                         struct omkt_errbuf *eb);

struct omkt_reaped;

/*
 * omkt_jobflow_job_died - a job failed for good because its workers kept
 * dying (reaped with attempts exhausted): mark its media or transcodes
 * failed and tell the client, in the reaper's transaction.
 */
int omkt_jobflow_job_died(struct omkt_db *db, const struct omkt_reaped *r,
                          struct omkt_errbuf *eb);

#endif

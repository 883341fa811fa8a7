/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_segments - the queue side of segment-parallel transcoding (owns the
 * writes to `job_segments` and the segment families' transitions on
 * `jobs`; db_segview.h only reads them, for the views).
 *
 * DESIGN: a transcode job of a long source (the parent) is split when it
 * is claimed: one child job per video segment and one for the audio
 * (jobs.parent_id), each an ordinary transcode job with its own lease,
 * attempts and retry, claimed by any transcoderd; job_segments says what
 * each child makes.  The parent waits ('waiting': no worker, no lease)
 * and is queued again when every child is done, to be joined by whoever
 * claims it.  Each child wakes it after its own completion commits, so
 * the last one to commit always sees every sibling done; a sweep wakes
 * any parent a crash left waiting.  A child that fails for good fails
 * the family; cancel and retry go by family (db_jobs.h).
 */
#ifndef OMKT_COMMON_DB_SEGMENTS_H
#define OMKT_COMMON_DB_SEGMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "db_jobs.h"

#define OMKT_SEG_AUDIO (-1) /* job_segments.seg of the audio child */

/* One child: segment seg >= 0 of the video, or the audio. */
struct omkt_seg_row {
    int seg;
    int64_t start_us;
    int64_t end_us;    /* INT64_MAX: to the end of the source */
    int64_t length_us; /* its weight in the parent's progress */
};

/* Where a family stands. */
struct omkt_seg_state {
    int n_segments; /* video children */
    bool has_audio;
    int n_undone; /* children not done */
};

/*
 * omkt_seg_split - the children of @parent (running, ours): one job per
 * row, with @payload (borrowed: the split transcodes, tpayload.h) and the
 * parent's media, account and priority.  Run in the transaction that
 * parks the parent (omkt_job_park).
 */
int omkt_seg_split(struct omkt_db *db, const struct omkt_job *parent,
                   const char *payload, const struct omkt_seg_row *rows,
                   size_t n, struct omkt_errbuf *eb);

/* omkt_seg_get - child @job_id's row; OMKT_ENOTFOUND when it has none. */
int omkt_seg_get(struct omkt_db *db, int64_t job_id, struct omkt_seg_row *row,
                 struct omkt_errbuf *eb);

/* omkt_seg_state - the children of @parent_id (n_segments 0: none). */
int omkt_seg_state(struct omkt_db *db, int64_t parent_id,
                   struct omkt_seg_state *st, struct omkt_errbuf *eb);

/* omkt_seg_forget - delete the children of @parent_id (and their rows):
 * a parent claimed again before they were all done splits anew. */
int omkt_seg_forget(struct omkt_db *db, int64_t parent_id,
                    struct omkt_errbuf *eb);

/* omkt_seg_frames - record what child @job_id encoded. */
int omkt_seg_frames(struct omkt_db *db, int64_t job_id, int64_t frames,
                    struct omkt_errbuf *eb);

/*
 * omkt_seg_progress - the parent's progress, the share of its segments
 * done (each weighted by its length; a running one by its own
 * progress), written to the parent while it waits; *pct gets it.
 */
int omkt_seg_progress(struct omkt_db *db, int64_t parent_id, int *pct,
                      struct omkt_errbuf *eb);

/*
 * omkt_seg_wake - queue @parent_id to be joined if it waits and every
 * child is done.  Autocommit, after the child's completion committed.
 * *woken (may be NULL) says whether this call did it.
 */
int omkt_seg_wake(struct omkt_db *db, int64_t parent_id, bool *woken,
                  struct omkt_errbuf *eb);

/* omkt_seg_wake_all - the sweep: every waiting parent whose children
 * are all done; *n (may be NULL) counts them. */
int omkt_seg_wake_all(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb);

/*
 * omkt_seg_fail - a child failed for good: its parent fails with @msg
 * (error code @code) and the other children are cancelled.  In the
 * child's failing transaction.  *is_failed (may be NULL) says whether
 * the parent was still waiting (the family's first failure).
 */
int omkt_seg_fail(struct omkt_db *db, int64_t parent_id, int code,
                  const char *msg, bool *is_failed, struct omkt_errbuf *eb);

/* omkt_seg_is_live - whether job @parent_id may still use its segment
 * files (queued, delayed, running or waiting); false when it is gone. */
int omkt_seg_is_live(struct omkt_db *db, int64_t parent_id, bool *is_live,
                     struct omkt_errbuf *eb);

#endif

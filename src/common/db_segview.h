/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_segview - read-only views of segment-parallel transcodes (issue 14;
 * sql/migrations/0015_segments.sql) for the REST API, the dashboard and
 * /metrics.  A split *family* is a transcode job (the parent) and its
 * child jobs (jobs.parent_id), one per video segment and one for the
 * audio, each described by a job_segments row.  The transcode rows a
 * family makes are the children's payload (tpayload.h); the parent's own
 * payload also lists the rows it ran whole, which are not the family's.
 *
 * DESIGN: this module only reads `jobs`, `job_segments`, `processes`
 * (a running child's host, through jobs.worker_id) and `transcodes`
 * (transcode row id to setting id).  The queue core (db_segments.c,
 * db_jobs.c) owns and writes them.  A view holds its query result:
 * every string in it is borrowed until omkt_segview_clear().  The tally
 * is pure logic, testable without a database.
 */
#ifndef OMKT_COMMON_DB_SEGVIEW_H
#define OMKT_COMMON_DB_SEGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A child job: the video of segment @seg (0, 1, ...) or, seg -1, the
 * audio.  Strings are borrowed from the view. */
struct omkt_segview_child {
    int64_t job_id;
    int seg;
    const char *state; /* jobs.state of the child */
    int progress;      /* 0..100 */
    int attempts;
    const char *host; /* host of the worker (processes.host), or NULL */
    int64_t frames;   /* frames it encoded (job_segments.frames) */
};

/* One split transcode job and its children (by seg: the audio first). */
struct omkt_segview_family {
    int64_t parent_id;
    int64_t media_id;
    const char *state; /* jobs.state of the parent ('waiting' ...) */
    int progress;      /* the parent's: the share of frames done */
    int64_t *tids;     /* the transcode rows made by segments */
    int *settings;     /* their setting ids, same order (0: unknown) */
    size_t ntids;
    struct omkt_segview_child *kids;
    size_t nkids;
};

/* Families by parent id, oldest first. */
struct omkt_segview {
    struct omkt_segview_family *fams;
    size_t n;
    struct omkt_dbres *rows; /* owns the strings above */
};

/*
 * omkt_segview_media - every split family of media @media_id, finished
 * ones included (as long as their job rows are kept).  On OMKT_OK *v is
 * filled (release with omkt_segview_clear); a media never split gives
 * v->n == 0.  OMKT_EDB (see eb) otherwise, *v left empty.
 */
int omkt_segview_media(struct omkt_db *db, int64_t media_id,
                       struct omkt_segview *v, struct omkt_errbuf *eb);

/*
 * omkt_segview_active - the newest @max families in progress cluster
 * wide (parent waiting, queued, delayed or running), for the dashboard.
 * As omkt_segview_media otherwise.
 */
int omkt_segview_active(struct omkt_db *db, unsigned max,
                        struct omkt_segview *v, struct omkt_errbuf *eb);

/* omkt_segview_clear - release what a view holds; @v may be NULL. */
void omkt_segview_clear(struct omkt_segview *v);

/*
 * omkt_segview_find - the newest family of @v making setting @setting,
 * or NULL (borrowed from @v).
 */
const struct omkt_segview_family *
omkt_segview_find(const struct omkt_segview *v, int setting);

/* What a family's children are doing. */
struct omkt_segview_tally {
    size_t segments;  /* video segments (children with seg >= 0) */
    size_t done;      /* ... done */
    size_t running;   /* ... running */
    size_t queued;    /* ... queued or delayed (a retry waiting) */
    size_t failed;    /* ... failed */
    size_t cancelled; /* ... cancelled */
    /* "none" without an audio child, else its state, "queued" for
     * delayed; static */
    const char *audio;
};

/* omkt_segview_tally - count @f's children into @t. */
void omkt_segview_tally(const struct omkt_segview_family *f,
                        struct omkt_segview_tally *t);

/* The states a child can be in, in the order /metrics shows them:
 * omkt_jobstats_states[0 .. OMKT_SEGVIEW_NSTATES) (all but "waiting"). */
#define OMKT_SEGVIEW_NSTATES 6

/* Child jobs by state: n[i] for omkt_jobstats_states[i]. */
struct omkt_segview_counts {
    int64_t n[OMKT_SEGVIEW_NSTATES];
};

/*
 * omkt_segview_counts - child jobs (jobs.parent_id set) by state into
 * *c, zeros included.  OMKT_EDB (see eb) otherwise, *c all zero.
 */
int omkt_segview_counts(struct omkt_db *db, struct omkt_segview_counts *c,
                        struct omkt_errbuf *eb);

#endif

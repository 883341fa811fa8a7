/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_job - transcoderd's policy for segment-parallel transcoding:
 * whether a transcode job is split, and the three roles of a family's
 * jobs (docs/media.md, "Segment-parallel transcoding").
 *
 * DESIGN: the parent, when first claimed, scans the source's keyframes
 * and plans segments (media/segment_plan.h) when it lasts at least
 * segment_min; settings that can be split go to children (one per
 * segment, one for the audio: db_segments.h), the others run whole in
 * that same claim.  A child writes its intermediate file into
 * tmp/segments/<parent id>/ of the document root.  The parent, claimed
 * again once every child is done, joins them by stream copy into the
 * media directory and is completed like any transcode job (its rows,
 * its callbacks).  The segment directory is removed by whoever ends the
 * family (the joiner, a failing or cancelled child), else by the
 * reaper of a dead child or the maintenance sweep.
 */
#ifndef OMKT_TRANSCODERD_SEGMENT_JOB_H
#define OMKT_TRANSCODERD_SEGMENT_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/db_segments.h"
#include "common/jobworker.h"
#include "media/settings.h"
#include "media/transcode.h"

#define SEGJOB_MAX 32 /* settings per job, as transcode_job.c's */

/* What a step needs of the job; all borrowed for the call. */
struct segjob_in {
    struct omkt_jobctx *ctx;
    const char *docroot;
    const char *src; /* the original, absolute */
    const struct omkt_setting *sets[SEGJOB_MAX];
    size_t n;
    const struct omkt_transcode_opts *opts; /* stop, tmp tag, threads */
};

/* How a job is split: is_split[i] for sets[i]; n_rows 0: not at all. */
struct segjob_plan {
    bool is_split[SEGJOB_MAX];
    struct omkt_seg_row *rows; /* new: segjob_plan_clear */
    size_t n_rows;
};

/*
 * segjob_plan - plan @in's split: each setting that can be split is when
 * the source lasts at least its segment_min (its own, else @min_ms; 0:
 * never), into segments of about @length_ms (or the shortest
 * segment_length of those settings).  *plan is zeroed first; on OMKT_OK
 * with n_rows 0 the job runs whole.  Only a stop is an error: an
 * unreadable source runs whole, for the engine to judge.
 */
int segjob_plan(const struct segjob_in *in, int64_t min_ms, int64_t length_ms,
                struct segjob_plan *plan);
void segjob_plan_clear(struct segjob_plan *plan);

/* segjob_dir - "tmp/segments/<parent id>" under @docroot (or relative
 * when @docroot is NULL) into @buf. */
int segjob_dir(char *buf, size_t size, const char *docroot, int64_t parent_id);

/*
 * segjob_child - the work of child job @in->ctx->job (its segment of the
 * video, or the audio) for every setting; *frames gets the frames
 * encoded.  Errors as omkt_segment_encode's; OMKT_ENOTFOUND when the job
 * has no segment row (its family was removed).
 */
int segjob_child(const struct segjob_in *in, int64_t *frames);

/*
 * segjob_join - the outputs of the parent @in->ctx->job from its
 * children's files (@st: its family, all done) into @outdir, one per
 * setting in @res (new: omkt_transcode_result_clear), as the engine
 * reports them.  Returns OMKT_OK when every setting was judged (each
 * output has its own status), else the error that stopped it.
 */
int segjob_join(const struct segjob_in *in, const struct omkt_seg_state *st,
                const char *outdir, struct omkt_transcode_result *res);

/*
 * segjob_child_failed - child @ctx->job failed for good with @reason: its
 * parent fails with a message naming the segment, written to @msg, the
 * siblings are cancelled.  *is_first says whether this ended the family
 * (only the first failure tells the client).  In the failing transaction.
 */
int segjob_child_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                        char *msg, size_t size, bool *is_first);

/*
 * segjob_after - after a family member's outcome was recorded: a child
 * that completed updates its parent's progress (written also to the
 * transcodes @tids[0..@n)) and wakes it; a family that ended has its
 * segment directory removed.  Best effort: the sweeps catch up.
 */
void segjob_after(struct omkt_jobctx *ctx, const char *docroot,
                  const int64_t *tids, size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobsplit - what `omktctl jobs show` adds for a split transcode job
 * (segment-parallel transcoding, docs/media.md): the tally of its
 * children and one line per child (the audio, then segments 0, 1, ...)
 * with its job, state, attempts, progress, frames and host, read through
 * db_segview.h.
 */
#ifndef OMKT_OMKTCTL_JOBSPLIT_H
#define OMKT_OMKTCTL_JOBSPLIT_H

#include <jansson.h>
#include <stdint.h>

#include "cli.h"

/*
 * jobsplit_show - when job @job_id (of media @media_id) was split, its
 * children: added to @obj as "split" with --json (@obj borrowed), else
 * printed after the job's lines.  Nothing for a job never split.
 * 0, or 1 after printing a database error.
 */
int jobsplit_show(const struct cli *c, int64_t job_id, int64_t media_id,
                  json_t *obj);

#endif

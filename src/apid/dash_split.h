/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dash_split - the dashboard's "Split transcodes" section: one line per
 * transcode made by segments whose split job is still in progress
 * (segment-parallel transcoding, docs/media.md): its media and job, the
 * job's progress, and what the segments and the audio are doing, e.g.
 * "setting 12: segments 3/5 done, 1 running on hostA, 1 queued, audio
 * done".
 */
#ifndef OMKT_APID_DASH_SPLIT_H
#define OMKT_APID_DASH_SPLIT_H

#include "apid/sbuf.h"
#include "common/db.h"

/* dash_split - append the section, read from @db, to @b. */
void dash_split(struct omkt_db *db, struct sbuf *b);

#endif

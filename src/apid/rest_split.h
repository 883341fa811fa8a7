/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rest_split - the "split" object of a transcode made by segments
 * (segment-parallel transcoding, docs/api.md): its split job, that job's
 * state and progress, and what the segment and audio jobs are doing.
 * Shared by the REST media view (rest_media.c).
 */
#ifndef OMKT_APID_REST_SPLIT_H
#define OMKT_APID_REST_SPLIT_H

#include <jansson.h>

#include "common/db_segview.h"

/*
 * rest_split_json - @f as {"job", "state", "progress", "segments", "done",
 * "running": [{"segment", "host", "progress"}], "queued", "failed",
 * "cancelled", "audio"}.  New reference.
 */
json_t *rest_split_json(const struct omkt_segview_family *f);

#endif

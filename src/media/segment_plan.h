/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_plan - where a long source is cut for segment-parallel
 * transcoding: boundaries on source keyframes near multiples of the
 * segment length.  Pure arithmetic over a list of keyframe times, no
 * FFmpeg state, so it is unit-tested on its own (tests/unit/
 * test_media_segment_plan.c).
 *
 * Times are microseconds from the source's start, as
 * omkt_segment_scan() (segment_encode.h) reports them.  Segment 0 runs
 * from the start of the source to bounds[0], segment i from
 * bounds[i - 1] to bounds[i], the last one to the end of the source.
 */
#ifndef OMKT_MEDIA_SEGMENT_PLAN_H
#define OMKT_MEDIA_SEGMENT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * omkt_segment_plan - boundaries for segments of about @length_us of a
 * source lasting @duration_us whose keyframes are @key_us[0..@n_keys)
 * (ascending, no repeats).  For each multiple k * @length_us of the
 * length inside the source, the keyframe nearest to it is a boundary,
 * provided every segment (the first and the last included) lasts at
 * least @length_us / 2; a multiple with no such keyframe adds none.
 * So a source shorter than 1.5 lengths, or one without keyframes to cut
 * at, gives no boundary (one segment).  On OMKT_OK *bounds is new
 * (free(); NULL when *n_bounds is 0).  OMKT_EINVAL when @length_us <= 0,
 * @duration_us <= 0 or the keys are not strictly ascending.
 */
int omkt_segment_plan(const int64_t *key_us, size_t n_keys, int64_t duration_us,
                      int64_t length_us, int64_t **bounds, size_t *n_bounds);

#endif

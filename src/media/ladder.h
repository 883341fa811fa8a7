/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ladder - which rungs of a streaming setting a source gets, and their
 * sizes: never an upscale (rungs taller than the source are dropped),
 * always at least one rung (the lowest, at the source's height when the
 * source is smaller).  Pure arithmetic, unit-tested on its own.
 */
#ifndef OMKT_MEDIA_LADDER_H
#define OMKT_MEDIA_LADDER_H

#include <stddef.h>

#include "media/settings.h"

struct omkt_ladder_rung {
    const struct omkt_rung *rung; /* borrowed from the setting */
    int width, height;            /* even, the source's display aspect */
};

/*
 * omkt_ladder_plan - the rungs of @s (ascending) for a source displayed
 * at @disp_w x @disp_h (square pixels, rotation applied) into @out
 * (OMKT_RUNGS_MAX entries); *n their count (>= 1 on OMKT_OK).
 * OMKT_EINVAL for a degenerate size or an empty ladder.
 */
int omkt_ladder_plan(const struct omkt_setting *s, int disp_w, int disp_h,
                     struct omkt_ladder_rung *out, size_t *n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ladder - the rungs of a streaming ladder that a source gets. */
#include <stdint.h>

#include "media/ladder.h"

/* even - @v rounded to the nearest even number, at least 2. */
static int even(int64_t num, int64_t den)
{
    int64_t v = (num + den) / (2 * den) * 2;

    return v < 2 ? 2 : (int)v;
}

int omkt_ladder_plan(const struct omkt_setting *s, int disp_w, int disp_h,
                     struct omkt_ladder_rung *out, size_t *n)
{
    size_t k = 0;

    *n = 0;
    if (disp_w < 2 || disp_h < 2 || s->n_rungs == 0)
        return OMKT_EINVAL;
    for (size_t i = 0; i < s->n_rungs && k < OMKT_RUNGS_MAX; i++) {
        if (s->rungs[i].height > disp_h)
            break; /* ascending: every later rung is taller too */
        out[k].rung = &s->rungs[i];
        out[k].height = s->rungs[i].height;
        k++;
    }
    if (k == 0) { /* a small source: the lowest rung at its own height */
        out[0].rung = &s->rungs[0];
        out[0].height = disp_h & ~1;
        out[0].height = out[0].height < 2 ? 2 : out[0].height;
        k = 1;
    }
    for (size_t i = 0; i < k; i++)
        out[i].width = even((int64_t)disp_w * out[i].height, disp_h);
    *n = k;
    return OMKT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * geometry - output frame size from the source's display aspect and a
 * setting's 4:3 and 16:9 boxes (PROTOCOL.md section 4).  Pure arithmetic,
 * no FFmpeg state, so it is unit-tested on its own.
 */
#ifndef OMKT_MEDIA_GEOMETRY_H
#define OMKT_MEDIA_GEOMETRY_H

#include <stdbool.h>

struct omkt_geom_src {
    int width, height;    /* coded size */
    int sar_num, sar_den; /* sample aspect; 0 or 0/x means square */
    int rotation;         /* clockwise display rotation: 0/90/180/270 */
};

struct omkt_geom_box {
    int w43, h43, w169, h169;
    bool is_fit;    /* keep the display aspect inside the 16:9 box */
    bool is_source; /* the display size itself (boxes ignored) */
};

/*
 * omkt_geom_fit - the output size for @src in @box: a 16:9 source (within
 * 3 %) gets the 16:9 box, a 4:3 source the 4:3 box, any other ratio keeps
 * its own ratio inside the 16:9 box; a portrait source (after rotation)
 * uses the same boxes turned on their side.  With is_fit the aspect is
 * kept inside the 16:9 box as given (no snapping, never turned, like
 * ffmpeg's -s with the aspect kept); with is_source the output
 * is the source's display size (at most 8192 on a side).  Both dimensions are
 * even and at least 2, and the result has square pixels.  Returns OMKT_OK, or
 * OMKT_EINVAL on a degenerate source or box.
 */
int omkt_geom_fit(const struct omkt_geom_src *src,
                  const struct omkt_geom_box *box, int *out_w, int *out_h);

/* omkt_geom_rotation - normalise degrees (any sign) to 0/90/180/270. */
int omkt_geom_rotation(double degrees);

#endif

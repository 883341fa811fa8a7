/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * geometry - choose the output box and keep the picture's display aspect.
 * The source's display size is its coded size stretched by the sample
 * aspect, then turned by the rotation; the output always has square pixels.
 */
#include <math.h>

#include "common/err.h"
#include "media/geometry.h"

#define ASPECT_TOL 0.03 /* relative tolerance to snap to 16:9 or 4:3 */
#define GEOM_MAX   8192 /* largest side of a source-size output */
#define SAR_TOL    0.01 /* a sample aspect this close to 1:1 is square */

/* even - nearest even integer, at least 2. */
static int even(double v)
{
    long r = lround(v / 2.0) * 2;

    return r < 2 ? 2 : (int)r;
}

/* near - is @ratio within ASPECT_TOL of @want? */
static int near(double ratio, double want)
{
    return fabs(ratio - want) <= want * ASPECT_TOL;
}

int omkt_geom_rotation(double degrees)
{
    long r;

    if (!isfinite(degrees))
        return 0;
    r = lround(degrees / 90.0) % 4;
    if (r < 0)
        r += 4;
    return (int)r * 90;
}

/*
 * display - the source's display size (SAR, rotation) into *dw, *dh.  A
 * sample aspect within SAR_TOL of 1:1 is no anamorphic format but the
 * scale filter's rounding (scale=400:trunc(ow/a/2)*2 of a 1280x720
 * picture gives 400x224 with SAR 224:225 to keep 16:9 exactly): those
 * pixels are taken as square, so the picture keeps the size that was
 * asked for (400x224, as the ffmpeg CLI writes it) instead of shrinking
 * by the rounding (398x224).
 */
static void display(const struct omkt_geom_src *src, double *dw, double *dh)
{
    double sar;
    double tmp;

    *dw = src->width;
    *dh = src->height;
    sar = src->sar_num > 0 && src->sar_den > 0
              ? (double)src->sar_num / src->sar_den
              : 1.0;
    if (fabs(sar - 1.0) > SAR_TOL)
        *dw = *dw * sar;
    if (src->rotation == 90 || src->rotation == 270) {
        tmp = *dw;
        *dw = *dh;
        *dh = tmp;
    }
}

/* pick - the landscape size for a long/short side @ratio in @box. */
static void pick(const struct omkt_geom_box *box, double ratio, int *w, int *h)
{
    if (near(ratio, 16.0 / 9.0)) {
        *w = box->w169;
        *h = box->h169;
    } else if (near(ratio, 4.0 / 3.0)) {
        *w = box->w43;
        *h = box->h43;
    } else if (ratio > (double)box->w169 / box->h169) {
        *w = even(box->w169);
        *h = even(box->w169 / ratio);
    } else {
        *h = even(box->h169);
        *w = even(box->h169 * ratio);
    }
}

int omkt_geom_fit(const struct omkt_geom_src *src,
                  const struct omkt_geom_box *box, int *out_w, int *out_h)
{
    static const struct omkt_geom_box max = {GEOM_MAX, GEOM_MAX, GEOM_MAX,
                                             GEOM_MAX, false,    false};
    double dw, dh, ratio;
    int w, h;

    if (src->width <= 0 || src->height <= 0 ||
        (!box->is_source &&
         (box->w43 <= 0 || box->h43 <= 0 || box->w169 <= 0 || box->h169 <= 0)))
        return OMKT_EINVAL;
    display(src, &dw, &dh);
    ratio = dw >= dh ? dw / dh : dh / dw; /* long side over short side */
    if (box->is_source && dw <= GEOM_MAX && dh <= GEOM_MAX) {
        *out_w = even(dw);
        *out_h = even(dh);
        return OMKT_OK;
    }
    if (box->is_fit) { /* the box as given, never turned */
        bool is_wider = dw / dh > (double)box->w169 / box->h169;

        *out_w = is_wider ? even(box->w169) : even(box->h169 * dw / dh);
        *out_h = is_wider ? even(box->w169 * dh / dw) : even(box->h169);
        return OMKT_OK;
    }
    pick(box->is_source ? &max : box, ratio, &w, &h);
    *out_w = dw >= dh ? w : h;
    *out_h = dw >= dh ? h : w;
    return OMKT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_ladder - the rungs a source gets from the default ladder:
 * none above the source's height (no upscale), the others at the
 * source's display aspect with even sides, and at least one rung (at the
 * source's height) for a source smaller than the lowest rung.
 */
#include "common/alloc.h"
#include "media/ladder.h"
#include "media/settings.h"
#include "omkt_test.h"

struct lcase {
    int w, h;         /* display size */
    size_t n;         /* rungs kept */
    int top_w, top_h; /* the highest one */
};

static void test_plan(void)
{
    static const struct lcase c[] = {
        {1920, 1080, 5, 1920, 1080}, {1280, 720, 4, 1280, 720},
        {3840, 2160, 5, 1920, 1080}, {640, 480, 3, 640, 480},
        {720, 576, 3, 600, 480},     {1280, 718, 3, 856, 480},
        {320, 180, 1, 320, 180},     {96, 64, 1, 96, 64},
        {1080, 1920, 5, 608, 1080},  {1440, 1080, 5, 1440, 1080},
    };
    const struct omkt_setting *s = omkt_setting_find(OMKT_SETTING_STREAM);
    struct omkt_ladder_rung out[OMKT_RUNGS_MAX];
    size_t n;

    OMKT_CHECK(s != NULL && s->n_rungs == 5, "default ladder");
    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int rc = omkt_ladder_plan(s, c[i].w, c[i].h, out, &n);

        OMKT_CHECK_INT(rc, OMKT_OK, "case %zu: plan", i);
        OMKT_CHECK_INT(n, c[i].n, "case %zu: %dx%d rungs", i, c[i].w, c[i].h);
        if (rc != OMKT_OK || n == 0)
            continue;
        OMKT_CHECK(out[n - 1].width == c[i].top_w &&
                       out[n - 1].height == c[i].top_h,
                   "case %zu: top %dx%d (want %dx%d)", i, out[n - 1].width,
                   out[n - 1].height, c[i].top_w, c[i].top_h);
        for (size_t k = 0; k < n; k++)
            OMKT_CHECK(out[k].height <= c[i].h && out[k].width % 2 == 0 &&
                           out[k].height % 2 == 0,
                       "case %zu rung %zu: %dx%d even, no upscale", i, k,
                       out[k].width, out[k].height);
    }
    OMKT_CHECK_INT(omkt_ladder_plan(s, 0, 0, out, &n), OMKT_EINVAL,
                   "degenerate size");
}

int main(void)
{
    test_plan();
    return omkt_test_done();
}

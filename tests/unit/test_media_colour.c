/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_colour - what a source's colour is taken as, what each
 * output is tagged with, and the conversion filters between them.
 */
#include <string.h>

#include "common/alloc.h"
#include "media/colour.h"
#include "omkt_test.h"

#define U_PRI AVCOL_PRI_UNSPECIFIED
#define U_TRC AVCOL_TRC_UNSPECIFIED
#define U_SPC AVCOL_SPC_UNSPECIFIED

/* A source's colour: its tags, else what players assume by its size. */
static void test_of_stream(void)
{
    static const struct {
        int w, h, fmt, pri, trc, spc;
        int want_pri, want_trc, want_spc, want_range;
    } c[] = {
        {1920, 1080, AV_PIX_FMT_YUV420P, U_PRI, U_TRC, U_SPC, AVCOL_PRI_BT709,
         AVCOL_TRC_BT709, AVCOL_SPC_BT709, AVCOL_RANGE_MPEG},
        {720, 576, AV_PIX_FMT_YUV420P, U_PRI, U_TRC, U_SPC, AVCOL_PRI_BT470BG,
         AVCOL_TRC_BT709, AVCOL_SPC_BT470BG, AVCOL_RANGE_MPEG},
        {640, 480, AV_PIX_FMT_YUV420P, U_PRI, U_TRC, U_SPC, AVCOL_PRI_SMPTE170M,
         AVCOL_TRC_SMPTE170M, AVCOL_SPC_SMPTE170M, AVCOL_RANGE_MPEG},
        {640, 480, AV_PIX_FMT_YUVJ420P, U_PRI, U_TRC, U_SPC,
         AVCOL_PRI_SMPTE170M, AVCOL_TRC_SMPTE170M, AVCOL_SPC_SMPTE170M,
         AVCOL_RANGE_JPEG},
        {3840, 2160, AV_PIX_FMT_YUV420P10LE, AVCOL_PRI_BT2020,
         AVCOL_TRC_ARIB_STD_B67, AVCOL_SPC_BT2020_NCL, AVCOL_PRI_BT2020,
         AVCOL_TRC_ARIB_STD_B67, AVCOL_SPC_BT2020_NCL, AVCOL_RANGE_MPEG},
        /* only the matrix said: the primaries that go with it */
        {1280, 720, AV_PIX_FMT_YUV420P, U_PRI, U_TRC, AVCOL_SPC_BT2020_NCL,
         AVCOL_PRI_BT2020, AVCOL_TRC_BT709, AVCOL_SPC_BT2020_NCL,
         AVCOL_RANGE_MPEG},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        AVCodecParameters *p = avcodec_parameters_alloc();
        struct omkt_colour col;

        p->width = c[i].w;
        p->height = c[i].h;
        p->format = c[i].fmt;
        p->color_primaries = c[i].pri;
        p->color_trc = c[i].trc;
        p->color_space = c[i].spc;
        omkt_colour_of_stream(p, &col);
        OMKT_CHECK(
            (int)col.pri == c[i].want_pri && (int)col.trc == c[i].want_trc &&
                (int)col.spc == c[i].want_spc &&
                (int)col.range == c[i].want_range,
            "case %zu: %d/%d/%d/%d", i, col.pri, col.trc, col.spc, col.range);
        avcodec_parameters_free(&p);
    }
}

/* Outputs: HD is BT.709 (converted), SD keeps the source's, HDR is
 * tone-mapped (Debian's FFmpeg has zscale and tonemap). */
static void test_outputs(void)
{
    static const struct omkt_colour sd601 = {
        AVCOL_PRI_SMPTE170M, AVCOL_TRC_SMPTE170M, AVCOL_SPC_SMPTE170M,
        AVCOL_RANGE_MPEG};
    static const struct omkt_colour hd709 = {AVCOL_PRI_BT709, AVCOL_TRC_BT709,
                                             AVCOL_SPC_BT709, AVCOL_RANGE_MPEG};
    static const struct omkt_colour hlg = {
        AVCOL_PRI_BT2020, AVCOL_TRC_ARIB_STD_B67, AVCOL_SPC_BT2020_NCL,
        AVCOL_RANGE_MPEG};
    struct omkt_colour out;
    char sopts[128], post[512];

    omkt_colour_for_output(&sd601, 1280, 720, false, &out);
    OMKT_CHECK(memcmp(&out, &hd709, sizeof(out)) == 0, "601 into HD: 709");
    omkt_colour_filters(&sd601, &out, sopts, sizeof(sopts), post, sizeof(post));
    OMKT_CHECK_STR(sopts, ":in_color_matrix=bt601:out_color_matrix=bt709",
                   "601 into HD: the scaler converts");
    OMKT_CHECK_STR(post, "", "601 into HD: no other filter");

    omkt_colour_for_output(&sd601, 480, 360, false, &out);
    OMKT_CHECK(memcmp(&out, &sd601, sizeof(out)) == 0, "601 into SD: kept");
    omkt_colour_filters(&sd601, &out, sopts, sizeof(sopts), post, sizeof(post));
    OMKT_CHECK(sopts[0] == '\0' && post[0] == '\0', "601 into SD: no filter");

    omkt_colour_for_output(&hd709, 480, 360, false, &out);
    OMKT_CHECK(memcmp(&out, &hd709, sizeof(out)) == 0, "709 into SD: kept");

    omkt_colour_for_output(&hlg, 640, 360, false, &out);
    OMKT_CHECK(memcmp(&out, &hd709, sizeof(out)) == 0, "HLG into SD: 709");
    omkt_colour_filters(&hlg, &out, sopts, sizeof(sopts), post, sizeof(post));
    OMKT_CHECK(strstr(post, "zscale=tin=arib-std-b67:pin=bt2020:") == post &&
                   strstr(post, "tonemap=tonemap=mobius") != NULL &&
                   strstr(post, "r=tv,") != NULL,
               "HLG: tone-mapped: %s", post);
    omkt_colour_for_output(&hlg, 640, 360, true, &out);
    OMKT_CHECK(out.range == AVCOL_RANGE_JPEG && out.spc == AVCOL_SPC_BT470BG,
               "HLG into JPEG: BT.601 matrix, full range");
    omkt_colour_filters(&hlg, &out, sopts, sizeof(sopts), post, sizeof(post));
    OMKT_CHECK(strstr(post, "m=bt470bg:r=pc,") != NULL, "HLG into JPEG: %s",
               post);
    /* JFIF readers take the BT.601 matrix: HD pictures converted to it */
    omkt_colour_for_output(&hd709, 1280, 720, true, &out);
    OMKT_CHECK(out.spc == AVCOL_SPC_BT470BG && out.range == AVCOL_RANGE_JPEG,
               "709 into JPEG: BT.601 matrix, full range");
    omkt_colour_filters(&hd709, &out, sopts, sizeof(sopts), post, sizeof(post));
    OMKT_CHECK_STR(sopts, ":in_color_matrix=bt709:out_color_matrix=bt601",
                   "709 into JPEG: the scaler converts");
}

int main(void)
{
    test_of_stream();
    test_outputs();
    return omkt_test_done();
}

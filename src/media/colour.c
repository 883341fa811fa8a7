/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colour - the colour description of sources and outputs, and the
 * conversions between them (see colour.h).  Tone mapping follows the
 * usual libavfilter recipe: linear light (100 cd/m2 = 1.0), BT.709
 * primaries, tonemap, then the BT.709 transfer and matrix.  The mobius
 * curve keeps the tones an SDR display can show as they are and only
 * compresses the highlights above them, so HLG and PQ video mastered
 * with a 203 cd/m2 reference white (ITU-R BT.2408, what phones record)
 * keeps its brightness and colours (hable darkens it by a fifth).
 */
#include <stdio.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavutil/pixdesc.h>

#include "common/alloc.h"
#include "media/colour.h"

#define HD_W 1280
#define HD_H 720

/* primaries_of - the primaries that go with matrix @spc. */
static enum AVColorPrimaries primaries_of(enum AVColorSpace spc)
{
    if (spc == AVCOL_SPC_BT470BG)
        return AVCOL_PRI_BT470BG;
    if (spc == AVCOL_SPC_SMPTE170M)
        return AVCOL_PRI_SMPTE170M;
    if (spc == AVCOL_SPC_BT2020_NCL || spc == AVCOL_SPC_BT2020_CL)
        return AVCOL_PRI_BT2020;
    return AVCOL_PRI_BT709;
}

/* guess - what a player assumes of an untagged @p. */
static void guess(const AVCodecParameters *p, struct omkt_colour *c)
{
    bool is_hd = p->width >= HD_W || p->height >= HD_H;
    bool is_pal = p->height == 576 || p->height == 288;

    if (c->spc == AVCOL_SPC_UNSPECIFIED)
        c->spc = is_hd    ? AVCOL_SPC_BT709
                 : is_pal ? AVCOL_SPC_BT470BG
                          : AVCOL_SPC_SMPTE170M;
    if (c->pri == AVCOL_PRI_UNSPECIFIED)
        c->pri = primaries_of(c->spc);
    if (c->trc == AVCOL_TRC_UNSPECIFIED)
        c->trc = c->spc == AVCOL_SPC_SMPTE170M ? AVCOL_TRC_SMPTE170M
                                               : AVCOL_TRC_BT709;
}

void omkt_colour_of_stream(const AVCodecParameters *p, struct omkt_colour *c)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(p->format);

    *c = (struct omkt_colour){p->color_primaries, p->color_trc, p->color_space,
                              p->color_range};
    /* Reserved values count as unspecified. */
    if (av_color_primaries_name(c->pri) == NULL)
        c->pri = AVCOL_PRI_UNSPECIFIED;
    if (av_color_transfer_name(c->trc) == NULL)
        c->trc = AVCOL_TRC_UNSPECIFIED;
    if (av_color_space_name(c->spc) == NULL || c->spc == AVCOL_SPC_RGB)
        c->spc = AVCOL_SPC_UNSPECIFIED;
    guess(p, c);
    if (c->range == AVCOL_RANGE_UNSPECIFIED)
        c->range = d != NULL && strncmp(d->name, "yuvj", 4) == 0
                       ? AVCOL_RANGE_JPEG
                       : AVCOL_RANGE_MPEG;
}

bool omkt_colour_is_hdr(const struct omkt_colour *c)
{
    return c->trc == AVCOL_TRC_SMPTE2084 || c->trc == AVCOL_TRC_ARIB_STD_B67;
}

/* is_wide - HDR or BT.2020: converted to BT.709 by zscale. */
static bool is_wide(const struct omkt_colour *c)
{
    return omkt_colour_is_hdr(c) || c->pri == AVCOL_PRI_BT2020;
}

/* can_tonemap - does this libavfilter have zscale and tonemap? */
static bool can_tonemap(void)
{
    return avfilter_get_by_name("zscale") != NULL &&
           avfilter_get_by_name("tonemap") != NULL;
}

void omkt_colour_for_output(const struct omkt_colour *src, int w, int h,
                            bool is_jpeg, struct omkt_colour *out)
{
    static const struct omkt_colour bt709 = {AVCOL_PRI_BT709, AVCOL_TRC_BT709,
                                             AVCOL_SPC_BT709, AVCOL_RANGE_MPEG};
    bool is_hd = w >= HD_W || h >= HD_H;
    bool is_fallback = is_wide(src) && !can_tonemap();

    if (is_fallback)
        *out = *src; /* stated as is: HDR-aware players still show it */
    else if (is_wide(src) || (is_hd && !is_jpeg))
        *out = bt709;
    else
        *out = *src;
    /* JPEG (JFIF) pictures are read with the BT.601 matrix, full range,
     * whatever the source's: convert to it. */
    if (is_jpeg && !is_fallback)
        out->spc = AVCOL_SPC_BT470BG;
    out->range = is_jpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
}

/* sws_matrix - the scale filter's name of matrix @spc, or NULL. */
static const char *sws_matrix(enum AVColorSpace spc)
{
    static const struct {
        enum AVColorSpace spc;
        const char *name;
    } t[] = {
        {AVCOL_SPC_BT709, "bt709"},      {AVCOL_SPC_BT470BG, "bt601"},
        {AVCOL_SPC_SMPTE170M, "bt601"},  {AVCOL_SPC_SMPTE240M, "smpte240m"},
        {AVCOL_SPC_FCC, "fcc"},          {AVCOL_SPC_BT2020_NCL, "bt2020"},
        {AVCOL_SPC_BT2020_CL, "bt2020"},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(t); i++)
        if (t[i].spc == spc)
            return t[i].name;
    return NULL;
}

/*
 * zscale_matrix - the matrix zscale reads @src with.  The BT.2020
 * constant-luminance matrix is defined with the BT.2020 transfer, the
 * only one zimg decodes it with ("Generic error in an external library"
 * otherwise): an HLG or PQ stream tagged with it is read as the
 * non-constant-luminance BT.2020 it almost always is (what phones and
 * cameras record; a true CL picture comes out slightly off in hue, not
 * refused).
 */
static enum AVColorSpace zscale_matrix(const struct omkt_colour *src)
{
    if (src->spc == AVCOL_SPC_BT2020_CL && src->trc != AVCOL_TRC_BT2020_10 &&
        src->trc != AVCOL_TRC_BT2020_12)
        return AVCOL_SPC_BT2020_NCL;
    return src->spc;
}

/*
 * zscale_desc - @src (HDR or BT.2020) to BT.709 in @buf: through linear
 * light and the tone map for HDR, directly for SDR BT.2020.
 */
static void zscale_desc(const struct omkt_colour *src,
                        const struct omkt_colour *out, char *buf, size_t size)
{
    char in[160];

    snprintf(in, sizeof(in), "zscale=tin=%s:pin=%s:min=%s:rin=%s",
             av_color_transfer_name(src->trc),
             av_color_primaries_name(src->pri),
             av_color_space_name(zscale_matrix(src)),
             av_color_range_name(src->range));
    if (omkt_colour_is_hdr(src))
        snprintf(buf, size,
                 "%s:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
                 "tonemap=tonemap=mobius:desat=0,zscale=t=bt709:m=%s:r=%s,",
                 in, av_color_space_name(out->spc),
                 av_color_range_name(out->range));
    else
        snprintf(buf, size, "%s:t=bt709:p=bt709:m=%s:r=%s,", in,
                 av_color_space_name(out->spc),
                 av_color_range_name(out->range));
}

void omkt_colour_filters(const struct omkt_colour *src,
                         const struct omkt_colour *out, char *scale_opts,
                         size_t scale_size, char *post, size_t post_size)
{
    const char *in_m = sws_matrix(src->spc);
    const char *out_m = sws_matrix(out->spc);

    scale_opts[0] = '\0';
    post[0] = '\0';
    if (is_wide(src) && !is_wide(out)) {
        zscale_desc(src, out, post, post_size);
        return;
    }
    if (in_m != NULL && out_m != NULL && strcmp(in_m, out_m) != 0)
        snprintf(scale_opts, scale_size,
                 ":in_color_matrix=%s:out_color_matrix=%s", in_m, out_m);
}

void omkt_colour_tag(AVCodecContext *e, const struct omkt_colour *c)
{
    e->color_primaries = c->pri;
    e->color_trc = c->trc;
    e->colorspace = c->spc;
    e->color_range = c->range;
}

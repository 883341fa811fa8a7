/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colour - the colour description of a source and of its outputs: which
 * primaries, transfer, matrix and range each output is tagged with, and
 * the filters that convert the pixels to it (HDR tone mapping to SDR
 * BT.709, BT.601 to BT.709 for HD outputs).  Internal to src/media.
 *
 * DESIGN: every output is SDR, 8-bit, and tagged.  HD outputs (1280 wide
 * or 720 high and up) are BT.709; SD outputs keep the source's (BT.601 or
 * BT.709); JPEG pictures use the BT.601 matrix, full range.  A source
 * that says nothing is taken as players take it:
 * BT.709 from 720 lines up, else BT.601 (PAL at 576 lines, else NTSC).
 * HDR (PQ or HLG) and BT.2020 sources are converted to BT.709 with
 * zscale and tonemap (mobius); without them (an FFmpeg built without
 * libzimg) the output keeps the source's description, tagged as such.
 */
#ifndef OMKT_MEDIA_COLOUR_H
#define OMKT_MEDIA_COLOUR_H

#include <stdbool.h>
#include <stddef.h>

#include <libavcodec/avcodec.h>

struct omkt_colour {
    enum AVColorPrimaries pri;
    enum AVColorTransferCharacteristic trc;
    enum AVColorSpace spc;
    enum AVColorRange range;
};

/*
 * omkt_colour_of_stream - the colour of a stream with parameters @p, what
 * it leaves unspecified filled in as players guess it.
 */
void omkt_colour_of_stream(const AVCodecParameters *p, struct omkt_colour *c);

/* omkt_colour_is_hdr - is @c a PQ or HLG transfer? */
bool omkt_colour_is_hdr(const struct omkt_colour *c);

/*
 * omkt_colour_for_output - what a @w x @h output of a source of colour
 * @src is tagged with; @is_jpeg: a JPEG picture (BT.601 matrix, full
 * range, as JFIF readers take it), else video (range tv).
 */
void omkt_colour_for_output(const struct omkt_colour *src, int w, int h,
                            bool is_jpeg, struct omkt_colour *out);

/*
 * omkt_colour_filters - options for the scale filter (@scale_opts,
 * ":in_color_matrix=...", or "") and filters to run after it (@post,
 * each followed by a comma, or "") that turn @src pixels into @out's.
 */
void omkt_colour_filters(const struct omkt_colour *src,
                         const struct omkt_colour *out, char *scale_opts,
                         size_t scale_size, char *post, size_t post_size);

/* omkt_colour_tag - describe @c on encoder @e (and so on its stream). */
void omkt_colour_tag(AVCodecContext *e, const struct omkt_colour *c);

#endif

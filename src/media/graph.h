/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * graph - the per-output libavfilter chains: video (deinterlace, rotate,
 * scale to the output box, square pixels, colour conversion, encoder
 * pixel format, constant frame rate)
 * and audio (resample, sample format, channel layout, encoder frame size).
 * Internal to src/media.
 */
#ifndef OMKT_MEDIA_GRAPH_H
#define OMKT_MEDIA_GRAPH_H

#include <libavfilter/avfilter.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>

#include "common/err.h"
#include "media/colour.h"

/* How interlaced frames are deinterlaced (bwdif, one frame per frame). */
enum omkt_deint {
    OMKT_DEINT_NONE,    /* a progressive stream */
    OMKT_DEINT_FLAGGED, /* the frames flagged interlaced (known field order) */
    OMKT_DEINT_DETECT,  /* idet decides per frame (field order unknown) */
};

/* omkt_deint_mode - a stream's mode from its field order: the frames
 * flagged interlaced when it is known, idet's guess when it is not. */
enum omkt_deint omkt_deint_mode(const AVCodecParameters *p);

struct omkt_graph {
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
    /* What the source was configured with, to notice changes. */
    int w, h, format, sample_rate, channels;
};

struct omkt_vgraph_args {
    AVRational in_tb; /* time base of the frames pushed */
    int rotation;     /* clockwise degrees to undo */
    int out_w, out_h;
    enum AVPixelFormat out_fmt;
    AVRational out_fps;    /* {0,0}: keep timestamps */
    bool is_square_pixels; /* force SAR 1:1 */
    const char *user;      /* checked user filters after rotation, or NULL */
    enum omkt_deint deint; /* before everything else */
    struct omkt_colour in_colour, out_colour; /* conversion after scaling */
    int threads; /* filter (scaler) threads; 0 = auto */
};

struct omkt_agraph_args {
    AVRational in_tb;
    int out_rate;
    enum AVSampleFormat out_fmt;
    const AVChannelLayout *out_layout;
    int frame_size;   /* 0: any */
    const char *user; /* checked user filters before resampling, or NULL */
    int threads;      /* filter threads; 0 = auto */
};

/*
 * omkt_graph_video - build @g for frames like @f.  On failure @g is empty
 * (omkt_graph_free is still safe).  OMKT_EMEDIA/OMKT_ENOMEM.
 */
int omkt_graph_video(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_vgraph_args *a, struct omkt_errbuf *eb);

/*
 * omkt_graph_probe - the size and sample aspect that frames like @f have
 * after @a's rotation and user filters (before scaling), found by
 * configuring that part of the chain.  OMKT_EMEDIA (a bad user filter,
 * with libavfilter's reason in @eb) or OMKT_ENOMEM.
 */
int omkt_graph_probe(const AVFrame *f, const struct omkt_vgraph_args *a, int *w,
                     int *h, AVRational *sar, struct omkt_errbuf *eb);

/*
 * omkt_graph_deint - @g as @a's deinterlacer alone (a->deint, in_tb,
 * threads), the first filters of omkt_graph_video's chain, for frames
 * like @f: the same frames out, one frame later (at the end, once the
 * source is closed).
 */
int omkt_graph_deint(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_vgraph_args *a, struct omkt_errbuf *eb);

/* omkt_graph_scale_size - the size @a's chain scales to (before a late
 * quarter turn: the output's sides swapped). */
void omkt_graph_scale_size(const struct omkt_vgraph_args *a, int *w, int *h);

/* omkt_graph_audio - the same for audio frames like @f. */
int omkt_graph_audio(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_agraph_args *a, struct omkt_errbuf *eb);

/* omkt_graph_matches - was @g built for frames like @f? */
bool omkt_graph_matches(const struct omkt_graph *g, const AVFrame *f);

/* omkt_graph_free - release @g (may be empty). */
void omkt_graph_free(struct omkt_graph *g);

#endif

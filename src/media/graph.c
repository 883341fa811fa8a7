/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * graph - build the filter chain of one output stream.  Each output has
 * its own chain (its own scaler or resampler) fed by reference with the
 * shared decoded frames, so one decode serves many outputs without copies.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "media/graph.h"
#include "media/input.h"

void omkt_graph_free(struct omkt_graph *g)
{
    avfilter_graph_free(&g->graph);
    g->src = NULL;
    g->sink = NULL;
}

bool omkt_graph_matches(const struct omkt_graph *g, const AVFrame *f)
{
    return g->graph != NULL && g->w == f->width && g->h == f->height &&
           g->format == f->format && g->sample_rate == f->sample_rate &&
           g->channels == f->ch_layout.nb_channels;
}

/* link_chain - parse @desc between g->src and g->sink and configure. */
static int link_chain(struct omkt_graph *g, const char *desc,
                      struct omkt_errbuf *eb)
{
    AVFilterInOut *outs = avfilter_inout_alloc();
    AVFilterInOut *ins = avfilter_inout_alloc();
    int rc = AVERROR(ENOMEM);

    if (outs == NULL || ins == NULL)
        goto out;
    outs->name = av_strdup("in");
    outs->filter_ctx = g->src;
    ins->name = av_strdup("out");
    ins->filter_ctx = g->sink;
    if (outs->name == NULL || ins->name == NULL)
        goto out;
    rc = avfilter_graph_parse_ptr(g->graph, desc, &ins, &outs, NULL);
    if (rc >= 0)
        rc = avfilter_graph_config(g->graph, NULL);
out:
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    if (rc < 0)
        return omkt_av_err(rc, eb, "configuring filters");
    return OMKT_OK;
}

/*
 * make_ends - allocate the graph (@threads slice threads, 0 = auto), its
 * source (with @src_args) and sink.
 */
static int make_ends(struct omkt_graph *g, bool is_video, int threads,
                     const char *src_args, struct omkt_errbuf *eb)
{
    const AVFilter *src = avfilter_get_by_name(is_video ? "buffer" : "abuffer");
    const AVFilter *sink =
        avfilter_get_by_name(is_video ? "buffersink" : "abuffersink");
    int rc;

    g->graph = avfilter_graph_alloc();
    if (g->graph == NULL || src == NULL || sink == NULL)
        return OMKT_ENOMEM;
    /* Set before any filter exists: the scaler takes its thread count
     * from the graph when it is initialised. */
    g->graph->nb_threads = threads;
    rc = avfilter_graph_create_filter(&g->src, src, "in", src_args, NULL,
                                      g->graph);
    if (rc >= 0)
        rc = avfilter_graph_create_filter(&g->sink, sink, "out", NULL, NULL,
                                          g->graph);
    if (rc < 0)
        return omkt_av_err(rc, eb, "creating filter ends");
    return OMKT_OK;
}

/* rotate_desc - the filters that undo a clockwise @rotation. */
static const char *rotate_desc(int rotation)
{
    switch (rotation) {
    case 90:
        return "transpose=clock,";
    case 180:
        return "hflip,vflip,";
    case 270:
        return "transpose=cclock,";
    default:
        return "";
    }
}

/* video_src_args - the buffer source's arguments for frames like @f. */
static void video_src_args(const AVFrame *f, const struct omkt_vgraph_args *a,
                           char *args, size_t size)
{
    AVRational sar = f->sample_aspect_ratio;

    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){1, 1};
    snprintf(args, size,
             "video_size=%dx%d:pix_fmt=%s:time_base=%d/%d:pixel_aspect=%d/%d",
             f->width, f->height, av_get_pix_fmt_name(f->format), a->in_tb.num,
             a->in_tb.den, sar.num, sar.den);
}

/* remember - what @g was built for, to notice changes. */
static void remember(struct omkt_graph *g, const AVFrame *f)
{
    g->w = f->width;
    g->h = f->height;
    g->format = f->format;
    g->sample_rate = f->sample_rate;
    g->channels = f->ch_layout.nb_channels;
}

/* build - @g from source @args and chain @desc; empty on failure. */
static int build(struct omkt_graph *g, bool is_video, int threads,
                 const char *args, const char *desc, struct omkt_errbuf *eb)
{
    int ret = make_ends(g, is_video, threads, args, eb);

    if (ret == OMKT_OK)
        ret = link_chain(g, desc, eb);
    if (ret != OMKT_OK)
        omkt_graph_free(g);
    return ret;
}

enum omkt_deint omkt_deint_mode(const AVCodecParameters *p)
{
    switch (p->field_order) {
    case AV_FIELD_PROGRESSIVE:
        return OMKT_DEINT_NONE;
    case AV_FIELD_TT:
    case AV_FIELD_BB:
    case AV_FIELD_TB:
    case AV_FIELD_BT:
        return OMKT_DEINT_FLAGGED;
    case AV_FIELD_UNKNOWN:
        return OMKT_DEINT_DETECT;
    }
    return OMKT_DEINT_DETECT;
}

/* deint_desc - the deinterlacing filters of mode @d.  bwdif sends one
 * frame per frame (as "-vf bwdif=mode=send_frame"), so frame counts and
 * rates stay the source's; deint=interlaced leaves progressive frames. */
static const char *deint_desc(enum omkt_deint d)
{
    switch (d) {
    case OMKT_DEINT_NONE:
        return "";
    case OMKT_DEINT_FLAGGED:
        return "bwdif=mode=send_frame:parity=auto:deint=interlaced,";
    case OMKT_DEINT_DETECT:
        return "idet,bwdif=mode=send_frame:parity=auto:deint=interlaced,";
    }
    return "";
}

/*
 * is_turned_late - turn the picture after scaling it, not before: the
 * same picture (the scaler's filter is the same both ways), but the
 * transpose moves the output's pixels instead of the source's (a 1080p
 * phone video into setting 14: 0.9 instead of 2.1 megapixels a frame).
 * Not when user filters, which see the turned source, come in between.
 */
static bool is_turned_late(const struct omkt_vgraph_args *a)
{
    return a->user == NULL && a->rotation != 0;
}

void omkt_graph_scale_size(const struct omkt_vgraph_args *a, int *w, int *h)
{
    bool is_sideways =
        is_turned_late(a) && (a->rotation == 90 || a->rotation == 270);

    *w = is_sideways ? a->out_h : a->out_w;
    *h = is_sideways ? a->out_w : a->out_h;
}

int omkt_graph_video(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_vgraph_args *a, struct omkt_errbuf *eb)
{
    char args[256], desc[2048], fps[64] = "", sopts[128], post[512];
    bool is_odd, is_late = is_turned_late(a);
    int sw, sh;
    int ret;

    video_src_args(f, a, args, sizeof(args));
    if (a->out_fps.num > 0)
        snprintf(fps, sizeof(fps), ",fps=%d/%d", a->out_fps.num,
                 a->out_fps.den);
    omkt_colour_filters(&a->in_colour, &a->out_colour, sopts, sizeof(sopts),
                        post, sizeof(post));
    /* The colour conversion runs on the smaller picture, after scaling,
     * unless that one has an odd side (a 166x93 thumbnail): zscale needs
     * whole chroma samples. */
    is_odd = (a->out_w | a->out_h) & 1;
    omkt_graph_scale_size(a, &sw, &sh);
    snprintf(desc, sizeof(desc),
             "%s%s%s%s%sscale=%d:%d:flags=bicubic%s%s,%s%sformat=%s%s",
             deint_desc(a->deint), is_late ? "" : rotate_desc(a->rotation),
             a->user ? a->user : "", a->user ? "," : "", is_odd ? post : "", sw,
             sh, sopts, a->is_square_pixels ? ",setsar=1" : "",
             is_late ? rotate_desc(a->rotation) : "", is_odd ? "" : post,
             av_get_pix_fmt_name(a->out_fmt), fps);
    ret = build(g, true, a->threads, args, desc, eb);
    if (ret == OMKT_OK)
        remember(g, f);
    return ret;
}

int omkt_graph_deint(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_vgraph_args *a, struct omkt_errbuf *eb)
{
    char args[256], desc[128];
    int ret;

    video_src_args(f, a, args, sizeof(args));
    snprintf(desc, sizeof(desc), "%s", deint_desc(a->deint));
    if (desc[0] == '\0')
        snprintf(desc, sizeof(desc), "null");
    else
        desc[strlen(desc) - 1] = '\0'; /* the trailing comma */
    ret = build(g, true, a->threads, args, desc, eb);
    if (ret == OMKT_OK)
        remember(g, f);
    return ret;
}

int omkt_graph_probe(const AVFrame *f, const struct omkt_vgraph_args *a, int *w,
                     int *h, AVRational *sar, struct omkt_errbuf *eb)
{
    struct omkt_graph g = {0};
    char args[256], desc[1024];
    int ret;

    video_src_args(f, a, args, sizeof(args));
    snprintf(desc, sizeof(desc), "%s%s", rotate_desc(a->rotation),
             a->user ? a->user : "null");
    if (desc[strlen(desc) - 1] == ',')
        desc[strlen(desc) - 1] = '\0';
    ret = build(&g, true, a->threads, args, desc, eb);
    if (ret != OMKT_OK)
        return ret;
    *w = av_buffersink_get_w(g.sink);
    *h = av_buffersink_get_h(g.sink);
    *sar = av_buffersink_get_sample_aspect_ratio(g.sink);
    omkt_graph_free(&g);
    return OMKT_OK;
}

/* layout_str - a describable channel layout string for @f. */
static void layout_str(const AVFrame *f, char *buf, size_t size)
{
    AVChannelLayout l = {0};

    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&l, f->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&l, &f->ch_layout) < 0)
        av_channel_layout_default(&l, f->ch_layout.nb_channels);
    if (av_channel_layout_describe(&l, buf, size) < 0)
        snprintf(buf, size, "stereo");
    av_channel_layout_uninit(&l);
}

int omkt_graph_audio(struct omkt_graph *g, const AVFrame *f,
                     const struct omkt_agraph_args *a, struct omkt_errbuf *eb)
{
    char args[512], desc[1024], in_layout[128], out_layout[128];
    int ret;

    layout_str(f, in_layout, sizeof(in_layout));
    if (av_channel_layout_describe(a->out_layout, out_layout,
                                   sizeof(out_layout)) < 0)
        snprintf(out_layout, sizeof(out_layout), "stereo");
    snprintf(args, sizeof(args),
             "time_base=%d/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             a->in_tb.num, a->in_tb.den, f->sample_rate,
             av_get_sample_fmt_name(f->format), in_layout);
    snprintf(desc, sizeof(desc),
             "%s%saresample=%d,aformat=sample_fmts=%s:sample_rates=%d:"
             "channel_layouts=%s",
             a->user ? a->user : "", a->user ? "," : "", a->out_rate,
             av_get_sample_fmt_name(a->out_fmt), a->out_rate, out_layout);
    ret = build(g, false, a->threads, args, desc, eb);
    if (ret != OMKT_OK)
        return ret;
    if (a->frame_size > 0)
        av_buffersink_set_frame_size(g->sink, (unsigned)a->frame_size);
    remember(g, f);
    return OMKT_OK;
}

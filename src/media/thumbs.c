/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thumbs - the thumbnails output (setting 101), as the reference's
 * thumbnail script (octopuce/omk-server scripts-thumbnails1.php) makes
 * it: the frames its "ffmpeg -vf fps=fps=R" picks, R = 1 per second, or
 * one per floor(D / 20) s when the source lasts D > 20 whole seconds, the
 * first OMKT_THUMBS_MAX of them; each written as "hNN.jpg" at the
 * source's display size (sample aspect and rotation applied, square
 * pixels) and "lNN.jpg" fitted in a 166x166 box, NN = 00, 01, ...
 *
 * DESIGN: the fps filter is emulated rather than run, so that a long
 * source can be sought (the pipeline seeks to each pick): frame t falls in
 * output slot round(t / step) (rounded half up, in the stream's time
 * base, as the filter does); slot k takes the last frame of a slot <= k;
 * slots run from the first frame's to round(end / step) - 1, end being
 * where the last frame ends.  Unlike the reference (which then makes no
 * picture at all), a source shorter than half a step gives one pair: its
 * last frame.  Every picture is written to a temporary name and renamed
 * only when the whole set is complete.  An interlaced source's frames
 * go through the videos' deinterlacer (graph.c: bwdif, after idet when
 * the field order is unknown) before they are picked.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/mathematics.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "media/geometry.h"
#include "media/graph.h"
#include "media/input.h"
#include "media/thumbs.h"

#define JPEG_QSCALE 3 /* as "-q:v 3" */

struct size_chain {
    struct omkt_graph g;
    AVCodecContext *enc;
    struct omkt_vgraph_args args;
};

struct omkt_thumbs {
    const struct omkt_out_src *src;
    AVRational slot_tb; /* one output slot: {step seconds, 1} */
    int64_t next_slot;  /* the slot the next picture fills */
    bool has_first;     /* a frame was seen (next_slot is set) */
    int picked;
    struct size_chain full, small;
    struct omkt_fs_tmpfile files[2 * OMKT_THUMBS_MAX];
    const char *names[2 * OMKT_THUMBS_MAX]; /* h00.. then l00.. */
    size_t n_files;
    AVFrame *last;                 /* most recent frame */
    int64_t last_end;              /* where it ends, stream time base */
    struct omkt_vgraph_args dargs; /* deinterlacer, when deint is on */
    struct omkt_graph deint;
    AVFrame *dframe; /* a frame out of it */
    int64_t in_end;  /* where the last frame given to it ends */
    AVFrame *filt;
    AVPacket *pkt;
};

int omkt_thumbs_new(const struct omkt_out_src *src, struct omkt_thumbs **out,
                    struct omkt_errbuf *eb)
{
    struct omkt_thumbs *t = omkt_xcalloc(1, sizeof(*t));
    int64_t whole_s = src->duration_us > 0 ? src->duration_us / 1000000 : 0;

    t->src = src;
    t->slot_tb = (AVRational){
        whole_s > OMKT_THUMBS_MAX ? (int)(whole_s / OMKT_THUMBS_MAX) : 1, 1};
    t->last = av_frame_alloc();
    t->filt = av_frame_alloc();
    t->dframe = av_frame_alloc();
    t->pkt = av_packet_alloc();
    t->dargs =
        (struct omkt_vgraph_args){.in_tb = src->vst->time_base,
                                  .deint = omkt_deint_mode(src->vst->codecpar),
                                  .threads = src->threads};
    *out = t;
    if (t->last == NULL || t->filt == NULL || t->dframe == NULL ||
        t->pkt == NULL) {
        omkt_errf(eb, "out of memory");
        return OMKT_ENOMEM;
    }
    return OMKT_OK;
}

/* open_chain - the JPEG encoder of one size and its filter arguments. */
static int open_chain(struct size_chain *c, int w, int h,
                      const struct omkt_out_src *src, struct omkt_errbuf *eb)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    int rc;

    c->enc = codec ? avcodec_alloc_context3(codec) : NULL;
    if (c->enc == NULL) {
        omkt_errf(eb, "no JPEG encoder");
        return OMKT_EMEDIA;
    }
    c->enc->width = w;
    c->enc->height = h;
    c->enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    c->enc->time_base = (AVRational){1, 25};
    c->enc->sample_aspect_ratio = (AVRational){1, 1};
    c->args = (struct omkt_vgraph_args){.in_tb = src->vst->time_base,
                                        .rotation = src->rotation,
                                        .out_w = w,
                                        .out_h = h,
                                        .out_fmt = AV_PIX_FMT_YUVJ420P,
                                        .is_square_pixels = true};
    /* HDR tone-mapped as the videos (deinterlaced before the pick). */
    omkt_colour_of_stream(src->vst->codecpar, &c->args.in_colour);
    omkt_colour_for_output(&c->args.in_colour, w, h, true, &c->args.out_colour);
    omkt_colour_tag(c->enc, &c->args.out_colour);
    c->enc->flags |= AV_CODEC_FLAG_QSCALE;
    c->enc->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
    rc = avcodec_open2(c->enc, codec, NULL);
    if (rc < 0)
        return omkt_av_err(rc, eb, "opening JPEG encoder");
    return OMKT_OK;
}

/* small_size - @w x @h fitted in the small box, aspect kept (as
 * ImageMagick's "-resize 166x166": up or down, rounded). */
static void small_size(int w, int h, int *sw, int *sh)
{
    const int box = OMKT_THUMB_SMALL_PX;

    if (w >= h) {
        *sw = box;
        *sh = (int)(((int64_t)box * h + w / 2) / w);
    } else {
        *sh = box;
        *sw = (int)(((int64_t)box * w + h / 2) / h);
    }
    *sw = *sw < 1 ? 1 : *sw;
    *sh = *sh < 1 ? 1 : *sh;
}

/* open_chains - both sizes, from the first picked frame: the display
 * size (sample aspect and rotation applied) and the small box. */
static int open_chains(struct omkt_thumbs *t, const AVFrame *f,
                       struct omkt_errbuf *eb)
{
    AVRational sar = av_guess_sample_aspect_ratio(NULL, (AVStream *)t->src->vst,
                                                  (AVFrame *)f);
    struct omkt_geom_src g = {f->width, f->height, sar.num, sar.den,
                              t->src->rotation};
    struct omkt_geom_box box = {.is_source = true};
    int w, h, sw, sh;
    int ret;

    if (omkt_geom_fit(&g, &box, &w, &h) != OMKT_OK) {
        omkt_errf(eb, "video frame has no usable size (%dx%d)", f->width,
                  f->height);
        return OMKT_EMEDIA;
    }
    small_size(w, h, &sw, &sh);
    ret = open_chain(&t->full, w, h, t->src, eb);
    if (ret == OMKT_OK)
        ret = open_chain(&t->small, sw, sh, t->src, eb);
    return ret;
}

/* write_file - @pkt as a new temporary file named @name. */
static int write_file(struct omkt_thumbs *t, const char *name,
                      const AVPacket *pkt, struct omkt_errbuf *eb)
{
    struct omkt_fs_tmpfile *tf = &t->files[t->n_files];
    const uint8_t *p = pkt->data;
    size_t left = (size_t)pkt->size;
    int ret = omkt_fs_tmpfile_create(tf, t->src->outdir, name, t->src->tag, eb);

    if (ret != OMKT_OK)
        return ret;
    t->n_files++;
    while (left > 0) {
        ssize_t n = write(tf->fd, p, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            omkt_errf(eb, "write %s: %s", tf->tmp,
                      n < 0 ? omkt_errno_str(errno) : "short write");
            return n < 0 ? omkt_fs_errno_err(errno) : OMKT_ENOSPC;
        }
        p += n;
        left -= (size_t)n;
    }
    return OMKT_OK;
}

/* encode_one - @f through chain @c into the file @name. */
static int encode_one(struct omkt_thumbs *t, struct size_chain *c,
                      const AVFrame *f, const char *name,
                      struct omkt_errbuf *eb)
{
    int rc;
    int ret = OMKT_OK;

    if (!omkt_graph_matches(&c->g, f)) {
        omkt_graph_free(&c->g);
        ret = omkt_graph_video(&c->g, f, &c->args, eb);
    }
    if (ret != OMKT_OK)
        return ret;
    rc = av_buffersrc_add_frame_flags(c->g.src, (AVFrame *)f,
                                      AV_BUFFERSRC_FLAG_KEEP_REF);
    if (rc >= 0)
        rc = av_buffersink_get_frame(c->g.sink, t->filt);
    if (rc >= 0) {
        t->filt->pts = t->picked;
        t->filt->pict_type = AV_PICTURE_TYPE_NONE;
        rc = avcodec_send_frame(c->enc, t->filt);
        av_frame_unref(t->filt);
    }
    if (rc >= 0)
        rc = avcodec_receive_packet(c->enc, t->pkt);
    if (rc < 0)
        return omkt_av_err(rc, eb, "encoding thumbnail");
    ret = write_file(t, name, t->pkt, eb);
    av_packet_unref(t->pkt);
    return ret;
}

/* pick - write frame @f as picture number t->picked. */
static int pick(struct omkt_thumbs *t, const AVFrame *f, struct omkt_errbuf *eb)
{
    char name[64];
    int ret = OMKT_OK;

    if (t->full.enc == NULL)
        ret = open_chains(t, f, eb);
    if (ret != OMKT_OK)
        return ret;
    snprintf(name, sizeof(name), "h%02d.jpg", t->picked);
    ret = encode_one(t, &t->full, f, name, eb);
    snprintf(name, sizeof(name), "l%02d.jpg", t->picked);
    if (ret == OMKT_OK)
        ret = encode_one(t, &t->small, f, name, eb);
    t->picked++;
    return ret;
}

/* slot_of - the output slot of stream time @ts (rounded half up). */
static int64_t slot_of(const struct omkt_thumbs *t, int64_t ts)
{
    return av_rescale_q_rnd(ts, t->src->vst->time_base, t->slot_tb,
                            AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
}

/* fill_to - the last frame fills every slot before @slot (at most
 * OMKT_THUMBS_MAX pictures in all). */
static int fill_to(struct omkt_thumbs *t, int64_t slot, struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    while (ret == OMKT_OK && t->next_slot < slot &&
           t->picked < OMKT_THUMBS_MAX) {
        ret = pick(t, t->last, eb);
        t->next_slot++;
    }
    return ret;
}

int64_t omkt_thumbs_next_us(const struct omkt_thumbs *t)
{
    int64_t half;

    if (t->picked >= OMKT_THUMBS_MAX)
        return INT64_MAX;
    if (!t->has_first)
        return 0;
    /* The frames just before slot next_slot + 1 starts (a microsecond
     * earlier, so a seek lands before the boundary). */
    half = av_rescale_q(1, t->slot_tb, AV_TIME_BASE_Q) / 2;
    return av_rescale_q(t->next_slot, t->slot_tb, AV_TIME_BASE_Q) + half - 1;
}

/* frame_dur - how long @f lasts (stream time base), 0 if unknown. */
static int64_t frame_dur(const struct omkt_thumbs *t, const AVFrame *f)
{
    int64_t dur = f->pkt_duration;

    if (dur <= 0 && t->src->vrate.num > 0)
        dur = av_rescale_q(1, av_inv_q(t->src->vrate), t->src->vst->time_base);
    return dur > 0 ? dur : 0;
}

/* take - frame @f (deinterlaced if need be) in its slot; fills the
 * slots before it with the last frame. */
static int take(struct omkt_thumbs *t, const AVFrame *f, struct omkt_errbuf *eb)
{
    int64_t ts = f->pts == AV_NOPTS_VALUE ? 0 : f->pts;
    int64_t slot = slot_of(t, ts);
    int ret = OMKT_OK;

    if (t->picked >= OMKT_THUMBS_MAX)
        return OMKT_OK;
    if (!t->has_first) {
        t->next_slot = slot;
        t->has_first = true;
    } else if (slot > t->next_slot) {
        ret = fill_to(t, slot, eb);
    }
    av_frame_unref(t->last);
    if (av_frame_ref(t->last, f) < 0)
        return OMKT_ENOMEM;
    t->last_end = ts + frame_dur(t, f);
    return ret;
}

/* deint_drain - the deinterlacer's frames to take(). */
static int deint_drain(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    int rc;
    int ret = OMKT_OK;

    while (ret == OMKT_OK) {
        rc = av_buffersink_get_frame(t->deint.sink, t->dframe);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            break;
        if (rc < 0)
            return omkt_av_err(rc, eb, "deinterlacing");
        /* bwdif counts in half the source's time base */
        if (t->dframe->pts != AV_NOPTS_VALUE)
            t->dframe->pts = av_rescale_q(
                t->dframe->pts, av_buffersink_get_time_base(t->deint.sink),
                t->dargs.in_tb);
        ret = take(t, t->dframe, eb);
        av_frame_unref(t->dframe);
    }
    return ret;
}

/* deint_end - close the deinterlacer's stream (it sends the frame it
 * holds) and free it; a new one starts with the next frame. */
static int deint_end(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    int rc, ret = OMKT_OK;

    if (t->deint.graph == NULL)
        return OMKT_OK;
    rc = av_buffersrc_close(t->deint.src, t->in_end, AV_BUFFERSRC_FLAG_PUSH);
    ret = rc < 0 ? omkt_av_err(rc, eb, "deinterlacing") : deint_drain(t, eb);
    omkt_graph_free(&t->deint);
    return ret;
}

/* is_jump - @f is not the frame after the last one (a seek, a size
 * change): the deinterlacer must not take the two as neighbours. */
static bool is_jump(const struct omkt_thumbs *t, const AVFrame *f)
{
    int64_t second = av_rescale_q(1, (AVRational){1, 1}, t->dargs.in_tb);

    if (!omkt_graph_matches(&t->deint, f))
        return true;
    return f->pts != AV_NOPTS_VALUE &&
           (f->pts < t->in_end - second || f->pts > t->in_end + second);
}

/* deint_frame - @f through the deinterlacer (one frame later) to take. */
static int deint_frame(struct omkt_thumbs *t, const AVFrame *f,
                       struct omkt_errbuf *eb)
{
    int rc, ret = OMKT_OK;

    if (t->deint.graph != NULL && is_jump(t, f))
        ret = deint_end(t, eb);
    if (ret == OMKT_OK && t->deint.graph == NULL)
        ret = omkt_graph_deint(&t->deint, f, &t->dargs, eb);
    if (ret != OMKT_OK)
        return ret;
    if (f->pts != AV_NOPTS_VALUE)
        t->in_end = f->pts + frame_dur(t, f);
    rc = av_buffersrc_add_frame_flags(t->deint.src, (AVFrame *)f,
                                      AV_BUFFERSRC_FLAG_KEEP_REF);
    if (rc < 0)
        return omkt_av_err(rc, eb, "deinterlacing");
    return deint_drain(t, eb);
}

int omkt_thumbs_frame(struct omkt_thumbs *t, const AVFrame *f,
                      struct omkt_errbuf *eb)
{
    if (t->picked >= OMKT_THUMBS_MAX)
        return OMKT_OK;
    if (t->dargs.deint != OMKT_DEINT_NONE)
        return deint_frame(t, f, eb);
    return take(t, f, eb);
}

int omkt_thumbs_finish(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    int ret = deint_end(t, eb);

    if (ret != OMKT_OK)
        return ret;
    if (t->last->buf[0] == NULL) {
        omkt_errf(eb, "no video frame could be decoded");
        return OMKT_EMEDIA;
    }
    /* The fps filter's end: slots until the one where the last frame
     * ends; and at least one picture. */
    ret = fill_to(t, slot_of(t, t->last_end), eb);
    if (ret == OMKT_OK && t->picked == 0)
        ret = pick(t, t->last, eb);
    return ret;
}

int omkt_thumbs_publish(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    for (size_t i = 0; i < t->n_files && ret == OMKT_OK; i++)
        ret = omkt_fs_tmpfile_commit(&t->files[i], eb);
    /* files[] holds h00 l00 h01 l01 ...: list every h first, as the
     * reference's "zip *" orders them */
    for (size_t i = 0; i < t->n_files; i++)
        t->names[i % 2 ? t->n_files / 2 + i / 2 : i / 2] = t->files[i].name;
    return ret;
}

size_t omkt_thumbs_names(const struct omkt_thumbs *t, const char *const **names)
{
    *names = t->names;
    return t->n_files;
}

static void chain_free(struct size_chain *c)
{
    omkt_graph_free(&c->g);
    avcodec_free_context(&c->enc);
}

void omkt_thumbs_free(struct omkt_thumbs *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_files; i++)
        omkt_fs_tmpfile_discard(&t->files[i]);
    chain_free(&t->full);
    chain_free(&t->small);
    omkt_graph_free(&t->deint);
    av_frame_free(&t->last);
    av_frame_free(&t->filt);
    av_frame_free(&t->dframe);
    av_packet_free(&t->pkt);
    free(t);
}

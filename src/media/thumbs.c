/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thumbs - the thumbnails output (setting 101).  Picks up to
 * OMKT_THUMBS_MAX decoded frames at evenly spread target times, and for
 * each writes two JPEG files: the displayed size (rotation undone) and
 * 100x100.  Every picture is written to a temporary name and renamed only
 * when the whole set is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

#include "common/alloc.h"
#include "media/graph.h"
#include "media/input.h"
#include "media/thumbs.h"
#include "common/fsops.h"

#define JPEG_QSCALE 3 /* as "-q:v 3" */

struct size_chain {
    struct omkt_graph g;
    AVCodecContext *enc;
    struct omkt_vgraph_args args;
};

struct omkt_thumbs {
    const struct omkt_out_src *src;
    int planned;                        /* pictures wanted */
    int64_t target_us[OMKT_THUMBS_MAX]; /* pick times, ascending */
    int next;                           /* next target index */
    int picked;
    struct size_chain full, small;
    struct omkt_fs_tmpfile files[2 * OMKT_THUMBS_MAX];
    const char *names[2 * OMKT_THUMBS_MAX];
    size_t n_files;
    AVFrame *last;     /* most recent frame, for a pick at the end */
    bool is_last_used; /* it was picked already */
    AVFrame *filt;
    AVPacket *pkt;
};

int omkt_thumbs_new(const struct omkt_out_src *src, struct omkt_thumbs **out,
                    struct omkt_errbuf *eb)
{
    struct omkt_thumbs *t = omkt_xcalloc(1, sizeof(*t));
    int64_t frames = src->vst->nb_frames;

    t->src = src;
    t->planned = OMKT_THUMBS_MAX;
    if (frames > 0 && frames < t->planned)
        t->planned = (int)frames;
    if (src->duration_us <= 0)
        t->planned = 1; /* unknown length: the first frame */
    for (int i = 0; i < t->planned; i++)
        t->target_us[i] = src->duration_us * (10 * i + 1) / (10 * t->planned);
    t->last = av_frame_alloc();
    t->filt = av_frame_alloc();
    t->pkt = av_packet_alloc();
    *out = t;
    if (t->last == NULL || t->filt == NULL || t->pkt == NULL) {
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
    c->enc->flags |= AV_CODEC_FLAG_QSCALE;
    c->enc->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
    rc = avcodec_open2(c->enc, codec, NULL);
    if (rc < 0)
        return omkt_av_err(rc, eb, "opening JPEG encoder");
    c->args = (struct omkt_vgraph_args){.in_tb = src->vst->time_base,
                                        .rotation = src->rotation,
                                        .out_w = w,
                                        .out_h = h,
                                        .out_fmt = AV_PIX_FMT_YUVJ420P};
    return OMKT_OK;
}

/* open_chains - both sizes, from the first picked frame. */
static int open_chains(struct omkt_thumbs *t, const AVFrame *f,
                       struct omkt_errbuf *eb)
{
    bool is_turned = t->src->rotation == 90 || t->src->rotation == 270;
    int w = is_turned ? f->height : f->width;
    int h = is_turned ? f->width : f->height;
    int ret = open_chain(&t->full, w, h, t->src, eb);

    if (ret == OMKT_OK)
        ret = open_chain(&t->small, OMKT_THUMB_SMALL_PX, OMKT_THUMB_SMALL_PX,
                         t->src, eb);
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
    t->names[t->n_files++] = tf->name;
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

/* pick - write frame @f as picture number t->picked + 1. */
static int pick(struct omkt_thumbs *t, const AVFrame *f, struct omkt_errbuf *eb)
{
    char name[64];
    int ret = OMKT_OK;

    if (t->full.enc == NULL)
        ret = open_chains(t, f, eb);
    if (ret != OMKT_OK)
        return ret;
    snprintf(name, sizeof(name), "%d_%02d.jpg", OMKT_SETTING_THUMBS,
             t->picked + 1);
    ret = encode_one(t, &t->full, f, name, eb);
    snprintf(name, sizeof(name), "%d_%02d_%dx%d.jpg", OMKT_SETTING_THUMBS,
             t->picked + 1, OMKT_THUMB_SMALL_PX, OMKT_THUMB_SMALL_PX);
    if (ret == OMKT_OK)
        ret = encode_one(t, &t->small, f, name, eb);
    t->picked++;
    return ret;
}

int64_t omkt_thumbs_next_us(const struct omkt_thumbs *t)
{
    return t->next < t->planned ? t->target_us[t->next] : INT64_MAX;
}

int omkt_thumbs_frame(struct omkt_thumbs *t, const AVFrame *f,
                      struct omkt_errbuf *eb)
{
    int64_t us;

    if (f == NULL || t->next >= t->planned)
        return OMKT_OK;
    us = f->pts == AV_NOPTS_VALUE
             ? 0
             : av_rescale_q(f->pts, t->src->vst->time_base, AV_TIME_BASE_Q);
    av_frame_unref(t->last);
    if (av_frame_ref(t->last, f) < 0)
        return OMKT_ENOMEM;
    t->is_last_used = us >= t->target_us[t->next];
    if (!t->is_last_used)
        return OMKT_OK;
    while (t->next < t->planned && t->target_us[t->next] <= us)
        t->next++; /* one picture per frame, even if it passes several */
    return pick(t, f, eb);
}

int omkt_thumbs_finish(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    if (t->last->buf[0] == NULL) {
        omkt_errf(eb, "no video frame could be decoded");
        return OMKT_EMEDIA;
    }
    /* The last targets can fall after the last frame: take that one. */
    if (t->next < t->planned && !t->is_last_used)
        return pick(t, t->last, eb);
    return OMKT_OK;
}

int omkt_thumbs_publish(struct omkt_thumbs *t, struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    for (size_t i = 0; i < t->n_files && ret == OMKT_OK; i++)
        ret = omkt_fs_tmpfile_commit(&t->files[i], eb);
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
    av_frame_free(&t->last);
    av_frame_free(&t->filt);
    av_packet_free(&t->pkt);
    free(t);
}

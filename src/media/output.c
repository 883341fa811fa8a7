/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output - one single-file output (container + video and/or audio
 * encoder) of the pipeline, or a thumbnails output delegated to thumbs.c.
 *
 * DESIGN: encoders are opened up front from the source's stream
 * parameters and the setting row, so the muxer header can be written
 * before the first frame; filter chains are built on the first frame (and
 * rebuilt if the decoded frames change size or format), because only real
 * frames tell the exact input format.  Video goes through an fps filter so
 * that variable-frame-rate sources come out at a constant rate; audio
 * timestamps are counted in samples from the first frame's.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/pixdesc.h>

#include "common/alloc.h"
#include "media/geometry.h"
#include "media/graph.h"
#include "media/input.h"
#include "media/output.h"
#include "common/path.h"
#include "media/package.h"
#include "media/thumbs.h"
#include "common/fsops.h"

#define MAX_OUT_FPS 60

struct ostream {
    AVCodecContext *enc;
    AVRational in_tb;  /* of the source frames fed */
    int64_t in_end;    /* end of the furthest source frame fed (in_tb) */
    int64_t in_end_us; /* the same in microseconds */
    bool has_input;    /* a frame was fed */
    int64_t last_pts;  /* video: last pts given to the encoder */
    bool has_last;
    AVStream *st;
    struct omkt_graph g;
    int64_t next_pts; /* audio: next sample count; -1 before the first */
    int64_t frames;   /* frames given to the encoder */
    int64_t gop_us;   /* video: > 0 forces a keyframe every gop_us */
    int64_t next_key_us;
};

struct omkt_out {
    const struct omkt_setting *set;
    const struct omkt_out_src *src;
    int status;
    struct omkt_errbuf eb;
    struct omkt_thumbs *thumbs; /* thumbnails output, else NULL */
    struct omkt_pkg *pkg;       /* streaming output, else NULL */
    AVFormatContext *mux;
    bool has_header;
    bool has_trailer;
    struct omkt_fs_tmpfile file;
    const char *names[1];
    bool is_published;
    struct ostream v, a;
    struct omkt_vgraph_args vargs;
    struct omkt_agraph_args aargs;
    AVChannelLayout layout;
    AVPacket *pkt;
    AVFrame *filt;
    bool is_vfr; /* video keeps the source's timestamps (keeps_timing) */
};

/* fail - record @ret as the output's status and drop the codec state. */
static int fail(struct omkt_out *o, int ret)
{
    if (ret == OMKT_OK || o->status != OMKT_OK)
        return o->status;
    o->status = ret;
    omkt_graph_free(&o->v.g);
    omkt_graph_free(&o->a.g);
    avcodec_free_context(&o->v.enc);
    avcodec_free_context(&o->a.enc);
    return ret;
}

/* out_rate - the constant output frame rate for @codec. */
static AVRational out_rate(const AVCodec *codec, AVRational r)
{
    if (r.num <= 0 || r.den <= 0)
        r = (AVRational){25, 1};
    /* Above the cap, the source's rate over the smallest whole number
     * that brings it under (120 -> 60, 119.88 -> 59.94, 100 -> 50): every
     * n-th frame, so motion stays regular. */
    if (av_q2d(r) > MAX_OUT_FPS)
        r = av_div_q(r, (AVRational){(int)ceil(av_q2d(r) / MAX_OUT_FPS), 1});
    if (codec->supported_framerates != NULL)
        r = codec->supported_framerates[av_find_nearest_q_idx(
            r, codec->supported_framerates)];
    return r;
}

/*
 * leftover - an option of @opts that the codec or muxer did not take: a
 * typo or an option of another encoder would else be silently ignored.
 * Returns OMKT_EINVAL with the option named in @eb, or OMKT_OK.
 */
static int leftover(struct omkt_out *o, const AVDictionary *opts,
                    const char *what)
{
    const AVDictionaryEntry *e =
        av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX);

    if (e == NULL)
        return OMKT_OK;
    omkt_errf(&o->eb, "unknown %s option '%s' (= '%s')", what, e->key,
              e->value);
    return OMKT_EINVAL;
}

/* open_encoder - avcodec_open2 with @opts_str and threads; adds a stream. */
static int open_encoder(struct omkt_out *o, struct ostream *os,
                        const char *opts_str, const char *what)
{
    AVDictionary *opts = NULL;
    char buf[64];
    int rc = 0;
    int ret;

    if (opts_str != NULL)
        rc = av_dict_parse_string(&opts, opts_str, "=", ":", 0);
    if (o->src->threads > 0)
        av_dict_set_int(&opts, "threads", o->src->threads, 0);
    else
        av_dict_set(&opts, "threads", "auto", 0);
    if (o->mux->oformat->flags & AVFMT_GLOBALHEADER)
        os->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (rc >= 0)
        rc = avcodec_open2(os->enc, os->enc->codec, &opts);
    snprintf(buf, sizeof(buf), "%s encoder", what);
    ret = rc < 0 ? OMKT_OK : leftover(o, opts, buf);
    av_dict_free(&opts);
    if (rc < 0) {
        snprintf(buf, sizeof(buf), "opening %s encoder", what);
        return omkt_av_err(rc, &o->eb, buf);
    }
    if (ret != OMKT_OK)
        return ret;
    os->st = avformat_new_stream(o->mux, NULL);
    if (os->st == NULL)
        return OMKT_ENOMEM;
    os->st->time_base = os->enc->time_base;
    /* The constant rate, for the muxer (Matroska's DefaultDuration: the
     * last frame's length) and players. */
    if (os->enc->codec_type == AVMEDIA_TYPE_VIDEO)
        os->st->avg_frame_rate = os->enc->framerate;
    rc = avcodec_parameters_from_context(os->st->codecpar, os->enc);
    return rc < 0 ? omkt_av_err(rc, &o->eb, "stream parameters") : OMKT_OK;
}

/* alloc_enc - an encoder context for codec @name. */
static int alloc_enc(struct omkt_out *o, struct ostream *os, const char *name)
{
    const AVCodec *c = avcodec_find_encoder_by_name(name);

    if (c == NULL) {
        omkt_errf(&o->eb, "encoder %s is not available", name);
        return OMKT_EMEDIA;
    }
    os->enc = avcodec_alloc_context3(c);
    return os->enc != NULL ? OMKT_OK : OMKT_ENOMEM;
}

/* source_geom - the picture the scaler gets: after the rotation and the
 * setting's own filters (which may crop or turn it), or the source's. */
static int source_geom(struct omkt_out *o, struct omkt_geom_src *g)
{
    const AVCodecParameters *p = o->src->vst->codecpar;
    AVRational sar =
        av_guess_sample_aspect_ratio(NULL, (AVStream *)o->src->vst, NULL);
    AVFrame *f;
    int ret;

    *g = (struct omkt_geom_src){p->width, p->height, sar.num, sar.den,
                                o->src->rotation};
    if (o->set->vfilter == NULL)
        return OMKT_OK;
    f = av_frame_alloc();
    if (f == NULL)
        return OMKT_ENOMEM;
    f->width = p->width;
    f->height = p->height;
    f->format = p->format >= 0 ? p->format : AV_PIX_FMT_YUV420P;
    f->sample_aspect_ratio = sar;
    ret = omkt_graph_probe(f, &o->vargs, &g->width, &g->height, &sar, &o->eb);
    av_frame_free(&f);
    g->sar_num = sar.num;
    g->sar_den = sar.den;
    g->rotation = 0; /* already applied by the probed chain */
    return ret;
}

/*
 * check_pixel_rate - the output's pixels per second within the limits
 * (struct omkt_out_limits): a size or frame rate no source justifies.
 */
static int check_pixel_rate(struct omkt_out *o, const AVCodecContext *e)
{
    const struct omkt_out_limits *l = &o->src->limits;
    const AVCodecParameters *p = o->src->vst->codecpar;
    AVRational in_fps = o->src->vrate.num > 0 && o->src->vrate.den > 0
                            ? o->src->vrate
                            : (AVRational){25, 1};
    double in = (double)p->width * p->height * av_q2d(in_fps);
    double out = (double)e->width * e->height * av_q2d(e->framerate);
    double max = in * (double)l->pixel_rate_pct / 100.0;

    if (max < (double)l->pixel_rate_max)
        max = (double)l->pixel_rate_max;
    if (out <= max)
        return OMKT_OK;
    omkt_errf(&o->eb,
              "output of %.0f pixels/s (%dx%d at %.2f fps) over the limit "
              "of %.0f for this source",
              out, e->width, e->height, av_q2d(e->framerate), max);
    return OMKT_ETOOBIG;
}

/*
 * check_duration - an output of @out_us so far within the limits for the
 * source time decoded so far (struct omkt_out_limits): a filter that
 * stretches time is stopped while encoding, not after writing an hour.
 */
static int check_duration(struct omkt_out *o, const struct ostream *os,
                          int64_t out_us)
{
    const struct omkt_out_limits *l = &o->src->limits;
    int64_t in_us = os->in_end_us > 0 ? os->in_end_us : 0;
    int64_t max = in_us / 100 * l->duration_pct;

    if (max < in_us + l->duration_slack_ms * 1000)
        max = in_us + l->duration_slack_ms * 1000;
    if (out_us <= max)
        return OMKT_OK;
    omkt_errf(&o->eb,
              "output longer than allowed: %.2f s from %.2f s of source "
              "(limit: %" PRId64 "%% or +%" PRId64 " s)",
              (double)out_us / 1e6, (double)in_us / 1e6, l->duration_pct,
              l->duration_slack_ms / 1000);
    return OMKT_ETOOBIG;
}

/*
 * keeps_timing - pass the source's timestamps through (no frame-rate
 * conversion): a variable-frame-rate phone clip keeps its timing.  Only
 * for a source whose average rate differs from its nominal one by more
 * than 1 %, into containers that store per-frame times (MP4,
 * WebM/Matroska), when the setting forces no rate and the source's is
 * within the cap.
 */
static bool keeps_timing(const struct omkt_out *o)
{
    /* nut: the intermediate files of segments (segment_encode.h), which
     * are only made for the containers above and must time alike. */
    static const char *const vfr_ok[] = {"mp4",  "ipod",     "mov",
                                         "webm", "matroska", "nut"};
    const struct omkt_setting *s = o->set;
    AVRational r = o->src->vrate;
    AVRational avg = o->src->vst->avg_frame_rate;

    if (s->fps_num > 0 || r.num <= 0 || r.den <= 0 || av_q2d(r) > MAX_OUT_FPS ||
        s->muxer == NULL)
        return false;
    /* A constant-rate source keeps the regular path (its average rate is
     * its rate); a variable one averages less than its nominal rate. */
    if (avg.num <= 0 || avg.den <= 0 ||
        fabs(av_q2d(avg) - av_q2d(r)) <= 0.01 * av_q2d(r))
        return false;
    for (size_t i = 0; i < OMKT_ARRAY_LEN(vfr_ok); i++)
        if (strcmp(s->muxer, vfr_ok[i]) == 0)
            return true;
    return false;
}

/* video_rate - the setting's frame rate, else the source's (capped). */
static AVRational video_rate(const struct omkt_out *o, const AVCodec *c)
{
    const struct omkt_setting *s = o->set;

    if (s->fps_num > 0 && s->fps_den > 0)
        return out_rate(c, (AVRational){s->fps_num, s->fps_den});
    return out_rate(c, o->src->vrate);
}

/* video_colour - the output's colour: conversion and encoder tags. */
static void video_colour(struct omkt_out *o, AVCodecContext *e)
{
    const AVCodecParameters *p = o->src->vst->codecpar;

    omkt_colour_of_stream(p, &o->vargs.in_colour);
    omkt_colour_for_output(&o->vargs.in_colour, e->width, e->height, false,
                           &o->vargs.out_colour);
    omkt_colour_tag(e, &o->vargs.out_colour);
}

/* open_video - the video encoder and its filter arguments. */
static int open_video(struct omkt_out *o)
{
    const struct omkt_setting *s = o->set;
    struct omkt_geom_src g;
    struct omkt_geom_box box = {s->w43,
                                s->h43,
                                s->w169,
                                s->h169,
                                s->size_mode == OMKT_SIZE_FIT,
                                s->size_mode == OMKT_SIZE_SOURCE};
    AVCodecContext *e;
    int ret = alloc_enc(o, &o->v, s->vcodec);

    o->vargs = (struct omkt_vgraph_args){.in_tb = o->src->vst->time_base,
                                         .rotation = o->src->rotation,
                                         .is_square_pixels = true,
                                         .user = s->vfilter,
                                         .threads = o->src->threads};
    if (ret == OMKT_OK)
        ret = source_geom(o, &g);
    if (ret != OMKT_OK)
        return ret;
    e = o->v.enc;
    if (omkt_geom_fit(&g, &box, &e->width, &e->height) != OMKT_OK) {
        omkt_errf(&o->eb, "video track has no usable size (%dx%d)", g.width,
                  g.height);
        return OMKT_EMEDIA;
    }
    e->sample_aspect_ratio = (AVRational){1, 1};
    e->pix_fmt =
        e->codec->pix_fmts ? e->codec->pix_fmts[0] : AV_PIX_FMT_YUV420P;
    e->framerate = video_rate(o, e->codec);
    e->time_base = av_inv_q(e->framerate);
    o->is_vfr = keeps_timing(o);
    if (o->is_vfr) /* the source's own clock, its times kept exactly */
        e->time_base = o->src->vst->time_base;
    if (s->gop_ms > 0) /* never before the forced keyframes (restamp) */
        e->gop_size = (int)ceil(av_q2d(e->framerate) * s->gop_ms / 1000.0) + 1;
    o->v.gop_us = s->gop_ms * 1000;
    e->bit_rate = s->vbitrate;
    e->rc_max_rate = s->vmaxrate;
    e->rc_buffer_size = (int)s->vbufsize;
    o->vargs.out_w = e->width;
    o->vargs.out_h = e->height;
    o->vargs.out_fmt = e->pix_fmt;
    o->vargs.out_fps = o->is_vfr ? (AVRational){0, 1} : e->framerate;
    o->vargs.deint = omkt_deint_mode(o->src->vst->codecpar);
    video_colour(o, e);
    o->v.in_tb = o->src->vst->time_base;
    ret = check_pixel_rate(o, e);
    return ret == OMKT_OK ? open_encoder(o, &o->v, s->vopts, "video") : ret;
}

/* pick_sample_fmt - @want if the encoder takes it, else its first. */
static enum AVSampleFormat pick_sample_fmt(const AVCodec *c,
                                           enum AVSampleFormat want)
{
    if (c->sample_fmts == NULL)
        return want;
    for (const enum AVSampleFormat *f = c->sample_fmts; *f != -1; f++)
        if (*f == want)
            return want;
    return c->sample_fmts[0];
}

/* pick_rate - @want if the encoder takes it, else the nearest it does. */
static int pick_rate(const AVCodec *c, int want)
{
    int best = want;

    if (c->supported_samplerates == NULL)
        return want;
    best = c->supported_samplerates[0];
    for (const int *r = c->supported_samplerates; *r; r++)
        if (abs(*r - want) < abs(best - want))
            best = *r;
    return best;
}

/* open_audio - the audio encoder and its filter arguments. */
static int open_audio(struct omkt_out *o)
{
    const struct omkt_setting *s = o->set;
    AVCodecContext *e;
    int ret = alloc_enc(o, &o->a, s->acodec);

    if (ret != OMKT_OK)
        return ret;
    e = o->a.enc;
    e->sample_fmt = pick_sample_fmt(e->codec, o->src->ast->codecpar->format);
    e->sample_rate = pick_rate(e->codec, s->samplerate);
    av_channel_layout_default(&o->layout, s->channels);
    if (av_channel_layout_copy(&e->ch_layout, &o->layout) < 0)
        return OMKT_ENOMEM;
    e->time_base = (AVRational){1, e->sample_rate};
    e->bit_rate = s->abitrate;
    if (s->aquality >= 0) {
        e->flags |= AV_CODEC_FLAG_QSCALE;
        e->global_quality = FF_QP2LAMBDA * s->aquality;
    }
    ret = open_encoder(o, &o->a, s->aopts, "audio");
    if (ret != OMKT_OK)
        return ret;
    o->a.next_pts = -1;
    o->a.in_tb = o->src->ast->time_base;
    o->aargs = (struct omkt_agraph_args){
        .in_tb = o->src->ast->time_base,
        .out_rate = e->sample_rate,
        .out_fmt = e->sample_fmt,
        .out_layout = &o->layout,
        .frame_size = e->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE
                          ? 0
                          : e->frame_size,
        .user = s->afilter,
        .threads = o->src->threads};
    return OMKT_OK;
}

/* open_in_place - a package rendition's muxer, writing outdir/name (the
 * hls muxer opens its own files). */
static int open_in_place(struct omkt_out *o)
{
    char url[OMKT_PATH_MAX];
    int rc;

    if (omkt_path_join(url, sizeof(url), o->src->outdir, o->src->name) !=
        OMKT_OK) {
        omkt_errf(&o->eb, "path too long: %s", o->src->outdir);
        return OMKT_ETOOBIG;
    }
    rc = avformat_alloc_output_context2(&o->mux, NULL, o->set->muxer, url);
    if (rc < 0)
        return omkt_av_err(rc, &o->eb, "creating muxer");
    o->mux->interrupt_callback = o->src->intr;
    if (o->mux->oformat->flags & AVFMT_NOFILE)
        return OMKT_OK;
    rc = avio_open2(&o->mux->pb, url, AVIO_FLAG_WRITE,
                    &o->mux->interrupt_callback, NULL);
    return rc < 0 ? omkt_av_err(rc, &o->eb, "opening output") : OMKT_OK;
}

/* open_mux - the temporary file, the muxer context and its AVIO. */
static int open_mux(struct omkt_out *o)
{
    char name[64];
    int rc;
    int ret;

    if (o->src->name != NULL)
        return open_in_place(o);
    snprintf(name, sizeof(name), "%d.%s", o->set->id, o->set->extension);
    ret = omkt_fs_tmpfile_create(&o->file, o->src->outdir, name, o->src->tag,
                                 &o->eb);
    if (ret != OMKT_OK)
        return ret;
    o->names[0] = o->file.name;
    rc = avformat_alloc_output_context2(&o->mux, NULL, o->set->muxer,
                                        o->file.tmp);
    if (rc < 0)
        return omkt_av_err(rc, &o->eb, "creating muxer");
    o->mux->interrupt_callback = o->src->intr;
    rc = avio_open2(&o->mux->pb, o->file.tmp, AVIO_FLAG_WRITE,
                    &o->mux->interrupt_callback, NULL);
    return rc < 0 ? omkt_av_err(rc, &o->eb, "opening output") : OMKT_OK;
}

/* write_header - the container header, with the setting's muxer options. */
static int write_header(struct omkt_out *o)
{
    AVDictionary *opts = NULL;
    int rc = 0;
    int ret;

    if (o->set->mux_opts != NULL)
        rc = av_dict_parse_string(&opts, o->set->mux_opts, "=", ":", 0);
    if (rc >= 0)
        rc = avformat_write_header(o->mux, &opts);
    ret = rc < 0 ? OMKT_OK : leftover(o, opts, "muxer");
    av_dict_free(&opts);
    if (rc < 0)
        return omkt_av_err(rc, &o->eb, "writing header");
    o->has_header = true;
    return ret;
}

/* open_single - a single-file output: check the source, open everything. */
static int open_single(struct omkt_out *o)
{
    const struct omkt_setting *s = o->set;
    bool need_video = s->type == OMKT_SETTING_VIDEO;
    int ret;

    if (need_video && o->src->vst == NULL) {
        omkt_errf(&o->eb, "needs video; the source has no decodable video");
        return OMKT_EMEDIA;
    }
    if (s->type == OMKT_SETTING_AUDIO && o->src->ast == NULL) {
        omkt_errf(&o->eb, "needs audio; the source has no decodable audio");
        return OMKT_EMEDIA;
    }
    o->pkt = av_packet_alloc();
    o->filt = av_frame_alloc();
    if (o->pkt == NULL || o->filt == NULL)
        return OMKT_ENOMEM;
    ret = open_mux(o);
    if (ret == OMKT_OK && need_video && s->vcodec != NULL)
        ret = open_video(o);
    if (ret == OMKT_OK && s->acodec != NULL && o->src->ast != NULL)
        ret = open_audio(o);
    if (ret == OMKT_OK)
        ret = write_header(o);
    return ret;
}

int omkt_out_open(const struct omkt_setting *s, const struct omkt_out_src *src,
                  struct omkt_out **out)
{
    struct omkt_out *o = omkt_xcalloc(1, sizeof(*o));
    int ret;

    o->set = s;
    o->src = src;
    o->a.next_pts = -1;
    *out = o;
    if (s->type == OMKT_SETTING_THUMBS_T) {
        if (src->vst == NULL) {
            omkt_errf(&o->eb, "thumbnails need a decodable video track");
            return fail(o, OMKT_EMEDIA);
        }
        return fail(o, omkt_thumbs_new(src, &o->thumbs, &o->eb));
    }
    if (s->type == OMKT_SETTING_STREAMING)
        return fail(o, omkt_pkg_new(s, src, &o->pkg, &o->eb));
    ret = open_single(o);
    return fail(o, ret);
}

int omkt_out_status(const struct omkt_out *o, const char **msg)
{
    if (msg != NULL)
        *msg = o->eb.is_set ? o->eb.msg : omkt_strerror(o->status);
    return o->status;
}

bool omkt_out_wants_video(const struct omkt_out *o)
{
    return o->status == OMKT_OK &&
           (o->thumbs != NULL || o->pkg != NULL || o->v.enc != NULL);
}

int64_t omkt_out_next_video_us(const struct omkt_out *o)
{
    if (o->status != OMKT_OK)
        return INT64_MAX;
    return o->thumbs != NULL ? omkt_thumbs_next_us(o->thumbs) : -1;
}

bool omkt_out_wants_audio(const struct omkt_out *o)
{
    return o->status == OMKT_OK &&
           (o->a.enc != NULL || (o->pkg && omkt_pkg_wants_audio(o->pkg)));
}

/* write_packets - drain @os's encoder into the muxer. */
static int write_packets(struct omkt_out *o, struct ostream *os)
{
    int rc;

    for (;;) {
        rc = avcodec_receive_packet(os->enc, o->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return OMKT_OK;
        if (rc < 0)
            return omkt_av_err(rc, &o->eb, "encoding");
        o->pkt->stream_index = os->st->index;
        /* A video frame lasts one frame at the constant output rate (the
         * encoder's time base): without it the muxer gives the last
         * sample no duration and players drop it. */
        if ((o->pkt->duration <= 0 || o->is_vfr) &&
            os->enc->codec_type == AVMEDIA_TYPE_VIDEO)
            o->pkt->duration = av_rescale_q(1, av_inv_q(os->enc->framerate),
                                            os->enc->time_base);
        av_packet_rescale_ts(o->pkt, os->enc->time_base, os->st->time_base);
        rc = av_interleaved_write_frame(o->mux, o->pkt);
        if (rc < 0)
            return omkt_av_err(rc, &o->eb, "writing");
    }
}

/* out_end_us - where filtered frame @f (encoder time base) ends. */
static int64_t out_end_us(const struct ostream *os, const AVFrame *f)
{
    int64_t len = os->enc->codec_type == AVMEDIA_TYPE_AUDIO ? f->nb_samples : 1;

    if (f->pts == AV_NOPTS_VALUE)
        return 0;
    return av_rescale_q(f->pts + len, os->enc->time_base, AV_TIME_BASE_Q);
}

/* encode - one filtered frame (or NULL to flush) into @os. */
static int encode(struct omkt_out *o, struct ostream *os, AVFrame *f)
{
    int rc;
    int ret = f != NULL ? check_duration(o, os, out_end_us(os, f)) : OMKT_OK;

    if (ret != OMKT_OK)
        return ret;
    rc = avcodec_send_frame(os->enc, f);

    if (rc < 0 && rc != AVERROR_EOF)
        return omkt_av_err(rc, &o->eb, "encoding");
    if (f != NULL)
        os->frames++;
    return write_packets(o, os);
}

/*
 * force_key - with a GOP, the first frame at or past each multiple of
 * gop_us (output time) is a forced keyframe: every rendition of a
 * package, at the same rate, cuts at the same frames, whatever the
 * encoder's own choice would be (scene cuts are off too).
 */
static void force_key(struct ostream *os, AVFrame *f)
{
    int64_t t_us;

    if (os->gop_us <= 0 || f->pts == AV_NOPTS_VALUE ||
        av_compare_ts(f->pts, os->enc->time_base, os->next_key_us,
                      AV_TIME_BASE_Q) < 0)
        return;
    f->pict_type = AV_PICTURE_TYPE_I;
    t_us = av_rescale_q_rnd(f->pts, os->enc->time_base, AV_TIME_BASE_Q,
                            AV_ROUND_DOWN);
    os->next_key_us = (t_us / os->gop_us + 1) * os->gop_us;
}

/* restamp - give a filtered frame its pts in the encoder's time base. */
static void restamp(struct ostream *os, AVFrame *f, bool is_audio)
{
    AVRational tb = av_buffersink_get_time_base(os->g.sink);

    f->pict_type = AV_PICTURE_TYPE_NONE;
    if (!is_audio) {
        if (f->pts != AV_NOPTS_VALUE)
            f->pts = av_rescale_q(f->pts, tb, os->enc->time_base);
        force_key(os, f);
        return;
    }
    if (os->next_pts < 0) {
        os->next_pts = f->pts == AV_NOPTS_VALUE
                           ? 0
                           : av_rescale_q(f->pts, tb, os->enc->time_base);
        if (os->next_pts < 0)
            os->next_pts = 0;
    }
    f->pts = os->next_pts;
    os->next_pts += f->nb_samples;
}

/* is_increasing - a video frame after the last one given (timestamps
 * kept from the source can repeat; the encoder needs them increasing). */
static bool is_increasing(struct ostream *os, const AVFrame *f)
{
    if (f->pts == AV_NOPTS_VALUE)
        return true;
    if (os->has_last && f->pts <= os->last_pts)
        return false;
    os->last_pts = f->pts;
    os->has_last = true;
    return true;
}

/* drain - pull filtered frames from @os's chain into its encoder. */
static int drain(struct omkt_out *o, struct ostream *os, bool is_audio)
{
    int rc;
    int ret = OMKT_OK;

    while (ret == OMKT_OK) {
        rc = av_buffersink_get_frame(os->g.sink, o->filt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            break;
        if (rc < 0)
            return omkt_av_err(rc, &o->eb, "filtering");
        restamp(os, o->filt, is_audio);
        if (!is_audio && !is_increasing(os, o->filt)) {
            av_frame_unref(o->filt); /* as ffmpeg's vfr mode drops it */
            continue;
        }
        ret = encode(o, os, o->filt);
        av_frame_unref(o->filt);
    }
    return ret;
}

/* note_input - how far in the source @f (stream time base) reaches: its
 * pts plus its duration (the next frame's pts for a constant rate). */
static void note_input(const struct omkt_out *o, struct ostream *os,
                       const AVFrame *f, bool is_audio)
{
    AVRational rate = o->src->vrate;
    int64_t end;

    if (f->pts == AV_NOPTS_VALUE)
        return;
    end = f->pts;
    if (is_audio && f->sample_rate > 0)
        end += av_rescale_q(f->nb_samples, (AVRational){1, f->sample_rate},
                            os->in_tb);
    else if (f->pkt_duration > 0)
        end += f->pkt_duration;
    else if (rate.num > 0 && rate.den > 0)
        end += av_rescale_q(1, av_inv_q(rate), os->in_tb);
    if (!os->has_input || end > os->in_end) {
        os->in_end = end;
        os->in_end_us = av_rescale_q(end, os->in_tb, AV_TIME_BASE_Q);
    }
    os->has_input = true;
}

/* feed - push @f (NULL: end of stream) through @os's chain to the muxer. */
static int feed(struct omkt_out *o, struct ostream *os, const AVFrame *f,
                bool is_audio)
{
    int rc;
    int ret = OMKT_OK;

    if (f != NULL)
        note_input(o, os, f, is_audio);
    if (f != NULL && !omkt_graph_matches(&os->g, f)) {
        omkt_graph_free(&os->g); /* XXX: frames held by the old chain drop */
        ret = is_audio ? omkt_graph_audio(&os->g, f, &o->aargs, &o->eb)
                       : omkt_graph_video(&os->g, f, &o->vargs, &o->eb);
    }
    if (ret != OMKT_OK || os->g.graph == NULL)
        return ret;
    /* The end of stream is where the last frame ends, not where it
     * starts (as the ffmpeg CLI says it): else the fps filter drops the
     * last frame and the output is a frame short. */
    rc = f != NULL ? av_buffersrc_add_frame_flags(os->g.src, (AVFrame *)f,
                                                  AV_BUFFERSRC_FLAG_KEEP_REF)
                   : av_buffersrc_close(os->g.src, os->in_end,
                                        AV_BUFFERSRC_FLAG_PUSH);
    if (rc < 0)
        return omkt_av_err(rc, &o->eb, "filtering");
    return drain(o, os, is_audio);
}

int omkt_out_video(struct omkt_out *o, const AVFrame *f)
{
    if (o->status != OMKT_OK)
        return o->status;
    if (o->thumbs != NULL)
        return fail(o, omkt_thumbs_frame(o->thumbs, f, &o->eb));
    if (o->pkg != NULL)
        return fail(o, omkt_pkg_video(o->pkg, f, &o->eb));
    if (o->v.enc == NULL)
        return OMKT_OK;
    return fail(o, feed(o, &o->v, f, false));
}

int omkt_out_audio(struct omkt_out *o, const AVFrame *f)
{
    if (o->status == OMKT_OK && o->pkg != NULL)
        return fail(o, omkt_pkg_audio(o->pkg, f, &o->eb));
    if (o->status != OMKT_OK || o->a.enc == NULL)
        return o->status;
    return fail(o, feed(o, &o->a, f, true));
}

/* flush_stream - end of stream through the chain, then the encoder. */
static int flush_stream(struct omkt_out *o, struct ostream *os, bool is_audio)
{
    int ret;

    if (os->enc == NULL)
        return OMKT_OK;
    ret = feed(o, os, NULL, is_audio);
    if (ret == OMKT_OK)
        ret = encode(o, os, NULL);
    return ret;
}

/* finish_single - flush both streams, write the trailer, close the file. */
static int finish_single(struct omkt_out *o)
{
    int rc;
    int ret = flush_stream(o, &o->v, false);

    if (ret == OMKT_OK)
        ret = flush_stream(o, &o->a, true);
    if (ret != OMKT_OK)
        return ret;
    if (o->v.enc != NULL && o->v.frames == 0) {
        omkt_errf(&o->eb, "no video frame could be decoded");
        return OMKT_EMEDIA;
    }
    if (o->v.enc == NULL && o->a.frames == 0) {
        omkt_errf(&o->eb, "no audio could be decoded");
        return OMKT_EMEDIA;
    }
    rc = av_write_trailer(o->mux);
    o->has_trailer = true;
    if (rc < 0)
        return omkt_av_err(rc, &o->eb, "writing trailer");
    rc = avio_closep(&o->mux->pb);
    return rc < 0 ? omkt_av_err(rc, &o->eb, "closing output") : OMKT_OK;
}

int omkt_out_finish(struct omkt_out *o)
{
    if (o->status != OMKT_OK)
        return o->status;
    if (o->thumbs != NULL)
        return fail(o, omkt_thumbs_finish(o->thumbs, &o->eb));
    if (o->pkg != NULL)
        return fail(o, omkt_pkg_finish(o->pkg, &o->eb));
    return fail(o, finish_single(o));
}

int omkt_out_publish(struct omkt_out *o)
{
    int ret;

    if (o->status != OMKT_OK)
        return o->status;
    if (o->thumbs != NULL)
        ret = omkt_thumbs_publish(o->thumbs, &o->eb);
    else if (o->pkg != NULL)
        ret = omkt_pkg_publish(o->pkg, &o->eb);
    else if (o->src->name != NULL) /* in a package, which publishes it */
        ret = OMKT_OK;
    else
        ret = omkt_fs_tmpfile_commit(&o->file, &o->eb);
    o->is_published = ret == OMKT_OK;
    return fail(o, ret);
}

size_t omkt_out_files(const struct omkt_out *o, const char *const **names)
{
    *names = NULL;
    if (!o->is_published)
        return 0;
    if (o->thumbs != NULL)
        return omkt_thumbs_names(o->thumbs, names);
    *names = o->pkg != NULL ? omkt_pkg_names(o->pkg) : o->names;
    return 1;
}

json_t *omkt_out_metadata(const struct omkt_out *o)
{
    return o->pkg != NULL && o->is_published ? omkt_pkg_metadata(o->pkg) : NULL;
}

const AVStream *omkt_out_stream(const struct omkt_out *o, bool is_video,
                                int64_t *frames)
{
    const struct ostream *os = is_video ? &o->v : &o->a;

    *frames = os->frames;
    return os->st;
}

/* abandon_hls - FFmpeg 5.1's hls muxer (a package's renditions) closes
 * its segment muxer and files only in its trailer, not when freed: a
 * package cut short (cancel, shutdown, lost lease) leaked them, file
 * descriptors included.  Its trailer only writes into the temporary tree,
 * which the package removes. */
static void abandon_hls(struct omkt_out *o)
{
    if (o->has_header && !o->has_trailer &&
        strcmp(o->mux->oformat->name, "hls") == 0) {
        o->has_trailer = true;
        (void)av_write_trailer(o->mux); /* the files are discarded */
    }
}

void omkt_out_free(struct omkt_out *o)
{
    if (o == NULL)
        return;
    omkt_thumbs_free(o->thumbs);
    omkt_pkg_free(o->pkg);
    omkt_graph_free(&o->v.g);
    omkt_graph_free(&o->a.g);
    avcodec_free_context(&o->v.enc);
    avcodec_free_context(&o->a.enc);
    if (o->mux != NULL) {
        abandon_hls(o);
        if (o->mux->pb != NULL)
            avio_closep(&o->mux->pb);
        avformat_free_context(o->mux);
    }
    omkt_fs_tmpfile_discard(&o->file);
    av_channel_layout_uninit(&o->layout);
    av_packet_free(&o->pkt);
    av_frame_free(&o->filt);
    free(o);
}

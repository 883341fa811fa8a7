/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_encode - keyframe scan, one segment's video, the whole audio
 * (segment_encode.h).
 *
 * DESIGN: a segment is encoded by the same output code as a whole-file
 * transcode (output.c: filter chain, encoder, limits), fed only the
 * decoded frames whose source time is in [start, end), with a copy of the
 * setting that writes video only into NUT.  Frame times are compared in
 * microseconds from the source's start computed exactly as the keyframe
 * scan computes them, so a boundary (a keyframe's time) falls on a frame.
 * The decoder runs past end until a frame at or after end comes out:
 * frames come out in presentation order, so every frame before end (the
 * leading pictures of an open GOP too) has been seen by then.  Each
 * segment opens its own encoder, whose first frame is a keyframe (IDR)
 * that nothing before it references.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/log.h"
#include "media/input.h"
#include "media/output.h"
#include "media/segment_encode.h"

#define KEYS_INITIAL 256
#define STR_(x)      #x
#define STR(x)       STR_(x)
/* The intermediate files' muxer options (segment_encode.h). */
#define NUT_OPTS "output_ts_offset=" STR(OMKT_SEGMENT_TS_OFFSET)

/* struct segsrc - an open source and its chosen tracks. */
struct segsrc {
    struct omkt_intr intr;
    AVFormatContext *in;
    int vidx, aidx;
    int64_t vstart; /* the source's start in the video time base */
};

/* init_intr - the stop fields of @opts (may be NULL) into @s. */
static void init_intr(struct segsrc *s, const struct omkt_transcode_opts *opts)
{
    memset(s, 0, sizeof(*s));
    s->vidx = -1;
    s->aidx = -1;
    if (opts == NULL)
        return;
    s->intr.stop = opts->stop;
    s->intr.should_stop_fn = opts->should_stop_fn;
    s->intr.ctx = opts->stop_ctx;
}

/* open_source - @path, its video track (as transcode.c picks it: no
 * cover art, not oversized) and whether it has audio. */
static int open_source(struct segsrc *s, const char *path,
                       struct omkt_errbuf *eb)
{
    int64_t start;
    AVStream *st;
    int ret = omkt_input_open(path, NULL, &s->intr, &s->in, eb);

    if (ret != OMKT_OK)
        return ret;
    s->vidx = av_find_best_stream(s->in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    st = s->vidx >= 0 ? s->in->streams[s->vidx] : NULL;
    if (st == NULL || st->disposition & AV_DISPOSITION_ATTACHED_PIC ||
        omkt_stream_is_oversized(st) || st->codecpar->width <= 0) {
        omkt_errf(eb, "no decodable video track to split");
        return OMKT_EMEDIA;
    }
    s->aidx = av_find_best_stream(s->in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (s->aidx >= 0 && s->in->streams[s->aidx]->codecpar->sample_rate <= 0)
        s->aidx = -1;
    /* A negative start is encoder priming: 0, as transcode.c has it. */
    start = s->in->start_time == AV_NOPTS_VALUE || s->in->start_time < 0
                ? 0
                : s->in->start_time;
    s->vstart = av_rescale_q(start, AV_TIME_BASE_Q, st->time_base);
    for (unsigned i = 0; i < s->in->nb_streams; i++)
        if ((int)i != s->vidx)
            s->in->streams[i]->discard = AVDISCARD_ALL;
    return OMKT_OK;
}

/* rel_us - time @pts of the video track from the source's start, in us. */
static int64_t rel_us(const struct segsrc *s, int64_t pts)
{
    return av_rescale_q(pts - s->vstart, s->in->streams[s->vidx]->time_base,
                        AV_TIME_BASE_Q);
}

/* read_packet - the next video packet; OMKT_ENOTFOUND at the end. */
static int read_packet(struct segsrc *s, AVPacket *pkt)
{
    int rc;

    for (;;) {
        if (omkt_intr_check(&s->intr))
            return s->intr.reason;
        rc = av_read_frame(s->in, pkt);
        if (rc == AVERROR_EXIT || omkt_intr_check(&s->intr))
            return s->intr.reason != OMKT_OK ? s->intr.reason : OMKT_ESHUTDOWN;
        if (rc < 0)
            return OMKT_ENOTFOUND; /* EOF or a read error: the end */
        if (pkt->stream_index == s->vidx)
            return OMKT_OK;
        av_packet_unref(pkt);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* sort_keys - ascending, without repeats. */
static void sort_keys(struct omkt_segment_src *out)
{
    size_t n = 0;

    qsort(out->key_us, out->n_keys, sizeof(*out->key_us), cmp_i64);
    for (size_t i = 0; i < out->n_keys; i++)
        if (n == 0 || out->key_us[i] != out->key_us[n - 1])
            out->key_us[n++] = out->key_us[i];
    out->n_keys = n;
}

/* collect_keys - the times of @s's video keyframe packets into @out. */
static int collect_keys(struct segsrc *s, AVPacket *pkt,
                        struct omkt_segment_src *out)
{
    size_t cap = KEYS_INITIAL;
    int ret;

    out->key_us = omkt_xcalloc(cap, sizeof(*out->key_us));
    while ((ret = read_packet(s, pkt)) == OMKT_OK) {
        if (pkt->flags & AV_PKT_FLAG_KEY && pkt->pts != AV_NOPTS_VALUE) {
            if (out->n_keys == cap) {
                cap *= 2;
                out->key_us =
                    omkt_xrealloc(out->key_us, cap * sizeof(*out->key_us));
            }
            out->key_us[out->n_keys++] = rel_us(s, pkt->pts);
        }
        av_packet_unref(pkt);
    }
    sort_keys(out);
    return ret == OMKT_ENOTFOUND ? OMKT_OK : ret;
}

int omkt_segment_scan(const char *src, const struct omkt_transcode_opts *opts,
                      struct omkt_segment_src *out, struct omkt_errbuf *eb)
{
    struct segsrc s;
    AVPacket *pkt = av_packet_alloc();
    int ret = pkt != NULL ? OMKT_OK : OMKT_ENOMEM;
    enum AVFieldOrder fo;

    memset(out, 0, sizeof(*out));
    init_intr(&s, opts);
    if (ret == OMKT_OK)
        ret = open_source(&s, src, eb);
    if (ret == OMKT_OK)
        ret = collect_keys(&s, pkt, out);
    if (ret == OMKT_OK) {
        fo = s.in->streams[s.vidx]->codecpar->field_order;
        out->duration_us = s.in->duration > 0 ? s.in->duration : 0;
        out->has_audio = s.aidx >= 0;
        out->is_interlaced =
            fo != AV_FIELD_UNKNOWN && fo != AV_FIELD_PROGRESSIVE;
    } else {
        omkt_segment_src_clear(out);
    }
    av_packet_free(&pkt);
    avformat_close_input(&s.in);
    return ret;
}

void omkt_segment_src_clear(struct omkt_segment_src *s)
{
    if (s == NULL)
        return;
    free(s->key_us);
    memset(s, 0, sizeof(*s));
}

bool omkt_segment_can_split(const struct omkt_setting *s)
{
    static const char *const ok[] = {"mp4", "mov", "ipod", "webm", "matroska"};

    if (s->type != OMKT_SETTING_VIDEO || s->vcodec == NULL ||
        s->muxer == NULL || s->vfilter != NULL || s->fps_num > 0)
        return false;
    for (size_t i = 0; i < OMKT_ARRAY_LEN(ok); i++)
        if (strcmp(s->muxer, ok[i]) == 0)
            return true;
    return false;
}

int omkt_segment_name(char *buf, size_t size, int id, int index)
{
    int n = index == OMKT_SEGMENT_AUDIO
                ? snprintf(buf, size, "%d.audio.nut", id)
                : snprintf(buf, size, "%d.s%04d.nut", id, index);

    return n < 0 || (size_t)n >= size ? OMKT_ETOOBIG : OMKT_OK;
}

/* struct segenc - the state of one segment's encode. */
struct segenc {
    struct segsrc s;
    const struct omkt_segment_spec *sp;
    struct omkt_setting set; /* the setting, video only into NUT */
    char ext[32];            /* its "extension": "s0003.nut" */
    char tag[128];
    struct omkt_out_src src;
    AVCodecContext *dec;
    struct omkt_out *out;
    AVPacket *pkt;
    AVFrame *frame;
    int64_t frames;
    int64_t first_us; /* time of the first frame encoded */
    bool is_past_end; /* a frame at or after end came out */
    const struct omkt_transcode_opts *opts; /* its progress_fn; or NULL */
};

/* progress - the share of [start, end) done, at frame time @us. */
static void progress(const struct segenc *e, int64_t us)
{
    int64_t end =
        e->sp->end_us != OMKT_SEGMENT_END ? e->sp->end_us : e->src.duration_us;

    if (e->opts == NULL || e->opts->progress_fn == NULL ||
        end <= e->sp->start_us)
        return;
    e->opts->progress_fn(e->opts->progress_ctx,
                         av_clipd((double)(us - e->sp->start_us) /
                                      (double)(end - e->sp->start_us),
                                  0.0, 1.0));
}

/* video_setting - @e->set: the segment's setting, video only into NUT. */
static int video_setting(struct segenc *e)
{
    int n = snprintf(e->ext, sizeof(e->ext), "s%04d.nut", e->sp->index);

    if (n < 0 || (size_t)n >= sizeof(e->ext) || e->sp->index < 0)
        return OMKT_EINVAL;
    e->set = *e->sp->set;
    e->set.extension = e->ext;
    e->set.muxer = "nut";
    e->set.mux_opts = NUT_OPTS;
    e->set.acodec = NULL;
    return OMKT_OK;
}

/* out_src - what output.c needs of the source, as transcode.c gives it. */
static void out_src(struct segenc *e, const char *dir,
                    const struct omkt_transcode_opts *opts)
{
    AVStream *st = e->s.in->streams[e->s.vidx];

    snprintf(e->tag, sizeof(e->tag), "%s",
             opts != NULL && opts->tmp_tag != NULL ? opts->tmp_tag : "seg");
    for (char *c = e->tag; *c != 0; c++)
        if (*c == '/')
            *c = '_'; /* the tag is part of a file name */
    e->src = (struct omkt_out_src){
        .vst = st,
        .vrate = av_guess_frame_rate(e->s.in, st, NULL),
        .rotation = omkt_stream_rotation(st),
        .duration_us =
            e->s.in->duration == AV_NOPTS_VALUE ? 0 : e->s.in->duration,
        .outdir = dir,
        .tag = e->tag,
        .threads = opts != NULL ? opts->threads : 0,
        .intr = {omkt_intr_cb, &e->s.intr},
        .limits = opts != NULL && opts->limits != NULL
                      ? *opts->limits
                      : (struct omkt_out_limits)OMKT_OUT_LIMITS_DEFAULT,
    };
}

/* seek_start - to the keyframe at or before start; from the beginning
 * when that fails (slower, same frames). */
static void seek_start(struct segenc *e)
{
    AVStream *st = e->s.in->streams[e->s.vidx];
    int64_t ts;

    if (e->sp->start_us <= 0)
        return;
    ts = av_rescale_q(e->sp->start_us, AV_TIME_BASE_Q, st->time_base) +
         e->s.vstart;
    if (av_seek_frame(e->s.in, e->s.vidx, ts, AVSEEK_FLAG_BACKWARD) < 0)
        omkt_log(OMKT_LOG_INFO, "segment %d: seek failed, decoding from 0",
                 e->sp->index);
}

/* take - a decoded frame: drop it before start, stop at end, else encode. */
static int take(struct segenc *e, AVFrame *f)
{
    int64_t us;

    f->pts = f->best_effort_timestamp;
    if (f->pts == AV_NOPTS_VALUE)
        return OMKT_OK; /* XXX: untimed frame; the whole-file run keeps it */
    us = rel_us(&e->s, f->pts);
    if (us >= e->sp->end_us) {
        e->is_past_end = true;
        return OMKT_OK;
    }
    if (us < e->sp->start_us && e->sp->index > 0)
        return OMKT_OK; /* the first segment keeps what precedes 0 */
    if (e->frames == 0)
        e->first_us = us;
    e->frames++;
    progress(e, us);
    f->pts -= e->s.vstart;
    return omkt_out_video(e->out, f);
}

/* decode - @pkt (NULL: flush) into frames taken by take(). */
static int decode(struct segenc *e, const AVPacket *pkt)
{
    int rc = avcodec_send_packet(e->dec, pkt);
    int ret = OMKT_OK;

    if (rc < 0 && rc != AVERROR_EOF && rc != AVERROR(EAGAIN))
        return OMKT_OK; /* a broken packet is skipped, as transcode.c does */
    while (ret == OMKT_OK && !e->is_past_end) {
        rc = avcodec_receive_frame(e->dec, e->frame);
        if (rc < 0)
            break;
        ret = take(e, e->frame);
        av_frame_unref(e->frame);
    }
    return ret;
}

/* run - packets until a frame at or after end, or the end of the file. */
static int run(struct segenc *e)
{
    int ret = OMKT_OK;

    while (ret == OMKT_OK && !e->is_past_end) {
        ret = read_packet(&e->s, e->pkt);
        if (ret != OMKT_OK)
            break;
        ret = decode(e, e->pkt);
        av_packet_unref(e->pkt);
    }
    if (ret == OMKT_ENOTFOUND)
        ret = decode(e, NULL);
    return ret;
}

/* check_frames - the segment has frames and starts at its keyframe. */
static int check_frames(const struct segenc *e, struct omkt_errbuf *eb)
{
    if (e->frames == 0) {
        omkt_errf(eb, "segment %d: no frame in [%.3f s, %.3f s)", e->sp->index,
                  (double)e->sp->start_us / 1e6, (double)e->sp->end_us / 1e6);
        return OMKT_EMEDIA;
    }
    if (e->sp->start_us > 0 && e->first_us != e->sp->start_us) {
        omkt_errf(eb, "segment %d: first frame at %.6f s, not at %.6f s",
                  e->sp->index, (double)e->first_us / 1e6,
                  (double)e->sp->start_us / 1e6);
        return OMKT_EMEDIA;
    }
    return OMKT_OK;
}

/* finish - flush the output and publish it. */
static int finish(struct segenc *e, struct omkt_errbuf *eb)
{
    const char *msg = NULL;
    int ret = check_frames(e, eb);

    if (ret == OMKT_OK)
        (void)omkt_out_finish(e->out); /* its status is read below */
    if (ret == OMKT_OK && omkt_intr_check(&e->s.intr))
        ret = e->s.intr.reason;
    if (ret == OMKT_OK)
        ret = omkt_out_publish(e->out);
    if (ret == OMKT_OK || omkt_out_status(e->out, &msg) == OMKT_OK)
        return ret;
    omkt_errf(eb, "segment %d: %s", e->sp->index, msg);
    return ret;
}

/* open_all - source, decoder, output; then seek to the start. */
static int open_all(struct segenc *e, const char *path, const char *dir,
                    const struct omkt_transcode_opts *opts,
                    struct omkt_errbuf *eb)
{
    const char *msg = NULL;
    int ret = video_setting(e);

    if (ret == OMKT_OK)
        ret = open_source(&e->s, path, eb);
    if (ret == OMKT_OK)
        ret = omkt_decoder_open(e->s.in->streams[e->s.vidx],
                                opts != NULL ? opts->threads : 0, &e->dec, eb);
    if (ret != OMKT_OK)
        return ret;
    out_src(e, dir, opts);
    ret = omkt_out_open(&e->set, &e->src, &e->out);
    if (ret != OMKT_OK) {
        (void)omkt_out_status(e->out, &msg);
        omkt_errf(eb, "segment %d: %s", e->sp->index, msg);
        return ret;
    }
    seek_start(e);
    return OMKT_OK;
}

int omkt_segment_encode(const char *src, const char *dir,
                        const struct omkt_segment_spec *sp,
                        const struct omkt_transcode_opts *opts, int64_t *frames,
                        struct omkt_errbuf *eb)
{
    struct segenc *e = omkt_xcalloc(1, sizeof(*e));
    int ret;

    init_intr(&e->s, opts);
    e->sp = sp;
    e->opts = opts;
    e->pkt = av_packet_alloc();
    e->frame = av_frame_alloc();
    ret = e->pkt != NULL && e->frame != NULL ? OMKT_OK : OMKT_ENOMEM;
    if (ret == OMKT_OK)
        ret = open_all(e, src, dir, opts, eb);
    if (ret == OMKT_OK)
        ret = run(e);
    if (ret == OMKT_OK)
        ret = finish(e, eb);
    if (ret == OMKT_OK && frames != NULL)
        *frames = e->frames;
    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        omkt_errf(eb, "segment %d interrupted: %s", sp->index,
                  omkt_strerror(ret));
    omkt_out_free(e->out); /* removes an unpublished file */
    avcodec_free_context(&e->dec);
    avformat_close_input(&e->s.in);
    av_packet_free(&e->pkt);
    av_frame_free(&e->frame);
    free(e);
    return ret;
}

int omkt_segment_audio(const char *src, const char *dir,
                       const struct omkt_setting *set,
                       const struct omkt_transcode_opts *opts,
                       struct omkt_errbuf *eb)
{
    struct omkt_setting a = *set;
    const struct omkt_setting *sets[1] = {&a};
    struct omkt_transcode_result res = {0};
    int ret;

    a.extension = "audio.nut";
    a.muxer = "nut";
    a.mux_opts = NUT_OPTS;
    a.vcodec = NULL;
    ret = omkt_transcode_with(src, dir, sets, 1, opts, &res, eb);
    omkt_transcode_result_clear(&res);
    return ret;
}

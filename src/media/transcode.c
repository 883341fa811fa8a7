/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transcode - omkt_transcode(): demux and decode a source once and feed
 * every requested output (output.c), with progress and interruption.
 *
 * DESIGN: one struct pipeline per call holds all state (no file-scope
 * state).  Stages: open input, open outputs, open decoders (only for the
 * track types some output wants: audio-only jobs never open a video
 * decoder, and unused tracks are discarded at the demuxer), the packet
 * loop, flush, publish.  The stop flag and cancel callback are polled
 * once per packet and by the AVIO interrupt callback of every input and
 * output, so a transcode stops within one packet's work.  A read error in
 * the middle of a file ends the input like EOF (as the ffmpeg CLI does),
 * so truncated files give the part that can be read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/cpu.h>
#include <libavutil/time.h>

#include "common/alloc.h"
#include "common/log.h"
#include "media/input.h"
#include "media/output.h"
#include "media/probe.h"
#include "media/transcode.h"
#include "media/zip.h"
#include "common/fsops.h"

#define PROGRESS_EVERY_US 250000
#define PROGRESS_RUN_MAX  0.99             /* until the outputs are published */
#define SEEK_MIN_GAP_US   (5 * 1000000LL)  /* seek when further than this */
#define SEEK_MIN_DUR_US   (60 * 1000000LL) /* only for sources this long */
#define CUT_MIN_US        (1000000LL) /* a shorter source is "cut" beyond */

struct pipeline {
    struct omkt_intr intr;
    struct omkt_out_src src;
    const struct omkt_transcode_opts *opts;
    AVFormatContext *in;
    int vidx, aidx;
    AVCodecContext *vdec, *adec;
    int vdec_threads;       /* for the video decoder; 0 = auto */
    int64_t vstart, astart; /* source start in each stream's time base */
    struct omkt_out **outs;
    size_t n;
    AVPacket *pkt;
    AVFrame *frame;
    int64_t pos_us;         /* furthest decoded time */
    bool is_at_eof;         /* the input was read to its end */
    bool is_seeking;        /* thumbnails only: seek to each pick */
    int64_t seek_target_us; /* the last target sought */
    int64_t last_progress_us;
    char tag[128];
};

/* progress - tell the caller how far we are, at most every 250 ms. */
static void progress(struct pipeline *p, bool is_final)
{
    int64_t now = av_gettime_relative();
    double frac = 0.0;

    if (p->opts == NULL || p->opts->progress_fn == NULL)
        return;
    if (!is_final && now - p->last_progress_us < PROGRESS_EVERY_US)
        return;
    p->last_progress_us = now;
    if (p->src.duration_us > 0)
        frac = (double)p->pos_us / (double)p->src.duration_us;
    /* Below 1 until every output is written and published: the drain
     * (decoders, filters, encoder lookahead), the trailers and the
     * faststart rewrites still run after the last packet is read, and a
     * container may announce less than it holds. */
    frac = frac > PROGRESS_RUN_MAX ? PROGRESS_RUN_MAX : frac < 0.0 ? 0.0 : frac;
    if (is_final)
        frac = 1.0;
    p->opts->progress_fn(p->opts->progress_ctx, frac);
}

/* pick_streams - the best video (no cover art, not oversized) and audio. */
static void pick_streams(struct pipeline *p)
{
    AVFormatContext *in = p->in;
    AVStream *st;

    p->vidx = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (p->vidx >= 0) {
        st = in->streams[p->vidx];
        if (st->disposition & AV_DISPOSITION_ATTACHED_PIC ||
            omkt_stream_is_oversized(st) || st->codecpar->width <= 0)
            p->vidx = -1;
    }
    p->aidx = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (p->aidx >= 0 && in->streams[p->aidx]->codecpar->sample_rate <= 0)
        p->aidx = -1;
}

/* open_decoder - decoder @idx for the stream, or drop the stream. */
static void open_decoder(struct pipeline *p, int *idx, int threads,
                         AVCodecContext **dec, const AVStream **src_st)
{
    if (*idx >= 0 &&
        omkt_decoder_open(p->in->streams[*idx], threads, dec, NULL) != OMKT_OK)
        *idx = -1;
    *src_st = *idx >= 0 ? p->in->streams[*idx] : NULL;
}

/* open_input - the source and its chosen tracks (no decoders yet). */
static int open_input(struct pipeline *p, const char *path,
                      struct omkt_errbuf *eb)
{
    int ret = omkt_input_open(path, NULL, &p->intr, &p->in, eb);

    if (ret == OMKT_OK)
        pick_streams(p);
    return ret;
}

/* open_decoders - the chosen tracks' decoders and what outputs need of
 * them (start, rate, rotation, duration). */
static int open_decoders(struct pipeline *p, struct omkt_errbuf *eb)
{
    int64_t start;

    open_decoder(p, &p->vidx, p->vdec_threads, &p->vdec, &p->src.vst);
    open_decoder(p, &p->aidx, p->opts ? p->opts->threads : 0, &p->adec,
                 &p->src.ast);
    /* A negative start is encoder priming the decoders drop: keep 0. */
    start = p->in->start_time == AV_NOPTS_VALUE || p->in->start_time < 0
                ? 0
                : p->in->start_time;
    if (p->src.vst != NULL) {
        p->src.vrate = av_guess_frame_rate(p->in, (AVStream *)p->src.vst, NULL);
        p->src.rotation = omkt_stream_rotation(p->src.vst);
        p->vstart = av_rescale_q(start, AV_TIME_BASE_Q, p->src.vst->time_base);
    }
    if (p->src.ast != NULL)
        p->astart = av_rescale_q(start, AV_TIME_BASE_Q, p->src.ast->time_base);
    p->src.duration_us =
        p->in->duration == AV_NOPTS_VALUE ? 0 : p->in->duration;
    if (p->src.vst == NULL && p->src.ast == NULL) {
        omkt_errf(eb, "no decodable audio or video track");
        return OMKT_EMEDIA;
    }
    return OMKT_OK;
}

/* close_unused - drop decoders and tracks no open output wants. */
static void close_unused(struct pipeline *p)
{
    bool want_v = false, want_a = false;

    for (size_t i = 0; i < p->n; i++) {
        if (p->outs[i] == NULL)
            continue;
        want_v |= omkt_out_wants_video(p->outs[i]);
        want_a |= omkt_out_wants_audio(p->outs[i]);
    }
    if (!want_v)
        avcodec_free_context(&p->vdec);
    if (!want_a)
        avcodec_free_context(&p->adec);
    for (unsigned i = 0; i < p->in->nb_streams; i++)
        if (!((int)i == p->vidx && p->vdec) && !((int)i == p->aidx && p->adec))
            p->in->streams[i]->discard = AVDISCARD_ALL;
    omkt_log(OMKT_LOG_DEBUG, "decoding video=%s audio=%s",
             p->vdec ? "yes" : "no", p->adec ? "yes" : "no");
}

/* open_outputs - one output per id; failures stay in the output. */
static void open_outputs(struct pipeline *p,
                         const struct omkt_setting *const *sets)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct omkt_setting *s = sets[i];

        if (s != NULL) /* the status stays in the output */
            (void)omkt_out_open(s, &p->src, &p->outs[i]);
    }
    close_unused(p);
}

/* deliver - a decoded frame of track @idx to every output that wants it. */
static void deliver(struct pipeline *p, int idx, AVFrame *f)
{
    bool is_video = idx == p->vidx;
    AVRational tb = p->in->streams[idx]->time_base;
    int64_t us;

    f->pts = f->best_effort_timestamp;
    if (f->pts != AV_NOPTS_VALUE) {
        f->pts -= is_video ? p->vstart : p->astart;
        us = av_rescale_q(f->pts, tb, AV_TIME_BASE_Q);
        p->pos_us = us > p->pos_us ? us : p->pos_us;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (p->outs[i] == NULL)
            continue;
        if (is_video)
            (void)omkt_out_video(p->outs[i], f); /* failure stays in it */
        else
            (void)omkt_out_audio(p->outs[i], f);
    }
}

/* decode - send @pkt (NULL: flush) to @dec and deliver its frames. */
static void decode(struct pipeline *p, AVCodecContext *dec, int idx,
                   const AVPacket *pkt)
{
    int rc = avcodec_send_packet(dec, pkt);

    if (rc < 0 && rc != AVERROR_EOF) {
        omkt_log(OMKT_LOG_DEBUG, "track %d: decoding error %d, skipped", idx,
                 rc);
        if (rc != AVERROR(EAGAIN))
            return;
    }
    for (;;) {
        rc = avcodec_receive_frame(dec, p->frame);
        if (rc < 0)
            break; /* EAGAIN, EOF, or a broken frame: skip it */
        deliver(p, idx, p->frame);
        av_frame_unref(p->frame);
    }
}

/* any_alive - is some output still working? */
static bool any_alive(const struct pipeline *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->outs[i] != NULL && (omkt_out_wants_video(p->outs[i]) ||
                                   omkt_out_wants_audio(p->outs[i])))
            return true;
    return false;
}

/*
 * plan_seeking - seek instead of decoding everything when the only live
 * outputs are thumbnails of a long, seekable source.
 */
static void plan_seeking(struct pipeline *p)
{
    bool is_thumbs_only = p->vdec != NULL;

    for (size_t i = 0; i < p->n && is_thumbs_only; i++)
        if (p->outs[i] != NULL && omkt_out_wants_video(p->outs[i]) &&
            omkt_out_next_video_us(p->outs[i]) < 0)
            is_thumbs_only = false;
    p->is_seeking = is_thumbs_only && p->adec == NULL &&
                    p->src.duration_us >= SEEK_MIN_DUR_US && p->in->pb &&
                    (p->in->pb->seekable & AVIO_SEEKABLE_NORMAL);
    p->seek_target_us = -1;
}

/*
 * seek_ahead - in seeking mode, jump to the next wanted time when it is
 * far ahead.  Returns false when no output wants any more frames.
 */
static bool seek_ahead(struct pipeline *p)
{
    int64_t next = INT64_MAX, start, ts;

    for (size_t i = 0; i < p->n; i++)
        if (p->outs[i] != NULL && omkt_out_wants_video(p->outs[i]) &&
            omkt_out_next_video_us(p->outs[i]) < next)
            next = omkt_out_next_video_us(p->outs[i]);
    if (next == INT64_MAX)
        return false;
    if (next - p->pos_us < SEEK_MIN_GAP_US || next == p->seek_target_us)
        return true;
    p->seek_target_us = next;
    start = p->in->start_time == AV_NOPTS_VALUE || p->in->start_time < 0
                ? 0
                : p->in->start_time;
    ts = av_rescale_q(next + start, AV_TIME_BASE_Q, p->src.vst->time_base);
    omkt_log(OMKT_LOG_DEBUG, "seeking to %.3f s", (double)next / 1e6);
    if (av_seek_frame(p->in, p->vidx, ts, AVSEEK_FLAG_BACKWARD) >= 0)
        avcodec_flush_buffers(p->vdec);
    return true; /* a failed seek just means decoding on */
}

/*
 * plan_threads - thread counts when they are automatic (opts->threads 0).
 * The encoders are the bottleneck: x264 alone starts 1.5 frame threads
 * per CPU, so the video decoder does not get the cpus + 1 frame threads
 * of FFmpeg's "auto" but half the CPUs: decoding 1080p H.264 costs about
 * a fifth of the setting-14 transcode and keeps up, while frame threading
 * costs CPU (per-frame context copies, wake-ups; 8 % of the decode here)
 * and memory (a picture set per thread).  Every encoder and filter graph
 * gets one thread per CPU (p->src.threads), not x264's automatic 1.5
 * frame threads per CPU plus a lookahead thread: the extra frame threads
 * only wait for each other's rows on a busy machine and keep more
 * pictures in flight (setting 14 of 1080p H.264: 13.4 s of CPU instead
 * of 15.6).  Several outputs run inline, one after the other on this
 * thread, their encoders' threads in parallel, as the ffmpeg CLI's split
 * graph does: one worker thread per output with single-threaded codecs
 * (the former outworker.c) cost a fifth more CPU for the same pictures
 * (the 11-14 ladder of a 5 s 1080p source: 19.1 s against 15.1 inline,
 * 16.4-16.8 for ffmpeg's split graph).  Decoding and scaling give the
 * same pictures with any thread count.  Evidence: bench/transcode.
 */
static void plan_threads(struct pipeline *p,
                         const struct omkt_setting *const *sets)
{
    int n_video = 0, cpus = av_cpu_count();

    p->vdec_threads = p->opts != NULL ? p->opts->threads : 0;
    if (p->opts != NULL && p->opts->threads > 0)
        return;
    for (size_t i = 0; i < p->n; i++)
        n_video += sets[i] != NULL && (sets[i]->type == OMKT_SETTING_VIDEO ||
                                       sets[i]->type == OMKT_SETTING_STREAMING);
    if (n_video == 0) /* thumbnails decode more than they encode */
        return;
    p->vdec_threads = cpus / 2 > 1 ? cpus / 2 : 1;
    p->src.threads = cpus;
}

/* run - the packet loop: read, decode, deliver, until EOF or stop. */
static int run(struct pipeline *p)
{
    int rc;

    while (any_alive(p)) {
        if (omkt_intr_check(&p->intr))
            return p->intr.reason;
        if (p->is_seeking && !seek_ahead(p))
            break;
        rc = av_read_frame(p->in, p->pkt);
        if (rc == AVERROR_EXIT || omkt_intr_check(&p->intr))
            return p->intr.reason != OMKT_OK ? p->intr.reason : OMKT_ESHUTDOWN;
        if (rc < 0) {
            if (rc != AVERROR_EOF)
                omkt_log(OMKT_LOG_INFO, "input ends early: read error %d", rc);
            p->is_at_eof = true;
            break;
        }
        if (p->pkt->stream_index == p->vidx && p->vdec != NULL)
            decode(p, p->vdec, p->vidx, p->pkt);
        else if (p->pkt->stream_index == p->aidx && p->adec != NULL)
            decode(p, p->adec, p->aidx, p->pkt);
        av_packet_unref(p->pkt);
        progress(p, false);
    }
    if (p->vdec != NULL)
        decode(p, p->vdec, p->vidx, NULL);
    if (p->adec != NULL)
        decode(p, p->adec, p->aidx, NULL);
    return omkt_intr_check(&p->intr) ? p->intr.reason : OMKT_OK;
}

/*
 * finish_all - flush every live output, then publish them and fsync the
 * directory.  A stop or cancel during the drain publishes nothing and
 * returns its reason.
 */
static int finish_all(struct pipeline *p, const char *outdir)
{
    bool is_any = false;

    for (size_t i = 0; i < p->n; i++)
        if (p->outs[i] != NULL)
            (void)omkt_out_finish(p->outs[i]); /* status stays in it */
    if (omkt_intr_check(&p->intr))
        return p->intr.reason;
    for (size_t i = 0; i < p->n; i++)
        if (p->outs[i] != NULL && omkt_out_publish(p->outs[i]) == OMKT_OK)
            is_any = true;
    if (is_any)
        (void)omkt_fs_fsync_dir(outdir, NULL); /* XXX: rename is done anyway */
    return OMKT_OK;
}

/*
 * zip_meta - a multi-file output is sent by app_get_media as one stored
 * zip of its files (media/zip.h, in the order listed): its metadata
 * gives that zip's size and type, as the reference's adapter does.
 */
static void zip_meta(json_t *meta, const char *outdir, const char *const *names,
                     size_t n)
{
    void *buf = NULL;
    size_t len = 0;
    struct omkt_errbuf eb = {0};

    if (omkt_zip_files_mem(outdir, names, n, &buf, &len, &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_WARN, "zip of %s: %s", outdir, eb.msg);
        json_object_del(meta, "file_size");
    } else {
        json_object_set_new(meta, "file_size", json_integer((json_int_t)len));
    }
    free(buf);
    json_object_set_new(meta, "mime", json_string("application/zip"));
    json_object_set_new(meta, "box", json_string("zip"));
}

/* output_metadata - probe of the first file plus "cardinality"; for
 * several files, the zip's size and type. */
static json_t *output_metadata(const char *outdir, const char *const *names,
                               size_t n_files)
{
    char path[OMKT_PATH_MAX];
    json_t *meta = NULL;
    int n = snprintf(path, sizeof(path), "%s/%s", outdir, names[0]);

    if (n < 0 || (size_t)n >= sizeof(path) ||
        omkt_probe_file(path, NULL, &meta, NULL) != OMKT_OK)
        meta = json_object();
    if (n_files > 1)
        zip_meta(meta, outdir, names, n_files);
    json_object_set_new(meta, "cardinality", json_integer((json_int_t)n_files));
    return meta;
}

/*
 * is_cut - a source that decodes to less than its container announces
 * (a truncated upload) is transcoded as far as it decodes; every
 * output's metadata says so, so that the CMS learns it from the format
 * callback: "source_cut": {"time": decoded s, "announced": container s}.
 */
static bool is_cut(const struct pipeline *p)
{
    return p->is_at_eof && !p->is_seeking && p->src.duration_us > 0 &&
           p->src.duration_us - p->pos_us > CUT_MIN_US;
}

/* cut_meta - "source_cut" in @meta when the source is cut (is_cut). */
static void cut_meta(const struct pipeline *p, json_t *meta)
{
    char buf[32];
    json_t *cut;

    if (!is_cut(p))
        return;
    cut = json_object();
    snprintf(buf, sizeof(buf), "%.2f", (double)p->pos_us / 1e6);
    json_object_set_new(cut, "time", json_string(buf));
    snprintf(buf, sizeof(buf), "%.2f", (double)p->src.duration_us / 1e6);
    json_object_set_new(cut, "announced", json_string(buf));
    json_object_set_new(meta, "source_cut", cut);
}

/* fill_result - entry @i of @res from output @o (NULL: unknown id). */
static void fill_result(struct omkt_output_result *r, int id,
                        const struct omkt_out *o, const char *outdir)
{
    const char *const *names = NULL;
    const char *msg = "unknown setting";
    size_t n;

    r->setting_id = id;
    r->status = o != NULL ? omkt_out_status(o, &msg) : OMKT_ENOTFOUND;
    if (r->status != OMKT_OK) {
        snprintf(r->message, sizeof(r->message), "setting %d: %s", id, msg);
        return;
    }
    n = omkt_out_files(o, &names);
    r->files = omkt_xcalloc(n ? n : 1, sizeof(*r->files));
    for (size_t k = 0; k < n; k++)
        r->files[k] = omkt_xstrdup(names[k]);
    r->n_files = n;
    r->metadata = omkt_out_metadata(o);
    if (n > 0 && r->metadata == NULL)
        r->metadata = output_metadata(outdir, names, n);
}

/* collect - fill @res; the first failure becomes the return value. */
static int collect(const struct pipeline *p, const int *ids, const char *outdir,
                   struct omkt_transcode_result *res, struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    for (size_t i = 0; i < p->n; i++) {
        struct omkt_output_result *r = &res->outputs[i];

        fill_result(r, ids[i], p->outs[i], outdir);
        if (r->metadata != NULL)
            cut_meta(p, r->metadata);
        if (r->status != OMKT_OK && ret == OMKT_OK) {
            ret = r->status;
            omkt_errf(eb, "%s", r->message);
        }
    }
    return ret;
}

/* fail_all - every entry of @res gets the job's error @ret. */
static void fail_all(const int *ids, size_t n, int ret,
                     const struct omkt_errbuf *eb,
                     struct omkt_transcode_result *res)
{
    for (size_t i = 0; i < n; i++) {
        res->outputs[i].setting_id = ids[i];
        res->outputs[i].status = ret;
        snprintf(res->outputs[i].message, sizeof(res->outputs[i].message), "%s",
                 omkt_errbuf_str(eb, ret));
    }
}

static void pipeline_free(struct pipeline *p)
{
    for (size_t i = 0; i < p->n; i++)
        omkt_out_free(p->outs[i]); /* removes unpublished files */
    free(p->outs);
    avcodec_free_context(&p->vdec);
    avcodec_free_context(&p->adec);
    avformat_close_input(&p->in);
    av_packet_free(&p->pkt);
    av_frame_free(&p->frame);
}

/* pipeline_init - state for one call, before anything is opened. */
static void pipeline_init(struct pipeline *p, const char *outdir, size_t n,
                          const struct omkt_transcode_opts *opts)
{
    memset(p, 0, sizeof(*p));
    p->opts = opts;
    if (opts != NULL) {
        p->intr.stop = opts->stop;
        p->intr.should_stop_fn = opts->should_stop_fn;
        p->intr.ctx = opts->stop_ctx;
    }
    if (opts != NULL && opts->tmp_tag != NULL)
        snprintf(p->tag, sizeof(p->tag), "%s", opts->tmp_tag);
    else
        snprintf(p->tag, sizeof(p->tag), "%ld", (long)getpid());
    for (char *c = p->tag; *c != 0; c++)
        if (*c == '/')
            *c = '_'; /* the tag is part of a file name */
    p->src.outdir = outdir;
    p->src.tag = p->tag;
    p->src.threads = opts ? opts->threads : 0;
    p->src.limits = opts != NULL && opts->limits != NULL
                        ? *opts->limits
                        : (struct omkt_out_limits)OMKT_OUT_LIMITS_DEFAULT;
    p->src.intr = (AVIOInterruptCB){omkt_intr_cb, &p->intr};
    p->vidx = -1;
    p->aidx = -1;
    p->n = n;
    p->outs = omkt_xcalloc(n ? n : 1, sizeof(*p->outs));
}

/* transcode - the work of both entry points; @sets[i] NULL: unknown. */
static int transcode(const char *src, const char *outdir, const int *ids,
                     const struct omkt_setting *const *sets, size_t n,
                     const struct omkt_transcode_opts *opts,
                     struct omkt_transcode_result *res, struct omkt_errbuf *eb)
{
    struct pipeline p;
    struct omkt_errbuf job_eb = {0};
    bool is_collected = false;
    int ret;

    res->outputs = omkt_xcalloc(n ? n : 1, sizeof(*res->outputs));
    res->n = n;
    pipeline_init(&p, outdir, n, opts);
    p.pkt = av_packet_alloc();
    p.frame = av_frame_alloc();
    ret = p.pkt && p.frame ? OMKT_OK : OMKT_ENOMEM;
    if (ret == OMKT_OK)
        ret = open_input(&p, src, &job_eb);
    if (ret != OMKT_OK)
        goto out;
    plan_threads(&p, sets);
    ret = open_decoders(&p, &job_eb);
    if (ret != OMKT_OK)
        goto out;
    open_outputs(&p, sets);
    plan_seeking(&p);
    progress(&p, false);
    ret = run(&p);
    if (ret != OMKT_OK) /* interrupted: publish nothing */
        goto out;
    ret = finish_all(&p, outdir);
    if (ret != OMKT_OK) /* interrupted while draining: publish nothing */
        goto out;
    if (is_cut(&p))
        omkt_log(OMKT_LOG_NOTICE, "source cut: decodes to %.2f s of %.2f s",
                 (double)p.pos_us / 1e6, (double)p.src.duration_us / 1e6);
    progress(&p, true);
    ret = collect(&p, ids, outdir, res, eb);
    is_collected = true;
out:
    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        omkt_errf(&job_eb, "transcode interrupted: %s", omkt_strerror(ret));
    if (!is_collected) {
        fail_all(ids, n, ret, &job_eb, res);
        omkt_errf(eb, "%s", omkt_errbuf_str(&job_eb, ret));
    }
    pipeline_free(&p); /* removes every unpublished file */
    return ret;
}

int omkt_transcode(const char *src, const char *outdir, const int *ids,
                   size_t n, const struct omkt_transcode_opts *opts,
                   struct omkt_transcode_result *res, struct omkt_errbuf *eb)
{
    const struct omkt_setting **sets = omkt_xcalloc(n ? n : 1, sizeof(*sets));
    int ret;

    for (size_t i = 0; i < n; i++)
        sets[i] = omkt_setting_find(ids[i]);
    ret = transcode(src, outdir, ids, sets, n, opts, res, eb);
    free(sets);
    return ret;
}

int omkt_transcode_with(const char *src, const char *outdir,
                        const struct omkt_setting *const *sets, size_t n,
                        const struct omkt_transcode_opts *opts,
                        struct omkt_transcode_result *res,
                        struct omkt_errbuf *eb)
{
    int *ids = omkt_xcalloc(n ? n : 1, sizeof(*ids));
    int ret;

    for (size_t i = 0; i < n; i++)
        ids[i] = sets[i]->id;
    ret = transcode(src, outdir, ids, sets, n, opts, res, eb);
    free(ids);
    return ret;
}

void omkt_transcode_result_clear(struct omkt_transcode_result *res)
{
    if (res == NULL)
        return;
    for (size_t i = 0; i < res->n; i++) {
        for (size_t k = 0; k < res->outputs[i].n_files; k++)
            free(res->outputs[i].files[k]);
        free(res->outputs[i].files);
        json_decref(res->outputs[i].metadata);
    }
    free(res->outputs);
    res->outputs = NULL;
    res->n = 0;
}

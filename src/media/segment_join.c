/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_join - omkt_segment_join(): segments' video plus the audio,
 * stream-copied into the setting's container (segment_join.h).
 *
 * DESIGN: NUT keeps each packet's presentation time exactly but not its
 * decoding time (its demuxer guesses those, and not for the first
 * packets), so the join makes the video's decoding times itself, as an
 * encoder with a reorder delay of D frames does: a first pass reads
 * every segment's presentation times in decoding order; sorted, they are
 * the frames' times P[0..n); packet g decodes at P[g - D] (before P[0]
 * one frame apart), D being the smallest delay that keeps every packet's
 * decoding time at or before its presentation time.  Segments must hold
 * consecutive, distinct times: a repeated or overlapping frame fails the
 * join, naming the segment.  The second pass writes one packet at a time
 * from the current segment and one from the audio, the earlier first, so
 * the muxer's interleaving buffer stays small for any length.  Packets
 * are rescaled to the output stream's time base as output.c rescales an
 * encoder's; a video packet without a duration gets one frame, as
 * output.c gives it, so the last frame keeps its length.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "common/path.h"
#include "media/input.h"
#include "media/segment_encode.h"
#include "media/segment_join.h"

/* struct in_file - one intermediate file and its packet in hand. */
struct in_file {
    AVFormatContext *fc;
    AVPacket *pkt;
    bool has_pkt; /* pkt holds the next packet */
    bool is_eof;
};

struct joiner {
    const struct omkt_segment_join *j;
    struct omkt_intr intr;
    struct in_file v, a; /* the current segment; the audio */
    size_t cur;          /* the current segment's index */
    AVFormatContext *mux;
    struct omkt_fs_tmpfile file;
    AVStream *vst, *ast;
    AVRational vrate; /* segment 0's frame rate */
    AVRational vtb;   /* segment 0's time base: every segment's */
    int64_t *dts;     /* decoding time of video packet g, in vtb */
    size_t n_pkts;    /* video packets in all segments */
    size_t next_g;    /* the next video packet's index */
    int64_t frames;   /* video packets written */
    char tag[128];
    struct omkt_errbuf *eb;
};

/* open_in - intermediate file @index (OMKT_SEGMENT_AUDIO: the audio). */
static int open_in(struct joiner *jn, int index, struct in_file *f)
{
    char name[64], path[OMKT_PATH_MAX];
    int ret = omkt_segment_name(name, sizeof(name), jn->j->set->id, index);

    if (ret == OMKT_OK)
        ret = omkt_path_join(path, sizeof(path), jn->j->dir, name);
    if (ret != OMKT_OK) {
        omkt_errf(jn->eb, "segment path too long in %s", jn->j->dir);
        return ret;
    }
    avformat_close_input(&f->fc);
    f->is_eof = false;
    f->has_pkt = false;
    ret = omkt_input_open(path, NULL, &jn->intr, &f->fc, jn->eb);
    if (ret == OMKT_OK && f->fc->nb_streams != 1) {
        omkt_errf(jn->eb, "%s: %u tracks, expected one", name,
                  f->fc->nb_streams);
        ret = OMKT_EMEDIA;
    }
    return ret;
}

/* same_params - does segment @p code what segment 0 (@q) did? */
static bool same_params(const AVCodecParameters *p, const AVCodecParameters *q)
{
    return p->codec_id == q->codec_id && p->width == q->width &&
           p->height == q->height && p->format == q->format &&
           p->extradata_size == q->extradata_size &&
           (p->extradata_size == 0 ||
            memcmp(p->extradata, q->extradata, (size_t)p->extradata_size) == 0);
}

/* unshift - @p's timestamps less the intermediate files' offset. */
static void unshift(AVPacket *p, AVRational tb)
{
    int64_t off = av_rescale_q(OMKT_SEGMENT_TS_OFFSET_US, AV_TIME_BASE_Q, tb);

    if (p->pts != AV_NOPTS_VALUE)
        p->pts -= off;
    if (p->dts != AV_NOPTS_VALUE)
        p->dts -= off;
}

/* struct times - presentation times of video packets in decoding order. */
struct times {
    int64_t *pts;
    size_t n, cap;
    int64_t max; /* the latest time of the segments before */
};

/* scan_segment - append segment @idx's presentation times to @t; checks
 * its parameters and time base against segment 0's and that it starts
 * after everything before it. */
static int scan_segment(struct joiner *jn, size_t idx, struct times *t)
{
    int64_t before_max = t->n > 0 ? t->max : INT64_MIN;
    size_t first = t->n;
    int ret = open_in(jn, (int)idx, &jn->v);
    const AVStream *st = ret == OMKT_OK ? jn->v.fc->streams[0] : NULL;

    if (ret != OMKT_OK)
        return ret;
    if (idx == 0)
        jn->vtb = st->time_base;
    if (av_cmp_q(st->time_base, jn->vtb) != 0 ||
        (jn->vst != NULL && !same_params(st->codecpar, jn->vst->codecpar))) {
        omkt_errf(jn->eb,
                  "segment %zu: codec parameters differ from "
                  "segment 0's",
                  idx);
        return OMKT_EMEDIA;
    }
    while ((ret = av_read_frame(jn->v.fc, jn->v.pkt)) >= 0) {
        int64_t pts;

        unshift(jn->v.pkt, st->time_base);
        pts = jn->v.pkt->pts;
        av_packet_unref(jn->v.pkt);
        if (pts == AV_NOPTS_VALUE || pts <= before_max) {
            omkt_errf(jn->eb,
                      "segment %zu: frame at %" PRId64 " untimed or "
                      "not after the previous segment's",
                      idx, pts);
            return OMKT_EMEDIA;
        }
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 1024;
            t->pts = omkt_xrealloc(t->pts, t->cap * sizeof(*t->pts));
        }
        t->pts[t->n++] = pts;
        t->max = t->n == first + 1 || pts > t->max ? pts : t->max;
    }
    if (ret != AVERROR_EOF)
        return omkt_av_err(ret, jn->eb, "reading a segment");
    if (t->n == first) {
        omkt_errf(jn->eb, "segment %zu: no frame", idx);
        return OMKT_EMEDIA;
    }
    return OMKT_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* make_dts - decoding times from the presentation times @t (DESIGN). */
static int make_dts(struct joiner *jn, const struct times *t)
{
    int64_t *p = omkt_xcalloc(t->n, sizeof(*p));
    int64_t step;
    size_t delay = 0;

    memcpy(p, t->pts, t->n * sizeof(*p));
    qsort(p, t->n, sizeof(*p), cmp_i64);
    for (size_t i = 1; i < t->n; i++) {
        if (p[i] == p[i - 1]) {
            omkt_errf(jn->eb, "two video frames at %" PRId64, p[i]);
            free(p);
            return OMKT_EMEDIA;
        }
    }
    /* the delay: packet g's frame is P[r]; it needs g - D <= r */
    for (size_t g = 0; g < t->n; g++) {
        int64_t *r = bsearch(&t->pts[g], p, t->n, sizeof(*p), cmp_i64);
        size_t rank = (size_t)(r - p);

        delay = g > rank && g - rank > delay ? g - rank : delay;
    }
    step =
        t->n > 1 ? p[1] - p[0] : av_rescale_q(1, av_inv_q(jn->vrate), jn->vtb);
    jn->dts = omkt_xcalloc(t->n, sizeof(*jn->dts));
    for (size_t g = 0; g < t->n; g++)
        jn->dts[g] =
            g >= delay ? p[g - delay] : p[0] - (int64_t)(delay - g) * step;
    jn->n_pkts = t->n;
    free(p);
    return OMKT_OK;
}

/* plan_dts - the first pass over every segment (DESIGN). */
static int plan_dts(struct joiner *jn)
{
    struct times t = {0};
    int ret = OMKT_OK;

    for (size_t i = 0; i < jn->j->n_segments && ret == OMKT_OK; i++)
        ret = scan_segment(jn, i, &t);
    if (ret == OMKT_OK)
        ret = make_dts(jn, &t);
    free(t.pts);
    return ret;
}

/* stamp - the decoding time of the video packet just read, or the
 * audio's own (NUT gives audio packets theirs, or their pts). */
static int stamp(struct joiner *jn, AVPacket *p, bool is_video, AVRational tb)
{
    unshift(p, tb);
    if (!is_video) {
        if (p->dts == AV_NOPTS_VALUE)
            p->dts = p->pts;
        return OMKT_OK;
    }
    if (jn->next_g >= jn->n_pkts) {
        omkt_errf(jn->eb, "segment %zu changed while joining", jn->cur);
        return OMKT_EMEDIA;
    }
    p->dts = jn->dts[jn->next_g++];
    if (p->duration <= 0)
        p->duration = av_rescale_q(1, av_inv_q(jn->vrate), jn->vtb);
    return OMKT_OK;
}

/* fill - make sure @f holds its next packet unless at its end; the
 * video goes on with the next segment at the end of one. */
static int fill(struct joiner *jn, struct in_file *f, bool is_video)
{
    int rc;
    int ret = OMKT_OK;

    while (ret == OMKT_OK && !f->has_pkt && !f->is_eof) {
        if (omkt_intr_check(&jn->intr))
            return jn->intr.reason;
        rc = av_read_frame(f->fc, f->pkt);
        if (rc >= 0) {
            f->has_pkt = true;
            ret = stamp(jn, f->pkt, is_video, f->fc->streams[0]->time_base);
        } else if (rc != AVERROR_EOF) {
            ret = omkt_av_err(rc, jn->eb, "reading a segment");
        } else if (is_video && jn->cur + 1 < jn->j->n_segments) {
            ret = open_in(jn, (int)++jn->cur, f);
        } else {
            f->is_eof = true;
        }
    }
    return ret;
}

/* write_one - @f's packet into output stream @st. */
static int write_one(struct joiner *jn, struct in_file *f, AVStream *st)
{
    AVPacket *p = f->pkt;
    int rc;

    jn->frames += st == jn->vst;
    p->stream_index = st->index;
    p->pos = -1;
    av_packet_rescale_ts(p, f->fc->streams[0]->time_base, st->time_base);
    rc = av_interleaved_write_frame(jn->mux, p); /* takes the packet */
    f->has_pkt = false;
    return rc < 0 ? omkt_av_err(rc, jn->eb, "writing") : OMKT_OK;
}

/* is_video_first - is the video packet in hand due before the audio's? */
static bool is_video_first(const struct joiner *jn)
{
    const AVPacket *v = jn->v.pkt, *a = jn->a.pkt;

    if (!jn->a.has_pkt)
        return true;
    if (!jn->v.has_pkt)
        return false;
    return av_compare_ts(v->dts, jn->v.fc->streams[0]->time_base, a->dts,
                         jn->a.fc->streams[0]->time_base) <= 0;
}

/* copy_all - every packet of every input, in time order. */
static int copy_all(struct joiner *jn)
{
    int ret = OMKT_OK;

    for (;;) {
        ret = fill(jn, &jn->v, true);
        if (ret == OMKT_OK && jn->ast != NULL)
            ret = fill(jn, &jn->a, false);
        if (ret != OMKT_OK)
            return ret;
        if (!jn->v.has_pkt && !jn->a.has_pkt)
            break;
        if (is_video_first(jn))
            ret = write_one(jn, &jn->v, jn->vst);
        else
            ret = write_one(jn, &jn->a, jn->ast);
        if (ret != OMKT_OK)
            return ret;
    }
    if (jn->next_g == jn->n_pkts)
        return OMKT_OK;
    omkt_errf(jn->eb, "segments changed while joining");
    return OMKT_EMEDIA;
}

/* add_stream - an output stream with @in's parameters. */
static AVStream *add_stream(struct joiner *jn, const AVStream *in)
{
    AVStream *st = avformat_new_stream(jn->mux, NULL);

    if (st == NULL || avcodec_parameters_copy(st->codecpar, in->codecpar) < 0)
        return NULL;
    st->codecpar->codec_tag = 0; /* the output container's own */
    st->time_base = in->time_base;
    return st;
}

/* open_mux - the temporary output file, its muxer and streams. */
static int open_mux(struct joiner *jn)
{
    const struct omkt_setting *s = jn->j->set;
    char name[64];
    int rc;
    int ret;

    snprintf(name, sizeof(name), "%d.%s", s->id, s->extension);
    ret =
        omkt_fs_tmpfile_create(&jn->file, jn->j->outdir, name, jn->tag, jn->eb);
    if (ret != OMKT_OK)
        return ret;
    rc = avformat_alloc_output_context2(&jn->mux, NULL, s->muxer, jn->file.tmp);
    if (rc < 0)
        return omkt_av_err(rc, jn->eb, "creating muxer");
    jn->mux->interrupt_callback = (AVIOInterruptCB){omkt_intr_cb, &jn->intr};
    jn->vst = add_stream(jn, jn->v.fc->streams[0]);
    if (jn->vst == NULL)
        return OMKT_ENOMEM;
    jn->vrate = av_guess_frame_rate(jn->v.fc, jn->v.fc->streams[0], NULL);
    if (jn->vrate.num <= 0 || jn->vrate.den <= 0)
        jn->vrate = (AVRational){25, 1};
    jn->vst->avg_frame_rate = jn->vrate;
    if (jn->a.fc != NULL) {
        jn->ast = add_stream(jn, jn->a.fc->streams[0]);
        if (jn->ast == NULL)
            return OMKT_ENOMEM;
    }
    rc = avio_open2(&jn->mux->pb, jn->file.tmp, AVIO_FLAG_WRITE,
                    &jn->mux->interrupt_callback, NULL);
    return rc < 0 ? omkt_av_err(rc, jn->eb, "opening output") : OMKT_OK;
}

/* write_header - with the setting's muxer options. */
static int write_header(struct joiner *jn)
{
    AVDictionary *opts = NULL;
    int rc = 0;

    if (jn->j->set->mux_opts != NULL)
        rc = av_dict_parse_string(&opts, jn->j->set->mux_opts, "=", ":", 0);
    if (rc >= 0)
        rc = avformat_write_header(jn->mux, &opts);
    av_dict_free(&opts);
    return rc < 0 ? omkt_av_err(rc, jn->eb, "writing header") : OMKT_OK;
}

/* finish - trailer, close, publish. */
static int finish(struct joiner *jn)
{
    int rc = av_write_trailer(jn->mux);
    int ret;

    if (rc < 0)
        return omkt_av_err(rc, jn->eb, "writing trailer");
    rc = avio_closep(&jn->mux->pb);
    if (rc < 0)
        return omkt_av_err(rc, jn->eb, "closing output");
    ret = omkt_fs_tmpfile_commit(&jn->file, jn->eb);
    if (ret == OMKT_OK)
        (void)omkt_fs_fsync_dir(jn->j->outdir, NULL); /* XXX: renamed */
    return ret;
}

/* init - the joiner's state before anything is opened. */
static int init(struct joiner *jn, const struct omkt_segment_join *j,
                struct omkt_errbuf *eb)
{
    const struct omkt_transcode_opts *o = j->opts;

    memset(jn, 0, sizeof(*jn));
    jn->j = j;
    jn->eb = eb;
    if (o != NULL) {
        jn->intr.stop = o->stop;
        jn->intr.should_stop_fn = o->should_stop_fn;
        jn->intr.ctx = o->stop_ctx;
    }
    snprintf(jn->tag, sizeof(jn->tag), "%s",
             o != NULL && o->tmp_tag != NULL ? o->tmp_tag : "join");
    for (char *c = jn->tag; *c != 0; c++)
        if (*c == '/')
            *c = '_';
    jn->v.pkt = av_packet_alloc();
    jn->a.pkt = av_packet_alloc();
    if (jn->v.pkt == NULL || jn->a.pkt == NULL)
        return OMKT_ENOMEM;
    if (j->n_segments == 0 || !omkt_segment_can_split(j->set)) {
        omkt_errf(eb, "setting %d: nothing to join", j->set->id);
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

int omkt_segment_join(const struct omkt_segment_join *j, int64_t *frames,
                      struct omkt_errbuf *eb)
{
    struct joiner jn;
    int ret = init(&jn, j, eb);

    if (ret == OMKT_OK)
        ret = open_in(&jn, 0, &jn.v);
    if (ret == OMKT_OK && j->has_audio)
        ret = open_in(&jn, OMKT_SEGMENT_AUDIO, &jn.a);
    if (ret == OMKT_OK)
        ret = open_mux(&jn);
    if (ret == OMKT_OK)
        ret = plan_dts(&jn);
    if (ret == OMKT_OK)
        ret = open_in(&jn, 0, &jn.v); /* the second pass */
    if (ret == OMKT_OK)
        ret = write_header(&jn);
    if (ret == OMKT_OK)
        ret = copy_all(&jn);
    if (ret == OMKT_OK)
        ret = finish(&jn);
    if (ret == OMKT_OK && frames != NULL)
        *frames = jn.frames;
    if (jn.mux != NULL) {
        if (jn.mux->pb != NULL)
            avio_closep(&jn.mux->pb);
        avformat_free_context(jn.mux);
    }
    omkt_fs_tmpfile_discard(&jn.file);
    avformat_close_input(&jn.v.fc);
    avformat_close_input(&jn.a.fc);
    av_packet_free(&jn.v.pkt);
    av_packet_free(&jn.a.pkt);
    free(jn.dts);
    return ret;
}

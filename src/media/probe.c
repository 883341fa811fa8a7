/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe - build the OMKT metadata JSON from libavformat's view of a file,
 * optionally decoding its first frames (crop detection, and the fuzzer's
 * decode path).  Numbers follow the reference's types: most are strings,
 * file_size and channels are integers.
 *
 * DESIGN: values come from the same fields ffprobe prints (format
 * duration and bit_rate, codecpar, avg_frame_rate, sample aspect, display
 * matrix), so the two agree.  Everything is per call; no global state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libavutil/pixdesc.h>
#include <libavutil/time.h>

#include "common/alloc.h"
#include "media/input.h"
#include "media/probe.h"

#define CROP_LIMIT        24 /* luma at or below this is black (cropdetect) */
#define CROP_FRAMES       25 /* frames decoded for crop detection */
#define DECODE_PKT_FACTOR 40 /* packets read per wanted frame, at most */

struct crop {
    int x1, y1, x2, y2; /* union of non-black boxes; x2 < 0 when none */
};

/* setf - obj[key] = printf(...) as a JSON string. */
static void setf(json_t *obj, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void setf(json_t *obj, const char *key, const char *fmt, ...)
{
    char buf[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    json_object_set_new(obj, key, json_string(buf));
}

static const char *media_type(enum AVMediaType t)
{
    switch (t) {
    case AVMEDIA_TYPE_VIDEO:
        return "video";
    case AVMEDIA_TYPE_AUDIO:
        return "audio";
    case AVMEDIA_TYPE_SUBTITLE:
        return "subtitle";
    default:
        return "other";
    }
}

/* codec_sub - "(High) (avc1 / 0x31637661)" as ffmpeg prints it. */
static void codec_sub(const AVCodecParameters *p, char *buf, size_t size)
{
    const char *prof = avcodec_profile_name(p->codec_id, p->profile);
    char tag[AV_FOURCC_MAX_STRING_SIZE];
    size_t len = 0;

    buf[0] = 0;
    if (prof != NULL)
        len = (size_t)snprintf(buf, size, "(%s)", prof);
    if (p->codec_tag != 0 && len < size) {
        av_fourcc_make_string(tag, p->codec_tag);
        snprintf(buf + len, size - len, "%s(%s / 0x%04" PRIX32 ")",
                 len ? " " : "", tag, p->codec_tag);
    }
}

/* video_fields - width, height, pixelfmt, fps, aspects, rotation. */
static void video_fields(json_t *t, AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    AVRational sar = av_guess_sample_aspect_ratio(NULL, st, NULL);
    AVRational fps = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0
                         ? st->avg_frame_rate
                         : st->r_frame_rate;
    const char *pix = av_get_pix_fmt_name(p->format);
    int dn, dd;

    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){1, 1};
    if (pix != NULL)
        setf(t, "pixelfmt", "%s", pix);
    setf(t, "width", "%d", p->width);
    setf(t, "height", "%d", p->height);
    if (p->width > 0 && p->height > 0 &&
        av_reduce(&dn, &dd, (int64_t)p->width * sar.num,
                  (int64_t)p->height * sar.den, 1024 * 1024)) {
        setf(t, "DAR1", "%d", dn);
        setf(t, "DAR2", "%d", dd);
    }
    setf(t, "PAR1", "%d", sar.num);
    setf(t, "PAR2", "%d", sar.den);
    if (fps.num > 0 && fps.den > 0)
        setf(t, "fps", "%.5g", av_q2d(fps));
    setf(t, "rotation", "%d", omkt_stream_rotation(st));
    if (st->nb_frames > 0)
        setf(t, "frames", "%" PRId64, st->nb_frames);
}

/* track_json - one element of "tracks". */
static json_t *track_json(AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    const AVDictionaryEntry *lang =
        av_dict_get(st->metadata, "language", NULL, 0);
    json_t *t = json_object();
    char sub[128];
    bool is_pic = st->disposition & AV_DISPOSITION_ATTACHED_PIC;

    setf(t, "type", "%s", is_pic ? "other" : media_type(p->codec_type));
    setf(t, "codec", "%s", avcodec_get_name(p->codec_id));
    codec_sub(p, sub, sizeof(sub));
    if (sub[0] != 0)
        setf(t, "codec-sub", "%s", sub);
    if (lang != NULL && strcmp(lang->value, "und") != 0)
        setf(t, "lang", "%s", lang->value);
    if (p->bit_rate > 0)
        setf(t, "bitrate", "%" PRId64, p->bit_rate / 1000);
    if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
        setf(t, "samplerate", "%d", p->sample_rate);
        json_object_set_new(t, "channels",
                            json_integer(p->ch_layout.nb_channels));
    } else if (p->codec_type == AVMEDIA_TYPE_VIDEO && !is_pic) {
        video_fields(t, st);
    }
    return t;
}

/* is_readable - an audio or video track we could decode? */
static bool is_readable(const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;

    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC ||
        avcodec_find_decoder(p->codec_id) == NULL)
        return false;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO)
        return p->width > 0 && p->height > 0;
    if (p->codec_type == AVMEDIA_TYPE_AUDIO)
        return p->sample_rate > 0 && p->ch_layout.nb_channels > 0;
    return false;
}

/* ext_is - does @path end in ".@ext"? */
static bool ext_is(const char *path, const char *ext)
{
    const char *dot = path ? strrchr(path, '.') : NULL;

    return dot != NULL && strcasecmp(dot + 1, ext) == 0;
}

/* mime_for - the output's mime type from the demuxer and the tracks. */
static const char *mime_for(const AVFormatContext *fc, const char *box,
                            const char *path, bool has_video)
{
    static const struct {
        const char *box, *video, *audio;
    } map[] = {
        {"mov", "video/mp4", "audio/mp4"},
        {"matroska", "video/x-matroska", "audio/x-matroska"},
        {"flv", "video/x-flv", "video/x-flv"},
        {"mpeg", "video/mpeg", "audio/mpeg"},
        {"mpegts", "video/mp2t", "video/mp2t"},
        {"avi", "video/x-msvideo", "video/x-msvideo"},
        {"mp3", "audio/mpeg", "audio/mpeg"},
        {"ogg", "video/ogg", "audio/ogg"},
        {"wav", "audio/x-wav", "audio/x-wav"},
        {"asf", "video/x-ms-asf", "audio/x-ms-wma"},
        {"aac", "audio/aac", "audio/aac"},
        {"flac", "audio/flac", "audio/flac"},
        {"dv", "video/x-dv", "video/x-dv"},
        {"webm", "video/webm", "audio/webm"},
    };
    const AVDictionaryEntry *brand =
        av_dict_get(fc->metadata, "major_brand", NULL, 0);

    if (strcmp(box, "matroska") == 0 && ext_is(path, "webm"))
        box = "webm";
    if (strcmp(box, "mov") == 0 && brand && strncmp(brand->value, "qt", 2) == 0)
        return "video/quicktime";
    for (size_t i = 0; i < OMKT_ARRAY_LEN(map); i++)
        if (strcmp(map[i].box, box) == 0)
            return has_video ? map[i].video : map[i].audio;
    if (fc->iformat->mime_type != NULL && !strchr(fc->iformat->mime_type, ','))
        return fc->iformat->mime_type;
    return "application/octet-stream";
}

/* set_time - "time" (seconds) and "time-estimate" (HH:MM:SS.ss). */
static void set_time(json_t *top, int64_t duration_us)
{
    double s = (double)duration_us / AV_TIME_BASE;
    int64_t cs = (duration_us + 5000) / 10000; /* centiseconds, rounded */

    setf(top, "time", "%.2f", s);
    setf(top, "time-estimate", "%02" PRId64 ":%02d:%02d.%02d", cs / 360000,
         (int)(cs / 6000 % 60), (int)(cs / 100 % 60), (int)(cs % 100));
}

/* top_json - the whole document except crop fields. */
static json_t *top_json(AVFormatContext *fc, const char *path,
                        int64_t file_size, int *first_video)
{
    json_t *top = json_object(), *tracks = json_array();
    const char *type = "other", *comma;
    char box[32];
    bool has_video = false, has_audio = false, has_sub = false;

    *first_video = -1;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        AVStream *st = fc->streams[i];
        bool is_pic = st->disposition & AV_DISPOSITION_ATTACHED_PIC;
        enum AVMediaType mt = st->codecpar->codec_type;

        json_array_append_new(tracks, track_json(st));
        if (mt == AVMEDIA_TYPE_VIDEO && !is_pic && !has_video) {
            has_video = true;
            *first_video = (int)i;
        }
        has_audio |= mt == AVMEDIA_TYPE_AUDIO;
        has_sub |= mt == AVMEDIA_TYPE_SUBTITLE;
    }
    type = has_video   ? "video"
           : has_audio ? "audio"
           : has_sub   ? "subtitle"
                       : type;
    comma = strchr(fc->iformat->name, ',');
    snprintf(box, sizeof(box), "%.*s",
             (int)(comma ? comma - fc->iformat->name
                         : (ptrdiff_t)strlen(fc->iformat->name)),
             fc->iformat->name);
    setf(top, "mime", "%s", mime_for(fc, box, path, has_video));
    json_object_set_new(top, "file_size", json_integer(file_size));
    setf(top, "box", "%s", box);
    setf(top, "type", "%s", type);
    if (fc->duration != AV_NOPTS_VALUE && fc->duration >= 0)
        set_time(top, fc->duration);
    if (fc->bit_rate > 0)
        setf(top, "bitrate", "%" PRId64, fc->bit_rate / 1000);
    if (*first_video >= 0 && fc->streams[*first_video]->nb_frames > 0)
        setf(top, "frames", "%" PRId64, fc->streams[*first_video]->nb_frames);
    json_object_set_new(top, "tracks", tracks);
    return top;
}

/* check_tracks - refuse files with nothing readable or too large. */
static int check_tracks(const AVFormatContext *fc, struct omkt_errbuf *eb)
{
    bool any = false;

    for (unsigned i = 0; i < fc->nb_streams; i++) {
        const AVStream *st = fc->streams[i];

        if (omkt_stream_is_oversized(st)) {
            omkt_errf(eb, "track %u: %dx%d is larger than the %dx%d limit", i,
                      st->codecpar->width, st->codecpar->height, OMKT_MAX_SIDE,
                      OMKT_MAX_SIDE);
            return OMKT_EMEDIA;
        }
        any |= is_readable(st);
    }
    if (any)
        return OMKT_OK;
    omkt_errf(eb, "no readable audio or video track (%u tracks)",
              fc->nb_streams);
    return OMKT_EMEDIA;
}

/* crop_frame - widen @c by the non-black area of 8-bit luma in @f. */
static void crop_frame(struct crop *c, const AVFrame *f)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    int x1 = f->width, y1 = f->height, x2 = -1, y2 = -1;

    if (d == NULL || d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL) ||
        d->comp[0].depth != 8 || d->comp[0].step != 1 ||
        !(d->flags & AV_PIX_FMT_FLAG_PLANAR))
        return;
    for (int y = 0; y < f->height; y++) {
        const uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];
        int64_t sum = 0;

        for (int x = 0; x < f->width; x++) {
            sum += row[x];
            if (row[x] > CROP_LIMIT && x < x1)
                x1 = x;
            if (row[x] > CROP_LIMIT && x > x2)
                x2 = x;
        }
        if (sum > (int64_t)CROP_LIMIT * f->width) {
            y1 = y < y1 ? y : y1;
            y2 = y;
        }
    }
    if (y2 < 0 || x2 < 0)
        return; /* an all-black frame says nothing about the borders */
    c->x1 = x1 < c->x1 ? x1 : c->x1;
    c->y1 = y1 < c->y1 ? y1 : c->y1;
    c->x2 = x2 > c->x2 ? x2 : c->x2;
    c->y2 = y2 > c->y2 ? y2 : c->y2;
}

/* crop_json - add cropw/croph/cropx/cropy (even values) when found. */
static void crop_json(json_t *top, const struct crop *c)
{
    int x, y, w, h;

    if (c->x2 < 0 || c->y2 < 0)
        return;
    x = (c->x1 + 1) & ~1;
    y = (c->y1 + 1) & ~1;
    w = (c->x2 - x + 1) & ~1;
    h = (c->y2 - y + 1) & ~1;
    if (w <= 0 || h <= 0)
        return;
    setf(top, "cropw", "%d", w);
    setf(top, "croph", "%d", h);
    setf(top, "cropx", "%d", x);
    setf(top, "cropy", "%d", y);
}

struct decoding {
    AVCodecContext **dec; /* per stream index; NULL = not decoded */
    unsigned n;
    AVFrame *frame;
    int crop_stream; /* stream whose frames feed @crop; -1 = none */
    struct crop crop;
    int frames; /* frames decoded so far, all streams */
};

/* receive_all - drain frames of decoder @i into the crop detector. */
static void receive_all(struct decoding *d, unsigned i)
{
    while (avcodec_receive_frame(d->dec[i], d->frame) >= 0) {
        d->frames++;
        if ((int)i == d->crop_stream)
            crop_frame(&d->crop, d->frame);
        av_frame_unref(d->frame);
    }
}

/* open_decoders - one single-threaded decoder per readable track. */
static unsigned open_decoders(AVFormatContext *fc, struct decoding *d)
{
    unsigned opened = 0;

    d->n = fc->nb_streams;
    d->dec = omkt_xcalloc(d->n ? d->n : 1, sizeof(*d->dec));
    for (unsigned i = 0; i < d->n; i++) {
        if (!is_readable(fc->streams[i]) ||
            omkt_decoder_open(fc->streams[i], 1, &d->dec[i], NULL) != OMKT_OK)
            fc->streams[i]->discard = AVDISCARD_ALL;
        else
            opened++;
    }
    return opened;
}

/*
 * decode_some - decode the first @want frames of each readable track (or
 * until a packet budget runs out); decoding errors are not failures here.
 */
static int decode_some(AVFormatContext *fc, int want, struct decoding *d,
                       struct omkt_intr *intr)
{
    AVPacket *pkt = av_packet_alloc();
    unsigned opened = open_decoders(fc, d);
    int64_t budget = (int64_t)want * DECODE_PKT_FACTOR * (opened + 1);
    int ret = OMKT_ENOMEM;

    d->frame = av_frame_alloc();
    if (pkt == NULL || d->frame == NULL)
        goto out;
    ret = OMKT_OK;
    while (opened > 0 && d->frames < want * (int)opened && budget-- > 0) {
        if (omkt_intr_check(intr)) {
            ret = intr->reason;
            goto out;
        }
        if (av_read_frame(fc, pkt) < 0)
            break;
        if ((unsigned)pkt->stream_index < d->n &&
            d->dec[pkt->stream_index] != NULL &&
            avcodec_send_packet(d->dec[pkt->stream_index], pkt) >= 0)
            receive_all(d, (unsigned)pkt->stream_index);
        av_packet_unref(pkt);
    }
    for (unsigned i = 0; i < d->n; i++)
        if (d->dec[i] != NULL && avcodec_send_packet(d->dec[i], NULL) >= 0)
            receive_all(d, i);
out:
    av_packet_free(&pkt);
    return ret;
}

static void decoding_clear(struct decoding *d)
{
    for (unsigned i = 0; i < d->n; i++)
        avcodec_free_context(&d->dec[i]);
    free(d->dec);
    av_frame_free(&d->frame);
}

/* probe_open - the common part of both entry points. */
static int probe_open(const char *path, AVIOContext *pb, int64_t size,
                      const struct omkt_probe_opts *opts, json_t **out,
                      struct omkt_errbuf *eb)
{
    struct omkt_intr intr = {.stop = opts ? opts->stop : NULL};
    struct decoding d = {.crop = {INT32_MAX, INT32_MAX, -1, -1}};
    AVFormatContext *fc = NULL;
    json_t *top = NULL;
    int first_video, want;
    int ret;

    if (opts != NULL && opts->timeout_ms > 0)
        intr.deadline_us = av_gettime_relative() + opts->timeout_ms * 1000LL;
    ret = omkt_input_open(path, pb, &intr, &fc, eb);
    if (ret != OMKT_OK)
        goto out;
    top = top_json(fc, pb ? NULL : path, size, &first_video);
    ret = check_tracks(fc, eb);
    if (ret != OMKT_OK)
        goto out;
    want = opts ? opts->decode_frames : 0;
    if (opts != NULL && opts->want_crop && first_video >= 0) {
        d.crop_stream = first_video;
        want = want > CROP_FRAMES ? want : CROP_FRAMES;
    } else {
        d.crop_stream = -1;
    }
    if (want > 0)
        ret = decode_some(fc, want, &d, &intr);
    if (ret != OMKT_OK)
        goto out;
    crop_json(top, &d.crop);
    *out = top;
    top = NULL;
out:
    decoding_clear(&d);
    json_decref(top);
    avformat_close_input(&fc);
    return ret;
}

int omkt_probe_file(const char *path, const struct omkt_probe_opts *opts,
                    json_t **out, struct omkt_errbuf *eb)
{
    struct stat sb;

    *out = NULL;
    if (stat(path, &sb) != 0) {
        omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
        return errno == ENOENT ? OMKT_ENOTFOUND : OMKT_EIO;
    }
    if (!S_ISREG(sb.st_mode)) {
        omkt_errf(eb, "%s: not a regular file", path);
        return OMKT_EINVAL;
    }
    if (sb.st_size == 0) {
        omkt_errf(eb, "%s: empty file", path);
        return OMKT_EMEDIA;
    }
    return probe_open(path, NULL, (int64_t)sb.st_size, opts, out, eb);
}

struct membuf {
    const uint8_t *data;
    size_t len, pos;
};

/* mem_read - AVIOContext read callback over a struct membuf. */
static int mem_read(void *opaque, uint8_t *buf, int size)
{
    struct membuf *m = opaque;
    size_t n = m->len - m->pos;

    if (n == 0)
        return AVERROR_EOF;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (int)n;
}

/* mem_seek - AVIOContext seek callback over a struct membuf. */
static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    struct membuf *m = opaque;
    int64_t base = 0;

    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return (int64_t)m->len;
    case SEEK_SET:
        break;
    case SEEK_CUR:
        base = (int64_t)m->pos;
        break;
    case SEEK_END:
        base = (int64_t)m->len;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (off > (int64_t)m->len - base || base + off < 0)
        return AVERROR(EINVAL);
    m->pos = (size_t)(base + off);
    return (int64_t)m->pos;
}

int omkt_probe_buffer(const uint8_t *data, size_t len,
                      const struct omkt_probe_opts *opts, json_t **out,
                      struct omkt_errbuf *eb)
{
    struct membuf m = {.data = data, .len = len};
    enum { IOBUF = 32768 };
    uint8_t *iobuf = av_malloc(IOBUF);
    AVIOContext *pb = NULL;
    int ret = OMKT_ENOMEM;

    *out = NULL;
    if (len == 0) {
        omkt_errf(eb, "empty input");
        ret = OMKT_EMEDIA;
        goto out;
    }
    if (iobuf != NULL)
        pb = avio_alloc_context(iobuf, IOBUF, 0, &m, mem_read, NULL, mem_seek);
    if (pb == NULL)
        goto out;
    iobuf = NULL; /* owned by pb now */
    ret = probe_open("", pb, (int64_t)len, opts, out, eb);
out:
    if (pb != NULL)
        av_freep(&pb->buffer);
    avio_context_free(&pb);
    av_free(iobuf);
    return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * settings - the built-in settings catalogue, the site settings loaded from
 * JSON, and the app_get_settings view of both.
 *
 * DESIGN: every encoder choice of the product is in the table below, one
 * row per protocol id; the pipeline reads rows and never hard-codes a
 * codec.  Option strings use libavutil's "key=value:key=value" syntax and
 * are applied as private options of the encoder or muxer.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/parseutils.h>

#include "common/alloc.h"
#include "common/parse.h"
#include "media/settings.h"
#include "media/ufilter.h"

#define K 1000
#define M 1000000

#define X264(p) "profile=" p ":preset=medium"
#define VP8     "deadline=good:cpu-used=4"
#define FASTST  "movflags=+faststart"

/* Sizes of the boxes, 4:3 then 16:9. */
#define S240  320, 240, 426, 240
#define S360  480, 360, 640, 360
#define S480  640, 480, 854, 480
#define S720  960, 720, 1280, 720
#define S1080 1440, 1080, 1920, 1080

#define VIDEO(id_, slug_, name_, tech_, ext_, mime_, mux_, muxo_, rec_)        \
    .id = (id_), .type = OMKT_SETTING_VIDEO, .slug = (slug_), .name = (name_), \
    .technical = (tech_), .extension = (ext_), .mime = (mime_),                \
    .muxer = (mux_), .mux_opts = (muxo_), .is_recommended = (rec_),            \
    .cardinality = 1
#define AUDIO(id_, slug_, name_, tech_, ext_, mime_, mux_, muxo_, rec_)        \
    .id = (id_), .type = OMKT_SETTING_AUDIO, .slug = (slug_), .name = (name_), \
    .technical = (tech_), .extension = (ext_), .mime = (mime_),                \
    .muxer = (mux_), .mux_opts = (muxo_), .is_recommended = (rec_),            \
    .cardinality = 1
#define BOX_(w43_, h43_, w169_, h169_)                                         \
    .w43 = (w43_), .h43 = (h43_), .w169 = (w169_), .h169 = (h169_)
#define BOX(s_) BOX_(s_)
#define VENC(c_, b_, max_, buf_, o_)                                           \
    .vcodec = (c_), .vbitrate = (b_), .vmaxrate = (max_), .vbufsize = (buf_),  \
    .vopts = (o_)
#define AENC(c_, b_, q_, sr_, ch_)                                             \
    .acodec = (c_), .abitrate = (b_), .aquality = (q_), .samplerate = (sr_),   \
    .channels = (ch_)

/* ladder - the default streaming ladder (docs/media.md, "Streaming"):
 * H.264 capped at 1.5 times the average rate, a two-second buffer. */
static const struct omkt_rung ladder[] = {
    {240, 400 * K, 600 * K, 1200 * K},   {360, 800 * K, 1200 * K, 2400 * K},
    {480, 1400 * K, 2100 * K, 4200 * K}, {720, 2800 * K, 4200 * K, 8400 * K},
    {1080, 5 * M, 7500 * K, 15 * M},
};

/* builtin - the protocol catalogue, ascending ids. */
static const struct omkt_setting builtin[] = {
    /* FLV: Sorenson Spark + MP3 (FLV only takes 44.1/22.05/11.025 kHz). */
    {VIDEO(1, "flv-240", "FLV 240p", "Sorenson Spark 400 kb/s, MP3 64 kb/s",
           "flv", "video/x-flv", "flv", NULL, false),
     BOX(S240), VENC("flv", 400 * K, 0, 0, NULL),
     AENC("libmp3lame", 64 * K, -1, 44100, 2)},
    {VIDEO(2, "flv-360", "FLV 360p", "Sorenson Spark 700 kb/s, MP3 96 kb/s",
           "flv", "video/x-flv", "flv", NULL, false),
     BOX(S360), VENC("flv", 700 * K, 0, 0, NULL),
     AENC("libmp3lame", 96 * K, -1, 44100, 2)},
    {VIDEO(3, "flv-480", "FLV 480p", "Sorenson Spark 1.2 Mb/s, MP3 128 kb/s",
           "flv", "video/x-flv", "flv", NULL, false),
     BOX(S480), VENC("flv", 1200 * K, 0, 0, NULL),
     AENC("libmp3lame", 128 * K, -1, 44100, 2)},
    /* MP4: H.264 + AAC 44.1 kHz stereo, moov first. */
    {VIDEO(11, "mp4-240", "MP4 240p",
           "H.264 baseline 512 kb/s (max 800), AAC 96 kb/s", "mp4", "video/mp4",
           "mp4", FASTST, false),
     BOX(S240), VENC("libx264", 512 * K, 800 * K, 800 * K, X264("baseline")),
     AENC("aac", 96 * K, -1, 44100, 2)},
    {VIDEO(12, "mp4-360", "MP4 360p",
           "H.264 main 800 kb/s (max 2000), AAC 128 kb/s", "mp4", "video/mp4",
           "mp4", FASTST, true),
     BOX(S360), VENC("libx264", 800 * K, 2 * M, 2 * M, X264("main")),
     AENC("aac", 128 * K, -1, 44100, 2)},
    {VIDEO(13, "mp4-480", "MP4 480p", "H.264 main 2 Mb/s (max 4), AAC 128 kb/s",
           "mp4", "video/mp4", "mp4", FASTST, true),
     BOX(S480), VENC("libx264", 2 * M, 4 * M, 4 * M, X264("main")),
     AENC("aac", 128 * K, -1, 44100, 2)},
    {VIDEO(14, "mp4-720", "MP4 720p", "H.264 main 4 Mb/s (max 8), AAC 192 kb/s",
           "mp4", "video/mp4", "mp4", FASTST, false),
     BOX(S720), VENC("libx264", 4 * M, 8 * M, 8 * M, X264("main")),
     AENC("aac", 192 * K, -1, 44100, 2)},
    {VIDEO(15, "mp4-1080", "MP4 1080p",
           "H.264 main 8 Mb/s (max 12), AAC 192 kb/s", "mp4", "video/mp4",
           "mp4", FASTST, false),
     BOX(S1080), VENC("libx264", 8 * M, 12 * M, 12 * M, X264("main")),
     AENC("aac", 192 * K, -1, 44100, 2)},
    /* WebM: VP8 + Vorbis. */
    {VIDEO(21, "webm-240", "WebM 240p", "VP8 512 kb/s, Vorbis 96 kb/s", "webm",
           "video/webm", "webm", NULL, false),
     BOX(S240), VENC("libvpx", 512 * K, 0, 0, VP8),
     AENC("libvorbis", 96 * K, -1, 44100, 2)},
    {VIDEO(22, "webm-360", "WebM 360p", "VP8 800 kb/s, Vorbis 128 kb/s", "webm",
           "video/webm", "webm", NULL, false),
     BOX(S360), VENC("libvpx", 800 * K, 0, 0, VP8),
     AENC("libvorbis", 128 * K, -1, 44100, 2)},
    {VIDEO(23, "webm-480", "WebM 480p", "VP8 2 Mb/s, Vorbis 128 kb/s", "webm",
           "video/webm", "webm", NULL, false),
     BOX(S480), VENC("libvpx", 2 * M, 0, 0, VP8),
     AENC("libvorbis", 128 * K, -1, 44100, 2)},
    {VIDEO(24, "webm-720", "WebM 720p", "VP8 4 Mb/s, Vorbis 192 kb/s", "webm",
           "video/webm", "webm", NULL, false),
     BOX(S720), VENC("libvpx", 4 * M, 0, 0, VP8),
     AENC("libvorbis", 192 * K, -1, 44100, 2)},
    {VIDEO(25, "webm-1080", "WebM 1080p", "VP8 8 Mb/s, Vorbis 192 kb/s", "webm",
           "video/webm", "webm", NULL, false),
     BOX(S1080), VENC("libvpx", 8 * M, 0, 0, VP8),
     AENC("libvorbis", 192 * K, -1, 44100, 2)},
    /* MPEG-PS: MPEG-2 video + MP2 48 kHz (DVD-style program stream). */
    {VIDEO(31, "mpeg-240", "MPEG-2 PS 240p", "MPEG-2 1 Mb/s, MP2 128 kb/s",
           "mpg", "video/mpeg", "vob", NULL, false),
     BOX(S240), VENC("mpeg2video", 1 * M, 2 * M, 2 * M, NULL),
     AENC("mp2", 128 * K, -1, 48000, 2)},
    {VIDEO(32, "mpeg-360", "MPEG-2 PS 360p", "MPEG-2 2 Mb/s, MP2 192 kb/s",
           "mpg", "video/mpeg", "vob", NULL, false),
     BOX(S360), VENC("mpeg2video", 2 * M, 4 * M, 4 * M, NULL),
     AENC("mp2", 192 * K, -1, 48000, 2)},
    {VIDEO(33, "mpeg-480", "MPEG-2 PS 480p", "MPEG-2 4 Mb/s, MP2 192 kb/s",
           "mpg", "video/mpeg", "vob", NULL, false),
     BOX(S480), VENC("mpeg2video", 4 * M, 8 * M, 8 * M, NULL),
     AENC("mp2", 192 * K, -1, 48000, 2)},
    {VIDEO(34, "mpeg-720", "MPEG-2 PS 720p", "MPEG-2 8 Mb/s, MP2 192 kb/s",
           "mpg", "video/mpeg", "vob", NULL, false),
     BOX(S720), VENC("mpeg2video", 8 * M, 12 * M, 12 * M, NULL),
     AENC("mp2", 192 * K, -1, 48000, 2)},
    {VIDEO(35, "mpeg-1080", "MPEG-2 PS 1080p", "MPEG-2 12 Mb/s, MP2 192 kb/s",
           "mpg", "video/mpeg", "vob", NULL, false),
     BOX(S1080), VENC("mpeg2video", 12 * M, 18 * M, 18 * M, NULL),
     AENC("mp2", 192 * K, -1, 48000, 2)},
    /* Audio only. */
    {AUDIO(51, "mp3-64", "MP3 64k", "MP3 64 kb/s CBR 44.1 kHz", "mp3",
           "audio/mpeg", "mp3", NULL, false),
     AENC("libmp3lame", 64 * K, -1, 44100, 2)},
    {AUDIO(52, "mp3-128", "MP3 128k", "MP3 128 kb/s CBR 44.1 kHz", "mp3",
           "audio/mpeg", "mp3", NULL, true),
     AENC("libmp3lame", 128 * K, -1, 44100, 2)},
    {AUDIO(53, "mp3-v0", "MP3 VBR V0", "MP3 VBR V0 44.1 kHz", "mp3",
           "audio/mpeg", "mp3", NULL, false),
     AENC("libmp3lame", 0, 0, 44100, 2)},
    {AUDIO(61, "ogg-64", "Ogg Vorbis 64k", "Vorbis 64 kb/s 44.1 kHz", "ogg",
           "audio/ogg", "ogg", NULL, false),
     AENC("libvorbis", 64 * K, -1, 44100, 2)},
    {AUDIO(62, "ogg-128", "Ogg Vorbis 128k", "Vorbis 128 kb/s 44.1 kHz", "ogg",
           "audio/ogg", "ogg", NULL, false),
     AENC("libvorbis", 128 * K, -1, 44100, 2)},
    {AUDIO(63, "ogg-q8", "Ogg Vorbis q8", "Vorbis quality 8 (~V0) 44.1 kHz",
           "ogg", "audio/ogg", "ogg", NULL, false),
     AENC("libvorbis", 0, 8, 44100, 2)},
    {AUDIO(71, "m4a-64", "AAC 64k", "AAC-LC 64 kb/s 44.1 kHz in M4A", "m4a",
           "audio/mp4", "ipod", FASTST, false),
     AENC("aac", 64 * K, -1, 44100, 2)},
    {AUDIO(72, "m4a-128", "AAC 128k", "AAC-LC 128 kb/s 44.1 kHz in M4A", "m4a",
           "audio/mp4", "ipod", FASTST, false),
     AENC("aac", 128 * K, -1, 44100, 2)},
    {AUDIO(73, "m4a-192", "AAC 192k", "AAC-LC 192 kb/s 44.1 kHz in M4A", "m4a",
           "audio/mp4", "ipod", FASTST, false),
     AENC("aac", 192 * K, -1, 44100, 2)},
    /* Thumbnails: the pipeline's thumbs output, codec mjpeg. */
    {.id = OMKT_SETTING_THUMBS,
     .type = OMKT_SETTING_THUMBS_T,
     .slug = "thumbnails",
     .name = "Thumbnails",
     .technical = "up to 20 JPEG frames, display size and fitted in 166x166",
     .extension = "jpg",
     .mime = "image/jpeg",
     .is_recommended = true,
     .vcodec = "mjpeg",
     .aquality = -1,
     .cardinality = 2 * OMKT_THUMBS_MAX},
    /* Adaptive streaming: one package directory (media/package.h). */
    {.id = OMKT_SETTING_STREAM,
     .type = OMKT_SETTING_STREAMING,
     .slug = "hls-dash",
     .name = "Adaptive streaming (HLS + DASH)",
     .technical = "H.264 ladder 240p to 1080p (up to the source), AAC 128 "
                  "kb/s, 2 s CMAF segments, HLS and DASH manifests",
     .extension = "stream",
     .mime = "application/vnd.apple.mpegurl",
     .muxer = "hls",
     VENC("libx264", 0, 0, 0, "profile=high:preset=veryfast"),
     AENC("aac", 128 * K, -1, 48000, 2),
     .cardinality = 1,
     .rungs = ladder,
     .n_rungs = OMKT_ARRAY_LEN(ladder),
     .gop_ms = 2000},
};

/* site - settings loaded from the site file (config-like global). */
static struct omkt_setting *site;
static size_t site_len;

/* site_find - the site setting @id, or NULL. */
static const struct omkt_setting *site_find(int id)
{
    for (size_t i = 0; i < site_len; i++)
        if (site[i].id == id)
            return &site[i];
    return NULL;
}

/* builtin_find - the built-in row @id, or NULL. */
static const struct omkt_setting *builtin_find(int id)
{
    for (size_t i = 0; i < OMKT_ARRAY_LEN(builtin); i++)
        if (builtin[i].id == id)
            return &builtin[i];
    return NULL;
}

/* is_replaced - a built-in row (1001) that a site setting replaces. */
static bool is_replaced(const struct omkt_setting *b)
{
    return b->id >= OMKT_SETTING_SITE_MIN && site_find(b->id) != NULL;
}

const struct omkt_setting *omkt_setting_find(int id)
{
    const struct omkt_setting *s = site_find(id);

    return s != NULL ? s : builtin_find(id);
}

size_t omkt_settings_count(void)
{
    size_t n = site_len;

    for (size_t i = 0; i < OMKT_ARRAY_LEN(builtin); i++)
        n += !is_replaced(&builtin[i]);
    return n;
}

const struct omkt_setting *omkt_setting_at(size_t i)
{
    for (size_t k = 0; k < OMKT_ARRAY_LEN(builtin); k++) {
        if (is_replaced(&builtin[k]))
            continue;
        if (i == 0)
            return &builtin[k];
        i--;
    }
    return i < site_len ? &site[i] : NULL;
}

const char *omkt_setting_type_name(enum omkt_setting_type type)
{
    switch (type) {
    case OMKT_SETTING_VIDEO:
        return "video";
    case OMKT_SETTING_AUDIO:
        return "audio";
    case OMKT_SETTING_THUMBS_T:
        return "thumbnails";
    case OMKT_SETTING_STREAMING:
        return "streaming";
    }
    return "other";
}

/* set_str - obj[key] = printf(...) as a new JSON string. */
static void set_str(json_t *obj, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_str(json_t *obj, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    json_object_set_new(obj, key, json_string(buf));
}

/* setting_json - one catalogue entry in the reference's string style. */
static json_t *setting_json(const struct omkt_setting *s)
{
    json_t *o = json_object();

    set_str(o, "id", "%d", s->id);
    set_str(o, "type", "%s", omkt_setting_type_name(s->type));
    set_str(o, "slug", "%s", s->slug);
    set_str(o, "name", "%s", s->name);
    set_str(o, "technical", "%s", s->technical ? s->technical : "");
    set_str(o, "extension", "%s", s->extension);
    if (s->is_recommended)
        set_str(o, "recommend", "1");
    if (s->w43 > 0) {
        set_str(o, "size_43", "%dx%d", s->w43, s->h43);
        set_str(o, "size_169", "%dx%d", s->w169, s->h169);
    } else {
        set_str(o, "size_43", "%s", "");
        set_str(o, "size_169", "%s", "");
    }
    set_str(o, "cardinality", "%d", s->cardinality);
    return o;
}

json_t *omkt_settings_catalogue_json(void)
{
    json_t *all = json_object();
    char key[16];

    for (size_t i = 0; i < omkt_settings_count(); i++) {
        const struct omkt_setting *s = omkt_setting_at(i);

        snprintf(key, sizeof(key), "%d", s->id);
        json_object_set_new(all, key, setting_json(s));
    }
    return all;
}

/* Site settings --------------------------------------------------------- */

/* STR_FIELDS - the addresses of the string fields of setting @s. */
#define STR_FIELDS(s)                                                          \
    {                                                                          \
        &(s)->slug, &(s)->name, &(s)->technical, &(s)->extension, &(s)->mime,  \
            &(s)->muxer, &(s)->mux_opts, &(s)->vcodec, &(s)->vopts,            \
            &(s)->acodec, &(s)->aopts, &(s)->vfilter, &(s)->afilter            \
    }

/* free_strs - release the strings of a site setting (all are owned). */
static void free_strs(struct omkt_setting *s)
{
    const char **f[] = STR_FIELDS(s);

    for (size_t i = 0; i < OMKT_ARRAY_LEN(f); i++) {
        free((char *)*f[i]);
        *f[i] = NULL;
    }
    free((struct omkt_rung *)s->rungs);
    s->rungs = NULL;
    s->n_rungs = 0;
}

/* dup_strs - make every string of @s owned (copies of the originals). */
static void dup_strs(struct omkt_setting *s)
{
    const char **f[] = STR_FIELDS(s);

    for (size_t i = 0; i < OMKT_ARRAY_LEN(f); i++)
        if (*f[i] != NULL)
            *f[i] = omkt_xstrdup(*f[i]);
    if (s->rungs != NULL) {
        struct omkt_rung *r = omkt_xcalloc(s->n_rungs, sizeof(*r));

        memcpy(r, s->rungs, s->n_rungs * sizeof(*r));
        s->rungs = r;
    }
}

static void free_array(struct omkt_setting *arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_strs(&arr[i]);
    free(arr);
}

void omkt_settings_clear(void)
{
    free_array(site, site_len);
    site = NULL;
    site_len = 0;
}

/* take_str - replace *dst (owned) by obj[key] when it is a string. */
static int take_str(json_t *obj, const char *key, const char **dst)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL)
        return OMKT_OK;
    if (json_is_null(v)) {
        free((char *)*dst);
        *dst = NULL;
        return OMKT_OK;
    }
    if (!json_is_string(v))
        return OMKT_EINVAL;
    free((char *)*dst);
    *dst = omkt_xstrdup(json_string_value(v));
    return OMKT_OK;
}

/* parse_rate - "600k", "2M" or "96000" (powers of 1000) to an integer. */
static int parse_rate(const char *s, int64_t *dst)
{
    char num[32];
    size_t len = strlen(s);
    int64_t mult = 1;
    int64_t v;

    if (len == 0 || len >= sizeof(num))
        return OMKT_EINVAL;
    memcpy(num, s, len + 1);
    if (num[len - 1] == 'k' || num[len - 1] == 'K')
        mult = K;
    else if (num[len - 1] == 'M')
        mult = M;
    if (mult != 1)
        num[len - 1] = 0;
    if (omkt_parse_i64(num, &v) != OMKT_OK || v < 0 || v > INT32_MAX / mult)
        return OMKT_EINVAL;
    *dst = v * mult;
    return OMKT_OK;
}

/* take_int - *dst = obj[key] when it is an integer (or a numeric string). */
static int take_int(json_t *obj, const char *key, int64_t *dst)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL)
        return OMKT_OK;
    if (json_is_integer(v)) {
        *dst = json_integer_value(v);
        return OMKT_OK;
    }
    if (json_is_string(v))
        return parse_rate(json_string_value(v), dst);
    return OMKT_EINVAL;
}

/* take_size - "WxH" at obj[key] into *w, *h (even, 16..8192). */
static int take_size(json_t *obj, const char *key, int *w, int *h)
{
    json_t *v = json_object_get(obj, key);
    int a = 0, b = 0;
    char tail = 0;

    if (v == NULL)
        return OMKT_OK;
    if (!json_is_string(v) ||
        sscanf(json_string_value(v), "%dx%d%c", &a, &b, &tail) != 2)
        return OMKT_EINVAL;
    if (a < 16 || b < 16 || a > 8192 || b > 8192 || a % 2 || b % 2)
        return OMKT_EINVAL;
    *w = a;
    *h = b;
    return OMKT_OK;
}

/* take_fps - "30", "29.97", "30000/1001" or 25 at v["fps"] (1..60). */
static int take_fps(json_t *v, struct omkt_setting *s)
{
    json_t *f = json_object_get(v, "fps");
    AVRational r = {0, 1};

    if (f == NULL)
        return OMKT_OK;
    if (json_is_integer(f) && json_integer_value(f) > 0 &&
        json_integer_value(f) <= 60)
        r = (AVRational){(int)json_integer_value(f), 1};
    else if (json_is_string(f) &&
             av_parse_video_rate(&r, json_string_value(f)) < 0)
        return OMKT_EINVAL;
    if (r.num <= 0 || r.den <= 0 || av_q2d(r) > 60.0 || av_q2d(r) < 1.0)
        return OMKT_EINVAL;
    s->fps_num = r.num;
    s->fps_den = r.den;
    return OMKT_OK;
}

/* take_video - the "video" object of a site entry (null: no video). */
static int take_video(json_t *v, struct omkt_setting *s)
{
    if (v == NULL)
        return OMKT_OK;
    if (json_is_null(v)) {
        free((char *)s->vcodec);
        s->vcodec = NULL;
        return OMKT_OK;
    }
    if (!json_is_object(v) || take_str(v, "codec", &s->vcodec) ||
        take_int(v, "bitrate", &s->vbitrate) ||
        take_int(v, "maxrate", &s->vmaxrate) ||
        take_int(v, "bufsize", &s->vbufsize) ||
        take_str(v, "options", &s->vopts) ||
        take_str(v, "filter", &s->vfilter) || take_fps(v, s))
        return OMKT_EINVAL;
    return OMKT_OK;
}

/* take_audio - the "audio" object of a site entry. */
static int take_audio(json_t *a, struct omkt_setting *s)
{
    int64_t q = s->aquality, sr = s->samplerate, ch = s->channels;

    if (a == NULL)
        return OMKT_OK;
    if (json_is_null(a)) {
        free((char *)s->acodec);
        s->acodec = NULL;
        return OMKT_OK;
    }
    if (!json_is_object(a) || take_str(a, "codec", &s->acodec) ||
        take_str(a, "filter", &s->afilter) ||
        take_int(a, "bitrate", &s->abitrate) || take_int(a, "quality", &q) ||
        take_int(a, "samplerate", &sr) || take_int(a, "channels", &ch) ||
        take_str(a, "options", &s->aopts))
        return OMKT_EINVAL;
    if (q > 100 || sr < 0 || sr > 192000 || ch < 0 || ch > 8)
        return OMKT_EINVAL;
    s->aquality = (int)q;
    s->samplerate = (int)sr;
    s->channels = (int)ch;
    return OMKT_OK;
}

/* take_rung - one element of "ladder": {"height", "bitrate", "maxrate",
 * "bufsize"}, height even in 16..4320 and above the previous rung's. */
static int take_rung(json_t *v, int prev_h, struct omkt_rung *r)
{
    json_t *h = json_object_get(v, "height");

    memset(r, 0, sizeof(*r));
    if (!json_is_object(v) || !json_is_integer(h) ||
        take_int(v, "bitrate", &r->bitrate) ||
        take_int(v, "maxrate", &r->maxrate) ||
        take_int(v, "bufsize", &r->bufsize))
        return OMKT_EINVAL;
    if (json_integer_value(h) <= prev_h || json_integer_value(h) < 16 ||
        json_integer_value(h) > 4320 || json_integer_value(h) % 2 ||
        r->bitrate <= 0)
        return OMKT_EINVAL;
    r->height = (int)json_integer_value(h);
    return OMKT_OK;
}

/* take_stream - "gop" (seconds) and "ladder" of a streaming entry. */
static int take_stream(json_t *e, struct omkt_setting *s)
{
    json_t *gop = json_object_get(e, "gop");
    json_t *arr = json_object_get(e, "ladder");
    struct omkt_rung *r;
    int ret = OMKT_OK;

    if (gop != NULL && !json_is_number(gop))
        return OMKT_EINVAL;
    if (gop != NULL)
        s->gop_ms = (int64_t)(json_number_value(gop) * 1000.0 + 0.5);
    if (arr == NULL)
        return OMKT_OK;
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > OMKT_RUNGS_MAX)
        return OMKT_EINVAL;
    r = omkt_xcalloc(json_array_size(arr), sizeof(*r));
    for (size_t i = 0; i < json_array_size(arr) && ret == OMKT_OK; i++)
        ret = take_rung(json_array_get(arr, i), i ? r[i - 1].height : 0, &r[i]);
    free((struct omkt_rung *)s->rungs);
    s->rungs = r;
    s->n_rungs = json_array_size(arr);
    return ret;
}

/* take_segment - "segment": false (never split), "segment_min" and
 * "segment_length" (seconds) of a site entry. */
static int take_segment(json_t *e, struct omkt_setting *s)
{
    json_t *on = json_object_get(e, "segment");
    json_t *min = json_object_get(e, "segment_min");
    json_t *len = json_object_get(e, "segment_length");

    if ((on != NULL && !json_is_boolean(on)) ||
        (min != NULL && (!json_is_number(min) || json_number_value(min) < 1 ||
                         json_number_value(min) > 1e6)) ||
        (len != NULL && (!json_is_number(len) || json_number_value(len) < 1 ||
                         json_number_value(len) > 86400)))
        return OMKT_EINVAL;
    if (min != NULL)
        s->segment_min_ms = (int64_t)(json_number_value(min) * 1000.0 + 0.5);
    if (len != NULL)
        s->segment_length_ms = (int64_t)(json_number_value(len) * 1000.0 + 0.5);
    if (json_is_false(on))
        s->segment_min_ms = -1;
    return OMKT_OK;
}

/* check_filters - the user filter chains, if any, are allowed ones. */
static const char *check_filters(const struct omkt_setting *s, char *buf,
                                 size_t size)
{
    struct omkt_errbuf feb = {0};

    if ((s->vfilter && omkt_ufilter_check(s->vfilter, true, &feb)) ||
        (s->afilter && omkt_ufilter_check(s->afilter, false, &feb))) {
        snprintf(buf, size, "%s", feb.msg);
        return buf;
    }
    return NULL;
}

/* check_stream - what makes streaming setting @s unusable, or NULL:
 * the manifests name H.264 and AAC-LC (CODECS), so only those. */
static const char *check_stream(const struct omkt_setting *s)
{
    if (s->vcodec == NULL || strcmp(s->vcodec, "libx264") != 0)
        return "a streaming setting encodes video with libx264";
    if (s->acodec != NULL && strcmp(s->acodec, "aac") != 0)
        return "a streaming setting encodes audio with aac (or none)";
    if (s->acodec && (s->samplerate <= 0 || s->channels <= 0))
        return "audio.samplerate and audio.channels are required";
    if (s->n_rungs == 0)
        return "a streaming setting needs a ladder";
    if (s->gop_ms < 500 || s->gop_ms > 10000)
        return "gop must be from 0.5 to 10 seconds";
    return NULL;
}

/* check_fields - what makes @s unusable, or NULL. */
static const char *check_fields(const struct omkt_setting *s)
{
    if (s->slug == NULL || s->name == NULL || s->extension == NULL ||
        s->mime == NULL)
        return "slug, name, extension and mime are required";
    if (s->type == OMKT_SETTING_THUMBS_T)
        return "site settings cannot be thumbnails";
    if (s->type == OMKT_SETTING_STREAMING)
        return check_stream(s);
    if (s->muxer == NULL || av_guess_format(s->muxer, NULL, NULL) == NULL)
        return "unknown or missing format";
    if (s->type == OMKT_SETTING_VIDEO &&
        (s->vcodec == NULL || s->w43 <= 0 || s->w169 <= 0))
        return "a video setting needs video.codec, size_43 and size_169";
    if (s->vcodec && avcodec_find_encoder_by_name(s->vcodec) == NULL)
        return "unknown video encoder";
    if (s->acodec && avcodec_find_encoder_by_name(s->acodec) == NULL)
        return "unknown audio encoder";
    if (s->type == OMKT_SETTING_AUDIO && s->acodec == NULL)
        return "an audio setting needs audio.codec";
    if (s->acodec && (s->samplerate <= 0 || s->channels <= 0))
        return "audio.samplerate and audio.channels are required";
    return NULL;
}

/* check_entry - a complete, usable setting?  Names the problem in @eb. */
static int check_entry(const struct omkt_setting *s, const char *label,
                       struct omkt_errbuf *eb)
{
    char fmsg[OMKT_ERRBUF_LEN];
    const char *what = check_filters(s, fmsg, sizeof(fmsg));

    if (what == NULL)
        what = check_fields(s);
    if (what == NULL)
        return OMKT_OK;
    omkt_errf(eb, "%s %d: %s", label, s->id, what);
    return OMKT_ECONF;
}

/* take_box - "size": "WxH" (keep the aspect inside) or "source". */
static int take_box(json_t *e, struct omkt_setting *s)
{
    json_t *v = json_object_get(e, "size");

    if (v == NULL)
        return OMKT_OK;
    if (json_is_string(v) && strcmp(json_string_value(v), "source") == 0) {
        s->size_mode = OMKT_SIZE_SOURCE;
        return OMKT_OK;
    }
    if (take_size(e, "size", &s->w169, &s->h169) != OMKT_OK)
        return OMKT_EINVAL;
    s->w43 = s->w169;
    s->h43 = s->h169;
    s->size_mode = OMKT_SIZE_FIT;
    return OMKT_OK;
}

/* take_fields - the plain fields of a site entry over @s. */
static int take_fields(json_t *e, struct omkt_setting *s)
{
    json_t *type = json_object_get(e, "type");
    json_t *rec = json_object_get(e, "recommend");

    if (take_str(e, "slug", &s->slug) || take_str(e, "name", &s->name) ||
        take_str(e, "technical", &s->technical) ||
        take_str(e, "extension", &s->extension) ||
        take_str(e, "mime", &s->mime) || take_str(e, "format", &s->muxer) ||
        take_str(e, "format_options", &s->mux_opts) ||
        take_size(e, "size_43", &s->w43, &s->h43) ||
        take_size(e, "size_169", &s->w169, &s->h169) || take_box(e, s))
        return OMKT_EINVAL;
    if (rec != NULL && !json_is_boolean(rec))
        return OMKT_EINVAL;
    if (rec != NULL)
        s->is_recommended = json_is_true(rec);
    if (type == NULL)
        return OMKT_OK;
    if (!json_is_string(type))
        return OMKT_EINVAL;
    if (strcmp(json_string_value(type), "video") == 0)
        s->type = OMKT_SETTING_VIDEO;
    else if (strcmp(json_string_value(type), "audio") == 0)
        s->type = OMKT_SETTING_AUDIO;
    else if (strcmp(json_string_value(type), "streaming") == 0)
        s->type = OMKT_SETTING_STREAMING;
    else
        return OMKT_EINVAL;
    return OMKT_OK;
}

/* drop_opt - free *@opts when @key is absent from @obj but the thing the
 * options were for (@was, now @now) changed. */
static void drop_opt(json_t *obj, const char *key, const char *was,
                     const char *now, const char **opts)
{
    if (was == NULL || now == NULL || strcmp(was, now) == 0 ||
        json_object_get(obj, key) != NULL)
        return;
    free((char *)*opts);
    *opts = NULL;
}

/*
 * drop_stale_opts - options inherited from the "based_on" row belong to
 * its muxer and encoders: when a field changes them (13's mp4 made
 * matroska) and gives no options of its own, they go, since another
 * muxer or encoder would refuse them (unknown options are errors).
 */
static void drop_stale_opts(json_t *e, const struct omkt_setting *b,
                            struct omkt_setting *s)
{
    json_t *v = json_object_get(e, "video");
    json_t *a = json_object_get(e, "audio");

    drop_opt(e, "format_options", b->muxer, s->muxer, &s->mux_opts);
    if (json_is_object(v))
        drop_opt(v, "options", b->vcodec, s->vcodec, &s->vopts);
    if (json_is_object(a))
        drop_opt(a, "options", b->acodec, s->acodec, &s->aopts);
}

/* is_stream_entry - an entry of "type": "streaming". */
static bool is_stream_entry(json_t *e)
{
    json_t *t = json_object_get(e, "type");

    return json_is_string(t) && strcmp(json_string_value(t), "streaming") == 0;
}

/* build - @s (zeroed) as setting @id from object @e; strings owned.  A
 * streaming entry without "based_on" starts from the built-in ladder. */
static int build(json_t *e, int id, const char *label, struct omkt_setting *s,
                 struct omkt_errbuf *eb)
{
    json_t *base = json_object_get(e, "based_on");
    const struct omkt_setting *b = NULL;

    s->aquality = -1;
    s->cardinality = 1;
    s->id = id;
    if (base == NULL && is_stream_entry(e)) {
        *s = *builtin_find(OMKT_SETTING_STREAM);
        s->id = id;
    } else if (base != NULL) {
        b = json_is_integer(base) && json_integer_value(base) < 1000
                ? builtin_find((int)json_integer_value(base))
                : NULL;
        if (b == NULL) {
            omkt_errf(eb, "%s %d: \"based_on\" is not a built-in setting",
                      label, id);
            return OMKT_ECONF;
        }
        *s = *b;
        s->id = id;
    }
    dup_strs(s);
    if (take_fields(e, s) || take_video(json_object_get(e, "video"), s) ||
        take_audio(json_object_get(e, "audio"), s) || take_stream(e, s) ||
        take_segment(e, s)) {
        omkt_errf(eb, "%s %d: a field has the wrong type or value", label, id);
        return OMKT_ECONF;
    }
    if (b != NULL)
        drop_stale_opts(e, b, s);
    return check_entry(s, label, eb);
}

/* parse_entry - one element of "settings" into @s (strings owned). */
static int parse_entry(json_t *e, size_t idx, struct omkt_setting *s,
                       struct omkt_errbuf *eb)
{
    json_t *id = json_object_get(e, "id");

    memset(s, 0, sizeof(*s));
    if (!json_is_object(e) || !json_is_integer(id) ||
        json_integer_value(id) < OMKT_SETTING_SITE_MIN ||
        json_integer_value(id) > INT32_MAX) {
        omkt_errf(eb, "site setting #%zu: \"id\" must be an integer > 1000",
                  idx);
        return OMKT_ECONF;
    }
    return build(e, (int)json_integer_value(id), "site setting", s, eb);
}

int omkt_setting_from_json(json_t *obj, int id, struct omkt_setting **out,
                           struct omkt_errbuf *eb)
{
    struct omkt_setting *s = omkt_xcalloc(1, sizeof(*s));

    *out = NULL;
    if (!json_is_object(obj)) {
        omkt_errf(eb, "job setting %d: not a JSON object", id);
        free(s);
        return OMKT_EINVAL;
    }
    if (build(obj, id, "job setting", s, eb) != OMKT_OK) {
        omkt_setting_free(s);
        return OMKT_EINVAL;
    }
    *out = s;
    return OMKT_OK;
}

void omkt_setting_free(struct omkt_setting *s)
{
    if (s == NULL)
        return;
    free_strs(s);
    free(s);
}

/* parse_all - every entry of @arr into a new array *out of *n. */
static int parse_all(json_t *arr, struct omkt_setting **out, size_t *n,
                     struct omkt_errbuf *eb)
{
    size_t len = json_array_size(arr);
    struct omkt_setting *v = omkt_xcalloc(len ? len : 1, sizeof(*v));
    int ret = OMKT_OK;
    size_t i;

    for (i = 0; i < len && ret == OMKT_OK; i++) {
        ret = parse_entry(json_array_get(arr, i), i, &v[i], eb);
        for (size_t j = 0; j < i && ret == OMKT_OK; j++)
            if (v[j].id == v[i].id) {
                omkt_errf(eb, "site setting %d: duplicate id", v[i].id);
                ret = OMKT_ECONF;
            }
    }
    if (ret != OMKT_OK) {
        free_array(v, i);
        return ret;
    }
    *out = v;
    *n = len;
    return OMKT_OK;
}

int omkt_settings_load_file(const char *path, struct omkt_errbuf *eb)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *arr = NULL;
    struct omkt_setting *v = NULL;
    size_t n = 0;
    int ret = OMKT_ECONF;

    if (root == NULL) {
        omkt_errf(eb, "%s:%d: %s", path, jerr.line, jerr.text);
        ret = jerr.line <= 0 ? OMKT_EIO : OMKT_ECONF;
        goto out;
    }
    arr = json_object_get(root, "settings");
    if (!json_is_array(arr)) {
        omkt_errf(eb, "%s: expected {\"settings\": [...]}", path);
        goto out;
    }
    ret = parse_all(arr, &v, &n, eb);
    if (ret != OMKT_OK)
        goto out;
    omkt_settings_clear();
    site = v;
    site_len = n;
out:
    json_decref(root);
    return ret;
}

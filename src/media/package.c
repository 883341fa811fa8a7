/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * package - the streaming output: renditions (each an output of
 * output.c with the hls muxer writing CMAF segments into its own
 * directory), the sprite preview and the manifests, in one directory
 * published atomically.  See package.h for the layout.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "common/path.h"
#include "media/geometry.h"
#include "media/hlsdash.h"
#include "media/ladder.h"
#include "media/package.h"
#include "media/sprite.h"

#define REND_MAX (OMKT_RUNGS_MAX + 1)

/* struct rend_out - one rendition: its setting, source view and output. */
struct rend_out {
    struct omkt_setting set; /* strings borrowed from the package's */
    struct omkt_out_src src; /* the package's, into its own directory */
    char dir[OMKT_PATH_MAX];
    char vopts[512];
    char mux_opts[2 * OMKT_PATH_MAX];
    struct omkt_out *out;
    struct omkt_rend info;
};

struct omkt_pkg {
    const struct omkt_setting *set;
    const struct omkt_out_src *src;
    char name[64]; /* "1001.stream" */
    char tmp[OMKT_PATH_MAX], dst[OMKT_PATH_MAX];
    bool has_tmp, is_published;
    struct rend_out r[REND_MAX];
    size_t n;       /* renditions: the video ones, then audio */
    bool has_audio; /* the last one is audio */
    struct omkt_sprite *sprite;
    const char *names[1];
};

/* escape - @s with libavutil's option-string specials escaped. */
static void escape(char *out, size_t size, const char *s)
{
    size_t k = 0;

    for (; *s != '\0' && k + 2 < size; s++) {
        if (strchr("\\':=", *s) != NULL)
            out[k++] = '\\';
        out[k++] = *s;
    }
    out[k] = '\0';
}

/* rend_dir - make directory @id of the package for rendition @ro. */
static int rend_dir(struct omkt_pkg *p, struct rend_out *ro, const char *id,
                    struct omkt_errbuf *eb)
{
    char esc[OMKT_PATH_MAX + 64];

    snprintf(ro->info.id, sizeof(ro->info.id), "%s", id);
    if (omkt_path_join(ro->dir, sizeof(ro->dir), p->tmp, id) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", p->tmp);
        return OMKT_ETOOBIG;
    }
    if (mkdir(ro->dir, 0750) != 0) {
        omkt_errf(eb, "mkdir %s: %s", ro->dir, omkt_errno_str(errno));
        return omkt_fs_errno_err(errno);
    }
    escape(esc, sizeof(esc), ro->dir);
    snprintf(ro->mux_opts, sizeof(ro->mux_opts),
             "hls_time=%.3f:hls_playlist_type=vod:hls_segment_type=fmp4:"
             "hls_fmp4_init_filename=init.mp4:start_number=1:"
             "hls_flags=independent_segments:"
             "hls_segment_filename=%s/seg_%%05d.m4s",
             (double)p->set->gop_ms / 1000.0, esc);
    ro->src = *p->src;
    ro->src.outdir = ro->dir;
    ro->src.name = "index.m3u8";
    ro->set.id = p->set->id;
    ro->set.slug = p->set->slug;
    ro->set.name = p->set->name;
    ro->set.extension = "m3u8";
    ro->set.mime = "application/vnd.apple.mpegurl";
    ro->set.muxer = "hls";
    ro->set.mux_opts = ro->mux_opts;
    ro->set.aquality = -1;
    ro->set.cardinality = 1;
    ro->set.gop_ms = p->set->gop_ms;
    return OMKT_OK;
}

/* open_rend - open @ro's output; its failure is the package's. */
static int open_rend(struct rend_out *ro, struct omkt_errbuf *eb)
{
    const char *msg = NULL;
    int ret = omkt_out_open(&ro->set, &ro->src, &ro->out);

    if (ret != OMKT_OK) {
        (void)omkt_out_status(ro->out, &msg);
        omkt_errf(eb, "%s: %s", ro->info.id, msg);
    }
    return ret;
}

/* open_video - video rendition @i: rung @lr of the ladder. */
static int open_video(struct omkt_pkg *p, size_t i,
                      const struct omkt_ladder_rung *lr, struct omkt_errbuf *eb)
{
    const struct omkt_setting *s = p->set;
    struct rend_out *ro = &p->r[i];
    char id[24];
    int ret;

    snprintf(id, sizeof(id), "v%zu", i);
    ret = rend_dir(p, ro, id, eb);
    if (ret != OMKT_OK)
        return ret;
    /* Keyframes only where restamp forces them (output.c), IDR. */
    snprintf(ro->vopts, sizeof(ro->vopts),
             "%s%sforced-idr=1:x264-params=scenecut=0",
             s->vopts ? s->vopts : "", s->vopts ? ":" : "");
    ro->set.type = OMKT_SETTING_VIDEO;
    ro->set.w43 = ro->set.w169 = lr->width;
    ro->set.h43 = ro->set.h169 = lr->height;
    ro->set.size_mode = OMKT_SIZE_FIT;
    ro->set.vcodec = s->vcodec;
    ro->set.vbitrate = lr->rung->bitrate;
    ro->set.vmaxrate = lr->rung->maxrate;
    ro->set.vbufsize = lr->rung->bufsize;
    ro->set.vopts = ro->vopts;
    ro->set.vfilter = s->vfilter;
    ro->set.fps_num = s->fps_num;
    ro->set.fps_den = s->fps_den;
    ro->info.is_video = true;
    return open_rend(ro, eb);
}

/* open_audio - the audio rendition "a0", last. */
static int open_audio(struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    const struct omkt_setting *s = p->set;
    struct rend_out *ro = &p->r[p->n];
    int ret = rend_dir(p, ro, "a0", eb);

    if (ret != OMKT_OK)
        return ret;
    ro->set.type = OMKT_SETTING_AUDIO;
    ro->set.acodec = s->acodec;
    ro->set.abitrate = s->abitrate;
    ro->set.aquality = s->aquality;
    ro->set.samplerate = s->samplerate;
    ro->set.channels = s->channels;
    ro->set.aopts = s->aopts;
    ro->set.afilter = s->afilter;
    p->n++;
    p->has_audio = true;
    return open_rend(ro, eb);
}

/* display_size - the source picture as shown (sample aspect, rotation). */
static int display_size(const struct omkt_out_src *src, int *w, int *h,
                        struct omkt_errbuf *eb)
{
    const AVCodecParameters *cp = src->vst->codecpar;
    AVRational sar =
        av_guess_sample_aspect_ratio(NULL, (AVStream *)src->vst, NULL);
    struct omkt_geom_src g = {cp->width, cp->height, sar.num, sar.den,
                              src->rotation};
    struct omkt_geom_box box = {.is_source = true};

    if (omkt_geom_fit(&g, &box, w, h) == OMKT_OK)
        return OMKT_OK;
    omkt_errf(eb, "video track has no usable size (%dx%d)", cp->width,
              cp->height);
    return OMKT_EMEDIA;
}

/* open_preview - preview/ and its sprite, tiles of the display aspect. */
static int open_preview(struct omkt_pkg *p, int dw, int dh,
                        struct omkt_errbuf *eb)
{
    char dir[OMKT_PATH_MAX];
    int th = (int)(((int64_t)OMKT_SPRITE_TILE_W * dh + dw) / (2 * dw) * 2);

    if (omkt_path_join(dir, sizeof(dir), p->tmp, "preview") != OMKT_OK)
        return OMKT_ETOOBIG;
    if (mkdir(dir, 0750) != 0) {
        omkt_errf(eb, "mkdir %s: %s", dir, omkt_errno_str(errno));
        return omkt_fs_errno_err(errno);
    }
    return omkt_sprite_new(p->src, dir, OMKT_SPRITE_TILE_W, th < 2 ? 2 : th,
                           &p->sprite, eb);
}

/* make_tmp - the package's temporary directory, next to its final path. */
static int make_tmp(struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    const struct omkt_out_src *src = p->src;

    snprintf(p->name, sizeof(p->name), "%d.%s", p->set->id, p->set->extension);
    p->names[0] = p->name;
    if (omkt_path_join(p->dst, sizeof(p->dst), src->outdir, p->name) !=
            OMKT_OK ||
        omkt_fs_tmpname(p->tmp, sizeof(p->tmp), src->outdir, p->name,
                        src->tag) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", src->outdir);
        return OMKT_ETOOBIG;
    }
    if (mkdir(p->tmp, 0750) != 0) {
        omkt_errf(eb, "mkdir %s: %s", p->tmp, omkt_errno_str(errno));
        return omkt_fs_errno_err(errno);
    }
    p->has_tmp = true;
    return OMKT_OK;
}

/* open_all - the temporary directory, every rendition, the preview. */
static int open_all(struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    struct omkt_ladder_rung plan[OMKT_RUNGS_MAX];
    size_t n = 0;
    int dw, dh;
    int ret = display_size(p->src, &dw, &dh, eb);

    if (ret == OMKT_OK && omkt_ladder_plan(p->set, dw, dh, plan, &n)) {
        omkt_errf(eb, "no rung of the ladder fits %dx%d", dw, dh);
        ret = OMKT_EINVAL;
    }
    if (ret == OMKT_OK)
        ret = make_tmp(p, eb);
    for (size_t i = 0; i < n && ret == OMKT_OK; i++, p->n++)
        ret = open_video(p, i, &plan[i], eb);
    if (ret == OMKT_OK && p->set->acodec != NULL && p->src->ast != NULL)
        ret = open_audio(p, eb);
    return ret == OMKT_OK ? open_preview(p, dw, dh, eb) : ret;
}

int omkt_pkg_new(const struct omkt_setting *s, const struct omkt_out_src *src,
                 struct omkt_pkg **out, struct omkt_errbuf *eb)
{
    struct omkt_pkg *p = omkt_xcalloc(1, sizeof(*p));

    p->set = s;
    p->src = src;
    *out = p;
    if (src->vst == NULL) {
        omkt_errf(eb, "needs video; the source has no decodable video");
        return OMKT_EMEDIA;
    }
    return open_all(p, eb);
}

bool omkt_pkg_wants_audio(const struct omkt_pkg *p)
{
    return p->has_audio;
}

/* rend_status - @ro's output status, its reason into @eb. */
static int rend_status(const struct rend_out *ro, int ret,
                       struct omkt_errbuf *eb)
{
    const char *msg = NULL;

    if (ret != OMKT_OK) {
        (void)omkt_out_status(ro->out, &msg);
        omkt_errf(eb, "%s: %s", ro->info.id, msg);
    }
    return ret;
}

int omkt_pkg_video(struct omkt_pkg *p, const AVFrame *f, struct omkt_errbuf *eb)
{
    size_t nv = p->n - (p->has_audio ? 1 : 0);
    int ret = OMKT_OK;

    for (size_t i = 0; i < nv && ret == OMKT_OK; i++)
        ret = rend_status(&p->r[i], omkt_out_video(p->r[i].out, f), eb);
    return ret == OMKT_OK ? omkt_sprite_frame(p->sprite, f, eb) : ret;
}

int omkt_pkg_audio(struct omkt_pkg *p, const AVFrame *f, struct omkt_errbuf *eb)
{
    struct rend_out *ro = &p->r[p->n - 1];

    if (!p->has_audio)
        return OMKT_OK;
    return rend_status(ro, omkt_out_audio(ro->out, f), eb);
}

/* describe - @ro's stream facts for the manifests. */
static void describe(struct rend_out *ro)
{
    int64_t frames = 0;
    const AVStream *st = omkt_out_stream(ro->out, ro->info.is_video, &frames);
    const AVCodecParameters *cp = st->codecpar;
    struct omkt_rend *r = &ro->info;

    if (!r->is_video) {
        r->sample_rate = cp->sample_rate;
        r->channels = cp->ch_layout.nb_channels;
        snprintf(r->codecs, sizeof(r->codecs), "mp4a.40.2");
        return;
    }
    r->width = cp->width;
    r->height = cp->height;
    r->fps = st->avg_frame_rate;
    omkt_codecs_avc(cp->extradata, cp->extradata_size, r->codecs,
                    sizeof(r->codecs));
}

/* write_manifests - the MPD, then master.m3u8, which makes the package. */
static int write_manifests(const struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    struct omkt_rend info[REND_MAX]; /* the manifests want them in a row */
    int ret;

    for (size_t i = 0; i < p->n; i++)
        info[i] = p->r[i].info;
    ret = omkt_dash_write_mpd(p->tmp, info, p->n, p->set->gop_ms * 1000, eb);
    return ret == OMKT_OK ? omkt_hls_write_master(p->tmp, info, p->n, eb) : ret;
}

int omkt_pkg_finish(struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    int64_t dur_us = 0; /* the video's: the preview's end */
    int ret = OMKT_OK;

    for (size_t i = 0; i < p->n && ret == OMKT_OK; i++)
        ret = rend_status(&p->r[i], omkt_out_finish(p->r[i].out), eb);
    for (size_t i = 0; i < p->n && ret == OMKT_OK; i++) {
        describe(&p->r[i]);
        ret = omkt_hls_take_media(p->tmp, &p->r[i].info, eb);
        if (p->r[i].info.is_video && p->r[i].info.dur_us > dur_us)
            dur_us = p->r[i].info.dur_us;
    }
    if (ret == OMKT_OK)
        ret = omkt_sprite_finish(p->sprite, dur_us, eb);
    return ret == OMKT_OK ? write_manifests(p, eb) : ret;
}

int omkt_pkg_publish(struct omkt_pkg *p, struct omkt_errbuf *eb)
{
    int ret = omkt_fs_fsync_tree(p->tmp, eb);

    if (ret == OMKT_OK)
        ret = omkt_fs_publish_dir(p->tmp, p->dst, eb);
    if (ret == OMKT_OK) {
        p->has_tmp = false;
        p->is_published = true;
    }
    return ret;
}

const char *const *omkt_pkg_names(const struct omkt_pkg *p)
{
    return p->names;
}

/* rend_json - one rendition of the metadata. */
static json_t *rend_json(const struct omkt_rend *r)
{
    json_t *o = json_object();
    char buf[32];

    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "type",
                        json_string(r->is_video ? "video" : "audio"));
    json_object_set_new(o, "codecs", json_string(r->codecs));
    if (r->is_video) {
        json_object_set_new(o, "width", json_integer(r->width));
        json_object_set_new(o, "height", json_integer(r->height));
        snprintf(buf, sizeof(buf), "%.3f", av_q2d(r->fps));
        json_object_set_new(o, "frame_rate", json_string(buf));
    } else {
        json_object_set_new(o, "samplerate", json_integer(r->sample_rate));
        json_object_set_new(o, "channels", json_integer(r->channels));
    }
    json_object_set_new(o, "bandwidth", json_integer(r->peak_bps));
    json_object_set_new(o, "average_bandwidth", json_integer(r->avg_bps));
    json_object_set_new(o, "segments", json_integer((json_int_t)r->n_segs));
    snprintf(buf, sizeof(buf), "%.3f", (double)r->dur_us / 1e6);
    json_object_set_new(o, "time", json_string(buf));
    return o;
}

json_t *omkt_pkg_metadata(const struct omkt_pkg *p)
{
    json_t *m = json_object(), *st = json_object(), *arr = json_array();
    int64_t bytes = 0, dur_us = 0;
    char buf[32];

    for (size_t i = 0; i < p->n; i++) {
        const struct omkt_rend *r = &p->r[i].info;

        for (size_t k = 0; k < r->n_segs; k++)
            bytes += r->segs[k].bytes;
        dur_us = r->dur_us > dur_us ? r->dur_us : dur_us;
        json_array_append_new(arr, rend_json(r));
    }
    json_object_set_new(m, "mime", json_string(p->set->mime));
    json_object_set_new(m, "file_size", json_integer(bytes));
    json_object_set_new(m, "box", json_string("hls+dash"));
    json_object_set_new(m, "type", json_string("video"));
    snprintf(buf, sizeof(buf), "%.2f", (double)dur_us / 1e6);
    json_object_set_new(m, "time", json_string(buf));
    json_object_set_new(st, "master", json_string("master.m3u8"));
    json_object_set_new(st, "dash", json_string("manifest.mpd"));
    json_object_set_new(st, "preview", json_string("preview/thumbs.vtt"));
    json_object_set_new(st, "gop_ms", json_integer(p->set->gop_ms));
    json_object_set_new(st, "renditions", arr);
    json_object_set_new(m, "streaming", st);
    return m;
}

void omkt_pkg_free(struct omkt_pkg *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < REND_MAX; i++) {
        omkt_out_free(p->r[i].out);
        omkt_rend_clear(&p->r[i].info);
    }
    omkt_sprite_free(p->sprite);
    if (p->has_tmp)
        (void)omkt_fs_remove_tree(p->tmp, NULL); /* nothing else to do */
    free(p);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sprite - sprite sheets and their WebVTT map (the scrubbing preview).
 *
 * DESIGN: each picked frame goes through its own small chain (rotation,
 * scale to the tile, full-range YUV for JPEG) and is copied into the
 * current sheet; a full sheet is encoded (MJPEG) and written at once,
 * so at most one sheet is in memory.  The pick times are kept to write
 * the cues at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/imgutils.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "common/parse.h"
#include "common/path.h"
#include "media/graph.h"
#include "media/input.h"
#include "media/sprite.h"

#define PER_SHEET   (OMKT_SPRITE_COLS * OMKT_SPRITE_ROWS)
#define EVERY_US    (OMKT_SPRITE_EVERY_S * 1000000LL)
#define TILES_MAX   100000
#define JPEG_QSCALE 5

struct omkt_sprite {
    const struct omkt_out_src *src;
    char dir[OMKT_PATH_MAX];
    int tile_w, tile_h;
    struct omkt_vgraph_args args;
    struct omkt_graph g;
    AVFrame *sheet, *filt;
    AVPacket *pkt;
    int64_t *start_us; /* slot start of each tile */
    size_t n_tiles;
    int64_t next_us; /* the next slot's start */
};

int omkt_sprite_new(const struct omkt_out_src *src, const char *dir, int tile_w,
                    int tile_h, struct omkt_sprite **out,
                    struct omkt_errbuf *eb)
{
    struct omkt_sprite *sp = omkt_xcalloc(1, sizeof(*sp));

    *out = sp;
    sp->src = src;
    sp->tile_w = tile_w;
    sp->tile_h = tile_h;
    sp->args = (struct omkt_vgraph_args){.in_tb = src->vst->time_base,
                                         .rotation = src->rotation,
                                         .out_w = tile_w,
                                         .out_h = tile_h,
                                         .out_fmt = AV_PIX_FMT_YUVJ420P,
                                         .is_square_pixels = true,
                                         .threads = 1};
    omkt_colour_of_stream(src->vst->codecpar, &sp->args.in_colour);
    omkt_colour_for_output(&sp->args.in_colour, tile_w, tile_h, true,
                           &sp->args.out_colour);
    if (omkt_strlcpy(sp->dir, dir, sizeof(sp->dir)) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", dir);
        return OMKT_ETOOBIG;
    }
    sp->sheet = av_frame_alloc();
    sp->filt = av_frame_alloc();
    sp->pkt = av_packet_alloc();
    if (sp->sheet == NULL || sp->filt == NULL || sp->pkt == NULL)
        return OMKT_ENOMEM;
    sp->sheet->format = AV_PIX_FMT_YUVJ420P;
    sp->sheet->width = tile_w * OMKT_SPRITE_COLS;
    sp->sheet->height = tile_h * OMKT_SPRITE_ROWS;
    if (av_frame_get_buffer(sp->sheet, 0) < 0)
        return OMKT_ENOMEM;
    return OMKT_OK;
}

/* blank - the sheet black (full-range YUV). */
static void blank(AVFrame *s)
{
    for (int p = 0; p < 3; p++) {
        int h = p ? s->height / 2 : s->height;

        memset(s->data[p], p ? 128 : 0, (size_t)s->linesize[p] * (size_t)h);
    }
}

/* write_file - @pkt as @dir/@name. */
static int write_file(const struct omkt_sprite *sp, const char *name,
                      const AVPacket *pkt, struct omkt_errbuf *eb)
{
    char path[OMKT_PATH_MAX];
    FILE *f;
    int ret = OMKT_OK;

    if (omkt_path_join(path, sizeof(path), sp->dir, name) != OMKT_OK)
        return OMKT_ETOOBIG;
    f = fopen(path, "we");
    if (f == NULL ||
        fwrite(pkt->data, 1, (size_t)pkt->size, f) != (size_t)pkt->size)
        ret = omkt_fs_errno_err(errno);
    if (f != NULL && fclose(f) != 0)
        ret = omkt_fs_errno_err(errno);
    if (ret != OMKT_OK)
        omkt_errf(eb, "write %s: %s", path, omkt_errno_str(errno));
    return ret;
}

/* flush_sheet - encode the current sheet (only its used rows). */
static int flush_sheet(struct omkt_sprite *sp, struct omkt_errbuf *eb)
{
    size_t used = (sp->n_tiles - 1) % PER_SHEET + 1;
    int rows = (int)((used + OMKT_SPRITE_COLS - 1) / OMKT_SPRITE_COLS);
    const AVCodec *c = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *e = c ? avcodec_alloc_context3(c) : NULL;
    char name[32];
    int rc = e != NULL ? 0 : AVERROR(ENOMEM);
    int ret;

    if (e != NULL) {
        e->width = sp->sheet->width;
        e->height = rows * sp->tile_h;
        e->pix_fmt = AV_PIX_FMT_YUVJ420P;
        e->time_base = (AVRational){1, 25};
        e->flags |= AV_CODEC_FLAG_QSCALE;
        e->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
        rc = avcodec_open2(e, c, NULL);
    }
    sp->sheet->height = rows * sp->tile_h;
    sp->sheet->pts = 0;
    if (rc >= 0)
        rc = avcodec_send_frame(e, sp->sheet);
    sp->sheet->height = sp->tile_h * OMKT_SPRITE_ROWS;
    if (rc >= 0)
        rc = avcodec_receive_packet(e, sp->pkt);
    avcodec_free_context(&e);
    if (rc < 0)
        return omkt_av_err(rc, eb, "encoding sprite sheet");
    snprintf(name, sizeof(name), "sprite_%03zu.jpg",
             (sp->n_tiles - 1) / PER_SHEET + 1);
    ret = write_file(sp, name, sp->pkt, eb);
    av_packet_unref(sp->pkt);
    return ret;
}

/* place - @t (a scaled tile) into its cell of the sheet. */
static void place(struct omkt_sprite *sp, const AVFrame *t, size_t idx)
{
    int x = (int)(idx % OMKT_SPRITE_COLS) * sp->tile_w;
    int y = (int)(idx / OMKT_SPRITE_COLS) * sp->tile_h;
    AVFrame *s = sp->sheet;

    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;

        av_image_copy_plane(s->data[p] + (y >> sh) * s->linesize[p] + (x >> sh),
                            s->linesize[p], t->data[p], t->linesize[p],
                            sp->tile_w >> sh, sp->tile_h >> sh);
    }
}

/* take - @f as the next tile, for the slot starting at @slot_us. */
static int take(struct omkt_sprite *sp, const AVFrame *f, int64_t slot_us,
                struct omkt_errbuf *eb)
{
    int rc;
    int ret = OMKT_OK;

    if (!omkt_graph_matches(&sp->g, f)) {
        omkt_graph_free(&sp->g);
        ret = omkt_graph_video(&sp->g, f, &sp->args, eb);
    }
    if (ret != OMKT_OK)
        return ret;
    rc = av_buffersrc_add_frame_flags(sp->g.src, (AVFrame *)f,
                                      AV_BUFFERSRC_FLAG_KEEP_REF);
    if (rc >= 0)
        rc = av_buffersink_get_frame(sp->g.sink, sp->filt);
    if (rc == AVERROR(EAGAIN))
        return OMKT_OK; /* nothing out for this one: the next frame */
    if (rc < 0)
        return omkt_av_err(rc, eb, "scaling preview");
    if (sp->n_tiles % PER_SHEET == 0)
        blank(sp->sheet);
    place(sp, sp->filt, sp->n_tiles % PER_SHEET);
    av_frame_unref(sp->filt);
    if (sp->n_tiles % 256 == 0)
        sp->start_us =
            omkt_xrealloc(sp->start_us, (sp->n_tiles + 256) * sizeof(int64_t));
    sp->start_us[sp->n_tiles++] = slot_us;
    sp->next_us = slot_us + EVERY_US;
    return sp->n_tiles % PER_SHEET == 0 ? flush_sheet(sp, eb) : OMKT_OK;
}

int omkt_sprite_frame(struct omkt_sprite *sp, const AVFrame *f,
                      struct omkt_errbuf *eb)
{
    int64_t t_us;

    if (f->pts == AV_NOPTS_VALUE || sp->n_tiles >= TILES_MAX)
        return OMKT_OK;
    t_us = av_rescale_q(f->pts, sp->src->vst->time_base, AV_TIME_BASE_Q);
    if (sp->n_tiles > 0 && t_us < sp->next_us)
        return OMKT_OK;
    /* The first tile stands for the start, whatever the first pts. */
    return take(sp, f, sp->n_tiles == 0 ? 0 : t_us / EVERY_US * EVERY_US, eb);
}

/* vtt_time - "HH:MM:SS.mmm". */
static void vtt_time(FILE *m, int64_t us)
{
    int64_t ms = us / 1000;

    fprintf(m, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64,
            ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

/* write_vtt - thumbs.vtt: one cue per tile up to the next (or @dur_us). */
static int write_vtt(const struct omkt_sprite *sp, int64_t dur_us,
                     struct omkt_errbuf *eb)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    AVPacket pkt = {0};
    int ret;

    if (m == NULL)
        return OMKT_ENOMEM;
    fputs("WEBVTT\n", m);
    for (size_t i = 0; i < sp->n_tiles; i++) {
        int64_t end = i + 1 < sp->n_tiles ? sp->start_us[i + 1] : dur_us;
        size_t k = i % PER_SHEET;

        if (end <= sp->start_us[i])
            end = sp->start_us[i] + 1000;
        fputs("\n", m);
        vtt_time(m, sp->start_us[i]);
        fputs(" --> ", m);
        vtt_time(m, end);
        fprintf(m, "\nsprite_%03zu.jpg#xywh=%d,%d,%d,%d\n", i / PER_SHEET + 1,
                (int)(k % OMKT_SPRITE_COLS) * sp->tile_w,
                (int)(k / OMKT_SPRITE_COLS) * sp->tile_h, sp->tile_w,
                sp->tile_h);
    }
    if (fclose(m) != 0 || buf == NULL) {
        free(buf);
        return OMKT_ENOMEM;
    }
    pkt.data = (uint8_t *)buf;
    pkt.size = (int)len;
    ret = write_file(sp, "thumbs.vtt", &pkt, eb);
    free(buf);
    return ret;
}

int omkt_sprite_finish(struct omkt_sprite *sp, int64_t dur_us,
                       struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    if (sp->n_tiles == 0) {
        omkt_errf(eb, "no picture for the preview");
        return OMKT_EMEDIA;
    }
    if (sp->n_tiles % PER_SHEET != 0)
        ret = flush_sheet(sp, eb);
    return ret == OMKT_OK ? write_vtt(sp, dur_us, eb) : ret;
}

void omkt_sprite_free(struct omkt_sprite *sp)
{
    if (sp == NULL)
        return;
    omkt_graph_free(&sp->g);
    av_frame_free(&sp->sheet);
    av_frame_free(&sp->filt);
    av_packet_free(&sp->pkt);
    free(sp->start_us);
    free(sp);
}

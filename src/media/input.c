/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input - open sources and decoders with the limits every caller needs:
 * the interrupt callback (stop flag, cancel callback, deadline), bounded
 * stream probing, and a cap on frame size so that a file claiming
 * 30000x30000 pixels is refused before anything is allocated for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <libavutil/display.h>
#include <libavutil/time.h>

#include "common/alloc.h"
#include "media/geometry.h"
#include "media/input.h"

bool omkt_intr_check(struct omkt_intr *in)
{
    if (in == NULL)
        return false;
    if (in->reason != OMKT_OK)
        return true;
    if (in->stop != NULL && *in->stop)
        in->reason = OMKT_ESHUTDOWN;
    else if (in->should_stop_fn != NULL && in->should_stop_fn(in->ctx))
        in->reason = OMKT_ECANCELLED;
    else if (in->deadline_us > 0 && av_gettime_relative() > in->deadline_us)
        in->reason = OMKT_ETIMEOUT;
    return in->reason != OMKT_OK;
}

int omkt_intr_cb(void *opaque)
{
    return omkt_intr_check(opaque) ? 1 : 0;
}

int omkt_av_err(int averr, struct omkt_errbuf *eb, const char *what)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];

    av_strerror(averr, buf, sizeof(buf));
    omkt_errf(eb, "%s: %s", what, buf);
    if (averr == AVERROR(ENOMEM))
        return OMKT_ENOMEM;
    if (averr == AVERROR(ENOSPC))
        return OMKT_ENOSPC;
    if (averr == AVERROR(ENOENT))
        return OMKT_ENOTFOUND;
    if (averr == AVERROR(EIO) || averr == AVERROR(EACCES) ||
        averr == AVERROR(EROFS))
        return OMKT_EIO;
    return OMKT_EMEDIA;
}

int omkt_stream_rotation(const AVStream *st)
{
    const uint8_t *m =
        av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);

    if (m == NULL)
        return 0;
    /* The matrix angle is counter-clockwise; players turn clockwise. */
    return omkt_geom_rotation(-av_display_rotation_get((const int32_t *)m));
}

bool omkt_stream_is_oversized(const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;

    return p->codec_type == AVMEDIA_TYPE_VIDEO &&
           (p->width > OMKT_MAX_SIDE || p->height > OMKT_MAX_SIDE ||
            (int64_t)p->width * p->height > OMKT_MAX_PIXELS);
}

/* find_info - avformat_find_stream_info with the pixel limit per stream. */
static int find_info(AVFormatContext *fc, struct omkt_errbuf *eb)
{
    unsigned n = fc->nb_streams;
    AVDictionary **opts = omkt_xcalloc(n ? n : 1, sizeof(*opts));
    int rc;

    for (unsigned i = 0; i < n; i++) {
        av_dict_set_int(&opts[i], "max_pixels", OMKT_MAX_PIXELS, 0);
        av_dict_set(&opts[i], "threads", "1", 0);
    }
    rc = avformat_find_stream_info(fc, opts);
    for (unsigned i = 0; i < n; i++)
        av_dict_free(&opts[i]);
    free(opts);
    if (rc < 0)
        return omkt_av_err(rc, eb, "reading stream info");
    return OMKT_OK;
}

int omkt_input_open(const char *path, AVIOContext *pb, struct omkt_intr *intr,
                    AVFormatContext **out, struct omkt_errbuf *eb)
{
    AVFormatContext *fc = avformat_alloc_context();
    int rc;
    int ret = OMKT_ENOMEM;

    *out = NULL;
    if (fc == NULL)
        goto out;
    fc->interrupt_callback.callback = omkt_intr_cb;
    fc->interrupt_callback.opaque = intr;
    if (pb != NULL) {
        fc->pb = pb;
        fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    rc = avformat_open_input(&fc, path, NULL, NULL); /* frees fc on error */
    if (rc < 0) {
        ret = omkt_intr_check(intr)
                  ? intr->reason
                  : omkt_av_err(rc, eb, "not readable as media");
        goto out;
    }
    ret = find_info(fc, eb);
    if (ret != OMKT_OK && omkt_intr_check(intr))
        ret = intr->reason;
    if (ret != OMKT_OK)
        goto out;
    *out = fc;
    fc = NULL;
out:
    if (ret != OMKT_OK && intr != NULL && intr->reason != OMKT_OK)
        omkt_errf(eb, "interrupted: %s", omkt_strerror(intr->reason));
    avformat_close_input(&fc);
    return ret;
}

int omkt_decoder_open(const AVStream *st, int threads, AVCodecContext **out,
                      struct omkt_errbuf *eb)
{
    const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
    AVCodecContext *cc = NULL;
    AVDictionary *opts = NULL;
    int rc;
    int ret = OMKT_EMEDIA;

    *out = NULL;
    if (dec == NULL) {
        omkt_errf(eb, "track %d: no decoder for codec %s", st->index,
                  avcodec_get_name(st->codecpar->codec_id));
        goto out;
    }
    if (omkt_stream_is_oversized(st)) {
        omkt_errf(eb, "track %d: %dx%d is larger than the %dx%d limit",
                  st->index, st->codecpar->width, st->codecpar->height,
                  OMKT_MAX_SIDE, OMKT_MAX_SIDE);
        goto out;
    }
    ret = OMKT_ENOMEM;
    cc = avcodec_alloc_context3(dec);
    if (cc == NULL)
        goto out;
    rc = avcodec_parameters_to_context(cc, st->codecpar);
    if (rc >= 0) {
        cc->pkt_timebase = st->time_base;
        cc->max_pixels = OMKT_MAX_PIXELS;
        av_dict_set_int(&opts, "threads", threads, 0);
        rc = avcodec_open2(cc, dec, &opts);
    }
    if (rc < 0) {
        ret = omkt_av_err(rc, eb, "opening decoder");
        goto out;
    }
    *out = cc;
    cc = NULL;
    ret = OMKT_OK;
out:
    av_dict_free(&opts);
    avcodec_free_context(&cc);
    return ret;
}

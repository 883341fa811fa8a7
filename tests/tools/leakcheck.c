/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * leakcheck - the negative control of tests/lsan.supp, which silences
 * allocations made inside codec libraries (libx264 keeps frames of its
 * own that LeakSanitizer cannot attribute).  It opens a libx264 encoder
 * through libavcodec, encodes a few frames and then, with "leak", drops
 * the context as a bug of ours would: the report must still name it,
 * because the context itself is allocated by libavcodec, not libx264.
 * With "free" it closes everything (no report expected).
 *
 *   leakcheck leak|free
 */
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/log.h>

static AVCodecContext *leaked; /* cleared before exit: unreachable then */

/* encode_some - open libx264 and feed it @n frames; NULL on failure. */
static AVCodecContext *encode_some(int n)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    AVCodecContext *e = c != NULL ? avcodec_alloc_context3(c) : NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *p = av_packet_alloc();

    if (e == NULL || f == NULL || p == NULL)
        goto out;
    e->width = f->width = 64;
    e->height = f->height = 64;
    e->pix_fmt = f->format = AV_PIX_FMT_YUV420P;
    e->time_base = (AVRational){1, 25};
    e->thread_count = 1; /* live x264 threads would keep it reachable */
    if (avcodec_open2(e, c, NULL) < 0 || av_frame_get_buffer(f, 0) < 0)
        goto out;
    for (int i = 0; i < n && av_frame_make_writable(f) >= 0; i++) {
        memset(f->data[0], 16 + 8 * i, (size_t)f->linesize[0] * 64);
        f->pts = i;
        if (avcodec_send_frame(e, f) < 0)
            break;
        while (avcodec_receive_packet(e, p) == 0)
            av_packet_unref(p);
    }
    av_packet_free(&p);
    av_frame_free(&f);
    return e;
out:
    av_packet_free(&p);
    av_frame_free(&f);
    avcodec_free_context(&e);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "leak") && strcmp(argv[1], "free"))) {
        fprintf(stderr, "usage: leakcheck leak|free\n");
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    leaked = encode_some(10);
    if (leaked == NULL) {
        fprintf(stderr, "leakcheck: no libx264 encoder\n");
        return 1;
    }
    if (strcmp(argv[1], "free") == 0)
        avcodec_free_context(&leaked);
    leaked = NULL;
    return 0;
}

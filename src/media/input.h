/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input - opening a source with libavformat the same careful way for the
 * probe, the pipeline and the fuzzer: interrupt callback, bounded probing,
 * a pixel-count limit for every decoder, and FFmpeg error translation.
 * Internal to src/media.
 */
#ifndef OMKT_MEDIA_INPUT_H
#define OMKT_MEDIA_INPUT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "common/err.h"

/* Largest frame a decoder may allocate, and largest side. */
#define OMKT_MAX_SIDE   8192
#define OMKT_MAX_PIXELS (8192LL * 8192LL)

/*
 * struct omkt_intr - what the AVIOInterruptCB and the loops ask: the
 * caller's stop flag, its callback, and an optional deadline.  Borrowed by
 * the format contexts that point at it: it must outlive them.
 */
struct omkt_intr {
    const volatile int *stop;          /* non-zero: stop (shutdown) */
    bool (*should_stop_fn)(void *ctx); /* true: stop (cancelled) */
    void *ctx;
    int64_t deadline_us; /* av_gettime_relative() limit; 0 = none */
    /* Set when fired: OMKT_ESHUTDOWN/ECANCELLED/ETIMEOUT; atomic, so that
     * any thread may poll it through an AVIO callback. */
    atomic_int reason;
};

/*
 * omkt_intr_check - has @in fired?  Records why in in->reason.  Callable
 * from any thread (should_stop_fn must then be thread-safe too).
 */
bool omkt_intr_check(struct omkt_intr *in);

/* omkt_intr_cb - AVIOInterruptCB callback; @opaque is a struct omkt_intr. */
int omkt_intr_cb(void *opaque);

/*
 * omkt_input_open - open @path (or, when @pb is not NULL, the custom I/O
 * @pb, which the caller keeps and frees after closing) and read its stream
 * info.  *out is new: avformat_close_input().  Returns OMKT_OK, OMKT_EMEDIA
 * (not media), OMKT_EIO, or the interrupt's reason.
 */
int omkt_input_open(const char *path, AVIOContext *pb, struct omkt_intr *intr,
                    AVFormatContext **out, struct omkt_errbuf *eb);

/*
 * omkt_decoder_open - a decoder for @st (threads as given, 0 = auto) with
 * the pixel limit.  *out is new: avcodec_free_context().  OMKT_EMEDIA when
 * the codec is unknown or refuses the stream.
 */
int omkt_decoder_open(const AVStream *st, int threads, AVCodecContext **out,
                      struct omkt_errbuf *eb);

/* omkt_av_err - map an AVERROR to an omkt code and record its text. */
int omkt_av_err(int averr, struct omkt_errbuf *eb, const char *what);

/* omkt_stream_rotation - clockwise display rotation of @st: 0/90/180/270. */
int omkt_stream_rotation(const AVStream *st);

/* omkt_stream_is_oversized - does video @st claim more than the limit? */
bool omkt_stream_is_oversized(const AVStream *st);

#endif

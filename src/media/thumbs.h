/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thumbs - setting 101 as the reference makes it: up to OMKT_THUMBS_MAX
 * frames, one per second or one per floor(D / 20) s of a source of D > 20
 * whole seconds (the frames "ffmpeg -vf fps" picks), each written as
 * "hNN.jpg" at the source's display size (sample aspect and rotation
 * applied) and "lNN.jpg" fitted in a 166x166 box, NN from 00.  Internal
 * to src/media, driven by output.c.
 */
#ifndef OMKT_MEDIA_THUMBS_H
#define OMKT_MEDIA_THUMBS_H

#include <libavutil/frame.h>

#include "common/err.h"
#include "media/output.h"

struct omkt_thumbs;

/* omkt_thumbs_new - plan the picks for @src; *out is new. */
int omkt_thumbs_new(const struct omkt_out_src *src, struct omkt_thumbs **out,
                    struct omkt_errbuf *eb);

/* omkt_thumbs_next_us - a time just before the next pick's boundary (the
 * decoding must be there to pick it); INT64_MAX: none wanted. */
int64_t omkt_thumbs_next_us(const struct omkt_thumbs *t);

/* omkt_thumbs_frame - offer a decoded video frame (borrowed). */
int omkt_thumbs_frame(struct omkt_thumbs *t, const AVFrame *f,
                      struct omkt_errbuf *eb);

/* omkt_thumbs_finish - end of the source: the last slots, and at least
 * one picture. */
int omkt_thumbs_finish(struct omkt_thumbs *t, struct omkt_errbuf *eb);

/* omkt_thumbs_publish - rename every picture into place. */
int omkt_thumbs_publish(struct omkt_thumbs *t, struct omkt_errbuf *eb);

/* omkt_thumbs_names - the published file names (every hNN, then every
 * lNN), borrowed until omkt_thumbs_free. */
size_t omkt_thumbs_names(const struct omkt_thumbs *t,
                         const char *const **names);

/* omkt_thumbs_free - release @t, removing unpublished pictures. */
void omkt_thumbs_free(struct omkt_thumbs *t);

#endif

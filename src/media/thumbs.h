/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thumbs - setting 101: up to OMKT_THUMBS_MAX frames spread evenly over the
 * source's duration (a minute or more apart once it lasts 20 minutes),
 * each written as a JPEG at the source's displayed size (rotation undone)
 * and at 100x100.  Internal to src/media, driven by output.c.
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

/* omkt_thumbs_next_us - time of the next wanted frame; INT64_MAX: none. */
int64_t omkt_thumbs_next_us(const struct omkt_thumbs *t);

/* omkt_thumbs_frame - offer a decoded video frame (borrowed). */
int omkt_thumbs_frame(struct omkt_thumbs *t, const AVFrame *f,
                      struct omkt_errbuf *eb);

/* omkt_thumbs_finish - pick the last frame if nothing was picked. */
int omkt_thumbs_finish(struct omkt_thumbs *t, struct omkt_errbuf *eb);

/* omkt_thumbs_publish - rename every picture into place. */
int omkt_thumbs_publish(struct omkt_thumbs *t, struct omkt_errbuf *eb);

/* omkt_thumbs_names - the file names, borrowed until omkt_thumbs_free. */
size_t omkt_thumbs_names(const struct omkt_thumbs *t,
                         const char *const **names);

/* omkt_thumbs_free - release @t, removing unpublished pictures. */
void omkt_thumbs_free(struct omkt_thumbs *t);

#endif

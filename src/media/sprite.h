/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sprite - the scrubbing preview of a streaming package: one picture
 * every OMKT_SPRITE_EVERY_S seconds (the first decoded frame at or after
 * each multiple), OMKT_SPRITE_TILE_W pixels wide (the display aspect
 * kept), laid out OMKT_SPRITE_COLS x OMKT_SPRITE_ROWS per JPEG sheet
 * ("sprite_001.jpg", ... left to right, top to bottom; the last sheet
 * has only the rows it needs), and "thumbs.vtt", a WebVTT file whose
 * cues cover the whole duration, each naming its picture as
 * "sprite_NNN.jpg#xywh=x,y,w,h".  Internal to src/media (package.c).
 */
#ifndef OMKT_MEDIA_SPRITE_H
#define OMKT_MEDIA_SPRITE_H

#include <libavutil/frame.h>

#include "common/err.h"
#include "media/output.h"

#define OMKT_SPRITE_EVERY_S 2
#define OMKT_SPRITE_TILE_W  160
#define OMKT_SPRITE_COLS    10
#define OMKT_SPRITE_ROWS    10

struct omkt_sprite;

/* omkt_sprite_new - a preview of tiles @tile_w x @tile_h (even) written
 * into the existing directory @dir; *out is new (omkt_sprite_free). */
int omkt_sprite_new(const struct omkt_out_src *src, const char *dir, int tile_w,
                    int tile_h, struct omkt_sprite **out,
                    struct omkt_errbuf *eb);

/* omkt_sprite_frame - offer a decoded source frame (borrowed). */
int omkt_sprite_frame(struct omkt_sprite *sp, const AVFrame *f,
                      struct omkt_errbuf *eb);

/* omkt_sprite_finish - the last sheet and thumbs.vtt up to @dur_us. */
int omkt_sprite_finish(struct omkt_sprite *sp, int64_t dur_us,
                       struct omkt_errbuf *eb);

/* omkt_sprite_free - release @sp (its files stay: the package owns them). */
void omkt_sprite_free(struct omkt_sprite *sp);

#endif

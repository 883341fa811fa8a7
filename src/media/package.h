/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * package - a streaming setting's output (type "streaming", id 1001): an
 * adaptive-streaming package, one directory at the path a file output
 * of the setting would get ("<outdir>/<id>.<extension>", "1001.stream"):
 *
 *   master.m3u8     HLS multivariant playlist (version 7)
 *   manifest.mpd    DASH MPD (static, isoff-live, SegmentTimeline)
 *   v0/ v1/ ...     video renditions, lowest first; a0/ the audio one:
 *                   init.mp4, seg_00001.m4s ... (CMAF fragmented MP4),
 *                   index.m3u8 (media playlist, EXT-X-MAP)
 *   preview/        sprite_001.jpg ..., thumbs.vtt (sprite.h)
 *
 * Every reference inside is relative.  The video renditions are the
 * ladder's rungs the source gets (ladder.h), encoded from the same
 * decoded frames with a keyframe forced at each multiple of the GOP
 * (closed GOPs, scene cuts off), so segment boundaries are the same in
 * every rendition.  Internal to src/media, driven by output.c.
 *
 * DESIGN: the package is built in "<outdir>/.<name>.tmp-<tag>" (the temp
 * name of the output, so a reaper removes it with the job's temp files),
 * the manifests written last; at publish every file and directory is
 * fsync'd and the directory renamed into place (over an older package
 * in one step: RENAME_EXCHANGE).  A package never appears without its
 * master.m3u8.
 */
#ifndef OMKT_MEDIA_PACKAGE_H
#define OMKT_MEDIA_PACKAGE_H

#include <jansson.h>
#include <libavutil/frame.h>

#include "common/err.h"
#include "media/output.h"
#include "media/settings.h"

struct omkt_pkg;

/* omkt_pkg_new - plan and open the renditions of streaming setting @s
 * (borrowed, like @src, until omkt_pkg_free); *out is new, set even on
 * failure. */
int omkt_pkg_new(const struct omkt_setting *s, const struct omkt_out_src *src,
                 struct omkt_pkg **out, struct omkt_errbuf *eb);

/* omkt_pkg_wants_audio - does the package have an audio rendition? */
bool omkt_pkg_wants_audio(const struct omkt_pkg *p);

/* omkt_pkg_video / omkt_pkg_audio - a decoded source frame (borrowed). */
int omkt_pkg_video(struct omkt_pkg *p, const AVFrame *f,
                   struct omkt_errbuf *eb);
int omkt_pkg_audio(struct omkt_pkg *p, const AVFrame *f,
                   struct omkt_errbuf *eb);

/* omkt_pkg_finish - flush the renditions, measure the segments, write
 * the preview and the manifests (still under the temporary name). */
int omkt_pkg_finish(struct omkt_pkg *p, struct omkt_errbuf *eb);

/* omkt_pkg_publish - fsync everything and rename the directory into
 * place. */
int omkt_pkg_publish(struct omkt_pkg *p, struct omkt_errbuf *eb);

/* omkt_pkg_names - { "<id>.<extension>" }, borrowed until free. */
const char *const *omkt_pkg_names(const struct omkt_pkg *p);

/* omkt_pkg_metadata - the output metadata (new): "time", "file_size",
 * "mime", "box", "type" and "streaming" (manifests, GOP, renditions). */
json_t *omkt_pkg_metadata(const struct omkt_pkg *p);

/* omkt_pkg_free - release @p and remove an unpublished package. */
void omkt_pkg_free(struct omkt_pkg *p);

#endif

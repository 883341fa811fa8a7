/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_join - the joining half of segment-parallel transcoding: the
 * video of every segment, in order, and the audio of the whole source
 * (segment_encode.h's intermediate files) stream-copied with
 * libavformat into the setting's container, with the setting's muxer
 * options (faststart MP4), published atomically like every output.
 */
#ifndef OMKT_MEDIA_SEGMENT_JOIN_H
#define OMKT_MEDIA_SEGMENT_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "media/settings.h"
#include "media/transcode.h"

struct omkt_segment_join {
    const struct omkt_setting *set; /* the setting the segments were made of */
    const char *dir;                /* where the intermediate files are */
    size_t n_segments;              /* segments 0 .. n_segments - 1 */
    bool has_audio;                 /* "<id>.audio.nut" is there too */
    const char *outdir;             /* where "<id>.<extension>" goes */
    const struct omkt_transcode_opts *opts; /* stop fields, tmp_tag; or NULL */
};

/*
 * omkt_segment_join - write @j->outdir/"<id>.<extension>" from the
 * intermediate files, without re-encoding.  Checks that every segment
 * has segment 0's codec parameters and that the video's decoding
 * timestamps strictly increase across the seams (OMKT_EMEDIA naming the
 * segment otherwise); *frames (may be NULL) gets the number of video
 * frames written.  OMKT_ENOTFOUND/OMKT_EMEDIA/OMKT_EIO for a missing or
 * unreadable intermediate file, OMKT_ESHUTDOWN/OMKT_ECANCELLED when
 * stopped; nothing is left in outdir on failure.  The intermediate files
 * are left to the caller (remove them after a successful join).
 */
int omkt_segment_join(const struct omkt_segment_join *j, int64_t *frames,
                      struct omkt_errbuf *eb);

#endif

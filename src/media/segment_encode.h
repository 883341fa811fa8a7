/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_encode - the encoding half of segment-parallel transcoding: the
 * keyframe scan of a source, the video of one segment [start, end) of a
 * setting, and the audio of the whole source, each into an intermediate
 * file that segment_join.h stream-copies into the setting's container.
 *
 * Intermediate files are NUT (libavformat's own container: any codec,
 * exact time bases, extradata kept), video-only or audio-only, written
 * like every output (temporary name, renamed when complete) in a
 * directory the caller chooses (the tmp area of the document root):
 *   "<setting id>.s<NNNN>.nut"   segment NNNN's video (0000 first),
 *   "<setting id>.audio.nut"     the whole source's audio.
 * Their timestamps are the whole-file output's (the output frame rate's
 * time base counted from the source's start) plus OMKT_SEGMENT_TS_OFFSET
 * seconds: NUT stores no negative time and its muxer would shift a
 * stream that starts below zero (B-frame delay, audio priming) by an
 * amount the file does not record.  Joining them in order, less the
 * offset, gives the whole-file timeline.
 */
#ifndef OMKT_MEDIA_SEGMENT_ENCODE_H
#define OMKT_MEDIA_SEGMENT_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "media/settings.h"
#include "media/transcode.h"

#define OMKT_SEGMENT_END   INT64_MAX /* end_us of the last segment */
#define OMKT_SEGMENT_AUDIO (-1)      /* omkt_segment_name's audio index */
/* Added to every intermediate timestamp (seconds; the muxer option). */
#define OMKT_SEGMENT_TS_OFFSET    100
#define OMKT_SEGMENT_TS_OFFSET_US (OMKT_SEGMENT_TS_OFFSET * 1000000LL)

/* struct omkt_segment_src - what the split needs to know of a source. */
struct omkt_segment_src {
    int64_t *key_us; /* keyframe times from the start, ascending; free() */
    size_t n_keys;
    int64_t duration_us; /* 0 when unknown */
    bool has_audio;      /* a decodable audio track (audio to encode) */
    bool is_interlaced;  /* flagged interlaced: see omkt_segment_can_split */
};

/*
 * omkt_segment_scan - the video keyframes of @src (read from its packets,
 * no decoding), its duration and whether it has audio.  @opts may be NULL
 * (only its stop fields are used).  On OMKT_OK @out is filled (release
 * with omkt_segment_src_clear()); OMKT_EMEDIA when @src has no video
 * track, else omkt_transcode()'s errors for an unreadable source.
 */
int omkt_segment_scan(const char *src, const struct omkt_transcode_opts *opts,
                      struct omkt_segment_src *out, struct omkt_errbuf *eb);

/* omkt_segment_src_clear - free what @s holds; NULL is fine. */
void omkt_segment_src_clear(struct omkt_segment_src *s);

/*
 * omkt_segment_can_split - can setting @s be made by segments?  A video
 * setting with a video encoder, into MP4/MOV or WebM/Matroska (global
 * codec headers, per-frame times), without user filters (they may look
 * at neighbouring frames) and without a forced frame rate (the rate
 * conversion may pick different frames at a seam).  Interlaced sources
 * (temporal deinterlacing) are the caller's to refuse (is_interlaced).
 */
bool omkt_segment_can_split(const struct omkt_setting *s);

/*
 * omkt_segment_name - the intermediate file name of segment @index
 * (OMKT_SEGMENT_AUDIO: the audio) of setting @id into @buf.
 * OMKT_ETOOBIG when it does not fit.
 */
int omkt_segment_name(char *buf, size_t size, int id, int index);

/* struct omkt_segment_spec - one segment of one setting. */
struct omkt_segment_spec {
    const struct omkt_setting *set; /* borrowed; omkt_segment_can_split */
    int index;                      /* 0, 1, ...: its file name */
    int64_t start_us;               /* a keyframe's time (0 for the first) */
    int64_t end_us;                 /* the next one's, or OMKT_SEGMENT_END */
};

/*
 * omkt_segment_encode - the video of segment @sp of @src into @dir
 * (omkt_segment_name): seek to the keyframe at or before start, decode
 * and drop the frames before it, encode the frames with start <= pts <
 * end with the setting's video options (a new encoder: the segment's
 * first frame is a keyframe and its GOP closed), published atomically.
 * *frames (may be NULL) gets the number of source frames encoded;
 * @opts->progress_fn (when set) the share of the segment done.
 * OMKT_EMEDIA when the segment holds no frame or does not start at
 * start_us (a keyframe list that does not match the source), else
 * omkt_transcode()'s errors; no file is left on failure.
 */
int omkt_segment_encode(const char *src, const char *dir,
                        const struct omkt_segment_spec *sp,
                        const struct omkt_transcode_opts *opts, int64_t *frames,
                        struct omkt_errbuf *eb);

/*
 * omkt_segment_audio - the audio of the whole of @src with setting @set's
 * audio encoder into @dir (omkt_segment_name), exactly as the whole-file
 * output encodes it.  Only for a source with audio (has_audio).
 */
int omkt_segment_audio(const char *src, const char *dir,
                       const struct omkt_setting *set,
                       const struct omkt_transcode_opts *opts,
                       struct omkt_errbuf *eb);

#endif

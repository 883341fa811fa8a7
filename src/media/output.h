/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output - one setting's output of a transcode: its filter chains,
 * encoders and muxer (or, for thumbnails, see thumbs.h), fed with the
 * pipeline's shared decoded frames.  Internal to src/media.
 *
 * DESIGN: an output fails alone.  After any error it records the reason,
 * drops its codec state and ignores further frames; omkt_out_free() then
 * removes its temporary files.  Files become visible only through
 * omkt_out_publish().
 */
#ifndef OMKT_MEDIA_OUTPUT_H
#define OMKT_MEDIA_OUTPUT_H

#include <stdbool.h>

#include <libavformat/avformat.h>

#include "common/err.h"
#include "media/settings.h"
#include "media/transcode.h"

/* struct omkt_out_src - what every output needs to know of the source. */
struct omkt_out_src {
    const AVStream *vst; /* video stream decoded, or NULL */
    const AVStream *ast; /* audio stream decoded, or NULL */
    AVRational vrate;    /* its frame rate (guessed) */
    int rotation;        /* clockwise display rotation of vst */
    int64_t duration_us; /* source duration; <= 0 when unknown */
    const char *outdir;
    const char *tag;      /* temporary name tag */
    int threads;          /* 0 = auto */
    AVIOInterruptCB intr; /* for the output AVIOContexts */
    struct omkt_out_limits limits;
    /* A rendition of a package (media/package.h): the muxer's file name
     * in outdir, written there directly (the package directory is the
     * temporary); NULL for an ordinary output ("<id>.<extension>" under
     * a temporary name). */
    const char *name;
};

struct omkt_out;

/*
 * omkt_out_open - prepare setting @s: encoders, muxer header, temporary
 * files.  *out is new (omkt_out_free) and set even on failure, so the
 * caller can read the reason with omkt_out_status(); returns its status.
 */
int omkt_out_open(const struct omkt_setting *s, const struct omkt_out_src *src,
                  struct omkt_out **out);

/* omkt_out_status - OMKT_OK while usable, else the error; @msg its text. */
int omkt_out_status(const struct omkt_out *o, const char **msg);

bool omkt_out_wants_video(const struct omkt_out *o);
bool omkt_out_wants_audio(const struct omkt_out *o);

/*
 * omkt_out_next_video_us - for a thumbnails output, the source time (us)
 * of the next frame it wants (INT64_MAX: none); -1 for outputs that want
 * every frame.
 */
int64_t omkt_out_next_video_us(const struct omkt_out *o);

/*
 * omkt_out_video / omkt_out_audio - feed a decoded frame (borrowed; pts in
 * the stream's time base, relative to the source start).  Returns the
 * output's status.
 */
int omkt_out_video(struct omkt_out *o, const AVFrame *f);
int omkt_out_audio(struct omkt_out *o, const AVFrame *f);

/* omkt_out_finish - flush everything and finish the files (not visible). */
int omkt_out_finish(struct omkt_out *o);

/* omkt_out_publish - fsync and rename every file into place. */
int omkt_out_publish(struct omkt_out *o);

/*
 * omkt_out_files - names (relative to outdir) of the published files;
 * borrowed until omkt_out_free().
 */
size_t omkt_out_files(const struct omkt_out *o, const char *const **names);

/* omkt_out_metadata - the output's own metadata (a package's), new; NULL
 * when the caller should probe the file. */
json_t *omkt_out_metadata(const struct omkt_out *o);

/*
 * omkt_out_stream - the muxer's video (@is_video) or audio stream of a
 * single-file output (parameters, extradata), borrowed until
 * omkt_out_free(); NULL when it has none.  *frames: frames encoded.
 */
const AVStream *omkt_out_stream(const struct omkt_out *o, bool is_video,
                                int64_t *frames);

/* omkt_out_free - release @o and remove unpublished files. */
void omkt_out_free(struct omkt_out *o);

#endif

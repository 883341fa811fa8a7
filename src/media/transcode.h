/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transcode - produce one or several settings of one source in one pass:
 * the source is demuxed and decoded once and every output has its own
 * filters, encoders and muxer.  Outputs are written under temporary names
 * in the output directory and renamed into place only when complete.
 *
 * Output names (relative to outdir): "<id>.<extension>" for single-file
 * settings ("14.mp4", "52.mp3"); for thumbnails (101)
 * "101_NN.jpg" and "101_NN_100x100.jpg", NN = 01..20.
 * Temporary names: ".<name>.tmp-<tag>" in outdir.
 */
#ifndef OMKT_MEDIA_TRANSCODE_H
#define OMKT_MEDIA_TRANSCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

/* omkt_progress_fn - @fraction in [0, 1] of the source's duration done. */
typedef void (*omkt_progress_fn)(void *ctx, double fraction);

/* omkt_should_stop_fn - true to cancel the transcode (OMKT_ECANCELLED). */
typedef bool (*omkt_should_stop_fn)(void *ctx);

/*
 * struct omkt_out_limits - what an output may grow to, relative to its
 * source, so that a filter (setpts=20*PTS) or a size cannot turn a short
 * upload into an hour of video.  Checked while encoding: an output that
 * passes a limit stops at once and fails with OMKT_ETOOBIG.
 *   duration: output time <= max(source * duration_pct / 100,
 *                                source + duration_slack_ms), "source"
 *             being the source time decoded so far;
 *   pixel rate: width * height * fps of the output <=
 *             max(source's * pixel_rate_pct / 100, pixel_rate_max).
 */
struct omkt_out_limits {
    int64_t duration_pct;
    int64_t duration_slack_ms;
    int64_t pixel_rate_pct;
    int64_t pixel_rate_max; /* pixels per second */
};

/* The defaults (docs/media.md, "Limits"): 1080p60 is always allowed. */
#define OMKT_OUT_LIMITS_DEFAULT                                                \
    {                                                                          \
        200, 10000, 400, 1920LL * 1080 * 60                                    \
    }

struct omkt_transcode_opts {
    omkt_progress_fn progress_fn; /* at least once a second; may be NULL */
    void *progress_ctx;
    const volatile int *stop; /* non-zero: OMKT_ESHUTDOWN; may be NULL */
    /* may be NULL; called from the calling thread */
    omkt_should_stop_fn should_stop_fn;
    void *stop_ctx;
    const char *tmp_tag; /* temp name tag, e.g. "host-pid-job"; NULL: pid */
    int threads;         /* per codec; 0 = auto (transcode.c plans them) */
    const struct omkt_out_limits *limits; /* NULL: OMKT_OUT_LIMITS_DEFAULT */
};

struct omkt_output_result {
    int setting_id;
    int status;                    /* OMKT_OK or the setting's error */
    char message[OMKT_ERRBUF_LEN]; /* why it failed; "" when ok */
    char **files;                  /* names relative to outdir, in order */
    size_t n_files;
    json_t *metadata; /* probe of the (first) file + "cardinality"; or NULL */
};

struct omkt_transcode_result {
    struct omkt_output_result *outputs; /* one per requested id, in order */
    size_t n;
};

/*
 * omkt_transcode - produce settings @ids[0..@n) of @src into @outdir
 * (an existing directory on the same filesystem as the final files).
 * @opts may be NULL.  @res is zeroed on entry and always filled (one entry
 * per id, even on failure; release with omkt_transcode_result_clear()).
 *
 * Each output succeeds or fails on its own: an unknown id, an audio
 * setting for a source without audio, a video setting for a source
 * without video, an unknown encoder or muxer option (OMKT_EINVAL), an
 * output past its limits (OMKT_ETOOBIG), or an encoder error fail only
 * that output, whose
 * temporary files are removed while the others go on and are published.
 * Returns OMKT_OK when every output succeeded; otherwise the first failed
 * output's code (with its message in @eb), or for the whole job:
 * OMKT_EMEDIA/OMKT_ENOTFOUND/OMKT_EIO (source unreadable),
 * OMKT_ESHUTDOWN (*opts->stop set) or OMKT_ECANCELLED (should_stop_fn), in
 * which case no output (complete or not) is left in @outdir.
 * Thread-safe: every call has its own state.
 */
int omkt_transcode(const char *src, const char *outdir, const int *ids,
                   size_t n, const struct omkt_transcode_opts *opts,
                   struct omkt_transcode_result *res, struct omkt_errbuf *eb);

struct omkt_setting;

/*
 * omkt_transcode_with - the same with the settings themselves (borrowed,
 * none NULL; e.g. a job's own from omkt_setting_from_json()).  The
 * output names and result ids are the settings' ids.
 */
int omkt_transcode_with(const char *src, const char *outdir,
                        const struct omkt_setting *const *sets, size_t n,
                        const struct omkt_transcode_opts *opts,
                        struct omkt_transcode_result *res,
                        struct omkt_errbuf *eb);

/* omkt_transcode_result_clear - free what @res holds; NULL is fine. */
void omkt_transcode_result_clear(struct omkt_transcode_result *res);

#endif

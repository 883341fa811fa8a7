/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * download - the download job: fetch a media's original (adapter "http":
 * an http(s) URL, or an s3:// one, see s3src.h)
 * or import it from the import directory (adapter "local"), publish it as
 * media/ACCOUNT/MEDIA/original, then mark the media local and queue its
 * metadata job; on final failure mark it download_failed and queue a
 * transcoder_send_alert for the CMS.
 */
#ifndef OMKT_DOWNLOADERD_DOWNLOAD_H
#define OMKT_DOWNLOADERD_DOWNLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/jobworker.h"

/* The [downloaderd] section. */
struct dl_conf {
    int64_t workers;
    int64_t max_size;
    int64_t timeout_ms;
    int64_t connect_timeout_ms;
    int64_t min_speed;         /* bytes/s; 0: no minimum */
    int64_t min_speed_time_ms; /* under min_speed this long: cut */
    bool allow_private;
    char *import_dir; /* NULL or "": the local adapter is off */
};

/* download_init - use @conf (borrowed for the process's life). */
void download_init(const struct dl_conf *conf);

/* The worker hooks (see common/jobworker.h). */
int download_handle(struct omkt_jobctx *ctx);
int download_on_done(struct omkt_jobctx *ctx);
int download_on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                       bool is_final);
void download_cleanup(struct omkt_jobctx *ctx);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * downloaderd - fetches the originals CMSs submit into the document root:
 * queue workers of task 'download' on the daemon skeleton.  The policy is
 * in download.c (job and hooks), fetch.c (libcurl; which addresses may
 * be reached is common/addrpol.c's, applied by common/httpc.c) and local.c
 * (the "local" adapter).
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>

#include "common/daemon.h"
#include "common/jobworker.h"
#include "common/s3job.h"
#include "download.h"

static struct dl_conf dc;

#define DK(name, type, def, min, max, field)                                   \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct dl_conf, field)                                    \
    }

static const struct omkt_conf_key dl_keys[] = {
    DK("workers", OMKT_CONF_INT, "2", 1, OMKT_MAX_WORKERS, workers),
    DK("max_size", OMKT_CONF_SIZE, "4G", 1, INT64_MAX, max_size),
    DK("timeout", OMKT_CONF_DURATION, "2h", 1000, 7 * 86400000LL, timeout_ms),
    DK("connect_timeout", OMKT_CONF_DURATION, "30s", 100, 3600000,
       connect_timeout_ms),
    DK("min_speed", OMKT_CONF_SIZE, "1K", 0, INT64_MAX, min_speed),
    DK("min_speed_time", OMKT_CONF_DURATION, "60s", 1000, 86400000,
       min_speed_time_ms),
    DK("allow_private", OMKT_CONF_BOOL, "no", 0, 1, allow_private),
    DK("import_dir", OMKT_CONF_STR, NULL, 0, -1, import_dir),
};

static struct omkt_worker_spec wspec = {
    .task = OMKT_TASK_DOWNLOAD,
    .handle = download_handle,
    .on_done = download_on_done,
    .on_failed = download_on_failed,
    .cleanup = download_cleanup,
};

static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    int ret = omkt_s3job_init(d->conf_path, eb);

    if (ret != OMKT_OK)
        return ret;
    wspec.nthreads = (unsigned)dc.workers;
    download_init(&dc);
    return omkt_worker_daemon_start(d, eb);
}

static void finish(struct omkt_daemon *d)
{
    omkt_worker_daemon_finish(d);
    omkt_s3job_finish();
}

int main(int argc, char **argv)
{
    static const struct omkt_conf_section secs[] = {
        {"downloaderd", dl_keys, sizeof(dl_keys) / sizeof(dl_keys[0]), &dc},
    };
    const struct omkt_daemon_spec spec = {
        .name = "downloaderd",
        .sections = secs,
        .nsections = 1,
        .start = start,
        .finish = finish,
        .ctx = &wspec,
    };
    int ret;

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fprintf(stderr, "downloaderd: curl_global_init failed\n");
        return 1;
    }
    ret = omkt_daemon_run(&spec, argc, argv);
    curl_global_cleanup();
    return ret;
}

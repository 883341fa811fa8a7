/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transcoderd - produces the settings asked for a media with the
 * in-process engine (src/media), publishes them atomically, records their
 * metadata and queues one format callback per setting.  Any number may
 * run on any host.  With [transcoderd] queue = sqs it is a cloud worker
 * instead (cloud.h): jobs from SQS, files in S3, no database.
 */
#include <curl/curl.h>
#include <libavutil/log.h>
#include <stdio.h>

#include <string.h>

#include "cloud.h"
#include "common/alloc.h"
#include "common/daemon.h"
#include "common/housekeep.h"
#include "common/jobworker.h"
#include "common/s3job.h"
#include "media/avlog.h"
#include "media/settings.h"
#include "transcode_job.h"

/* [transcoderd]: the engine's keys and the job source's. */
static struct td_conf {
    struct tjob_conf tc;
    char *queue;   /* db | sqs */
    char *scratch; /* sqs: local temp area */
    bool is_idle_halt;
} td;
static struct omkt_cloud_conf cc;

#define TK(name, type, def, min, max, field)                                   \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct td_conf, field)                                    \
    }
static const struct omkt_conf_key keys[] = {
    TK("workers", OMKT_CONF_INT, "1", 1, OMKT_MAX_WORKERS, tc.workers),
    TK("batch", OMKT_CONF_BOOL, "yes", 0, -1, tc.is_batch),
    TK("min_free", OMKT_CONF_SIZE, "1G", 0, -1, tc.min_free),
    TK("threads", OMKT_CONF_INT, "0", 0, 64, tc.threads),
    TK("max_duration_pct", OMKT_CONF_INT, "200", 100, 100000,
       tc.limits.duration_pct),
    TK("duration_slack", OMKT_CONF_DURATION, "10s", 0, 86400000,
       tc.limits.duration_slack_ms),
    TK("max_pixel_rate_pct", OMKT_CONF_INT, "400", 100, 100000,
       tc.limits.pixel_rate_pct),
    TK("max_pixel_rate", OMKT_CONF_INT, "124416000", 0, INT64_MAX,
       tc.limits.pixel_rate_max),
    TK("queue", OMKT_CONF_STR, "db", 0, -1, queue),
    TK("scratch", OMKT_CONF_STR, "/var/tmp", 0, -1, scratch),
    TK("idle_halt", OMKT_CONF_BOOL, "no", 0, -1, is_idle_halt),
};

static struct omkt_maint_conf mc;

static struct omkt_worker_spec wspec = {
    .task = OMKT_TASK_TRANSCODE,
    .handle = tjob_handle,
    .on_done = tjob_done,
    .on_failed = tjob_failed,
    .cleanup = tjob_cleanup,
};

/* is_sqs - the cloud worker's job source (no database). */
static bool is_sqs(const struct omkt_daemon *d)
{
    (void)d;
    return td.queue != NULL && strcmp(td.queue, "sqs") == 0;
}

/* start_sqs - the cloud worker (cloud.h). */
static int start_sqs(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    static struct cloud_conf cf;

    cf = (struct cloud_conf){.cloud = &cc,
                             .tc = &td.tc,
                             .scratch = td.scratch,
                             .is_halt_fallback = td.is_idle_halt};
    return cloud_start(d, &cf, eb);
}

static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    if (!is_sqs(d) && strcmp(td.queue, "db") != 0) {
        omkt_errf(eb, "transcoderd.queue = %s: expected db or sqs", td.queue);
        return OMKT_ECONF;
    }
    td.tc.docroot = d->common.docroot;
    if (d->common.settings_file != NULL && *d->common.settings_file != '\0')
        ret = omkt_settings_load_file(d->common.settings_file, eb);
    if (ret != OMKT_OK)
        return ret;
    omkt_media_log_init(AV_LOG_ERROR);
    if (is_sqs(d))
        return start_sqs(d, eb);
    ret = omkt_s3job_init(d->conf_path, eb);
    if (ret != OMKT_OK)
        return ret;
    wspec.nthreads = (unsigned)td.tc.workers;
    ret = omkt_worker_daemon_start(d, eb);
    return ret == OMKT_OK ? omkt_maint_start(d, &mc, eb) : ret;
}

static void finish(struct omkt_daemon *d)
{
    if (is_sqs(d)) {
        cloud_finish(d);
        return;
    }
    omkt_worker_daemon_finish(d);
    omkt_s3job_finish();
}

int main(int argc, char **argv)
{
    const struct omkt_conf_section secs[] = {
        {"transcoderd", keys, OMKT_ARRAY_LEN(keys), &td},
        {"maintenance", omkt_maint_conf_keys, omkt_maint_conf_nkeys, &mc},
        {"cloud", omkt_cloud_conf_keys, omkt_cloud_conf_nkeys, &cc},
    };
    const struct omkt_daemon_spec spec = {
        .name = "transcoderd",
        .sections = secs,
        .nsections = OMKT_ARRAY_LEN(secs),
        .start = start,
        .finish = finish,
        .ctx = &wspec,
        .is_dbless = is_sqs,
    };

    int ret;

    tjob_init(&td.tc);
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) { /* S3 uploads */
        fprintf(stderr, "transcoderd: curl_global_init failed\n");
        return 1;
    }
    ret = omkt_daemon_run(&spec, argc, argv);
    curl_global_cleanup();
    return ret;
}

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
#include "common/db_cloud.h"
#include "common/s3job.h"
#include "common/scaler_svc.h"
#include "media/avlog.h"
#include "media/settings.h"
#include "bridge.h"
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
    TK("workers", OMKT_CONF_INT, "1", 0, OMKT_MAX_WORKERS, tc.workers),
    TK("bridge", OMKT_CONF_BOOL, "no", 0, -1, tc.is_bridge),
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
    TK("segment_min", OMKT_CONF_DURATION, "0", 0, INT64_MAX, tc.segment_min_ms),
    TK("segment_length", OMKT_CONF_DURATION, "60s", 1000, 86400000,
       tc.segment_length_ms),
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

/* the EC2 scaler candidate of the bridge role (NULL: max_instances = 0) */
static struct omkt_scaler_svc *scaler;

/* scaler_backlog - the bridge's jobs sent and not yet resulted
 * (db_cloud, on branch bridge): waiting and in flight together, which is
 * what the scaling decision adds up. */
static int scaler_backlog(void *arg, struct omkt_db *db,
                          struct omkt_scaler_backlog *out,
                          struct omkt_errbuf *eb)
{
    struct omkt_cloud_counts n;
    int ret = omkt_cloud_counts(db, &n, eb);

    (void)arg;
    *out = (struct omkt_scaler_backlog){.waiting =
                                            ret == OMKT_OK ? (int)n.out : 0};
    return ret;
}

/* scaler_start - a scaler candidate beside the bridge, database side
 * only: only the candidate holding the cluster's lease starts instances
 * (docs/cloud.md, "Scaler"); none when [cloud] max_instances is 0. */
static int scaler_start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    struct omkt_scaler_svc_conf c = {
        .db = &d->db, .scaler = {.cloud = &cc, .backlog = scaler_backlog}};

    return omkt_scaler_svc_open(d->conf_path, &c, &scaler, eb);
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
    ret = td.tc.workers > 0 || !td.tc.is_bridge
              ? omkt_worker_daemon_start(d, eb)
              : OMKT_OK;
    if (ret == OMKT_OK && td.tc.is_bridge)
        ret = bridge_start(d, eb);
    if (ret == OMKT_OK && td.tc.is_bridge)
        ret = scaler_start(d, eb);
    return ret == OMKT_OK ? omkt_maint_start(d, &mc, eb) : ret;
}

static void finish(struct omkt_daemon *d)
{
    if (is_sqs(d)) {
        cloud_finish(d);
        return;
    }
    omkt_scaler_svc_stop(scaler); /* hands the lease over at once */
    scaler = NULL;
    omkt_worker_daemon_finish(d);
    if (td.tc.is_bridge)
        bridge_stop();
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

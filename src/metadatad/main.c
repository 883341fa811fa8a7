/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metadatad - reads the metadata of downloaded originals (the probe of
 * src/media), stores it, marks the media ok or failed and queues the
 * metadata callback (or the alert).  Any number may run on any host.
 */
#include "common/alloc.h"
#include "common/daemon.h"
#include "common/housekeep.h"
#include "common/jobworker.h"
#include "media/avlog.h"
#include "probe_job.h"

#include <libavutil/log.h>

static struct probe_conf pc;

static const struct omkt_conf_key keys[] = {
    {"workers", OMKT_CONF_INT, "1", 1, OMKT_MAX_WORKERS, false, false,
     offsetof(struct probe_conf, workers)},
    {"crop_detect", OMKT_CONF_BOOL, "no", 0, -1, false, false,
     offsetof(struct probe_conf, is_crop_detect)},
};

static struct omkt_maint_conf mc;

static struct omkt_worker_spec wspec = {
    .task = OMKT_TASK_METADATA,
    .handle = probe_job_handle,
    .on_done = probe_job_done,
    .on_failed = probe_job_failed,
    .cleanup = probe_job_cleanup,
};

static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    int ret;

    pc.docroot = d->common.docroot;
    wspec.nthreads = (unsigned)pc.workers;
    omkt_media_log_init(AV_LOG_ERROR);
    ret = omkt_worker_daemon_start(d, eb);
    return ret == OMKT_OK ? omkt_maint_start(d, &mc, eb) : ret;
}

int main(int argc, char **argv)
{
    const struct omkt_conf_section secs[] = {
        {"metadatad", keys, OMKT_ARRAY_LEN(keys), &pc},
        {"maintenance", omkt_maint_conf_keys, omkt_maint_conf_nkeys, &mc},
    };
    const struct omkt_daemon_spec spec = {
        .name = "metadatad",
        .sections = secs,
        .nsections = OMKT_ARRAY_LEN(secs),
        .start = start,
        .finish = omkt_worker_daemon_finish,
        .ctx = &wspec,
    };

    probe_job_init(&pc);
    return omkt_daemon_run(&spec, argc, argv);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * housekeep - the periodic maintenance job.  One job of task
 * 'maintenance' exists at a time; whichever daemon runs a maintenance
 * worker claims it when due, purges originals and outputs older than the
 * retention (media marked expired), trims finished jobs and the API call
 * log, removes orphaned temp files, and queues the next run.
 */
#ifndef OMKT_COMMON_HOUSEKEEP_H
#define OMKT_COMMON_HOUSEKEEP_H

#include "daemon.h"

/* The [maintenance] section. */
struct omkt_maint_conf {
    int64_t retention_ms;
    int64_t keep_jobs_ms;
    int64_t keep_api_calls_ms;
    int64_t interval_ms;
};

extern const struct omkt_conf_key omkt_maint_conf_keys[];
extern const size_t omkt_maint_conf_nkeys;

/*
 * omkt_maint_start - start the maintenance worker thread of daemon @d
 * (and queue the first run if none is pending).  @mc is borrowed for the
 * daemon's life.
 */
int omkt_maint_start(struct omkt_daemon *d, const struct omkt_maint_conf *mc,
                     struct omkt_errbuf *eb);

#endif

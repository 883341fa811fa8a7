/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_counters - the all-time job series of /metrics (cluster scope):
 * omkt_jobs_finished_total{task,outcome} and the histogram
 * omkt_job_run_seconds{task} of done jobs, from common/db_counters (never
 * decreasing, whatever is purged from `jobs`).
 */
#ifndef OMKT_APID_METRICS_COUNTERS_H
#define OMKT_APID_METRICS_COUNTERS_H

#include "apid/sbuf.h"
#include "common/db.h"

/* metrics_counters - append the series to @b; OMKT_OK or the DB error. */
int metrics_counters(struct omkt_db *db, struct sbuf *b);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_counters - the all-time job counters (owns `job_counters`): jobs
 * done and failed per task, and the run-time histogram of done jobs.
 * Prometheus counters must never decrease, and counts over `jobs` do when
 * finished rows are purged; these rows are bumped in the transaction that
 * ends each job and never purged.
 */
#ifndef OMKT_COMMON_DB_COUNTERS_H
#define OMKT_COMMON_DB_COUNTERS_H

#include <stdint.h>

#include "db.h"

/* The histogram's upper bounds in seconds (columns le_N). */
#define OMKT_COUNTERS_NBUCKETS 6
extern const int omkt_counters_buckets[OMKT_COUNTERS_NBUCKETS];

/*
 * omkt_counters_job_ended - count job @id if it has just ended done or
 * failed (a job requeued for another attempt, released or cancelled is
 * not counted).  Call it inside the transaction that ended the job, after
 * the state change, so that the count commits with it.
 */
int omkt_counters_job_ended(struct omkt_db *db, int64_t id,
                            struct omkt_errbuf *eb);

/* omkt_counters_read - task, outcome, jobs, seconds (text), then the
 * le_N counts in the order of omkt_counters_buckets.  *res is new. */
int omkt_counters_read(struct omkt_db *db, struct omkt_dbres **res,
                       struct omkt_errbuf *eb);

#endif

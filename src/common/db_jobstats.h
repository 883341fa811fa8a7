/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_jobstats - the read-only aggregates over `jobs` that the dashboard
 * and /metrics show: counts by task and state, running jobs, recent
 * failures, throughput and durations.  It only reads `jobs` (joining
 * `processes` for a running job's host and pid) and never writes: the
 * queue and every state change stay in db_jobs.c, which owns `jobs`.
 */
#ifndef OMKT_COMMON_DB_JOBSTATS_H
#define OMKT_COMMON_DB_JOBSTATS_H

#include "db.h"

/* omkt_jobstats_counts - task, state, count over every job. */
int omkt_jobstats_counts(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb);

/* omkt_jobstats_oldest - task, seconds the oldest queued job of that task
 * has existed, for tasks with queued jobs. */
int omkt_jobstats_oldest(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb);

/* omkt_jobstats_running - id, task, media_id, progress, host, pid,
 * seconds running, for running jobs (oldest first, at most 50). */
int omkt_jobstats_running(struct omkt_db *db, struct omkt_dbres **res,
                          struct omkt_errbuf *eb);

/* omkt_jobstats_failures - id, task, media_id, attempts, error,
 * finished (newest first, at most 20). */
int omkt_jobstats_failures(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb);

/* omkt_jobstats_throughput - task, bucket (0..11, 5-minute slots, 11 =
 * now), count of jobs done in the last hour. */
int omkt_jobstats_throughput(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb);

/* omkt_jobstats_durations - task, count, sum of seconds, then the counts
 * at or under 1, 5, 30, 60, 300, 1800 s, over finished (done) jobs. */
int omkt_jobstats_durations(struct omkt_db *db, struct omkt_dbres **res,
                            struct omkt_errbuf *eb);

#endif

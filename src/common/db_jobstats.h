/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_jobstats - the read-only aggregates over `jobs` that the dashboard
 * and /metrics show: counts by task and state, running jobs, recent
 * failures, throughput and durations, and the dashboard's list of media
 * with their jobs.  It only reads `jobs` (joining `processes` for a
 * running job's host and pid, `media`, `accounts` and `transcodes` for
 * the media list) and never writes: the queue and every state change
 * stay in db_jobs.c, which owns `jobs` (db_media.c owns `media`).
 */
#ifndef OMKT_COMMON_DB_JOBSTATS_H
#define OMKT_COMMON_DB_JOBSTATS_H

#include <stdint.h>

#include "db.h"

/* The job states, in the order the operator pages show them; "waiting"
 * (a split job's parent) last: the first OMKT_SEGVIEW_NSTATES are the
 * states of a child (db_segview.h). */
#define OMKT_JOBSTATS_NSTATES 7
extern const char *const omkt_jobstats_states[OMKT_JOBSTATS_NSTATES];

/* omkt_jobstats_counts - task, state, count over every job. */
int omkt_jobstats_counts(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb);

/* omkt_jobstats_count_of - the count of (@task, @state) in a result of
 * omkt_jobstats_counts, 0 when absent. */
int64_t omkt_jobstats_count_of(const struct omkt_dbres *res, const char *task,
                               const char *state);

/* omkt_jobstats_oldest - task, seconds the oldest queued job of that task
 * has existed, for tasks with queued jobs. */
int omkt_jobstats_oldest(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb);

/* omkt_jobstats_trimmable - *n finished jobs (done, failed, cancelled)
 * that ended over @age_s ago: what omkt_job_trim would delete, counted
 * first so that omktctl can show a purge's progress. */
int omkt_jobstats_trimmable(struct omkt_db *db, int64_t age_s, int64_t *n,
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
 * at or under 1, 5, 30, 60, 300, 1800 s, over the jobs done in the last
 * hour (a window: purging older rows never changes it). */
int omkt_jobstats_durations(struct omkt_db *db, struct omkt_dbres **res,
                            struct omkt_errbuf *eb);

/*
 * omkt_jobstats_media - the newest 30 media (newest first) of @account
 * (an account id or email; "" for all) that have a job in @state (a job
 * state; "" for any): id, account email, remote (CMS) id, source URL,
 * media state, its transcodes "SETTING STATE, ...", then of its running
 * job, if any: task, host, progress, seconds running.
 */
int omkt_jobstats_media(struct omkt_db *db, const char *account,
                        const char *state, struct omkt_dbres **res,
                        struct omkt_errbuf *eb);

#endif

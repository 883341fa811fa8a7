/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_api - the SQL of the HTTP front (apid) that no other module owns:
 * the per-call log (owns `api_calls`), the REST/media-nommer columns of
 * `media` added by migration 0002 (want_settings, notify_url,
 * idempotency_key, priority) and the read-only aggregates of the
 * dashboard and /metrics over `jobs` and `processes`.
 *
 * XXX: the media and jobs statements here belong with db_media.c and
 * db_jobs.c by STYLE 1; they live here until the owner takes them over.
 */
#ifndef OMKT_COMMON_DB_API_H
#define OMKT_COMMON_DB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One logged API call.  Strings are borrowed. */
struct omkt_api_call {
    int64_t account_id; /* 0: none (public call or unknown key) */
    const char *action;
    const char *application;
    const char *version;
    int code;
    const char *remote_addr;
    int64_t at_ms; /* wall clock of the call, ms since the epoch */
};

/* omkt_api_calls_insert - log @n calls (batched multi-row INSERTs). */
int omkt_api_calls_insert(struct omkt_db *db, const struct omkt_api_call *c,
                          size_t n, struct omkt_errbuf *eb);

/* A media submitted through REST or media-nommer.  Strings borrowed. */
struct omkt_api_submit {
    int64_t account_id;
    const char *url;
    const char *adapter;         /* "http" or "local" */
    const char *local_path;      /* non-NULL: already local (relative) */
    const char *want_settings;   /* "11,15" or NULL */
    const char *notify_url;      /* or NULL */
    const char *idempotency_key; /* or NULL */
    const char *job_options;     /* media-nommer mapping (JSON) or NULL */
    int priority;
};

/*
 * omkt_api_media_add - insert the media row (remote_id = -id).  OMKT_EEXIST
 * when the account already used the idempotency key (*id is then the
 * existing media).  Call inside a transaction with the job enqueue.
 */
/*
 * omkt_api_calls_trim - delete up to @limit call log rows older than
 * @age_s; *n counts them (housekeeping).
 */
int omkt_api_calls_trim(struct omkt_db *db, int64_t age_s, int64_t limit,
                        unsigned *n, struct omkt_errbuf *eb);

int omkt_api_media_add(struct omkt_db *db, const struct omkt_api_submit *s,
                       int64_t *id, struct omkt_errbuf *eb);

/* omkt_api_media_by_key - the media of an idempotency key, ENOTFOUND. */
int omkt_api_media_by_key(struct omkt_db *db, int64_t account_id,
                          const char *key, int64_t *id, struct omkt_errbuf *eb);

/*
 * omkt_api_media_view - one media of @account_id for the REST API: id,
 * state, url, created, error, metadata, want_settings, notify_url,
 * idempotency_key, priority.  *res is new (no row: not the account's).
 */
int omkt_api_media_view(struct omkt_db *db, int64_t account_id, int64_t id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/*
 * omkt_api_media_children - the media's transcodes then jobs (notify jobs
 * excepted) in one result: kind ('t' or 'j'), then for 't': setting_id,
 * state, progress, cardinality, error; for 'j': id, task, state,
 * progress, error.  *res is new.
 */
int omkt_api_media_children(struct omkt_db *db, int64_t id,
                            struct omkt_dbres **res, struct omkt_errbuf *eb);

/* Filters of omkt_api_media_list.  NULL/0: any. */
struct omkt_api_media_filter {
    int64_t account_id; /* required */
    const char *state;
    int64_t after_id; /* paging: ids below this (newest first); 0: start */
    int64_t limit;
};

/*
 * omkt_api_media_list - newest first: id, remote_id, state, url, created,
 * error, want_settings, priority.  *res is new.
 */
int omkt_api_media_list(struct omkt_db *db,
                        const struct omkt_api_media_filter *f,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_api_media_jobs - id, task, state of a media's jobs (oldest first). */
int omkt_api_media_jobs(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_api_job_counts - task, state, count over every job. */
int omkt_api_job_counts(struct omkt_db *db, struct omkt_dbres **res,
                        struct omkt_errbuf *eb);

/* omkt_api_running_jobs - id, task, media_id, progress, host, pid,
 * seconds running, for running jobs (oldest first, at most 50). */
int omkt_api_running_jobs(struct omkt_db *db, struct omkt_dbres **res,
                          struct omkt_errbuf *eb);

/* omkt_api_recent_failures - id, task, media_id, attempts, error,
 * finished (newest first, at most 20). */
int omkt_api_recent_failures(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb);

/* omkt_api_throughput - task, bucket (0..11, 5-minute slots, 11 = now),
 * count of jobs done in the last hour. */
int omkt_api_throughput(struct omkt_db *db, struct omkt_dbres **res,
                        struct omkt_errbuf *eb);

/* omkt_api_durations - task, count, sum of seconds, then the counts at
 * or under 1, 5, 30, 60, 300, 1800 s, over finished (done) jobs. */
int omkt_api_durations(struct omkt_db *db, struct omkt_dbres **res,
                       struct omkt_errbuf *eb);

/* omkt_api_workers_alive - role, count of running/draining processes. */
int omkt_api_workers_alive(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_cloud - the bridge's tables (owns every SQL statement on
 * cloud_jobs and cloud_results; docs/cloud.md, "Bridge").
 *
 * DESIGN: cloud_jobs keeps, per transcode job out in the cloud tier, the
 * token of its current send and where its source and outputs are staged.
 * It is written before the job message is sent and outlives the bridge,
 * so a bridge that claims the job after a crash adopts the send (waits
 * for that token's result) instead of sending it again.  cloud_results
 * stores a result message exactly once per (job, token), and only while
 * that token is the job's current one: a result of an older send is
 * stale and dropped.  Both rows go in the transaction that ends the job.
 */
#ifndef OMKT_COMMON_DB_CLOUD_H
#define OMKT_COMMON_DB_CLOUD_H

#include <stdbool.h>
#include <stdint.h>

#include "cloudmsg.h"
#include "db.h"

/* A job's current send (strings new: omkt_cloud_send_clear). */
struct omkt_cloud_send {
    int64_t job_id;
    char token[OMKT_CLOUDMSG_TOKEN_LEN + 1];
    char *source_uri; /* s3://... of the staged original */
    char *out_prefix; /* s3://.../ the worker's outputs go under */
    int64_t age_ms;   /* since the send */
    int sends;        /* how many sends this job had */
};

/* omkt_cloud_send_get - the current send of @job_id; OMKT_ENOTFOUND. */
int omkt_cloud_send_get(struct omkt_db *db, int64_t job_id,
                        struct omkt_cloud_send *out, struct omkt_errbuf *eb);
void omkt_cloud_send_clear(struct omkt_cloud_send *s);

/* omkt_cloud_send_put - record a new send of s->job_id (token, staging
 * keys; age and sends are the table's), replacing the previous one. */
int omkt_cloud_send_put(struct omkt_db *db, const struct omkt_cloud_send *s,
                        struct omkt_errbuf *eb);

/* omkt_cloud_send_forget - the job's send and results are gone (the job
 * ended here: inside the transaction that ends it). */
int omkt_cloud_send_forget(struct omkt_db *db, int64_t job_id,
                           struct omkt_errbuf *eb);

enum omkt_cloud_stored {
    OMKT_CLOUD_STORED,    /* new: the holder will publish it */
    OMKT_CLOUD_DUPLICATE, /* already stored (a message delivered twice) */
    OMKT_CLOUD_STALE,     /* not the job's current token, or no such job */
};

/*
 * omkt_cloud_result_store - store result @body (@is_dead: a dead letter)
 * of (@job_id, @token) once; *how says what happened.  After OMKT_OK the
 * message may be deleted from SQS.
 */
int omkt_cloud_result_store(struct omkt_db *db, int64_t job_id,
                            const char *token, bool is_dead, const char *body,
                            enum omkt_cloud_stored *how,
                            struct omkt_errbuf *eb);

/* omkt_cloud_result_get - the stored result of (@job_id, @token): *body
 * new (free()).  OMKT_ENOTFOUND when none came yet. */
int omkt_cloud_result_get(struct omkt_db *db, int64_t job_id, const char *token,
                          char **body, struct omkt_errbuf *eb);

/* Gauges for /metrics. */
struct omkt_cloud_counts {
    int64_t out;     /* sent, no result stored yet */
    int64_t results; /* stored, not yet published by their holder */
    int64_t dead;    /* of which dead letters */
};

int omkt_cloud_counts(struct omkt_db *db, struct omkt_cloud_counts *out,
                      struct omkt_errbuf *eb);

/* omkt_cloud_trim - forget sends of jobs that ended elsewhere (a local
 * worker finished a requeued job, an operator cancelled it); *n rows. */
int omkt_cloud_trim(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_job - one received job message, from decoding to deleting: the
 * SQS protocol of the cloud worker.
 *
 * DESIGN: the message is deleted only after its result was sent (SQS
 * stored it): a worker that dies before loses nothing, the message comes
 * back after its visibility timeout.  A message received more than
 * max_receive_count times is not tried: a dead result (is_dead) is sent
 * and the message deleted.  A message that does not decode is left to
 * SQS's redrive (its lease runs out; the dead-letter queue takes it),
 * and deleted once over the count if no redrive policy did.  A lost
 * lease publishes nothing and deletes nothing (the message is someone
 * else's); a stop or a transient failure releases the message (at once,
 * or after a short delay that grows with its receive count).
 */
#ifndef OMKT_TRANSCODERD_CLOUD_JOB_H
#define OMKT_TRANSCODERD_CLOUD_JOB_H

#include "cloud.h"
#include "common/awsreq.h"
#include "common/sqs.h"

/* One worker loop's state (cloud_worker.c owns it). */
struct cloud_loop {
    const struct cloud_env *e;
    struct omkt_aws *sqs; /* this loop's client; its stop hook is the
                             daemon's stop */
    char *jobs_url;       /* new */
    char *results_url;    /* new */
    unsigned index;
    pthread_t thread;
    bool has_thread;
};

/* cloud_loop_is_stopping - the loop client's stop hook (@arg: the loop). */
bool cloud_loop_is_stopping(void *arg);

/* cloud_job_handle - handle message @m of the jobs queue to its end. */
void cloud_job_handle(struct cloud_loop *lp, const struct omkt_sqs_message *m);

#endif

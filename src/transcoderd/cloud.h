/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud - transcoderd's SQS job source ([transcoderd] queue = sqs): the
 * cloud worker of docs/cloud.md, "Cloud worker".  It needs no database:
 * jobs come from the [cloud] jobs queue, sources and outputs live in S3,
 * results go to the results queue.
 *
 * DESIGN: [transcoderd] workers loops (cloud_worker.c), each with its own
 * SQS client, long-poll one message at a time and handle it
 * (cloud_job.c): decode, check the receive count, lease (cloud_lease.c),
 * download, run the engine, upload (cloud_work.c), send the result, and
 * delete the message only after the send succeeded.  One watcher thread
 * polls the spot interruption notice every 5 s (a notice stops the
 * daemon as SIGTERM does) and terminates the instance after
 * idle_terminate without work.  A stop releases a held message at once
 * (visibility 0).  Clients are made per use from the credentials of the
 * [s3] section (s3cred order: keys, environment, IMDSv2), so temporary
 * credentials stay fresh (cloud_aws.c).
 */
#ifndef OMKT_TRANSCODERD_CLOUD_H
#define OMKT_TRANSCODERD_CLOUD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cloudconf.h"
#include "common/daemon.h"
#include "common/s3cred.h"
#include "transcode_job.h"

/* What the cloud worker is configured with (borrowed for its life). */
struct cloud_conf {
    const struct omkt_cloud_conf *cloud; /* [cloud] */
    const struct tjob_conf *tc;          /* workers, threads, limits */
    const char *scratch;                 /* local temp area */
    bool is_halt_fallback;               /* idle and TerminateInstances failed:
                                            shutdown -h now (off in tests) */
};

/* Shared by the loops and the watcher. */
struct cloud_env {
    struct omkt_daemon *d;
    const struct cloud_conf *cf;
    struct omkt_s3_conf s3; /* [s3] and [s3.NAME]: credentials, store */
    char worker[128];       /* instance id or host name, for results */
    atomic_int busy;        /* loops holding a message */
    atomic_int_least64_t last_work_ms; /* monotonic: last message ended */
    atomic_int polling;                /* loops inside a ReceiveMessage */
    atomic_bool idle_hold; /* idle: loops start no receive (watcher) */
};

/* cloud_start - start the loops and the watcher (transcoderd's start). */
int cloud_start(struct omkt_daemon *d, const struct cloud_conf *cf,
                struct omkt_errbuf *eb);

/* cloud_finish - join them (after the daemon stopped). */
void cloud_finish(struct omkt_daemon *d);

#endif

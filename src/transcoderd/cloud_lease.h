/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_lease - a held SQS message's lease: a thread that extends its
 * visibility timeout (ChangeMessageVisibility to the full [cloud]
 * visibility) every third of it while the worker is busy.  An extend
 * answered ReceiptHandleIsInvalid / MessageNotInflight (OMKT_ELOST) means
 * the message is no longer ours: is_lost is set and the work must stop
 * and publish nothing.  Other failures are retried at the next tick (a
 * third of the lease leaves two more tries).
 */
#ifndef OMKT_TRANSCODERD_CLOUD_LEASE_H
#define OMKT_TRANSCODERD_CLOUD_LEASE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "cloud.h"
#include "common/awsreq.h"

struct cloud_lease {
    const struct cloud_env *e;
    const char *url;      /* borrowed until cloud_lease_stop */
    const char *receipt;  /* borrowed until cloud_lease_stop */
    struct omkt_aws *sqs; /* the thread's own client */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_bool is_stop;
    bool has_thread;
    atomic_bool is_lost;
    atomic_int extends; /* successful extends, for logs and tests */
};

/* cloud_lease_start - extend @receipt of @url until cloud_lease_stop. */
int cloud_lease_start(struct cloud_lease *l, const struct cloud_env *e,
                      const char *url, const char *receipt,
                      struct omkt_errbuf *eb);

/* cloud_lease_stop - stop extending and join the thread (idempotent). */
void cloud_lease_stop(struct cloud_lease *l);

/* cloud_lease_is_lost - the message was taken away: stop, publish nothing. */
bool cloud_lease_is_lost(struct cloud_lease *l);

#endif

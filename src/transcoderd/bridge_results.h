/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_results - the results poller of a bridge: one thread that long
 * polls the results queue (and looks into the dead-letter queue), stores
 * each message in the database (cloud_results, once per job and token)
 * and only then deletes it from SQS.  Any bridge stores any result; the
 * holder of the job publishes it (bridge_send).  A job message found in
 * the dead-letter queue is stored as a dead result of its send.  Every
 * minute it also forgets the sends of jobs that ended elsewhere.
 */
#ifndef OMKT_TRANSCODERD_BRIDGE_RESULTS_H
#define OMKT_TRANSCODERD_BRIDGE_RESULTS_H

#include "bridge_aws.h"

/* bridge_results_start - the thread (@e borrowed until the stop). */
int bridge_results_start(const struct bridge_env *e, struct omkt_errbuf *eb);

/* bridge_results_stop - wait for it (the daemon is stopping). */
void bridge_results_stop(void);

#endif

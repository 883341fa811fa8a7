/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge - transcoderd's cloud bridge role ([transcoderd] bridge = yes;
 * docs/cloud.md, "Bridge"): bridge_jobs more worker threads that claim
 * transcode jobs like the local ones, but only when the [cloud] policy
 * says so, and have them made by cloud workers (bridge_send), plus one
 * results poller (bridge_results).  Any number of bridges may run on any
 * hosts.  Self-contained: main.c calls bridge_start after its own
 * workers and bridge_stop after they are joined.
 */
#ifndef OMKT_TRANSCODERD_BRIDGE_H
#define OMKT_TRANSCODERD_BRIDGE_H

#include "common/daemon.h"

/*
 * bridge_start - read [cloud], find the queues, start the threads.
 * Idle local transcoders anywhere in the cluster (the database's count)
 * veto the overflow policy.  Errors are fatal.
 */
int bridge_start(struct omkt_daemon *d, struct omkt_errbuf *eb);

/* bridge_stop - after omkt_worker_join: stop the poller, free. */
void bridge_stop(void);

#endif

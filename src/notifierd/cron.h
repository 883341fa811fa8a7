/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cron - the transcoder_cron pings: one thread per notifierd sends
 * "action=transcoder_cron" to every enabled account with a callback URL,
 * every cron_interval while the account is active and every 30 minutes
 * (or cron_interval if longer) once it has been inactive for a month.
 * Accounts are claimed in the database (common/db_cron.h), so several
 * notifierds never ping one account twice in an interval.  Pings run in
 * parallel (cron_parallel at once, cron_connect_timeout and cron_timeout
 * each, the reference's 100, 5 s and 240 s), so a slow CMS delays nobody
 * else.  A ping is not a queued job: the next ping is its retry.  Success
 * (the callback acknowledgement rules of callback.h) sets cron_last_ok.
 */
#ifndef OMKT_NOTIFIERD_CRON_H
#define OMKT_NOTIFIERD_CRON_H

#include "callback.h"
#include "common/daemon.h"

/* cron_start - start the thread (@conf borrowed for the process's life). */
int cron_start(struct omkt_daemon *d, const struct nt_conf *conf,
               struct omkt_errbuf *eb);

/* cron_join - wait for the thread after the daemon began stopping. */
void cron_join(void);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_cron - the transcoder_cron bookkeeping on `accounts` (cron_last,
 * cron_last_ok): which accounts are due a ping, and a per-account claim
 * so that any number of notifierds never ping one account twice.
 *
 * An account is active when it was created or made an API call in the
 * last 30 days; active accounts are due every @active_s seconds, others
 * every @inactive_s.  Only enabled accounts with a callback URL are due.
 */
#ifndef OMKT_COMMON_DB_CRON_H
#define OMKT_COMMON_DB_CRON_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* omkt_cron_due - due accounts: rows of (id, url, client_key), at most
 * 1000, *res new (omkt_dbres_free).  A hint only: claim before pinging. */
int omkt_cron_due(struct omkt_db *db, int64_t active_s, int64_t inactive_s,
                  struct omkt_dbres **res, struct omkt_errbuf *eb);

/*
 * omkt_cron_claim - set cron_last = NOW() on account @id if it is still
 * due (one guarded UPDATE, so it is a lease: the winner pings, the others
 * see *is_claimed false).
 */
int omkt_cron_claim(struct omkt_db *db, int64_t id, int64_t active_s,
                    int64_t inactive_s, bool *is_claimed,
                    struct omkt_errbuf *eb);

/* omkt_cron_ok - record a ping the CMS acknowledged (cron_last_ok). */
int omkt_cron_ok(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_scaler - the election of the one active EC2 scaler of a cluster
 * (owns `scaler_lease`).  Any number of candidates call
 * omkt_scaler_lease_take every tick; the one whose name is in the row
 * while its lease runs is the leader.
 *
 * DESIGN: one upsert takes the row when it is missing or its lease has
 * expired, or renews it for its holder; InnoDB serialises concurrent
 * upserts of the row, so two candidates never both hold it.  Times are
 * the database server's (NOW(3)), so the candidates' clocks do not
 * matter.  A leader about to call RunInstances first marks the start
 * with omkt_scaler_lease_start, a guarded update that fails once the
 * lease is another's: a deposed leader starts nothing.  The mark also
 * tells a new leader when the last start was, so it honours the
 * cooldown across the change.
 */
#ifndef OMKT_COMMON_DB_SCALER_H
#define OMKT_COMMON_DB_SCALER_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* What a candidate learns from a take. */
struct omkt_scaler_lease {
    bool is_leader;
    int64_t since_start_ms; /* since the last marked start; -1: never */
};

/*
 * omkt_scaler_lease_take - take or renew the lease of @cluster for
 * @holder, valid @lease_ms from now.  *out says whether @holder leads.
 */
int omkt_scaler_lease_take(struct omkt_db *db, const char *cluster,
                           const char *holder, int64_t lease_ms,
                           struct omkt_scaler_lease *out,
                           struct omkt_errbuf *eb);

/*
 * omkt_scaler_lease_start - record a start now, if @holder still holds
 * an unexpired lease of @cluster; OMKT_ELOST otherwise (start nothing).
 */
int omkt_scaler_lease_start(struct omkt_db *db, const char *cluster,
                            const char *holder, struct omkt_errbuf *eb);

/* omkt_scaler_lease_drop - end @holder's lease at once (clean stop), so
 * another candidate takes over without waiting for it to expire. */
int omkt_scaler_lease_drop(struct omkt_db *db, const char *cluster,
                           const char *holder, struct omkt_errbuf *eb);

/* What a leader saw in one tick: live instances by state, its decision. */
struct omkt_scaler_seen {
    int pending, running, shutting_down, stopping, stopped;
    int wanted; /* instances the decision asked for this tick */
};

/*
 * omkt_scaler_lease_seen - record what @holder, leading @cluster, saw
 * now (apid's /metrics reads it: it never calls AWS).  OMKT_ELOST when
 * the lease is no longer @holder's (nothing written).
 */
int omkt_scaler_lease_seen(struct omkt_db *db, const char *cluster,
                           const char *holder, const struct omkt_scaler_seen *s,
                           struct omkt_errbuf *eb);

/*
 * omkt_scaler_state_read - one row per cluster: cluster, holder, leading
 * (1 while its lease runs, else 0), seconds since the counts were seen
 * (-1: never), pending, running, shutting_down, stopping, stopped,
 * wanted.  *res is new.
 */
int omkt_scaler_state_read(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb);

#endif

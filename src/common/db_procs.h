/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_procs - the registry of running programs (owns `processes` and
 * `drained_hosts`).  Every daemon registers at start, heartbeats while it
 * runs and marks itself stopped on a clean exit.  Its row id is the owner
 * of the jobs it claims.  Reapers mark silent processes dead.
 */
#ifndef OMKT_COMMON_DB_PROCS_H
#define OMKT_COMMON_DB_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* omkt_proc_register - insert a running row; *id is the new owner id. */
int omkt_proc_register(struct omkt_db *db, const char *host, long pid,
                       const char *role, int64_t *id, struct omkt_errbuf *eb);

/*
 * omkt_proc_heartbeat - record liveness and the current job (0: none).
 * *is_draining says whether an operator asked this process (or its host)
 * to drain: stop claiming, finish, exit.  One statement per beat while
 * not draining, two when draining (the idle cost, docs/scaling.md).
 */
int omkt_proc_heartbeat(struct omkt_db *db, int64_t id, const char *host,
                        int64_t current_job, bool *is_draining,
                        struct omkt_errbuf *eb);

/* omkt_proc_stop - the process exits cleanly. */
int omkt_proc_stop(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

/* omkt_proc_mark_dead - processes silent for over @silence_s. */
int omkt_proc_mark_dead(struct omkt_db *db, unsigned silence_s, unsigned *n,
                        struct omkt_errbuf *eb);

/* omkt_host_drain - drain (or, @is_drain false, undrain) @host. */
int omkt_host_drain(struct omkt_db *db, const char *host, bool is_drain,
                    unsigned *n, struct omkt_errbuf *eb);

/* omkt_host_is_known - has any process ever registered from @host (or is
 * it drained)?  For catching a misspelled host. */
int omkt_host_is_known(struct omkt_db *db, const char *host, bool *is_known,
                       struct omkt_errbuf *eb);

/* omkt_host_list - host, processes running, draining, drained ("yes" or
 * "no"), seconds since the last heartbeat of any of its processes. */
int omkt_host_list(struct omkt_db *db, struct omkt_dbres **res,
                   struct omkt_errbuf *eb);

/*
 * omkt_proc_list - running and recently seen processes: id, host, pid,
 * role, state, heartbeat age in seconds, current job, started.  *res is
 * new (omkt_dbres_free).
 */
int omkt_proc_list(struct omkt_db *db, bool is_all, struct omkt_dbres **res,
                   struct omkt_errbuf *eb);

/* omkt_proc_count_alive - role, count of running/draining processes. */
int omkt_proc_count_alive(struct omkt_db *db, struct omkt_dbres **res,
                          struct omkt_errbuf *eb);

/* omkt_proc_count_live - running/draining processes of every role whose
 * heartbeat is younger than @fresh_s (the idle-share N, idleshare.h). */
int omkt_proc_count_live(struct omkt_db *db, unsigned fresh_s, unsigned *n,
                         struct omkt_errbuf *eb);

/* omkt_proc_set_capacity - the jobs process @id runs at once (its local
 * worker threads), for omkt_proc_transcode_load. */
int omkt_proc_set_capacity(struct omkt_db *db, int64_t id, unsigned capacity,
                           struct omkt_errbuf *eb);

/*
 * omkt_proc_transcode_load - one row per transcoderd with a capacity,
 * running or draining: capacity, is_usable (1: running, its host not
 * drained), heartbeat age in ms, and its running transcodes that are not
 * out in the cloud (local work).  *res is new (omkt_dbres_free); read it
 * with omkt_bridge_idle_slots (bridge_policy.h).
 */
int omkt_proc_transcode_load(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb);

/* omkt_proc_set_cloud_fault - why process @id's last send to the cloud
 * tier failed ("credentials", "unreachable"), "" once one succeeds. */
int omkt_proc_set_cloud_fault(struct omkt_db *db, int64_t id, const char *fault,
                              struct omkt_errbuf *eb);

/* omkt_proc_cloud_faults - fault, count of running or draining processes
 * whose last send failed (*res new: omkt_dbres_free). */
int omkt_proc_cloud_faults(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb);

#endif

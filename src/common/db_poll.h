/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_poll - the idle poll of the poll budget (pollbudget.h): one
 * statement that both peeks a task's queue (as omkt_job_peek) and counts
 * the idle pollers of a role in the process registry, so that knowing N
 * costs the cluster nothing beyond the polls the budget already allows.
 * XXX: it reads `jobs` (db_jobs.c's) and `processes` (db_procs.c's): one
 * round trip instead of two is the point of it.
 */
#ifndef OMKT_COMMON_DB_POLL_H
#define OMKT_COMMON_DB_POLL_H

#include <stdbool.h>

#include "db.h"
#include "db_jobs.h"

struct omkt_poll_result {
    bool has_work;     /* a job of the task is queued */
    unsigned npollers; /* idle, live processes of the role */
};

/*
 * omkt_poll_idle - peek @task and count the processes of @role that are
 * running (not draining), hold no job and heartbeat within @fresh_s.
 * *res is zeroed on entry.  OMKT_EDB on failure (see eb).
 */
int omkt_poll_idle(struct omkt_db *db, enum omkt_task task, const char *role,
                   unsigned fresh_s, struct omkt_poll_result *res,
                   struct omkt_errbuf *eb);

#endif

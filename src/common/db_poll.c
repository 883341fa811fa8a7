/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_poll - the idle poll statement (see db_poll.h). */
#include "alloc.h"
#include "db_poll.h"

int omkt_poll_idle(struct omkt_db *db, enum omkt_task task, const char *role,
                   unsigned fresh_s, struct omkt_poll_result *res,
                   struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT EXISTS(SELECT 1 FROM jobs WHERE task = ?"
        " AND state = 'queued'),"
        " (SELECT COUNT(*) FROM processes WHERE state = 'running'"
        " AND heartbeat > NOW(3) - INTERVAL ? SECOND AND role = ?"
        " AND current_job IS NULL)";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task)),
                           OMKT_DBV_I(fresh_s), OMKT_DBV_S(role)};
    struct omkt_dbres *r = NULL;
    int ret;

    *res = (struct omkt_poll_result){0};
    ret = omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), &r, eb);
    if (ret == OMKT_OK && r->nrows == 1) {
        res->has_work = omkt_dbres_i64(r, 0, 0, 0) != 0;
        res->npollers = (unsigned)omkt_dbres_i64(r, 0, 1, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

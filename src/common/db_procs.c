/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_procs - process registry and host draining on `processes`. */
#include <string.h>

#include "alloc.h"
#include "db_procs.h"
#include "version.h"

int omkt_proc_register(struct omkt_db *db, const char *host, long pid,
                       const char *role, int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO processes (host, pid, role, state, version)"
        " VALUES (?, ?, ?, IF(EXISTS(SELECT 1 FROM drained_hosts"
        " WHERE host = ?), 'draining', 'running'), ?)";
    struct omkt_dbv v[] = {OMKT_DBV_S(host), OMKT_DBV_I(pid), OMKT_DBV_S(role),
                           OMKT_DBV_S(host), OMKT_DBV_S(OMKT_VERSION)};
    uint64_t new_id = 0;
    int ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, &new_id, eb);

    *id = ret == OMKT_OK ? (int64_t)new_id : 0;
    return ret;
}

/*
 * The heartbeat is one statement while the process is not draining (the
 * common case, and all of its idle cost): the UPDATE matches only a row
 * that is neither draining nor on a drained host, so no row changed means
 * "drain" (or the row is gone), and only then a second statement beats
 * the row anyway.  (The ms timestamp changes at every beat, so a matched
 * row always counts as changed.)
 */
int omkt_proc_heartbeat(struct omkt_db *db, int64_t id, const char *host,
                        int64_t current_job, bool *is_draining,
                        struct omkt_errbuf *eb)
{
    /* A process that was marked dead while cut off is alive again; its
     * jobs were reaped and it learns that when it extends their leases. */
    static const char beat[] =
        "UPDATE processes SET heartbeat = NOW(3), current_job = ?,"
        " state = IF(state = 'dead', 'running', state) WHERE id = ?"
        " AND state <> 'draining' AND NOT EXISTS(SELECT 1 FROM"
        " drained_hosts WHERE host = ?)";
    static const char beat_draining[] =
        "UPDATE processes SET heartbeat = NOW(3), current_job = ?,"
        " state = IF(state = 'dead', 'running', state) WHERE id = ?";
    struct omkt_dbv v[] = {current_job > 0 ? OMKT_DBV_I(current_job)
                                           : OMKT_DBV_NUL,
                           OMKT_DBV_I(id), OMKT_DBV_S(host)};
    uint64_t n = 0;
    int ret = omkt_db_exec(db, beat, v, 3, &n, NULL, eb);

    *is_draining = false;
    if (ret != OMKT_OK || n > 0)
        return ret;
    ret = omkt_db_exec(db, beat_draining, v, 2, &n, NULL, eb);
    *is_draining = ret == OMKT_OK && n > 0;
    return ret;
}

int omkt_proc_stop(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE processes SET state = 'stopped', stopped = NOW(),"
        " current_job = NULL WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_proc_mark_dead(struct omkt_db *db, unsigned silence_s, unsigned *n,
                        struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE processes SET state = 'dead'"
                              " WHERE state IN ('running', 'draining')"
                              " AND heartbeat < NOW(3) - INTERVAL ? SECOND";
    struct omkt_dbv v[] = {OMKT_DBV_I(silence_s)};

    return omkt_db_exec_count(db, sql, v, 1, n, eb);
}

int omkt_host_drain(struct omkt_db *db, const char *host, bool is_drain,
                    unsigned *n, struct omkt_errbuf *eb)
{
    static const char add[] = "INSERT IGNORE INTO drained_hosts (host)"
                              " VALUES (?)";
    static const char del[] = "DELETE FROM drained_hosts WHERE host = ?";
    static const char mark[] =
        "UPDATE processes SET state = IF(? , 'draining', 'running')"
        " WHERE host = ? AND state IN ('running', 'draining')";
    struct omkt_dbv hv[] = {OMKT_DBV_S(host)};
    struct omkt_dbv mv[] = {OMKT_DBV_I(is_drain ? 1 : 0), OMKT_DBV_S(host)};
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, is_drain ? add : del, hv, 1, NULL, NULL, eb);

    if (ret == OMKT_OK)
        ret = omkt_db_exec(db, mark, mv, 2, &affected, NULL, eb);
    if (n != NULL)
        *n = (unsigned)affected;
    return ret;
}

int omkt_proc_list(struct omkt_db *db, bool is_all, struct omkt_dbres **res,
                   struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, host, pid, role, state,"
        " ROUND(TIMESTAMPDIFF(MICROSECOND, heartbeat, NOW(3)) / 1e6, 1),"
        " IFNULL(current_job, '-'), started FROM processes"
        " WHERE ? OR state IN ('running', 'draining')"
        " ORDER BY host, role, id";
    struct omkt_dbv v[] = {OMKT_DBV_I(is_all ? 1 : 0)};

    return omkt_db_query(db, sql, v, 1, res, eb);
}

int omkt_proc_count_alive(struct omkt_db *db, struct omkt_dbres **res,
                          struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT role, COUNT(*) FROM processes WHERE"
                              " state IN ('running', 'draining')"
                              " GROUP BY role ORDER BY role";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_proc_count_live(struct omkt_db *db, unsigned fresh_s, unsigned *n,
                         struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT COUNT(*) FROM processes WHERE"
                              " state IN ('running', 'draining')"
                              " AND heartbeat > NOW(3) - INTERVAL ? SECOND";
    struct omkt_dbv v[] = {OMKT_DBV_I(fresh_s)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *n = 0;
    if (ret == OMKT_OK && r->nrows == 1)
        *n = (unsigned)omkt_dbres_i64(r, 0, 0, 0);
    omkt_dbres_free(r);
    return ret;
}

int omkt_host_is_known(struct omkt_db *db, const char *host, bool *is_known,
                       struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT EXISTS(SELECT 1 FROM processes WHERE host = ?)"
        " OR EXISTS(SELECT 1 FROM drained_hosts WHERE host = ?)";
    struct omkt_dbv v[] = {OMKT_DBV_S(host), OMKT_DBV_S(host)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 2, &r, eb);

    *is_known = false;
    if (ret == OMKT_OK && r->nrows == 1) {
        const char *s = omkt_dbres_str(r, 0, 0);

        *is_known = s != NULL && strcmp(s, "1") == 0;
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_host_list(struct omkt_db *db, struct omkt_dbres **res,
                   struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT h.host,"
        " (SELECT COUNT(*) FROM processes p WHERE p.host = h.host"
        "  AND p.state = 'running'),"
        " (SELECT COUNT(*) FROM processes p WHERE p.host = h.host"
        "  AND p.state = 'draining'),"
        " IF(EXISTS(SELECT 1 FROM drained_hosts d WHERE d.host = h.host),"
        "  'yes', 'no'),"
        " (SELECT TIMESTAMPDIFF(SECOND, MAX(p.heartbeat), NOW(3))"
        "  FROM processes p WHERE p.host = h.host)"
        " FROM (SELECT host FROM processes UNION SELECT host"
        " FROM drained_hosts) h ORDER BY h.host";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_proc_set_capacity(struct omkt_db *db, int64_t id, unsigned capacity,
                           struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE processes SET capacity = ? WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(capacity), OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
}

int omkt_proc_transcode_load(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT p.capacity, p.state = 'running' AND NOT EXISTS(SELECT 1"
        " FROM drained_hosts h WHERE h.host = p.host),"
        " TIMESTAMPDIFF(MICROSECOND, p.heartbeat, NOW(3)) DIV 1000,"
        " (SELECT COUNT(*) FROM jobs j WHERE j.worker_id = p.id"
        " AND j.task = 'transcode' AND j.state = 'running' AND NOT EXISTS("
        "SELECT 1 FROM cloud_jobs c WHERE c.job_id = j.id))"
        " FROM processes p WHERE p.role = 'transcoderd' AND p.capacity > 0"
        " AND p.state IN ('running', 'draining')";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_proc_set_cloud_fault(struct omkt_db *db, int64_t id, const char *fault,
                              struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE processes SET cloud_fault = ? WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(fault), OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
}

int omkt_proc_cloud_faults(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT cloud_fault, COUNT(*) FROM processes WHERE cloud_fault <> ''"
        " AND state IN ('running', 'draining') GROUP BY cloud_fault"
        " ORDER BY cloud_fault";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

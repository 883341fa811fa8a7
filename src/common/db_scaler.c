/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_scaler - SQL of the scaler election on `scaler_lease` (db_scaler.h). */
#include "alloc.h"
#include "db_scaler.h"

int omkt_scaler_lease_take(struct omkt_db *db, const char *cluster,
                           const char *holder, int64_t lease_ms,
                           struct omkt_scaler_lease *out,
                           struct omkt_errbuf *eb)
{
    /* MariaDB assigns left to right, each seeing the previous ones: since
     * and holder change only when the lease expired; the lease is then
     * extended only if the row is (now) ours. */
    static const char up[] =
        "INSERT INTO scaler_lease (cluster, holder, lease_until, since)"
        " VALUES (?, ?, NOW(3) + INTERVAL ? MICROSECOND, NOW(3))"
        " ON DUPLICATE KEY UPDATE"
        " since = IF(holder <> ? AND lease_until < NOW(3), NOW(3), since),"
        " holder = IF(lease_until < NOW(3), ?, holder),"
        " lease_until = IF(holder = ?, NOW(3) + INTERVAL ? MICROSECOND,"
        " lease_until)";
    static const char ask[] =
        "SELECT holder = ?, IFNULL(TIMESTAMPDIFF(MICROSECOND, last_start,"
        " NOW(3)) DIV 1000, -1) FROM scaler_lease WHERE cluster = ?";
    int64_t us = lease_ms * 1000;
    struct omkt_dbv uv[] = {OMKT_DBV_S(cluster), OMKT_DBV_S(holder),
                            OMKT_DBV_I(us),      OMKT_DBV_S(holder),
                            OMKT_DBV_S(holder),  OMKT_DBV_S(holder),
                            OMKT_DBV_I(us)};
    struct omkt_dbv av[] = {OMKT_DBV_S(holder), OMKT_DBV_S(cluster)};
    struct omkt_dbres *r = NULL;
    int ret;

    *out = (struct omkt_scaler_lease){.since_start_ms = -1};
    ret = omkt_db_exec(db, up, uv, OMKT_ARRAY_LEN(uv), NULL, NULL, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_query_row(db, ask, av, OMKT_ARRAY_LEN(av), &r, eb);
    if (ret == OMKT_OK) {
        out->is_leader = omkt_dbres_i64(r, 0, 0, 0) == 1;
        out->since_start_ms = omkt_dbres_i64(r, 0, 1, -1);
    }
    omkt_dbres_free(r);
    return ret;
}

/* held_one - run @sql, which must touch the one row of @cluster's lease
 * while @holder holds it: OMKT_ELOST when it no longer does. */
static int held_one(struct omkt_db *db, const char *sql, struct omkt_dbv *v,
                    size_t nv, const char *cluster, const char *holder,
                    struct omkt_errbuf *eb)
{
    int ret = omkt_db_exec_one(db, sql, v, nv, eb);

    if (ret == OMKT_ENOTFOUND) {
        omkt_errf(eb, "scaler lease of %s: no longer held by %s", cluster,
                  holder);
        ret = OMKT_ELOST;
    }
    return ret;
}

int omkt_scaler_lease_start(struct omkt_db *db, const char *cluster,
                            const char *holder, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE scaler_lease SET last_start = NOW(3) WHERE cluster = ?"
        " AND holder = ? AND lease_until > NOW(3)";
    struct omkt_dbv v[] = {OMKT_DBV_S(cluster), OMKT_DBV_S(holder)};

    return held_one(db, sql, v, OMKT_ARRAY_LEN(v), cluster, holder, eb);
}

int omkt_scaler_lease_drop(struct omkt_db *db, const char *cluster,
                           const char *holder, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE scaler_lease SET lease_until = NOW(3) - INTERVAL 1 SECOND"
        " WHERE cluster = ? AND holder = ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(cluster), OMKT_DBV_S(holder)};

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
}

int omkt_scaler_lease_seen(struct omkt_db *db, const char *cluster,
                           const char *holder, const struct omkt_scaler_seen *s,
                           struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE scaler_lease SET seen_at = NOW(3), pending = ?, running = ?,"
        " shutting_down = ?, stopping = ?, stopped = ?, wanted = ?"
        " WHERE cluster = ? AND holder = ? AND lease_until > NOW(3)";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(s->pending),       OMKT_DBV_I(s->running),
        OMKT_DBV_I(s->shutting_down), OMKT_DBV_I(s->stopping),
        OMKT_DBV_I(s->stopped),       OMKT_DBV_I(s->wanted),
        OMKT_DBV_S(cluster),          OMKT_DBV_S(holder)};

    return held_one(db, sql, v, OMKT_ARRAY_LEN(v), cluster, holder, eb);
}

int omkt_scaler_state_read(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT cluster, holder, lease_until > NOW(3),"
        " IFNULL(TIMESTAMPDIFF(SECOND, seen_at, NOW(3)), -1), pending,"
        " running, shutting_down, stopping, stopped, wanted"
        " FROM scaler_lease ORDER BY cluster";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

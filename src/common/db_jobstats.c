/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_jobstats - read-only aggregates over `jobs` (see db_jobstats.h). */
#include <string.h>

#include "db_jobstats.h"

const char *const omkt_jobstats_states[OMKT_JOBSTATS_NSTATES] = {
    "queued", "delayed", "running", "done", "failed", "cancelled", "waiting"};

int64_t omkt_jobstats_count_of(const struct omkt_dbres *res, const char *task,
                               const char *state)
{
    for (size_t i = 0; i < res->nrows; i++)
        if (strcmp(omkt_dbres_str(res, i, 0), task) == 0 &&
            strcmp(omkt_dbres_str(res, i, 1), state) == 0)
            return omkt_dbres_i64(res, i, 2, 0);
    return 0;
}

int omkt_jobstats_counts(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT task, state, COUNT(*) FROM jobs"
                              " GROUP BY task, state ORDER BY task, state";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_oldest(struct omkt_db *db, struct omkt_dbres **res,
                         struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT task, TIMESTAMPDIFF(SECOND, MIN(created), NOW()) FROM jobs"
        " WHERE state = 'queued' GROUP BY task ORDER BY task";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_trimmable(struct omkt_db *db, int64_t age_s, int64_t *n,
                            struct omkt_errbuf *eb)
{
    /* XXX: the condition of omkt_job_trim (db_jobs.c), which deletes */
    static const char sql[] =
        "SELECT COUNT(*) FROM jobs WHERE finished < NOW(3) - INTERVAL ? SECOND"
        " AND state IN ('done', 'failed', 'cancelled')";
    struct omkt_dbv v[] = {OMKT_DBV_I(age_s)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *n = ret == OMKT_OK ? omkt_dbres_i64(r, 0, 0, 0) : 0;
    omkt_dbres_free(r);
    return ret;
}

int omkt_jobstats_running(struct omkt_db *db, struct omkt_dbres **res,
                          struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT j.id, j.task, IFNULL(j.media_id, '-'), j.progress,"
        " IFNULL(p.host, ''), IFNULL(p.pid, 0),"
        " TIMESTAMPDIFF(SECOND, j.started, NOW(3)) FROM jobs j"
        " LEFT JOIN processes p ON p.id = j.worker_id"
        " WHERE j.state = 'running' ORDER BY j.id LIMIT 50";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_failures(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, task, IFNULL(media_id, '-'), attempts, IFNULL(error, ''),"
        " IFNULL(finished, created) FROM jobs WHERE state = 'failed'"
        " ORDER BY IFNULL(finished, created) DESC, id DESC LIMIT 20";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_throughput(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT task, 11 - LEAST(11, TIMESTAMPDIFF(SECOND, finished, NOW(3))"
        " DIV 300) AS b, COUNT(*) FROM jobs WHERE state = 'done' AND"
        " finished > NOW(3) - INTERVAL 1 HOUR GROUP BY task, b"
        " ORDER BY task, b";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_durations(struct omkt_db *db, struct omkt_dbres **res,
                            struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT task, COUNT(*), CAST(ROUND(SUM(d), 6) AS CHAR), SUM(d <= 1),"
        " SUM(d <= 5),"
        " SUM(d <= 30), SUM(d <= 60), SUM(d <= 300), SUM(d <= 1800) FROM"
        " (SELECT task, TIMESTAMPDIFF(MICROSECOND, started, finished) / 1e6"
        " AS d FROM jobs WHERE state = 'done' AND started IS NOT NULL"
        " AND finished > NOW(3) - INTERVAL 1 HOUR) x"
        " GROUP BY task ORDER BY task";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_jobstats_media(struct omkt_db *db, const char *account,
                        const char *state, struct omkt_dbres **res,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT m.id, a.email, m.remote_id, m.url, m.state,"
        " IFNULL((SELECT GROUP_CONCAT(CONCAT(t.setting_id, ' ', t.state)"
        " ORDER BY t.setting_id SEPARATOR ', ') FROM transcodes t"
        " WHERE t.media_id = m.id), ''),"
        " IFNULL(j.task, ''), IFNULL(p.host, ''), IFNULL(j.progress, 0),"
        " IFNULL(TIMESTAMPDIFF(SECOND, j.started, NOW(3)), 0)"
        " FROM media m JOIN accounts a ON a.id = m.account_id"
        " LEFT JOIN jobs j ON j.id = (SELECT MAX(x.id) FROM jobs x"
        " WHERE x.media_id = m.id AND x.state = 'running')"
        " LEFT JOIN processes p ON p.id = j.worker_id"
        " WHERE (? = '' OR a.email = ? OR CAST(a.id AS CHAR) = ?)"
        " AND (? = '' OR EXISTS (SELECT 1 FROM jobs y WHERE"
        " y.media_id = m.id AND y.state = ?))"
        " ORDER BY m.id DESC LIMIT 30";
    struct omkt_dbv v[] = {OMKT_DBV_S(account), OMKT_DBV_S(account),
                           OMKT_DBV_S(account), OMKT_DBV_S(state),
                           OMKT_DBV_S(state)};

    return omkt_db_query(db, sql, v, 5, res, eb);
}

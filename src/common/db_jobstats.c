/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_jobstats - read-only aggregates over `jobs` (see db_jobstats.h). */
#include "db_jobstats.h"

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
        " AS d FROM jobs WHERE state = 'done' AND started IS NOT NULL) x"
        " GROUP BY task ORDER BY task";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

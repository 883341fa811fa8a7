/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_counters - the all-time job counters (see db_counters.h). */
#include "db_counters.h"
#include "db_jobs.h"

const int omkt_counters_buckets[OMKT_COUNTERS_NBUCKETS] = {1,  5,   30,
                                                           60, 300, 1800};

int omkt_counters_job_ended(struct omkt_db *db, int64_t id,
                            struct omkt_errbuf *eb)
{
    /* The histogram bounds are omkt_counters_buckets. */
    static const char sql[] =
        "INSERT INTO job_counters (task, outcome, jobs, seconds, le_1, le_5,"
        " le_30, le_60, le_300, le_1800)"
        " SELECT task, state, 1, IFNULL(d, 0), IFNULL(d <= 1, 0),"
        " IFNULL(d <= 5, 0), IFNULL(d <= 30, 0), IFNULL(d <= 60, 0),"
        " IFNULL(d <= 300, 0), IFNULL(d <= 1800, 0) FROM"
        " (SELECT task, state, IF(state = 'done',"
        " TIMESTAMPDIFF(MICROSECOND, started, finished) / 1e6, NULL) AS d"
        " FROM " OMKT_JOB_BY_ID
        " WHERE id = ? AND state IN ('done', 'failed')) x"
        " ON DUPLICATE KEY UPDATE jobs = jobs + 1,"
        " seconds = seconds + VALUES(seconds), le_1 = le_1 + VALUES(le_1),"
        " le_5 = le_5 + VALUES(le_5), le_30 = le_30 + VALUES(le_30),"
        " le_60 = le_60 + VALUES(le_60), le_300 = le_300 + VALUES(le_300),"
        " le_1800 = le_1800 + VALUES(le_1800)";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_counters_read(struct omkt_db *db, struct omkt_dbres **res,
                       struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT task, outcome, jobs, CAST(ROUND(seconds, 6) AS CHAR), le_1,"
        " le_5, le_30, le_60, le_300, le_1800 FROM job_counters"
        " ORDER BY task, outcome";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

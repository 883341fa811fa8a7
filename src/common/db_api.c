/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_api - SQL of the HTTP front (see db_api.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_api.h"

#define CALL_ROW "(NULLIF(?, 0), ?, ?, ?, ?, ?, FROM_UNIXTIME(? / 1000))"
/* db.c binds at most 32 values per statement: 4 rows of 7 */
#define CALL_BATCH 4
#define CALL_INSERT                                                            \
    "INSERT INTO api_calls (account_id, action, application, version, code,"   \
    " remote_addr, created) VALUES "

/* calls_run - one INSERT of @n (1 or CALL_BATCH) calls. */
static int calls_run(struct omkt_db *db, const struct omkt_api_call *c,
                     size_t n, struct omkt_errbuf *eb)
{
    static const char sql1[] = CALL_INSERT CALL_ROW;
    static const char sqln[] =
        CALL_INSERT CALL_ROW "," CALL_ROW "," CALL_ROW "," CALL_ROW;
    struct omkt_dbv v[CALL_BATCH * 7];

    for (size_t i = 0; i < n; i++) {
        struct omkt_dbv *w = &v[i * 7];

        w[0] = OMKT_DBV_I(c[i].account_id);
        w[1] = OMKT_DBV_S(c[i].action ? c[i].action : "");
        w[2] = OMKT_DBV_S(c[i].application ? c[i].application : "");
        w[3] = OMKT_DBV_S(c[i].version ? c[i].version : "");
        w[4] = OMKT_DBV_I(c[i].code);
        w[5] = OMKT_DBV_S(c[i].remote_addr ? c[i].remote_addr : "");
        w[6] = OMKT_DBV_I(c[i].at_ms);
    }
    return omkt_db_exec(db, n == 1 ? sql1 : sqln, v, n * 7, NULL, NULL, eb);
}

int omkt_api_calls_insert(struct omkt_db *db, const struct omkt_api_call *c,
                          size_t n, struct omkt_errbuf *eb)
{
    size_t i = 0;
    int ret = OMKT_OK;

    while (ret == OMKT_OK && i < n) {
        size_t k = n - i >= CALL_BATCH ? CALL_BATCH : 1;

        ret = calls_run(db, c + i, k, eb);
        i += k;
    }
    return ret;
}

int omkt_api_media_by_key(struct omkt_db *db, int64_t account_id,
                          const char *key, int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id FROM media WHERE account_id = ?"
                              " AND idempotency_key = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(account_id), OMKT_DBV_S(key)};
    struct omkt_dbres *res = NULL;
    int ret = omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), &res, eb);

    *id = 0;
    if (ret == OMKT_OK && res->nrows == 0)
        ret = OMKT_ENOTFOUND;
    if (ret == OMKT_OK)
        *id = omkt_dbres_i64(res, 0, 0, 0);
    omkt_dbres_free(res);
    return ret;
}

/* media_insert - the row, with a placeholder remote_id. */
static int media_insert(struct omkt_db *db, const struct omkt_api_submit *s,
                        uint64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO media (account_id, remote_id, url, adapter, state, path,"
        " want_settings, notify_url, idempotency_key, priority, job_options)"
        " VALUES"
        " (?, -CAST(UUID_SHORT() DIV 2 AS SIGNED), ?, ?,"
        " IF(? IS NULL, 'remote', 'local'),"
        " ?, ?, ?, ?, ?, ?)";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(s->account_id), OMKT_DBV_S(s->url),
        OMKT_DBV_S(s->adapter),    OMKT_DBV_S(s->local_path),
        OMKT_DBV_S(s->local_path), OMKT_DBV_S(s->want_settings),
        OMKT_DBV_S(s->notify_url), OMKT_DBV_S(s->idempotency_key),
        OMKT_DBV_I(s->priority),   OMKT_DBV_S(s->job_options),
    };

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, id, eb);
}

int omkt_api_calls_trim(struct omkt_db *db, int64_t age_s, int64_t limit,
                        unsigned *n, struct omkt_errbuf *eb)
{
    static const char sql[] = "DELETE FROM api_calls"
                              " WHERE created < NOW(3) - INTERVAL ? SECOND"
                              " LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(age_s), OMKT_DBV_I(limit)};
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, sql, v, 2, &affected, NULL, eb);

    if (n != NULL)
        *n = (unsigned)affected;
    return ret;
}

int omkt_api_media_add(struct omkt_db *db, const struct omkt_api_submit *s,
                       int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE media SET remote_id = -id WHERE id = ?";
    struct omkt_errbuf local = {0};
    uint64_t new_id = 0;
    struct omkt_dbv v[1];
    int ret = media_insert(db, s, &new_id, &local);

    *id = 0;
    if (ret == OMKT_EDB && omkt_db_is_duplicate(db) &&
        s->idempotency_key != NULL) {
        ret = omkt_api_media_by_key(db, s->account_id, s->idempotency_key, id,
                                    eb);
        return ret == OMKT_OK ? OMKT_EEXIST : ret;
    }
    if (ret != OMKT_OK) {
        omkt_errf(eb, "%s", local.msg);
        return ret;
    }
    v[0] = OMKT_DBV_I((int64_t)new_id);
    ret = omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
    if (ret == OMKT_OK)
        *id = (int64_t)new_id;
    return ret;
}

int omkt_api_media_view(struct omkt_db *db, int64_t account_id, int64_t id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, state, url, created, error, metadata, want_settings,"
        " notify_url, idempotency_key, priority FROM media WHERE id = ?"
        " AND account_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id), OMKT_DBV_I(account_id)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_api_media_children(struct omkt_db *db, int64_t id,
                            struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT 't', setting_id, state, '', progress, cardinality, error"
        " FROM transcodes WHERE media_id = ? UNION ALL SELECT 'j', id, task,"
        " state, progress, 0, error FROM jobs WHERE media_id = ? AND"
        " task <> 'notify' ORDER BY 1 DESC, 2";
    struct omkt_dbv v[] = {OMKT_DBV_I(id), OMKT_DBV_I(id)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_api_media_list(struct omkt_db *db,
                        const struct omkt_api_media_filter *f,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, remote_id, state, url, created, error, want_settings,"
        " priority FROM media WHERE account_id = ? AND (? IS NULL OR"
        " state = ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(f->account_id), OMKT_DBV_S(f->state),
        OMKT_DBV_S(f->state),      OMKT_DBV_I(f->after_id),
        OMKT_DBV_I(f->after_id),   OMKT_DBV_I(f->limit > 0 ? f->limit : 50),
    };

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_api_media_jobs(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id, task, state, progress, error FROM"
                              " jobs WHERE media_id = ? AND task <> 'notify'"
                              " ORDER BY id";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id)};

    return omkt_db_query(db, sql, v, 1, res, eb);
}

int omkt_api_job_counts(struct omkt_db *db, struct omkt_dbres **res,
                        struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT task, state, COUNT(*) FROM jobs"
                              " GROUP BY task, state ORDER BY task, state";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_api_running_jobs(struct omkt_db *db, struct omkt_dbres **res,
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

int omkt_api_recent_failures(struct omkt_db *db, struct omkt_dbres **res,
                             struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, task, IFNULL(media_id, '-'), attempts, IFNULL(error, ''),"
        " IFNULL(finished, created) FROM jobs WHERE state = 'failed'"
        " ORDER BY IFNULL(finished, created) DESC, id DESC LIMIT 20";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_api_throughput(struct omkt_db *db, struct omkt_dbres **res,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT task, 11 - LEAST(11, TIMESTAMPDIFF(SECOND, finished, NOW(3))"
        " DIV 300) AS b, COUNT(*) FROM jobs WHERE state = 'done' AND"
        " finished > NOW(3) - INTERVAL 1 HOUR GROUP BY task, b"
        " ORDER BY task, b";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

int omkt_api_durations(struct omkt_db *db, struct omkt_dbres **res,
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

int omkt_api_workers_alive(struct omkt_db *db, struct omkt_dbres **res,
                           struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT role, COUNT(*) FROM processes WHERE"
                              " state IN ('running', 'draining')"
                              " GROUP BY role ORDER BY role";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

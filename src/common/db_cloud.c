/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_cloud - the bridge's tables (see db_cloud.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_cloud.h"

int omkt_cloud_send_get(struct omkt_db *db, int64_t job_id,
                        struct omkt_cloud_send *out, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT token, source_uri, out_prefix, sends,"
        " CAST(TIMESTAMPDIFF(MICROSECOND, sent, NOW(3)) / 1000 AS SIGNED)"
        " FROM cloud_jobs WHERE job_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 1, &r, eb);

    memset(out, 0, sizeof(*out));
    if (ret == OMKT_OK) {
        const char *tok = omkt_dbres_str(r, 0, 0);

        out->job_id = job_id;
        snprintf(out->token, sizeof(out->token), "%s", tok ? tok : "");
        out->source_uri = omkt_dbres_dup(r, 0, 1);
        out->out_prefix = omkt_dbres_dup(r, 0, 2);
        out->sends = (int)omkt_dbres_i64(r, 0, 3, 0);
        out->age_ms = omkt_dbres_i64(r, 0, 4, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

void omkt_cloud_send_clear(struct omkt_cloud_send *s)
{
    if (s == NULL)
        return;
    free(s->source_uri);
    free(s->out_prefix);
    memset(s, 0, sizeof(*s));
}

int omkt_cloud_send_put(struct omkt_db *db, const struct omkt_cloud_send *s,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO cloud_jobs (job_id, token, source_uri, out_prefix)"
        " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE token = VALUES(token),"
        " source_uri = VALUES(source_uri), out_prefix = VALUES(out_prefix),"
        " sent = NOW(3), sends = sends + 1";
    struct omkt_dbv v[] = {OMKT_DBV_I(s->job_id), OMKT_DBV_S(s->token),
                           OMKT_DBV_S(s->source_uri),
                           OMKT_DBV_S(s->out_prefix)};

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
}

int omkt_cloud_send_forget(struct omkt_db *db, int64_t job_id,
                           struct omkt_errbuf *eb)
{
    static const char del_results[] =
        "DELETE FROM cloud_results WHERE job_id = ?";
    static const char del_job[] = "DELETE FROM cloud_jobs WHERE job_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job_id)};
    int ret = omkt_db_exec(db, del_results, v, 1, NULL, NULL, eb);

    return ret == OMKT_OK ? omkt_db_exec(db, del_job, v, 1, NULL, NULL, eb)
                          : ret;
}

/* is_stored - is a result of (@job_id, @token) in the table? */
static int is_stored(struct omkt_db *db, int64_t job_id, const char *token,
                     bool *yes, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT 1 FROM cloud_results WHERE job_id = ? AND token = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job_id), OMKT_DBV_S(token)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 2, &r, eb);

    *yes = ret == OMKT_OK && r->nrows > 0;
    omkt_dbres_free(r);
    return ret;
}

int omkt_cloud_result_store(struct omkt_db *db, int64_t job_id,
                            const char *token, bool is_dead, const char *body,
                            enum omkt_cloud_stored *how, struct omkt_errbuf *eb)
{
    /* Only for the job's current token: a result of an older send (the
     * job was sent again after a timeout) can never be published. */
    static const char sql[] =
        "INSERT IGNORE INTO cloud_results (job_id, token, is_dead, body)"
        " SELECT job_id, token, ?, ? FROM cloud_jobs"
        " WHERE job_id = ? AND token = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(is_dead ? 1 : 0), OMKT_DBV_S(body),
                           OMKT_DBV_I(job_id), OMKT_DBV_S(token)};
    uint64_t affected = 0;
    bool dup = false;
    int ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), &affected, NULL, eb);

    *how = OMKT_CLOUD_STORED;
    if (ret != OMKT_OK || affected == 1)
        return ret;
    ret = is_stored(db, job_id, token, &dup, eb);
    *how = dup ? OMKT_CLOUD_DUPLICATE : OMKT_CLOUD_STALE;
    return ret;
}

int omkt_cloud_result_get(struct omkt_db *db, int64_t job_id, const char *token,
                          char **body, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT body FROM cloud_results WHERE job_id = ? AND token = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job_id), OMKT_DBV_S(token)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 2, &r, eb);

    *body = ret == OMKT_OK ? omkt_dbres_dup(r, 0, 0) : NULL;
    if (ret == OMKT_OK && *body == NULL)
        ret = OMKT_ENOTFOUND;
    omkt_dbres_free(r);
    return ret;
}

int omkt_cloud_counts(struct omkt_db *db, struct omkt_cloud_counts *out,
                      struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT (SELECT COUNT(*) FROM cloud_jobs c WHERE NOT EXISTS"
        " (SELECT 1 FROM cloud_results r WHERE r.job_id = c.job_id"
        " AND r.token = c.token)),"
        " (SELECT COUNT(*) FROM cloud_results),"
        " (SELECT COUNT(*) FROM cloud_results WHERE is_dead = 1)";
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, NULL, 0, &r, eb);

    memset(out, 0, sizeof(*out));
    if (ret == OMKT_OK) {
        out->out = omkt_dbres_i64(r, 0, 0, 0);
        out->results = omkt_dbres_i64(r, 0, 1, 0);
        out->dead = omkt_dbres_i64(r, 0, 2, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_cloud_trim(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb)
{
    static const char del_results[] =
        "DELETE r FROM cloud_results r LEFT JOIN jobs j ON j.id = r.job_id"
        " WHERE j.id IS NULL OR j.state IN ('done', 'failed', 'cancelled')";
    static const char del_jobs[] =
        "DELETE c FROM cloud_jobs c LEFT JOIN jobs j ON j.id = c.job_id"
        " WHERE j.id IS NULL OR j.state IN ('done', 'failed', 'cancelled')";
    unsigned a = 0, b = 0;
    int ret = omkt_db_exec_count(db, del_results, NULL, 0, &a, eb);

    if (ret == OMKT_OK)
        ret = omkt_db_exec_count(db, del_jobs, NULL, 0, &b, eb);
    if (n != NULL)
        *n = a + b;
    return ret;
}

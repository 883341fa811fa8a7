/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_segments - the queue side of segment-parallel transcoding: children
 * of a split transcode job, their rows, waking, progress and failure of
 * the family (see db_segments.h).
 */
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "db_segments.h"
#include "err.h"

int omkt_seg_split(struct omkt_db *db, const struct omkt_job *parent,
                   const char *payload, const struct omkt_seg_row *rows,
                   size_t n, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO job_segments (job_id, parent_id, seg, start_us, end_us,"
        " length_us) VALUES (?, ?, ?, ?, ?, ?)";
    int ret = OMKT_OK;

    for (size_t i = 0; ret == OMKT_OK && i < n; i++) {
        struct omkt_job_new jn = {.task = OMKT_TASK_TRANSCODE,
                                  .priority = parent->priority,
                                  .account_id = parent->account_id,
                                  .media_id = parent->media_id,
                                  .parent_id = parent->id,
                                  .payload = payload};
        int64_t id = 0;

        ret = omkt_job_enqueue(db, &jn, &id, eb);
        if (ret == OMKT_OK) {
            struct omkt_dbv v[] = {
                OMKT_DBV_I(id),
                OMKT_DBV_I(parent->id),
                OMKT_DBV_I(rows[i].seg),
                OMKT_DBV_I(rows[i].start_us),
                rows[i].end_us == INT64_MAX ? OMKT_DBV_NUL
                                            : OMKT_DBV_I(rows[i].end_us),
                OMKT_DBV_I(rows[i].length_us),
            };
            ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
        }
    }
    return ret;
}

int omkt_seg_get(struct omkt_db *db, int64_t job_id, struct omkt_seg_row *row,
                 struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT seg, start_us, end_us, length_us"
                              " FROM job_segments WHERE job_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 1, &r, eb);

    memset(row, 0, sizeof(*row));
    if (ret == OMKT_OK) {
        row->seg = (int)omkt_dbres_i64(r, 0, 0, 0);
        row->start_us = omkt_dbres_i64(r, 0, 1, 0);
        row->end_us = omkt_dbres_i64(r, 0, 2, INT64_MAX);
        row->length_us = omkt_dbres_i64(r, 0, 3, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_seg_state(struct omkt_db *db, int64_t parent_id,
                   struct omkt_seg_state *st, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT COALESCE(SUM(s.seg >= 0), 0), COALESCE(SUM(s.seg < 0), 0),"
        " COALESCE(SUM(j.state <> 'done'), 0)"
        " FROM job_segments s JOIN jobs j ON j.id = s.job_id"
        " WHERE s.parent_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(parent_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    memset(st, 0, sizeof(*st));
    if (ret == OMKT_OK && r->nrows == 1) {
        st->n_segments = (int)omkt_dbres_i64(r, 0, 0, 0);
        st->has_audio = omkt_dbres_i64(r, 0, 1, 0) > 0;
        st->n_undone = (int)omkt_dbres_i64(r, 0, 2, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_seg_forget(struct omkt_db *db, int64_t parent_id,
                    struct omkt_errbuf *eb)
{
    static const char sql[] = "DELETE FROM jobs WHERE parent_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(parent_id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_seg_frames(struct omkt_db *db, int64_t job_id, int64_t frames,
                    struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE job_segments SET frames = ? WHERE job_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(frames), OMKT_DBV_I(job_id)};

    return omkt_db_exec(db, sql, v, 2, NULL, NULL, eb);
}

int omkt_seg_progress(struct omkt_db *db, int64_t parent_id, int *pct,
                      struct omkt_errbuf *eb)
{
    static const char share[] =
        "SELECT CAST(COALESCE(SUM(IF(j.state = 'done', 100, j.progress)"
        " * s.length_us) / NULLIF(SUM(s.length_us), 0), 0) AS SIGNED)"
        " FROM job_segments s JOIN jobs j ON j.id = s.job_id"
        " WHERE s.parent_id = ? AND s.seg >= 0";
    static const char set[] = "UPDATE " OMKT_JOB_BY_ID " SET progress = ?"
                              " WHERE id = ? AND state = 'waiting'";
    struct omkt_dbv v[] = {OMKT_DBV_I(parent_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, share, v, 1, &r, eb);

    *pct = ret == OMKT_OK ? (int)omkt_dbres_i64(r, 0, 0, 0) : 0;
    omkt_dbres_free(r);
    if (*pct > 100)
        *pct = 100;
    if (ret == OMKT_OK) {
        struct omkt_dbv sv[] = {OMKT_DBV_I(*pct), OMKT_DBV_I(parent_id)};

        ret = omkt_db_exec(db, set, sv, 2, NULL, NULL, eb);
    }
    return ret;
}

int omkt_seg_wake(struct omkt_db *db, int64_t parent_id, bool *woken,
                  struct omkt_errbuf *eb)
{
    static const char blocked[] = /* no child (yet), or one not done */
        "SELECT COUNT(*) = 0 OR SUM(state <> 'done') > 0 FROM jobs"
        " WHERE parent_id = ?";
    /* Two children may both see the family done: the state guard lets
     * one of them wake it. */
    static const char wake[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET state = 'queued', run_after = NOW(3), progress = 100"
        " WHERE id = ? AND state = 'waiting'";
    struct omkt_dbv v[] = {OMKT_DBV_I(parent_id)};
    struct omkt_dbres *r = NULL;
    uint64_t n = 0;
    int ret = omkt_db_query(db, blocked, v, 1, &r, eb);

    if (ret == OMKT_OK && omkt_dbres_i64(r, 0, 0, 1) == 0)
        ret = omkt_db_exec(db, wake, v, 1, &n, NULL, eb);
    omkt_dbres_free(r);
    if (woken != NULL)
        *woken = ret == OMKT_OK && n == 1;
    return ret;
}

int omkt_seg_wake_all(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT p.id FROM jobs p WHERE p.state = 'waiting'"
        " AND EXISTS (SELECT 1 FROM jobs c WHERE c.parent_id = p.id)"
        " AND NOT EXISTS (SELECT 1 FROM jobs c WHERE c.parent_id = p.id"
        " AND c.state <> 'done') LIMIT 100";
    struct omkt_dbres *r = NULL;
    unsigned count = 0;
    int ret = omkt_db_query(db, sql, NULL, 0, &r, eb);

    for (size_t i = 0; ret == OMKT_OK && i < r->nrows; i++) {
        bool woken = false;

        ret = omkt_seg_wake(db, omkt_dbres_i64(r, i, 0, 0), &woken, eb);
        count += woken;
    }
    omkt_dbres_free(r);
    if (n != NULL)
        *n = count;
    return ret;
}

int omkt_seg_fail(struct omkt_db *db, int64_t parent_id, int code,
                  const char *msg, bool *is_failed, struct omkt_errbuf *eb)
{
    static const char parent[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET state = 'failed', finished = NOW(3), error = ?,"
        " error_code = ?, lease_until = NULL"
        " WHERE id = ? AND state IN ('waiting', 'queued', 'delayed')";
    static const char siblings[] =
        "UPDATE jobs SET state = 'cancelled', finished = NOW(3),"
        " lease_until = NULL WHERE parent_id = ?"
        " AND state IN ('queued', 'delayed', 'running')";
    struct omkt_dbv pv[] = {OMKT_DBV_S(msg), OMKT_DBV_I(code),
                            OMKT_DBV_I(parent_id)};
    struct omkt_dbv sv[] = {OMKT_DBV_I(parent_id)};
    uint64_t n = 0;
    int ret = omkt_db_exec(db, parent, pv, OMKT_ARRAY_LEN(pv), &n, NULL, eb);

    if (ret == OMKT_OK)
        ret = omkt_db_exec(db, siblings, sv, 1, NULL, NULL, eb);
    if (is_failed != NULL)
        *is_failed = ret == OMKT_OK && n == 1;
    return ret;
}

int omkt_seg_is_live(struct omkt_db *db, int64_t parent_id, bool *is_live,
                     struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT 1 FROM jobs WHERE id = ?"
        " AND state IN ('queued', 'delayed', 'running', 'waiting')";
    struct omkt_dbv v[] = {OMKT_DBV_I(parent_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *is_live = ret != OMKT_OK || r->nrows > 0; /* unsure: keep the files */
    omkt_dbres_free(r);
    return ret;
}

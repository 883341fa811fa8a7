/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_rate - SQL of the cluster-wide rate limit (see db_rate.h). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_rate.h"

#define ADD_INSERT "INSERT INTO api_rate (account_id, minute, calls) VALUES "
#define ADD_UPDATE " ON DUPLICATE KEY UPDATE calls = calls + VALUES(calls)"
#define ROW1       "(?, ?, ?)"
#define ROW4       ROW1 "," ROW1 "," ROW1 "," ROW1
#define ROW16      ROW4 "," ROW4 "," ROW4 "," ROW4
#define ADD_MAX    16
#define ID4        "?, ?, ?, ?"
#define READ_IDS   16 /* accounts per SELECT (unused places hold 0) */

/* by_key - qsort order of rows: the primary key (account_id, minute). */
static int by_key(const void *a, const void *b)
{
    const struct omkt_rate_row *x = a, *y = b;

    if (x->account_id != y->account_id)
        return x->account_id < y->account_id ? -1 : 1;
    return (x->minute > y->minute) - (x->minute < y->minute);
}

/* add_run - one INSERT of @n (1, 4 or ADD_MAX) rows. */
static int add_run(struct omkt_db *db, const struct omkt_rate_row *r, size_t n,
                   struct omkt_errbuf *eb)
{
    static const char sql1[] = ADD_INSERT ROW1 ADD_UPDATE;
    static const char sql4[] = ADD_INSERT ROW4 ADD_UPDATE;
    static const char sql16[] = ADD_INSERT ROW16 ADD_UPDATE;
    const char *sql = n == ADD_MAX ? sql16 : sql1;
    struct omkt_dbv v[ADD_MAX * 3];

    if (n == 4)
        sql = sql4;
    for (size_t i = 0; i < n; i++) {
        v[i * 3] = OMKT_DBV_I(r[i].account_id);
        v[i * 3 + 1] = OMKT_DBV_I(r[i].minute);
        v[i * 3 + 2] = OMKT_DBV_I(r[i].calls);
    }
    return omkt_db_exec(db, sql, v, n * 3, NULL, NULL, eb);
}

int omkt_rate_add(struct omkt_db *db, const struct omkt_rate_row *rows,
                  size_t n, struct omkt_errbuf *eb)
{
    struct omkt_rate_row *s;
    size_t i = 0;
    int ret = OMKT_OK;

    if (n == 0)
        return OMKT_OK;
    s = omkt_xmalloc(n * sizeof(*s));
    memcpy(s, rows, n * sizeof(*s));
    qsort(s, n, sizeof(*s), by_key);
    while (ret == OMKT_OK && i < n) {
        size_t k = n - i >= ADD_MAX ? ADD_MAX : n - i >= 4 ? 4 : 1;

        ret = add_run(db, s + i, k, eb);
        i += k;
    }
    free(s);
    return ret;
}

/* read_run - the counts of up to READ_IDS accounts, appended to @out. */
static int read_run(struct omkt_db *db, const int64_t *ids, size_t n,
                    int64_t since, struct omkt_rate_rows *out,
                    struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT account_id, minute, calls FROM api_rate WHERE account_id IN"
        " (" ID4 ", " ID4 ", " ID4 ", " ID4 ") AND minute >= ?";
    struct omkt_dbv v[READ_IDS + 1];
    struct omkt_dbres *res = NULL;
    int ret;

    for (size_t i = 0; i < READ_IDS; i++)
        v[i] = OMKT_DBV_I(i < n ? ids[i] : 0); /* no account has id 0 */
    v[READ_IDS] = OMKT_DBV_I(since);
    ret = omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), &res, eb);
    if (ret == OMKT_OK && res->nrows > 0) {
        out->v = omkt_xrealloc(out->v, (out->n + res->nrows) * sizeof(*out->v));
        for (size_t r = 0; r < res->nrows; r++)
            out->v[out->n++] = (struct omkt_rate_row){
                omkt_dbres_i64(res, r, 0, 0), omkt_dbres_i64(res, r, 1, 0),
                omkt_dbres_i64(res, r, 2, 0)};
    }
    omkt_dbres_free(res);
    return ret;
}

int omkt_rate_read(struct omkt_db *db, const int64_t *ids, size_t n,
                   int64_t since, struct omkt_rate_rows *out,
                   struct omkt_errbuf *eb)
{
    int ret = OMKT_OK;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; ret == OMKT_OK && i < n; i += READ_IDS)
        ret = read_run(db, ids + i, n - i < READ_IDS ? n - i : READ_IDS, since,
                       out, eb);
    if (ret != OMKT_OK)
        omkt_rate_rows_clear(out);
    return ret;
}

void omkt_rate_rows_clear(struct omkt_rate_rows *rows)
{
    OMKT_FREE(rows->v);
    rows->n = 0;
}

int omkt_rate_trim(struct omkt_db *db, int64_t before, int64_t limit,
                   unsigned *n, struct omkt_errbuf *eb)
{
    static const char sql[] = "DELETE FROM api_rate WHERE minute < ? LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(before), OMKT_DBV_I(limit)};

    return omkt_db_exec_count(db, sql, v, OMKT_ARRAY_LEN(v), n, eb);
}

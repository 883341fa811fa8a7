/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_db - the connection wrapper against a real MariaDB: every column
 * type comes back as text (DOUBLE came back empty once), long cells,
 * NULLs, many bound values, single-row updates and duplicate keys.
 * Needs $OMKT_TEST_CONF; skips (77) without it.
 */
#include <mysql.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/db.h"
#include "common/db_api.h"
#include "omkt_test.h"
#include "omkt_test_db.h"

static struct omkt_db *db;

static void test_types(void)
{
    static const char sql[] =
        "SELECT 1.5e0, ROUND(7 / 2e0, 1), 42, -7, CAST(2.50 AS DECIMAL(4,2)),"
        " REPEAT('x', 300), NULL, '', DATE('2026-01-02'), ?";
    struct omkt_dbv v[] = {OMKT_DBV_S("bound")};
    struct omkt_dbres *r = NULL;

    OMKT_CHECK_INT(omkt_db_query(db, sql, v, 1, &r, NULL), OMKT_OK, "query");
    if (r == NULL)
        return;
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 0), "1.5", "double");
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 1), "3.5", "rounded double");
    OMKT_CHECK_INT(omkt_dbres_i64(r, 0, 2, 0), 42, "integer");
    OMKT_CHECK_INT(omkt_dbres_i64(r, 0, 3, 0), -7, "negative");
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 4), "2.50", "decimal");
    OMKT_CHECK_INT(strlen(omkt_dbres_str(r, 0, 5)), 300, "long cell");
    OMKT_CHECK(omkt_dbres_str(r, 0, 6) == NULL, "NULL is NULL");
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 7), "", "empty string");
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 8), "2026-01-02", "date");
    OMKT_CHECK_STR(omkt_dbres_str(r, 0, 9), "bound", "bound value");
    omkt_dbres_free(r);
}

static void test_many_params(void)
{
    static const char sql[] =
        "SELECT ?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?"
        "+?+?+?+?+?+?+?+?+?+?";
    struct omkt_dbv v[40];
    struct omkt_dbres *r = NULL;

    for (int i = 0; i < 40; i++)
        v[i] = OMKT_DBV_I(i + 1);
    OMKT_CHECK_INT(omkt_db_query(db, sql, v, 40, &r, NULL), OMKT_OK,
                   "40 bound values");
    OMKT_CHECK_INT(omkt_dbres_i64(r, 0, 0, 0), 820, "sum of 1..40");
    omkt_dbres_free(r);
    OMKT_CHECK_INT(omkt_db_query(db, sql, v, 39, &r, NULL), OMKT_EINVAL,
                   "a missing value is refused");
}

static void test_one_and_dup(void)
{
    int64_t id = 0;

    (void)omkt_db_command(db,
                          "CREATE TEMPORARY TABLE t (k INT PRIMARY KEY, "
                          "v INT)",
                          NULL);
    OMKT_CHECK_INT(
        omkt_db_insert(db, "INSERT INTO t VALUES (1, 1)", NULL, 0, &id, NULL),
        OMKT_OK, "insert");
    OMKT_CHECK_INT(
        omkt_db_insert(db, "INSERT INTO t VALUES (1, 2)", NULL, 0, &id, NULL),
        OMKT_EEXIST, "duplicate key");
    OMKT_CHECK_INT(
        omkt_db_exec_one(db, "UPDATE t SET v = 1 WHERE k = 1", NULL, 0, NULL),
        OMKT_OK, "matched (unchanged) row counts as one");
    OMKT_CHECK_INT(
        omkt_db_exec_one(db, "UPDATE t SET v = 5 WHERE k = 9", NULL, 0, NULL),
        OMKT_ENOTFOUND, "no row");
}

/* test_api_calls_text - the call log takes any client text: invalid
 * UTF-8 (application=%FF) or a value longer than its column cut inside a
 * character made MariaDB refuse the batch, and the log stopped. */
static void test_api_calls_text(void)
{
    char long_app[400];
    struct omkt_api_call c[5];
    struct omkt_dbres *r = NULL;

    for (size_t i = 0; i < 199; i++)
        memcpy(long_app + 2 * i, "\xc3\xa9", 2);
    long_app[398] = '\0'; /* 199 characters: over the column's 128 */
    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        c[i] = (struct omkt_api_call){.action = "app_test",
                                      .application = "ok",
                                      .version = "1",
                                      .code = 200,
                                      .remote_addr = "127.0.0.1",
                                      .at_ms = 1700000000000LL};
    c[0].application = "\xff";
    c[1].application = long_app;
    c[2].version = "v\xc3";
    c[4].action = "app_\xe9\x80";
    OMKT_CHECK_INT(omkt_api_calls_insert(db, c, OMKT_ARRAY_LEN(c), NULL),
                   OMKT_OK, "calls with bad or long text are logged");
    OMKT_CHECK_INT(
        omkt_db_query(db,
                      "SELECT COUNT(*), MAX(CHAR_LENGTH(application))"
                      " FROM api_calls WHERE created ="
                      " FROM_UNIXTIME(1700000000)",
                      NULL, 0, &r, NULL),
        OMKT_OK, "read back");
    OMKT_CHECK_INT(r ? omkt_dbres_i64(r, 0, 0, 0) : 0, 5, "all 5 logged");
    OMKT_CHECK_INT(r ? omkt_dbres_i64(r, 0, 1, 0) : 0, 64,
                   "the long one cut at a character boundary");
    omkt_dbres_free(r);
    (void)omkt_db_exec(db,
                       "DELETE FROM api_calls WHERE created ="
                       " FROM_UNIXTIME(1700000000)",
                       NULL, 0, NULL, NULL, NULL);
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    test_types();
    test_many_params();
    test_one_and_dup();
    test_api_calls_text();
    omkt_test_db_close(db);
    return omkt_test_done();
}

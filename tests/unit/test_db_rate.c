/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_db_rate - the api_rate SQL against a real MariaDB: counts added
 * for many accounts at once (several statements' worth, duplicates
 * summed), read back per account from a minute on, and trimmed.  Needs
 * $OMKT_TEST_CONF; skips (77) without it.
 */
#include <stdlib.h>

#include "common/db_rate.h"
#include "omkt_test.h"
#include "omkt_test_db.h"

#define M0   28000000LL
#define NACC 40 /* accounts: more than one statement of each kind */

static struct omkt_db *db;

/* calls_of - the calls read back for @id in @minute (0 if absent). */
static int64_t calls_of(const struct omkt_rate_rows *r, int64_t id,
                        int64_t minute)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].account_id == id && r->v[i].minute == minute)
            return r->v[i].calls;
    return 0;
}

static void test_add_read(void)
{
    struct omkt_rate_row rows[2 * NACC];
    int64_t ids[NACC];
    struct omkt_rate_rows got = {0};

    /* newest first: omkt_rate_add puts them in key order itself */
    for (int i = 0; i < NACC; i++) {
        rows[2 * i] = (struct omkt_rate_row){NACC - i, M0, i + 1};
        rows[2 * i + 1] = (struct omkt_rate_row){NACC - i, M0 - 1, 2};
        ids[i] = i + 1;
    }
    OMKT_CHECK_INT(omkt_rate_add(db, rows, 2 * NACC, NULL), OMKT_OK, "add");
    OMKT_CHECK_INT(omkt_rate_add(db, rows, 3, NULL), OMKT_OK, "add again");
    OMKT_CHECK_INT(omkt_rate_read(db, ids, NACC, M0 - 1, &got, NULL), OMKT_OK,
                   "read");
    OMKT_CHECK_INT(got.n, 2 * NACC, "two minutes per account");
    OMKT_CHECK_INT(calls_of(&got, NACC, M0), 2, "summed: 1 + 1");
    OMKT_CHECK_INT(calls_of(&got, NACC, M0 - 1), 4, "summed: 2 + 2");
    OMKT_CHECK_INT(calls_of(&got, NACC - 1, M0 - 1), 2, "not added twice");
    OMKT_CHECK_INT(calls_of(&got, 1, M0), NACC, "last account");
    omkt_rate_rows_clear(&got);
    OMKT_CHECK_INT(omkt_rate_read(db, ids, 1, M0, &got, NULL), OMKT_OK,
                   "read one account from M0");
    OMKT_CHECK_INT(got.n, 1, "one row");
    omkt_rate_rows_clear(&got);
}

static void test_trim(void)
{
    struct omkt_rate_row old = {1, M0 - 10, 5};
    int64_t id = 1;
    struct omkt_rate_rows got = {0};
    unsigned n = 0;

    OMKT_CHECK_INT(omkt_rate_add(db, &old, 1, NULL), OMKT_OK, "add old");
    OMKT_CHECK_INT(omkt_rate_trim(db, M0 - 1, 1000, &n, NULL), OMKT_OK, "trim");
    OMKT_CHECK_INT(n, 1, "only the old row went");
    OMKT_CHECK_INT(omkt_rate_read(db, &id, 1, 0, &got, NULL), OMKT_OK, "read");
    OMKT_CHECK_INT(got.n, 2, "the two recent minutes stay");
    omkt_rate_rows_clear(&got);
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    (void)omkt_db_exec(db, "DELETE FROM api_rate", NULL, 0, NULL, NULL, NULL);
    test_add_read();
    test_trim();
    (void)omkt_db_exec(db, "DELETE FROM api_rate", NULL, 0, NULL, NULL, NULL);
    omkt_test_db_close(db);
    return omkt_test_done();
}

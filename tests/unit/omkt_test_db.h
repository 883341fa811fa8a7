/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omkt_test_db - a database connection for the unit tests that need one,
 * from the [db] section of $OMKT_TEST_CONF (tests/run.sh writes it).
 */
#ifndef OMKT_TESTS_OMKT_TEST_DB_H
#define OMKT_TESTS_OMKT_TEST_DB_H

#include <mysql.h>
#include <stdlib.h>

#include "common/conf.h"
#include "common/db.h"
#include "omkt_test.h"

static struct omkt_db_conf omkt_test_dbc;
static struct omkt_conf_section omkt_test_sec = {"db", omkt_db_conf_keys, 0,
                                                 &omkt_test_dbc};

/*
 * omkt_test_db_open - connect; 0 on success, else the exit code to return
 * (77 without $OMKT_TEST_CONF, 1 when the database cannot be reached).
 */
static inline int omkt_test_db_open(struct omkt_db **db)
{
    const char *path = getenv("OMKT_TEST_CONF");
    struct omkt_errbuf eb = {0};

    if (path == NULL) {
        printf("1..0 # SKIP no OMKT_TEST_CONF\n");
        return 77;
    }
    omkt_test_sec.nkeys = omkt_db_conf_nkeys;
    mysql_library_init(0, NULL, NULL);
    if (omkt_conf_load(path, &omkt_test_sec, 1, &eb) != OMKT_OK ||
        omkt_db_open(&omkt_test_dbc, db, &eb) != OMKT_OK) {
        printf("not ok - setup: %s\n", eb.msg);
        return 1;
    }
    return 0;
}

/* omkt_test_db_close - release what omkt_test_db_open made. */
static inline void omkt_test_db_close(struct omkt_db *db)
{
    omkt_db_close(db);
    omkt_conf_free(&omkt_test_sec, 1);
    mysql_library_end();
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_restcb - the REST media-level event against a real MariaDB, with
 * two connections interleaved as two transcoderds finishing the last two
 * settings of a media at the same moment: A records its setting and
 * checks the media (the other setting still running: no media event),
 * B starts while A has not committed.  Exactly one media.done must be
 * queued, by B, listing both settings done (without the media lock B
 * would not wait for A, would see A's setting still running, and nobody
 * would send media.done).  Then: no second media.done for the same
 * round, a retry's round gets its own, and a cancel is media.cancelled.
 * Needs $OMKT_TEST_CONF; skips (77) without it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"
#include "common/restcb.h"
#include "omkt_test.h"
#include "omkt_test_db.h"

static struct omkt_db *db, *db2;
static int64_t media_id, tids[2];

/* exec - a setup statement (@sql static: the connection caches its
 * prepared statement by address); the insert id. */
static int64_t exec(const char *sql, const struct omkt_dbv *v, size_t n)
{
    struct omkt_errbuf eb = {0};
    uint64_t id = 0;

    OMKT_CHECK_INT(omkt_db_exec(db, sql, v, n, NULL, &id, &eb), OMKT_OK,
                   "%s: %s", sql, eb.msg);
    return (int64_t)id;
}

/* count - notify jobs of the media whose payload matches @like. */
static int64_t count(const char *like)
{
    static const char sql[] = "SELECT COUNT(*) FROM jobs WHERE media_id = ?"
                              " AND task = 'notify' AND payload LIKE ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id), OMKT_DBV_S(like)};
    struct omkt_dbres *r = NULL;
    int64_t n = -1;

    if (omkt_db_query(db, sql, v, 2, &r, NULL) == OMKT_OK)
        n = omkt_dbres_i64(r, 0, 0, -1);
    omkt_dbres_free(r);
    return n;
}

static void setup(void)
{
    static const char acc_sql[] = "INSERT INTO accounts (email, api_key)"
                                  " VALUES ('restcb@example.com', MD5(RAND()))";
    static const char media_sql[] =
        "INSERT INTO media (account_id, remote_id, url, state, path,"
        " want_settings, notify_url, external_id) VALUES (?,"
        " -CAST(UUID_SHORT() DIV 2 AS SIGNED), 'http://x/a', 'metadata_ok',"
        " 'a', '11,12', 'http://cms.example/hook', 'cms-1')";
    static const char rid_sql[] =
        "UPDATE media SET remote_id = -id WHERE id = ?";
    static const char tr_sql[] = "INSERT INTO transcodes (media_id,"
                                 " setting_id, state) VALUES (?, ?, 'running')";
    struct omkt_dbv v[2] = {OMKT_DBV_I(exec(acc_sql, NULL, 0))};

    media_id = exec(media_sql, v, 1);
    v[0] = OMKT_DBV_I(media_id);
    exec(rid_sql, v, 1);
    for (int i = 0; i < 2; i++) {
        v[1] = OMKT_DBV_I(11 + i);
        tids[i] = exec(tr_sql, v, 2);
    }
}

/* finish - what tjob_done does for setting @i, on @d, uncommitted. */
static int finish(struct omkt_db *d, int i)
{
    struct omkt_media m = {0};
    int ret = omkt_db_begin(d, NULL);

    if (ret == OMKT_OK)
        ret = omkt_media_get(d, media_id, &m, NULL);
    if (ret == OMKT_OK)
        ret = omkt_restcb_lock(d, &m, NULL);
    if (ret == OMKT_OK)
        ret = omkt_transcode_done(d, tids[i], "media/x/1.mp4", 1,
                                  "{\"mime\":\"video/mp4\"}", NULL);
    if (ret == OMKT_OK)
        ret = omkt_restcb_setting_ended(d, &m, tids[i], NULL);
    if (ret == OMKT_OK)
        ret = omkt_restcb_media_end(d, &m, false, NULL);
    omkt_media_clear(&m);
    return ret;
}

/* second - transcoderd B: setting 12, committed. */
static void *second(void *arg)
{
    int *ret = arg;

    *ret = finish(db2, 1);
    if (*ret == OMKT_OK)
        *ret = omkt_db_commit(db2, NULL);
    else
        omkt_db_rollback(db2);
    return NULL;
}

static void test_race(void)
{
    pthread_t th;
    int b_ret = -99;

    OMKT_CHECK_INT(finish(db, 0), OMKT_OK, "A: setting 11 recorded");
    OMKT_CHECK_INT(count("%media.%"), 0, "A saw 12 running: no media event");
    OMKT_CHECK_INT(pthread_create(&th, NULL, second, &b_ret), 0, "B starts");
    usleep(500 * 1000); /* B is at the media lock, or done without it */
    OMKT_CHECK_INT(omkt_db_commit(db, NULL), OMKT_OK, "A commits");
    pthread_join(th, NULL);
    OMKT_CHECK_INT(b_ret, OMKT_OK, "B: setting 12 recorded");
    OMKT_CHECK_INT(count("%\"event\":\"format.done\"%"), 2, "two format.done");
    OMKT_CHECK_INT(count("%\"event\":\"media.done\"%"), 1, "one media.done");
    OMKT_CHECK_INT(count("%\"event\":\"media.done\"%\"state\":\"done\","
                         "\"settings\":[{\"setting_id\":11,\"state\":\"done\""
                         "%{\"setting_id\":12,\"state\":\"done\"%"),
                   1, "media.done: both settings done");
}

/* end_again - media_end in a transaction of its own. */
static int end_again(bool is_cancel, bool is_retry)
{
    struct omkt_media m = {0};
    int ret = omkt_db_begin(db, NULL);

    if (ret == OMKT_OK)
        ret = omkt_media_get(db, media_id, &m, NULL);
    if (ret == OMKT_OK && is_retry)
        ret = omkt_restcb_reopen(db, &m, NULL);
    if (ret == OMKT_OK)
        ret = omkt_restcb_media_end(db, &m, is_cancel, NULL);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, NULL);
    else
        omkt_db_rollback(db);
    omkt_media_clear(&m);
    return ret;
}

static void test_rounds(void)
{
    OMKT_CHECK_INT(end_again(false, false), OMKT_OK, "ended again");
    OMKT_CHECK_INT(count("%\"event\":\"media.%"), 1, "same round: nothing");
    OMKT_CHECK_INT(end_again(true, true), OMKT_OK, "retried, then cancelled");
    OMKT_CHECK_INT(count("%\"event\":\"media.cancelled\"%\"state\":"
                         "\"cancelled\"%\"external_id\"%"),
                   0, "(field order)");
    OMKT_CHECK_INT(count("%\"event\":\"media.cancelled\"%\"external_id\":"
                         "\"cms-1\",\"state\":\"cancelled\"%"),
                   1, "new round: its own media.cancelled");
}

/* cleanup - leave the shared test database as it was. */
static void cleanup(void)
{
    static const char *const sql[] = {
        "DELETE FROM jobs WHERE media_id = ?",
        "DELETE FROM transcodes WHERE media_id = ?",
        "DELETE FROM media WHERE id = ?",
    };
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id)};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(sql); i++)
        (void)omkt_db_exec(db, sql[i], v, 1, NULL, NULL,
                           NULL); /* best effort */
    (void)omkt_db_exec(db,
                       "DELETE FROM accounts WHERE email ="
                       " 'restcb@example.com'",
                       NULL, 0, NULL, NULL, NULL);
}

int main(void)
{
    struct omkt_errbuf eb = {0};
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    if (omkt_db_open(&omkt_test_dbc, &db2, &eb) != OMKT_OK) {
        printf("not ok - second connection: %s\n", eb.msg);
        return 1;
    }
    setup();
    test_race();
    test_rounds();
    cleanup();
    omkt_db_close(db2);
    omkt_test_db_close(db);
    return omkt_test_done();
}

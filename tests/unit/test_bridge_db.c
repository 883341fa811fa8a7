/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_bridge_db - the bridge's tables and claim verbs against the test
 * database: a result is stored once per (job, token) and only for the
 * job's current send (duplicates and stale tokens are told apart); a
 * new send replaces the token; forget and trim remove the rows; the
 * queue's head rows and the claim of a chosen job.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/db_cloud.h"
#include "common/db_jobs.h"
#include "omkt_test_db.h"

#define TOK_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define TOK_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct omkt_db *db;

static int64_t enqueue(const char *payload)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TEST, .payload = payload};
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    return id;
}

static void put(int64_t job_id, const char *token)
{
    struct omkt_cloud_send s = {.job_id = job_id,
                                .source_uri = "s3://b/src",
                                .out_prefix = "s3://b/out/"};

    snprintf(s.token, sizeof(s.token), "%s", token);
    OMKT_CHECK_INT(omkt_cloud_send_put(db, &s, NULL), OMKT_OK, "send %s",
                   token);
}

static enum omkt_cloud_stored store(int64_t job_id, const char *token,
                                    const char *body)
{
    enum omkt_cloud_stored how = -1;

    OMKT_CHECK_INT(
        omkt_cloud_result_store(db, job_id, token, false, body, &how, NULL),
        OMKT_OK, "store");
    return how;
}

static void test_exactly_once(void)
{
    int64_t id = enqueue("cloud");
    struct omkt_cloud_send s = {0};
    struct omkt_cloud_counts c = {0};
    char *body = NULL;

    OMKT_CHECK_INT(store(id, TOK_A, "{}"), OMKT_CLOUD_STALE,
                   "no send yet: stale");
    put(id, TOK_A);
    OMKT_CHECK_INT(omkt_cloud_counts(db, &c, NULL), OMKT_OK, "counts");
    OMKT_CHECK_INT(c.out, 1, "one job out");
    OMKT_CHECK_INT(store(id, TOK_A, "first"), OMKT_CLOUD_STORED, "stored");
    OMKT_CHECK_INT(store(id, TOK_A, "second"), OMKT_CLOUD_DUPLICATE,
                   "same token again: duplicate");
    OMKT_CHECK_INT(store(id, TOK_B, "other"), OMKT_CLOUD_STALE,
                   "another token: stale");
    OMKT_CHECK_INT(omkt_cloud_result_get(db, id, TOK_A, &body, NULL), OMKT_OK,
                   "result found");
    OMKT_CHECK_STR(body, "first", "the first copy is the one kept");
    free(body);
    OMKT_CHECK_INT(omkt_cloud_counts(db, &c, NULL), OMKT_OK, "counts");
    OMKT_CHECK(c.out == 0 && c.results == 1, "out %lld results %lld",
               (long long)c.out, (long long)c.results);
    put(id, TOK_B); /* sent again: B is current, A's late copies stale */
    OMKT_CHECK_INT(omkt_cloud_send_get(db, id, &s, NULL), OMKT_OK, "get");
    OMKT_CHECK_STR(s.token, TOK_B, "token replaced");
    OMKT_CHECK_INT(s.sends, 2, "two sends");
    OMKT_CHECK(s.age_ms >= 0 && s.age_ms < 60000, "age %lld",
               (long long)s.age_ms);
    omkt_cloud_send_clear(&s);
    OMKT_CHECK_INT(store(id, TOK_B, "b"), OMKT_CLOUD_STORED, "B stored");
    OMKT_CHECK_INT(omkt_cloud_send_forget(db, id, NULL), OMKT_OK, "forget");
    OMKT_CHECK_INT(omkt_cloud_send_get(db, id, &s, NULL), OMKT_ENOTFOUND,
                   "send gone");
    OMKT_CHECK_INT(omkt_cloud_result_get(db, id, TOK_B, &body, NULL),
                   OMKT_ENOTFOUND, "results gone");
    OMKT_CHECK_INT(store(id, TOK_B, "late"), OMKT_CLOUD_STALE,
                   "a result after the end: stale");
}

static void test_trim(void)
{
    int64_t id = enqueue("trim");
    struct omkt_cloud_send s = {0};
    unsigned n = 0;

    put(id, TOK_A);
    OMKT_CHECK_INT(omkt_cloud_trim(db, &n, NULL), OMKT_OK, "trim");
    OMKT_CHECK_INT(omkt_cloud_send_get(db, id, &s, NULL), OMKT_OK,
                   "a queued job's send is kept");
    omkt_cloud_send_clear(&s);
    OMKT_CHECK_INT(omkt_job_cancel(db, id, NULL), OMKT_OK, "cancel");
    OMKT_CHECK_INT(omkt_cloud_trim(db, &n, NULL), OMKT_OK, "trim");
    OMKT_CHECK_INT(n, 1, "one row trimmed");
    OMKT_CHECK_INT(omkt_cloud_send_get(db, id, &s, NULL), OMKT_ENOTFOUND,
                   "a cancelled job's send is forgotten");
}

static void test_claim_id(void)
{
    struct omkt_dbres *r = NULL;
    struct omkt_job job = {0};
    int64_t a, b;

    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE task = 'test'", NULL, 0,
                       NULL, NULL, NULL);
    a = enqueue("a");
    b = enqueue("b");
    OMKT_CHECK_INT(omkt_job_queued_heads(db, OMKT_TASK_TEST, 10, &r, NULL),
                   OMKT_OK, "heads");
    OMKT_CHECK(r != NULL && r->nrows == 2 && omkt_dbres_i64(r, 0, 0, 0) == a &&
                   omkt_dbres_i64(r, 1, 0, 0) == b,
               "heads in claim order");
    OMKT_CHECK(r != NULL && omkt_dbres_i64(r, 0, 2, -1) >= 0, "wait in ms");
    omkt_dbres_free(r);
    OMKT_CHECK_INT(omkt_job_claim_id(db, OMKT_TASK_TEST, b, 7, 30, &job, NULL),
                   OMKT_OK, "claim the second");
    OMKT_CHECK(job.id == b && job.worker_id == 7 && job.attempts == 1,
               "claimed b by 7, attempt 1");
    omkt_job_clear(&job);
    OMKT_CHECK_INT(omkt_job_claim_id(db, OMKT_TASK_TEST, b, 8, 30, &job, NULL),
                   OMKT_ENOTFOUND, "not twice");
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, a, 8, 30, &job, NULL),
        OMKT_ENOTFOUND, "not as another task");
    OMKT_CHECK_INT(omkt_job_claim_id(db, OMKT_TASK_TEST, 0, 8, 30, &job, NULL),
                   OMKT_ENOTFOUND, "no id");
    OMKT_CHECK_INT(omkt_job_claim(db, OMKT_TASK_TEST, 8, 30, &job, NULL),
                   OMKT_OK, "the queue still gives a");
    OMKT_CHECK(job.id == a, "a");
    omkt_job_clear(&job);
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE task = 'test'", NULL, 0,
                       NULL, NULL, NULL);
    test_exactly_once();
    test_trim();
    test_claim_id();
    omkt_test_db_close(db);
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_queue - the queue state machine against a real MariaDB: claim,
 * extend, complete, fail with backoff, release, promote, reap, cancel,
 * retry, priorities, not-before times and per-account fairness.  Needs
 * $OMKT_TEST_CONF (a config whose [db] names an initialised, empty-queue
 * database); skips (77) without it.
 */
#include <mysql.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/db_jobs.h"
#include "common/text.h"
#include "omkt_test.h"
#include "omkt_test_db.h"

static struct omkt_db *db;
static const struct omkt_backoff bo = {.base_ms = 300, .max_ms = 1000};

static int64_t enqueue(const char *payload, int prio, int64_t delay_ms,
                       int max_attempts)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TEST,
                              .priority = prio,
                              .delay_ms = delay_ms,
                              .max_attempts = max_attempts,
                              .payload = payload};
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    return id;
}

static int claim(int64_t worker, unsigned lease_s, struct omkt_job *job)
{
    omkt_job_clear(job);
    return omkt_job_claim(db, OMKT_TASK_TEST, worker, lease_s, job, NULL);
}

static const char *state_of(int64_t id)
{
    static const char sql[] = "SELECT state FROM jobs WHERE id = ?";
    static char buf[32];
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;

    buf[0] = '\0';
    if (omkt_db_query(db, sql, v, 1, &r, NULL) == OMKT_OK && r->nrows == 1)
        snprintf(buf, sizeof(buf), "%s", omkt_dbres_str(r, 0, 0));
    omkt_dbres_free(r);
    return buf;
}

static void test_claim_complete(void)
{
    struct omkt_job job = {0};
    int64_t id = enqueue("p1", 0, 0, 3);
    struct omkt_job other = {.id = id, .worker_id = 999};
    bool is_done;

    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
    OMKT_CHECK_INT(job.id, id, "claimed the queued job");
    OMKT_CHECK_INT(job.attempts, 1, "attempt counted");
    OMKT_CHECK_STR(job.payload, "p1", "payload");
    OMKT_CHECK_INT(claim(8, 30, &other), OMKT_ENOTFOUND, "nothing left");
    other = (struct omkt_job){.id = id, .worker_id = 999};
    OMKT_CHECK_INT(omkt_job_extend(db, &other, 30, 10, NULL), OMKT_ELOST,
                   "another owner cannot extend");
    OMKT_CHECK_INT(omkt_job_complete(db, &other, NULL), OMKT_ELOST,
                   "another owner cannot complete");
    OMKT_CHECK_INT(omkt_job_extend(db, &job, 30, 50, NULL), OMKT_OK, "extend");
    is_done = true;
    OMKT_CHECK_INT(omkt_job_lock(db, &job, &is_done, NULL), OMKT_OK, "lock");
    OMKT_CHECK(!is_done, "lock of a running job: not done yet");
    OMKT_CHECK_INT(omkt_job_complete(db, &job, NULL), OMKT_OK, "complete");
    OMKT_CHECK_STR(state_of(id), "done", "done");
    /* A completion whose reply was lost is recorded again: the lock says
     * it had committed, so its hook is not run twice (jobworker.c). */
    OMKT_CHECK_INT(omkt_job_lock(db, &job, &is_done, NULL), OMKT_OK,
                   "lock again after the completion");
    OMKT_CHECK(is_done, "... says the completion had committed");
    OMKT_CHECK_INT(omkt_job_lock(db, &other, &is_done, NULL), OMKT_ELOST,
                   "another owner cannot lock it");
    OMKT_CHECK_INT(omkt_job_complete(db, &job, NULL), OMKT_OK,
                   "completing twice is idempotent for the owner");
    OMKT_CHECK_INT(omkt_job_release(db, &job, NULL), OMKT_ELOST,
                   "a done job cannot be released");
    omkt_job_clear(&job);
}

static void test_fail_retry(void)
{
    struct omkt_job job = {0};
    bool final = false;
    int64_t id = enqueue("f", 0, 0, 2);
    unsigned n = 0;

    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
    OMKT_CHECK_INT(
        omkt_job_fail(db, &job, OMKT_EIO, "boom", true, &bo, &final, NULL),
        OMKT_OK, "fail retryable");
    OMKT_CHECK(!final, "not final with attempts left");
    OMKT_CHECK_STR(state_of(id), "delayed", "delayed");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_ENOTFOUND, "not claimable yet");
    usleep(400 * 1000);
    OMKT_CHECK_INT(omkt_job_promote(db, &n, NULL), OMKT_OK, "promote");
    OMKT_CHECK_INT(n, 1, "one promoted");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim retry");
    OMKT_CHECK_INT(job.attempts, 2, "second attempt");
    OMKT_CHECK_INT(
        omkt_job_fail(db, &job, OMKT_EIO, "boom", true, &bo, &final, NULL),
        OMKT_OK, "fail again");
    OMKT_CHECK(final, "final when attempts are exhausted");
    OMKT_CHECK_STR(state_of(id), "failed", "failed for good");
    OMKT_CHECK_INT(omkt_job_retry(db, id, NULL), OMKT_OK, "operator retry");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim after retry");
    OMKT_CHECK_INT(job.attempts, 1, "attempts reset by retry");
    OMKT_CHECK_INT(
        omkt_job_fail(db, &job, OMKT_EMEDIA, "bad", false, &bo, &final, NULL),
        OMKT_OK, "permanent failure");
    OMKT_CHECK(final, "permanent is final");
    OMKT_CHECK_STR(state_of(id), "failed", "failed at once");
    omkt_job_clear(&job);
}

static void test_release_cancel(void)
{
    struct omkt_job job = {0};
    int64_t id = enqueue("r", 0, 0, 3);

    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
    OMKT_CHECK_INT(omkt_job_release(db, &job, NULL), OMKT_OK, "release");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim again");
    OMKT_CHECK_INT(job.attempts, 1, "release did not spend the attempt");
    OMKT_CHECK_INT(omkt_job_cancel(db, id, NULL), OMKT_OK, "cancel running");
    OMKT_CHECK_INT(omkt_job_extend(db, &job, 30, -1, NULL), OMKT_ELOST,
                   "the worker learns of the cancel");
    OMKT_CHECK_INT(omkt_job_cancel(db, id, NULL), OMKT_ENOTFOUND,
                   "cancel twice");
    omkt_job_clear(&job);
}

static int reaped_calls;

static int on_reaped(void *ctx, struct omkt_db *cdb,
                     const struct omkt_reaped *r)
{
    (void)ctx;
    (void)cdb;
    (void)r;
    reaped_calls++;
    return OMKT_OK;
}

static void test_reap(void)
{
    struct omkt_job job = {0};
    int64_t id = enqueue("k", 0, 0, 2);
    unsigned n = 0;

    OMKT_CHECK_INT(claim(7, 1, &job), OMKT_OK, "claim with a 1 s lease");
    OMKT_CHECK_INT(omkt_job_reap(db, &bo, on_reaped, NULL, &n, NULL), OMKT_OK,
                   "reap early");
    OMKT_CHECK_INT(n, 0, "live lease not reaped");
    usleep(1300 * 1000);
    OMKT_CHECK_INT(omkt_job_reap(db, &bo, on_reaped, NULL, &n, NULL), OMKT_OK,
                   "reap");
    OMKT_CHECK_INT(n, 1, "expired lease reaped");
    OMKT_CHECK_INT(reaped_calls, 1, "callback called");
    OMKT_CHECK_STR(state_of(id), "delayed", "requeued with backoff");
    OMKT_CHECK_INT(omkt_job_complete(db, &job, NULL), OMKT_ELOST,
                   "the stalled owner learns it lost the job");
    usleep(1100 * 1000);
    (void)omkt_job_promote(db, NULL, NULL);
    OMKT_CHECK_INT(claim(8, 1, &job), OMKT_OK, "claimed by another");
    OMKT_CHECK_INT(job.attempts, 2, "the crash counted as an attempt");
    usleep(1300 * 1000);
    OMKT_CHECK_INT(omkt_job_reap(db, &bo, NULL, NULL, &n, NULL), OMKT_OK,
                   "reap last attempt");
    OMKT_CHECK_STR(state_of(id), "failed", "failed after max attempts");
    omkt_job_clear(&job);
}

static void test_order(void)
{
    struct omkt_job job = {0};
    int64_t low = enqueue("low", 0, 0, 3);
    int64_t later = enqueue("later", 9, 60000, 3);
    int64_t high = enqueue("high", 5, 0, 3);

    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
    OMKT_CHECK_INT(job.id, high, "higher priority first");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
    OMKT_CHECK_INT(job.id, low, "then the older one");
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_ENOTFOUND,
                   "a job with a future not-before time waits");
    OMKT_CHECK_STR(state_of(later), "delayed", "it is delayed");
    omkt_job_clear(&job);
}

static int64_t enqueue_for(int64_t account, int prio)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TEST,
                              .priority = prio,
                              .account_id = account,
                              .max_attempts = 3};
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    return id;
}

/* test_fair - among equal priorities, the account with the fewest running
 * jobs of the task goes next: account A's many queued jobs do not hold
 * every worker while B's one waits; priority still comes first. */
static void test_fair(void)
{
    struct omkt_job job = {0};
    int64_t a[4], b, urgent;

    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE task = 'test'", NULL, 0,
                       NULL, NULL, NULL);
    for (size_t i = 0; i < OMKT_ARRAY_LEN(a); i++)
        a[i] = enqueue_for(101, 0);
    b = enqueue_for(102, 0);
    OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim 1");
    OMKT_CHECK_INT(job.id, a[0], "A's oldest first (nobody runs anything)");
    OMKT_CHECK_INT(claim(8, 30, &job), OMKT_OK, "claim 2");
    OMKT_CHECK_INT(job.id, b, "B's one job before A's second");
    OMKT_CHECK_INT(claim(9, 30, &job), OMKT_OK, "claim 3");
    OMKT_CHECK_INT(job.id, a[1], "then A's second (B has nothing queued)");
    urgent = enqueue_for(101, 5);
    (void)enqueue_for(102, 0);
    OMKT_CHECK_INT(claim(10, 30, &job), OMKT_OK, "claim 4");
    OMKT_CHECK_INT(job.id, urgent, "a higher priority beats fairness");
    OMKT_CHECK_INT(claim(11, 30, &job), OMKT_OK, "claim 5");
    OMKT_CHECK(job.account_id == 102, "B (1 running) before A (3 running)");
    omkt_job_clear(&job);
    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE task = 'test'", NULL, 0,
                       NULL, NULL, NULL);
}

static const char *error_of(int64_t id)
{
    static const char sql[] = "SELECT error FROM jobs WHERE id = ?";
    static char buf[2048];
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;

    buf[0] = '\0';
    if (omkt_db_query(db, sql, v, 1, &r, NULL) == OMKT_OK && r->nrows == 1)
        snprintf(buf, sizeof(buf), "%s", omkt_dbres_str(r, 0, 0));
    omkt_dbres_free(r);
    return buf;
}

/* test_fail_text - a failure's reason is stored whatever its bytes: cut
 * inside a UTF-8 character or holding invalid bytes, MariaDB refused the
 * row and the job stayed running until its lease expired. */
static void test_fail_text(void)
{
    char cut[1100], bad[] = "bad \xff\xfe bytes \xc3";
    struct omkt_errbuf eb = {0};
    struct omkt_job job = {0};
    const struct {
        const char *what;
        const char *reason;
    } c[] = {{"a character across byte 1024", cut},
             {"invalid bytes", bad},
             {"omkt_errf cut inside a character", eb.msg}};
    int64_t ids[3];

    memset(cut, 'a', 1023);
    strcpy(cut + 1023, "\xc3\xa9\xc3\xa9");
    /* 510 ASCII bytes, then 2-byte characters across the 511-byte cut. */
    omkt_errf(&eb, "%.510s%s", cut, "\xc3\xa9\xc3\xa9\xc3\xa9");
    OMKT_CHECK(omkt_utf8_valid(eb.msg, strlen(eb.msg)),
               "omkt_errf leaves valid UTF-8 (%zu bytes)", strlen(eb.msg));
    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int64_t id = enqueue("text", 0, 0, 3);
        bool is_final = false;

        ids[i] = id;
        OMKT_CHECK_INT(claim(7, 30, &job), OMKT_OK, "claim");
        OMKT_CHECK_INT(job.id, id, "claimed it");
        OMKT_CHECK_INT(omkt_job_fail(db, &job, OMKT_EMEDIA, c[i].reason, false,
                                     &bo, &is_final, NULL),
                       OMKT_OK, "%s: the failure is recorded", c[i].what);
        OMKT_CHECK_STR(state_of(id), "failed", "%s: failed", c[i].what);
        OMKT_CHECK(omkt_utf8_valid(error_of(id), strlen(error_of(id))) &&
                       strlen(error_of(id)) > 10,
                   "%s: reason kept, valid UTF-8", c[i].what);
    }
    OMKT_CHECK(strstr(error_of(ids[1]), "bad \xef\xbf\xbd\xef\xbf\xbd bytes"),
               "invalid bytes became U+FFFD");
    omkt_job_clear(&job);
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE task = 'test'", NULL, 0,
                       NULL, NULL, NULL);
    test_claim_complete();
    test_fail_retry();
    test_release_cancel();
    test_reap();
    test_order();
    test_fair();
    test_fail_text();
    omkt_test_db_close(db);
    return omkt_test_done();
}

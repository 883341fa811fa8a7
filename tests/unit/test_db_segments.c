/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_db_segments - the queue side of segment-parallel transcoding
 * against the test database: a split makes one child per row with the
 * parent's media and the split payload; the parent parks; progress is
 * the length-weighted share of segments done; the parent wakes once and
 * only when every child is done; a child's final failure fails the
 * parent once and cancels the siblings; cancel and retry go by family;
 * the cloud bridge's queue heads skip families; a reaped child carries
 * its parent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_segments.h"
#include "omkt_test_db.h"

static struct omkt_db *db;
static int64_t parents[16]; /* removed at the end, children by cascade */
static size_t n_parents;

static const struct omkt_seg_row rows[] = {
    {0, 0, 4000000, 4000000},
    {1, 4000000, 8000000, 4000000},
    {2, 8000000, INT64_MAX, 2000000},
    {OMKT_SEG_AUDIO, 0, INT64_MAX, 10000000},
};

static int64_t q_i64(const char *sql, int64_t id)
{
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int64_t x = -1;

    if (omkt_db_query(db, sql, v, 1, &r, NULL) == OMKT_OK && r->nrows > 0)
        x = omkt_dbres_i64(r, 0, 0, -1);
    omkt_dbres_free(r);
    return x;
}

static const char *state_of(int64_t id)
{
    static char buf[32];
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;

    buf[0] = '\0';
    if (omkt_db_query(db, "SELECT state FROM jobs WHERE id = ?", v, 1, &r,
                      NULL) == OMKT_OK &&
        r->nrows > 0)
        snprintf(buf, sizeof(buf), "%s", omkt_dbres_str(r, 0, 0));
    omkt_dbres_free(r);
    return buf;
}

static void set_state(int64_t id, const char *state, int progress)
{
    struct omkt_dbv v[] = {OMKT_DBV_S(state), OMKT_DBV_I(progress),
                           OMKT_DBV_I(id)};

    OMKT_CHECK_INT(omkt_db_exec(db,
                                "UPDATE jobs SET state = ?, progress = ?"
                                " WHERE id = ?",
                                v, 3, NULL, NULL, NULL),
                   OMKT_OK, "set job %lld %s", (long long)id, state);
}

/* family - a claimed parent split into rows[], parked; *child gets the
 * id of its first child. */
static int64_t family(int64_t *child)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TRANSCODE,
                              .priority = 3,
                              .payload = "{\"transcodes\":[1,2]}"};
    struct omkt_job job = {0};
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, id, 77, 60, &job, NULL),
        OMKT_OK, "claim the parent");
    OMKT_CHECK_INT(omkt_db_begin(db, NULL), OMKT_OK, "begin");
    OMKT_CHECK_INT(omkt_seg_split(db, &job, "{\"transcodes\":[2]}", rows,
                                  OMKT_ARRAY_LEN(rows), NULL),
                   OMKT_OK, "split");
    OMKT_CHECK_INT(omkt_job_park(db, &job, NULL), OMKT_OK, "park");
    OMKT_CHECK_INT(omkt_db_commit(db, NULL), OMKT_OK, "commit");
    omkt_job_clear(&job);
    *child = q_i64("SELECT MIN(id) FROM jobs WHERE parent_id = ?", id);
    if (n_parents < OMKT_ARRAY_LEN(parents))
        parents[n_parents++] = id;
    return id;
}

static void test_split(void)
{
    int64_t c0 = 0, p = family(&c0);
    struct omkt_seg_state st = {0};
    struct omkt_seg_row row = {0};
    struct omkt_job job = {0};

    OMKT_CHECK_STR(state_of(p), "waiting", "parent parked");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM jobs WHERE worker_id IS NULL"
                         " AND lease_until IS NULL AND id = ?",
                         p),
                   1, "no worker, no lease");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM jobs WHERE parent_id = ?"
                         " AND state = 'queued' AND priority = 3"
                         " AND task = 'transcode'"
                         " AND payload = '{\"transcodes\":[2]}'",
                         p),
                   4, "four queued children with the split payload");
    OMKT_CHECK_INT(omkt_seg_state(db, p, &st, NULL), OMKT_OK, "state");
    OMKT_CHECK(st.n_segments == 3 && st.has_audio && st.n_undone == 4,
               "3 segments + audio, 4 undone (%d %d %d)", st.n_segments,
               st.has_audio, st.n_undone);
    OMKT_CHECK_INT(omkt_seg_get(db, c0 + 2, &row, NULL), OMKT_OK, "get");
    OMKT_CHECK(row.seg == 2 && row.start_us == 8000000 &&
                   row.end_us == INT64_MAX,
               "segment 2 to the end (NULL end read back as INT64_MAX)");
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, c0, 78, 60, &job, NULL),
        OMKT_OK, "claim a child");
    OMKT_CHECK_INT(job.parent_id, p, "the claim carries the parent");
    omkt_job_clear(&job);
    OMKT_CHECK_INT(omkt_job_get(db, c0, &job, NULL), OMKT_OK, "get");
    OMKT_CHECK_INT(job.parent_id, p, "omkt_job_get carries the parent");
    omkt_job_clear(&job);
    OMKT_CHECK_INT(omkt_job_retry(db, c0 + 1, NULL), OMKT_ENOTFOUND,
                   "no retry while the family runs");
    OMKT_CHECK_STR(state_of(c0), "running", "the running child untouched");
}

static void test_progress_and_wake(void)
{
    int64_t c0 = 0, p = family(&c0);
    bool woken = true;
    int pct = -1;

    set_state(c0, "done", 100);
    set_state(c0 + 1, "running", 50);
    OMKT_CHECK_INT(omkt_seg_progress(db, p, &pct, NULL), OMKT_OK, "progress");
    /* (100 * 4 + 50 * 4 + 0 * 2) / 10: the audio does not count */
    OMKT_CHECK_INT(pct, 60, "length-weighted share");
    OMKT_CHECK_INT(q_i64("SELECT progress FROM jobs WHERE id = ?", p), 60,
                   "written to the parent");
    set_state(c0 + 1, "done", 100);
    set_state(c0 + 2, "done", 100);
    OMKT_CHECK_INT(omkt_seg_wake(db, p, &woken, NULL), OMKT_OK, "wake");
    OMKT_CHECK(!woken, "the audio is not done: still waiting");
    OMKT_CHECK_STR(state_of(p), "waiting", "parent waits");
    set_state(c0 + 3, "done", 100);
    OMKT_CHECK_INT(omkt_seg_wake(db, p, &woken, NULL), OMKT_OK, "wake");
    OMKT_CHECK(woken, "all done: woken");
    OMKT_CHECK_STR(state_of(p), "queued", "parent queued to join");
    OMKT_CHECK_INT(omkt_seg_wake(db, p, &woken, NULL), OMKT_OK, "wake again");
    OMKT_CHECK(!woken, "a second waker changes nothing");
}

/* a parked job without children is never woken (no family yet) */
static void test_no_children(void)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TRANSCODE};
    struct omkt_job job = {0};
    bool woken = true;
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, id, 77, 60, &job, NULL),
        OMKT_OK, "claim");
    OMKT_CHECK_INT(omkt_job_park(db, &job, NULL), OMKT_OK, "park");
    omkt_job_clear(&job);
    OMKT_CHECK_INT(omkt_seg_wake(db, id, &woken, NULL), OMKT_OK, "wake");
    OMKT_CHECK(!woken, "no child: not woken");
    OMKT_CHECK_INT(omkt_seg_wake_all(db, NULL, NULL), OMKT_OK, "sweep");
    OMKT_CHECK_STR(state_of(id), "waiting", "the sweep leaves it too");
    if (n_parents < OMKT_ARRAY_LEN(parents))
        parents[n_parents++] = id;
}

static void test_wake_all(void)
{
    int64_t c0 = 0, p = family(&c0);
    unsigned n = 0;

    for (int i = 0; i < 4; i++)
        set_state(c0 + i, "done", 100);
    OMKT_CHECK_INT(omkt_seg_wake_all(db, &n, NULL), OMKT_OK, "sweep");
    OMKT_CHECK(n >= 1, "the sweep woke it");
    OMKT_CHECK_STR(state_of(p), "queued", "straggler queued");
}

static void test_fail(void)
{
    int64_t c0 = 0, p = family(&c0);
    bool first = false;

    set_state(c0, "done", 100);
    set_state(c0 + 1, "running", 10);
    set_state(c0 + 2, "failed", 0);
    OMKT_CHECK_INT(
        omkt_seg_fail(db, p, OMKT_EMEDIA, "segment 2 of 3", &first, NULL),
        OMKT_OK, "fail");
    OMKT_CHECK(first, "the first failure ends the family");
    OMKT_CHECK_STR(state_of(p), "failed", "parent failed");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM jobs WHERE id = ? AND"
                         " error = 'segment 2 of 3'",
                         p),
                   1, "its error names the segment");
    OMKT_CHECK_STR(state_of(c0), "done", "a done sibling stays done");
    OMKT_CHECK_STR(state_of(c0 + 1), "cancelled", "running sibling cancelled");
    OMKT_CHECK_STR(state_of(c0 + 3), "cancelled", "queued sibling cancelled");
    OMKT_CHECK_INT(omkt_seg_fail(db, p, OMKT_EMEDIA, "again", &first, NULL),
                   OMKT_OK, "fail again");
    OMKT_CHECK(!first, "a second failure tells nobody");
    /* retry by a child: the whole family again (its files are gone) */
    OMKT_CHECK_INT(omkt_job_retry(db, c0 + 2, NULL), OMKT_OK, "retry");
    OMKT_CHECK_STR(state_of(p), "waiting", "parent waits again");
    OMKT_CHECK_STR(state_of(c0), "queued", "done segment made again");
    OMKT_CHECK_STR(state_of(c0 + 2), "queued", "failed segment queued");
    OMKT_CHECK_STR(state_of(c0 + 1), "queued", "cancelled segment queued");
}

static void test_cancel_and_heads(void)
{
    int64_t c0 = 0, p = family(&c0);
    struct omkt_dbres *r = NULL;
    bool seen = false;

    OMKT_CHECK_INT(
        omkt_job_queued_heads(db, OMKT_TASK_TRANSCODE, 100, &r, NULL), OMKT_OK,
        "heads");
    for (size_t i = 0; r != NULL && i < r->nrows; i++) {
        int64_t id = omkt_dbres_i64(r, i, 0, 0);

        seen = seen || (id >= c0 && id < c0 + 4) || id == p;
    }
    omkt_dbres_free(r);
    OMKT_CHECK(!seen, "the bridge never sees a family");
    set_state(c0, "running", 5);
    OMKT_CHECK_INT(omkt_job_cancel(db, c0 + 1, NULL), OMKT_OK,
                   "cancel a child");
    OMKT_CHECK_STR(state_of(p), "cancelled", "the parent too");
    OMKT_CHECK_STR(state_of(c0), "cancelled", "a running sibling too");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM jobs WHERE parent_id = ?"
                         " AND state <> 'cancelled'",
                         p),
                   0, "every child cancelled");
    OMKT_CHECK_INT(omkt_job_cancel(db, p, NULL), OMKT_ENOTFOUND,
                   "nothing left to cancel");
    /* every child done, the parent cancelled: all made again */
    for (int i = 0; i < 4; i++)
        set_state(c0 + i, "done", 100);
    OMKT_CHECK_INT(omkt_job_retry(db, p, NULL), OMKT_OK, "retry");
    OMKT_CHECK_STR(state_of(p), "waiting", "waits for them");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM jobs WHERE parent_id = ?"
                         " AND state = 'queued' AND attempts = 0",
                         p),
                   4, "every child queued afresh");
}

static int64_t reaped_id, reaped_parent;

static int on_reaped(void *ctx, struct omkt_db *rdb,
                     const struct omkt_reaped *r)
{
    (void)ctx;
    (void)rdb;
    if (r->id == reaped_id)
        reaped_parent = r->parent_id;
    return OMKT_OK;
}

static void test_reap_and_forget(void)
{
    int64_t c0 = 0, p = family(&c0);
    struct omkt_job job = {0};

    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, c0, 79, 60, &job, NULL),
        OMKT_OK, "claim a child");
    omkt_job_clear(&job);
    OMKT_CHECK_INT(omkt_db_exec(db,
                                "UPDATE jobs SET lease_until = NOW(3)"
                                " - INTERVAL 1 SECOND, attempts = max_attempts"
                                " WHERE id = ?",
                                (struct omkt_dbv[]){OMKT_DBV_I(c0)}, 1, NULL,
                                NULL, NULL),
                   OMKT_OK, "expire its lease");
    reaped_id = c0;
    OMKT_CHECK_INT(omkt_job_reap(db, &(struct omkt_backoff){100, 1000},
                                 on_reaped, NULL, NULL, NULL),
                   OMKT_OK, "reap");
    OMKT_CHECK_INT(reaped_parent, p, "the reaper is told the parent");
    OMKT_CHECK_STR(state_of(c0), "failed", "attempts exhausted: failed");
    OMKT_CHECK_INT(omkt_seg_forget(db, p, NULL), OMKT_OK, "forget");
    OMKT_CHECK_INT(q_i64("SELECT COUNT(*) FROM job_segments WHERE"
                         " parent_id = ?",
                         p),
                   0, "rows gone with the children");
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    test_split();
    test_progress_and_wake();
    test_no_children();
    test_wake_all();
    test_fail();
    test_cancel_and_heads();
    test_reap_and_forget();
    for (size_t i = 0; i < n_parents; i++)
        (void)omkt_db_exec(db, "DELETE FROM jobs WHERE id = ?",
                           (struct omkt_dbv[]){OMKT_DBV_I(parents[i])}, 1, NULL,
                           NULL, NULL); /* children by cascade */
    omkt_test_db_close(db);
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_db_segview - the segment views read what the queue core writes:
 * a parent split by omkt_seg_split and parked, one child claimed by a
 * registered process, seen by omkt_segview_media (family, children by
 * seg with the audio first, the worker's host, the split payload),
 * omkt_segview_active and omkt_segview_counts (deltas: the test database
 * is shared).  tests/api/test_segview.sh covers the REST, dashboard and
 * /metrics rendering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_procs.h"
#include "common/db_segments.h"
#include "common/db_segview.h"
#include "omkt_test_db.h"

static struct omkt_db *db;

static const struct omkt_seg_row rows[] = {
    {0, 0, 4000000, 4000000},
    {1, 4000000, 8000000, 4000000},
    {2, 8000000, INT64_MAX, 2000000},
    {OMKT_SEG_AUDIO, 0, INT64_MAX, 10000000},
};

/* split - a parent of media @media claimed by @wid, split into rows[] and
 * parked, as transcoderd does; its id. */
static int64_t split(int64_t media, int64_t wid)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_TRANSCODE,
                              .media_id = media,
                              .payload = "{\"transcodes\":[5,6,7]}"};
    struct omkt_job job = {0};
    int64_t id = 0;

    OMKT_CHECK_INT(omkt_job_enqueue(db, &jn, &id, NULL), OMKT_OK, "enqueue");
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, id, wid, 60, &job, NULL),
        OMKT_OK, "claim the parent");
    OMKT_CHECK_INT(omkt_db_begin(db, NULL), OMKT_OK, "begin");
    OMKT_CHECK_INT(omkt_seg_split(db, &job, "{\"transcodes\":[5,6]}", rows,
                                  OMKT_ARRAY_LEN(rows), NULL),
                   OMKT_OK, "split");
    OMKT_CHECK_INT(omkt_job_park(db, &job, NULL), OMKT_OK, "park");
    OMKT_CHECK_INT(omkt_db_commit(db, NULL), OMKT_OK, "commit");
    omkt_job_clear(&job);
    return id;
}

/* claim_seg - a worker @wid claims the child of @parent making @seg. */
static void claim_seg(int64_t parent, int seg, int64_t wid)
{
    struct omkt_dbv v[] = {OMKT_DBV_I(parent), OMKT_DBV_I(seg)};
    struct omkt_dbres *r = NULL;
    struct omkt_job job = {0};
    int64_t id = -1;

    if (omkt_db_query(db,
                      "SELECT job_id FROM job_segments WHERE parent_id = ?"
                      " AND seg = ?",
                      v, 2, &r, NULL) == OMKT_OK &&
        r->nrows == 1)
        id = omkt_dbres_i64(r, 0, 0, -1);
    omkt_dbres_free(r);
    OMKT_CHECK_INT(
        omkt_job_claim_id(db, OMKT_TASK_TRANSCODE, id, wid, 60, &job, NULL),
        OMKT_OK, "claim segment %d", seg);
    omkt_job_clear(&job);
}

static void check_family(const struct omkt_segview_family *f, int64_t p,
                         int64_t media)
{
    static const int segs[] = {-1, 0, 1, 2};
    struct omkt_segview_tally t;

    OMKT_CHECK(f->parent_id == p && f->media_id == media, "the parent");
    OMKT_CHECK_STR(f->state, "waiting", "parked: waiting");
    OMKT_CHECK(f->ntids == 2 && f->tids[0] == 5 && f->tids[1] == 6,
               "the split payload, not the parent's (%zu ids)", f->ntids);
    OMKT_CHECK_INT(f->settings[0], 0, "no transcodes row: setting unknown");
    OMKT_CHECK_INT(f->nkids, 4, "3 segments and the audio");
    for (size_t i = 0; i < f->nkids && i < OMKT_ARRAY_LEN(segs); i++)
        OMKT_CHECK_INT(f->kids[i].seg, segs[i], "child %zu by seg", i);
    OMKT_CHECK_STR(f->kids[2].state, "running", "segment 1 running");
    OMKT_CHECK_STR(f->kids[2].host, "segview-host", "on the worker's host");
    OMKT_CHECK_INT(f->kids[2].attempts, 1, "its first attempt");
    OMKT_CHECK(f->kids[1].host == NULL, "a queued child: no host");
    omkt_segview_tally(f, &t);
    OMKT_CHECK(t.segments == 3 && t.running == 1 && t.queued == 2 &&
                   t.done == 0,
               "tally 3 segments: 1 running, 2 queued");
    OMKT_CHECK_STR(t.audio, "queued", "the audio queued");
}

static void test_views(void)
{
    int64_t wid = 0, media = 900000000 + (int64_t)getpid(), p;
    struct omkt_segview_counts before, after;
    struct omkt_segview v = {0};
    const struct omkt_segview_family *found = NULL;

    OMKT_CHECK_INT(omkt_proc_register(db, "segview-host", getpid(),
                                      "transcoderd", &wid, NULL),
                   OMKT_OK, "a worker");
    OMKT_CHECK_INT(omkt_segview_counts(db, &before, NULL), OMKT_OK, "counts");
    p = split(media, wid);
    claim_seg(p, 1, wid);
    OMKT_CHECK_INT(omkt_segview_media(db, media, &v, NULL), OMKT_OK, "media");
    OMKT_CHECK_INT(v.n, 1, "one family");
    if (v.n == 1)
        check_family(&v.fams[0], p, media);
    omkt_segview_clear(&v);
    OMKT_CHECK_INT(omkt_segview_media(db, media + 1, &v, NULL), OMKT_OK,
                   "another media");
    OMKT_CHECK_INT(v.n, 0, "another media: no family");
    omkt_segview_clear(&v);
    OMKT_CHECK_INT(omkt_segview_active(db, 50, &v, NULL), OMKT_OK, "active");
    for (size_t i = 0; i < v.n; i++)
        found = v.fams[i].parent_id == p ? &v.fams[i] : found;
    OMKT_CHECK(found != NULL, "in progress: listed");
    if (found != NULL)
        check_family(found, p, media);
    omkt_segview_clear(&v);
    OMKT_CHECK_INT(omkt_segview_counts(db, &after, NULL), OMKT_OK, "counts");
    OMKT_CHECK_INT(after.n[0] - before.n[0], 3, "3 more queued children");
    OMKT_CHECK_INT(after.n[2] - before.n[2], 1, "1 more running child");
    (void)omkt_db_exec(db, "DELETE FROM jobs WHERE id = ?",
                       (struct omkt_dbv[]){OMKT_DBV_I(p)}, 1, NULL, NULL,
                       NULL); /* children by cascade */
    (void)omkt_db_exec(db, "DELETE FROM processes WHERE id = ?",
                       (struct omkt_dbv[]){OMKT_DBV_I(wid)}, 1, NULL, NULL,
                       NULL); /* cleanup: a failure here changes no result */
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    test_views();
    omkt_test_db_close(db);
    return omkt_test_done();
}

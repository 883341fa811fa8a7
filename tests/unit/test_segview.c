/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_segview - the pure half of db_segview: what a family's children
 * add up to (segments done, running, queued, failed, cancelled, the
 * audio), which family makes a setting (the newest), and the states
 * children are counted in.  The SQL half is
 * tested through apid (tests/api/test_segview.sh).
 */
#include <string.h>

#include "common/alloc.h"
#include "common/db_jobstats.h"
#include "common/db_segview.h"
#include "omkt_test.h"

static void test_tally(void)
{
    struct omkt_segview_child kids[] = {
        {.seg = -1, .state = "running"}, {.seg = 0, .state = "done"},
        {.seg = 1, .state = "done"},     {.seg = 2, .state = "running"},
        {.seg = 3, .state = "queued"},   {.seg = 4, .state = "delayed"},
        {.seg = 5, .state = "failed"},   {.seg = 6, .state = "cancelled"},
    };
    struct omkt_segview_family f = {.kids = kids,
                                    .nkids = OMKT_ARRAY_LEN(kids)};
    struct omkt_segview_tally t;

    omkt_segview_tally(&f, &t);
    OMKT_CHECK_INT(t.segments, 7, "segments: the audio is not one");
    OMKT_CHECK_INT(t.done, 2, "done");
    OMKT_CHECK_INT(t.running, 1, "running");
    OMKT_CHECK_INT(t.queued, 2, "queued counts a delayed retry");
    OMKT_CHECK_INT(t.failed, 1, "failed");
    OMKT_CHECK_INT(t.cancelled, 1, "cancelled");
    OMKT_CHECK_STR(t.audio, "running", "audio");
    kids[0].state = "delayed";
    omkt_segview_tally(&f, &t);
    OMKT_CHECK_STR(t.audio, "queued", "audio delayed: queued");
    f.kids = kids + 1;
    f.nkids--;
    omkt_segview_tally(&f, &t);
    OMKT_CHECK_STR(t.audio, "none", "no audio child: none");
    f.nkids = 0;
    omkt_segview_tally(&f, &t);
    OMKT_CHECK_INT(t.segments + t.done + t.queued, 0, "no children");
}

static void test_find(void)
{
    int64_t tids_a[] = {31, 32}, tids_b[] = {32};
    int set_a[] = {11, 12}, set_b[] = {12};
    struct omkt_segview_family fams[] = {
        {.parent_id = 5, .tids = tids_a, .settings = set_a, .ntids = 2},
        {.parent_id = 9, .tids = tids_b, .settings = set_b, .ntids = 1},
    };
    struct omkt_segview v = {.fams = fams, .n = 2};
    const struct omkt_segview_family *f;

    f = omkt_segview_find(&v, 11);
    OMKT_CHECK_INT(f ? f->parent_id : 0, 5, "setting 11: the only family");
    f = omkt_segview_find(&v, 12);
    OMKT_CHECK_INT(f ? f->parent_id : 0, 9, "setting 12: the newest family");
    OMKT_CHECK(omkt_segview_find(&v, 13) == NULL, "setting 13: not split");
    OMKT_CHECK(omkt_segview_find(&v, 0) == NULL, "unknown setting 0: none");
}

/* The states /metrics counts children in: the job states but "waiting". */
static void test_states(void)
{
    for (size_t i = 0; i < OMKT_SEGVIEW_NSTATES; i++)
        OMKT_CHECK(strcmp(omkt_jobstats_states[i], "waiting") != 0,
                   "a child state is not waiting");
    OMKT_CHECK_STR(omkt_jobstats_states[OMKT_SEGVIEW_NSTATES], "waiting",
                   "waiting is the one left out, the last");
}

int main(void)
{
    test_states();
    test_tally();
    test_find();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ratewin - the sliding-window arithmetic of the cluster-wide rate
 * limit: the local window, the weighting of the previous minute, cluster
 * totals added without counting this process's calls twice, the
 * read-back surviving a minute rollover, and the fall back to local
 * counts when no recent read-back exists.
 */
#include "common/ratewin.h"
#include "omkt_test.h"

#define M0            28000000LL /* a minute (unix time / 60) */
#define AT(minute, s) ((minute)*60000 + (s)*1000)

/* take_n - @n calls at @now_ms under @limit; returns how many passed. */
static int take_n(struct omkt_ratewin *w, int n, int64_t limit, int64_t now)
{
    int ok = 0;

    for (int i = 0; i < n; i++)
        ok += omkt_ratewin_take(w, limit, now);
    return ok;
}

static void test_local(void)
{
    static const struct {
        int64_t at_ms; /* after 10 calls at M0 + 0 s, limit 10 */
        int passes;    /* of 20 more calls */
    } c[] = {
        {AT(M0, 59), 0},          /* same minute: full */
        {AT(M0 + 1, 0), 0},       /* prev weighs 10/10 */
        {AT(M0 + 1, 0) + 100, 0}, /* 9.98 rounds up: a call just after a
                                     rollover is not let through */
        {AT(M0 + 1, 30), 5},      /* prev weighs 5 */
        {AT(M0 + 1, 54), 9},      /* prev weighs 1 */
        {AT(M0 + 2, 0), 10},      /* prev is empty */
        {AT(M0 + 5, 0), 10},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct omkt_ratewin w = {0};

        OMKT_CHECK_INT(take_n(&w, 12, 10, AT(M0, 0)), 10, "case %zu: fill", i);
        OMKT_CHECK_INT(take_n(&w, 20, 10, c[i].at_ms), c[i].passes,
                       "case %zu: passes later", i);
    }
}

static void test_no_limit(void)
{
    struct omkt_ratewin w = {0};

    OMKT_CHECK_INT(take_n(&w, 50, 0, AT(M0, 1)), 50, "limit 0: all pass");
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0, 2)), 0, "and none counted");
}

/* flush - what ratesync does: mark, send, read back @others' calls of
 * the mark's minute and the one before, on top of this process's. */
static void flush(struct omkt_ratewin *w, int64_t minute, int64_t others_cur,
                  int64_t others_prev, struct omkt_ratewin_mark *m)
{
    (void)omkt_ratewin_mark(w, minute, m);
    omkt_ratewin_sent(w, m);
    m->total_cur = m->cur + others_cur;
    m->total_prev = m->prev + others_prev;
    omkt_ratewin_seen(w, m);
}

static void test_cluster(void)
{
    struct omkt_ratewin w = {0};
    struct omkt_ratewin_mark m;

    OMKT_CHECK_INT(take_n(&w, 4, 20, AT(M0, 1)), 4, "4 local calls");
    OMKT_CHECK(omkt_ratewin_mark(&w, M0, &m), "active window marks");
    OMKT_CHECK_INT(m.new_cur, 4, "4 to send");
    omkt_ratewin_sent(&w, &m);
    take_n(&w, 1, 20, AT(M0, 2)); /* a call between send and read */
    m.total_cur = 4 + 10;         /* 10 from other apids */
    omkt_ratewin_seen(&w, &m);
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0, 3)), 15,
                   "cluster 14 + 1 unseen local, own 4 not twice");
    OMKT_CHECK_INT(take_n(&w, 10, 20, AT(M0, 3)), 5, "5 more up to 20");
    OMKT_CHECK(omkt_ratewin_mark(&w, M0, &m), "marks again");
    OMKT_CHECK_INT(m.new_cur, 6, "only the 6 unsent calls");
    OMKT_CHECK_INT(m.cur, 10, "of 10 local calls");
}

static void test_rollover(void)
{
    struct omkt_ratewin w = {0};
    struct omkt_ratewin_mark m;

    take_n(&w, 6, 100, AT(M0, 50));
    flush(&w, M0, 24, 0, &m); /* M0: 30 in the cluster */
    take_n(&w, 2, 100, AT(M0, 59));
    /* first call of M0 + 1, before any flush of it */
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0 + 1, 0)), 32,
                   "prev: read-back 30 + 2 unseen local");
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0 + 1, 30)), 16,
                   "half a minute later: weighs half");
    take_n(&w, 3, 100, AT(M0 + 1, 30));
    OMKT_CHECK(omkt_ratewin_mark(&w, M0 + 1, &m), "marks after rollover");
    OMKT_CHECK_INT(m.new_prev, 2, "the 2 unsent calls of M0");
    OMKT_CHECK_INT(m.new_cur, 3, "the 3 calls of M0 + 1");
    omkt_ratewin_sent(&w, &m);
    m.total_prev = 32;
    m.total_cur = 3 + 7;
    omkt_ratewin_seen(&w, &m);
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0 + 1, 30)), 10 + 16,
                   "cur 10 + half of prev 32");
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0 + 3, 0)), 0,
                   "two minutes on: nothing");
}

static void test_sent_across_rollover(void)
{
    struct omkt_ratewin w = {0};
    struct omkt_ratewin_mark m;

    take_n(&w, 3, 100, AT(M0, 59));
    (void)omkt_ratewin_mark(&w, M0, &m);
    take_n(&w, 1, 100, AT(M0 + 1, 0)); /* rolls before the send ends */
    omkt_ratewin_sent(&w, &m);
    (void)omkt_ratewin_mark(&w, M0 + 1, &m);
    OMKT_CHECK_INT(m.new_prev, 0, "M0's calls are not sent twice");
    OMKT_CHECK_INT(m.new_cur, 1, "M0 + 1's call is");
}

static void test_stale_and_idle(void)
{
    struct omkt_ratewin w = {0};
    struct omkt_ratewin_mark m;

    take_n(&w, 2, 100, AT(M0, 10));
    flush(&w, M0, 50, 0, &m);
    take_n(&w, 1, 100, AT(M0 + 2, 10));
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0 + 2, 10)), 1,
                   "read-back two minutes old: local count only");
    OMKT_CHECK(omkt_ratewin_mark(&w, M0 + 2, &m), "still active");
    OMKT_CHECK(!omkt_ratewin_mark(&w, M0 + 4, &m), "idle: nothing to do");
    OMKT_CHECK_INT(m.new_cur + m.new_prev, 0, "and nothing to send");
}

static void test_clock_behind(void)
{
    struct omkt_ratewin w = {0};
    struct omkt_ratewin_mark m;

    take_n(&w, 5, 100, AT(M0, 59));
    (void)omkt_ratewin_mark(&w, M0 + 1, &m); /* the flusher saw M0 + 1 */
    OMKT_CHECK(omkt_ratewin_take(&w, 100, AT(M0, 59)), "a late call passes");
    OMKT_CHECK_INT(omkt_ratewin_count(&w, AT(M0, 59)), 6,
                   "counted in the newer minute, prev weighed fully");
}

int main(void)
{
    test_local();
    test_no_limit();
    test_cluster();
    test_rollover();
    test_sent_across_rollover();
    test_stale_and_idle();
    test_clock_behind();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ec2_scale - the scaler's decision (common/cloudscale) on a
 * simulated clock: demand to instances, the start delay that ignores a
 * burst, the cooldown that keeps an eventually consistent
 * DescribeInstances from overshooting the maximum (the same world
 * without it does overshoot: the check can fail), and the doubling
 * backoff after failed starts.
 */
#include "common/cloudscale.h"
#include "omkt_test.h"

#define S(x) ((int64_t)(x)*1000)
#define MAXI 64

static const struct omkt_scale_policy pol = {
    .max_instances = 5,
    .jobs_per_instance = 2,
    .start_after_ms = S(30),
    .cooldown_ms = S(60),
    .backoff_ms = S(10),
    .backoff_max_ms = S(80),
};

static void test_desired(void)
{
    static const struct {
        int backlog, in_flight, want;
    } c[] = {{0, 0, 0}, {1, 0, 1},  {2, 0, 1}, {3, 0, 2},
             {3, 2, 3}, {40, 0, 5}, {-4, 1, 1}};

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct omkt_scale_input in = {0, c[i].backlog, c[i].in_flight, 0};

        OMKT_CHECK_INT(omkt_scale_desired(&pol, &in), c[i].want,
                       "desired for backlog %d, in flight %d", c[i].backlog,
                       c[i].in_flight);
    }
}

/* world - instances that show in DescribeInstances lag_ms after their
 * start, boot in boot_ms and run 2 jobs of job_ms each at a time. */
struct world {
    int64_t started[MAXI];
    int n;
    int backlog, in_flight, done;
    int64_t job_end[MAXI][2];
    int64_t lag_ms, boot_ms, job_ms;
    int max_live, first_start_s, starts;
};

/* visible - instances DescribeInstances shows at @t. */
static int visible(const struct world *w, int64_t t)
{
    int v = 0;

    for (int i = 0; i < w->n; i++)
        v += t - w->started[i] >= w->lag_ms;
    return v;
}

/* work - booted instances finish and take jobs at @t. */
static void work(struct world *w, int64_t t)
{
    for (int i = 0; i < w->n; i++) {
        for (int k = 0; k < 2; k++) {
            if (w->job_end[i][k] > 0 && w->job_end[i][k] <= t) {
                w->job_end[i][k] = 0;
                w->in_flight--;
                w->done++;
            }
            if (w->job_end[i][k] == 0 && w->backlog > 0 &&
                t - w->started[i] >= w->boot_ms) {
                w->job_end[i][k] = t + w->job_ms;
                w->backlog--;
                w->in_flight++;
            }
        }
    }
}

/* run - @jobs arrive at 0; the scaler decides every 5 s for @secs. */
static void run(struct world *w, const struct omkt_scale_policy *p, int jobs,
                int secs)
{
    struct omkt_scale_state st = {0};

    w->backlog = jobs;
    for (int64_t t = 0; t <= S(secs); t += S(5)) {
        struct omkt_scale_input in = {t, w->backlog, w->in_flight,
                                      visible(w, t)};
        int k = omkt_scale_decide(p, &st, &in);

        for (int i = 0; i < k && w->n < MAXI; i++)
            w->started[w->n++] = t;
        if (k > 0) {
            omkt_scale_started(&st, t);
            w->starts++;
            if (w->first_start_s < 0)
                w->first_start_s = (int)(t / 1000);
        }
        work(w, t);
        if (w->n > w->max_live)
            w->max_live = w->n;
    }
}

static void test_simulation(void)
{
    struct world w = {.lag_ms = S(20),
                      .boot_ms = S(60),
                      .job_ms = S(120),
                      .first_start_s = -1};
    struct world racy = w;
    struct world blip = w;
    struct omkt_scale_policy no_cool = pol;

    run(&w, &pol, 10, 1200);
    OMKT_CHECK_INT(w.first_start_s, 30, "first start after start_after");
    OMKT_CHECK_INT(w.max_live, 5, "10 jobs, 2 per instance: 5, the maximum");
    OMKT_CHECK_INT(w.starts, 1, "one RunInstances for the burst");
    OMKT_CHECK_INT(w.done, 10, "every job done");
    no_cool.cooldown_ms = 0;
    run(&racy, &no_cool, 10, 1200);
    OMKT_CHECK(racy.max_live > 5,
               "without the cooldown the describe lag overshoots (%d)",
               racy.max_live);
    run(&blip, &pol, 0, 600);
    OMKT_CHECK_INT(blip.starts, 0, "no backlog: nothing started");
}

static void test_burst_and_backoff(void)
{
    struct omkt_scale_state st = {0};
    struct omkt_scale_input in = {0, 4, 0, 0};

    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0, "t=0: too early");
    in.now_ms = S(20);
    in.backlog = 0;
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0, "burst gone");
    in.now_ms = S(40);
    in.backlog = 4;
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0,
                   "a new backlog waits again");
    in.now_ms = S(70);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 2, "then starts 2");
    omkt_scale_failed(&pol, &st, S(70));
    in.now_ms = S(79);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0, "backoff 10 s");
    in.now_ms = S(80);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 2, "retry at 80 s");
    omkt_scale_failed(&pol, &st, S(80));
    in.now_ms = S(99);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0, "backoff 20 s");
    for (int i = 0; i < 6; i++)
        omkt_scale_failed(&pol, &st, S(100));
    in.now_ms = S(180);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 2,
                   "backoff capped at 80 s");
    omkt_scale_started(&st, S(180));
    in.now_ms = S(200);
    in.instances = 1;
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0, "cooldown");
    in.now_ms = S(240);
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 1,
                   "after the cooldown: the one still missing");
    in.instances = 7;
    OMKT_CHECK_INT(omkt_scale_decide(&pol, &st, &in), 0,
                   "over the maximum: nothing, never negative");
}

int main(void)
{
    test_desired();
    test_simulation();
    test_burst_and_backoff();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pollbudget - the idle poll budget arithmetic, and a simulated
 * cluster on a simulated clock: pollers that learn N only when they poll
 * (as omkt_poll_idle tells them), a registry in which a killed poller
 * keeps counting until its heartbeat ages out, pollers joining and
 * leaving.  Checks the cluster's poll rate against the budget and the
 * longest wait of a job queued at a random time.
 */
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/pollbudget.h"
#include "omkt_test.h"

#define MAXP      1200
#define BUDGET    20.0
#define FRESH_MS  15000 /* 3 x the default heartbeat */
#define LEASE_MS  60000
#define TICK_NONE INT64_MAX

static void test_parse(void)
{
    static const struct {
        const char *in;
        int rc;
        double per_s;
    } c[] = {
        {"20/s", OMKT_OK, 20},        {"0.5/s", OMKT_OK, 0.5},
        {"1200/min", OMKT_OK, 20},    {"36/h", OMKT_OK, 0.01},
        {"off", OMKT_OK, 0},          {"20", OMKT_EINVAL, 0},
        {"20/m", OMKT_EINVAL, 0},     {"-1/s", OMKT_EINVAL, 0},
        {"0/s", OMKT_EINVAL, 0},      {"inf/s", OMKT_EINVAL, 0},
        {" 20/s", OMKT_EINVAL, 0},    {"20/s ", OMKT_EINVAL, 0},
        {"200000/s", OMKT_EINVAL, 0}, {"", OMKT_EINVAL, 0},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        double v = -1;
        int rc = omkt_pollbudget_parse(c[i].in, &v);

        OMKT_CHECK_INT(rc, c[i].rc, "parse \"%s\"", c[i].in);
        OMKT_CHECK(v > c[i].per_s - 1e-9 && v < c[i].per_s + 1e-9,
                   "parse \"%s\" = %g", c[i].in, v);
    }
}

static void test_check(void)
{
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_pollbudget_check("20/s", NULL), OMKT_OK, "20/s");
    OMKT_CHECK_INT(omkt_pollbudget_check(NULL, NULL), OMKT_OK, "unset: off");
    OMKT_CHECK_INT(omkt_pollbudget_check("20", &eb), OMKT_ECONF, "20");
    OMKT_CHECK(strstr(eb.msg, "common.poll_budget = 20: expected") != NULL,
               "message: %s", eb.msg);
}

static void test_next(void)
{
    static const struct {
        unsigned nprocs, nthreads;
        uint32_t rnd;
        int64_t want;
    } c[] = {
        {1, 1, 0, 25},                 /* 0.5 x 50 ms */
        {1, 1, 2147483648u, 50},       /* the mean */
        {10, 1, 0, 250},               /* 10 pollers: 500 ms mean */
        {10, 2, 2147483648u, 1000},    /* two threads share a process's part */
        {0, 1, 2147483648u, 50},       /* not counted yet: itself */
        {1000, 1, 2147483648u, 30000}, /* clamped to the longest sleep */
        {500, 1, 0, 20000},            /* 25 s mean, near the cap: 20..30 s */
        {500, 1, 2147483648u, 25000},  /* the mean holds */
    };
    struct omkt_pollbudget pb = {
        .per_s = BUDGET, .min_ms = 10, .max_ms = 30000};
    double sum = 0;

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        OMKT_CHECK_INT(
            omkt_pollbudget_next_ms(&pb, c[i].nprocs, c[i].nthreads, c[i].rnd),
            c[i].want, "case %zu", i);
    for (uint32_t k = 0; k < 1000; k++) /* 500 pollers: 20/s, not 21 */
        sum += (double)omkt_pollbudget_next_ms(&pb, 500, 1, k * 4294967u);
    OMKT_CHECK(sum / 1000 > 24900 && sum / 1000 < 25100,
               "near the cap the mean holds: %.0f ms", sum / 1000);
    pb.min_ms = 40;
    OMKT_CHECK_INT(omkt_pollbudget_next_ms(&pb, 1, 1, 0), 40, "poll_min");
    OMKT_CHECK_INT(omkt_pollbudget_fresh_s(5000), 15, "fresh 5 s");
    OMKT_CHECK_INT(omkt_pollbudget_fresh_s(300), 1, "fresh 0.3 s");
}

/* The simulated cluster: one role, one thread per process. */
struct sim {
    uint32_t rng;
    int64_t now_ms;
    int64_t next_ms[MAXP]; /* TICK_NONE: not running */
    int64_t died_ms[MAXP]; /* still counted until died + FRESH_MS */
    unsigned known[MAXP];  /* N learned at the last poll */
    struct omkt_pollbudget pb;
};

static uint32_t rnd32(struct sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    return s->rng;
}

/* counted - what the registry says: live ones and the freshly dead. */
static unsigned counted(const struct sim *s)
{
    unsigned n = 0;

    for (int i = 0; i < MAXP; i++)
        n += s->next_ms[i] != TICK_NONE ||
             (s->died_ms[i] > 0 && s->now_ms < s->died_ms[i] + FRESH_MS);
    return n;
}

/* join/kill - start pollers [a, b) now (first poll at once), stop them. */
static void join(struct sim *s, int a, int b)
{
    for (int i = a; i < b; i++) {
        s->next_ms[i] = s->now_ms + (int64_t)(rnd32(s) % 1000);
        s->died_ms[i] = 0;
        s->known[i] = 0; /* its first idle sleep is omkt_pollbudget_first_ms */
    }
}

static void kill_range(struct sim *s, int a, int b)
{
    for (int i = a; i < b; i++) {
        s->next_ms[i] = TICK_NONE;
        s->died_ms[i] = s->now_ms;
    }
}

/* step - the next poll of the cluster: its time, and the poller's sleep. */
static int64_t step(struct sim *s)
{
    int best = -1;
    unsigned n;

    for (int i = 0; i < MAXP; i++)
        if (s->next_ms[i] != TICK_NONE &&
            (best < 0 || s->next_ms[i] < s->next_ms[best]))
            best = i;
    if (best < 0)
        return TICK_NONE;
    s->now_ms = s->next_ms[best];
    n = counted(s);
    s->next_ms[best] =
        s->now_ms + (s->known[best] == 0
                         ? omkt_pollbudget_first_ms(&s->pb, n, 1, rnd32(s))
                         : omkt_pollbudget_next_ms(&s->pb, n, 1, rnd32(s)));
    s->known[best] = n;
    return s->now_ms;
}

struct window {
    unsigned polls;
    int64_t max_gap_ms;
};

/* run_until - poll until @end_ms; count polls after @from_ms. */
static struct window run_until(struct sim *s, int64_t from_ms, int64_t end_ms)
{
    struct window w = {0};
    int64_t last = s->now_ms;

    while (s->now_ms < end_ms) {
        int64_t t = step(s);

        if (t == TICK_NONE)
            break;
        if (t >= from_ms && t < end_ms)
            w.polls++;
        if (t - last > w.max_gap_ms)
            w.max_gap_ms = t - last;
        last = t;
    }
    return w;
}

static void sim_init(struct sim *s)
{
    *s = (struct sim){.rng = 2463534242u,
                      .pb = {.per_s = BUDGET, .min_ms = 25, .max_ms = 30000}};
    for (int i = 0; i < MAXP; i++)
        s->next_ms[i] = TICK_NONE;
}

/* test_steady - N idle pollers spend the budget within 10%, any N. */
static void test_steady(void)
{
    static const int ns[] = {1, 10, 100, 500};
    static struct sim s;

    for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
        struct window w;
        double rate;

        sim_init(&s);
        join(&s, 0, ns[k]);
        (void)run_until(&s, 0, 60000); /* every poller knows N */
        w = run_until(&s, 60000, 360000);
        rate = w.polls / 300.0;
        OMKT_CHECK(rate > BUDGET * 0.9 && rate < BUDGET * 1.1,
                   "N=%d: %.2f polls/s (budget %.0f/s)", ns[k], rate, BUDGET);
        OMKT_CHECK(w.max_gap_ms < 1000, "N=%d: longest gap %lld ms", ns[k],
                   (long long)w.max_gap_ms);
    }
}

/* test_churn - 500 pollers, 450 killed at once, 300 more join later. */
static void test_churn(void)
{
    static struct sim s;
    struct window w;
    double rate;

    sim_init(&s);
    join(&s, 0, 500);
    (void)run_until(&s, 0, 60000);
    kill_range(&s, 50, 500);
    w = run_until(&s, 60000, 120000);
    OMKT_CHECK(w.max_gap_ms < LEASE_MS / 2,
               "after 450 of 500 left: longest gap %lld ms (lease %d ms)",
               (long long)w.max_gap_ms, LEASE_MS);
    w = run_until(&s, 120000, 240000); /* the dead aged out long ago */
    rate = w.polls / 120.0;
    OMKT_CHECK(rate > BUDGET * 0.8 && rate < BUDGET * 1.2,
               "50 left: %.2f polls/s", rate);
    join(&s, 500, 800);
    w = run_until(&s, 240000, 300000);
    rate = w.polls / 60.0;
    OMKT_CHECK(rate < BUDGET * 1.5,
               "300 joining (their first polls at once): %.2f polls/s", rate);
    w = run_until(&s, 300000, 420000);
    rate = w.polls / 120.0;
    OMKT_CHECK(rate > BUDGET * 0.8 && rate < BUDGET * 1.2,
               "350 settled: %.2f polls/s", rate);
    OMKT_CHECK(w.max_gap_ms < 1000, "350 settled: longest gap %lld ms",
               (long long)w.max_gap_ms);
}

/* test_cap - past budget x poll_interval_max pollers, the cap sets the
 * cost (documented), and a job never waits longer than it. */
static void test_cap(void)
{
    static struct sim s;
    struct window w;
    double rate;

    sim_init(&s);
    s.pb.max_ms = 10000; /* 20/s x 10 s = 200 pollers at most */
    join(&s, 0, 1000);
    (void)run_until(&s, 0, 60000);
    w = run_until(&s, 60000, 180000);
    rate = w.polls / 120.0;
    OMKT_CHECK(rate > 1000 / 10.0 * 0.9 && rate < 1000 / 10.0 * 1.1,
               "1000 pollers, 10 s cap: %.1f polls/s (N / cap)", rate);
    kill_range(&s, 1, 1000);
    w = run_until(&s, 180000, 300000);
    OMKT_CHECK(w.max_gap_ms <= 10000, "one left: longest gap %lld ms",
               (long long)w.max_gap_ms);
}

int main(void)
{
    test_parse();
    test_check();
    test_next();
    test_steady();
    test_churn();
    test_cap();
    return omkt_test_done();
}

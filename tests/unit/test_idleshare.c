/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_idleshare - the cluster chores' schedule (idleshare.c) in a daemon
 * whose pollers know N: the role's N sets it (no statement, no 5-minute
 * cap: at N = 500 the chores cost the cluster one run per period, not
 * N / 5 min), it is drawn again at once when N falls below half (the
 * survivors of a mass departure take over), a counted schedule gives way
 * to the pollers' N, and poll_budget = off runs every period; the
 * transcoder_cron tick is shared the same way.  None of
 * these draws touches the database (db is NULL).
 */
#include <stdbool.h>
#include <stdint.h>

#include "common/idleshare.h"
#include "omkt_test.h"

#define NOW 1000000000LL

static struct omkt_daemon daemon_with(const char *budget, unsigned n)
{
    struct omkt_daemon d = {0};

    d.common.poll_budget = (char *)budget;
    d.common.poll_interval_max_ms = 30000;
    d.common.reap_interval_ms = 5000;
    d.common.heartbeat_ms = 5000;
    atomic_store(&d.role_npollers, n);
    atomic_store(&d.role_seen_ms, NOW - 1000);
    return d;
}

/* The mean delay of many draws for N = 500: N x period, above 5 min. */
static void test_polled_n(void)
{
    struct omkt_daemon d = daemon_with("20/s", 500);
    double sum_p = 0, sum_r = 0;
    int64_t hi = 0;
    int counted = 0;

    for (int i = 0; i < 2000; i++) {
        struct omkt_chores c = {0};

        omkt_chores_ran(&c, &d, NULL, NOW, true);
        sum_p += (double)(c.next_promote_ms - NOW);
        sum_r += (double)(c.next_reap_ms - NOW);
        hi = c.next_promote_ms - NOW > hi ? c.next_promote_ms - NOW : hi;
        counted += c.is_counted || c.drawn_n != 500;
    }
    OMKT_CHECK_INT(counted, 0, "every draw from the polls' N");
    OMKT_CHECK(sum_p / 2000 > 450000 && sum_p / 2000 < 550000,
               "promote: mean %.0f ms for 500 x 1 s", sum_p / 2000);
    OMKT_CHECK(sum_r / 2000 > 2250000 && sum_r / 2000 < 2750000,
               "reap: mean %.0f ms for 500 x 5 s", sum_r / 2000);
    OMKT_CHECK(hi > 300000, "longest %lld ms: no 5-minute cap", (long long)hi);
}

/* Redrawn when N halves, not when it moves a little; a counted schedule
 * gives way to the pollers' N at once. */
static void test_redraw(void)
{
    struct omkt_daemon d = daemon_with("20/s", 500);
    struct omkt_chores c = {0};
    bool is_reap = true;

    omkt_chores_ran(&c, &d, NULL, NOW, true);
    c.next_promote_ms = c.next_reap_ms = NOW + 600000;
    atomic_store(&d.role_npollers, 300);
    OMKT_CHECK(!omkt_chores_due(&c, &d, NOW, &is_reap) && !is_reap &&
                   c.next_promote_ms == NOW + 600000,
               "500 -> 300: not drawn again");
    atomic_store(&d.role_npollers, 2);
    (void)omkt_chores_due(&c, &d, NOW, &is_reap);
    OMKT_CHECK(c.next_promote_ms <= NOW + 2000 &&
                   c.next_reap_ms <= NOW + 10000 && c.drawn_n == 2,
               "500 -> 2: drawn again (promote in %lld ms, reap in %lld)",
               (long long)(c.next_promote_ms - NOW),
               (long long)(c.next_reap_ms - NOW));
    c = (struct omkt_chores){.next_promote_ms = NOW + 300000,
                             .next_reap_ms = NOW + 300000,
                             .drawn_n = 2000,
                             .is_counted = true};
    (void)omkt_chores_due(&c, &d, NOW, &is_reap);
    OMKT_CHECK(!c.is_counted && c.drawn_n == 2 &&
                   c.next_promote_ms <= NOW + 2000,
               "counted, then polled: the pollers' N");
}

/* Stale polls do not count; off: every period, from the plain periods. */
static void test_off_and_stale(void)
{
    struct omkt_daemon d = daemon_with("off", 500);
    struct omkt_chores c = {0};
    bool is_reap = false;

    OMKT_CHECK(omkt_chores_due(&c, &d, NOW, &is_reap) && is_reap,
               "a new schedule is due at once");
    omkt_chores_ran(&c, &d, NULL, NOW, true);
    OMKT_CHECK(c.next_promote_ms == NOW + 1000 && c.next_reap_ms == NOW + 5000,
               "off: every period");
    d = daemon_with("20/s", 2);
    atomic_store(&d.role_seen_ms, NOW - 61000); /* > 2 x 30 s */
    c = (struct omkt_chores){
        .next_promote_ms = NOW + 300000, .drawn_n = 2000, .is_counted = true};
    (void)omkt_chores_due(&c, &d, NOW, &is_reap);
    OMKT_CHECK(c.is_counted && c.next_promote_ms == NOW + 300000,
               "polls a minute old: the counted schedule stays");
}

/* The transcoder_cron tick: N x the tick, at most cron_interval. */
static void test_tick(void)
{
    struct omkt_daemon d = daemon_with("20/s", 4);
    double sum = 0;
    int64_t hi = 0;

    atomic_store(&d.role_seen_ms, omkt_now_ms());
    for (int i = 0; i < 1000; i++) {
        int64_t t = omkt_idleshare_tick_ms(&d, 5000, 60000);

        sum += (double)t;
        hi = t > hi ? t : hi;
    }
    OMKT_CHECK(sum / 1000 > 18000 && sum / 1000 < 22000 && hi <= 30000,
               "4 notifierds: mean tick %.0f ms (4 x 5 s), longest %lld",
               sum / 1000, (long long)hi);
    atomic_store(&d.role_npollers, 500);
    hi = 0;
    for (int i = 0; i < 100; i++) {
        int64_t t = omkt_idleshare_tick_ms(&d, 5000, 60000);

        hi = t > hi ? t : hi;
    }
    OMKT_CHECK_INT(hi, 60000, "500 notifierds: at most cron_interval");
    d.common.poll_budget = "off";
    OMKT_CHECK_INT(omkt_idleshare_tick_ms(&d, 5000, 60000), 5000,
                   "off: the tick");
}

int main(void)
{
    test_polled_n();
    test_redraw();
    test_off_and_stale();
    test_tick();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pollbudget - the cluster-wide idle poll budget (DESIGN.md invariant 9):
 * pure scheduling arithmetic, no I/O, so that it is testable with a
 * simulated clock (tests/unit/test_pollbudget.c).
 *
 * DESIGN: `[common] poll_budget = 20/s` is the number of idle polls per
 * second the whole cluster spends on one role's queue, however many hosts
 * run that role.  Each idle poll also returns how many processes of the
 * role are idle and alive (the process registry, heartbeats younger than
 * omkt_pollbudget_fresh_s), so each of the N idle processes polls about
 * every N / budget seconds, its idle threads splitting its share; every
 * interval is drawn uniformly from 0.5x..1.5x the mean so that pollers
 * never synchronise, and clamped to [poll_min, poll_interval_max] (and
 * to half a lease).  The upper clamp bounds how long a job waits when most
 * pollers leave at once (the others still believe the old N until their
 * next poll); past budget x poll_interval_max pollers it also sets the
 * cost (N / poll_interval_max instead of the budget).  See
 * docs/scaling.md.
 */
#ifndef OMKT_COMMON_POLLBUDGET_H
#define OMKT_COMMON_POLLBUDGET_H

#include <stdint.h>

#include "err.h"

/* The longest idle interval of a slow task (idle_poll_ms, maintenance). */
#define OMKT_POLLBUDGET_SLOW_MAX_MS 3600000

struct omkt_pollbudget {
    double per_s;   /* cluster-wide polls per second of a role; 0: off */
    int64_t min_ms; /* no poller sleeps less ([common] poll_min) */
    int64_t max_ms; /* nor more (poll_interval_max, at most lease / 2) */
};

/*
 * omkt_pollbudget_parse - "20/s", "0.5/s", "1200/min", "60/h" or "off"
 * (0: every poller uses the adaptive poll_min..poll_max scheme) into
 * *per_s.  OMKT_EINVAL for anything else, or outside 0.001..100000/s.
 */
int omkt_pollbudget_parse(const char *s, double *per_s);

/*
 * omkt_pollbudget_check - OMKT_ECONF with a message in @eb unless @value
 * ([common] poll_budget; NULL means off) parses.
 */
int omkt_pollbudget_check(const char *value, struct omkt_errbuf *eb);

/*
 * omkt_pollbudget_mean_ms - the mean idle interval of one poller thread:
 * @nprocs idle processes of the role share @per_s polls per second (0 is
 * taken as 1: this process itself), and @nthreads pollers of this process
 * share its part.  Not clamped.
 */
double omkt_pollbudget_mean_ms(double per_s, unsigned nprocs,
                               unsigned nthreads);

/*
 * omkt_pollbudget_next_ms - the next idle sleep: the mean times 0.5..1.5
 * (by @rnd, uniform over 0..UINT32_MAX), clamped to [min_ms, max_ms];
 * when 1.5x the mean passes max_ms, a narrower range around the mean
 * (up to max_ms), so that the mean, and the budget, hold up to the cap.
 */
int64_t omkt_pollbudget_next_ms(const struct omkt_pollbudget *pb,
                                unsigned nprocs, unsigned nthreads,
                                uint32_t rnd);

/*
 * omkt_pollbudget_first_ms - the first idle sleep of a poller that just
 * started: the mean times 0..1 (the phase of a poller that has been
 * running for long), so that pollers started together (a cluster
 * restart) do not leave the queue unwatched for half an interval.
 */
int64_t omkt_pollbudget_first_ms(const struct omkt_pollbudget *pb,
                                 unsigned nprocs, unsigned nthreads,
                                 uint32_t rnd);

/*
 * omkt_pollbudget_fresh_s - a process whose heartbeat is older than this
 * (three periods, whole seconds) no longer counts as a poller.
 */
unsigned omkt_pollbudget_fresh_s(int64_t heartbeat_ms);

#endif

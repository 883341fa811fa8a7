/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit - calls per minute per account, cluster-wide, with no
 * database round trip on a call: a sliding window (the previous minute's
 * count, weighted by how much of it is still inside the window, plus this
 * minute's; arithmetic in common/ratewin.c) per account in memory.
 *
 * DESIGN: request threads call ratelimit_take under one mutex.  The
 * ratesync thread (ratesync.c) marks the windows every 500 ms, writes
 * their new calls to api_rate and hands back the cluster totals it read,
 * through ratelimit_mark, ratelimit_sent and ratelimit_seen.  A call is
 * judged on the last totals read plus this process's calls since, so the
 * cluster-wide count lags by at most one flush interval: N apids may
 * together overshoot the limit by about N x (the client's rate) x 0.5 s.
 * While the database is away each apid counts only its own calls.
 */
#ifndef OMKT_APID_RATELIMIT_H
#define OMKT_APID_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ratewin.h"

#define APID_RL_SLOTS 4096

struct apid_rl_slot {
    int64_t account_id; /* 0: free */
    struct omkt_ratewin w;
};

struct apid_ratelimit {
    pthread_mutex_t lock;
    struct apid_rl_slot slots[APID_RL_SLOTS];
};

/* One account's window as marked for a flush. */
struct apid_rl_mark {
    int64_t account_id;
    struct omkt_ratewin_mark m;
};

void ratelimit_init(struct apid_ratelimit *rl);
void ratelimit_destroy(struct apid_ratelimit *rl);

/*
 * ratelimit_take - count one call of @account_id at @now_ms (wall clock,
 * ms since the epoch); false when the account is over @limit calls per
 * minute (then the call is not counted).
 */
bool ratelimit_take(struct apid_ratelimit *rl, int64_t account_id,
                    int64_t limit, int64_t now_ms);

/*
 * ratelimit_mark - mark, at @minute, the windows with calls in this or
 * the previous minute into @out (at most APID_RL_SLOTS entries), ordered
 * by account id.  Returns how many.
 */
size_t ratelimit_mark(struct apid_ratelimit *rl, int64_t minute,
                      struct apid_rl_mark *out);

/* ratelimit_sent - the @n marks' new calls are in the database. */
void ratelimit_sent(struct apid_ratelimit *rl, const struct apid_rl_mark *m,
                    size_t n);

/* ratelimit_seen - the @n marks carry cluster totals read after they
 * were sent. */
void ratelimit_seen(struct apid_ratelimit *rl, const struct apid_rl_mark *m,
                    size_t n);

#endif

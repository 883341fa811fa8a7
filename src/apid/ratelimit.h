/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit - calls per minute per account, counted in this process with
 * a sliding window (the previous minute's count, weighted by how much of
 * it is still inside the window, plus this minute's).
 *
 * XXX: with several apid processes each counts on its own, so the
 * cluster-wide limit is N times the configured one; counting api_calls
 * rows instead would cost a query per call.
 */
#ifndef OMKT_APID_RATELIMIT_H
#define OMKT_APID_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define APID_RL_SLOTS 4096

struct apid_rl_slot {
    int64_t account_id; /* 0: free */
    int64_t minute;
    int64_t cur;
    int64_t prev;
};

struct apid_ratelimit {
    pthread_mutex_t lock;
    struct apid_rl_slot slots[APID_RL_SLOTS];
};

void ratelimit_init(struct apid_ratelimit *rl);
void ratelimit_destroy(struct apid_ratelimit *rl);

/* ratelimit_take - count one call at @now_ms; false when over @limit. */
bool ratelimit_take(struct apid_ratelimit *rl, int64_t account_id,
                    int64_t limit, int64_t now_ms);

#endif

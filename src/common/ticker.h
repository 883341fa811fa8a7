/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ticker - a background thread that calls a function every period (or
 * sooner when poked) until stopped, then once more with is_last set so
 * the owner can flush what is left.  apid's call log and rate-limit sync
 * run on one each.
 */
#ifndef OMKT_COMMON_TICKER_H
#define OMKT_COMMON_TICKER_H

#include <pthread.h>
#include <stdbool.h>

/* omkt_tick_fn - one tick on the ticker's thread; @is_last on the final. */
typedef void (*omkt_tick_fn)(void *ctx, bool is_last);

struct omkt_ticker {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool is_stop, is_poked, is_started;
    unsigned period_ms;
    omkt_tick_fn fn;
    void *ctx; /* borrowed until omkt_ticker_stop() returns */
};

/* omkt_ticker_start - call @fn(@ctx) every @period_ms on a new thread.
 * OMKT_OK, or OMKT_ENOMEM when the thread cannot be created. */
int omkt_ticker_start(struct omkt_ticker *t, unsigned period_ms,
                      omkt_tick_fn fn, void *ctx);

/* omkt_ticker_poke - tick now instead of at the end of the period. */
void omkt_ticker_poke(struct omkt_ticker *t);

/* omkt_ticker_stop - the last tick (is_last), then join; idempotent. */
void omkt_ticker_stop(struct omkt_ticker *t);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ticker - a periodic background thread (see ticker.h). */
#include <time.h>

#include "err.h"
#include "ticker.h"

/* wait_tick - sleep a period, or less when poked; true when stopping. */
static bool wait_tick(struct omkt_ticker *t)
{
    struct timespec ts;
    bool is_stop;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)t->period_ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&t->lock);
    if (!t->is_stop && !t->is_poked)
        (void)pthread_cond_timedwait(&t->wake, &t->lock, &ts);
    t->is_poked = false;
    is_stop = t->is_stop;
    pthread_mutex_unlock(&t->lock);
    return is_stop;
}

/* run - the thread. */
static void *run(void *arg)
{
    struct omkt_ticker *t = arg;
    bool is_last = false;

    while (!is_last) {
        is_last = wait_tick(t);
        t->fn(t->ctx, is_last);
    }
    return NULL;
}

int omkt_ticker_start(struct omkt_ticker *t, unsigned period_ms,
                      omkt_tick_fn fn, void *ctx)
{
    t->period_ms = period_ms;
    t->fn = fn;
    t->ctx = ctx;
    t->is_stop = false;
    t->is_poked = false;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        return OMKT_ENOMEM;
    }
    t->is_started = true;
    return OMKT_OK;
}

void omkt_ticker_poke(struct omkt_ticker *t)
{
    pthread_mutex_lock(&t->lock);
    t->is_poked = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

void omkt_ticker_stop(struct omkt_ticker *t)
{
    if (!t->is_started)
        return;
    pthread_mutex_lock(&t->lock);
    t->is_stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    t->is_started = false;
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
}

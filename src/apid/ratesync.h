/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratesync - makes the rate limit cluster-wide: a thread that every
 * 500 ms adds the calls this apid counted since its last pass to
 * api_rate, then reads back the cluster totals of this and the previous
 * minute for every account this apid saw in that time, and hands them to
 * ratelimit.c.  It has its own database connection; once a minute it also
 * deletes rows older than a few minutes.  When the database is away it
 * logs once and the limiter goes on with this process's counts alone;
 * calls not yet written are written when it is back.
 */
#ifndef OMKT_APID_RATESYNC_H
#define OMKT_APID_RATESYNC_H

#include <stdbool.h>

#include "apid/ratelimit.h"
#include "common/db.h"
#include "common/ticker.h"

struct apid_rs_run; /* the thread's own state (ratesync.c) */

struct apid_ratesync {
    struct omkt_ticker ticker;
    struct apid_rs_run *run;
    struct apid_ratelimit *rl;         /* borrowed */
    const struct omkt_db_conf *dbconf; /* borrowed */
};

/* ratesync_start - the thread, for @rl, connecting with @dbconf (both
 * borrowed until ratesync_stop). */
int ratesync_start(struct apid_ratesync *rs, struct apid_ratelimit *rl,
                   const struct omkt_db_conf *dbconf);

/* ratesync_stop - write the calls not yet written and stop the thread.
 * Accepts a never-started @rs. */
void ratesync_stop(struct apid_ratesync *rs);

#endif

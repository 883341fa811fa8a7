/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler_svc - a scaler candidate as a background thread of any daemon
 * (the bridge's role in transcoderd is the proposed home): its own
 * database connection and EC2 client, a tick every period on a ticker
 * thread, and a clean stop that hands the lease over at once.
 *
 * DESIGN: everything the thread touches is made by omkt_scaler_svc_start
 * and used only on the ticker's thread until omkt_scaler_svc_stop joins
 * it.  Errors of a tick are logged (a wrong key or secret at err, with
 * AWS's code, once per distinct text thanks to the log's repeat filter)
 * and the next tick tries again: a DB or EC2 outage is waited out.
 */
#ifndef OMKT_COMMON_SCALER_SVC_H
#define OMKT_COMMON_SCALER_SVC_H

#include <stdint.h>

#include "db.h"
#include "s3.h"
#include "scaler.h"

/* omkt_scaler_tick_fn - told after each tick (tests, metrics); may be
 * NULL.  Runs on the ticker's thread. */
typedef void (*omkt_scaler_tick_fn)(void *arg, const struct omkt_scaler_tick *t,
                                    int rc, const struct omkt_errbuf *eb);

/* Settings.  Pointers borrowed until omkt_scaler_svc_stop. */
struct omkt_scaler_svc_conf {
    const struct omkt_db_conf *db;
    struct omkt_scaler_conf scaler;
    const struct omkt_s3_creds *creds; /* resolved like S3's (s3cred) */
    int64_t tick_ms;                   /* 0: 10 s */
    omkt_scaler_tick_fn on_tick;
    void *tick_arg;
};

struct omkt_scaler_svc;

/*
 * omkt_scaler_svc_start - connect, render the user-data and start the
 * thread.  Fails (before any thread) on a bad configuration or an
 * unreachable database; *out is new (omkt_scaler_svc_stop).
 */
int omkt_scaler_svc_start(const struct omkt_scaler_svc_conf *c,
                          struct omkt_scaler_svc **out, struct omkt_errbuf *eb);

/*
 * omkt_scaler_svc_open - the daemon's entry: nothing (OMKT_OK, *out NULL)
 * when c->scaler.cloud->max_instances is 0; else credentials resolved
 * from the [s3] section of @conf_path as S3's are (keys, environment,
 * IMDSv2 when imds = yes), holder "host:pid" when c->scaler.holder is
 * NULL, what c->scaler.worker leaves NULL taken from [cloud]
 * worker_program / worker_conf and from that [s3] section (endpoint,
 * path addressing, allow_private: the workers use the bridge's store),
 * tick_ms 0 from [cloud] scaler_tick (lease_ms 0: three ticks), then
 * omkt_scaler_svc_start.
 */
int omkt_scaler_svc_open(const char *conf_path,
                         const struct omkt_scaler_svc_conf *c,
                         struct omkt_scaler_svc **out, struct omkt_errbuf *eb);

/* omkt_scaler_svc_stop - stop the thread, resign the lease, free; NULL ok. */
void omkt_scaler_svc_stop(struct omkt_scaler_svc *s);

#endif

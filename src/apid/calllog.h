/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calllog - the per-call log (api_calls rows: account, action,
 * application, version, code, address), batched: calls are appended to a
 * bounded in-memory queue and a flusher thread inserts them about twice
 * a second with its own connection.  When the queue is full (the
 * database is down or far behind) calls are dropped and counted, never
 * blocking a request.  Strings are cleaned on the way in (valid UTF-8,
 * cut at a character boundary); a batch the database still refuses is
 * written row by row and the refused rows are dropped and logged, so no
 * row can stop the log.
 */
#ifndef OMKT_APID_CALLLOG_H
#define OMKT_APID_CALLLOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"
#include "common/db_api.h"
#include "common/ticker.h"

#define APID_CALLLOG_MAX 8192

struct apid_call {
    int64_t account_id;
    int64_t at_ms;
    int code;
    char action[64];
    char application[128];
    char version[64];
    char remote_addr[64];
};

struct apid_calllog {
    pthread_mutex_t lock; /* q, n, dropped */
    struct apid_call *q;  /* APID_CALLLOG_MAX entries */
    size_t n;
    uint64_t dropped;
    bool is_started;
    struct omkt_ticker ticker;
    /* the ticker thread's own */
    struct apid_call *batch; /* APID_CALLLOG_MAX entries */
    struct omkt_db *db;
    bool is_warned;
    const struct omkt_db_conf *dbconf; /* borrowed */
};

/* calllog_start - the flusher thread, connecting with @dbconf. */
int calllog_start(struct apid_calllog *cl, const struct omkt_db_conf *dbconf);

/* calllog_add - queue one call (strings are copied, cleaned, cut). */
void calllog_add(struct apid_calllog *cl, const struct omkt_api_call *c);

/* calllog_dropped - calls not written so far: dropped from a full queue
 * or refused by the database. */
uint64_t calllog_dropped(struct apid_calllog *cl);

/* calllog_stop - flush what is queued and stop the thread. */
void calllog_stop(struct apid_calllog *cl);

#endif

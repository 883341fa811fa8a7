/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calllog - batched api_calls inserts (see calllog.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "apid/calllog.h"
#include "common/alloc.h"
#include "common/db_api.h"
#include "common/log.h"
#include "common/text.h"

#define FLUSH_MS 500

/* write_batch - one transaction of @k calls; a lost connection (a
 * server restart) is retried once on a fresh one. */
static int write_batch(struct omkt_db *db, const struct omkt_api_call *c,
                       size_t k, struct omkt_errbuf *eb)
{
    int ret = OMKT_EDB;

    for (int attempt = 0; attempt < 2 && ret != OMKT_OK; attempt++) {
        omkt_errbuf_clear(eb);
        ret = omkt_db_begin(db, eb);
        if (ret == OMKT_OK)
            ret = omkt_api_calls_insert(db, c, k, eb);
        if (ret == OMKT_OK)
            ret = omkt_db_commit(db, eb);
        if (ret != OMKT_OK)
            omkt_db_rollback(db);
        if (ret != OMKT_OK)
            (void)omkt_db_ping(db); /* a dead link: reconnect next time */
    }
    return ret;
}

/* one_by_one - the @k calls of a batch the database refused, each on
 * its own: a refused row is dropped and logged, so one bad row never
 * holds back the calls after it.  Returns how many are dealt with (all
 * of them, unless the database went away meanwhile). */
static size_t one_by_one(struct apid_calllog *cl, const struct omkt_api_call *c,
                         size_t k)
{
    struct omkt_errbuf eb = {0};

    for (size_t i = 0; i < k; i++) {
        if (write_batch(cl->db, &c[i], 1, &eb) == OMKT_OK)
            continue;
        if (eb.retryable)
            return i;
        pthread_mutex_lock(&cl->lock);
        cl->dropped++; /* counted with the calls a full queue drops */
        pthread_mutex_unlock(&cl->lock);
        omkt_log(OMKT_LOG_WARN,
                 "call log: row refused, dropped (action=%s account=%" PRId64
                 " code=%d): %s",
                 c[i].action, c[i].account_id, c[i].code, eb.msg);
    }
    return k;
}

/* flush - insert the @n calls of @q; returns how many were dealt with
 * (a prefix: the rest is kept for the next tick). */
static size_t flush(struct apid_calllog *cl, const struct apid_call *q,
                    size_t n)
{
    struct omkt_api_call c[256];
    struct omkt_errbuf eb = {0};
    size_t i = 0;

    if (cl->db == NULL && omkt_db_open(cl->dbconf, &cl->db, &eb) != OMKT_OK) {
        cl->db = NULL;
        return 0;
    }
    while (i < n) {
        size_t k = 0, done;

        for (; k < OMKT_ARRAY_LEN(c) && i + k < n; k++) {
            const struct apid_call *s = &q[i + k];

            c[k] = (struct omkt_api_call){
                s->account_id, s->action,      s->application, s->version,
                s->code,       s->remote_addr, s->at_ms};
        }
        if (write_batch(cl->db, c, k, &eb) == OMKT_OK)
            done = k;
        else if (eb.retryable)
            break; /* the database is away: keep them for later */
        else
            done = one_by_one(cl, c, k);
        i += done;
        if (done < k)
            break;
    }
    return i;
}

/* requeue - put back the @n calls not written, ahead of newer ones;
 * what does not fit is dropped and counted. */
static void requeue(struct apid_calllog *cl, const struct apid_call *rest,
                    size_t n)
{
    size_t room;

    pthread_mutex_lock(&cl->lock);
    room = APID_CALLLOG_MAX - cl->n;
    if (n > room) {
        cl->dropped += n - room;
        rest += n - room; /* keep the newest */
        n = room;
    }
    memmove(cl->q + n, cl->q, cl->n * sizeof(*cl->q));
    memcpy(cl->q, rest, n * sizeof(*cl->q));
    cl->n += n;
    pthread_mutex_unlock(&cl->lock);
}

/* flush_tick - the ticker's callback: swap the queue out, insert it. */
static void flush_tick(void *ctx, bool is_last)
{
    struct apid_calllog *cl = ctx;
    size_t n, done;

    pthread_mutex_lock(&cl->lock);
    n = cl->n;
    memcpy(cl->batch, cl->q, n * sizeof(*cl->batch));
    cl->n = 0;
    pthread_mutex_unlock(&cl->lock);
    done = n > 0 ? flush(cl, cl->batch, n) : 0;
    if (done < n && !is_last) {
        if (!cl->is_warned)
            omkt_log(OMKT_LOG_WARN,
                     "call log: database unavailable; "
                     "%zu calls kept for later",
                     n - done);
        cl->is_warned = true;
        requeue(cl, cl->batch + done, n - done);
    } else if (done < n) {
        omkt_log(OMKT_LOG_WARN, "call log: %zu calls lost at exit", n - done);
    } else {
        cl->is_warned = false;
    }
}

int calllog_start(struct apid_calllog *cl, const struct omkt_db_conf *dbconf)
{
    int ret;

    cl->q = omkt_xcalloc(APID_CALLLOG_MAX, sizeof(*cl->q));
    cl->batch = omkt_xcalloc(APID_CALLLOG_MAX, sizeof(*cl->batch));
    cl->n = 0;
    cl->dropped = 0;
    cl->dbconf = dbconf;
    pthread_mutex_init(&cl->lock, NULL);
    ret = omkt_ticker_start(&cl->ticker, FLUSH_MS, flush_tick, cl);
    cl->is_started = ret == OMKT_OK;
    return ret;
}

/* copy - a possibly NULL client string, cut at a character boundary and
 * made valid UTF-8 (the database refuses anything else). */
static void copy(char *dst, size_t size, const char *src)
{
    (void)omkt_text_copy(dst, size, src ? src : ""); /* cut: fine for a log */
}

void calllog_add(struct apid_calllog *cl, const struct omkt_api_call *c)
{
    struct apid_call *d;

    if (!cl->is_started)
        return;
    pthread_mutex_lock(&cl->lock);
    if (cl->n == APID_CALLLOG_MAX) {
        cl->dropped++;
        pthread_mutex_unlock(&cl->lock);
        return;
    }
    d = &cl->q[cl->n++];
    if (cl->n == APID_CALLLOG_MAX / 2) /* busy: do not wait for the tick */
        omkt_ticker_poke(&cl->ticker);
    d->account_id = c->account_id;
    d->code = c->code;
    d->at_ms = c->at_ms;
    copy(d->action, sizeof(d->action), c->action);
    copy(d->application, sizeof(d->application), c->application);
    copy(d->version, sizeof(d->version), c->version);
    copy(d->remote_addr, sizeof(d->remote_addr), c->remote_addr);
    pthread_mutex_unlock(&cl->lock);
}

uint64_t calllog_dropped(struct apid_calllog *cl)
{
    uint64_t n;

    if (!cl->is_started)
        return 0;
    pthread_mutex_lock(&cl->lock);
    n = cl->dropped;
    pthread_mutex_unlock(&cl->lock);
    return n;
}

void calllog_stop(struct apid_calllog *cl)
{
    if (!cl->is_started)
        return;
    omkt_ticker_stop(&cl->ticker); /* its last tick inserts what is left */
    cl->is_started = false;
    pthread_mutex_destroy(&cl->lock);
    omkt_db_close(cl->db);
    cl->db = NULL;
    OMKT_FREE(cl->q);
    OMKT_FREE(cl->batch);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cron - the transcoder_cron thread (see cron.h).
 *
 * DESIGN: the thread has its own connection and curl handle.  Every tick
 * (a fifth of cron_interval, at most 5 s) it lists due accounts and, for
 * each, claims it with one guarded UPDATE of cron_last; only the winner
 * pings.  It stops when the daemon stops (transfers poll the flag).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/alloc.h"
#include "common/db_cron.h"
#include "common/log.h"
#include "cron.h"

#define INACTIVE_S  (30 * 60)
#define TICK_MAX_MS 5000

struct cron {
    struct omkt_daemon *d;
    const struct nt_conf *conf;
    pthread_t thread;
    bool is_started;
};

static struct cron cr;

/* intervals - seconds between pings of active and inactive accounts. */
static void intervals(int64_t *active_s, int64_t *inactive_s)
{
    *active_s = (cr.conf->cron_interval_ms + 999) / 1000;
    *inactive_s = *active_s > INACTIVE_S ? *active_s : INACTIVE_S;
}

/* ping - send transcoder_cron to one account; true when acknowledged. */
static bool ping(CURL *h, int64_t id, const char *url, const char *key)
{
    struct omkt_http_limits lim = {cr.conf->timeout_ms, cr.conf->timeout_ms};
    struct cb_stop st = {.d = cr.d};
    struct omkt_errbuf eb = {0};
    char *ek = omkt_http_escape(key ? key : "");
    char *q = omkt_xasprintf("app_key=%s&action=transcoder_cron", ek);
    char cid[64];
    struct cb_req rq = {.key = key, .id = cid, .attempt = 1, .is_omkt = true};
    int ret;

    snprintf(cid, sizeof(cid), "cron-%" PRId64 "-%lld", id,
             (long long)time(NULL));
    rq.url = omkt_http_add_query(url, q);
    ret = callback_send(h, &rq, &lim, &st, &eb);
    if (ret != OMKT_OK && ret != OMKT_ESHUTDOWN)
        omkt_log(OMKT_LOG_WARN, "account=%" PRId64 " transcoder_cron: %s", id,
                 eb.msg);
    free((char *)rq.url);
    free(q);
    free(ek);
    return ret == OMKT_OK;
}

/* run_once - ping every due account we manage to claim. */
static void run_once(struct omkt_db *db, CURL *h)
{
    struct omkt_dbres *r = NULL;
    int64_t act_s, inact_s;

    intervals(&act_s, &inact_s);
    if (omkt_cron_due(db, act_s, inact_s, &r, NULL) != OMKT_OK)
        return; /* the DB is away: next tick */
    for (size_t i = 0; i < r->nrows && !atomic_load(&cr.d->is_stopping); i++) {
        int64_t id = omkt_dbres_i64(r, i, 0, 0);
        bool is_claimed = false;

        if (omkt_cron_claim(db, id, act_s, inact_s, &is_claimed, NULL) !=
                OMKT_OK ||
            !is_claimed)
            continue;
        if (ping(h, id, omkt_dbres_str(r, i, 1), omkt_dbres_str(r, i, 2)) &&
            omkt_cron_ok(db, id, NULL) != OMKT_OK)
            omkt_log(OMKT_LOG_WARN,
                     "account=%" PRId64 " cron_last_ok not "
                     "recorded",
                     id);
    }
    omkt_dbres_free(r);
}

/* thread_main - tick until the daemon stops. */
static void *thread_main(void *arg)
{
    struct omkt_db *db = omkt_daemon_connect(cr.d);
    CURL *h = curl_easy_init();
    int64_t tick_ms = cr.conf->cron_interval_ms / 5;

    (void)arg;
    if (tick_ms > TICK_MAX_MS)
        tick_ms = TICK_MAX_MS;
    if (tick_ms < 100)
        tick_ms = 100;
    while (db != NULL && h != NULL && !atomic_load(&cr.d->is_stopping)) {
        run_once(db, h);
        omkt_daemon_sleep(cr.d, tick_ms);
    }
    curl_easy_cleanup(h);
    omkt_db_close(db);
    return NULL;
}

int cron_start(struct omkt_daemon *d, const struct nt_conf *conf,
               struct omkt_errbuf *eb)
{
    cr.d = d;
    cr.conf = conf;
    if (pthread_create(&cr.thread, NULL, thread_main, NULL) != 0) {
        omkt_errf(eb, "cannot start the cron thread");
        return OMKT_ENOMEM;
    }
    cr.is_started = true;
    return OMKT_OK;
}

void cron_join(void)
{
    if (cr.is_started)
        pthread_join(cr.thread, NULL);
    cr.is_started = false;
}

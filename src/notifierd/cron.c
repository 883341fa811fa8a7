/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cron - the transcoder_cron thread (see cron.h).
 *
 * DESIGN: the thread has its own connection and one curl multi handle
 * with up to cron_parallel pings in flight, as the reference pings its
 * accounts (a rolling window of parallel requests, 5 s to connect, 240 s
 * in all): one slow CMS holds one slot, never the others' pings.  Every
 * tick (a fifth of cron_interval, at most 5 s; under a poll budget the
 * notifierds share it: each of N ticks every N ticks on average, at most
 * every cron_interval, idleshare.h) it lists due accounts and,
 * for each one not already in flight and while a slot is free, claims it
 * with one guarded UPDATE of cron_last; only the winner pings.  Results
 * are recorded as each ping ends.  It stops when the daemon stops
 * (transfers poll the flag).
 * XXX: a ping slower than cron_interval may be claimed again by another
 * notifierd while this one still waits for it; the CMS sees two pings.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/db_cron.h"
#include "common/idleshare.h"
#include "common/log.h"
#include "cron.h"

#define INACTIVE_S  (30 * 60)
#define TICK_MAX_MS 5000
#define POLL_MAX_MS 200

/* One ping in flight. */
struct ping {
    CURL *h; /* NULL: the slot is free */
    int64_t id;
    struct cb_req rq;
    struct cb_xfer *x;
    char *url;
    char *key;
    char cid[64];
};

struct cron {
    struct omkt_daemon *d;
    const struct nt_conf *conf;
    pthread_t thread;
    bool is_started;
    CURLM *multi;
    struct ping *slots;
    size_t nslots;
    size_t nbusy;
};

static struct cron cr;

/* intervals - seconds between pings of active and inactive accounts. */
static void intervals(int64_t *active_s, int64_t *inactive_s)
{
    *active_s = (cr.conf->cron_interval_ms + 999) / 1000;
    *inactive_s = *active_s > INACTIVE_S ? *active_s : INACTIVE_S;
}

/* limits - a ping's connect and total time, as the reference's. */
static struct omkt_http_limits limits(void)
{
    struct omkt_http_limits lim = {
        .connect_timeout_ms = cr.conf->cron_connect_timeout_ms,
        .timeout_ms = cr.conf->cron_timeout_ms,
        .allow_private = cr.conf->allow_private,
    };

    return lim;
}

/* slot_clear - free what slot @p holds. */
static void slot_clear(struct ping *p)
{
    if (p->h != NULL) {
        (void)curl_multi_remove_handle(cr.multi, p->h); /* may be absent */
        curl_easy_cleanup(p->h);
        cr.nbusy--;
    }
    cb_xfer_free(p->x);
    free(p->url);
    free(p->key);
    memset(p, 0, sizeof(*p));
}

/* is_in_flight - a ping of account @id is still running. */
static bool is_in_flight(int64_t id)
{
    for (size_t i = 0; i < cr.nslots; i++)
        if (cr.slots[i].h != NULL && cr.slots[i].id == id)
            return true;
    return false;
}

/* free_slot - an unused slot, or NULL. */
static struct ping *free_slot(void)
{
    for (size_t i = 0; i < cr.nslots; i++)
        if (cr.slots[i].h == NULL)
            return &cr.slots[i];
    return NULL;
}

/* start_ping - send transcoder_cron to account @id in slot @p. */
static void start_ping(struct ping *p, int64_t id, const char *url,
                       const char *key)
{
    static struct cb_stop st; /* the daemon's stop flag, for every ping */
    struct omkt_http_limits lim = limits();
    struct omkt_errbuf eb = {0};
    char *ek = omkt_http_escape(key ? key : "");
    char *q = omkt_xasprintf("app_key=%s&action=transcoder_cron", ek);
    int ret = OMKT_ENOMEM;

    st.d = cr.d;
    p->id = id;
    p->url = omkt_http_add_query(url, q);
    p->key = key ? omkt_xstrdup(key) : NULL;
    snprintf(p->cid, sizeof(p->cid), "cron-%" PRId64 "-%lld", id,
             (long long)time(NULL));
    p->rq = (struct cb_req){.url = p->url,
                            .key = p->key,
                            .id = p->cid,
                            .attempt = 1,
                            .is_omkt = true};
    free(q);
    free(ek);
    p->h = curl_easy_init();
    if (p->h != NULL) {
        cr.nbusy++;
        ret = cb_xfer_new(p->h, &p->rq, &lim, &st, &p->x, &eb);
    }
    if (ret == OMKT_OK && curl_multi_add_handle(cr.multi, p->h) != CURLM_OK)
        ret = OMKT_ENET;
    if (ret != OMKT_OK) {
        omkt_log(OMKT_LOG_WARN, "account=%" PRId64 " transcoder_cron: %s", id,
                 omkt_errbuf_str(&eb, ret));
        slot_clear(p);
    }
}

/* fill - claim due accounts into the free slots. */
static void fill(struct omkt_db *db)
{
    struct omkt_dbres *r = NULL;
    int64_t act_s, inact_s;

    intervals(&act_s, &inact_s);
    if (omkt_cron_due(db, act_s, inact_s, &r, NULL) != OMKT_OK)
        return; /* the DB is away: next tick */
    for (size_t i = 0; i < r->nrows && cr.nbusy < cr.nslots; i++) {
        int64_t id = omkt_dbres_i64(r, i, 0, 0);
        bool is_claimed = false;

        if (is_in_flight(id) ||
            omkt_cron_claim(db, id, act_s, inact_s, &is_claimed, NULL) !=
                OMKT_OK ||
            !is_claimed)
            continue;
        start_ping(free_slot(), id, omkt_dbres_str(r, i, 1),
                   omkt_dbres_str(r, i, 2));
    }
    omkt_dbres_free(r);
}

/* slot_of - the slot of easy handle @h. */
static struct ping *slot_of(CURL *h)
{
    for (size_t i = 0; i < cr.nslots; i++)
        if (cr.slots[i].h == h)
            return &cr.slots[i];
    return NULL;
}

/* finish - record the pings that ended. */
static void finish(struct omkt_db *db)
{
    CURLMsg *m;
    int left = 0;

    while ((m = curl_multi_info_read(cr.multi, &left)) != NULL) {
        struct ping *p =
            m->msg == CURLMSG_DONE ? slot_of(m->easy_handle) : NULL;
        struct omkt_errbuf eb = {0};
        int ret;

        if (p == NULL)
            continue;
        ret = cb_xfer_judge(p->x, m->data.result, &eb);
        if (ret == OMKT_OK && omkt_cron_ok(db, p->id, NULL) != OMKT_OK)
            omkt_log(OMKT_LOG_WARN,
                     "account=%" PRId64 " cron_last_ok not recorded", p->id);
        else if (ret != OMKT_OK && ret != OMKT_ESHUTDOWN)
            omkt_log(OMKT_LOG_WARN, "account=%" PRId64 " transcoder_cron: %s",
                     p->id, eb.msg);
        slot_clear(p);
    }
}

/* now_ms - the monotonic clock. */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* loop - tick, ping and record until the daemon stops. */
static void loop(struct omkt_db *db, int64_t tick_ms)
{
    int64_t next = 0;

    while (!atomic_load(&cr.d->is_stopping)) {
        int running = 0;

        if (now_ms() >= next) {
            fill(db);
            next = now_ms() + omkt_idleshare_tick_ms(cr.d, tick_ms,
                                                     cr.conf->cron_interval_ms);
        }
        (void)curl_multi_perform(cr.multi, &running); /* errors: per ping */
        finish(db);
        if (cr.nbusy == 0 && next > now_ms())
            omkt_daemon_sleep(cr.d, next - now_ms());
        else if (cr.nbusy > 0)
            (void)curl_multi_poll(cr.multi, NULL, 0, POLL_MAX_MS, NULL);
    }
}

/* thread_main - set up, loop, tear down. */
static void *thread_main(void *arg)
{
    struct omkt_db *db = omkt_daemon_connect(cr.d);
    int64_t tick_ms = cr.conf->cron_interval_ms / 5;

    (void)arg;
    if (tick_ms > TICK_MAX_MS)
        tick_ms = TICK_MAX_MS;
    if (tick_ms < 100)
        tick_ms = 100;
    cr.nslots = (size_t)cr.conf->cron_parallel;
    cr.slots = omkt_xcalloc(cr.nslots, sizeof(*cr.slots));
    cr.multi = curl_multi_init();
    if (cr.multi == NULL)
        omkt_log(OMKT_LOG_ERR, "transcoder_cron: curl_multi_init failed");
    if (db != NULL && cr.multi != NULL)
        loop(db, tick_ms);
    for (size_t i = 0; i < cr.nslots; i++)
        slot_clear(&cr.slots[i]);
    OMKT_FREE(cr.slots);
    if (cr.multi != NULL)
        curl_multi_cleanup(cr.multi);
    cr.multi = NULL;
    omkt_db_close(db);
    return NULL;
}

int cron_start(struct omkt_daemon *d, const struct nt_conf *conf,
               struct omkt_errbuf *eb)
{
    int rc;

    cr.d = d;
    cr.conf = conf;
    rc = pthread_create(&cr.thread, NULL, thread_main, NULL);
    if (rc != 0) {
        omkt_errf(eb, "cannot start the cron thread: %s", omkt_errno_str(rc));
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

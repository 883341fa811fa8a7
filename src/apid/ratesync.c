/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratesync - the rate limit's flush to api_rate (see ratesync.h). */
#include <stdlib.h>

#include "apid/ratesync.h"
#include "common/alloc.h"
#include "common/daemon.h"
#include "common/db_rate.h"
#include "common/log.h"

#define FLUSH_MS     500
#define KEEP_MINUTES 5 /* older rows are deleted: a window needs two */
#define TRIM_LIMIT   10000

/* The thread's state. */
struct apid_rs_run {
    struct apid_ratesync *rs;
    struct omkt_db *db;
    struct apid_rl_mark *marks; /* APID_RL_SLOTS */
    struct omkt_rate_row *rows; /* 2 x APID_RL_SLOTS: two minutes each */
    int64_t *ids;               /* APID_RL_SLOTS */
    int64_t trimmed;            /* minute of the last trim */
    bool is_down;
};

/* connect_db - the thread's connection, opened on first use. */
static int connect_db(struct apid_rs_run *s, struct omkt_errbuf *eb)
{
    if (s->db == NULL && omkt_db_open(s->rs->dbconf, &s->db, eb) != OMKT_OK) {
        s->db = NULL;
        return OMKT_EDB;
    }
    return OMKT_OK;
}

/* rows_of - the rows to add for the @n marks' new calls; returns how
 * many. */
static size_t rows_of(struct apid_rs_run *s, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        const struct apid_rl_mark *m = &s->marks[i];

        if (m->m.new_prev > 0)
            s->rows[k++] = (struct omkt_rate_row){
                m->account_id, m->m.minute - 1, m->m.new_prev};
        if (m->m.new_cur > 0)
            s->rows[k++] = (struct omkt_rate_row){m->account_id, m->m.minute,
                                                  m->m.new_cur};
    }
    return k;
}

/* send_once - one transaction adding the @k rows. */
static int send_once(struct apid_rs_run *s, size_t k, struct omkt_errbuf *eb)
{
    int ret = omkt_db_begin(s->db, eb);

    if (ret == OMKT_OK)
        ret = omkt_rate_add(s->db, s->rows, k, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(s->db, eb);
    if (ret != OMKT_OK)
        omkt_db_rollback(s->db);
    return ret;
}

/* send - add the @n marks' new calls; once more when a retry can cure
 * the failure (a connection lost to a server restart, a deadlock). */
static int send(struct apid_rs_run *s, size_t n, struct omkt_errbuf *eb)
{
    size_t k = rows_of(s, n);
    int ret;

    if (k == 0)
        return OMKT_OK;
    ret = send_once(s, k, eb);
    if (ret != OMKT_OK && eb->retryable) {
        omkt_errbuf_clear(eb);
        ret = send_once(s, k, eb);
    }
    return ret;
}

/* by_account - bsearch order of marks (ratelimit_mark sorts them). */
static int by_account(const void *a, const void *b)
{
    const struct apid_rl_mark *x = a, *y = b;

    return (x->account_id > y->account_id) - (x->account_id < y->account_id);
}

/* read_back - the cluster totals of the @n marked accounts, from
 * @minute - 1 on, into their marks. */
static int read_back(struct apid_rs_run *s, size_t n, int64_t minute,
                     struct omkt_errbuf *eb)
{
    struct omkt_rate_rows rows;
    int ret;

    for (size_t i = 0; i < n; i++)
        s->ids[i] = s->marks[i].account_id;
    ret = omkt_rate_read(s->db, s->ids, n, minute - 1, &rows, eb);
    for (size_t i = 0; ret == OMKT_OK && i < rows.n; i++) {
        const struct omkt_rate_row *r = &rows.v[i];
        struct apid_rl_mark key = {.account_id = r->account_id};
        struct apid_rl_mark *m =
            bsearch(&key, s->marks, n, sizeof(*s->marks), by_account);

        if (m != NULL && r->minute == m->m.minute)
            m->m.total_cur = r->calls;
        else if (m != NULL && r->minute == m->m.minute - 1)
            m->m.total_prev = r->calls;
    }
    omkt_rate_rows_clear(&rows);
    return ret;
}

/* trim - once a minute, delete rows no window needs any more.  Every apid
 * does it: whichever comes first deletes them. */
static void trim(struct apid_rs_run *s, int64_t minute)
{
    struct omkt_errbuf eb = {0};

    if (minute == s->trimmed)
        return;
    s->trimmed = minute;
    if (omkt_rate_trim(s->db, minute - KEEP_MINUTES, TRIM_LIMIT, NULL, &eb) !=
        OMKT_OK)
        omkt_log(OMKT_LOG_INFO, "rate limit: trim api_rate: %s", eb.msg);
}

/* report - log the database going away and coming back, once each. */
static void report(struct apid_rs_run *s, int ret, const struct omkt_errbuf *eb)
{
    if (ret != OMKT_OK && !s->is_down)
        omkt_log(OMKT_LOG_WARN,
                 "rate limit: database unavailable (%s); counting this "
                 "process's calls only until it is back",
                 eb->msg);
    else if (ret == OMKT_OK && s->is_down)
        omkt_log(OMKT_LOG_NOTICE,
                 "rate limit: database back; counting cluster-wide again");
    s->is_down = ret != OMKT_OK;
}

/* tick - one pass: mark, send, read back.  @is_last: send only, and not
 * at all when the database is known away (do not delay the exit). */
static void tick(void *ctx, bool is_last)
{
    struct apid_rs_run *s = ctx;
    int64_t minute = omkt_ratewin_minute(omkt_wall_ms());
    size_t n = ratelimit_mark(s->rs->rl, minute, s->marks);
    struct omkt_errbuf eb = {0};
    int ret;

    if (n == 0 || (is_last && s->is_down))
        return;
    ret = connect_db(s, &eb);
    if (ret == OMKT_OK)
        ret = send(s, n, &eb);
    if (ret == OMKT_OK)
        ratelimit_sent(s->rs->rl, s->marks, n);
    if (ret == OMKT_OK && !is_last)
        ret = read_back(s, n, minute, &eb);
    if (ret == OMKT_OK && !is_last)
        ratelimit_seen(s->rs->rl, s->marks, n);
    if (ret == OMKT_OK && !is_last)
        trim(s, minute);
    report(s, ret, &eb);
}

/* run_free - the thread's state, once it is gone. */
static void run_free(struct apid_ratesync *rs)
{
    struct apid_rs_run *s = rs->run;

    if (s == NULL)
        return;
    omkt_db_close(s->db);
    free(s->ids);
    free(s->rows);
    free(s->marks);
    free(s);
    rs->run = NULL;
}

int ratesync_start(struct apid_ratesync *rs, struct apid_ratelimit *rl,
                   const struct omkt_db_conf *dbconf)
{
    struct apid_rs_run *s = omkt_xcalloc(1, sizeof(*s));
    int ret;

    rs->rl = rl;
    rs->dbconf = dbconf;
    s->rs = rs;
    s->marks = omkt_xcalloc(APID_RL_SLOTS, sizeof(*s->marks));
    s->rows = omkt_xcalloc(2 * APID_RL_SLOTS, sizeof(*s->rows));
    s->ids = omkt_xcalloc(APID_RL_SLOTS, sizeof(*s->ids));
    rs->run = s;
    ret = omkt_ticker_start(&rs->ticker, FLUSH_MS, tick, s);
    if (ret != OMKT_OK)
        run_free(rs);
    return ret;
}

void ratesync_stop(struct apid_ratesync *rs)
{
    omkt_ticker_stop(&rs->ticker); /* its last tick writes what is left */
    run_free(rs);
}

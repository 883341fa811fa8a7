/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idlebench - an idle cluster in one process, for bench/idle-scale.
 *
 *   idlebench -c CONF BUDGET ROLES N IDLE_S JOBS
 *
 * Simulates N daemons of each of ROLES (a comma list of downloaderd,
 * metadatad, transcoderd, notifierd): each has its own registry row and
 * runs the real worker loop (omkt_worker_loop) on its own thread and
 * connection, polling its role's real task; handlers skip the media work.
 * Four threads heartbeat every row each [common] heartbeat, spread
 * evenly (omkt_proc_heartbeat, as daemon.c does), and one runs each
 * daemon's cluster chores (promote, mark dead, reap) on its real
 * schedule (idleshare.c's omkt_chores_due/omkt_chores_ran), as daemon.c's
 * heartbeat thread does.  BUDGET is
 * [common] poll_budget ("off": the adaptive poll_min..poll_max scheme).
 *
 * After a warm-up (every poller has polled and learnt N, then 3 s), it
 * counts the server's statements (information_schema.GLOBAL_STATUS
 * deltas; every Com_% counter per second on stderr) over IDLE_S idle
 * seconds, then inserts JOBS jobs at random times (uniform
 * gaps of 0.1..0.9 s, roles in turn) and measures each one's pickup: from
 * its insert to its handler starting.  Prints one line:
 *   BUDGET N ROLES stmts/s select/s update/s other/s jobs p50 p95 max hb/s
 * (statements per second of the whole idle cluster, pickup milliseconds,
 * then the heartbeat UPDATEs per second among those statements).
 */
#include <inttypes.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/db_jobs.h"
#include "common/db_procs.h"
#include "common/idleshare.h"
#include "common/jobworker.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/pollbudget.h"

#define MAX_ROLES     4
#define MAX_JOBS      10000
#define WARMUP_MS     3000
#define SETTLE_MAX_MS 120000
#define BEATERS       4 /* heartbeat threads (one could fall behind) */
#define STACK_BYTES   (256 * 1024)

struct role {
    const char *name;
    enum omkt_task task;
};

static const struct role known_roles[] = {
    {"downloaderd", OMKT_TASK_DOWNLOAD},
    {"metadatad", OMKT_TASK_METADATA},
    {"transcoderd", OMKT_TASK_TRANSCODE},
    {"notifierd", OMKT_TASK_NOTIFY},
};

/* One simulated daemon: its skeleton state and its poller thread. */
struct fake {
    struct omkt_daemon d;
    struct omkt_daemon_spec spec;
    struct omkt_worker_spec wspec;
    pthread_t thread;
    struct omkt_chores chores;
};

static struct omkt_db_conf dbc;
static struct omkt_common_conf cc;
static struct fake **fakes;
static size_t nfakes;
static atomic_bool is_stop;
static pthread_mutex_t lat_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t lat_ms[MAX_JOBS];
static size_t nlat;
static atomic_long nbeats; /* heartbeats sent, for the report */

/* handle - the pickup time of the job (its payload: insert wall ms). */
static int handle(struct omkt_jobctx *ctx)
{
    int64_t t0 = 0;
    const char *p = ctx->job.payload ? ctx->job.payload : "";

    if (omkt_parse_i64(p, &t0) != OMKT_OK)
        return OMKT_OK;
    pthread_mutex_lock(&lat_lock);
    if (nlat < MAX_JOBS)
        lat_ms[nlat++] = omkt_wall_ms() - t0;
    pthread_mutex_unlock(&lat_lock);
    return OMKT_OK;
}

static void *poller_main(void *arg)
{
    struct fake *f = arg;

    omkt_worker_loop(&f->d, &f->wspec, &f->d.slots[0]);
    return NULL;
}

/* fake_new - register daemon @i of @r (its poller starts later). */
static int fake_new(struct omkt_db *db, const struct role *r, size_t i)
{
    struct fake *f = omkt_xcalloc(1, sizeof(*f));
    char host[64];

    f->spec.name = r->name;
    f->wspec = (struct omkt_worker_spec){
        .task = r->task, .nthreads = 1, .handle = handle};
    f->d.spec = &f->spec;
    f->d.common = cc;
    f->d.db = dbc;
    f->d.nslots = 1;
    pthread_mutex_init(&f->d.slots[0].lock, NULL);
    pthread_mutex_init(&f->d.wake_lock, NULL);
    pthread_cond_init(&f->d.wake, NULL);
    snprintf(host, sizeof(host), "idle-%zu", i);
    fakes[nfakes++] = f;
    return omkt_proc_register(db, host, (long)getpid(), r->name, &f->d.proc_id,
                              NULL) == OMKT_OK
               ? 0
               : -1;
}

/* beat_one - as daemon.c's beat: the row, with the job held (if any). */
static void beat_one(struct omkt_db *db, struct fake *f)
{
    struct omkt_slot *s = &f->d.slots[0];
    int64_t job;
    bool is_draining = false;

    pthread_mutex_lock(&s->lock);
    job = s->job.id;
    pthread_mutex_unlock(&s->lock);
    (void)omkt_proc_heartbeat(db, f->d.proc_id, "idle", job, &is_draining,
                              NULL); /* retried next period */
    atomic_fetch_add(&nbeats, 1);
}

/*
 * start_all - beat every row once (registering thousands takes longer
 * than the registry's freshness window on a loaded machine), then start
 * every poller: each one's first poll then sees the whole N, as in a
 * cluster that has been up for a while.
 */
static void start_all(struct omkt_db *db, const pthread_attr_t *attr)
{
    int64_t now = omkt_now_ms();

    /* Chores in the phases of a cluster that has been up for long (all
     * due at once, they would fill the idle window): under a budget,
     * drawn again from the pollers' N at their first poll (as a counted
     * schedule is); off, every period from a random phase. */
    for (size_t i = 0; i < nfakes; i++)
        fakes[i]->chores = (struct omkt_chores){
            .next_promote_ms = now + random() % OMKT_CHORES_PROMOTE_MS + 1,
            .next_reap_ms = now + random() % cc.reap_interval_ms,
            .is_counted = true};
    for (size_t i = 0; i < nfakes; i++)
        beat_one(db, fakes[i]);
    for (size_t i = 0; i < nfakes; i++)
        if (pthread_create(&fakes[i]->thread, attr, poller_main, fakes[i]) != 0)
            fprintf(stderr, "idlebench: cannot start poller %zu\n", i);
}

/* beat_main - beater @k of BEATERS: rows k, k + BEATERS, ... once per
 * heartbeat period each, spread evenly (no sleep when behind; more than
 * a period behind, it starts over from now instead of catching up in a
 * burst). */
static void *beat_main(void *arg)
{
    size_t k = (size_t)(uintptr_t)arg;
    size_t mine = (nfakes + BEATERS - 1 - k) / BEATERS;
    int64_t period_us = cc.heartbeat_ms * 1000;
    int64_t gap_us = period_us / (int64_t)(mine ? mine : 1);
    int64_t due_us = omkt_now_ms() * 1000 + gap_us * (int64_t)k / BEATERS;
    struct omkt_db *db = NULL;

    if (mine == 0 || omkt_db_open(&dbc, &db, NULL) != OMKT_OK)
        return NULL;
    for (size_t i = k; !atomic_load(&is_stop);
         i = i + BEATERS < nfakes ? i + BEATERS : k) {
        int64_t now_us = omkt_now_ms() * 1000;

        if (due_us > now_us)
            usleep((useconds_t)(due_us - now_us));
        else if (now_us - due_us > period_us)
            due_us = now_us;
        beat_one(db, fakes[i]);
        due_us += gap_us;
    }
    omkt_db_close(db);
    return NULL;
}

static int no_reaped(void *ctx, struct omkt_db *db, const struct omkt_reaped *r)
{
    (void)ctx;
    (void)db;
    (void)r;
    return OMKT_OK;
}

/* chores_one - daemon.c's housekeep for one daemon, when its schedule
 * (the real one, idleshare.c) says it is due. */
static void chores_one(struct omkt_db *db, struct fake *f, int64_t now)
{
    unsigned silence_s = (unsigned)((cc.lease_ms + 999) / 1000);
    bool is_reap = false;

    if (!omkt_chores_due(&f->chores, &f->d, now, &is_reap))
        return;
    (void)omkt_job_promote(db, NULL, NULL); /* next time, as daemon.c */
    if (is_reap) {
        (void)omkt_proc_mark_dead(db, silence_s, NULL, NULL);
        (void)omkt_job_reap(db, &f->d.backoff, no_reaped, NULL, NULL, NULL);
    }
    omkt_chores_ran(&f->chores, &f->d, db, now, is_reap);
}

/* connected - the server's open connections (-1: unknown). */
static int64_t connected(struct omkt_db *db)
{
    static const char sql[] = "SELECT VARIABLE_VALUE FROM"
                              " information_schema.GLOBAL_STATUS"
                              " WHERE VARIABLE_NAME = 'THREADS_CONNECTED'";
    struct omkt_dbres *r = NULL;
    int64_t n = -1;

    if (omkt_db_query(db, sql, NULL, 0, &r, NULL) == OMKT_OK && r->nrows == 1)
        n = omkt_dbres_i64(r, 0, 0, -1);
    omkt_dbres_free(r);
    return n;
}

/* is_settled - has every poller polled once (connected, learnt N)?  Off,
 * the pollers learn nothing: every one of them is connected. */
static bool is_settled(struct omkt_db *db)
{
    if (strcmp(cc.poll_budget, "off") == 0)
        return connected(db) >= (int64_t)nfakes + BEATERS + 2;
    for (size_t i = 0; i < nfakes; i++)
        if (fakes[i]->thread && atomic_load(&fakes[i]->d.role_seen_ms) == 0)
            return false;
    return true;
}

/* settle - until every poller has polled once (at most SETTLE_MAX_MS),
 * then WARMUP_MS more: the idle window starts in the steady state. */
static void settle(struct omkt_db *db)
{
    int64_t t0 = omkt_now_ms();

    while (!is_settled(db) && omkt_now_ms() - t0 < SETTLE_MAX_MS)
        usleep(50000);
    if (omkt_now_ms() - t0 >= SETTLE_MAX_MS)
        fprintf(stderr, "idlebench: not settled after %d s\n",
                SETTLE_MAX_MS / 1000);
    usleep(WARMUP_MS * 1000);
}

static void *chores_main(void *arg)
{
    struct omkt_db *db = arg;

    while (!atomic_load(&is_stop)) {
        for (size_t i = 0; i < nfakes && !atomic_load(&is_stop); i++)
            chores_one(db, fakes[i], omkt_now_ms());
        usleep(10000);
    }
    omkt_db_close(db);
    return NULL;
}

/* status - the server's statement counters: questions, select, update,
 * everything else (Com_* that changes data or transactions). */
static void status(struct omkt_db *db, int64_t out[4])
{
    static const char sql[] =
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM"
        " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN"
        " ('QUESTIONS', 'COM_SELECT', 'COM_UPDATE')";
    struct omkt_dbres *r = NULL;

    memset(out, 0, 4 * sizeof(*out));
    if (omkt_db_query(db, sql, NULL, 0, &r, NULL) != OMKT_OK)
        return;
    for (size_t i = 0; i < r->nrows; i++) {
        const char *k = omkt_dbres_str(r, i, 0);
        int64_t v = omkt_dbres_i64(r, i, 1, 0);

        out[strcmp(k, "QUESTIONS") == 0    ? 0
            : strcmp(k, "COM_SELECT") == 0 ? 1
                                           : 2] = v;
    }
    omkt_dbres_free(r);
    out[3] = atomic_load(&nbeats);
}

/* com_snap - every Com_% counter of the server (new: omkt_dbres_free). */
static struct omkt_dbres *com_snap(struct omkt_db *db)
{
    static const char sql[] =
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM"
        " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME LIKE 'COM\\_%'"
        " ORDER BY VARIABLE_NAME";
    struct omkt_dbres *r = NULL;

    return omkt_db_query(db, sql, NULL, 0, &r, NULL) == OMKT_OK ? r : NULL;
}

/* seen_n - min / mean / max of the role N the pollers last learnt (a
 * static buffer: one report at a time). */
static const char *seen_n(void)
{
    static char buf[64];
    unsigned lo = UINT32_MAX, hi = 0;
    double sum = 0;

    for (size_t i = 0; i < nfakes; i++) {
        unsigned n = atomic_load(&fakes[i]->d.role_npollers);

        lo = n < lo ? n : lo;
        hi = n > hi ? n : hi;
        sum += n;
    }
    snprintf(buf, sizeof(buf), "%u / %.0f / %u", nfakes ? lo : 0,
             nfakes ? sum / (double)nfakes : 0, hi);
    return buf;
}

/* loadavg - the machine's 1-minute load average (a static buffer). */
static const char *loadavg(void)
{
    static char buf[64] = "?";
    FILE *f = fopen("/proc/loadavg", "r");

    if (f != NULL && fgets(buf, sizeof(buf), f) != NULL)
        buf[strcspn(buf, " ")] = '\0';
    if (f != NULL)
        fclose(f);
    return buf;
}

/* com_report - the nonzero Com_% deltas per second, on stderr (with the
 * window's wall-clock bounds, to find its statements in a general log). */
static void com_report(const char *budget, size_t n, const struct omkt_dbres *a,
                       const struct omkt_dbres *b, double secs, int64_t w0,
                       int64_t w1)
{
    fprintf(stderr,
            "idlebench: %s N=%zu: window %" PRId64 "..%" PRId64 " (wall ms):",
            budget, n, w0, w1);
    for (size_t i = 0; a && b && i < a->nrows && i < b->nrows; i++) {
        int64_t d = omkt_dbres_i64(b, i, 1, 0) - omkt_dbres_i64(a, i, 1, 0);

        if (d > 0)
            fprintf(stderr, " %s %.1f/s", omkt_dbres_str(a, i, 0),
                    (double)d / secs);
    }
    fprintf(stderr, "; N seen by the pollers: %s; load average %s\n", seen_n(),
            loadavg());
}

/* insert_jobs - @n jobs at random times, one role after the other. */
static void insert_jobs(struct omkt_db *db, const struct role **roles,
                        size_t nroles, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char payload[32];
        struct omkt_job_new jn = {.task = roles[i % nroles]->task,
                                  .payload = payload};

        usleep((useconds_t)(100000 + random() % 800000));
        snprintf(payload, sizeof(payload), "%" PRId64, omkt_wall_ms());
        (void)omkt_job_enqueue(db, &jn, NULL, NULL);
    }
    usleep(2000000); /* the last ones picked up */
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* parse_roles - the comma list into @out; the count, 0 on error. */
static size_t parse_roles(char *list, const struct role **out)
{
    size_t n = 0;

    for (char *p = list; p != NULL && n < MAX_ROLES;) {
        char *comma = strchr(p, ',');
        size_t k = 0;

        if (comma != NULL)
            *comma = '\0';
        while (k < MAX_ROLES && strcmp(known_roles[k].name, p) != 0)
            k++;
        if (k == MAX_ROLES)
            return 0;
        out[n++] = &known_roles[k];
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

/* load - [db] and [common] of @path, poll_budget replaced by @budget. */
static int load(const char *path, const char *budget)
{
    const struct omkt_conf_section secs[] = {
        {"db", omkt_db_conf_keys, omkt_db_conf_nkeys, &dbc},
        {"common", omkt_common_conf_keys, omkt_common_conf_nkeys, &cc},
    };
    struct omkt_errbuf eb = {0};

    if (omkt_conf_load(path, secs, 2, &eb) != OMKT_OK) {
        fprintf(stderr, "idlebench: %s\n", eb.msg);
        return -1;
    }
    cc.poll_budget = omkt_xstrdup(budget);
    if (omkt_pollbudget_check(cc.poll_budget, &eb) != OMKT_OK) {
        fprintf(stderr, "idlebench: %s\n", eb.msg);
        return -1;
    }
    return 0;
}

/* stop_all - stop and join every poller, mark their rows stopped. */
static void stop_all(struct omkt_db *db, const pthread_t *beat,
                     pthread_t chores)
{
    atomic_store(&is_stop, true);
    for (size_t i = 0; i < nfakes; i++)
        omkt_daemon_stop(&fakes[i]->d);
    for (size_t i = 0; i < nfakes; i++) {
        if (fakes[i]->thread)
            pthread_join(fakes[i]->thread, NULL);
        (void)omkt_proc_stop(db, fakes[i]->d.proc_id, NULL); /* report */
    }
    for (size_t k = 0; k < BEATERS; k++)
        pthread_join(beat[k], NULL);
    pthread_join(chores, NULL);
}

/* report - the result line. */
static void report(const char *budget, size_t n, const char *roles,
                   const int64_t a[4], const int64_t b[4], double secs)
{
    double hb = (double)(b[3] - a[3]) / secs;
    double q = (double)(b[0] - a[0] - 1) / secs; /* minus our own query */
    double sel = (double)(b[1] - a[1] - 1) / secs;
    double upd = (double)(b[2] - a[2]) / secs;

    qsort(lat_ms, nlat, sizeof(lat_ms[0]), cmp_i64);
    printf("%s %zu %s %.1f %.1f %.1f %.1f %zu %" PRId64 " %" PRId64 " %" PRId64
           " %.1f\n",
           budget, n, roles, q, sel, upd, q - sel - upd, nlat,
           nlat ? lat_ms[nlat / 2] : -1,
           nlat ? lat_ms[(nlat * 95 + 99) / 100 - 1] : -1,
           nlat ? lat_ms[nlat - 1] : -1, hb);
}

int main(int argc, char **argv)
{
    const struct role *roles[MAX_ROLES];
    char *role_list, *role_copy;
    size_t nroles, n;
    int64_t idle_s = 0, njobs = 0, n64 = 0, a[4], b[4], w0, w1;
    struct omkt_dbres *ca, *cb;
    struct omkt_db *db = NULL, *chores_db = NULL;
    pthread_t beat[BEATERS], chores;
    pthread_attr_t attr;

    if (argc != 8 || strcmp(argv[1], "-c") != 0) {
        fprintf(stderr,
                "usage: idlebench -c CONF BUDGET ROLES N IDLE_S JOBS\n");
        return 2;
    }
    role_list = argv[4];
    role_copy = omkt_xstrdup(role_list);
    nroles = parse_roles(role_copy, roles);
    if (nroles == 0 || omkt_parse_i64(argv[6], &idle_s) != OMKT_OK ||
        omkt_parse_i64(argv[7], &njobs) != OMKT_OK || idle_s <= 0 ||
        njobs < 0 || njobs > MAX_JOBS ||
        omkt_parse_i64(argv[5], &n64) != OMKT_OK || n64 <= 0 ||
        load(argv[2], argv[3]) != 0) {
        fprintf(stderr, "idlebench: bad arguments\n");
        return 2;
    }
    n = (size_t)n64;
    omkt_log_threshold = OMKT_LOG_NOTICE; /* not a line per job */
    mysql_library_init(0, NULL, NULL);
    srandom((unsigned)getpid());
    if (omkt_db_open(&dbc, &db, NULL) != OMKT_OK)
        return 1;
    fakes = omkt_xcalloc(n * nroles, sizeof(*fakes));
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_BYTES);
    for (size_t i = 0; i < n * nroles; i++)
        if (fake_new(db, roles[i % nroles], i) != 0) {
            fprintf(stderr, "idlebench: cannot register daemon %zu\n", i);
            break;
        }
    if (omkt_db_open(&dbc, &chores_db, NULL) != OMKT_OK)
        return 1;
    start_all(db, &attr);
    for (size_t k = 0; k < BEATERS; k++)
        pthread_create(&beat[k], NULL, beat_main, (void *)(uintptr_t)k);
    pthread_create(&chores, NULL, chores_main, chores_db);
    settle(db);
    ca = com_snap(db);
    w0 = omkt_wall_ms();
    status(db, a);
    usleep((useconds_t)(idle_s * 1000000));
    status(db, b);
    w1 = omkt_wall_ms();
    cb = com_snap(db);
    com_report(argv[3], n, ca, cb, (double)idle_s, w0, w1);
    omkt_dbres_free(ca);
    omkt_dbres_free(cb);
    insert_jobs(db, roles, nroles, (size_t)njobs);
    stop_all(db, beat, chores);
    report(argv[3], n, role_list, a, b, (double)idle_s);
    omkt_db_close(db);
    mysql_library_end();
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon - the shared program skeleton (see daemon.h for the design).
 */
#include <errno.h>
#include <getopt.h>
#include <mysql.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "conftest.h"
#include "db_counters.h"
#include "daemon.h"
#include "db_procs.h"
#include "db_schema.h"
#include "db_segments.h"
#include "fsops.h"
#include "idleshare.h"
#include "jobflow.h"
#include "log.h"
#include "path.h"
#include "version.h"

#define DEFAULT_CONF "/etc/omkt/omkt.conf"
#define MAX_SECTIONS 8
#define TICK_MS      100

#define CK(name, type, def, min, max, field)                                   \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct omkt_common_conf, field)                           \
    }
const struct omkt_conf_key omkt_common_conf_keys[] = {
    CK("docroot", OMKT_CONF_STR, "/var/lib/omkt", 0, -1, docroot),
    CK("log", OMKT_CONF_STR, "stderr", 0, -1, log),
    CK("log_level", OMKT_CONF_STR, "info", 0, -1, log_level),
    CK("host", OMKT_CONF_STR, NULL, 0, -1, host),
    CK("settings_file", OMKT_CONF_STR, NULL, 0, -1, settings_file),
    CK("lease", OMKT_CONF_DURATION, "60s", 1000, 86400000, lease_ms),
    CK("heartbeat", OMKT_CONF_DURATION, "5s", 100, 3600000, heartbeat_ms),
    CK("shutdown_grace", OMKT_CONF_DURATION, "30s", 0, 3600000,
       shutdown_grace_ms),
    CK("poll_min", OMKT_CONF_DURATION, "25ms", 1, 60000, poll_min_ms),
    CK("poll_max", OMKT_CONF_DURATION, "250ms", 1, 600000, poll_max_ms),
    CK("poll_budget", OMKT_CONF_STR, "20/s", 0, -1, poll_budget),
    CK("poll_interval_max", OMKT_CONF_DURATION, "30s", 10, 3600000,
       poll_interval_max_ms),
    CK("reap_interval", OMKT_CONF_DURATION, "5s", 100, 3600000,
       reap_interval_ms),
    CK("max_attempts", OMKT_CONF_INT, "5", 1, 100, max_attempts),
    CK("retry_base", OMKT_CONF_DURATION, "10s", 0, 86400000, retry_base_ms),
    CK("retry_max", OMKT_CONF_DURATION, "1h", 0, 604800000, retry_max_ms),
};

const size_t omkt_common_conf_nkeys = OMKT_ARRAY_LEN(omkt_common_conf_keys);

struct options {
    const char *conf_path;
    bool is_test;  /* -t: every program's sections, then the database */
    bool is_nodb;  /* -n: with -t, leave the database out */
    bool is_local; /* -T: this program's sections only, silently */
    bool is_print;
};

int64_t omkt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t omkt_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lease_s - the configured lease in whole seconds, at least one. */
static unsigned lease_s(const struct omkt_daemon *d)
{
    return (unsigned)((d->common.lease_ms + 999) / 1000);
}

void omkt_daemon_sleep(struct omkt_daemon *d, int64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&d->wake_lock);
    if (!atomic_load(&d->is_stopping))
        pthread_cond_timedwait(&d->wake, &d->wake_lock, &ts);
    pthread_mutex_unlock(&d->wake_lock);
}

void omkt_daemon_stop(struct omkt_daemon *d)
{
    int64_t deadline = omkt_now_ms() + d->common.shutdown_grace_ms;

    pthread_mutex_lock(&d->wake_lock);
    if (!atomic_exchange(&d->is_stopping, true))
        atomic_store(&d->grace_deadline_ms, deadline);
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->wake_lock);
}

struct omkt_db *omkt_daemon_connect(struct omkt_daemon *d)
{
    int64_t delay_ms = 200;
    struct omkt_db *db = NULL;

    while (!atomic_load(&d->is_stopping)) {
        struct omkt_errbuf eb = {0};

        if (omkt_db_open(&d->db, &db, &eb) == OMKT_OK)
            return db;
        if (!eb.retryable) {
            omkt_log(OMKT_LOG_ERR, "%s", eb.msg);
            return NULL;
        }
        omkt_log(OMKT_LOG_WARN, "%s; retrying in %lldms", eb.msg,
                 (long long)delay_ms);
        omkt_daemon_sleep(d, delay_ms + random() % (delay_ms / 2 + 1));
        delay_ms = delay_ms * 2 > 10000 ? 10000 : delay_ms * 2;
    }
    return NULL;
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [-c FILE] [-t [-n]] [-T] [-p]\n"
            "  -c FILE  configuration file (default " DEFAULT_CONF ")\n"
            "  -t       check the configuration (every program's sections)\n"
            "           and the database (credentials, schema version), "
            "exit\n"
            "  -n       with -t: do not connect to the database\n"
            "  -T       check only this program's sections and exit\n"
            "  -p       print the effective configuration (secrets masked)\n"
            "  -V       print the version\n",
            prog);
}

/* parse_args - 0 to go on, else the exit code (+1). */
static int parse_args(const char *prog, int argc, char **argv,
                      struct options *o)
{
    int c;

    o->conf_path = DEFAULT_CONF;
    opterr = 0;
    for (c = getopt(argc, argv, "c:tnTpVh"); c != -1;
         c = getopt(argc, argv, "c:tnTpVh")) {
        if (c == 'c') {
            o->conf_path = optarg;
        } else if (c == 't') {
            o->is_test = true;
        } else if (c == 'n') {
            o->is_nodb = true;
        } else if (c == 'T') {
            o->is_local = true;
        } else if (c == 'p') {
            o->is_print = true;
        } else if (c == 'V') {
            printf("%s %s\n", prog, OMKT_VERSION);
            return 1;
        } else {
            usage(prog);
            return c == 'h' ? 1 : 3;
        }
    }
    if (optind != argc) {
        usage(prog);
        return 3;
    }
    return 0;
}

/* load_config - [db], [common] and the program's own sections. */
static int load_config(struct omkt_daemon *d, const struct options *o,
                       struct omkt_conf_section *secs, size_t *n)
{
    const struct omkt_daemon_spec *spec = d->spec;
    struct omkt_errbuf eb = {0};
    int level;

    secs[0] = (struct omkt_conf_section){"db", omkt_db_conf_keys,
                                         omkt_db_conf_nkeys, &d->db};
    secs[1] = (struct omkt_conf_section){"common", omkt_common_conf_keys,
                                         omkt_common_conf_nkeys, &d->common};
    *n = 2;
    for (size_t i = 0; i < spec->nsections && *n < MAX_SECTIONS; i++)
        secs[(*n)++] = spec->sections[i];
    d->conf_path = o->conf_path;
    if (omkt_conf_load(o->conf_path, secs, *n, &eb) != OMKT_OK) {
        fprintf(stderr, "%s: %s\n", spec->name, eb.msg);
        return OMKT_ECONF;
    }
    level = omkt_log_level_parse(d->common.log_level);
    if (level < 0) {
        fprintf(stderr,
                "%s: %s: common.log_level = %s: expected err, warn, "
                "notice, info or debug\n",
                spec->name, o->conf_path, d->common.log_level);
        return OMKT_ECONF;
    }
    omkt_log_threshold = level;
    d->backoff.base_ms = d->common.retry_base_ms;
    d->backoff.max_ms = d->common.retry_max_ms;
    omkt_fs_set_hostname(d->common.host);
    return OMKT_OK;
}

/* One kind of heartbeat-thread failure, logged at most once a minute. */
struct ratelog {
    const char *what;
    int64_t next_ms;
    unsigned missed;
};

#define RATELOG_MS 60000

/* hb_warn - log a heartbeat-thread failure unless one of its kind was
 * logged less than a minute ago (then count it for the next line). */
static void hb_warn(struct ratelog *rl, const struct omkt_errbuf *eb, int err)
{
    int64_t now = omkt_now_ms();

    if (now < rl->next_ms) {
        rl->missed++;
        return;
    }
    if (rl->missed > 0)
        omkt_log(OMKT_LOG_WARN,
                 "heartbeat: %s: %s (%u more since the last "
                 "report)",
                 rl->what, omkt_errbuf_str(eb, err), rl->missed);
    else
        omkt_log(OMKT_LOG_WARN, "heartbeat: %s: %s", rl->what,
                 omkt_errbuf_str(eb, err));
    rl->next_ms = now + RATELOG_MS;
    rl->missed = 0;
}

/* The heartbeat thread's failure kinds. */
struct hb_logs {
    struct ratelog connect, renew, beat, promote, dead, reap;
};

/* hb_logs_init - name each kind; none logged yet. */
static void hb_logs_init(struct hb_logs *l)
{
    *l = (struct hb_logs){.connect.what = "database connection",
                          .renew.what = "lease renewal",
                          .beat.what = "process heartbeat",
                          .promote.what = "promoting due jobs",
                          .dead.what = "marking silent processes",
                          .reap.what = "reaping expired leases"};
}

/* renew - extend every held lease; a lost one is flagged to its worker.
 * Returns the id of a held job (0: none), for the process row. */
static int64_t renew(struct omkt_daemon *d, struct omkt_db *db,
                     struct hb_logs *logs)
{
    int64_t current = 0;

    for (unsigned i = 0; i < d->nslots; i++) {
        struct omkt_slot *s = &d->slots[i];
        struct omkt_errbuf eb = {0};
        struct omkt_job job = {0};
        int progress;
        int rc;

        pthread_mutex_lock(&s->lock);
        job.id = s->job.id;
        job.worker_id = s->job.worker_id;
        progress = s->progress;
        pthread_mutex_unlock(&s->lock);
        if (job.id == 0)
            continue;
        current = job.id;
        rc = omkt_job_extend(db, &job, lease_s(d), progress, &eb);
        if (rc != OMKT_OK && rc != OMKT_ELOST)
            hb_warn(&logs->renew, &eb, rc);
        if (rc != OMKT_ELOST)
            continue;
        pthread_mutex_lock(&s->lock);
        if (s->job.id == job.id && !s->is_recording) { /* still at work */
            omkt_log(OMKT_LOG_WARN,
                     "job=%lld lease lost (reaped or "
                     "cancelled): abandoning it",
                     (long long)job.id);
            atomic_store(&s->is_lost, true);
        }
        pthread_mutex_unlock(&s->lock);
    }
    return current;
}

/* beat - heartbeat the process row and renew every held lease. */
static void beat(struct omkt_daemon *d, struct omkt_db *db,
                 struct hb_logs *logs)
{
    struct omkt_errbuf eb = {0};
    int64_t current = renew(d, db, logs);
    bool draining = false;
    int rc = omkt_proc_heartbeat(db, d->proc_id, omkt_fs_hostname(), current,
                                 &draining, &eb);

    if (rc != OMKT_OK)
        hb_warn(&logs->beat, &eb, rc);
    if (rc == OMKT_OK && draining && !atomic_exchange(&d->is_draining, true))
        omkt_log(OMKT_LOG_NOTICE, "draining: finishing current work, then "
                                  "exiting");
}

/* on_reaped - remove a dead job's temp files (and its partials once it
 * failed for good: no attempt will resume them); record a final failure
 * (counted in the reaper's transaction). */
static int on_reaped(void *ctx, struct omkt_db *db, const struct omkt_reaped *r)
{
    struct omkt_daemon *d = ctx;
    char dir[OMKT_PATH_MAX];
    unsigned n = 0;

    if (omkt_path_is_rel(r->tmp_dir) &&
        omkt_path_join(dir, sizeof(dir), d->common.docroot, r->tmp_dir) ==
            OMKT_OK &&
        omkt_fs_remove_job_tmp(dir, r->id, r->is_final, &n) == OMKT_OK && n > 0)
        omkt_log(OMKT_LOG_INFO, "job=%lld removed %u temp file(s) in %s",
                 (long long)r->id, n, dir);
    if (r->is_final && r->parent_id > 0 && omkt_path_is_rel(r->tmp_dir) &&
        omkt_path_join(dir, sizeof(dir), d->common.docroot, r->tmp_dir) ==
            OMKT_OK) /* the segments of a family that now fails */
        (void)omkt_fs_remove_tree(dir, NULL); /* else the sweep does */
    if (!r->is_final)
        return OMKT_OK;
    return omkt_counters_job_ended(db, r->id, NULL) == OMKT_OK
               ? omkt_jobflow_job_died(db, r, NULL)
               : OMKT_EDB;
}

/* housekeep - promote due jobs, mark silent processes dead, reap; each
 * is retried next tick, its failures logged (rate-limited). */
static void housekeep(struct omkt_daemon *d, struct omkt_db *db,
                      bool is_reap_time, struct hb_logs *logs)
{
    unsigned silence_s = (unsigned)((d->common.heartbeat_ms * 3 + 999) / 1000);
    struct omkt_errbuf eb = {0};
    int rc = omkt_job_promote(db, NULL, &eb);

    if (rc != OMKT_OK)
        hb_warn(&logs->promote, &eb, rc);
    if (!is_reap_time)
        return;
    if (silence_s < lease_s(d))
        silence_s = lease_s(d);
    omkt_errbuf_clear(&eb);
    rc = omkt_proc_mark_dead(db, silence_s, NULL, &eb);
    if (rc != OMKT_OK)
        hb_warn(&logs->dead, &eb, rc);
    omkt_errbuf_clear(&eb);
    rc = omkt_job_reap(db, &d->backoff, on_reaped, d, NULL, &eb);
    if (rc != OMKT_OK)
        hb_warn(&logs->reap, &eb, rc);
    omkt_errbuf_clear(&eb);
    rc = omkt_seg_wake_all(db, NULL, &eb); /* a child died after its commit */
    if (rc != OMKT_OK)
        hb_warn(&logs->reap, &eb, rc);
}

struct heart {
    struct omkt_daemon *d;
    pthread_t thread;
    bool has_thread;
    atomic_bool is_stop;
};

/* heart_main - the heartbeat thread: see daemon.h. */
static void *heart_main(void *arg)
{
    struct heart *h = arg;
    struct omkt_daemon *d = h->d;
    struct omkt_db *db = NULL;
    struct hb_logs logs;
    struct omkt_chores chores = {0};
    int64_t next_beat = 0;

    hb_logs_init(&logs);
    while (!atomic_load(&h->is_stop)) {
        int64_t now = omkt_now_ms();
        struct omkt_errbuf eb = {0};
        bool is_reap = false;
        int rc = db == NULL ? omkt_db_open(&d->db, &db, &eb) : OMKT_OK;

        if (rc != OMKT_OK) {
            db = NULL; /* retried next tick; leases may lapse meanwhile */
            hb_warn(&logs.connect, &eb, rc);
        }
        if (db != NULL && now >= next_beat) {
            beat(d, db, &logs);
            next_beat = now + d->common.heartbeat_ms;
        }
        if (db != NULL && omkt_chores_due(&chores, d, now, &is_reap)) {
            housekeep(d, db, is_reap, &logs);
            omkt_chores_ran(&chores, d, db, now, is_reap);
        }
        usleep(TICK_MS * 1000);
    }
    omkt_db_close(db);
    return NULL;
}

/* block_signals - before any thread: they are taken by sigtimedwait. */
static void block_signals(sigset_t *set)
{
    struct sigaction sa = {.sa_handler = SIG_IGN};

    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* on_second_signal - a second stop signal: leave now. */
static void on_second_signal(int sig)
{
    (void)sig;
    _exit(1);
}

/* wait_for_stop - until a stop signal or the work ends by itself. */
static void wait_for_stop(struct omkt_daemon *d, const sigset_t *set)
{
    struct timespec tick = {0, 200 * 1000000};
    struct sigaction sa = {.sa_handler = on_second_signal};

    while (!atomic_load(&d->is_done) && !atomic_load(&d->is_stopping)) {
        int sig = sigtimedwait(set, NULL, &tick);

        if (sig == SIGHUP) {
            omkt_log_reopen();
            omkt_log(OMKT_LOG_NOTICE, "SIGHUP: logs reopened");
        } else if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
            omkt_log(OMKT_LOG_NOTICE, "signal %d: stopping (grace %llds)", sig,
                     (long long)(d->common.shutdown_grace_ms / 1000));
            break;
        }
    }
    omkt_daemon_stop(d);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    pthread_sigmask(SIG_UNBLOCK, set, NULL);
}

/* ready - connect, check the schema, register.  Dies on fatal errors. */
static int ready(struct omkt_daemon *d, struct omkt_db **db)
{
    struct hb_logs logs;
    struct omkt_errbuf eb = {0};

    hb_logs_init(&logs);
    *db = omkt_daemon_connect(d);
    if (*db == NULL)
        return atomic_load(&d->is_stopping) ? OMKT_ESHUTDOWN : OMKT_EDB;
    if (omkt_schema_check(*db, &eb) != OMKT_OK ||
        omkt_proc_register(*db, omkt_fs_hostname(), (long)getpid(),
                           d->spec->name, &d->proc_id, &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "%s", eb.msg);
        return OMKT_ESCHEMA;
    }
    omkt_log(OMKT_LOG_NOTICE, "started: version %s, process id %lld on %s",
             OMKT_VERSION, (long long)d->proc_id, omkt_fs_hostname());
    beat(d, *db, &logs); /* learn at once whether this host is drained */
    return OMKT_OK;
}

/* start_db - connect, register and start the heartbeat thread. */
static int start_db(struct omkt_daemon *d, struct omkt_db **db, struct heart *h)
{
    int rc;
    int ret = ready(d, db);

    if (ret != OMKT_OK)
        return ret;
    rc = pthread_create(&h->thread, NULL, heart_main, h);
    if (rc != 0) { /* without it leases lapse: jobs would run twice */
        omkt_log(OMKT_LOG_ERR, "cannot start the heartbeat thread: %s",
                 omkt_errno_str(rc));
        return OMKT_ENOMEM;
    }
    h->has_thread = true;
    return OMKT_OK;
}

/* serve - the running life, after configuration. */
static int serve(struct omkt_daemon *d)
{
    struct heart h = {.d = d};
    struct omkt_errbuf eb = {0};
    struct omkt_db *db = NULL;
    bool is_dbless = d->spec->is_dbless && d->spec->is_dbless(d);
    sigset_t set;
    int ret;

    block_signals(&set);
    ret = is_dbless ? OMKT_OK : start_db(d, &db, &h);
    if (ret != OMKT_OK)
        goto out;
    ret = d->spec->start ? d->spec->start(d, &eb) : OMKT_OK;
    if (ret != OMKT_OK)
        omkt_log(OMKT_LOG_ERR, "start: %s", omkt_errbuf_str(&eb, ret));
    else
        wait_for_stop(d, &set);
    omkt_daemon_stop(d);
    if (d->spec->quiesce)
        d->spec->quiesce(d);
    if (d->spec->finish)
        d->spec->finish(d);
    atomic_store(&h.is_stop, true);
    if (h.has_thread)
        pthread_join(h.thread, NULL);
    if (db != NULL)
        (void)omkt_proc_stop(db, d->proc_id, NULL); /* best effort */
    omkt_log(OMKT_LOG_NOTICE, "stopped");
out:
    omkt_db_close(db);
    return ret == OMKT_OK ? 0 : 1;
}

/* check - -t: the other programs' sections (exit 2 when one is wrong),
 * then, unless -n, the database (exit 1 when it is not usable). */
static int check(const struct omkt_daemon *d, const struct options *o)
{
    const char *name = d->spec->name;
    int rc;

    if (omkt_conftest_siblings(name, o->conf_path) != OMKT_OK)
        return 2;
    fprintf(stderr, "%s: %s: configuration ok\n", name, o->conf_path);
    if (o->is_nodb)
        return 0;
    if (d->spec->is_dbless != NULL && d->spec->is_dbless(d)) {
        fprintf(stderr, "%s: database: not used by this configuration\n", name);
        return 0;
    }
    mysql_library_init(0, NULL, NULL);
    rc = omkt_conftest_db(name, &d->db);
    mysql_library_end();
    return rc == OMKT_OK ? 0 : 1;
}

int omkt_daemon_run(const struct omkt_daemon_spec *spec, int argc, char **argv)
{
    static struct omkt_daemon d; /* lives for the whole process */
    struct omkt_conf_section secs[MAX_SECTIONS];
    struct options o = {0};
    size_t n = 0;
    int ret = parse_args(spec->name, argc, argv, &o);

    if (ret != 0)
        return ret - 1;
    d.spec = spec;
    pthread_mutex_init(&d.wake_lock, NULL);
    pthread_cond_init(&d.wake, NULL);
    srandom((unsigned)(getpid() ^ omkt_now_ms()));
    ret = load_config(&d, &o, secs, &n) == OMKT_OK ? 0 : 2;
    if (ret == 0 && o.is_print)
        omkt_conf_print(stdout, secs, n);
    if (ret == 0 && o.is_test && !o.is_local)
        ret = check(&d, &o);
    if (ret == 0 && !o.is_test && !o.is_local && !o.is_print) {
        if (omkt_log_open(spec->name, d.common.log) != OMKT_OK)
            fprintf(stderr, "%s: cannot open log %s\n", spec->name,
                    d.common.log);
        mysql_library_init(0, NULL, NULL);
        ret = serve(&d);
        mysql_library_end();
    }
    omkt_conf_free(secs, n);
    return ret;
}

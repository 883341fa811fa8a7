/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon - the skeleton every program of the cluster runs: arguments
 * (-c FILE, -t, -p), configuration, logging, signals, the database
 * connection, the process registry row and its heartbeat thread, then
 * either queue workers (jobworker.h) or a program-specific service (apid).
 *
 * DESIGN: signals are blocked before any thread starts; the main thread
 * waits for them with sigtimedwait().  SIGTERM/SIGINT start a graceful
 * stop (workers stop claiming; running jobs get shutdown_grace to finish,
 * then are released); a second one exits at once.  SIGHUP reopens logs.
 * The heartbeat thread has its own connection: it beats the process row,
 * renews the leases of the jobs this process holds, promotes due delayed
 * jobs, marks silent processes dead and reaps expired leases.
 */
#ifndef OMKT_COMMON_DAEMON_H
#define OMKT_COMMON_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "db_jobs.h"

/* The [common] section, read by every program. */
struct omkt_common_conf {
    char *docroot;
    char *log;
    char *log_level;
    char *host;
    char *settings_file;
    int64_t lease_ms;
    int64_t heartbeat_ms;
    int64_t shutdown_grace_ms;
    int64_t poll_min_ms;
    int64_t poll_max_ms;
    char *poll_budget;            /* "20/s" or "off": see pollbudget.h */
    int64_t poll_interval_max_ms; /* an idle poller's longest sleep */
    int64_t reap_interval_ms;
    int64_t max_attempts;
    int64_t retry_base_ms;
    int64_t retry_max_ms;
};

/* The [common] keys and their defaults, for programs' config tables. */
extern const struct omkt_conf_key omkt_common_conf_keys[];
extern const size_t omkt_common_conf_nkeys;

#define OMKT_MAX_WORKERS 64

/* Per worker thread: what the heartbeat thread needs to renew its lease. */
struct omkt_slot {
    pthread_mutex_t lock;
    struct omkt_job job; /* id 0: idle; only id/worker_id used by beat */
    int progress;        /* -1: unchanged */
    atomic_bool is_lost; /* set by the heartbeat: the lease is gone */
    /* The worker is recording the job's outcome: a renewal that finds
     * the job no longer running meets that commit, not a reaper. */
    bool is_recording;
};

struct omkt_daemon;

/* A program's own parts; see omkt_daemon_run. */
struct omkt_daemon_spec {
    const char *name;
    const struct omkt_conf_section *sections; /* own sections */
    size_t nsections;
    /* After the database is ready, before waiting for signals. */
    int (*start)(struct omkt_daemon *d, struct omkt_errbuf *eb);
    /* On the first stop signal (stop taking work). */
    void (*quiesce)(struct omkt_daemon *d);
    /* After stop: wait for and release everything start() made. */
    void (*finish)(struct omkt_daemon *d);
    void *ctx; /* the program's state */
    /* After the configuration is loaded: true when this run needs no
     * database (no connection, registry row or heartbeat thread; e.g.
     * transcoderd's queue = sqs).  NULL: it needs one. */
    bool (*is_dbless)(const struct omkt_daemon *d);
};

struct omkt_daemon {
    const struct omkt_daemon_spec *spec;
    const char *conf_path; /* the -c file (borrowed from argv) */
    struct omkt_common_conf common;
    struct omkt_db_conf db;
    struct omkt_backoff backoff;
    int64_t proc_id;
    atomic_bool is_stopping;
    atomic_bool is_draining;
    atomic_bool is_done; /* workers finished: main loop may exit */
    atomic_int_least64_t grace_deadline_ms; /* 0: not stopping */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake; /* broadcast on stop, for sleeping workers */
    struct omkt_slot slots[OMKT_MAX_WORKERS];
    unsigned nslots;
    /* What the last idle poll of any worker thread learnt (under a poll
     * budget): the role's idle processes, and when (omkt_now_ms; 0:
     * never).  The heartbeat thread shares the chores by it. */
    atomic_uint role_npollers;
    atomic_int_least64_t role_seen_ms;
};

/*
 * omkt_daemon_run - the whole life of a program: parse @argv, load the
 * config (common, db and @spec's sections), connect, check the schema,
 * register, start the heartbeat, call spec->start, wait for a stop signal
 * or for the work to end (drain), stop, and return the exit code.
 */
int omkt_daemon_run(const struct omkt_daemon_spec *spec, int argc, char **argv);

/* omkt_now_ms - CLOCK_MONOTONIC in milliseconds. */
int64_t omkt_now_ms(void);

/* omkt_wall_ms - CLOCK_REALTIME in milliseconds since the epoch (for
 * times shared between hosts). */
int64_t omkt_wall_ms(void);

/* omkt_daemon_sleep - sleep up to @ms; returns early when stopping. */
void omkt_daemon_sleep(struct omkt_daemon *d, int64_t ms);

/* omkt_daemon_connect - a new connection for a thread, retried with
 * backoff until it succeeds or the daemon stops (then NULL). */
struct omkt_db *omkt_daemon_connect(struct omkt_daemon *d);

/* omkt_daemon_stop - begin a graceful stop (as SIGTERM does). */
void omkt_daemon_stop(struct omkt_daemon *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_top - `omktctl top`: a live view of the cluster in the terminal,
 * redrawn every --interval: the queue by task (queued or delayed,
 * running, failed, done,
 * age of the oldest queued job), the running jobs with their progress and
 * where they run, and the worker processes.  --once prints one frame
 * without clearing the screen (for scripts and tests).  Read-only: it
 * runs the dashboard's queries (db_jobstats, db_procs).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common/db_jobstats.h"
#include "common/db_procs.h"
#include "common/parse.h"

#define TASKS_MAX 16

const char cmd_top_usage[] =
    "usage: omktctl top [--once] [--interval DURATION]\n"
    "  the queue by task, running jobs and workers, redrawn every\n"
    "  DURATION (default 2s) until Ctrl-C; --once prints one frame\n";

/* One line of the queue table. */
struct task_row {
    char task[32];
    long long queued, running, failed, done, oldest_s;
};

static volatile sig_atomic_t is_stopping;

/* on_signal - Ctrl-C ends the view. */
static void on_signal(int sig)
{
    (void)sig;
    is_stopping = 1;
}

/* task_of - the row for @task in @rows (added when new), or NULL. */
static struct task_row *task_of(struct task_row *rows, size_t *n,
                                const char *task)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(rows[i].task, task) == 0)
            return &rows[i];
    if (*n == TASKS_MAX)
        return NULL;
    memset(&rows[*n], 0, sizeof(rows[*n]));
    rows[*n].oldest_s = -1;
    snprintf(rows[*n].task, sizeof(rows[*n].task), "%s", task);
    return &rows[(*n)++];
}

/* add_count - one (task, state, count) row of omkt_jobstats_counts. */
static void add_count(struct task_row *t, const char *state, long long n)
{
    if (strcmp(state, "queued") == 0 || strcmp(state, "delayed") == 0)
        t->queued += n;
    else if (strcmp(state, "running") == 0)
        t->running += n;
    else if (strcmp(state, "failed") == 0)
        t->failed += n;
    else if (strcmp(state, "done") == 0)
        t->done += n;
}

/* cell_ll - cell (@r, @col) as a number (0 when NULL or not one). */
static long long cell_ll(const struct omkt_dbres *res, size_t r, size_t col)
{
    const char *s = omkt_dbres_str(res, r, col);
    int64_t v = 0;

    return s != NULL && omkt_parse_i64(s, &v) == OMKT_OK ? (long long)v : 0;
}

/* queue - the queue table. */
static int queue(struct omkt_db *db, struct omkt_errbuf *eb)
{
    struct task_row rows[TASKS_MAX];
    struct omkt_dbres *counts = NULL, *oldest = NULL;
    size_t n = 0;
    int ret = omkt_jobstats_counts(db, &counts, eb);

    if (ret == OMKT_OK)
        ret = omkt_jobstats_oldest(db, &oldest, eb);
    for (size_t r = 0; ret == OMKT_OK && r < counts->nrows; r++) {
        struct task_row *t = task_of(rows, &n, omkt_dbres_str(counts, r, 0));

        if (t != NULL)
            add_count(t, omkt_dbres_str(counts, r, 1), cell_ll(counts, r, 2));
    }
    for (size_t r = 0; ret == OMKT_OK && r < oldest->nrows; r++) {
        struct task_row *t = task_of(rows, &n, omkt_dbres_str(oldest, r, 0));

        if (t != NULL)
            t->oldest_s = cell_ll(oldest, r, 1);
    }
    printf("%-12s %8s %8s %8s %8s %14s\n", "TASK", "QUEUED", "RUNNING",
           "FAILED", "DONE", "OLDEST QUEUED");
    for (size_t i = 0; ret == OMKT_OK && i < n; i++) {
        char age[24] = "-";

        if (rows[i].oldest_s >= 0)
            snprintf(age, sizeof(age), "%llds", rows[i].oldest_s);
        printf("%-12s %8lld %8lld %8lld %8lld %14s\n", rows[i].task,
               rows[i].queued, rows[i].running, rows[i].failed, rows[i].done,
               age);
    }
    omkt_dbres_free(counts);
    omkt_dbres_free(oldest);
    return ret;
}

/* running - the running jobs: id, task, media, progress, host, pid, time. */
static int running(struct omkt_db *db, struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_jobstats_running(db, &r, eb);

    if (ret != OMKT_OK)
        return ret;
    printf("\n%-8s %-12s %-8s %5s %-20s %7s %8s\n", "JOB", "TASK", "MEDIA",
           "PCT", "HOST", "PID", "RUNNING");
    for (size_t i = 0; i < r->nrows; i++) {
        const char *host = omkt_dbres_str(r, i, 4);

        printf("%-8lld %-12s %-8lld %4lld%% %-20.20s %7lld %7llds\n",
               cell_ll(r, i, 0), omkt_dbres_str(r, i, 1), cell_ll(r, i, 2),
               cell_ll(r, i, 3), host ? host : "-", cell_ll(r, i, 5),
               cell_ll(r, i, 6));
    }
    if (r->nrows == 0)
        printf("(none)\n");
    omkt_dbres_free(r);
    return OMKT_OK;
}

/* workers - the live processes: host, role, pid, state, heartbeat, job. */
static int workers(struct omkt_db *db, struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_proc_list(db, false, &r, eb);

    if (ret != OMKT_OK)
        return ret;
    printf("\n%-20s %-12s %7s %-9s %9s %8s\n", "HOST", "ROLE", "PID", "STATE",
           "HEARTBEAT", "JOB");
    for (size_t i = 0; i < r->nrows; i++) {
        const char *job = omkt_dbres_str(r, i, 6);

        printf("%-20.20s %-12s %7lld %-9s %8llds %8s\n",
               omkt_dbres_str(r, i, 1), omkt_dbres_str(r, i, 3),
               cell_ll(r, i, 2), omkt_dbres_str(r, i, 4), cell_ll(r, i, 5),
               job ? job : "-");
    }
    omkt_dbres_free(r);
    return OMKT_OK;
}

/* frame - one screenful. */
static int frame(struct cli *c, bool is_once, struct omkt_errbuf *eb)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    int ret;

    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (!is_once)
        printf("\033[H\033[2J"); /* home, clear */
    printf("omkt top - %s%s\n\n", now, is_once ? "" : "  (Ctrl-C quits)");
    ret = queue(c->db, eb);
    if (ret == OMKT_OK)
        ret = running(c->db, eb);
    if (ret == OMKT_OK)
        ret = workers(c->db, eb);
    fflush(stdout);
    return ret;
}

int cmd_top(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {"--once", "--interval=", NULL};
    const char *every = cli_opt(argc, argv, "--interval");
    bool is_once = cli_flag(argc, argv, "--once");
    struct sigaction sa = {.sa_handler = on_signal};
    struct omkt_errbuf eb = {0};
    int64_t every_ms = 2000;
    int ret = OMKT_OK;

    if (cli_check_opts(argc, argv, known) != 0 ||
        cli_args(argc - 1, argv + 1, known, NULL, 0) != 0 ||
        (every != NULL &&
         (omkt_parse_duration_ms(every, &every_ms) != OMKT_OK ||
          every_ms < 100))) {
        fprintf(stderr, "%s", cmd_top_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: ends the sleep */
    while (ret == OMKT_OK && !is_stopping) {
        ret = frame(c, is_once, &eb);
        if (is_once)
            break;
        usleep((useconds_t)(every_ms * 1000));
    }
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

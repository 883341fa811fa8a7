/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qbench - claims + completions per second, for bench/queue.
 *
 *   qbench -c CONF METHOD WORKERS SECONDS
 *
 * METHOD is "omkt" (this design: omkt_job_claim + omkt_job_complete on the
 * jobs table, task 'test'), "lock" (the reference system's method on its
 * own `ref_queue` table: LOCK TABLES ref_queue WRITE, select the oldest
 * todo row, mark it, UNLOCK TABLES, then mark it done) or "nolock" (the
 * same without the lock, as the reference shipped).  Prints one line:
 * "METHOD WORKERS claims/s double_claims claims".  A double claim is a
 * row claimed by more than one worker.
 */
#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/db_jobs.h"
#include "common/parse.h"

#define MAX_CLAIMS 4000000

static struct omkt_db_conf dbc;
static const char *method;
static atomic_bool stop;
static atomic_long nclaims;
static atomic_int active; /* workers still running */
static int64_t *claimed;  /* ids, in claim order */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void remember(int64_t id)
{
    long i = atomic_fetch_add(&nclaims, 1);

    if (i < MAX_CLAIMS)
        claimed[i] = id;
}

/* ref_claim - the reference's claim; 0 when the queue is empty. */
static int64_t ref_claim(struct omkt_db *db, bool is_locked)
{
    static const char pick[] =
        "SELECT id FROM ref_queue WHERE status = 0 AND task = 'encode'"
        " ORDER BY datecreated, id LIMIT 1";
    static const char take[] =
        "UPDATE ref_queue SET status = 1, datelaunched = NOW() WHERE id = ?";
    struct omkt_dbres *r = NULL;
    int64_t id = 0;

    if (is_locked)
        (void)omkt_db_command(db, "LOCK TABLES ref_queue WRITE", NULL);
    if (omkt_db_query(db, pick, NULL, 0, &r, NULL) == OMKT_OK && r->nrows)
        id = omkt_dbres_i64(r, 0, 0, 0);
    omkt_dbres_free(r);
    if (id > 0) {
        struct omkt_dbv v[] = {OMKT_DBV_I(id)};
        (void)omkt_db_exec(db, take, v, 1, NULL, NULL, NULL);
    }
    if (is_locked)
        (void)omkt_db_command(db, "UNLOCK TABLES", NULL);
    return id;
}

static void ref_done(struct omkt_db *db, int64_t id)
{
    static const char sql[] =
        "UPDATE ref_queue SET status = 2, datedone = NOW() WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    (void)omkt_db_exec(db, sql, v, 1, NULL, NULL, NULL);
}

/* omkt_round - one claim and completion with this design. */
static int64_t omkt_round(struct omkt_db *db, int64_t worker)
{
    struct omkt_job job = {0};
    int64_t id = 0;

    if (omkt_job_claim(db, OMKT_TASK_TEST, worker, 60, &job, NULL) == OMKT_OK) {
        id = job.id;
        remember(id);
        (void)omkt_job_complete(db, &job, NULL);
    }
    omkt_job_clear(&job);
    return id;
}

static void *worker_main(void *arg)
{
    int64_t worker = (int64_t)(intptr_t)arg;
    struct omkt_db *db = NULL;

    if (omkt_db_open(&dbc, &db, NULL) != OMKT_OK)
        return NULL;
    while (!atomic_load(&stop)) {
        int64_t id;

        if (strcmp(method, "omkt") == 0) {
            id = omkt_round(db, worker);
        } else {
            id = ref_claim(db, strcmp(method, "lock") == 0);
            if (id > 0) {
                remember(id);
                ref_done(db, id);
            }
        }
        if (id == 0)
            break; /* queue empty */
    }
    omkt_db_close(db);
    atomic_fetch_sub(&active, 1);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* doubles - rows claimed more than once. */
static long doubles(long n)
{
    long dup = 0;

    qsort(claimed, (size_t)n, sizeof(*claimed), cmp_i64);
    for (long i = 1; i < n; i++)
        dup += claimed[i] == claimed[i - 1];
    return dup;
}

int main(int argc, char **argv)
{
    struct omkt_conf_section sec = {"db", omkt_db_conf_keys, omkt_db_conf_nkeys,
                                    &dbc};
    pthread_t th[256];
    int64_t workers = 0, seconds = 0;
    double t0, dt;
    long n;

    if (argc != 6 || strcmp(argv[1], "-c") != 0 ||
        omkt_parse_i64(argv[4], &workers) || workers < 1 || workers > 256 ||
        omkt_parse_i64(argv[5], &seconds) || seconds < 1) {
        fprintf(stderr, "usage: qbench -c CONF omkt|lock|nolock WORKERS "
                        "SECONDS\n");
        return 2;
    }
    method = argv[3];
    mysql_library_init(0, NULL, NULL);
    if (omkt_conf_load(argv[2], &sec, 1, NULL) != OMKT_OK)
        return 1;
    claimed = omkt_xcalloc(MAX_CLAIMS, sizeof(*claimed));
    t0 = now_s();
    atomic_store(&active, (int)workers);
    for (int64_t i = 0; i < workers; i++)
        pthread_create(&th[i], NULL, worker_main, (void *)(intptr_t)(i + 1));
    while (now_s() - t0 < (double)seconds && atomic_load(&active) > 0) {
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&stop, true);
    for (int64_t i = 0; i < workers; i++)
        pthread_join(th[i], NULL);
    dt = now_s() - t0;
    n = atomic_load(&nclaims);
    if (n > MAX_CLAIMS)
        n = MAX_CLAIMS;
    printf("%s %lld %.0f %ld %ld\n", method, (long long)workers, n / dt,
           doubles(n), n);
    free(claimed);
    omkt_conf_free(&sec, 1);
    mysql_library_end();
    return 0;
}

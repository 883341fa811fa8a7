/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_scaler_lease - the scaler election on a real MariaDB: the first
 * candidate leads, a second does not while the lease runs, takes over
 * once it expires (the old leader then neither leads nor can mark a
 * start), a new leader learns when the last start was, a dropped lease
 * is taken at once, and two candidates racing for a free lease on their
 * own connections never both win (many rounds); only the leader records
 * what it saw (the state row apid's /metrics reads).  Needs $OMKT_TEST_CONF;
 * skips (77) without it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/db_scaler.h"
#include "omkt_test.h"
#include "omkt_test_db.h"

#define ROUNDS 40

static struct omkt_db *db;
static char cluster[64];

/* leads - whether @holder leads after a take of @lease_ms. */
static bool leads(struct omkt_db *d, const char *holder, int64_t lease_ms,
                  int64_t *since)
{
    struct omkt_scaler_lease l;
    struct omkt_errbuf eb = {0};
    int rc = omkt_scaler_lease_take(d, cluster, holder, lease_ms, &l, &eb);

    if (rc != OMKT_OK)
        printf("# take %s: %s\n", holder, eb.msg);
    if (since)
        *since = l.since_start_ms;
    return rc == OMKT_OK && l.is_leader;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void test_take_renew(void)
{
    int64_t since = 0;

    OMKT_CHECK(leads(db, "a:1", 5000, &since), "the first candidate leads");
    OMKT_CHECK_INT(since, -1, "no start marked yet");
    OMKT_CHECK(!leads(db, "b:2", 5000, NULL), "a second does not");
    OMKT_CHECK(leads(db, "a:1", 5000, NULL), "the leader renews");
    OMKT_CHECK(!leads(db, "b:2", 5000, NULL), "still not the second");
    OMKT_CHECK_INT(omkt_scaler_lease_start(db, cluster, "a:1", NULL), OMKT_OK,
                   "the leader marks a start");
    OMKT_CHECK_INT(omkt_scaler_lease_start(db, cluster, "b:2", NULL),
                   OMKT_ELOST, "the other cannot");
    OMKT_CHECK(leads(db, "a:1", 5000, &since), "renew");
    OMKT_CHECK(since >= 0 && since < 2000, "last start %lld ms ago",
               (long long)since);
}

static void test_expiry(void)
{
    int64_t since = -1;

    OMKT_CHECK(leads(db, "a:1", 200, NULL), "lease of 200 ms");
    sleep_ms(300);
    OMKT_CHECK(leads(db, "b:2", 5000, &since), "expired: the second takes it");
    OMKT_CHECK(since >= 300, "and learns the last start was %lld ms ago",
               (long long)since);
    OMKT_CHECK(!leads(db, "a:1", 5000, NULL), "the old leader does not lead");
    OMKT_CHECK_INT(omkt_scaler_lease_start(db, cluster, "a:1", NULL),
                   OMKT_ELOST, "nor can it mark a start");
    OMKT_CHECK_INT(omkt_scaler_lease_drop(db, cluster, "a:1", NULL), OMKT_OK,
                   "a drop by a non-holder");
    OMKT_CHECK(leads(db, "b:2", 5000, NULL), "changes nothing");
    OMKT_CHECK_INT(omkt_scaler_lease_drop(db, cluster, "b:2", NULL), OMKT_OK,
                   "the leader drops its lease");
    OMKT_CHECK(leads(db, "a:1", 5000, NULL), "taken over at once");
}

/* A racing candidate: its own connection, a name, the rounds it won. */
struct racer {
    struct omkt_db *db;
    const char *name;
    pthread_barrier_t *bar;
    bool won[ROUNDS];
};

static void *race(void *arg)
{
    struct racer *r = arg;

    for (int i = 0; i < ROUNDS; i++) {
        pthread_barrier_wait(r->bar); /* the lease is free now */
        r->won[i] = leads(r->db, r->name, 60000, NULL);
        pthread_barrier_wait(r->bar); /* both have tried */
        pthread_barrier_wait(r->bar); /* main dropped the lease */
    }
    return NULL;
}

static void test_race(void)
{
    pthread_barrier_t bar;
    struct racer r[2] = {{.name = "x:1"}, {.name = "y:2"}};
    pthread_t th[2];
    int both = 0, none = 0, wins[2] = {0, 0};

    if (omkt_db_open(&omkt_test_dbc, &r[0].db, NULL) != OMKT_OK ||
        omkt_db_open(&omkt_test_dbc, &r[1].db, NULL) != OMKT_OK) {
        OMKT_CHECK(0, "second connections");
        return;
    }
    pthread_barrier_init(&bar, NULL, 3);
    for (int k = 0; k < 2; k++) {
        r[k].bar = &bar;
        pthread_create(&th[k], NULL, race, &r[k]);
    }
    for (int i = 0; i < ROUNDS; i++) {
        (void)omkt_scaler_lease_drop(db, cluster, "a:1", NULL);
        (void)omkt_scaler_lease_drop(db, cluster, "x:1", NULL);
        (void)omkt_scaler_lease_drop(db, cluster, "y:2", NULL);
        pthread_barrier_wait(&bar);
        pthread_barrier_wait(&bar);
        both += r[0].won[i] && r[1].won[i];
        none += !r[0].won[i] && !r[1].won[i];
        wins[0] += r[0].won[i];
        wins[1] += r[1].won[i];
        pthread_barrier_wait(&bar);
    }
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    pthread_barrier_destroy(&bar);
    OMKT_CHECK_INT(both, 0, "%d rounds: never both lead", ROUNDS);
    OMKT_CHECK_INT(none, 0, "a free lease is always taken (x %d, y %d)",
                   wins[0], wins[1]);
    omkt_db_close(r[0].db);
    omkt_db_close(r[1].db);
}

/* state_of - the state row of @cluster: holder, leading, age, pending,
 * running, shutting-down, stopping, stopped, wanted, as one line. */
static void state_of(char *buf, size_t size)
{
    struct omkt_dbres *r = NULL;

    snprintf(buf, size, "none");
    if (omkt_scaler_state_read(db, &r, NULL) != OMKT_OK)
        return;
    for (size_t i = 0; i < r->nrows; i++)
        if (strcmp(omkt_dbres_str(r, i, 0), cluster) == 0)
            snprintf(buf, size,
                     "%s %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
                     " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64,
                     omkt_dbres_str(r, i, 1), omkt_dbres_i64(r, i, 2, -9),
                     omkt_dbres_i64(r, i, 3, -9), omkt_dbres_i64(r, i, 4, -9),
                     omkt_dbres_i64(r, i, 5, -9), omkt_dbres_i64(r, i, 6, -9),
                     omkt_dbres_i64(r, i, 7, -9), omkt_dbres_i64(r, i, 8, -9),
                     omkt_dbres_i64(r, i, 9, -9));
    omkt_dbres_free(r);
}

/* test_seen - the leader records what it saw; nobody else can. */
static void test_seen(void)
{
    const struct omkt_scaler_seen s = {.pending = 1,
                                       .running = 2,
                                       .shutting_down = 3,
                                       .stopping = 4,
                                       .stopped = 5,
                                       .wanted = 6};
    char got[512];

    OMKT_CHECK(leads(db, "a:1", 5000, NULL), "a leads");
    state_of(got, sizeof(got));
    OMKT_CHECK_STR(got, "a:1 1 -1 0 0 0 0 0 0", "nothing seen yet");
    OMKT_CHECK_INT(omkt_scaler_lease_seen(db, cluster, "b:2", &s, NULL),
                   OMKT_ELOST,
                   "a candidate that does not lead records nothing");
    OMKT_CHECK_INT(omkt_scaler_lease_seen(db, cluster, "a:1", &s, NULL),
                   OMKT_OK, "the leader records its counts");
    state_of(got, sizeof(got));
    OMKT_CHECK_STR(got, "a:1 1 0 1 2 3 4 5 6", "read back, fresh");
    OMKT_CHECK_INT(omkt_scaler_lease_drop(db, cluster, "a:1", NULL), OMKT_OK,
                   "a resigns");
    state_of(got, sizeof(got));
    OMKT_CHECK_STR(got, "a:1 0 0 1 2 3 4 5 6", "no longer leading");
    OMKT_CHECK_INT(omkt_scaler_lease_seen(db, cluster, "a:1", &s, NULL),
                   OMKT_ELOST, "nor recording");
}

int main(void)
{
    int rc = omkt_test_db_open(&db);

    if (rc != 0)
        return rc;
    snprintf(cluster, sizeof(cluster), "t-%ld-%ld", (long)getpid(),
             (long)time(NULL));
    test_take_renew();
    test_expiry();
    test_seen();
    test_race();
    omkt_test_db_close(db);
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_results - the results poller (see bridge_results.h).
 *
 * DESIGN: SQS delivers at least once and a worker may finish a job
 * twice (its lease ran out while it worked): the database, not the
 * queue, decides.  A message is deleted only after its result is stored
 * (or found to be a duplicate or stale), so a crash between the two
 * delivers it again and the INSERT IGNORE makes that harmless.  A
 * message that cannot be stored (database down) stays in the queue and
 * comes back after its visibility timeout.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/cloudmsg.h"
#include "common/db_cloud.h"
#include "common/log.h"
#include "common/sqs.h"
#include "bridge_results.h"

#define TRIM_EVERY_MS 60000

static const struct bridge_env *env;
static pthread_t thread;
static bool is_started;

static const char *const how_names[] = {"stored", "duplicate", "stale"};

/* store - result @r (text @body) into the database. */
static int store(struct omkt_db *db, const struct omkt_cloud_result *r,
                 const char *body, struct omkt_errbuf *eb)
{
    enum omkt_cloud_stored how;
    int ret = omkt_cloud_result_store(db, r->job_id, r->token, r->is_dead, body,
                                      &how, eb);

    if (ret == OMKT_OK)
        omkt_log(how == OMKT_CLOUD_STORED ? OMKT_LOG_INFO : OMKT_LOG_NOTICE,
                 "job=%lld cloud: result token=%s %s%s", (long long)r->job_id,
                 r->token, how_names[how],
                 how == OMKT_CLOUD_STORED ? "" : ": dropped");
    return ret;
}

/* dead_result - a dead letter (job message @body) as the result of its
 * send; *text new. */
static int dead_result(const char *body, int receive_count,
                       struct omkt_cloud_result *r, char **text,
                       struct omkt_errbuf *eb)
{
    struct omkt_cloud_job j = {0};
    int ret = omkt_cloud_job_decode(body, strlen(body), &j, eb);

    if (ret != OMKT_OK)
        return ret;
    r->job_id = j.job_id;
    memcpy(r->token, j.token, sizeof(r->token));
    r->receive_count = receive_count;
    r->code = OMKT_EMEDIA;
    r->is_dead = true;
    r->error = omkt_xstrdup("the job message reached the dead-letter queue");
    omkt_cloud_job_clear(&j);
    *text = omkt_cloud_result_encode(r);
    return *text != NULL ? OMKT_OK : OMKT_ENOMEM;
}

/* one - store message @m of queue @url (the dead-letter queue when
 * @is_dead), then delete it.  A message that is not ours is deleted. */
static void one(struct omkt_aws *c, struct omkt_db *db, const char *url,
                bool is_dead, const struct omkt_sqs_message *m)
{
    struct omkt_cloud_result r = {0};
    struct omkt_errbuf eb = {0};
    char *text = NULL;
    int ret = is_dead
                  ? dead_result(m->body, m->receive_count, &r, &text, &eb)
                  : omkt_cloud_result_decode(m->body, strlen(m->body), &r, &eb);

    if (ret == OMKT_OK) {
        ret = store(db, &r, text ? text : m->body, &eb);
        if (ret != OMKT_OK) { /* kept in SQS: it comes back */
            omkt_log(OMKT_LOG_WARN, "job=%lld cloud: storing result: %s",
                     (long long)r.job_id, eb.msg);
            goto out;
        }
    } else {
        omkt_log(OMKT_LOG_WARN, "cloud: dropping a malformed %s message: %s",
                 is_dead ? "dead-letter" : "result", eb.msg);
    }
    omkt_errbuf_clear(&eb);
    if (omkt_sqs_delete(c, url, m->receipt, &eb) != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "cloud: deleting a result: %s", eb.msg);
out:
    free(text);
    omkt_cloud_result_clear(&r);
}

/* drain - receive from @url (long poll @wait_s) and store what came. */
static void drain(struct omkt_aws *c, struct omkt_db *db, const char *url,
                  bool is_dead, int wait_s)
{
    const struct omkt_sqs_recv_opts o = {.max_messages = OMKT_SQS_MAX_BATCH,
                                         .wait_s = wait_s,
                                         .visibility_s = -1};
    struct omkt_sqs_batch b = {0};
    struct omkt_errbuf eb = {0};

    if (omkt_sqs_receive(c, url, &o, &b, &eb) != OMKT_OK) {
        if (!atomic_load(&env->d->is_stopping)) {
            omkt_log(OMKT_LOG_WARN, "cloud: receiving results: %s", eb.msg);
            omkt_daemon_sleep(env->d, 5000);
        }
        return;
    }
    for (size_t i = 0; i < b.n; i++)
        one(c, db, url, is_dead, &b.v[i]);
    omkt_sqs_batch_clear(&b);
}

static bool is_stopping(void *arg)
{
    const struct omkt_daemon *d = arg;

    return atomic_load(&d->is_stopping);
}

/* trim - now and then, forget sends of jobs that ended elsewhere. */
static void trim(struct omkt_db *db, int64_t *next_ms)
{
    struct omkt_errbuf eb = {0};
    unsigned n = 0;

    if (omkt_now_ms() < *next_ms)
        return;
    *next_ms = omkt_now_ms() + TRIM_EVERY_MS;
    if (omkt_cloud_trim(db, &n, &eb) != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "cloud: trim: %s", eb.msg);
    else if (n > 0)
        omkt_log(OMKT_LOG_INFO,
                 "cloud: forgot %u rows of jobs ended "
                 "elsewhere",
                 n);
}

static void *poller(void *arg)
{
    struct omkt_aws *c = NULL;
    struct omkt_db *db = omkt_daemon_connect(env->d);
    struct omkt_errbuf eb = {0};
    int64_t next_trim_ms = 0;

    (void)arg;
    if (db != NULL &&
        bridge_sqs_new(env, is_stopping, env->d, &c, &eb) != OMKT_OK)
        omkt_log(OMKT_LOG_ERR, "cloud: results poller: %s", eb.msg);
    while (c != NULL && !atomic_load(&env->d->is_stopping)) {
        drain(c, db, env->results_url, false, OMKT_SQS_MAX_WAIT_S);
        drain(c, db, env->dead_url, true, 0);
        trim(db, &next_trim_ms);
    }
    omkt_aws_free(c);
    omkt_db_close(db);
    return NULL;
}

int bridge_results_start(const struct bridge_env *e, struct omkt_errbuf *eb)
{
    int rc;

    env = e;
    rc = pthread_create(&thread, NULL, poller, NULL);
    if (rc != 0) {
        omkt_errf(eb, "cannot start the results poller: %s",
                  omkt_errno_str(rc));
        return OMKT_ENOMEM;
    }
    is_started = true;
    return OMKT_OK;
}

void bridge_results_stop(void)
{
    if (is_started)
        pthread_join(thread, NULL);
    is_started = false;
}

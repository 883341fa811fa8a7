/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_worker - the cloud worker's threads (see cloud.h): [transcoderd]
 * workers long-polling loops and one watcher (spot notice, idle
 * terminate).
 *
 * DESIGN: a loop's failures (SQS unreachable, a wrong key) are logged
 * and retried with capped, jittered backoff; its client is remade after
 * a failure and every CLIENT_MAX_MS, so credentials are re-resolved.
 * The watcher stops the daemon (as SIGTERM would) on a spot notice or
 * once the instance is being terminated; the loops then release what
 * they hold and exit.
 */
#include <inttypes.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cloud.h"
#include "cloud_aws.h"
#include "cloud_job.h"
#include "common/alloc.h"
#include "common/ec2.h"
#include "common/fsops.h"
#include "common/imds.h"
#include "common/log.h"
#include "common/sqs.h"

#define WATCH_TICK_MS  500
#define CLIENT_MAX_MS  (10 * 60 * 1000)
#define BACKOFF_MAX_MS 60000

extern char **environ;

static struct cloud_env env;
static struct cloud_loop loops[OMKT_MAX_WORKERS];
static unsigned nloops;
static pthread_t watcher;
static bool has_watcher;

/* connect_loop - a fresh client and the queues' URLs. */
static int connect_loop(struct cloud_loop *lp, struct omkt_errbuf *eb)
{
    const struct omkt_cloud_conf *c = env.cf->cloud;
    int ret = cloud_aws_new(&env, "sqs", &lp->sqs, eb);

    if (ret != OMKT_OK)
        return ret;
    omkt_aws_set_stop(lp->sqs, cloud_loop_is_stopping, lp);
    if (lp->jobs_url == NULL)
        ret = omkt_sqs_get_queue_url(lp->sqs, c->jobs_queue, &lp->jobs_url, eb);
    if (ret == OMKT_OK && lp->results_url == NULL)
        ret = omkt_sqs_get_queue_url(lp->sqs, c->results_queue,
                                     &lp->results_url, eb);
    return ret;
}

/* poll_wait_s - a long poll's wait: 20 s, or less so that it ends by
 * the idle deadline (the watcher terminates between polls, see
 * watch_main). */
static int poll_wait_s(void)
{
    int64_t idle = env.cf->cloud->idle_terminate_ms;
    int64_t left = atomic_load(&env.last_work_ms) + idle - omkt_now_ms();

    if (idle <= 0 || left >= OMKT_SQS_MAX_WAIT_S * 1000)
        return OMKT_SQS_MAX_WAIT_S;
    return left > 0 ? (int)((left + 999) / 1000) : 0;
}

/* receive - one ReceiveMessage, unless the watcher holds the loops for
 * an idle termination (OMKT_OK, nothing received: the loop waits).  The
 * count goes up before the hold is read, so the watcher sees either this
 * poll or its hold seen here (both sequentially consistent). */
static int receive(struct cloud_loop *lp, struct omkt_sqs_batch *b,
                   struct omkt_errbuf *eb)
{
    const struct omkt_sqs_recv_opts o = {
        .max_messages = 1,
        .wait_s = poll_wait_s(),
        .visibility_s = (int)(env.cf->cloud->visibility_ms / 1000),
    };
    int ret = OMKT_OK;

    atomic_fetch_add(&env.polling, 1);
    if (!atomic_load(&env.idle_hold))
        ret = omkt_sqs_receive(lp->sqs, lp->jobs_url, &o, b, eb);
    atomic_fetch_sub(&env.polling, 1);
    if (ret == OMKT_OK && b->n == 0 && atomic_load(&env.idle_hold))
        omkt_daemon_sleep(env.d, WATCH_TICK_MS);
    return ret;
}

/* poll_once - one long poll and the message it brings, if any. */
static int poll_once(struct cloud_loop *lp, struct omkt_errbuf *eb)
{
    struct omkt_sqs_batch b = {0};
    int ret = receive(lp, &b, eb);

    for (size_t i = 0; ret == OMKT_OK && i < b.n; i++) {
        atomic_fetch_add(&env.busy, 1);
        cloud_job_handle(lp, &b.v[i]);
        atomic_store(&env.last_work_ms, omkt_now_ms());
        atomic_fetch_sub(&env.busy, 1);
    }
    omkt_sqs_batch_clear(&b);
    return ret;
}

/* drop_client - forget the loop's client (remade at the next poll). */
static void drop_client(struct cloud_loop *lp)
{
    omkt_aws_free(lp->sqs);
    lp->sqs = NULL;
}

/* loop_main - one worker loop: poll, handle, back off on failures. */
static void *loop_main(void *arg)
{
    struct cloud_loop *lp = arg;
    int64_t delay_ms = 1000, made_ms = 0;

    while (!atomic_load(&env.d->is_stopping)) {
        struct omkt_errbuf eb = {0};
        int rc = OMKT_OK;

        if (lp->sqs == NULL) {
            made_ms = omkt_now_ms();
            rc = connect_loop(lp, &eb);
        }
        if (rc == OMKT_OK)
            rc = poll_once(lp, &eb);
        if (rc == OMKT_ESHUTDOWN)
            break;
        if (rc == OMKT_OK) {
            delay_ms = 1000;
            if (omkt_now_ms() - made_ms > CLIENT_MAX_MS)
                drop_client(lp);
            continue;
        }
        omkt_log(OMKT_LOG_ERR, "worker %u: %s; retrying in %" PRId64 "s",
                 lp->index, omkt_errbuf_str(&eb, rc), delay_ms / 1000);
        drop_client(lp);
        omkt_daemon_sleep(env.d, delay_ms / 2 + random() % (delay_ms / 2 + 1));
        delay_ms =
            delay_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay_ms * 2;
    }
    return NULL;
}

/* spot_notice - true when the metadata service announces an interruption. */
static bool spot_notice(struct omkt_imds *m)
{
    struct omkt_imds_spot sp;
    struct omkt_errbuf eb = {0};
    int rc = omkt_imds_spot_notice(m, &sp, &eb);

    if (rc == OMKT_OK) {
        omkt_log(OMKT_LOG_NOTICE,
                 "spot interruption notice (%s at %s): releasing work, "
                 "taking no more",
                 sp.action, sp.time);
        return true;
    }
    if (rc != OMKT_ENOTFOUND)
        omkt_log(OMKT_LOG_DEBUG, "spot notice: %s", omkt_errbuf_str(&eb, rc));
    return false;
}

/* halt - the fallback when TerminateInstances fails: the instance was
 * started with InstanceInitiatedShutdownBehavior=terminate. */
static void halt(void)
{
    char *const argv[] = {"shutdown", "-h", "now", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/sbin/shutdown", NULL, NULL, argv, environ);

    if (rc != 0) {
        omkt_log(OMKT_LOG_ERR, "shutdown -h now: %s", omkt_errno_str(rc));
        return;
    }
    (void)waitpid(pid, NULL, 0); /* its status changes nothing here */
}

/* terminate - TerminateInstances on @id; true when under way. */
static bool terminate(const char *id)
{
    struct omkt_errbuf eb = {0};
    struct omkt_aws *ec2 = NULL;
    int rc = cloud_aws_new(&env, "ec2", &ec2, &eb);

    if (rc == OMKT_OK)
        rc = omkt_ec2_terminate(ec2, (const char *const *)&id, 1, &eb);
    omkt_aws_free(ec2);
    if (rc == OMKT_OK) {
        omkt_log(OMKT_LOG_NOTICE, "idle: instance %s terminating", id);
        return true;
    }
    omkt_log(OMKT_LOG_ERR, "idle: TerminateInstances %s: %s%s", id,
             omkt_errbuf_str(&eb, rc),
             env.cf->is_halt_fallback ? "; shutdown -h now" : "");
    if (!env.cf->is_halt_fallback)
        return false;
    halt();
    return true;
}

/* idle_end - the worker was idle for idle_terminate: end the instance.
 * True when it is ending (the daemon then stops). */
static bool idle_end(struct omkt_imds *m)
{
    struct omkt_errbuf eb = {0};
    char *id = NULL;
    int rc = m ? omkt_imds_instance_id(m, &id, &eb) : OMKT_ENOTFOUND;
    bool is_ending;

    if (rc != OMKT_OK) {
        omkt_log(OMKT_LOG_NOTICE, "idle, but no instance id (%s): kept",
                 m ? omkt_errbuf_str(&eb, rc) : "imds_endpoint is empty");
        return false;
    }
    is_ending = terminate(id);
    free(id);
    return is_ending;
}

/* is_idle - no message for idle_terminate (0: never idle). */
static bool is_idle(void)
{
    int64_t limit = env.cf->cloud->idle_terminate_ms;

    return limit > 0 && atomic_load(&env.busy) == 0 &&
           omkt_now_ms() - atomic_load(&env.last_work_ms) >= limit;
}

/* idle_check - once idle, hold the loops and, when no ReceiveMessage
 * is in flight, end the instance.  A receive cut short by the instance's
 * end would be answered into the void and its message kept invisible
 * for the visibility timeout (a job delayed minutes), so polls end by
 * the idle deadline (poll_wait_s) and none starts while held.  True
 * when the instance is ending. */
static bool idle_check(struct omkt_imds *m)
{
    bool is_end;

    if (!is_idle()) {
        atomic_store(&env.idle_hold, false);
        return false;
    }
    atomic_store(&env.idle_hold, true);
    if (atomic_load(&env.polling) > 0)
        return false; /* it ends within poll_wait_s; next tick */
    is_end = idle_end(m);
    atomic_store(&env.last_work_ms, omkt_now_ms());
    atomic_store(&env.idle_hold, is_end);
    return is_end;
}

/* watch_main - the spot notice and the idle terminator. */
static void *watch_main(void *arg)
{
    struct omkt_imds *m = arg;
    int64_t next_spot = 0;

    while (!atomic_load(&env.d->is_stopping)) {
        int64_t now = omkt_now_ms();
        bool is_end = false;

        if (m != NULL && now >= next_spot) {
            is_end = spot_notice(m);
            next_spot = now + env.cf->cloud->spot_poll_ms;
        }
        if (!is_end)
            is_end = idle_check(m);
        if (is_end)
            omkt_daemon_stop(env.d);
        else
            omkt_daemon_sleep(env.d, WATCH_TICK_MS);
    }
    omkt_imds_free(m);
    return NULL;
}

/* name_worker - the instance id when the metadata service has one, else
 * the host name: what results carry. */
static void name_worker(struct omkt_imds *m)
{
    char *id = NULL;

    if (m != NULL && omkt_imds_instance_id(m, &id, NULL) == OMKT_OK)
        snprintf(env.worker, sizeof(env.worker), "%s", id);
    else
        snprintf(env.worker, sizeof(env.worker), "%s", omkt_fs_hostname());
    free(id);
}

/* start_watcher - the metadata client and the watcher thread. */
static int start_watcher(struct omkt_errbuf *eb)
{
    const char *ep = env.cf->cloud->imds_endpoint;
    struct omkt_imds *m = NULL;
    int rc;

    if (ep != NULL && *ep != '\0') {
        rc = omkt_imds_new(ep, &m, eb);
        if (rc != OMKT_OK)
            return rc;
    }
    name_worker(m);
    rc = pthread_create(&watcher, NULL, watch_main, m);
    if (rc != 0) {
        omkt_imds_free(m);
        omkt_errf(eb, "cannot start the watcher: %s", omkt_errno_str(rc));
        return OMKT_ENOMEM;
    }
    has_watcher = true;
    return OMKT_OK;
}

int cloud_start(struct omkt_daemon *d, const struct cloud_conf *cf,
                struct omkt_errbuf *eb)
{
    int ret = omkt_s3_conf_load(d->conf_path, &env.s3, eb);

    env.d = d;
    env.cf = cf;
    atomic_store(&env.last_work_ms, omkt_now_ms());
    if (ret == OMKT_OK)
        ret = start_watcher(eb);
    for (unsigned i = 0; ret == OMKT_OK && i < (unsigned)cf->tc->workers; i++) {
        int rc;

        loops[i] = (struct cloud_loop){.e = &env, .index = i};
        rc = pthread_create(&loops[i].thread, NULL, loop_main, &loops[i]);
        if (rc != 0) {
            omkt_errf(eb, "cannot start worker %u: %s", i, omkt_errno_str(rc));
            ret = OMKT_ENOMEM;
        }
        loops[i].has_thread = rc == 0;
        nloops = i + 1;
    }
    if (ret == OMKT_OK)
        omkt_log(OMKT_LOG_NOTICE,
                 "cloud worker %s: %u loops on queue %s, results to %s",
                 env.worker, nloops, cf->cloud->jobs_queue,
                 cf->cloud->results_queue);
    return ret;
}

void cloud_finish(struct omkt_daemon *d)
{
    omkt_daemon_stop(d); /* already stopping; makes start failures safe */
    for (unsigned i = 0; i < nloops; i++) {
        if (loops[i].has_thread)
            pthread_join(loops[i].thread, NULL);
        omkt_aws_free(loops[i].sqs);
        free(loops[i].jobs_url);
        free(loops[i].results_url);
        loops[i] = (struct cloud_loop){0};
    }
    nloops = 0;
    if (has_watcher)
        pthread_join(watcher, NULL);
    has_watcher = false;
    omkt_s3_conf_free(&env.s3);
}

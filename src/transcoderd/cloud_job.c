/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cloud_job - one job message from receive to delete (see cloud_job.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_job.h"
#include "cloud_lease.h"
#include "cloud_work.h"
#include "common/alloc.h"
#include "common/cloudmsg.h"
#include "common/log.h"

#define RETRY_DELAY_S 30 /* per receive, after a transient failure */

bool cloud_loop_is_stopping(void *arg)
{
    const struct cloud_loop *lp = arg;

    return atomic_load(&lp->e->d->is_stopping);
}

/* release - make the message visible again in @delay_s (0: at once);
 * done even when the daemon stops (that is when it matters most). */
static void release(struct cloud_loop *lp, const struct omkt_sqs_message *m,
                    int delay_s)
{
    struct omkt_errbuf eb = {0};
    int rc;

    omkt_aws_set_stop(lp->sqs, NULL, NULL);
    rc = omkt_sqs_change_visibility(lp->sqs, lp->jobs_url, m->receipt, delay_s,
                                    &eb);
    omkt_aws_set_stop(lp->sqs, cloud_loop_is_stopping, lp);
    if (rc != OMKT_OK)
        omkt_log(OMKT_LOG_WARN,
                 "message %s: release failed (back after its lease): %s", m->id,
                 omkt_errbuf_str(&eb, rc));
    else
        omkt_log(OMKT_LOG_INFO, "message %s: released (visible in %ds)", m->id,
                 delay_s);
}

/* drop - the message is done: delete it from the jobs queue. */
static void drop(struct cloud_loop *lp, const struct omkt_sqs_message *m)
{
    struct omkt_errbuf eb = {0};
    int rc;

    omkt_aws_set_stop(lp->sqs, NULL, NULL);
    rc = omkt_sqs_delete(lp->sqs, lp->jobs_url, m->receipt, &eb);
    omkt_aws_set_stop(lp->sqs, cloud_loop_is_stopping, lp);
    if (rc != OMKT_OK) /* it comes back; the bridge drops the 2nd result */
        omkt_log(OMKT_LOG_WARN, "message %s: delete failed: %s", m->id,
                 omkt_errbuf_str(&eb, rc));
}

/* send_result - @r to the results queue; OMKT_OK once SQS stored it. */
static int send_result(struct cloud_loop *lp, const struct omkt_cloud_result *r)
{
    struct omkt_errbuf eb = {0};
    char *body = omkt_cloud_result_encode(r);
    int rc = OMKT_ENOMEM;

    omkt_aws_set_stop(lp->sqs, NULL, NULL); /* the work is done: publish */
    if (body != NULL)
        rc = omkt_sqs_send(lp->sqs, lp->results_url,
                           &(struct omkt_sqs_outgoing){body, 0}, NULL, &eb);
    omkt_aws_set_stop(lp->sqs, cloud_loop_is_stopping, lp);
    if (rc != OMKT_OK)
        omkt_log(OMKT_LOG_ERR, "job=%" PRId64 " sending the result: %s",
                 r->job_id,
                 body ? omkt_errbuf_str(&eb, rc) : "result too large");
    free(body);
    return rc;
}

/* result_of - the result frame of @j received as @m (borrowing). */
static struct omkt_cloud_result result_of(const struct cloud_loop *lp,
                                          const struct omkt_cloud_job *j,
                                          const struct omkt_sqs_message *m)
{
    struct omkt_cloud_result r = {.job_id = j->job_id,
                                  .receive_count = m->receive_count,
                                  /* borrowed: never freed through r */
                                  .worker = (char *)lp->e->worker};

    memcpy(r.token, j->token, sizeof(r.token));
    return r;
}

/* dead - @j was received too often: a dead result, then the delete. */
static void dead(struct cloud_loop *lp, const struct omkt_sqs_message *m,
                 const struct omkt_cloud_job *j)
{
    struct omkt_cloud_result r = result_of(lp, j, m);
    char why[128];

    snprintf(why, sizeof(why),
             "received %d times, over max_receive_count %" PRId64
             ": not tried again",
             m->receive_count, lp->e->cf->cloud->max_receive_count);
    r.code = OMKT_EINVAL;
    r.error = why;
    r.is_dead = true;
    omkt_log(OMKT_LOG_ERR, "job=%" PRId64 " %s", j->job_id, why);
    if (send_result(lp, &r) == OMKT_OK)
        drop(lp, m);
}

/* bad_message - a body that is not a job. */
static void bad_message(struct cloud_loop *lp, const struct omkt_sqs_message *m,
                        const struct omkt_errbuf *eb)
{
    bool is_over = m->receive_count > lp->e->cf->cloud->max_receive_count;

    omkt_log(OMKT_LOG_ERR, "message %s (received %d times): %s; %s", m->id,
             m->receive_count, eb->msg,
             is_over ? "deleted" : "left for the dead-letter queue");
    if (is_over)
        drop(lp, m);
}

/* finish - publish what cloud_work_run made of @j, or release it. */
static void finish(struct cloud_loop *lp, const struct omkt_sqs_message *m,
                   const struct omkt_cloud_job *j, int rc,
                   struct omkt_cloud_result *r, const struct omkt_errbuf *eb)
{
    if (rc == OMKT_ECANCELLED) {
        omkt_log(OMKT_LOG_NOTICE, "job=%" PRId64 " stopping: released",
                 j->job_id);
        release(lp, m, 0);
        return;
    }
    if (rc != OMKT_OK && eb->retryable) {
        omkt_log(OMKT_LOG_WARN, "job=%" PRId64 " %s; retried later", j->job_id,
                 omkt_errbuf_str(eb, rc));
        release(lp, m,
                RETRY_DELAY_S * (m->receive_count > 1 ? m->receive_count : 1));
        return;
    }
    r->code = rc;
    r->error = rc == OMKT_OK ? NULL : omkt_xstrdup(omkt_errbuf_str(eb, rc));
    if (send_result(lp, r) != OMKT_OK) {
        release(lp, m, 0);
        return;
    }
    omkt_log(OMKT_LOG_INFO, "job=%" PRId64 " %s: result sent", j->job_id,
             rc == OMKT_OK ? "done" : omkt_strerror(rc));
    drop(lp, m);
}

/* work - lease, do and publish @j. */
static void work(struct cloud_loop *lp, const struct omkt_sqs_message *m,
                 const struct omkt_cloud_job *j)
{
    struct omkt_cloud_result r = result_of(lp, j, m);
    struct cloud_lease lease;
    struct omkt_errbuf eb = {0};
    int rc = cloud_lease_start(&lease, lp->e, lp->jobs_url, m->receipt, &eb);

    if (rc != OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "job=%" PRId64 " no lease: %s", j->job_id,
                 omkt_errbuf_str(&eb, rc));
        release(lp, m, 0);
        return;
    }
    omkt_log(OMKT_LOG_INFO, "job=%" PRId64 " received (%d times): %s",
             j->job_id, m->receive_count, j->source);
    rc = cloud_work_run(lp->e, j, &lease, &r, &eb);
    cloud_lease_stop(&lease);
    if (cloud_lease_is_lost(&lease))
        omkt_log(OMKT_LOG_WARN, "job=%" PRId64 " lease lost: nothing published",
                 j->job_id);
    else
        finish(lp, m, j, rc, &r, &eb);
    r.worker = NULL; /* borrowed */
    omkt_cloud_result_clear(&r);
}

void cloud_job_handle(struct cloud_loop *lp, const struct omkt_sqs_message *m)
{
    struct omkt_errbuf eb = {0};
    struct omkt_cloud_job j;

    if (omkt_cloud_job_decode(m->body, strlen(m->body), &j, &eb) != OMKT_OK) {
        bad_message(lp, m, &eb);
        return;
    }
    if (m->receive_count > lp->e->cf->cloud->max_receive_count)
        dead(lp, m, &j);
    else
        work(lp, m, &j);
    omkt_cloud_job_clear(&j);
}

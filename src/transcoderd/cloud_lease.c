/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cloud_lease - extends a held message's visibility (see cloud_lease.h). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cloud_aws.h"
#include "cloud_lease.h"
#include "common/log.h"
#include "common/sqs.h"

/* deadline - CLOCK_MONOTONIC now + @ms, for pthread_cond_timedwait. */
static struct timespec deadline(int64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* wait_tick - sleep a third of the lease; false when told to stop. */
static bool wait_tick(struct cloud_lease *l)
{
    int64_t period_ms = l->e->cf->cloud->visibility_ms / 3;
    struct timespec until = deadline(period_ms);
    bool is_stop;

    pthread_mutex_lock(&l->lock);
    while (!atomic_load(&l->is_stop) &&
           pthread_cond_timedwait(&l->wake, &l->lock, &until) != ETIMEDOUT)
        ;
    is_stop = atomic_load(&l->is_stop);
    pthread_mutex_unlock(&l->lock);
    return !is_stop;
}

/* extend - one ChangeMessageVisibility to the full lease. */
static void extend(struct cloud_lease *l)
{
    int lease_s = (int)(l->e->cf->cloud->visibility_ms / 1000);
    struct omkt_errbuf eb = {0};
    int rc =
        omkt_sqs_change_visibility(l->sqs, l->url, l->receipt, lease_s, &eb);

    if (rc == OMKT_OK) {
        atomic_fetch_add(&l->extends, 1);
        omkt_log(OMKT_LOG_DEBUG, "lease extended by %ds", lease_s);
    } else if (rc == OMKT_ELOST) {
        atomic_store(&l->is_lost, true);
        omkt_log(OMKT_LOG_WARN, "lease lost: %s", omkt_errbuf_str(&eb, rc));
    } else {
        omkt_log(OMKT_LOG_WARN, "lease extension failed (retried): %s",
                 omkt_errbuf_str(&eb, rc));
    }
}

/* is_stopped - the client's stop hook: an extend under way is cut short
 * when the worker is done with the message. */
static bool is_stopped(void *arg)
{
    struct cloud_lease *l = arg;

    return atomic_load(&l->is_stop);
}

/* lease_main - the extender thread. */
static void *lease_main(void *arg)
{
    struct cloud_lease *l = arg;

    while (wait_tick(l) && !atomic_load(&l->is_lost))
        extend(l);
    return NULL;
}

int cloud_lease_start(struct cloud_lease *l, const struct cloud_env *e,
                      const char *url, const char *receipt,
                      struct omkt_errbuf *eb)
{
    pthread_condattr_t ca;
    int rc;
    int ret;

    memset(l, 0, sizeof(*l));
    l->e = e;
    l->url = url;
    l->receipt = receipt;
    ret = cloud_aws_new(e, "sqs", &l->sqs, eb);
    if (ret != OMKT_OK)
        return ret;
    omkt_aws_set_stop(l->sqs, is_stopped, l);
    pthread_mutex_init(&l->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->wake, &ca);
    pthread_condattr_destroy(&ca);
    rc = pthread_create(&l->thread, NULL, lease_main, l);
    if (rc != 0) {
        omkt_errf(eb, "cannot start the lease thread: %s", omkt_errno_str(rc));
        cloud_lease_stop(l);
        return OMKT_ENOMEM;
    }
    l->has_thread = true;
    return OMKT_OK;
}

void cloud_lease_stop(struct cloud_lease *l)
{
    if (l->sqs == NULL)
        return;
    pthread_mutex_lock(&l->lock);
    atomic_store(&l->is_stop, true);
    pthread_cond_broadcast(&l->wake);
    pthread_mutex_unlock(&l->lock);
    if (l->has_thread)
        pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    omkt_aws_free(l->sqs);
    l->sqs = NULL;
    l->has_thread = false;
}

bool cloud_lease_is_lost(struct cloud_lease *l)
{
    return atomic_load(&l->is_lost);
}

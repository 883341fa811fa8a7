/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notifierd - delivers callbacks to CMSs: queue workers of task 'notify'
 * (callback.c) with their own retry backoff, plus the transcoder_cron
 * thread (cron.c).
 */
#include <curl/curl.h>
#include <stdio.h>

#include "callback.h"
#include "common/daemon.h"
#include "common/jobworker.h"
#include "cron.h"

static struct nt_conf nc;

#define NK(name, type, def, min, max, field)                                   \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct nt_conf, field)                                    \
    }

static const struct omkt_conf_key nt_keys[] = {
    NK("workers", OMKT_CONF_INT, "2", 1, OMKT_MAX_WORKERS - 1, workers),
    NK("timeout", OMKT_CONF_DURATION, "30s", 100, 3600000, timeout_ms),
    NK("max_attempts", OMKT_CONF_INT, "20", 1, 1000, max_attempts),
    NK("retry_base", OMKT_CONF_DURATION, "30s", 1, 86400000, retry_base_ms),
    NK("retry_max", OMKT_CONF_DURATION, "10m", 1, 7 * 86400000LL, retry_max_ms),
    NK("cron_interval", OMKT_CONF_DURATION, "60s", 100, 86400000,
       cron_interval_ms),
    NK("cron_timeout", OMKT_CONF_DURATION, "240s", 100, 3600000,
       cron_timeout_ms),
    NK("cron_connect_timeout", OMKT_CONF_DURATION, "5s", 100, 3600000,
       cron_connect_timeout_ms),
    NK("cron_parallel", OMKT_CONF_INT, "100", 1, 1000, cron_parallel),
    NK("allow_private", OMKT_CONF_BOOL, "no", 0, 1, allow_private),
    NK("stream_base_url", OMKT_CONF_STR, NULL, 0, -1, stream_base_url),
    NK("stream_url_ttl", OMKT_CONF_DURATION, "24h", 1000, 31536000000,
       stream_url_ttl_ms),
};

static struct omkt_worker_spec wspec = {
    .task = OMKT_TASK_NOTIFY,
    .handle = callback_handle,
    .on_failed = callback_on_failed,
};

static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    int ret;

    /* Callbacks retry on their own schedule, not [common]'s. */
    d->backoff.base_ms = nc.retry_base_ms;
    d->backoff.max_ms = nc.retry_max_ms;
    wspec.nthreads = (unsigned)nc.workers;
    callback_init(&nc);
    ret = omkt_worker_start(d, &wspec, eb);
    if (ret == OMKT_OK)
        ret = cron_start(d, &nc, eb);
    return ret;
}

static void finish(struct omkt_daemon *d)
{
    cron_join();
    omkt_worker_join(d);
}

int main(int argc, char **argv)
{
    static const struct omkt_conf_section secs[] = {
        {"notifierd", nt_keys, sizeof(nt_keys) / sizeof(nt_keys[0]), &nc},
    };
    const struct omkt_daemon_spec spec = {
        .name = "notifierd",
        .sections = secs,
        .nsections = 1,
        .start = start,
        .finish = finish,
    };
    int ret;

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fprintf(stderr, "notifierd: curl_global_init failed\n");
        return 1;
    }
    ret = omkt_daemon_run(&spec, argc, argv);
    curl_global_cleanup();
    return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apid - the HTTP front of the cluster: the OMKT protocol (/api/), file
 * downloads, the REST API (/v1/), media-nommer job submission
 * (/job/submit/), the operator dashboard (/, /status), /health and
 * /metrics.  It only writes rows; workers do the rest.  This file reads
 * the [apid] section and runs the daemon skeleton around the server.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "apid/apid.h"
#include "apid/catalogue.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/log.h"
#include "media/settings.h"

static struct apid app;

static const struct omkt_conf_key apid_keys[] = {
    {"listen", OMKT_CONF_STR, "127.0.0.1", 0, -1, false, false,
     offsetof(struct apid_conf, listen)},
    {"port", OMKT_CONF_INT, "8080", 0, 65535, false, false,
     offsetof(struct apid_conf, port)},
    {"threads", OMKT_CONF_INT, "4", 1, 256, false, false,
     offsetof(struct apid_conf, threads)},
    {"max_connections", OMKT_CONF_INT, "512", 1, 100000, false, false,
     offsetof(struct apid_conf, max_connections)},
    {"connection_timeout", OMKT_CONF_DURATION, "30s", 1000, 86400000, false,
     false, offsetof(struct apid_conf, connection_timeout_ms)},
    {"max_body", OMKT_CONF_SIZE, "1M", 1024, 1073741824, false, false,
     offsetof(struct apid_conf, max_body)},
    {"per_ip_connections", OMKT_CONF_INT, "32", 1, 100000, false, false,
     offsetof(struct apid_conf, per_ip_connections)},
    {"header_timeout", OMKT_CONF_DURATION, "10s", 1000, 3600000, false, false,
     offsetof(struct apid_conf, header_timeout_ms)},
    {"body_timeout", OMKT_CONF_DURATION, "60s", 1000, 86400000, false, false,
     offsetof(struct apid_conf, body_timeout_ms)},
    {"max_header", OMKT_CONF_SIZE, "32K", 4096, 1048576, false, false,
     offsetof(struct apid_conf, max_header)},
    {"base_url", OMKT_CONF_STR, NULL, 0, -1, false, false,
     offsetof(struct apid_conf, base_url)},
    {"public", OMKT_CONF_BOOL, "no", 0, -1, false, false,
     offsetof(struct apid_conf, is_public)},
    {"admin_key", OMKT_CONF_STR, NULL, 0, -1, false, true,
     offsetof(struct apid_conf, admin_key)},
    {"rate_limit", OMKT_CONF_INT, "600", 0, 100000000, false, false,
     offsetof(struct apid_conf, rate_limit)},
    {"stream_url_ttl", OMKT_CONF_DURATION, "6h", 1000, 31536000000, false,
     false, offsetof(struct apid_conf, stream_url_ttl_ms)},
};

/* start - load site settings, start the call log, the rate limit's
 * sync and the server. */
static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    json_t *cat;
    int ret;

    app.d = d;
    if (d->common.settings_file != NULL && d->common.settings_file[0]) {
        ret = omkt_settings_load_file(d->common.settings_file, eb);
        if (ret != OMKT_OK)
            return ret;
    }
    pthread_mutex_init(&app.pool_lock, NULL);
    cat = catalogue_json();
    app.catalogue = json_dumps(cat, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(cat);
    if (app.catalogue == NULL)
        return OMKT_ENOMEM;
    app.catalogue_len = strlen(app.catalogue);
    acache_init(&app.accounts);
    ratelimit_init(&app.rl);
    stats_init(&app.stats);
    ret = calllog_start(&app.calls, &d->db);
    if (ret != OMKT_OK) {
        omkt_errf(eb, "cannot start the call log's thread");
        return ret;
    }
    ret = ratesync_start(&app.ratesync, &app.rl, &d->db);
    if (ret != OMKT_OK) {
        omkt_errf(eb, "cannot start the rate limit's sync thread");
        return ret;
    }
    return server_start(&app, eb);
}

static void quiesce(struct omkt_daemon *d)
{
    (void)d;
    server_quiesce(&app);
}

/* finish - stop serving, flush the call log and the rate counts, close
 * the pool. */
static void finish(struct omkt_daemon *d)
{
    (void)d;
    server_stop(&app);
    calllog_stop(&app.calls);
    ratesync_stop(&app.ratesync);
    ratelimit_destroy(&app.rl);
    for (size_t i = 0; i < app.npool; i++)
        omkt_db_close(app.pool[i]);
    app.npool = 0;
    acache_destroy(&app.accounts);
    OMKT_FREE(app.catalogue);
    omkt_settings_clear();
}

int main(int argc, char **argv)
{
    static const struct omkt_conf_section secs[] = {
        {"apid", apid_keys, OMKT_ARRAY_LEN(apid_keys), &app.conf},
    };
    const struct omkt_daemon_spec spec = {
        .name = "apid",
        .sections = secs,
        .nsections = OMKT_ARRAY_LEN(secs),
        .start = start,
        .quiesce = quiesce,
        .finish = finish,
        .ctx = &app,
    };

    return omkt_daemon_run(&spec, argc, argv);
}

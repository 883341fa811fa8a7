/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apid - the HTTP front: shared state of the daemon and of one request
 * (the structs only; each module declares its functions in its own
 * header: server.h, router.h, auth.h, h_omkt.h, h_rest.h, h_nommer.h,
 * h_health.h, h_dashboard.h).
 *
 * DESIGN: libmicrohttpd runs a pool of [apid] threads internal threads.
 * Each request borrows a database connection from a small pool for as
 * long as its handler runs (one connection per thread at a time, STYLE
 * 7).  Per-request state is a struct apid_req in MHD's req_cls, freed by
 * the request-completed callback.  The per-call log (api_calls) is batched
 * by a flusher thread so a call never waits for an INSERT; the rate limit
 * is counted in memory and made cluster-wide by another thread through
 * api_rate (see ratelimit.h, ratesync.h), so a call never waits for it
 * either.
 */
#ifndef OMKT_APID_APID_H
#define OMKT_APID_APID_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/daemon.h"
#include "common/db_accounts.h"
#include "common/err.h"
#include "apid/acache.h"
#include "apid/calllog.h"
#include "apid/connguard.h"
#include "apid/multipart.h"
#include "apid/params.h"
#include "apid/ratelimit.h"
#include "apid/ratesync.h"
#include "apid/stats.h"

/* The [apid] section (etc/omkt.conf.example). */
struct apid_conf {
    char *listen;
    int64_t port;
    int64_t threads;
    int64_t max_connections;
    int64_t connection_timeout_ms;
    int64_t max_body;
    int64_t per_ip_connections; /* connguard.h: the limits of slow clients */
    int64_t header_timeout_ms;
    int64_t body_timeout_ms;
    int64_t max_header;
    char *base_url;
    bool is_public;
    char *admin_key;
    int64_t rate_limit;
    int64_t stream_url_ttl_ms; /* signed package URLs (docs/streaming.md) */
};

#define APID_POOL_MAX 64
/* A pooled connection idle this long is pinged before use. */
#define APID_POOL_IDLE_MS 1000

struct apid {
    struct omkt_daemon *d;
    struct apid_conf conf;
    struct MHD_Daemon *mhd;
    struct apid_connguard guard;
    uint16_t port; /* bound */
    pthread_mutex_t pool_lock;
    struct omkt_db *pool[APID_POOL_MAX];
    int64_t pool_used_ms[APID_POOL_MAX]; /* when each was put back */
    size_t npool;
    struct apid_ratelimit rl;
    struct apid_ratesync ratesync;
    struct apid_calllog calls;
    struct apid_stats stats;
    struct apid_acache accounts;
    char *catalogue; /* app_get_settings body, made at start */
    size_t catalogue_len;
};

/* One HTTP request. */
struct apid_req {
    struct apid *a;
    struct MHD_Connection *conn;
    const char *method; /* borrowed from MHD for the request */
    const char *url;
    char *body; /* NUL-terminated, at most conf.max_body */
    size_t body_len;
    bool is_too_big;
    bool is_head;
    bool is_multipart;
    struct multipart mp;
    struct apid_params params;
    struct omkt_db *db;     /* from the pool, lazily */
    int64_t account_id;     /* the key's account (auth_check), 0: none */
    const char *api;        /* metrics label (route_match); static */
    const char *action;     /* metrics label; static string */
    unsigned status;        /* HTTP status sent */
    char content_range[64]; /* a Content-Range for the next reply */
    char cors_origin[256];  /* Access-Control-Allow-Origin of the replies
                               (cors.h), "" for none */
};

#endif

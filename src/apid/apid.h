/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apid - the HTTP front: shared state of the daemon and of one request.
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
    const char *action;     /* metrics label; static string */
    unsigned status;        /* HTTP status sent */
    char content_range[64]; /* a Content-Range for the next reply */
};

/* apid_db - the request's connection (borrowed until the request ends),
 * or NULL when none can be made (then answer 503). */
struct omkt_db *apid_db(struct apid_req *r);

/* apid_db_get / apid_db_put - a pooled connection for other threads. */
struct omkt_db *apid_db_get(struct apid *a);
void apid_db_put(struct apid *a, struct omkt_db *db);

/* apid_reply_json - send @body (stolen) with @status; a NULL @body or
 * one that cannot be sent becomes a logged 500 with a JSON body. */
enum MHD_Result apid_reply_json(struct apid_req *r, unsigned status,
                                json_t *body);

/* apid_reply_error - {"error":{"code":@code,"message":@msg}}. */
enum MHD_Result apid_reply_error(struct apid_req *r, unsigned status,
                                 const char *code, const char *msg);

/* apid_queue - queue @resp (destroyed here) with @status; a NULL @resp
 * (it could not be built) becomes a logged 500 with a JSON body. */
enum MHD_Result apid_queue(struct apid_req *r, unsigned status,
                           struct MHD_Response *resp);

/* apid_header - a request header (borrowed), or NULL. */
const char *apid_header(struct apid_req *r, const char *name);

/* apid_remote_addr - the peer address as text into @buf. */
void apid_remote_addr(struct apid_req *r, char *buf, size_t size);

/*
 * apid_is_admin - the request carries the admin credential:
 * "Authorization: Bearer KEY" (or Basic with KEY as password, or ?key=)
 * where KEY is [apid] admin_key or the API key of an admin account.
 */
bool apid_is_admin(struct apid_req *r);

/* apid_need_admin - 401 asking for the operator credential. */
enum MHD_Result apid_need_admin(struct apid_req *r);

/* apid_rest_auth - the account of an API key (REST): X-API-Key or
 * Authorization: Bearer.  Replies itself and returns false on failure. */
bool apid_rest_auth(struct apid_req *r, struct omkt_account *acc,
                    enum MHD_Result *res);

/* apid_account - the account of API key @key through the cache (new
 * strings in @out).  OMKT_ENOTFOUND, or OMKT_EDB when unreachable. */
int apid_account(struct apid_req *r, const char *key, struct omkt_account *out);

/* apid_effective_rate - calls per minute allowed to @acc. */
int64_t apid_effective_rate(const struct apid *a,
                            const struct omkt_account *acc);

/* Handlers (router.c dispatches). */
enum MHD_Result h_omkt(struct apid_req *r);
enum MHD_Result h_health(struct apid_req *r);
enum MHD_Result h_metrics(struct apid_req *r);
enum MHD_Result h_dashboard(struct apid_req *r);
enum MHD_Result h_rest(struct apid_req *r);
enum MHD_Result h_nommer(struct apid_req *r);

/* router_dispatch - find the handler of the request and run it. */
enum MHD_Result router_dispatch(struct apid_req *r);

/* server_start / server_quiesce / server_stop - the MHD daemon. */
int server_start(struct apid *a, struct omkt_errbuf *eb);
void server_quiesce(struct apid *a);
void server_stop(struct apid *a);

#endif

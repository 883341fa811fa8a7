/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server - the libmicrohttpd daemon of apid: the request life cycle (body
 * accumulation under max_body, parameters, dispatch, completion), the
 * reply helpers and the database connection pool (credentials: auth.c).
 *
 * DESIGN: MHD calls on_request several times per request: first with no
 * state (we allocate struct apid_req), then once per body chunk, then
 * once with no more data (we parse and dispatch).  A body over max_body
 * is answered 413 without being read into memory.  on_completed returns
 * the pooled connection and frees the request.  Each of these steps
 * tells the connection guard (connguard.h) the request's phase: head
 * until the first call, body until the last, reply until completed, then
 * head again for the next request on a kept-alive connection.  A reply
 * that cannot be built is a logged 500 with a fixed JSON body.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid/apid.h"
#include "apid/cors.h"
#include "apid/pathkey.h"
#include "apid/route.h"
#include "apid/router.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/text.h"

struct omkt_db *apid_db_get(struct apid *a)
{
    struct omkt_db *db = NULL;
    struct omkt_errbuf eb = {0};
    int64_t now = omkt_now_ms();
    bool is_idle = false;

    pthread_mutex_lock(&a->pool_lock);
    if (a->npool > 0) {
        a->npool--;
        db = a->pool[a->npool];
        is_idle = now - a->pool_used_ms[a->npool] > APID_POOL_IDLE_MS;
    }
    pthread_mutex_unlock(&a->pool_lock);
    /* A connection that sat idle may have died with a server restart: a
     * failed ping marks it broken and the second one reconnects. */
    if (db != NULL && is_idle && !omkt_db_ping(db))
        (void)omkt_db_ping(db); /* still down: the query will say so */
    if (db == NULL && omkt_db_open(&a->d->db, &db, &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_WARN, "database: %s", eb.msg);
        db = NULL;
    }
    return db;
}

void apid_db_put(struct apid *a, struct omkt_db *db)
{
    if (db == NULL)
        return;
    pthread_mutex_lock(&a->pool_lock);
    if (a->npool < APID_POOL_MAX) {
        a->pool_used_ms[a->npool] = omkt_now_ms();
        a->pool[a->npool++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&a->pool_lock);
    omkt_db_close(db);
}

struct omkt_db *apid_db(struct apid_req *r)
{
    if (r->db == NULL)
        r->db = apid_db_get(r->a);
    return r->db;
}

struct omkt_db *apid_db_alive(struct apid_req *r)
{
    struct omkt_db *db = apid_db(r);

    return db != NULL && omkt_db_ping(db) ? db : NULL;
}

/* log_req - an error about the request's @status reply: its method and
 * URL are client text, cleaned and cut (text.h) before they are logged. */
static void log_req(const struct apid_req *r, const char *what, unsigned status)
{
    char method[24], url[200], masked[200];

    (void)omkt_text_copy(method, sizeof(method), r->method); /* cut: fine */
    pathkey_mask(r->url, masked, sizeof(masked)); /* no API key in logs */
    (void)omkt_text_copy(url, sizeof(url), masked);
    omkt_log(OMKT_LOG_ERR, "%s %s: %s (a %u reply)", method, url, what, status);
}

/* queue - queue @resp (destroyed here) with @status. */
static enum MHD_Result queue(struct apid_req *r, unsigned status,
                             struct MHD_Response *resp)
{
    enum MHD_Result ret;

    r->status = status;
    if (r->content_range[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
                                r->content_range);
    if (r->cors_origin[0] != '\0')
        cors_headers(r, resp);
    if (connguard_is_reserve(r->conn)) /* free the reserve slot at once */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    if (ret != MHD_YES)
        log_req(r, "cannot queue the reply", status);
    return ret;
}

/*
 * unbuilt - the reply of status @status could not be built (@what):
 * log it and answer 500 instead with a fixed body, never an empty reply.  Only
 * when even that cannot be made does MHD close the connection.
 */
static enum MHD_Result unbuilt(struct apid_req *r, unsigned status,
                               const char *what)
{
    static const char text[] = "{\"error\":{\"code\":\"internal\","
                               "\"message\":\"the reply could not be "
                               "built\"}}";
    struct MHD_Response *resp;

    log_req(r, what, status);
    r->action = "unbuilt";
    r->content_range[0] = '\0';
    resp = MHD_create_response_from_buffer(
        sizeof(text) - 1, (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return queue(r, 500, resp);
}

enum MHD_Result apid_queue(struct apid_req *r, unsigned status,
                           struct MHD_Response *resp)
{
    if (resp == NULL)
        return unbuilt(r, status, "no response object: answering 500");
    return queue(r, status, resp);
}

enum MHD_Result apid_reply_json(struct apid_req *r, unsigned status,
                                json_t *body)
{
    char *text =
        body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    bool is_body = body != NULL;

    json_decref(body);
    if (text == NULL) /* no body: json_pack refused a value (not UTF-8?) */
        return unbuilt(r, status,
                       is_body ? "json_dumps failed: answering 500"
                               : "no JSON body: answering 500");
    return apid_reply_text(r, status, text, "application/json");
}

enum MHD_Result apid_reply_text(struct apid_req *r, unsigned status, char *text,
                                const char *type)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);

    if (resp == NULL) {
        free(text);
        return unbuilt(r, status, "no response object: answering 500");
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return queue(r, status, resp);
}

enum MHD_Result apid_reply_error(struct apid_req *r, unsigned status,
                                 const char *code, const char *msg)
{
    return apid_reply_json(
        r, status,
        json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

const char *apid_header(struct apid_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void apid_remote_addr(struct apid_req *r, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    buf[0] = '\0';
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
                  (socklen_t)size);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
                  (socklen_t)size);
}

/* is_omkt_path - the OMKT endpoint (its errors have their own shape). */
static bool is_omkt_path(const char *url)
{
    return strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0;
}

/* too_big - 413 in the shape of the endpoint. */
static enum MHD_Result too_big(struct apid_req *r)
{
    r->action = "too_big";
    if (is_omkt_path(r->url))
        return apid_reply_json(r, 413,
                               json_pack("{s:{s:i, s:s}}", "result", "code",
                                         413, "message",
                                         "request body too large"));
    return apid_reply_error(r, 413, "too_large", "request body too large");
}

/* busy - 503 on a connection admitted over the limits (connguard.h).
 * On /api/ an OMKT 500: the protocol's 503 means "account disabled". */
static enum MHD_Result busy(struct apid_req *r)
{
    r->action = "busy";
    if (is_omkt_path(r->url))
        return apid_reply_json(
            r, 500,
            json_pack("{s:{s:i, s:s}}", "result", "code", 500, "message",
                      "server busy (too many connections), retry later"));
    return apid_reply_error(r, 503, "busy",
                            "server busy (too many connections), retry later");
}

/* add_arg - MHD iterator: copy each query argument.  A %00 would cut
 * the key or value short without a word: refused as not UTF-8, as in
 * form and multipart bodies. */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
    struct apid_params *p = cls;

    (void)kind;
    if (strlen(key) != key_size ||
        (value != NULL && strlen(value) != value_size)) {
        p->is_bad_utf8 = true;
        return MHD_YES;
    }
    params_add(p, key, value);
    return MHD_YES;
}

/* is_form - the body is x-www-form-urlencoded (or untyped). */
static bool is_form(struct apid_req *r)
{
    const char *ct = apid_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);

    return ct == NULL ||
           strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* body_chunk - append upload data, remembering when it overflows. */
static void body_chunk(struct apid_req *r, const char *data, size_t len)
{
    size_t max = (size_t)r->a->conf.max_body;

    if (r->is_too_big || r->body_len + len > max) {
        r->is_too_big = true;
        return;
    }
    if (r->is_multipart) { /* kept by the parser, parsed at the end */
        r->body_len += len;
        (void)multipart_feed(&r->mp, data, len); /* bad: said at the end */
        return;
    }
    r->body = omkt_xrealloc(r->body, r->body_len + len + 1);
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
}

/* first_call - new request state; refuse a declared oversized body. */
static enum MHD_Result first_call(struct apid *a, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  void **req_cls)
{
    struct apid_req *r = omkt_xcalloc(1, sizeof(*r));
    const char *cl;
    int64_t len = 0;

    r->a = a;
    r->conn = conn;
    r->url = url;
    r->method = method;
    r->is_head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    r->action = "other";
    r->api = route_api(method, url);
    *req_cls = r;
    connguard_phase(conn, CONNGUARD_BODY);
    if (connguard_is_reserve(conn) && strcmp(url, "/health") != 0)
        return busy(r);
    r->is_multipart =
        multipart_start(&r->mp, apid_header(r, MHD_HTTP_HEADER_CONTENT_TYPE));
    cl = apid_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && omkt_parse_i64(cl, &len) == OMKT_OK &&
        len > a->conf.max_body) {
        r->is_too_big = true;
        return too_big(r);
    }
    return MHD_YES;
}

/* on_request - MHD's access handler (see DESIGN above). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct apid_req *r = *req_cls;

    (void)version;
    if (r == NULL)
        return first_call(cls, conn, url, method, req_cls);
    if (r->status != 0) { /* already answered (413): discard the body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        body_chunk(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    connguard_phase(conn, CONNGUARD_REPLY);
    if (r->is_too_big)
        return too_big(r);
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, add_arg,
                                &r->params);
    if (r->body != NULL && is_form(r))
        params_parse_form(&r->params, r->body);
    if (r->is_multipart)
        multipart_finish(&r->mp, &r->params);
    return router_dispatch(r);
}

/* on_completed - count, return the connection, free the request. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct apid *a = cls;
    struct apid_req *r = *req_cls;

    (void)toe;
    connguard_phase(conn, CONNGUARD_HEAD); /* kept alive: the next one */
    if (r == NULL)
        return;
    if (r->status != 0)
        stats_count(&a->stats, r->api, r->action, r->status);
    apid_db_put(a, r->db);
    multipart_finish(&r->mp, NULL);
    params_free(&r->params);
    free(r->body);
    free(r);
    *req_cls = NULL;
}

/* mhd_log - MHD's messages into our log, at most 10 a second. */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    static _Atomic int64_t second;
    static _Atomic int count;
    int64_t now = omkt_now_ms() / 1000;
    char raw[512], buf[512];
    size_t n;

    (void)cls;
    if (now != second) {
        second = now;
        count = 0;
    }
    if (count++ >= 10)
        return;
    vsnprintf(buf, sizeof(buf), fmt, ap); /* may quote client bytes */
    pathkey_mask(buf, raw, sizeof(raw));  /* ... or a path's API key */
    (void)omkt_text_copy(buf, sizeof(buf), raw);
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    omkt_log(OMKT_LOG_WARN, "http: %s", buf);
}

/* bind_addr - [apid] listen/port as a socket address. */
static int bind_addr(const struct apid *a, struct sockaddr_storage *ss,
                     bool *is_v6, struct omkt_errbuf *eb)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    const char *host = a->conf.listen ? a->conf.listen : "127.0.0.1";

    memset(ss, 0, sizeof(*ss));
    *is_v6 = false;
    if (strcmp(host, "*") == 0 || host[0] == '\0')
        host = "0.0.0.0";
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)a->conf.port);
        return OMKT_OK;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)a->conf.port);
        *is_v6 = true;
        return OMKT_OK;
    }
    omkt_errf(eb, "apid.listen = %s: expected an IPv4 or IPv6 address", host);
    return OMKT_ECONF;
}

/* limits - the guard's limits from [apid]. */
static struct connguard_limits limits(const struct apid *a)
{
    return (struct connguard_limits){
        .header_timeout_ms = a->conf.header_timeout_ms,
        .body_timeout_ms = a->conf.body_timeout_ms,
        .max_connections = (size_t)a->conf.max_connections,
        .per_ip_connections = (size_t)a->conf.per_ip_connections,
    };
}

/* start_mhd - the MHD daemon on @ss; NULL when it cannot listen.  MHD's
 * own limits sit CONNGUARD_RESERVE above ours (see connguard.h). */
static struct MHD_Daemon *start_mhd(struct apid *a, unsigned flags,
                                    const struct sockaddr_storage *ss)
{
    unsigned idle_s = (unsigned)(a->conf.connection_timeout_ms / 1000);

    return MHD_start_daemon(
        flags, (uint16_t)a->conf.port, NULL, NULL, on_request, a,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a, MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)a->conf.threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)a->conf.max_connections + CONNGUARD_RESERVE,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)a->conf.per_ip_connections + CONNGUARD_RESERVE,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)a->conf.max_header,
        MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_NOTIFY_CONNECTION,
        connguard_notify, &a->guard, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        a, MHD_OPTION_END);
}

int server_start(struct apid *a, struct omkt_errbuf *eb)
{
    struct sockaddr_storage ss;
    bool is_v6 = false;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    const union MHD_DaemonInfo *info;
    struct connguard_limits lim = limits(a);
    char host[64];
    int ret = bind_addr(a, &ss, &is_v6, eb);

    if (ret != OMKT_OK)
        return ret;
    if (is_v6)
        flags |= MHD_USE_IPv6;
    ret = connguard_start(&a->guard, &lim);
    if (ret != OMKT_OK) {
        omkt_errf(eb, "cannot start the connection guard's thread");
        return ret;
    }
    a->mhd = start_mhd(a, flags, &ss);
    if (a->mhd == NULL) {
        omkt_errf(eb, "cannot listen on %s:%lld", a->conf.listen,
                  (long long)a->conf.port);
        return OMKT_EIO;
    }
    info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
    a->port = info ? info->port : (uint16_t)a->conf.port;
    snprintf(host, sizeof(host), "%s", a->conf.listen);
    omkt_log(OMKT_LOG_NOTICE, "listening on %s:%u", host, (unsigned)a->port);
    return OMKT_OK;
}

void server_quiesce(struct apid *a)
{
    MHD_socket s;

    if (a->mhd == NULL)
        return;
    s = MHD_quiesce_daemon(a->mhd); /* now ours to close */
    if (s != MHD_INVALID_SOCKET)
        close(s);
}

void server_stop(struct apid *a)
{
    if (a->mhd != NULL)
        MHD_stop_daemon(a->mhd); /* closes every connection */
    a->mhd = NULL;
    connguard_stop(&a->guard);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* connguard - deadlines and limits on client connections (see
 * connguard.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "apid/connguard.h"
#include "common/alloc.h"
#include "common/daemon.h"
#include "common/log.h"

#define LOG_EVERY_MS 10000 /* at most one summary line this often */
#define HEAD_PEEK    2048  /* bytes looked at for a complete head */

/* One open connection. */
struct connguard_conn {
    struct apid_connguard *g;
    struct connguard_conn *prev, *next; /* under g->lock */
    MHD_socket fd;
    int family; /* AF_INET, AF_INET6, or 0 when unknown */
    unsigned char addr[16];
    _Atomic int phase;
    _Atomic int64_t since_ms;    /* when the phase began */
    _Atomic int64_t deadline_ms; /* 0: none */
    bool is_closing;             /* shut down by us; under g->lock */
    bool is_reserve;             /* admitted beyond the limits */
};

/* conn_of - the guard's entry of @conn, or NULL. */
static struct connguard_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/* set_phase - @c entered @phase at @now_ms. */
static void set_phase(struct connguard_conn *c, enum connguard_phase phase,
                      int64_t now_ms)
{
    int64_t deadline = 0;

    switch (phase) {
    case CONNGUARD_HEAD:
        deadline = now_ms + c->g->lim.header_timeout_ms;
        break;
    case CONNGUARD_BODY:
        deadline = now_ms + c->g->lim.body_timeout_ms;
        break;
    case CONNGUARD_REPLY:
        break;
    }
    atomic_store(&c->since_ms, now_ms);
    atomic_store(&c->deadline_ms, deadline);
    atomic_store(&c->phase, (int)phase);
}

/* addr_of - the client address of @conn into @c. */
static void addr_of(struct MHD_Connection *conn, struct connguard_conn *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    if (sa != NULL && sa->sa_family == AF_INET) {
        c->family = AF_INET;
        memcpy(c->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        c->family = AF_INET6;
        memcpy(c->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

/* same_ip - @a and @b come from one known client address. */
static bool same_ip(const struct connguard_conn *a,
                    const struct connguard_conn *b)
{
    return a->family != 0 && a->family == b->family &&
           memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* cut - shut @c down (g->lock held); MHD's thread does the rest. */
static void cut(struct apid_connguard *g, struct connguard_conn *c)
{
    c->is_closing = true;
    g->nlive--;
    /* the socket is still open: CLOSED waits for the lock (see DESIGN) */
    (void)shutdown(c->fd, SHUT_RDWR); /* ENOTCONN: the peer left anyway */
}

/* head_is_waiting - @c's complete request head sits unread in its socket
 * buffer: the client is done and MHD has not got to it yet (a busy apid,
 * not a slow client), so it must not be closed to make room. */
static bool head_is_waiting(const struct connguard_conn *c)
{
    char buf[HEAD_PEEK];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

    return n > 0 && (memmem(buf, (size_t)n, "\r\n\r\n", 4) != NULL ||
                     memmem(buf, (size_t)n, "\n\n", 2) != NULL);
}

/* oldest_head - the live connection other than @except waiting longest
 * for its request head, from @except's address only when @is_same_ip;
 * one whose head is waiting unread does not count. */
static struct connguard_conn *oldest_head(struct apid_connguard *g,
                                          const struct connguard_conn *except,
                                          bool is_same_ip)
{
    struct connguard_conn *best = NULL;

    for (struct connguard_conn *c = g->head; c != NULL; c = c->next) {
        if (c == except || c->is_closing ||
            atomic_load(&c->phase) != CONNGUARD_HEAD ||
            (is_same_ip && !same_ip(c, except)))
            continue;
        if (best != NULL &&
            atomic_load(&c->since_ms) >= atomic_load(&best->since_ms))
            continue;
        if (!head_is_waiting(c))
            best = c;
    }
    return best;
}

/* make_room - @c is over a limit (@is_same_ip: its address's): close the
 * oldest waiting connection, else admit @c as a reserve one. */
static void make_room(struct apid_connguard *g, struct connguard_conn *c,
                      bool is_same_ip)
{
    struct connguard_conn *v = oldest_head(g, c, is_same_ip);

    if (v != NULL) {
        cut(g, v);
        atomic_fetch_add(&g->n_evicted, 1);
    } else if (!c->is_reserve) {
        c->is_reserve = true;
        atomic_fetch_add(&g->n_reserve, 1);
    }
}

/* admit - link the new @c and apply the limits (g->lock held). */
static void admit(struct apid_connguard *g, struct connguard_conn *c)
{
    size_t same = 0;

    c->next = g->head;
    if (g->head != NULL)
        g->head->prev = c;
    g->head = c;
    g->nlive++;
    for (struct connguard_conn *o = g->head; o != NULL; o = o->next)
        if (!o->is_closing && same_ip(o, c))
            same++;
    if (same > g->lim.per_ip_connections)
        make_room(g, c, true);
    if (g->nlive > g->lim.max_connections)
        make_room(g, c, false);
}

/* started - a new connection. */
static void started(struct apid_connguard *g, struct MHD_Connection *conn,
                    void **socket_context)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct connguard_conn *c;

    if (ci == NULL)
        return; /* cannot be watched; MHD's own limits still apply */
    c = omkt_xcalloc(1, sizeof(*c));
    c->g = g;
    c->fd = ci->connect_fd;
    addr_of(conn, c);
    set_phase(c, CONNGUARD_HEAD, omkt_now_ms());
    pthread_mutex_lock(&g->lock);
    admit(g, c);
    pthread_mutex_unlock(&g->lock);
    *socket_context = c;
}

/* closed - MHD is about to close the connection's socket. */
static void closed(struct apid_connguard *g, void **socket_context)
{
    struct connguard_conn *c = *socket_context;

    if (c == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (!c->is_closing)
        g->nlive--;
    pthread_mutex_unlock(&g->lock);
    free(c);
    *socket_context = NULL;
}

void connguard_notify(void *cls, struct MHD_Connection *conn,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    switch (code) {
    case MHD_CONNECTION_NOTIFY_STARTED:
        started(cls, conn, socket_context);
        break;
    case MHD_CONNECTION_NOTIFY_CLOSED:
        closed(cls, socket_context);
        break;
    }
}

void connguard_phase(struct MHD_Connection *conn, enum connguard_phase phase)
{
    struct connguard_conn *c = conn_of(conn);

    if (c != NULL)
        set_phase(c, phase, omkt_now_ms());
}

bool connguard_is_reserve(struct MHD_Connection *conn)
{
    struct connguard_conn *c = conn_of(conn);

    return c != NULL && c->is_reserve; /* set before MHD saw a byte */
}

/* report - one summary line of the closings, at most every
 * LOG_EVERY_MS (a flood of slow clients must not flood the log). */
static void report(struct apid_connguard *g, int64_t now_ms)
{
    uint64_t head = atomic_load(&g->n_head_timeout);
    uint64_t body = atomic_load(&g->n_body_timeout);
    uint64_t evicted = atomic_load(&g->n_evicted);
    uint64_t reserve = atomic_load(&g->n_reserve);
    uint64_t total = head + body + evicted + reserve;

    if (total == g->n_logged || now_ms - g->logged_ms < LOG_EVERY_MS)
        return;
    omkt_log(
        OMKT_LOG_NOTICE,
        "slow or excess clients: %llu closed for request head over "
        "%llds, %llu for body over %llds, %llu closed to make room, "
        "%llu admitted over the limits (totals since start)",
        (unsigned long long)head, (long long)(g->lim.header_timeout_ms / 1000),
        (unsigned long long)body, (long long)(g->lim.body_timeout_ms / 1000),
        (unsigned long long)evicted, (unsigned long long)reserve);
    g->n_logged = total;
    g->logged_ms = now_ms;
}

/* tick - close the connections past their deadline. */
static void tick(void *ctx, bool is_last)
{
    struct apid_connguard *g = ctx;
    int64_t now = omkt_now_ms();

    if (is_last)
        return;
    pthread_mutex_lock(&g->lock);
    for (struct connguard_conn *c = g->head; c != NULL; c = c->next) {
        int64_t deadline = atomic_load(&c->deadline_ms);

        if (c->is_closing || deadline == 0 || now < deadline)
            continue;
        if (atomic_load(&c->phase) == CONNGUARD_BODY)
            atomic_fetch_add(&g->n_body_timeout, 1);
        else
            atomic_fetch_add(&g->n_head_timeout, 1);
        cut(g, c);
    }
    pthread_mutex_unlock(&g->lock);
    report(g, now);
}

int connguard_start(struct apid_connguard *g,
                    const struct connguard_limits *lim)
{
    int ret;

    g->lim = *lim;
    g->head = NULL;
    g->nlive = 0;
    g->logged_ms = omkt_now_ms();
    pthread_mutex_init(&g->lock, NULL);
    ret = omkt_ticker_start(&g->ticker, CONNGUARD_TICK_MS, tick, g);
    if (ret != OMKT_OK) {
        pthread_mutex_destroy(&g->lock);
        return ret;
    }
    g->is_started = true;
    return OMKT_OK;
}

void connguard_stop(struct apid_connguard *g)
{
    if (!g->is_started)
        return;
    omkt_ticker_stop(&g->ticker);
    pthread_mutex_destroy(&g->lock);
    g->is_started = false;
}

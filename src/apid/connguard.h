/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * connguard - apid's defence against slow and greedy clients, the part
 * libmicrohttpd 0.9.75 lacks: MHD's idle timeout restarts with every
 * byte, so a client sending one header line every few seconds holds a
 * connection for ever.  The guard tracks every connection (through
 * MHD_OPTION_NOTIFY_CONNECTION) with the phase of its request and
 * enforces:
 *
 *  - header_timeout: the whole request head (request line and headers)
 *    must arrive within this time of the connection opening, or of the
 *    previous reply on a kept-alive connection;
 *  - body_timeout: the whole body within this time of the headers;
 *  - per_ip_connections: when one client address opens more, its oldest
 *    connection still waiting for its request head is closed;
 *  - max_connections: when more are open, the oldest connection of all
 *    still waiting for its request head is closed.  Neither closes a
 *    connection whose complete head already waits unread in its socket
 *    buffer: that client is not slow, apid is busy (a health probe that
 *    connected just before a burst must not be its victim).  MHD itself admits
 *    CONNGUARD_RESERVE more (and per address), so a health probe still
 *    gets in while max_connections are busy; a request arriving on such
 *    a reserve connection is answered 503 (an OMKT 500 on /api/) unless
 *    it is GET /health.
 *
 * Closing is shutdown(fd, SHUT_RDWR): MHD's own thread then sees the
 * connection end and cleans it up; the client gets no reply (its request
 * is incomplete).
 *
 * DESIGN: a list of open connections under one mutex.  MHD calls the
 * CLOSED notification (which takes the mutex and unlinks the entry)
 * before it closes the socket, so a descriptor found in the list under
 * the mutex is still this connection's: shutdown() never hits a reused
 * descriptor.  Phase changes come from the connection's MHD thread and
 * are atomics (no lock); a ticker thread checks deadlines every
 * CONNGUARD_TICK_MS.
 */
#ifndef OMKT_APID_CONNGUARD_H
#define OMKT_APID_CONNGUARD_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ticker.h"

#define CONNGUARD_RESERVE 16  /* connections MHD admits beyond the limits */
#define CONNGUARD_TICK_MS 200 /* deadline precision */

/* The phase of a connection's current request. */
enum connguard_phase {
    CONNGUARD_HEAD,  /* waiting for the request line and headers */
    CONNGUARD_BODY,  /* headers in, reading the body */
    CONNGUARD_REPLY, /* being answered: no deadline of ours */
};

struct connguard_limits {
    int64_t header_timeout_ms;
    int64_t body_timeout_ms;
    size_t max_connections;
    size_t per_ip_connections;
};

struct connguard_conn;

struct apid_connguard {
    struct connguard_limits lim;
    pthread_mutex_t lock;
    struct connguard_conn *head; /* open connections, newest first */
    size_t nlive;                /* of them, not being closed by us */
    struct omkt_ticker ticker;
    bool is_started;
    /* counts since start, for /metrics and the log */
    _Atomic uint64_t n_head_timeout, n_body_timeout, n_evicted, n_reserve;
    uint64_t n_logged; /* closings already logged (ticker thread) */
    int64_t logged_ms;
};

/* connguard_start - the deadline ticker.  OMKT_OK, or OMKT_ENOMEM when
 * its thread cannot be created. */
int connguard_start(struct apid_connguard *g,
                    const struct connguard_limits *lim);

/* connguard_stop - stop the ticker; call after MHD_stop_daemon (every
 * connection is then closed).  Idempotent. */
void connguard_stop(struct apid_connguard *g);

/* connguard_notify - the MHD_OPTION_NOTIFY_CONNECTION callback; @cls is
 * the guard. */
void connguard_notify(void *cls, struct MHD_Connection *conn,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* connguard_phase - @conn's request entered @phase (from its MHD
 * thread). */
void connguard_phase(struct MHD_Connection *conn, enum connguard_phase phase);

/* connguard_is_reserve - @conn was admitted beyond max_connections or
 * per_ip_connections with nothing to close: serve only health probes. */
bool connguard_is_reserve(struct MHD_Connection *conn);

#endif

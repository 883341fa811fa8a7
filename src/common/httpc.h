/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpc - small pieces shared by the libcurl clients (downloaderd,
 * notifierd): percent-encoding, adding a query parameter to a URL the way
 * the reference does, and the one easy-handle setup every outgoing request
 * goes through (STYLE.md section 10), address policy included.  Nothing
 * here does I/O.
 *
 * DESIGN: the address policy (addrpol.h) runs in
 * CURLOPT_OPENSOCKETFUNCTION, on the address libcurl is about to connect
 * to: after DNS, on every redirect hop and every new connection, so a
 * redirect or a name re-resolving to a private address (DNS rebinding) is
 * caught too.  Any code making a request must use omkt_http_setup.
 */
#ifndef OMKT_COMMON_HTTPC_H
#define OMKT_COMMON_HTTPC_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Hard cap on any URL we build or accept. */
#define OMKT_URL_MAX 8192

/* omkt_http_escape - RFC 3986 percent-encoding of everything but the
 * unreserved characters.  Returns a new string (free()). */
char *omkt_http_escape(const char *s);

/*
 * omkt_http_add_query - @url with "@query" appended to its query: after
 * "?" when it has none yet, else after "&"; placed before any "#fragment".
 * @query must already be encoded.  Returns a new string (free()).
 */
char *omkt_http_add_query(const char *url, const char *query);

/*
 * omkt_http_target - the request target a client sends for @url: its
 * path and query ("/" when the path is empty), without the fragment.
 * OMKT_EINVAL when @url is not "scheme://authority...", OMKT_ETOOBIG when
 * it does not fit in @size.
 */
int omkt_http_target(const char *url, char *buf, size_t size);

/* Limits for omkt_http_setup. */
struct omkt_http_limits {
    int64_t connect_timeout_ms;
    int64_t timeout_ms;        /* whole transfer */
    int64_t low_speed_bps;     /* 0: no minimum speed */
    int64_t low_speed_time_ms; /* below low_speed_bps this long: abort */
    bool allow_private;        /* loopback/private peers allowed */
};

/* One transfer's peer check: filled by the address policy. */
struct omkt_http_peer {
    bool allow_private;
    bool is_refused; /* a connect was refused */
    char refused[128];
};

/*
 * omkt_http_setup - reset @h and set what every request needs: error
 * buffer (@errbuf, CURL_ERROR_SIZE bytes, borrowed for the handle's use),
 * NOSIGNAL, http/https only (also for redirects), timeouts, the minimum
 * speed, no proxy from the environment, no dot-segment rewriting, and the
 * address policy (@peer, borrowed for the transfer: it records a refusal).
 * OMKT_ENET on failure.
 */
int omkt_http_setup(CURL *h, char *errbuf, const struct omkt_http_limits *lim,
                    struct omkt_http_peer *peer, struct omkt_errbuf *eb);

/*
 * omkt_http_refused - after a transfer ended with @rc: OMKT_EPERM (eb
 * names the address, not retryable) when it failed because the address
 * policy refused the peer, else OMKT_OK.  A refused address may be one of
 * several tried: only a failed connect makes it the reason.
 */
int omkt_http_refused(const struct omkt_http_peer *peer, CURLcode rc,
                      struct omkt_errbuf *eb);

/*
 * omkt_http_is_too_slow - the transfer of @h, ended with @rc (a timeout),
 * was cut by the minimum speed of @lim: connected, and stopped well short
 * of lim->timeout_ms.
 */
bool omkt_http_is_too_slow(CURL *h, const struct omkt_http_limits *lim,
                           CURLcode rc);

#endif

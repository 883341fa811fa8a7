/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpc - small pieces shared by the libcurl clients (downloaderd,
 * notifierd): percent-encoding, adding a query parameter to a URL the way
 * the reference does, and the easy-handle options every outgoing request
 * must carry (STYLE.md section 10).  Nothing here does I/O.
 */
#ifndef OMKT_COMMON_HTTPC_H
#define OMKT_COMMON_HTTPC_H

#include <curl/curl.h>
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
    int64_t timeout_ms; /* whole transfer */
};

/*
 * omkt_http_setup - reset @h and set what every request needs: error
 * buffer (@errbuf, CURL_ERROR_SIZE bytes, borrowed for the handle's use),
 * NOSIGNAL, http/https only (also for redirects), timeouts, no proxy from
 * the environment, no dot-segment rewriting.  OMKT_ENET on failure.
 */
int omkt_http_setup(CURL *h, char *errbuf, const struct omkt_http_limits *lim,
                    struct omkt_errbuf *eb);

#endif

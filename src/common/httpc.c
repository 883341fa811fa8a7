/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpc - URL helpers and common libcurl options (see httpc.h). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addrpol.h"
#include "alloc.h"
#include "httpc.h"
#include "version.h"

char *omkt_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = omkt_xmalloc(n * 3 + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            out[j++] = (char)c;
            continue;
        }
        out[j++] = '%';
        out[j++] = hex[c >> 4];
        out[j++] = hex[c & 15];
    }
    out[j] = '\0';
    return out;
}

char *omkt_http_add_query(const char *url, const char *query)
{
    size_t base = strcspn(url, "#");
    const char *sep = memchr(url, '?', base) ? "&" : "?";

    /* "http://h/p?" already ends its query: no separator needed. */
    if (base > 0 && (url[base - 1] == '?' || url[base - 1] == '&'))
        sep = "";
    return omkt_xasprintf("%.*s%s%s%s", (int)base, url, sep, query, url + base);
}

int omkt_http_target(const char *url, char *buf, size_t size)
{
    const char *p = strstr(url, "://");
    size_t auth, len;
    int n;

    if (p == NULL || p == url)
        return OMKT_EINVAL;
    p += 3;
    auth = strcspn(p, "/?#");
    p += auth;
    len = strcspn(p, "#");
    n = snprintf(buf, size, "%s%.*s", *p == '/' ? "" : "/", (int)len, p);
    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

/* on_opensocket - CURLOPT_OPENSOCKETFUNCTION: the address policy. */
static curl_socket_t on_opensocket(void *arg, curlsocktype purpose,
                                   struct curl_sockaddr *a)
{
    struct omkt_http_peer *peer = arg;
    const char *what = NULL;
    char ip[64];

    (void)purpose;
    if (!peer->allow_private &&
        omkt_addrpol_is_refused(&a->addr, a->addrlen, &what)) {
        omkt_addrpol_format(&a->addr, ip, sizeof(ip));
        snprintf(peer->refused, sizeof(peer->refused), "%s address %s", what,
                 ip);
        peer->is_refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* set_policy - the address check and the minimum speed. */
static CURLcode set_policy(CURL *h, const struct omkt_http_limits *lim,
                           struct omkt_http_peer *peer)
{
    CURLcode rc;

    memset(peer, 0, sizeof(*peer));
    peer->allow_private = lim->allow_private;
    rc = curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, peer);
    if (rc == CURLE_OK && lim->low_speed_bps > 0) {
        long s = (long)((lim->low_speed_time_ms + 999) / 1000);

        rc = curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT,
                              (long)lim->low_speed_bps);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s > 0 ? s : 1L);
    }
    return rc;
}

int omkt_http_setup(CURL *h, char *errbuf, const struct omkt_http_limits *lim,
                    struct omkt_http_peer *peer, struct omkt_errbuf *eb)
{
    CURLcode rc = CURLE_OK;

    curl_easy_reset(h);
    errbuf[0] = '\0';
    /* Each call only fails on a bad option or OOM: stop at the first. */
    rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                              (long)lim->connect_timeout_ms);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)lim->timeout_ms);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_USERAGENT, "omkt/" OMKT_VERSION);
    if (rc == CURLE_OK)
        rc = set_policy(h, lim, peer);
    if (rc != CURLE_OK) {
        omkt_errf(eb, "curl setup: %s", curl_easy_strerror(rc));
        return OMKT_ENET;
    }
    return OMKT_OK;
}

int omkt_http_refused(const struct omkt_http_peer *peer, CURLcode rc,
                      struct omkt_errbuf *eb)
{
    if (!peer->is_refused || rc != CURLE_COULDNT_CONNECT)
        return OMKT_OK;
    omkt_errf(eb, "refused %s (allow_private is off)", peer->refused);
    if (eb != NULL)
        eb->retryable = false;
    return OMKT_EPERM;
}

bool omkt_http_is_too_slow(CURL *h, const struct omkt_http_limits *lim,
                           CURLcode rc)
{
    curl_off_t total_us = 0, connect_us = 0;

    if (rc != CURLE_OPERATION_TIMEDOUT || lim->low_speed_bps <= 0)
        return false;
    (void)curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
    (void)curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
    return connect_us > 0 && total_us / 1000 + 500 < lim->timeout_ms;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpc - URL helpers and common libcurl options (see httpc.h). */
#include <stdio.h>
#include <string.h>

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

int omkt_http_setup(CURL *h, char *errbuf, const struct omkt_http_limits *lim,
                    struct omkt_errbuf *eb)
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
    if (rc != CURLE_OK) {
        omkt_errf(eb, "curl setup: %s", curl_easy_strerror(rc));
        return OMKT_ENET;
    }
    return OMKT_OK;
}

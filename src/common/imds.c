/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * imds - IMDSv2 session tokens and metadata reads (see imds.h).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "awsreq.h"
#include "httpc.h"
#include "imds.h"
#include "text.h"

#define BODY_MAX  (64 * 1024)
#define TOKEN_TTL 21600
#define TOKEN_MAX 256

struct omkt_imds {
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    char *endpoint; /* without a trailing '/' */
    char token[TOKEN_MAX];
    time_t token_until; /* renew after this */
};

int omkt_imds_new(const char *endpoint, struct omkt_imds **out,
                  struct omkt_errbuf *eb)
{
    const char *ep = endpoint && *endpoint ? endpoint : OMKT_IMDS_DEFAULT;
    struct omkt_imds *m;
    size_t n = strlen(ep);

    *out = NULL;
    if (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0) {
        omkt_errf(eb, "imds endpoint must be http(s)://host[:port]: %s", ep);
        return OMKT_EINVAL;
    }
    m = omkt_xcalloc(1, sizeof(*m));
    while (n > 0 && ep[n - 1] == '/')
        n--;
    m->endpoint = omkt_xstrndup(ep, n);
    m->h = curl_easy_init();
    if (m->h == NULL) {
        omkt_imds_free(m);
        omkt_errf(eb, "imds: curl_easy_init failed");
        return OMKT_ENET;
    }
    *out = m;
    return OMKT_OK;
}

void omkt_imds_free(struct omkt_imds *m)
{
    if (m == NULL)
        return;
    if (m->h)
        curl_easy_cleanup(m->h);
    free(m->endpoint);
    free(m);
}

/* xreq - one metadata request and its answer. */
struct xreq {
    const char *method;
    const char *path; /* under /latest/ */
    const char *hdr;  /* the one header it sends */
    long status;
    struct omkt_aws_body b; /* new: free b.p */
};

/* request - run @q; q->status and q->b get the answer. */
static int request(struct omkt_imds *m, struct xreq *q, struct omkt_errbuf *eb)
{
    const char *method = q->method, *path = q->path;
    struct omkt_aws_body *b = &q->b;
    long *st = &q->status;
    static const struct omkt_http_limits lim = {
        .connect_timeout_ms = 1000, .timeout_ms = 3000, .allow_private = true};
    char *url = omkt_xasprintf("%s/latest/%s", m->endpoint, path);
    struct curl_slist *l = curl_slist_append(NULL, q->hdr);
    struct omkt_http_peer peer;
    CURLcode cc = l ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    int rc = omkt_http_setup(m->h, m->errbuf, &lim, &peer, eb);

    *st = 0;
    if (rc == OMKT_OK && cc == CURLE_OK)
        cc = curl_easy_setopt(m->h, CURLOPT_URL, url);
    if (rc == OMKT_OK && cc == CURLE_OK && strcmp(method, "PUT") == 0)
        cc = curl_easy_setopt(m->h, CURLOPT_CUSTOMREQUEST, method);
    if (rc == OMKT_OK && cc == CURLE_OK)
        cc = curl_easy_setopt(m->h, CURLOPT_HTTPHEADER, l);
    if (rc == OMKT_OK && cc == CURLE_OK)
        cc = curl_easy_setopt(m->h, CURLOPT_WRITEFUNCTION, omkt_aws_body_write);
    if (rc == OMKT_OK && cc == CURLE_OK)
        cc = curl_easy_setopt(m->h, CURLOPT_WRITEDATA, b);
    if (rc == OMKT_OK && cc == CURLE_OK)
        cc = curl_easy_perform(m->h);
    if (rc == OMKT_OK && cc != CURLE_OK) {
        omkt_errf(eb, "imds %s %s: %s", method, path,
                  b->is_over     ? "answer too large"
                  : m->errbuf[0] ? m->errbuf
                                 : curl_easy_strerror(cc));
        if (eb)
            eb->retryable = !b->is_over;
        rc = b->is_over ? OMKT_ETOOBIG : OMKT_ENET;
    }
    if (rc == OMKT_OK)
        (void)curl_easy_getinfo(m->h, CURLINFO_RESPONSE_CODE, st);
    (void)curl_easy_setopt(m->h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(l);
    free(url);
    return rc;
}

/* renew - a fresh session token. */
static int renew(struct omkt_imds *m, struct omkt_errbuf *eb)
{
    struct xreq q = {"PUT",
                     "api/token",
                     "X-aws-ec2-metadata-token-ttl-seconds: 21600",
                     0,
                     {NULL, 0, BODY_MAX, false}};
    int rc = request(m, &q, eb);
    size_t n = q.b.p ? strcspn(q.b.p, "\r\n") : 0;

    if (rc == OMKT_OK && (q.status != 200 || n == 0 || n >= TOKEN_MAX)) {
        omkt_errf(eb, "imds PUT api/token: HTTP %ld%s", q.status,
                  q.status == 200 ? " without a usable token" : "");
        rc = OMKT_EHTTP;
    }
    if (rc == OMKT_OK) {
        memcpy(m->token, q.b.p, n);
        m->token[n] = '\0';
        m->token_until = time(NULL) + TOKEN_TTL - 60;
    }
    free(q.b.p);
    return rc;
}

/* get_once - GET q->path with the current token into @q (a previous
 * answer in it is dropped). */
static int get_once(struct omkt_imds *m, struct xreq *q, struct omkt_errbuf *eb)
{
    char *hdr = omkt_xasprintf("X-aws-ec2-metadata-token: %s", m->token);
    int rc;

    OMKT_FREE(q->b.p);
    q->b.len = 0;
    q->method = "GET";
    q->hdr = hdr;
    rc = request(m, q, eb);
    q->hdr = NULL;
    free(hdr);
    return rc;
}

int omkt_imds_get(struct omkt_imds *m, const char *path, char **out,
                  struct omkt_errbuf *eb)
{
    struct xreq q = {"GET", path, NULL, 0, {NULL, 0, BODY_MAX, false}};
    int rc = OMKT_OK;

    *out = NULL;
    if (m->token[0] == '\0' || time(NULL) >= m->token_until)
        rc = renew(m, eb);
    if (rc == OMKT_OK)
        rc = get_once(m, &q, eb);
    if (rc == OMKT_OK && q.status == 401) { /* token expired or revoked */
        rc = renew(m, eb);
        if (rc == OMKT_OK)
            rc = get_once(m, &q, eb);
    }
    if (rc == OMKT_OK && q.status != 200) {
        omkt_errf(eb, "imds GET %s: HTTP %ld", path, q.status);
        rc = q.status == 404 ? OMKT_ENOTFOUND : OMKT_EHTTP;
    }
    if (rc == OMKT_OK)
        *out = q.b.p ? q.b.p : omkt_xstrdup("");
    else
        free(q.b.p);
    return rc;
}

int omkt_imds_instance_id(struct omkt_imds *m, char **id,
                          struct omkt_errbuf *eb)
{
    char *s = NULL;
    int rc = omkt_imds_get(m, "meta-data/instance-id", &s, eb);
    size_t n = s ? strcspn(s, "\r\n \t") : 0;

    *id = NULL;
    if (rc == OMKT_OK && n == 0) {
        omkt_errf(eb, "imds: empty instance-id");
        rc = OMKT_EHTTP;
    }
    if (rc == OMKT_OK)
        *id = omkt_xstrndup(s, n);
    free(s);
    return rc;
}

int omkt_imds_parse_spot(const char *body, size_t len,
                         struct omkt_imds_spot *out)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *a = json_string_value(json_object_get(j, "action"));
    const char *t = json_string_value(json_object_get(j, "time"));
    int rc = OMKT_EINVAL;

    memset(out, 0, sizeof(*out));
    if (a && *a) {
        (void)omkt_text_copy(out->action, sizeof(out->action), a);
        (void)omkt_text_copy(out->time, sizeof(out->time), t ? t : "");
        rc = OMKT_OK;
    }
    json_decref(j);
    return rc;
}

int omkt_imds_spot_notice(struct omkt_imds *m, struct omkt_imds_spot *out,
                          struct omkt_errbuf *eb)
{
    struct omkt_errbuf e = {0};
    char *s = NULL;
    int rc = omkt_imds_get(m, "meta-data/spot/instance-action", &s, &e);

    memset(out, 0, sizeof(*out));
    if (rc == OMKT_ENOTFOUND)
        return OMKT_ENOTFOUND; /* no interruption scheduled: no text */
    if (rc != OMKT_OK) {
        omkt_errf(eb, "%s", e.msg);
        if (eb)
            eb->retryable = e.retryable;
        return rc;
    }
    rc = omkt_imds_parse_spot(s, strlen(s), out);
    if (rc != OMKT_OK)
        omkt_errf(eb, "imds: the spot notice is not {action, time}");
    free(s);
    return rc;
}

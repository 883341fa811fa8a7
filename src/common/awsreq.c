/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * awsreq - signed POSTs to AWS service endpoints, with retries (see
 * awsreq.h).
 *
 * DESIGN: post_once() builds the headers (Host, X-Amz-Date, Content-Type,
 * X-Amz-Target, X-Amz-Security-Token), signs them with s3sign and runs
 * the exchange on the client's handle; omkt_aws_post() retries it.  The
 * body is in memory (CURLOPT_POSTFIELDS), so a retry resends the same
 * bytes under a fresh date and signature.  Response bodies are capped at
 * RESP_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "awsreq.h"
#include "s3sign.h"

#define RESP_MAX     (1 << 20)
#define HDR_MAX      8
#define DEF_ATTEMPTS 5
#define MSG_MAX      240 /* bytes of a service's error message shown */

struct omkt_aws {
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    char *url;  /* endpoint + "/" */
    char *host; /* authority: host[:port] */
    char *region, *service;
    int max_attempts;
    int64_t backoff_ms, backoff_max_ms;
    struct omkt_http_limits lim;
    struct omkt_http_peer peer;
    struct omkt_s3_creds cr;
    bool (*stop)(void *);
    void *stop_arg;
    int retries;
    unsigned seed;
};

/* exch - one exchange's answer and interruption state. */
struct exch {
    struct omkt_aws *c;
    struct omkt_aws_body b;
    bool is_stopped;
};

/* parse_endpoint - "http(s)://authority[/]" into url and host. */
static int parse_endpoint(struct omkt_aws *c, const char *ep,
                          struct omkt_errbuf *eb)
{
    const char *p = NULL;
    size_t n;

    if (ep && strncmp(ep, "http://", 7) == 0)
        p = ep + 7;
    else if (ep && strncmp(ep, "https://", 8) == 0)
        p = ep + 8;
    n = p ? strcspn(p, "/?#") : 0;
    if (p == NULL || n == 0 || (p[n] != '\0' && strcmp(p + n, "/") != 0)) {
        omkt_errf(eb, "aws endpoint must be http(s)://host[:port]: %s",
                  ep ? ep : "(none)");
        return OMKT_EINVAL;
    }
    c->host = omkt_xstrndup(p, n);
    c->url = omkt_xasprintf("%.*s/", (int)(p - ep + (ptrdiff_t)n), ep);
    return OMKT_OK;
}

/* copy_config - the settings of @cfg, defaults applied. */
static void copy_config(struct omkt_aws *c, const struct omkt_aws_config *cfg)
{
    c->region =
        omkt_xstrdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
    c->service = omkt_xstrdup(cfg->service);
    c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : DEF_ATTEMPTS;
    c->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 200;
    c->backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : 20000;
    c->lim = cfg->lim;
    if (c->lim.connect_timeout_ms <= 0)
        c->lim.connect_timeout_ms = 5000;
    if (c->lim.timeout_ms <= 0)
        c->lim.timeout_ms = 30000;
    c->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)c;
}

int omkt_aws_new(const struct omkt_aws_config *cfg,
                 const struct omkt_s3_creds *cr, struct omkt_aws **out,
                 struct omkt_errbuf *eb)
{
    struct omkt_aws *c;
    int rc;

    *out = NULL;
    if (cr == NULL || cr->access_key == NULL || cr->secret_key == NULL ||
        *cr->access_key == '\0' || *cr->secret_key == '\0') {
        omkt_errf(eb, "aws: no access key or secret key");
        return OMKT_EINVAL;
    }
    if (cfg->service == NULL || *cfg->service == '\0') {
        omkt_errf(eb, "aws: no service name to sign for");
        return OMKT_EINVAL;
    }
    c = omkt_xcalloc(1, sizeof(*c));
    rc = parse_endpoint(c, cfg->endpoint, eb);
    if (rc == OMKT_OK) {
        copy_config(c, cfg);
        omkt_s3_creds_copy(&c->cr, cr);
        c->h = curl_easy_init();
    }
    if (rc == OMKT_OK && c->h == NULL) {
        omkt_errf(eb, "aws: curl_easy_init failed");
        rc = OMKT_ENET;
    }
    if (rc != OMKT_OK) {
        omkt_aws_free(c);
        return rc;
    }
    *out = c;
    return OMKT_OK;
}

void omkt_aws_free(struct omkt_aws *c)
{
    if (c == NULL)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    omkt_s3_creds_clear(&c->cr);
    free(c->url);
    free(c->host);
    free(c->region);
    free(c->service);
    free(c);
}

void omkt_aws_set_stop(struct omkt_aws *c, bool (*stop)(void *), void *arg)
{
    c->stop = stop;
    c->stop_arg = arg;
}

int omkt_aws_retries(const struct omkt_aws *c)
{
    return c->retries;
}

void omkt_aws_resp_clear(struct omkt_aws_resp *r)
{
    if (r == NULL)
        return;
    OMKT_FREE(r->body);
    r->len = 0;
    r->status = 0;
}

/* ---- query strings and form bodies ---- */

/* cmp_param - byte order of names; equal names keep their order (the
 * index tiebreak below). */
static int cmp_param(const void *a, const void *b)
{
    const struct omkt_aws_param *const *x = a, *const *y = b;
    int d = strcmp((*x)->name, (*y)->name);

    if (d != 0)
        return d;
    return *x < *y ? -1 : (*x > *y);
}

char *omkt_aws_form(const struct omkt_aws_param *p, size_t n)
{
    const struct omkt_aws_param **v = omkt_xcalloc(n ? n : 1, sizeof(*v));
    char *out = omkt_xstrdup("");

    for (size_t i = 0; i < n; i++)
        v[i] = &p[i];
    qsort(v, n, sizeof(*v), cmp_param);
    for (size_t i = 0; i < n; i++) {
        char *k = omkt_s3_uri_encode(v[i]->name, false);
        char *val = omkt_s3_uri_encode(v[i]->value ? v[i]->value : "", false);
        char *next = omkt_xasprintf("%s%s%s=%s", out, i ? "&" : "", k, val);

        free(out);
        out = next;
        free(k);
        free(val);
    }
    free(v);
    return out;
}

size_t omkt_aws_body_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct omkt_aws_body *b = arg;
    size_t n = size * nmemb;

    if (b->len + n > b->max) {
        b->is_over = true;
        return 0;
    }
    b->p = omkt_xrealloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

/* ---- errors ---- */

/* code_in - whether @code is one of the NULL-terminated @set (may be
 * NULL). */
static bool code_in(const char *code, const char *const *set)
{
    for (; set && *set; set++)
        if (strcmp(code, *set) == 0)
            return true;
    return false;
}

/* has_suffix - whether @s ends with @suf. */
static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);

    return n >= k && strcmp(s + n - k, suf) == 0;
}

/* error_code - the omkt code of @f under @m; *retry when transient. */
static int error_code(const struct omkt_aws_errmap *m,
                      const struct omkt_aws_fault *f, bool *retry)
{
    const char *c = f->code;

    *retry = f->status >= 500 || f->status == 429 || f->status == 408 ||
             code_in(c, m->transient);
    if (*retry)
        return OMKT_EHTTP;
    if (f->status == 401 || f->status == 403 || code_in(c, m->perm))
        return OMKT_EPERM;
    if (code_in(c, m->gone) || has_suffix(c, ".NotFound"))
        return OMKT_ENOTFOUND;
    if (code_in(c, m->lost))
        return OMKT_ELOST;
    if (strncmp(c, "Invalid", 7) == 0 || strncmp(c, "Missing", 7) == 0 ||
        code_in(c, m->invalid))
        return OMKT_EINVAL;
    return OMKT_EHTTP;
}

int omkt_aws_error(const struct omkt_aws_errmap *m, const char *what,
                   const struct omkt_aws_fault *f, struct omkt_errbuf *eb)
{
    const char *msg = f->message ? f->message : "";
    bool retry = false;
    int rc = error_code(m, f, &retry);

    omkt_errf(eb, "%s: HTTP %ld %s%s%.*s", what, f->status, f->code,
              msg[0] ? ": " : "", MSG_MAX, msg);
    if (eb)
        eb->retryable = retry;
    return rc;
}

/* ---- one exchange ---- */

static int cb_xfer(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                   curl_off_t un)
{
    struct exch *x = arg;

    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    if (x->c->stop && x->c->stop(x->c->stop_arg)) {
        x->is_stopped = true;
        return 1;
    }
    return 0;
}

/* hdrs - the header set to sign and send. */
struct hdrs {
    struct omkt_s3_header v[HDR_MAX];
    size_t n;
    struct curl_slist *list;
    bool is_oom;
};

/* add_hdr - append "name: value" to @h (signed and sent). */
static void add_hdr(struct hdrs *h, const char *name, const char *value)
{
    char *line = omkt_xasprintf("%s: %s", name, value);
    struct curl_slist *l = h->is_oom ? NULL : curl_slist_append(h->list, line);

    free(line);
    if (l == NULL) {
        h->is_oom = true;
        return;
    }
    h->list = l;
    h->v[h->n].name = name;
    h->v[h->n].value = value;
    h->n++;
}

/* sign - the signed header list of @call on @c (new; NULL on failure). */
static struct curl_slist *sign(struct omkt_aws *c,
                               const struct omkt_aws_call *call)
{
    struct hdrs h = {.list = NULL};
    char date[17], hash[OMKT_SHA256_HEX_LEN + 1];
    struct tm tm;
    time_t t = time(NULL);
    struct omkt_sigv4_scope sc = {c->cr.access_key, c->cr.secret_key, c->region,
                                  c->service, date};
    struct omkt_sigv4_request sr;
    char *authz = NULL, *line;

    gmtime_r(&t, &tm);
    (void)strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
    omkt_sha256_hex(call->body ? call->body : "", call->len, hash);
    add_hdr(&h, "Host", c->host);
    add_hdr(&h, "X-Amz-Date", date);
    add_hdr(&h, "Content-Type", call->content_type);
    if (call->target)
        add_hdr(&h, "X-Amz-Target", call->target);
    if (c->cr.session_token)
        add_hdr(&h, "X-Amz-Security-Token", c->cr.session_token);
    sr = (struct omkt_sigv4_request){"POST", "/", NULL, h.v, h.n, hash, true};
    if (h.is_oom || omkt_sigv4_authorization(&sr, &sc, &authz) != OMKT_OK) {
        curl_slist_free_all(h.list);
        return NULL;
    }
    line = omkt_xasprintf("Authorization: %s", authz);
    free(authz);
    struct curl_slist *l = curl_slist_append(h.list, line);

    free(line);
    if (l == NULL) {
        curl_slist_free_all(h.list);
        return NULL;
    }
    h.list = curl_slist_append(l, "Expect:"); /* no 100-continue wait */
    if (h.list == NULL)
        curl_slist_free_all(l);
    return h.list;
}

/* setup - the options of one exchange on the handle. */
static CURLcode setup(struct omkt_aws *c, const struct omkt_aws_call *call,
                      struct curl_slist *hl, struct exch *x)
{
    CURL *h = c->h;
    CURLcode cc = hl ? CURLE_OK : CURLE_OUT_OF_MEMORY;

    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_URL, c->url);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                              (curl_off_t)call->len);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS,
                              call->body ? call->body : "");
    if (cc == CURLE_OK && call->timeout_ms > 0)
        cc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)call->timeout_ms);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, omkt_aws_body_write);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->b);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb_xfer);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
    return cc;
}

/* transport - the error of an exchange that got no complete answer. */
static int transport(struct omkt_aws *c, const struct omkt_aws_call *call,
                     CURLcode cc, const struct exch *x, struct omkt_errbuf *eb)
{
    struct omkt_errbuf refused = {0};

    if (x->is_stopped) {
        omkt_errf(eb, "%s: interrupted", call->what);
        return OMKT_ESHUTDOWN;
    }
    if (x->b.is_over) {
        omkt_errf(eb, "%s: answer larger than %d bytes", call->what, RESP_MAX);
        return OMKT_ETOOBIG;
    }
    if (omkt_http_refused(&c->peer, cc, &refused) != OMKT_OK) {
        omkt_errf(eb, "%s: %s", call->what, refused.msg);
        return OMKT_EPERM; /* configuration, not transient */
    }
    omkt_errf(eb, "%s: %s", call->what,
              c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
    if (eb)
        eb->retryable = true;
    return OMKT_ENET;
}

/* post_once - sign and run @call once; the answer's meaning from
 * @classify. */
static int post_once(struct omkt_aws *c, const struct omkt_aws_call *call,
                     omkt_aws_classify_fn classify, struct omkt_aws_resp *r,
                     struct omkt_errbuf *eb)
{
    struct exch x = {c, {NULL, 0, RESP_MAX, false}, false};
    struct curl_slist *hl;
    CURLcode cc;
    int ret;

    omkt_aws_resp_clear(r);
    ret = omkt_http_setup(c->h, c->errbuf, &c->lim, &c->peer, eb);
    if (ret != OMKT_OK)
        return ret;
    hl = sign(c, call);
    cc = setup(c, call, hl, &x);
    if (cc == CURLE_OK)
        cc = curl_easy_perform(c->h);
    r->body = x.b.p ? x.b.p : omkt_xstrdup(""); /* some answers have none */
    r->len = x.b.len;
    if (cc == CURLE_OK) {
        (void)curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &r->status);
        ret = classify(call->what, r->status, r->body, r->len, eb);
    } else {
        ret = transport(c, call, cc, &x, eb);
    }
    /* the handle must not keep pointers into this frame */
    (void)curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    return ret;
}

int64_t omkt_aws_backoff_ms(int64_t base, int64_t cap, int attempt,
                            unsigned *seed)
{
    int64_t d = base;

    for (int i = 1; i < attempt && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    return d / 2 + (int64_t)(rand_r(seed) % (unsigned)(d / 2 + 1));
}

/* pause_retry - sleep before retry @attempt; false when stopped. */
static bool pause_retry(struct omkt_aws *c, int attempt)
{
    int64_t d = omkt_aws_backoff_ms(c->backoff_ms, c->backoff_max_ms, attempt,
                                    &c->seed);
    struct timespec ts;

    for (int64_t left = d; left > 0; left -= 100) {
        if (c->stop && c->stop(c->stop_arg))
            return false;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(left < 100 ? left : 100) * 1000000L;
        (void)nanosleep(&ts, NULL); /* EINTR: the loop re-checks stop */
    }
    return !(c->stop && c->stop(c->stop_arg));
}

int omkt_aws_post(struct omkt_aws *c, const struct omkt_aws_call *call,
                  omkt_aws_classify_fn classify, struct omkt_aws_resp *resp,
                  struct omkt_errbuf *eb)
{
    struct omkt_errbuf e = {0};
    int rc = OMKT_OK;

    memset(resp, 0, sizeof(*resp));
    for (int a = 1; a <= c->max_attempts; a++) {
        omkt_errbuf_clear(&e);
        e.retryable = false;
        rc = post_once(c, call, classify, resp, &e);
        if (rc == OMKT_OK || !e.retryable || a == c->max_attempts)
            break;
        c->retries++;
        if (!pause_retry(c, a)) {
            omkt_errbuf_clear(&e);
            omkt_errf(&e, "%s: interrupted", call->what);
            rc = OMKT_ESHUTDOWN;
            break;
        }
    }
    if (rc != OMKT_OK) {
        omkt_aws_resp_clear(resp);
        omkt_errf(eb, "%s", e.msg);
        if (eb)
            eb->retryable = e.retryable;
    }
    return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * callback - build, sign, send and judge callbacks (see callback.h).
 *
 * DESIGN: a 'notify' job is one callback; the queue gives retries with
 * backoff and survival across restarts, and its id is the callback id the
 * CMS can use to drop duplicates (a delivery whose answer was lost is
 * sent again).  The handler only talks HTTP: no hook writes anything.
 * Redirects are not followed (the signature covers the target).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callback.h"
#include "common/alloc.h"
#include "common/db_accounts.h"
#include "common/log.h"
#include "common/text.h"
#include "form.h"
#include "sign.h"
#include "streamurl.h"

#define REPLY_MAX (64 * 1024)

static const struct nt_conf *conf;

void callback_init(const struct nt_conf *c)
{
    conf = c;
}

struct reply {
    char buf[REPLY_MAX + 1];
    size_t len;
    bool is_too_big;
    const struct cb_stop *st;
    bool is_stopped;
};

/* on_write - keep the answer, up to REPLY_MAX bytes. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct reply *r = arg;
    size_t n = size * nmemb;

    if (r->len + n > REPLY_MAX) {
        r->is_too_big = true;
        return 0;
    }
    memcpy(r->buf + r->len, ptr, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return n;
}

/* on_progress - stop when the job or the daemon says so. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct reply *r = arg;
    bool stop = r->st->ctx ? omkt_jobctx_should_stop(r->st->ctx)
                           : atomic_load(&r->st->d->is_stopping);

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    r->is_stopped = stop;
    return stop ? 1 : 0;
}

/* add_header - append "name: value" to *list. */
static int add_header(struct curl_slist **list, const char *name,
                      const char *value)
{
    char line[512];
    struct curl_slist *l;

    snprintf(line, sizeof(line), "%s: %s", name, value);
    l = curl_slist_append(*list, line);
    if (l == NULL)
        return OMKT_ENOMEM;
    *list = l;
    return OMKT_OK;
}

/* headers - id, attempt, signature, and the body's type for a POST. */
static int headers(const struct cb_req *rq, struct curl_slist **list,
                   struct omkt_errbuf *eb)
{
    char target[OMKT_URL_MAX], sig[SIGN_HEADER_MAX], attempt[16];
    struct sign_input si = {
        .key = rq->key,
        .t = (int64_t)time(NULL),
        .id = rq->id,
        .method = rq->body ? "POST" : "GET",
        .target = target,
        .body = rq->body,
        .body_len = rq->body ? strlen(rq->body) : 0,
    };
    int ret = omkt_http_target(rq->url, target, sizeof(target));

    if (ret != OMKT_OK) {
        omkt_errf(eb, "bad callback URL: %.200s", rq->url);
        return OMKT_EINVAL;
    }
    snprintf(attempt, sizeof(attempt), "%d", rq->attempt);
    ret = add_header(list, "X-Omkt-Callback-Id", rq->id);
    if (ret == OMKT_OK)
        ret = add_header(list, "X-Omkt-Attempt", attempt);
    if (ret == OMKT_OK && rq->key != NULL) {
        ret = sign_value(&si, sig, sizeof(sig));
        if (ret == OMKT_OK)
            ret = add_header(list, "X-Omkt-Signature", sig);
    }
    if (ret == OMKT_OK && rq->body != NULL)
        ret = add_header(list, "Content-Type",
                         rq->type ? rq->type : "application/json");
    if (ret == OMKT_OK && rq->body != NULL)
        ret = add_header(list, "Expect", "");
    return ret;
}

/* setup - the request options. */
static CURLcode setup(CURL *h, const struct cb_req *rq, struct curl_slist *list,
                      struct reply *r)
{
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, rq->url);

    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                              (curl_off_t)REPLY_MAX);
    if (rc == CURLE_OK && rq->body != NULL)
        rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
    return rc;
}

/* The original client's answer to an action it does not handle
 * (OMK_Client::ERR_UNKNOWN_ACTION): final, retrying cannot change it. */
#define CODE_UNKNOWN_ACTION 226

/* result_code - {"result":{"code":N}} with N a number or numeric text;
 * @msg (@size bytes) gets result.message when it is a string. */
static bool result_code(const char *text, long *code, char *msg, size_t size)
{
    json_t *root = json_loads(text, 0, NULL);
    json_t *res = json_object_get(root, "result");
    json_t *c = json_object_get(res, "code");
    const char *m = json_string_value(json_object_get(res, "message"));
    char *end = NULL;
    bool ok = false;

    if (json_is_integer(c)) {
        *code = (long)json_integer_value(c);
        ok = true;
    } else if (json_is_string(c)) {
        *code = strtol(json_string_value(c), &end, 10);
        ok = end != json_string_value(c) && *end == '\0';
    }
    (void)omkt_text_copy(msg, size, m ? m : ""); /* cut: fine */
    json_decref(root);
    return ok;
}

/* retry - a failure a later attempt may cure. */
static int retry(int code, struct omkt_errbuf *eb)
{
    eb->retryable = true;
    return code;
}

/* judge - was the callback acknowledged? */
static int judge(const struct cb_req *rq, CURL *h, CURLcode rc,
                 const struct reply *r, const char *errbuf,
                 struct omkt_errbuf *eb)
{
    long status = 0, code = -1;
    char msg[200];

    (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (r->is_stopped)
        return OMKT_ESHUTDOWN;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        omkt_errf(eb, "callback timed out");
        return retry(OMKT_ETIMEOUT, eb);
    }
    if (rc != CURLE_OK && !r->is_too_big) {
        omkt_errf(eb, "callback: %s",
                  *errbuf ? errbuf : curl_easy_strerror(rc));
        return retry(OMKT_ENET, eb);
    }
    if (!rq->is_omkt && status >= 200 && status <= 299)
        return OMKT_OK;
    if (status != 200) {
        omkt_errf(eb, "callback answered HTTP %ld", status);
        return retry(OMKT_EHTTP, eb);
    }
    if (r->is_too_big || !result_code(r->buf, &code, msg, sizeof(msg))) {
        omkt_errf(eb, "callback answer is not {\"result\":{\"code\":...}}");
        return retry(OMKT_EHTTP, eb);
    }
    if (code == CODE_UNKNOWN_ACTION) {
        omkt_errf(eb,
                  "the CMS does not handle this action (code %ld: %s): "
                  "not retried",
                  code, msg);
        return OMKT_EHTTP;
    }
    if (code != 200 && code != 0) {
        omkt_errf(eb, "callback answered code %ld", code);
        return retry(OMKT_EHTTP, eb);
    }
    return OMKT_OK;
}

/* One prepared delivery. */
struct cb_xfer {
    CURL *h;
    const struct cb_req *rq;
    struct curl_slist *list;
    struct omkt_http_peer peer;
    char errbuf[CURL_ERROR_SIZE];
    struct reply r;
};

int cb_xfer_new(CURL *h, const struct cb_req *rq,
                const struct omkt_http_limits *lim, const struct cb_stop *st,
                struct cb_xfer **out, struct omkt_errbuf *eb)
{
    struct cb_xfer *x = omkt_xcalloc(1, sizeof(*x));
    int ret = omkt_http_setup(h, x->errbuf, lim, &x->peer, eb);

    *out = NULL;
    x->h = h;
    x->rq = rq;
    x->r.st = st;
    if (ret == OMKT_OK)
        ret = headers(rq, &x->list, eb);
    if (ret == OMKT_OK && setup(h, rq, x->list, &x->r) != CURLE_OK) {
        omkt_errf(eb, "curl setup failed");
        ret = OMKT_ENET;
    }
    if (ret != OMKT_OK) {
        cb_xfer_free(x);
        return ret;
    }
    *out = x;
    return OMKT_OK;
}

int cb_xfer_judge(struct cb_xfer *x, CURLcode rc, struct omkt_errbuf *eb)
{
    int ret = omkt_http_refused(&x->peer, rc, eb);

    return ret != OMKT_OK ? ret : judge(x->rq, x->h, rc, &x->r, x->errbuf, eb);
}

void cb_xfer_free(struct cb_xfer *x)
{
    if (x == NULL)
        return;
    curl_slist_free_all(x->list);
    free(x);
}

int callback_send(CURL *h, const struct cb_req *rq,
                  const struct omkt_http_limits *lim, const struct cb_stop *st,
                  struct omkt_errbuf *eb)
{
    struct cb_xfer *x = NULL;
    int ret = cb_xfer_new(h, rq, lim, st, &x, eb);

    if (ret == OMKT_OK)
        ret = cb_xfer_judge(x, curl_easy_perform(h), eb);
    cb_xfer_free(x);
    return ret;
}

/* query_value - a param as text: strings as is, numbers, else JSON; new. */
static char *query_value(json_t *v)
{
    if (json_is_string(v))
        return omkt_xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return omkt_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* omkt_query - "app_key=K&action=A&k=v..." (encoded); new. */
static char *omkt_query(const char *key, const char *action, json_t *params)
{
    char *k = omkt_http_escape(key), *a = omkt_http_escape(action);
    char *q = omkt_xasprintf("app_key=%s&action=%s", k, a);
    const char *name;
    json_t *v;

    free(k);
    free(a);
    json_object_foreach(params, name, v)
    {
        char *text = query_value(v);
        char *en = omkt_http_escape(name);
        char *ev = omkt_http_escape(text ? text : "");
        char *next = omkt_xasprintf("%s&%s=%s", q, en, ev);

        free(q);
        q = next;
        free(en);
        free(ev);
        free(text);
    }
    return q;
}

/* A callback built from a job's payload. */
struct built {
    struct cb_req rq;
    struct omkt_account acct;
    char *url;
    char *body;
    char id[32];
};

/* build_omkt - a PROTOCOL.md section 2 GET to the account's URL. */
static int build_omkt(struct omkt_jobctx *ctx, json_t *p, struct built *b)
{
    const char *action = json_string_value(json_object_get(p, "action"));
    json_t *params = json_object_get(p, "params");
    char *q;

    if (action == NULL || (params != NULL && !json_is_object(params))) {
        omkt_errf(&ctx->eb, "bad omkt callback payload");
        return OMKT_EINVAL;
    }
    if (b->acct.url == NULL || *b->acct.url == '\0') {
        omkt_errf(&ctx->eb, "account %" PRId64 " has no callback URL",
                  ctx->job.account_id);
        return OMKT_EINVAL;
    }
    if (params != NULL)
        streamurl_add(conf, action, params, &b->acct, ctx->job.media_id,
                      (int64_t)time(NULL));
    q = omkt_query(b->acct.client_key, action, params);
    b->url = omkt_http_add_query(b->acct.url, q);
    free(q);
    b->rq.is_omkt = true;
    return OMKT_OK;
}

/* build_url - a JSON POST of the payload's body to its url. */
static int build_url(struct omkt_jobctx *ctx, json_t *p, struct built *b)
{
    const char *url = json_string_value(json_object_get(p, "url"));
    json_t *body = json_object_get(p, "body");

    if (url == NULL || body == NULL) {
        omkt_errf(&ctx->eb, "bad url callback payload");
        return OMKT_EINVAL;
    }
    b->url = omkt_xstrdup(url);
    b->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    return b->body ? OMKT_OK : OMKT_ENOMEM;
}

/* build_form - a form POST of the payload's ordered fields to its url
 * (media-nommer's state notifications). */
static int build_form(struct omkt_jobctx *ctx, json_t *p, struct built *b)
{
    const char *url = json_string_value(json_object_get(p, "url"));

    b->body = form_encode(json_object_get(p, "fields"));
    if (url == NULL || b->body == NULL) {
        omkt_errf(&ctx->eb, "bad form callback payload");
        return OMKT_EINVAL;
    }
    b->url = omkt_xstrdup(url);
    b->rq.type = "application/x-www-form-urlencoded";
    return OMKT_OK;
}

/* build_kind - the request of payload kind @kind. */
static int build_kind(struct omkt_jobctx *ctx, const char *kind, json_t *p,
                      struct built *b)
{
    if (kind != NULL && strcmp(kind, "omkt") == 0)
        return build_omkt(ctx, p, b);
    if (kind != NULL && strcmp(kind, "url") == 0)
        return build_url(ctx, p, b);
    if (kind != NULL && strcmp(kind, "form") == 0)
        return build_form(ctx, p, b);
    omkt_errf(&ctx->eb, "unknown callback kind");
    return OMKT_EINVAL;
}

/* build - the request for this job; the account gives the signing key. */
static int build(struct omkt_jobctx *ctx, json_t *p, struct built *b)
{
    const char *kind = json_string_value(json_object_get(p, "kind"));
    int ret = OMKT_OK;

    snprintf(b->id, sizeof(b->id), "%lld", (long long)ctx->job.id);
    if (ctx->job.account_id > 0)
        ret = omkt_account_by_id(ctx->db, ctx->job.account_id, &b->acct,
                                 &ctx->eb);
    if (ret == OMKT_ENOTFOUND)
        omkt_errf(&ctx->eb, "no account %" PRId64, ctx->job.account_id);
    if (ret != OMKT_OK)
        return ret;
    ret = build_kind(ctx, kind, p, b);
    b->rq.url = b->url;
    b->rq.body = b->body;
    b->rq.key = b->acct.client_key; /* NULL without an account */
    b->rq.id = b->id;
    b->rq.attempt = ctx->job.attempts;
    return ret;
}

int callback_handle(struct omkt_jobctx *ctx)
{
    struct omkt_http_limits lim = {.connect_timeout_ms = conf->timeout_ms,
                                   .timeout_ms = conf->timeout_ms,
                                   .allow_private = conf->allow_private};
    struct cb_stop st = {.ctx = ctx, .d = ctx->d};
    struct built b = {0};
    json_t *p = json_loads(ctx->job.payload ? ctx->job.payload : "", 0, NULL);
    CURL *h = curl_easy_init();
    int ret = h ? OMKT_OK : OMKT_ENOMEM;

    if (ret == OMKT_OK && !json_is_object(p)) {
        omkt_errf(&ctx->eb, "notify payload is not a JSON object");
        ret = OMKT_EINVAL;
    }
    if (ret == OMKT_OK)
        ret = build(ctx, p, &b);
    if (ret == OMKT_OK)
        ret = callback_send(h, &b.rq, &lim, &st, &ctx->eb);
    if (ret == OMKT_ESHUTDOWN)
        ret = omkt_jobctx_stop_code(ctx);
    /* [notifierd] max_attempts may end retries before the job's own cap. */
    if (ctx->eb.retryable && ctx->job.attempts >= conf->max_attempts)
        ctx->eb.retryable = false;
    free(b.url);
    free(b.body);
    omkt_account_clear(&b.acct);
    curl_easy_cleanup(h);
    json_decref(p);
    return ret;
}

int callback_on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                       bool is_final)
{
    (void)code;
    if (is_final)
        omkt_log(OMKT_LOG_ERR,
                 "job=%lld callback given up after %d attempt(s): %s",
                 (long long)ctx->job.id, ctx->job.attempts, reason);
    return OMKT_OK;
}

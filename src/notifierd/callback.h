/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * callback - delivering one callback to a CMS (PROTOCOL.md section 2) and
 * the 'notify' job that does it for each queued callback (payloads: see
 * common/notify.h).  Every request carries X-Omkt-Callback-Id (stable
 * across retries), X-Omkt-Attempt and X-Omkt-Signature (sign.h).
 */
#ifndef OMKT_NOTIFIERD_CALLBACK_H
#define OMKT_NOTIFIERD_CALLBACK_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/httpc.h"
#include "common/jobworker.h"

/* The [notifierd] section. */
struct nt_conf {
    int64_t workers;
    int64_t timeout_ms;
    int64_t max_attempts;
    int64_t retry_base_ms;
    int64_t retry_max_ms;
    int64_t cron_interval_ms;
    int64_t cron_timeout_ms;         /* one transcoder_cron ping */
    int64_t cron_connect_timeout_ms; /* its connect */
    int64_t cron_parallel;           /* pings in flight at once */
    bool allow_private;              /* loopback/private CMSs allowed */
    char *stream_base_url;     /* apid's URL in stream URLs (streamurl.h) */
    int64_t stream_url_ttl_ms; /* their validity */
};

struct cb_req {
    const char *url;
    const char *body; /* NULL: GET, else a POST */
    const char *type; /* the POST's Content-Type; NULL: application/json */
    const char *key;  /* signing key (client key); NULL: unsigned */
    const char *id;   /* callback id */
    int attempt;
    bool is_omkt; /* success needs {"result":{"code":200 or 0}} */
};

/* What a transfer polls to stop early: a job, else the daemon. */
struct cb_stop {
    struct omkt_jobctx *ctx; /* may be NULL */
    struct omkt_daemon *d;
};

/*
 * callback_send - one delivery with @h (the caller's handle).  OMKT_OK
 * when the CMS acknowledged it.  Failures set eb, with eb->retryable for
 * everything a later try may cure (timeouts, connection errors, non-200,
 * no JSON, another result code).  Final failures: OMKT_EPERM (the address
 * policy refused the peer), OMKT_EHTTP for a CMS answering code 226 (the
 * original client's "Unknown action requested": it does not handle this
 * action, so a retry cannot succeed).  OMKT_ESHUTDOWN when told to stop.
 */
int callback_send(CURL *h, const struct cb_req *rq,
                  const struct omkt_http_limits *lim, const struct cb_stop *st,
                  struct omkt_errbuf *eb);

/*
 * cb_xfer_new - the same delivery as callback_send, prepared on @h but not
 * run, for a caller driving several at once (curl multi: cron.c).  @rq
 * and @st are borrowed until cb_xfer_free, @lim for the call only.  *out
 * is new (cb_xfer_free).
 * cb_xfer_judge - its outcome once @h ended with @rc (as callback_send's).
 */
struct cb_xfer;
int cb_xfer_new(CURL *h, const struct cb_req *rq,
                const struct omkt_http_limits *lim, const struct cb_stop *st,
                struct cb_xfer **out, struct omkt_errbuf *eb);
int cb_xfer_judge(struct cb_xfer *x, CURLcode rc, struct omkt_errbuf *eb);
void cb_xfer_free(struct cb_xfer *x);

/* callback_init - use @conf (borrowed for the process's life). */
void callback_init(const struct nt_conf *conf);

/* The 'notify' worker hooks. */
int callback_handle(struct omkt_jobctx *ctx);
int callback_on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                       bool is_final);

#endif

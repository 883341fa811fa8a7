/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * awsreq - one signed POST to an AWS service endpoint (SQS's JSON 1.0
 * protocol, EC2's Query API), retried while the failure is transient:
 * the transport the cloud clients (sqs.h, ec2.h) share.  Every request is
 * signed by s3sign (SigV4, normalised path "/", the body's SHA-256) and
 * goes through omkt_http_setup, so the address policy applies.
 *
 * DESIGN: one client = one easy handle + a copy of the endpoint, region,
 * service and credentials; not thread-safe (one per thread, after
 * curl_global_init).  The service modules own the meaning of an answer:
 * they pass a classifier that turns (status, body) into an omkt code, an
 * error text and eb->retryable; awsreq owns the retry loop (capped,
 * jittered exponential backoff, interruptible by the stop hook) and the
 * transport errors (OMKT_ENET, retryable; OMKT_EPERM when the address
 * policy refuses the endpoint).  Query strings and form bodies are built
 * here, sorted and encoded (RFC 3986) by us: libcurl 7.88's own SigV4
 * neither sorts nor encodes them the way AWS expects.  No secret ever
 * reaches an error text or a log line.
 */
#ifndef OMKT_COMMON_AWSREQ_H
#define OMKT_COMMON_AWSREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "httpc.h"
#include "s3.h"

/* Client settings.  Strings borrowed during omkt_aws_new (copied). */
struct omkt_aws_config {
    const char *endpoint;        /* "http(s)://host[:port]" (no path) */
    const char *region;          /* NULL: us-east-1 */
    const char *service;         /* signing name: "sqs", "ec2" */
    int max_attempts;            /* per call; 0: 5 */
    int64_t backoff_ms;          /* first retry delay; 0: 200 ms */
    int64_t backoff_max_ms;      /* cap; 0: 20 s */
    struct omkt_http_limits lim; /* 0 timeouts: 5 s connect, 30 s total */
};

/* One call.  Strings borrowed for the call. */
struct omkt_aws_call {
    const char *what;         /* name for error texts ("sqs SendMessage") */
    const char *content_type; /* e.g. "application/x-amz-json-1.0" */
    const char *target;       /* X-Amz-Target value; NULL: none */
    const char *body;
    size_t len;
    int64_t timeout_ms; /* 0: the client's lim.timeout_ms (long polls) */
};

/*
 * omkt_aws_classify_fn - the result of an answer with HTTP @status and
 * body @body (@len bytes, NUL-terminated; may be empty): OMKT_OK, or an
 * error code with text in @eb (prefixed by @what) and eb->retryable set
 * when the call may be retried.
 */
typedef int (*omkt_aws_classify_fn)(const char *what, long status,
                                    const char *body, size_t len,
                                    struct omkt_errbuf *eb);

/* An answer (body new: omkt_aws_resp_clear). */
struct omkt_aws_resp {
    long status;
    char *body; /* NUL-terminated, "" when the server sent none */
    size_t len;
};

/* The error codes of one service, by meaning: NULL-terminated lists,
 * any of them NULL. */
struct omkt_aws_errmap {
    const char *const *transient; /* retried: throttling, capacity */
    const char *const *perm;      /* keys, signatures, permissions */
    const char *const *gone;      /* OMKT_ENOTFOUND, besides "*.NotFound" */
    const char *const *lost;      /* OMKT_ELOST: a lease no longer ours */
    const char *const *invalid;   /* besides "Invalid*" and "Missing*" */
};

/* An error answer: status and the service's code and message (borrowed;
 * code "-" when the body had none). */
struct omkt_aws_fault {
    long status;
    const char *code;
    const char *message;
};

/* A capped in-memory response body for CURLOPT_WRITEFUNCTION. */
struct omkt_aws_body {
    char *p; /* new, NUL-terminated; NULL until data came */
    size_t len, max;
    bool is_over; /* more than max bytes came: the transfer was cut */
};

/* A name=value pair of a query or form body (strings borrowed). */
struct omkt_aws_param {
    const char *name;
    const char *value;
};

struct omkt_aws;

/*
 * omkt_aws_new - a client for @cfg signing with @cr (both copied).
 * OMKT_EINVAL (bad endpoint, missing keys or service) or OMKT_ENET.
 */
int omkt_aws_new(const struct omkt_aws_config *cfg,
                 const struct omkt_s3_creds *cr, struct omkt_aws **out,
                 struct omkt_errbuf *eb);
void omkt_aws_free(struct omkt_aws *c);

/* omkt_aws_set_stop - @stop(@arg) true interrupts calls and backoffs
 * (OMKT_ESHUTDOWN).  NULL removes the hook. */
void omkt_aws_set_stop(struct omkt_aws *c, bool (*stop)(void *), void *arg);

/* omkt_aws_retries - retries made since omkt_aws_new (tests, logs). */
int omkt_aws_retries(const struct omkt_aws *c);

/*
 * omkt_aws_post - POST @call to "/" of the endpoint, signed, retried
 * while @classify says retryable (and on transport errors).  On OMKT_OK
 * *resp holds the answer (new); on failure it is cleared and @eb says
 * why (eb->retryable: still transient after the last attempt).
 */
int omkt_aws_post(struct omkt_aws *c, const struct omkt_aws_call *call,
                  omkt_aws_classify_fn classify, struct omkt_aws_resp *resp,
                  struct omkt_errbuf *eb);
void omkt_aws_resp_clear(struct omkt_aws_resp *r);

/*
 * omkt_aws_form - "a=1&b=2": the @n pairs of @p sorted by name (byte
 * order, stable for equal names) and percent-encoded as SigV4 wants
 * (only A-Z a-z 0-9 - . _ ~ kept, upper-case hex).  New string (free()).
 */
char *omkt_aws_form(const struct omkt_aws_param *p, size_t n);

/*
 * omkt_aws_error - the omkt code of fault @f under @m, its text
 * "@what: HTTP <status> <code>[: <message>]" in @eb and eb->retryable:
 * 5xx, 408, 429 and m->transient are retryable (OMKT_EHTTP); 401, 403
 * and m->perm are OMKT_EPERM; m->gone and "*.NotFound" OMKT_ENOTFOUND;
 * m->lost OMKT_ELOST; "Invalid*", "Missing*" and m->invalid OMKT_EINVAL;
 * anything else OMKT_EHTTP.
 */
int omkt_aws_error(const struct omkt_aws_errmap *m, const char *what,
                   const struct omkt_aws_fault *f, struct omkt_errbuf *eb);

/* omkt_aws_body_write - a CURLOPT_WRITEFUNCTION appending to the
 * struct omkt_aws_body given as its data; cuts the transfer past max. */
size_t omkt_aws_body_write(char *data, size_t size, size_t nmemb, void *arg);

/*
 * omkt_aws_backoff_ms - the delay before retry @attempt (1-based):
 * @base doubled per attempt, capped at @cap, then jittered into
 * [d/2, d] with @seed.  Pure; exposed for tests.
 */
int64_t omkt_aws_backoff_ms(int64_t base, int64_t cap, int attempt,
                            unsigned *seed);

#endif

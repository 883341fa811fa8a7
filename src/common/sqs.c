/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sqs - SQS actions over the JSON 1.0 protocol (see sqs.h).
 *
 * DESIGN: each action is "build a JSON object, call(), read fields of
 * the answer"; call() owns the protocol headers and the classifier.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "sqs.h"
#include "text.h"

#define JSON_CT    "application/x-amz-json-1.0"
#define POLL_SLACK 10000 /* ms beyond WaitTimeSeconds for the answer */

/* ---- errors ---- */

static const char *const transient[] = {"ThrottlingException",
                                        "RequestThrottled",
                                        "ServiceUnavailable",
                                        "InternalFailure",
                                        "InternalError",
                                        "KmsThrottled",
                                        NULL};
static const char *const perm[] = {"InvalidSignatureException",
                                   "SignatureDoesNotMatch",
                                   "UnrecognizedClientException",
                                   "InvalidClientTokenId",
                                   "AccessDenied",
                                   "AccessDeniedException",
                                   "IncompleteSignature",
                                   "MissingAuthenticationToken",
                                   "RequestExpired",
                                   "ExpiredToken",
                                   "InvalidSecurity",
                                   "SignatureExpired",
                                   NULL};
static const char *const gone[] = {"QueueDoesNotExist", "NonExistentQueue",
                                   NULL};
static const char *const lost[] = {"ReceiptHandleIsInvalid",
                                   "MessageNotInflight", NULL};
static const char *const invalid[] = {"MalformedInput", NULL};
static const struct omkt_aws_errmap errmap = {transient, perm, gone, lost,
                                              invalid};

/* short_type - @t without its namespace: "a.b#Code" -> "Code",
 * "AWS.SimpleQueueService.X" -> "X". */
static const char *short_type(const char *t)
{
    const char *hash = strrchr(t, '#');
    const char *dot;

    if (hash != NULL)
        t = hash + 1;
    dot = strrchr(t, '.');
    return dot != NULL ? dot + 1 : t;
}

int omkt_sqs_classify(const char *what, long status, const char *body,
                      size_t len, struct omkt_errbuf *eb)
{
    json_t *j;
    const char *t, *m;
    char code[96];
    int rc;

    if (status >= 200 && status < 300)
        return OMKT_OK;
    j = len ? json_loadb(body, len, 0, NULL) : NULL;
    t = json_string_value(json_object_get(j, "__type"));
    m = json_string_value(json_object_get(j, "message"));
    if (m == NULL)
        m = json_string_value(json_object_get(j, "Message"));
    (void)omkt_text_copy(code, sizeof(code), t ? short_type(t) : "-");
    rc = omkt_aws_error(&errmap, what,
                        &(struct omkt_aws_fault){status, code, m}, eb);
    json_decref(j);
    return rc;
}

/* ---- one call ---- */

/* poll_timeout_ms - the HTTP timeout a request needs: a long poll's
 * WaitTimeSeconds plus slack; 0 (the client's) for any other. */
static int64_t poll_timeout_ms(json_t *req)
{
    json_t *w = json_object_get(req, "WaitTimeSeconds");

    return w ? json_integer_value(w) * 1000 + POLL_SLACK : 0;
}

/* call - POST @req (steals it) as AmazonSQS.@action; *r gets the answer
 * (new: omkt_aws_resp_clear, also on failure). */
static int call(struct omkt_aws *c, const char *action, json_t *req,
                struct omkt_aws_resp *r, struct omkt_errbuf *eb)
{
    char *body = json_dumps(req, JSON_COMPACT);
    char *what = omkt_xasprintf("sqs %s", action);
    char *target = omkt_xasprintf("AmazonSQS.%s", action);
    struct omkt_aws_call ac = {what,
                               JSON_CT,
                               target,
                               body,
                               body ? strlen(body) : 0,
                               poll_timeout_ms(req)};
    int rc = OMKT_ENOMEM;

    memset(r, 0, sizeof(*r));
    json_decref(req);
    if (body == NULL)
        omkt_errf(eb, "%s: out of memory or not UTF-8 text", what);
    else
        rc = omkt_aws_post(c, &ac, omkt_sqs_classify, r, eb);
    free(body);
    free(what);
    free(target);
    return rc;
}

/* field_op - an action whose answer is one string field. */
struct field_op {
    const char *action;
    json_t *req; /* stolen by the call */
    const char *field;
};

/* call_field - call(), then a copy of the answer's string field. */
static int call_field(struct omkt_aws *c, const struct field_op *op, char **out,
                      struct omkt_errbuf *eb)
{
    const char *action = op->action, *k = op->field;
    struct omkt_aws_resp r;
    int rc = call(c, action, op->req, &r, eb);
    json_t *j = rc == OMKT_OK ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    const char *v = json_string_value(json_object_get(j, k));

    *out = NULL;
    if (rc == OMKT_OK && v == NULL) {
        omkt_errf(eb, "sqs %s: no %s in the answer", action, k);
        rc = OMKT_EHTTP;
    }
    if (rc == OMKT_OK)
        *out = omkt_xstrdup(v);
    json_decref(j);
    omkt_aws_resp_clear(&r);
    return rc;
}

/* call_only - call() for an action whose answer says nothing more. */
static int call_only(struct omkt_aws *c, const char *action, json_t *req,
                     struct omkt_errbuf *eb)
{
    struct omkt_aws_resp r;
    int rc = call(c, action, req, &r, eb);

    omkt_aws_resp_clear(&r);
    return rc;
}

/* ---- queues ---- */

int omkt_sqs_get_queue_url(struct omkt_aws *c, const char *name, char **url,
                           struct omkt_errbuf *eb)
{
    struct field_op op = {"GetQueueUrl", json_pack("{ss}", "QueueName", name),
                          "QueueUrl"};

    return call_field(c, &op, url, eb);
}

/* set_int_attr - Attributes[@k] = "@v" when @v > 0. */
static void set_int_attr(json_t *attrs, const char *k, int v)
{
    char buf[24];

    if (v <= 0)
        return;
    (void)snprintf(buf, sizeof(buf), "%d", v);
    json_object_set_new(attrs, k, json_string(buf));
}

char *omkt_sqs_create_body(const char *name,
                           const struct omkt_sqs_queue_attrs *a)
{
    json_t *req = json_pack("{ss}", "QueueName", name);
    json_t *attrs = json_object();
    char *out;

    if (a) {
        set_int_attr(attrs, "VisibilityTimeout", a->visibility_timeout_s);
        set_int_attr(attrs, "ReceiveMessageWaitTimeSeconds", a->receive_wait_s);
        set_int_attr(attrs, "MessageRetentionPeriod", a->retention_s);
    }
    if (a && a->dlq_arn) {
        /* SQS wants the policy as a JSON document inside a string */
        json_t *rp = json_pack("{sssi}", "deadLetterTargetArn", a->dlq_arn,
                               "maxReceiveCount", a->max_receive_count);
        char *s = json_dumps(rp, JSON_COMPACT | JSON_SORT_KEYS);

        json_object_set_new(attrs, "RedrivePolicy", json_string(s ? s : ""));
        free(s);
        json_decref(rp);
    }
    if (json_object_size(attrs) > 0)
        json_object_set(req, "Attributes", attrs);
    json_decref(attrs);
    out = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(req);
    return out;
}

int omkt_sqs_create_queue(struct omkt_aws *c, const char *name,
                          const struct omkt_sqs_queue_attrs *a, char **url,
                          struct omkt_errbuf *eb)
{
    char *body = omkt_sqs_create_body(name, a);
    json_t *req = body ? json_loads(body, 0, NULL) : NULL;

    *url = NULL;
    free(body);
    if (a && a->dlq_arn &&
        (a->max_receive_count < 1 || a->max_receive_count > 1000)) {
        json_decref(req);
        omkt_errf(eb, "sqs CreateQueue %s: max_receive_count must be 1..1000",
                  name);
        return OMKT_EINVAL;
    }
    return call_field(c, &(struct field_op){"CreateQueue", req, "QueueUrl"},
                      url, eb);
}

/* num_attr - Attributes[@k] as an integer (SQS sends strings); -1. */
static int64_t num_attr(json_t *attrs, const char *k)
{
    const char *s = json_string_value(json_object_get(attrs, k));
    char *end = NULL;
    long long v;

    if (s == NULL)
        return -1;
    v = strtoll(s, &end, 10);
    return (end == s || *end != '\0' || v < 0) ? -1 : (int64_t)v;
}

int omkt_sqs_parse_info(const char *body, size_t len,
                        struct omkt_sqs_queue_info *out, struct omkt_errbuf *eb)
{
    json_t *j = len ? json_loadb(body, len, 0, NULL) : json_object();
    json_t *a = json_object_get(j, "Attributes");
    const char *arn = json_string_value(json_object_get(a, "QueueArn"));

    memset(out, 0, sizeof(*out));
    if (!json_is_object(a)) {
        omkt_errf(eb, "sqs GetQueueAttributes: no Attributes in the answer");
        json_decref(j);
        return OMKT_EHTTP;
    }
    out->visible = num_attr(a, "ApproximateNumberOfMessages");
    out->not_visible = num_attr(a, "ApproximateNumberOfMessagesNotVisible");
    out->delayed = num_attr(a, "ApproximateNumberOfMessagesDelayed");
    out->visibility_timeout_s = (int)num_attr(a, "VisibilityTimeout");
    out->arn = arn ? omkt_xstrdup(arn) : NULL;
    json_decref(j);
    return OMKT_OK;
}

int omkt_sqs_queue_info(struct omkt_aws *c, const char *url,
                        struct omkt_sqs_queue_info *out, struct omkt_errbuf *eb)
{
    json_t *req = json_pack(
        "{ss s[sssss]}", "QueueUrl", url, "AttributeNames",
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed", "VisibilityTimeout", "QueueArn");
    struct omkt_aws_resp r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = call(c, "GetQueueAttributes", req, &r, eb);
    if (rc == OMKT_OK)
        rc = omkt_sqs_parse_info(r.body, r.len, out, eb);
    omkt_aws_resp_clear(&r);
    return rc;
}

void omkt_sqs_queue_info_clear(struct omkt_sqs_queue_info *q)
{
    if (q)
        OMKT_FREE(q->arn);
}

/* ---- messages ---- */

int omkt_sqs_send(struct omkt_aws *c, const char *url,
                  const struct omkt_sqs_outgoing *m, char **id,
                  struct omkt_errbuf *eb)
{
    json_t *req = json_pack("{ssss}", "QueueUrl", url, "MessageBody", m->body);
    char *got = NULL;
    int rc;

    if (id)
        *id = NULL;
    if (req == NULL) {
        omkt_errf(eb, "sqs SendMessage: the body is not UTF-8 text");
        return OMKT_EINVAL;
    }
    if (m->delay_s > 0)
        json_object_set_new(req, "DelaySeconds", json_integer(m->delay_s));
    rc = call_field(c, &(struct field_op){"SendMessage", req, "MessageId"},
                    &got, eb);
    if (id)
        *id = got;
    else
        free(got);
    return rc;
}

char *omkt_sqs_receive_body(const char *url, const struct omkt_sqs_recv_opts *o)
{
    int max = o->max_messages > 0 ? o->max_messages : 1;
    json_t *req = json_pack(
        "{ss si si s[s] s[s]}", "QueueUrl", url, "MaxNumberOfMessages",
        max > OMKT_SQS_MAX_BATCH ? OMKT_SQS_MAX_BATCH : max, "WaitTimeSeconds",
        o->wait_s > OMKT_SQS_MAX_WAIT_S ? OMKT_SQS_MAX_WAIT_S : o->wait_s,
        "AttributeNames", "ApproximateReceiveCount",
        "MessageSystemAttributeNames", "ApproximateReceiveCount");
    char *out;

    if (o->visibility_s >= 0)
        json_object_set_new(req, "VisibilityTimeout",
                            json_integer(o->visibility_s));
    out = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(req);
    return out;
}

/* one_message - @m from the JSON message @j. */
static int one_message(json_t *j, struct omkt_sqs_message *m)
{
    const char *id = json_string_value(json_object_get(j, "MessageId"));
    const char *rh = json_string_value(json_object_get(j, "ReceiptHandle"));
    const char *b = json_string_value(json_object_get(j, "Body"));
    int64_t n =
        num_attr(json_object_get(j, "Attributes"), "ApproximateReceiveCount");

    if (id == NULL || rh == NULL || b == NULL)
        return OMKT_EINVAL;
    m->id = omkt_xstrdup(id);
    m->receipt = omkt_xstrdup(rh);
    m->body = omkt_xstrdup(b);
    m->receive_count = n > 0 && n < 1000000 ? (int)n : 0;
    return OMKT_OK;
}

int omkt_sqs_parse_messages(const char *body, size_t len,
                            struct omkt_sqs_batch *out, struct omkt_errbuf *eb)
{
    json_t *j = len ? json_loadb(body, len, 0, NULL) : json_object();
    json_t *msgs = json_object_get(j, "Messages");
    size_t n = json_array_size(msgs);
    int rc = OMKT_OK;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(j) || (msgs && !json_is_array(msgs))) {
        omkt_errf(eb, "sqs ReceiveMessage: malformed answer");
        json_decref(j);
        return OMKT_EINVAL;
    }
    out->v = omkt_xcalloc(n ? n : 1, sizeof(*out->v));
    for (size_t i = 0; i < n && rc == OMKT_OK; i++) {
        rc = one_message(json_array_get(msgs, i), &out->v[i]);
        out->n = i + (rc == OMKT_OK);
    }
    if (rc != OMKT_OK) {
        omkt_errf(eb, "sqs ReceiveMessage: a message lacks its id, receipt "
                      "handle or body");
        omkt_sqs_batch_clear(out);
    }
    json_decref(j);
    return rc;
}

int omkt_sqs_receive(struct omkt_aws *c, const char *url,
                     const struct omkt_sqs_recv_opts *o,
                     struct omkt_sqs_batch *out, struct omkt_errbuf *eb)
{
    char *body = omkt_sqs_receive_body(url, o);
    json_t *req = body ? json_loads(body, 0, NULL) : NULL;
    struct omkt_aws_resp r;
    int rc;

    memset(out, 0, sizeof(*out));
    free(body);
    rc = call(c, "ReceiveMessage", req, &r, eb); /* timeout from the wait */
    if (rc == OMKT_OK)
        rc = omkt_sqs_parse_messages(r.body, r.len, out, eb);
    omkt_aws_resp_clear(&r);
    return rc;
}

void omkt_sqs_batch_clear(struct omkt_sqs_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].id);
        free(b->v[i].receipt);
        free(b->v[i].body);
    }
    OMKT_FREE(b->v);
    b->n = 0;
}

int omkt_sqs_change_visibility(struct omkt_aws *c, const char *url,
                               const char *receipt, int timeout_s,
                               struct omkt_errbuf *eb)
{
    if (timeout_s < 0 || timeout_s > OMKT_SQS_MAX_VISIBLE) {
        omkt_errf(eb, "sqs ChangeMessageVisibility: %d s is not 0..%d",
                  timeout_s, OMKT_SQS_MAX_VISIBLE);
        return OMKT_EINVAL;
    }
    return call_only(c, "ChangeMessageVisibility",
                     json_pack("{sssssi}", "QueueUrl", url, "ReceiptHandle",
                               receipt, "VisibilityTimeout", timeout_s),
                     eb);
}

int omkt_sqs_delete(struct omkt_aws *c, const char *url, const char *receipt,
                    struct omkt_errbuf *eb)
{
    return call_only(
        c, "DeleteMessage",
        json_pack("{ssss}", "QueueUrl", url, "ReceiptHandle", receipt), eb);
}

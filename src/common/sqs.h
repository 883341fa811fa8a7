/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sqs - an Amazon SQS client over the JSON 1.0 protocol (POST /,
 * X-Amz-Target: AmazonSQS.<Action>, Content-Type
 * application/x-amz-json-1.0), on an awsreq client signing for "sqs":
 * the queue calls the cloud tier needs (queues with a dead-letter queue,
 * send, long-poll receive, visibility as a lease, delete, attributes).
 *
 * DESIGN: requests are built with jansson and answers parsed with it; an
 * empty 200 body is a success with no fields (some servers send one for
 * DeleteMessage and ChangeMessageVisibility).  Errors: the JSON body's
 * __type (namespace stripped) and message, or the x-amzn-query-error
 * code, go into the error text with the action name, never a key.
 * Mapping: 400 QueueDoesNotExist / NonExistentQueue -> OMKT_ENOTFOUND;
 * ReceiptHandleIsInvalid, InvalidParameterValue ... -> OMKT_EINVAL;
 * 401/403 and signature or key errors -> OMKT_EPERM; throttling, 5xx,
 * 408, 429 and the network -> retried by awsreq, then OMKT_EHTTP or
 * OMKT_ENET with eb->retryable.  Not thread-safe per client.
 */
#ifndef OMKT_COMMON_SQS_H
#define OMKT_COMMON_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "awsreq.h"
#include "err.h"

#define OMKT_SQS_MAX_WAIT_S  20
#define OMKT_SQS_MAX_BATCH   10
#define OMKT_SQS_MAX_VISIBLE 43200

/* Attributes of a new queue; 0 / NULL leave SQS's default. */
struct omkt_sqs_queue_attrs {
    int visibility_timeout_s; /* the lease of a received message */
    int receive_wait_s;       /* default long poll */
    int retention_s;          /* message retention period */
    const char *dlq_arn;      /* dead-letter queue; NULL: none */
    int max_receive_count;    /* receives before the DLQ (1..1000) */
};

/* ReceiveMessage options. */
struct omkt_sqs_recv_opts {
    int max_messages; /* 1..10; 0: 1 */
    int wait_s;       /* long poll 0..20 */
    int visibility_s; /* -1: the queue's; else 0..43200 */
};

/* One received message (strings new). */
struct omkt_sqs_message {
    char *id;
    char *receipt; /* ReceiptHandle: needed to extend, release, delete */
    char *body;
    int receive_count; /* ApproximateReceiveCount; 0 when not given */
};

/* Messages of one receive (omkt_sqs_batch_clear frees). */
struct omkt_sqs_batch {
    struct omkt_sqs_message *v;
    size_t n;
};

/* What GetQueueAttributes tells (arn new). */
struct omkt_sqs_queue_info {
    int64_t visible;     /* ApproximateNumberOfMessages */
    int64_t not_visible; /* ApproximateNumberOfMessagesNotVisible */
    int64_t delayed;     /* ApproximateNumberOfMessagesDelayed */
    int visibility_timeout_s;
    char *arn; /* QueueArn */
};

/* omkt_sqs_get_queue_url - the URL of queue @name (*url new). */
int omkt_sqs_get_queue_url(struct omkt_aws *c, const char *name, char **url,
                           struct omkt_errbuf *eb);

/*
 * omkt_sqs_create_queue - create queue @name with @a (may be NULL), or
 * find it when it exists with the same attributes; *url new.
 */
int omkt_sqs_create_queue(struct omkt_aws *c, const char *name,
                          const struct omkt_sqs_queue_attrs *a, char **url,
                          struct omkt_errbuf *eb);

/* A message to send.  Strings borrowed for the call. */
struct omkt_sqs_outgoing {
    const char *body; /* UTF-8 text */
    int delay_s;      /* 0..900: invisible this long after the send */
};

/* omkt_sqs_send - send @m to @url; *id (may be NULL) gets the MessageId
 * (new).  OMKT_EINVAL when the body is not UTF-8 text. */
int omkt_sqs_send(struct omkt_aws *c, const char *url,
                  const struct omkt_sqs_outgoing *m, char **id,
                  struct omkt_errbuf *eb);

/*
 * omkt_sqs_receive - up to o->max_messages from @url, waiting up to
 * o->wait_s for the first (the HTTP timeout is stretched to fit the
 * poll).  *out is new (possibly empty): omkt_sqs_batch_clear.
 */
int omkt_sqs_receive(struct omkt_aws *c, const char *url,
                     const struct omkt_sqs_recv_opts *o,
                     struct omkt_sqs_batch *out, struct omkt_errbuf *eb);
void omkt_sqs_batch_clear(struct omkt_sqs_batch *b);

/* omkt_sqs_change_visibility - the message of @receipt becomes visible
 * again in @timeout_s (0: now, releasing it; else extending the lease). */
int omkt_sqs_change_visibility(struct omkt_aws *c, const char *url,
                               const char *receipt, int timeout_s,
                               struct omkt_errbuf *eb);

/* omkt_sqs_delete - remove the message of @receipt from @url. */
int omkt_sqs_delete(struct omkt_aws *c, const char *url, const char *receipt,
                    struct omkt_errbuf *eb);

/* omkt_sqs_queue_info - counts and ARN of @url (*out new: clear it with
 * omkt_sqs_queue_info_clear). */
int omkt_sqs_queue_info(struct omkt_aws *c, const char *url,
                        struct omkt_sqs_queue_info *out,
                        struct omkt_errbuf *eb);
void omkt_sqs_queue_info_clear(struct omkt_sqs_queue_info *q);

/* ---- pure parts, exposed for tests ---- */

/* omkt_sqs_receive_body - the JSON body of a ReceiveMessage (new). */
char *omkt_sqs_receive_body(const char *url,
                            const struct omkt_sqs_recv_opts *o);

/* omkt_sqs_create_body - the JSON body of a CreateQueue (new). */
char *omkt_sqs_create_body(const char *name,
                           const struct omkt_sqs_queue_attrs *a);

/* omkt_sqs_parse_messages - the Messages of a ReceiveMessage answer
 * (@len bytes; empty or {} is no message).  OMKT_EINVAL when malformed. */
int omkt_sqs_parse_messages(const char *body, size_t len,
                            struct omkt_sqs_batch *out, struct omkt_errbuf *eb);

/* omkt_sqs_parse_info - the Attributes of a GetQueueAttributes answer. */
int omkt_sqs_parse_info(const char *body, size_t len,
                        struct omkt_sqs_queue_info *out,
                        struct omkt_errbuf *eb);

/* omkt_sqs_classify - the awsreq classifier of SQS answers (sqs.h DESIGN
 * says how statuses and error types map). */
int omkt_sqs_classify(const char *what, long status, const char *body,
                      size_t len, struct omkt_errbuf *eb);

#endif

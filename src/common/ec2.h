/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ec2 - the Amazon EC2 calls of the cloud scaler over the Query API
 * (form-encoded POST, Version=2016-11-15) on an awsreq client signing for
 * "ec2": RunInstances (image, type, count, user-data, subnet, security
 * groups, instance profile, tags, optional spot, terminate on shutdown),
 * DescribeInstances filtered by a tag, TerminateInstances.
 *
 * DESIGN: the form body is built sorted and encoded by omkt_aws_form (the
 * signer hashes exactly those bytes).  RunInstances always carries a
 * ClientToken, so a retry after a lost answer starts nothing twice.
 * Answers are EC2's XML: instances are read by scanning <instanceId>
 * elements and the <instanceState><name> that follows each.  Errors
 * carry EC2's <Code> and <Message>: 401/403, AuthFailure,
 * SignatureDoesNotMatch, UnauthorizedOperation -> OMKT_EPERM;
 * *.NotFound -> OMKT_ENOTFOUND; Invalid* / Missing* -> OMKT_EINVAL;
 * RequestLimitExceeded, InsufficientInstanceCapacity, 5xx -> retried by
 * awsreq with backoff, then OMKT_EHTTP with eb->retryable (the scaler
 * backs off further).  Not thread-safe per client.
 */
#ifndef OMKT_COMMON_EC2_H
#define OMKT_COMMON_EC2_H

#include <stdbool.h>
#include <stddef.h>

#include "awsreq.h"
#include "err.h"

#define OMKT_EC2_VERSION      "2016-11-15"
#define OMKT_EC2_ID_MAX       32
#define OMKT_EC2_STATE_MAX    24
#define OMKT_EC2_MAX_USERDATA 16384 /* bytes before base64 (AWS: 16 KiB) */

struct omkt_ec2_tag {
    const char *key;
    const char *value;
};

/* A RunInstances request.  Strings borrowed for the call. */
struct omkt_ec2_run {
    const char *image_id;
    const char *instance_type;
    int count;                          /* MinCount = MaxCount = count */
    const char *user_data;              /* raw script; base64-encoded here */
    const char *subnet_id;              /* NULL: default VPC */
    const char *const *security_groups; /* ids */
    size_t nsecurity_groups;
    const char *instance_profile;    /* name or ARN; NULL: none */
    const struct omkt_ec2_tag *tags; /* on the instances */
    size_t ntags;
    bool is_spot;               /* one-time spot, terminated on interrupt */
    const char *spot_max_price; /* NULL: on-demand price cap */
    const char *client_token;   /* idempotency; NULL: a random one */
    const char *key_name;       /* SSH key pair; NULL: none */
};

/* One instance as EC2 reports it. */
struct omkt_ec2_instance {
    char id[OMKT_EC2_ID_MAX];
    char state[OMKT_EC2_STATE_MAX]; /* pending running shutting-down ... */
};

/* Instances (omkt_ec2_list_clear frees). */
struct omkt_ec2_list {
    struct omkt_ec2_instance *v;
    size_t n;
};

/* omkt_ec2_run_instances - start r->count instances; @out (may be NULL)
 * gets their ids (new). */
int omkt_ec2_run_instances(struct omkt_aws *c, const struct omkt_ec2_run *r,
                           struct omkt_ec2_list *out, struct omkt_errbuf *eb);

/*
 * omkt_ec2_describe - the instances tagged @tag (key=value) that are not
 * terminated (pending, running, shutting-down, stopping, stopped), every
 * page.  *out new.
 */
int omkt_ec2_describe(struct omkt_aws *c, const struct omkt_ec2_tag *tag,
                      struct omkt_ec2_list *out, struct omkt_errbuf *eb);

/* omkt_ec2_terminate - terminate the @n instances @ids (1..1000). */
int omkt_ec2_terminate(struct omkt_aws *c, const char *const *ids, size_t n,
                       struct omkt_errbuf *eb);

void omkt_ec2_list_clear(struct omkt_ec2_list *l);

/* ---- pure parts, exposed for tests ---- */

/* omkt_ec2_run_body - the form body of RunInstances @r (new); NULL with
 * @eb when @r is invalid (no image, type, count 1..1000, user-data too
 * long). */
char *omkt_ec2_run_body(const struct omkt_ec2_run *r, struct omkt_errbuf *eb);

/* omkt_ec2_parse_instances - append the instances of an EC2 answer
 * (@len bytes) to @out; *next (may be NULL) gets <nextToken> (new). */
int omkt_ec2_parse_instances(const char *xml, size_t len,
                             struct omkt_ec2_list *out, char **next);

/* omkt_ec2_classify - the awsreq classifier of EC2 answers. */
int omkt_ec2_classify(const char *what, long status, const char *body,
                      size_t len, struct omkt_errbuf *eb);

#endif

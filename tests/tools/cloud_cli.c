/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_cli - drive common/sqs, common/ec2 and common/imds from shell
 * tests (tests/cloud/).  Credentials from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), region from AWS_REGION.
 * Loopback endpoints are allowed (the servers are local fakes) unless
 * OMKT_CLOUD_PUBLIC_ONLY=1 (the address policy then refuses them).
 * SIGTERM interrupts a call (the stop hook): exit 1 with "interrupted".
 *
 *   cloud_cli sqs EP create NAME [VIS_S [DLQ_ARN MAX_RECEIVES]]  -> URL
 *   cloud_cli sqs EP url NAME                                  -> URL
 *   cloud_cli sqs EP send URL BODY                             -> MessageId
 *   cloud_cli sqs EP recv URL WAIT_S MAX [VIS_S]
 *                          -> "count<TAB>receipt<TAB>body" per message
 *   cloud_cli sqs EP vis URL RECEIPT SECONDS
 *   cloud_cli sqs EP del URL RECEIPT
 *   cloud_cli sqs EP info URL   -> "visible N notvisible N delayed N arn A"
 *   cloud_cli ec2 EP run IMAGE TYPE COUNT USERDATA_FILE TAG=VALUE [spot]
 *                                                      -> "id state" lines
 *   cloud_cli ec2 EP describe TAG=VALUE                -> "id state" lines
 *   cloud_cli ec2 EP terminate ID...
 *   cloud_cli imds EP id | spot
 * Exit 0 on success, else 1 with "error: <omkt code>: <text>" on stderr
 * (2: usage).  The retry count goes to stderr as "retries N".
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/ec2.h"
#include "common/err.h"
#include "common/imds.h"
#include "common/s3.h"
#include "common/s3cred.h"
#include "common/sqs.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

/* is_stopping - the clients' stop hook. */
static bool is_stopping(void *arg)
{
    (void)arg;
    return stopping != 0;
}

/* num - argument @s as an int, or exit 2. */
static int num(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0') {
        fprintf(stderr, "not a number: %s\n", s);
        exit(2);
    }
    return (int)v;
}

static int fail(int rc, const struct omkt_errbuf *eb)
{
    fprintf(stderr, "error: %s: %s%s\n", omkt_strerror(rc),
            omkt_errbuf_str(eb, rc), eb->retryable ? " (retryable)" : "");
    return 1;
}

static int sqs_create(struct omkt_aws *c, int argc, char **argv,
                      struct omkt_errbuf *eb)
{
    struct omkt_sqs_queue_attrs a = {0};
    char *url = NULL;
    int rc;

    if (argc > 1)
        a.visibility_timeout_s = num(argv[1]);
    if (argc > 3) {
        a.dlq_arn = argv[2];
        a.max_receive_count = num(argv[3]);
    }
    rc = omkt_sqs_create_queue(c, argv[0], &a, &url, eb);
    if (rc == OMKT_OK)
        printf("%s\n", url);
    free(url);
    return rc;
}

static int sqs_recv(struct omkt_aws *c, int argc, char **argv,
                    struct omkt_errbuf *eb)
{
    struct omkt_sqs_recv_opts o = {num(argv[2]), num(argv[1]), -1};
    struct omkt_sqs_batch b;
    int rc;

    if (argc > 3)
        o.visibility_s = num(argv[3]);
    rc = omkt_sqs_receive(c, argv[0], &o, &b, eb);
    for (size_t i = 0; rc == OMKT_OK && i < b.n; i++)
        printf("%d\t%s\t%s\n", b.v[i].receive_count, b.v[i].receipt,
               b.v[i].body);
    omkt_sqs_batch_clear(&b);
    return rc;
}

static int sqs_info(struct omkt_aws *c, const char *url, struct omkt_errbuf *eb)
{
    struct omkt_sqs_queue_info q;
    int rc = omkt_sqs_queue_info(c, url, &q, eb);

    if (rc == OMKT_OK)
        printf("visible %lld notvisible %lld delayed %lld arn %s\n",
               (long long)q.visible, (long long)q.not_visible,
               (long long)q.delayed, q.arn ? q.arn : "-");
    omkt_sqs_queue_info_clear(&q);
    return rc;
}

/* sqs_cmd - one SQS command; argv[0] is the command. */
static int sqs_cmd(struct omkt_aws *c, int argc, char **argv,
                   struct omkt_errbuf *eb)
{
    const char *cmd = argv[0];
    char *s = NULL;
    int rc = -100;

    if (strcmp(cmd, "create") == 0 && argc >= 2)
        return sqs_create(c, argc - 1, argv + 1, eb);
    if (strcmp(cmd, "recv") == 0 && argc >= 4)
        return sqs_recv(c, argc - 1, argv + 1, eb);
    if (strcmp(cmd, "info") == 0 && argc == 2)
        return sqs_info(c, argv[1], eb);
    if (strcmp(cmd, "url") == 0 && argc == 2)
        rc = omkt_sqs_get_queue_url(c, argv[1], &s, eb);
    else if (strcmp(cmd, "send") == 0 && argc == 3)
        rc = omkt_sqs_send(c, argv[1], &(struct omkt_sqs_outgoing){argv[2], 0},
                           &s, eb);
    else if (strcmp(cmd, "vis") == 0 && argc == 4)
        rc = omkt_sqs_change_visibility(c, argv[1], argv[2], num(argv[3]), eb);
    else if (strcmp(cmd, "del") == 0 && argc == 3)
        rc = omkt_sqs_delete(c, argv[1], argv[2], eb);
    if (rc == OMKT_OK && s)
        printf("%s\n", s);
    free(s);
    return rc;
}

/* split_tag - "k=v" into @t (borrowing @s, which is cut). */
static void split_tag(char *s, struct omkt_ec2_tag *t)
{
    char *eq = strchr(s, '=');

    if (eq == NULL) {
        fprintf(stderr, "tag must be KEY=VALUE: %s\n", s);
        exit(2);
    }
    *eq = '\0';
    t->key = s;
    t->value = eq + 1;
}

static void print_list(const struct omkt_ec2_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        printf("%s %s\n", l->v[i].id, l->v[i].state);
}

static int ec2_run(struct omkt_aws *c, int argc, char **argv,
                   struct omkt_errbuf *eb)
{
    struct omkt_ec2_tag tag;
    struct omkt_ec2_run r = {.image_id = argv[0],
                             .instance_type = argv[1],
                             .count = num(argv[2]),
                             .tags = &tag,
                             .ntags = 1,
                             .is_spot =
                                 argc > 5 && strcmp(argv[5], "spot") == 0};
    struct omkt_ec2_list l;
    FILE *f = fopen(argv[3], "r");
    char *ud = omkt_xcalloc(1, OMKT_EC2_MAX_USERDATA + 2);
    int rc;

    if (f == NULL) {
        free(ud);
        fprintf(stderr, "cannot open %s\n", argv[3]);
        return OMKT_EIO;
    }
    if (fread(ud, 1, OMKT_EC2_MAX_USERDATA + 1, f) == 0) /* over: refused */
        ud[0] = '\0';
    fclose(f);
    r.user_data = ud;
    split_tag(argv[4], &tag);
    rc = omkt_ec2_run_instances(c, &r, &l, eb);
    if (rc == OMKT_OK)
        print_list(&l);
    omkt_ec2_list_clear(&l);
    free(ud);
    return rc;
}

/* ec2_cmd - one EC2 command; argv[0] is the command. */
static int ec2_cmd(struct omkt_aws *c, int argc, char **argv,
                   struct omkt_errbuf *eb)
{
    struct omkt_ec2_list l;
    struct omkt_ec2_tag tag;
    int rc;

    if (strcmp(argv[0], "run") == 0 && argc >= 6)
        return ec2_run(c, argc - 1, argv + 1, eb);
    if (strcmp(argv[0], "terminate") == 0 && argc >= 2)
        return omkt_ec2_terminate(c, (const char *const *)argv + 1,
                                  (size_t)argc - 1, eb);
    if (strcmp(argv[0], "describe") != 0 || argc != 2)
        return -100;
    split_tag(argv[1], &tag);
    rc = omkt_ec2_describe(c, &tag, &l, eb);
    if (rc == OMKT_OK)
        print_list(&l);
    omkt_ec2_list_clear(&l);
    return rc;
}

static int imds_cmd(const char *ep, const char *what, struct omkt_errbuf *eb)
{
    struct omkt_imds *m = NULL;
    struct omkt_imds_spot sp;
    char *id = NULL;
    int rc = omkt_imds_new(ep, &m, eb);

    if (rc == OMKT_OK && strcmp(what, "id") == 0) {
        rc = omkt_imds_instance_id(m, &id, eb);
        if (rc == OMKT_OK)
            printf("%s\n", id);
    } else if (rc == OMKT_OK && strcmp(what, "spot") == 0) {
        rc = omkt_imds_spot_notice(m, &sp, eb);
        if (rc == OMKT_OK)
            printf("%s %s\n", sp.action, sp.time);
        else if (rc == OMKT_ENOTFOUND)
            printf("none\n"); /* the usual answer: no error */
        if (rc == OMKT_ENOTFOUND)
            rc = OMKT_OK;
    } else if (rc == OMKT_OK) {
        rc = -100;
    }
    free(id);
    omkt_imds_free(m);
    return rc;
}

/* client - an awsreq client of @ep for @service from the environment. */
static int client(const char *service, const char *ep, struct omkt_aws **c,
                  struct omkt_errbuf *eb)
{
    struct omkt_aws_config cfg = {.endpoint = ep,
                                  .region = getenv("AWS_REGION"),
                                  .service = service,
                                  .max_attempts = 4,
                                  .backoff_ms = 100,
                                  .backoff_max_ms = 1000,
                                  .lim = {.allow_private = true}};
    const char *pub = getenv("OMKT_CLOUD_PUBLIC_ONLY");
    struct omkt_s3_creds cr;
    int rc = omkt_s3_creds_env(&cr);

    if (pub && strcmp(pub, "1") == 0)
        cfg.lim.allow_private = false;

    if (rc != OMKT_OK) {
        omkt_errf(eb, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unset");
        return rc;
    }
    rc = omkt_aws_new(&cfg, &cr, c, eb);
    omkt_s3_creds_clear(&cr);
    if (rc == OMKT_OK)
        omkt_aws_set_stop(*c, is_stopping, NULL);
    return rc;
}

static int run(int argc, char **argv, struct omkt_errbuf *eb)
{
    struct omkt_aws *c = NULL;
    int rc;

    if (strcmp(argv[1], "imds") == 0)
        return imds_cmd(argv[2], argv[3], eb);
    if (strcmp(argv[1], "sqs") != 0 && strcmp(argv[1], "ec2") != 0)
        return -100;
    rc = client(argv[1], argv[2], &c, eb);
    if (rc != OMKT_OK)
        return rc;
    if (strcmp(argv[1], "sqs") == 0)
        rc = sqs_cmd(c, argc - 3, argv + 3, eb);
    else
        rc = ec2_cmd(c, argc - 3, argv + 3, eb);
    fprintf(stderr, "retries %d\n", omkt_aws_retries(c));
    omkt_aws_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    struct omkt_errbuf eb = {0};
    struct sigaction sa = {.sa_handler = on_term};
    int rc;

    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGTERM, &sa, NULL); /* cannot fail for SIGTERM */
    if (argc < 4) {
        fprintf(stderr, "usage: cloud_cli sqs|ec2|imds ENDPOINT CMD ...\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = run(argc, argv, &eb);
    curl_global_cleanup();
    if (rc == -100) {
        fprintf(stderr, "bad command or arguments (see cloud_cli.c)\n");
        return 2;
    }
    return rc == OMKT_OK ? 0 : fail(rc, &eb);
}

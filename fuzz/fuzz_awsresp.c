/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_awsresp - libFuzzer target: what AWS endpoints (or anything that
 * answers in their place) send back, through the parsers that read it:
 * SQS ReceiveMessage and GetQueueAttributes answers, SQS and EC2 error
 * classification, EC2 DescribeInstances/RunInstances XML, the IMDS spot
 * notice, S3's XML error fields, and s3:// URIs (from clients and job
 * rows).
 *
 * Input: the first byte picks the parser (modulo 8), the second is the
 * HTTP status class for the classifiers; the rest is the answer body.
 *
 * Oracles: ASan/UBSan; every error text and every string a parser hands
 * back is valid UTF-8 (it goes into job rows, logs and JSON replies:
 * jansson refuses invalid text and the reply would be empty; FUZZ_SKIP
 * name aws-utf8); a masked URI never shows the secret it hid.
 */
#include <string.h>

#include "common/ec2.h"
#include "common/err.h"
#include "common/imds.h"
#include "common/s3.h"
#include "common/s3cred.h"
#include "common/sqs.h"
#include "common/text.h"
#include "fuzz.h"

/* check_text - @s (may be NULL) is UTF-8. */
static void check_text(const char *s, const char *what)
{
    if (s != NULL && !fuzz_skip("aws-utf8"))
        FUZZ_ASSERT(omkt_utf8_valid(s, strlen(s)), what);
}

static void check_eb(const struct omkt_errbuf *eb)
{
    if (eb->is_set)
        check_text(eb->msg, "error text is not UTF-8");
}

static void sqs_messages(const char *body, size_t len)
{
    struct omkt_errbuf eb = {0};
    struct omkt_sqs_batch b = {0};

    if (omkt_sqs_parse_messages(body, len, &b, &eb) == OMKT_OK) {
        for (size_t i = 0; i < b.n; i++) {
            FUZZ_ASSERT(b.v[i].receipt != NULL, "message without a receipt");
            check_text(b.v[i].body, "message body is not UTF-8");
            check_text(b.v[i].receipt, "receipt is not UTF-8");
        }
    }
    check_eb(&eb);
    omkt_sqs_batch_clear(&b);
}

static void sqs_info(const char *body, size_t len)
{
    struct omkt_errbuf eb = {0};
    struct omkt_sqs_queue_info q = {0};

    (void)omkt_sqs_parse_info(body, len, &q, &eb);
    check_text(q.arn, "queue ARN is not UTF-8");
    check_eb(&eb);
    omkt_sqs_queue_info_clear(&q);
}

static void classify(int which, long status, const char *body, size_t len)
{
    struct omkt_errbuf eb = {0};
    int rc = which ? omkt_ec2_classify("ec2 Fuzz", status, body, len, &eb)
                   : omkt_sqs_classify("sqs Fuzz", status, body, len, &eb);

    if (status >= 200 && status < 300)
        return;
    FUZZ_ASSERT(rc != OMKT_OK, "an error status classified as success");
    FUZZ_ASSERT(eb.is_set, "an error without a reason");
    check_eb(&eb);
}

static void ec2_instances(const char *body, size_t len)
{
    struct omkt_ec2_list l = {0};
    char *next = NULL;

    (void)omkt_ec2_parse_instances(body, len, &l, &next);
    for (size_t i = 0; i < l.n; i++) {
        check_text(l.v[i].id, "instance id is not UTF-8");
        check_text(l.v[i].state, "instance state is not UTF-8");
    }
    check_text(next, "nextToken is not UTF-8");
    free(next);
    omkt_ec2_list_clear(&l);
}

static void spot(const char *body, size_t len)
{
    struct omkt_imds_spot s;

    memset(&s, 0, sizeof(s));
    if (omkt_imds_parse_spot(body, len, &s) == OMKT_OK) {
        FUZZ_ASSERT(memchr(s.action, '\0', sizeof(s.action)) != NULL,
                    "spot action not terminated");
        check_text(s.action, "spot action is not UTF-8");
        check_text(s.time, "spot time is not UTF-8");
    }
}

static void s3_error(const char *body, size_t len)
{
    char code[64];
    char msg[256];

    if (omkt_s3_xml_text(body, len, "Code", code, sizeof(code)))
        check_text(code, "S3 error code is not UTF-8");
    if (omkt_s3_xml_text(body, len, "Message", msg, sizeof(msg)))
        check_text(msg, "S3 error message is not UTF-8");
}

/* secret_blanked - @text with the raw secret of its credentials (the
 * bytes between the first ':' and the '@' ending them) overwritten (new),
 * or NULL when @text has no credentials. */
static char *secret_blanked(const char *text)
{
    const char *rest = text + 5;
    size_t colon = strcspn(rest, ":");
    const char *at = rest[colon] ? strchr(rest + colon, '@') : NULL;
    char *copy;

    if (at == NULL)
        return NULL;
    copy = strdup(text);
    if (copy != NULL)
        memset(copy + 5 + colon + 1, 'Z', (size_t)(at - rest - colon - 1));
    return copy;
}

/* s3_uri - the masked form must not depend on the secret at all: masking
 * the URI with its secret overwritten gives the same text.  (A plain
 * "the secret is not in the output" breaks when the object key or the
 * access key contain the secret's text, which they may show.) */
static void s3_uri(const char *text)
{
    struct omkt_errbuf eb = {0};
    struct omkt_s3_uri u = {0};
    char *masked = omkt_s3_uri_mask(text);

    if (omkt_s3_uri_parse(text, &u, &eb) == OMKT_OK && masked != NULL &&
        u.creds.secret_key != NULL) {
        char *blank = secret_blanked(text);
        char *masked2 = blank ? omkt_s3_uri_mask(blank) : NULL;

        FUZZ_ASSERT(masked2 != NULL && strcmp(masked, masked2) == 0,
                    "masked URI depends on the secret");
        free(masked2);
        free(blank);
    }
    check_eb(&eb);
    free(masked);
    omkt_s3_uri_clear(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 400, 403, 404, 500, 503, 302, 0};
    char *body;
    size_t len;
    int which;
    long status;

    if (size < 2)
        return 0;
    which = data[0] % 8;
    status = statuses[data[1] % 8];
    body = fuzz_strndup(data + 2, size - 2);
    len = size - 2;
    switch (which) {
    case 0:
        sqs_messages(body, len);
        break;
    case 1:
        sqs_info(body, len);
        break;
    case 2:
        classify(0, status, body, len);
        break;
    case 3:
        classify(1, status, body, len);
        break;
    case 4:
        ec2_instances(body, len);
        break;
    case 5:
        spot(body, len);
        break;
    case 6:
        s3_error(body, len);
        break;
    default:
        s3_uri(body);
        break;
    }
    free(body);
    return 0;
}

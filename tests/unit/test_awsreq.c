/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_awsreq - the pure parts of common/awsreq (form bodies sorted and
 * encoded for SigV4; the capped, jittered backoff; the error map that
 * SQS and EC2 answers go through), of common/imds (the spot interruption
 * notice) and the client's argument checks.
 */
#include <stdlib.h>
#include <string.h>

#include "common/awsreq.h"
#include "common/err.h"
#include "common/ec2.h"
#include "common/imds.h"
#include "common/sqs.h"
#include "omkt_test.h"

static void test_form(void)
{
    static const struct omkt_aws_param p[] = {
        {"b", "2"},      {"Action", "Run"}, {"a", "x y/z"},
        {"B.1", "é~*+"}, {"a", "second"},   {"Empty", NULL},
    };
    char *s = omkt_aws_form(p, sizeof(p) / sizeof(p[0]));

    OMKT_CHECK_STR(s,
                   "Action=Run&B.1=%C3%A9~%2A%2B&Empty=&a=x%20y%2Fz"
                   "&a=second&b=2",
                   "sorted by byte order, equal names kept in order, "
                   "RFC 3986 encoding");
    free(s);
    s = omkt_aws_form(NULL, 0);
    OMKT_CHECK_STR(s, "", "no parameters");
    free(s);
}

static void test_backoff(void)
{
    unsigned seed = 7;
    bool ok = true;

    for (int a = 1; a <= 12; a++) {
        int64_t full = 200;

        for (int i = 1; i < a && full < 5000; i++)
            full *= 2;
        if (full > 5000)
            full = 5000;
        for (int k = 0; k < 50; k++) {
            int64_t d = omkt_aws_backoff_ms(200, 5000, a, &seed);

            if (d < full / 2 || d > full)
                ok = false;
        }
    }
    OMKT_CHECK(ok, "retry delays doubled, capped at 5 s, jittered in "
                   "[d/2, d]");
}

static void test_new_checks(void)
{
    struct omkt_s3_creds cr = {"AK", "SK", NULL};
    struct omkt_s3_creds none = {0};
    struct omkt_aws_config cfg = {.endpoint = "http://127.0.0.1:9",
                                  .service = "sqs"};
    struct omkt_aws *c = NULL;
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_aws_new(&cfg, &cr, &c, NULL), OMKT_OK, "valid");
    omkt_aws_free(c);
    cfg.endpoint = "http://h:1/path";
    OMKT_CHECK_INT(omkt_aws_new(&cfg, &cr, &c, &eb), OMKT_EINVAL,
                   "an endpoint with a path");
    OMKT_CHECK(c == NULL, "no client");
    cfg.endpoint = "ftp://h";
    OMKT_CHECK_INT(omkt_aws_new(&cfg, &cr, &c, NULL), OMKT_EINVAL, "ftp");
    cfg.endpoint = "https://sqs.eu-west-1.amazonaws.com/";
    OMKT_CHECK_INT(omkt_aws_new(&cfg, &none, &c, &eb), OMKT_EINVAL, "no keys");
    cfg.service = NULL;
    OMKT_CHECK_INT(omkt_aws_new(&cfg, &cr, &c, NULL), OMKT_EINVAL,
                   "no service");
}

static void test_spot(void)
{
    static const char n[] =
        "{\"action\": \"terminate\", \"time\": \"2017-09-18T08:22:00Z\"}";
    struct omkt_imds_spot s;

    OMKT_CHECK_INT(omkt_imds_parse_spot(n, strlen(n), &s), OMKT_OK, "notice");
    OMKT_CHECK_STR(s.action, "terminate", "action");
    OMKT_CHECK_STR(s.time, "2017-09-18T08:22:00Z", "time");
    OMKT_CHECK_INT(omkt_imds_parse_spot("<html/>", 7, &s), OMKT_EINVAL,
                   "not a notice");
    OMKT_CHECK_INT(omkt_imds_parse_spot("{}", 2, &s), OMKT_EINVAL, "no action");
}

#define ERR(code, msg)                                                         \
    "<?xml version=\"1.0\"?><Response><Errors><Error><Code>" code              \
    "</Code><Message>" msg "</Message></Error></Errors><RequestID>r"           \
    "</RequestID></Response>"

/* test_classify - SQS's JSON and EC2's XML errors mapped to omkt codes,
 * retryability and text (one shared map: omkt_aws_error). */
static void test_classify(void)
{
    static const struct {
        omkt_aws_classify_fn fn;
        const char *what;
        long status;
        const char *body;
        int rc;
        bool retry;
        const char *text;
    } c[] = {
        {omkt_sqs_classify, "sqs X", 200, "", OMKT_OK, false, ""},
        {omkt_sqs_classify, "sqs X", 400,
         "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
         "\"message\":\"The specified queue does not exist.\"}",
         OMKT_ENOTFOUND, false,
         "sqs X: HTTP 400 QueueDoesNotExist: The specified queue does not "
         "exist."},
        {omkt_sqs_classify, "sqs X", 400,
         "{\"__type\":\"AWS.SimpleQueueService.NonExistentQueue\"}",
         OMKT_ENOTFOUND, false, "sqs X: HTTP 400 NonExistentQueue"},
        {omkt_sqs_classify, "sqs X", 404,
         "{\"__type\":\"com.amazonaws.sqs#ReceiptHandleIsInvalid\"}",
         OMKT_ELOST, false, "sqs X: HTTP 404 ReceiptHandleIsInvalid"},
        {omkt_sqs_classify, "sqs X", 403,
         "{\"__type\":\"com.amazon.coral.service#SignatureDoesNotMatch\","
         "\"message\":\"bad\"}",
         OMKT_EPERM, false, "sqs X: HTTP 403 SignatureDoesNotMatch: bad"},
        {omkt_sqs_classify, "sqs X", 400,
         "{\"__type\":\"com.amazon.coral.service#InvalidParameterValue"
         "Exception\",\"message\":\"m\"}",
         OMKT_EINVAL, false,
         "sqs X: HTTP 400 InvalidParameterValueException: m"},
        {omkt_sqs_classify, "sqs X", 400,
         "{\"__type\":\"com.amazonaws.sqs#ThrottlingException\"}", OMKT_EHTTP,
         true, "sqs X: HTTP 400 ThrottlingException"},
        {omkt_sqs_classify, "sqs X", 503, "", OMKT_EHTTP, true,
         "sqs X: HTTP 503 -"},
        {omkt_sqs_classify, "sqs X", 500, "<html>oops</html>", OMKT_EHTTP, true,
         "sqs X: HTTP 500 -"},

        {omkt_ec2_classify, "ec2 X", 200, "<ok/>", OMKT_OK, false, ""},
        {omkt_ec2_classify, "ec2 X", 401,
         ERR("AuthFailure", "AWS was not able to validate"), OMKT_EPERM, false,
         "ec2 X: HTTP 401 AuthFailure: AWS was not able to validate"},
        {omkt_ec2_classify, "ec2 X", 403, ERR("UnauthorizedOperation", "no"),
         OMKT_EPERM, false, "ec2 X: HTTP 403 UnauthorizedOperation: no"},
        {omkt_ec2_classify, "ec2 X", 400,
         ERR("InvalidInstanceID.NotFound", "i-9 &amp; co"), OMKT_ENOTFOUND,
         false, "ec2 X: HTTP 400 InvalidInstanceID.NotFound: i-9 & co"},
        {omkt_ec2_classify, "ec2 X", 400, ERR("InvalidParameterValue", "v"),
         OMKT_EINVAL, false, "ec2 X: HTTP 400 InvalidParameterValue: v"},
        {omkt_ec2_classify, "ec2 X", 503,
         ERR("RequestLimitExceeded", "slow down"), OMKT_EHTTP, true,
         "ec2 X: HTTP 503 RequestLimitExceeded: slow down"},
        {omkt_ec2_classify, "ec2 X", 500,
         ERR("InsufficientInstanceCapacity", "none"), OMKT_EHTTP, true,
         "ec2 X: HTTP 500 InsufficientInstanceCapacity: none"},
        {omkt_ec2_classify, "ec2 X", 400, ERR("DryRunOperation", "d"),
         OMKT_EHTTP, false, "ec2 X: HTTP 400 DryRunOperation: d"},
        {omkt_ec2_classify, "ec2 X", 502, "", OMKT_EHTTP, true,
         "ec2 X: HTTP 502 -"},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct omkt_errbuf eb = {0};

        OMKT_CHECK_INT(
            c[i].fn(c[i].what, c[i].status, c[i].body, strlen(c[i].body), &eb),
            c[i].rc, "case %zu: code", i);
        OMKT_CHECK_INT(eb.retryable, c[i].retry, "case %zu: retryable", i);
        OMKT_CHECK_STR(eb.msg, c[i].text, "case %zu: text", i);
    }
}

int main(void)
{
    test_form();
    test_backoff();
    test_new_checks();
    test_spot();
    test_classify();
    return omkt_test_done();
}

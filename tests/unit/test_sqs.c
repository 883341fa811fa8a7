/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sqs - the pure parts of common/sqs: request bodies (ReceiveMessage,
 * CreateQueue with its redrive policy), answer parsing (messages with
 * ApproximateReceiveCount, empty answers, queue attributes).  The error
 * mapping is in test_awsreq, the protocol against a real server in
 * tests/cloud/test_sqs.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sqs.h"
#include "omkt_test.h"

static void test_receive_body(void)
{
    struct omkt_sqs_recv_opts o = {5, 20, -1};
    struct omkt_sqs_recv_opts big = {50, 90, 120};
    char *s = omkt_sqs_receive_body("http://q/1/jobs", &o);

    OMKT_CHECK_STR(s,
                   "{\"AttributeNames\":[\"ApproximateReceiveCount\"],"
                   "\"MaxNumberOfMessages\":5,"
                   "\"MessageSystemAttributeNames\":"
                   "[\"ApproximateReceiveCount\"],"
                   "\"QueueUrl\":\"http://q/1/jobs\",\"WaitTimeSeconds\":20}",
                   "receive body");
    free(s);
    s = omkt_sqs_receive_body("u", &big);
    OMKT_CHECK(s && strstr(s, "\"MaxNumberOfMessages\":10") &&
                   strstr(s, "\"WaitTimeSeconds\":20") &&
                   strstr(s, "\"VisibilityTimeout\":120"),
               "limits clamped to SQS's (10 messages, 20 s), visibility "
               "passed: %s",
               s ? s : "(null)");
    free(s);
}

static void test_create_body(void)
{
    struct omkt_sqs_queue_attrs a = {
        .visibility_timeout_s = 300,
        .dlq_arn = "arn:aws:sqs:us-east-1:1:dlq",
        .max_receive_count = 5,
    };
    char *s = omkt_sqs_create_body("jobs", &a);

    OMKT_CHECK_STR(s,
                   "{\"Attributes\":{\"RedrivePolicy\":"
                   "\"{\\\"deadLetterTargetArn\\\":"
                   "\\\"arn:aws:sqs:us-east-1:1:dlq\\\","
                   "\\\"maxReceiveCount\\\":5}\","
                   "\"VisibilityTimeout\":\"300\"},\"QueueName\":\"jobs\"}",
                   "create body: the redrive policy is a JSON string");
    free(s);
    s = omkt_sqs_create_body("plain", NULL);
    OMKT_CHECK_STR(s, "{\"QueueName\":\"plain\"}", "no attributes");
    free(s);
}

static void test_parse_messages(void)
{
    static const char two[] =
        "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"r1\","
        "\"MD5OfBody\":\"x\",\"Body\":\"hello\",\"Attributes\":"
        "{\"ApproximateReceiveCount\":\"3\"}},{\"MessageId\":\"m2\","
        "\"ReceiptHandle\":\"r2\",\"Body\":\"\"}]}";
    struct omkt_sqs_batch b;
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_sqs_parse_messages(two, strlen(two), &b, &eb), OMKT_OK,
                   "two messages");
    OMKT_CHECK_INT(b.n, 2, "count");
    if (b.n == 2) {
        OMKT_CHECK_STR(b.v[0].id, "m1", "id");
        OMKT_CHECK_STR(b.v[0].receipt, "r1", "receipt");
        OMKT_CHECK_STR(b.v[0].body, "hello", "body");
        OMKT_CHECK_INT(b.v[0].receive_count, 3, "receive count");
        OMKT_CHECK_INT(b.v[1].receive_count, 0, "no count given");
    }
    omkt_sqs_batch_clear(&b);
    OMKT_CHECK_INT(omkt_sqs_parse_messages("", 0, &b, NULL), OMKT_OK,
                   "empty body: no message");
    OMKT_CHECK_INT(b.n, 0, "empty body count");
    omkt_sqs_batch_clear(&b);
    OMKT_CHECK_INT(omkt_sqs_parse_messages("{}", 2, &b, NULL), OMKT_OK,
                   "{}: no message");
    omkt_sqs_batch_clear(&b);
    OMKT_CHECK_INT(omkt_sqs_parse_messages("{\"Messages\":[{\"Body\":\"x\"}]}",
                                           29, &b, &eb),
                   OMKT_EINVAL, "a message without receipt");
    OMKT_CHECK_INT(b.n, 0, "nothing kept");
    OMKT_CHECK_INT(omkt_sqs_parse_messages("<xml/>", 6, &b, NULL), OMKT_EINVAL,
                   "not JSON");
}

static void test_parse_info(void)
{
    static const char ans[] =
        "{\"Attributes\":{\"ApproximateNumberOfMessages\":\"7\","
        "\"ApproximateNumberOfMessagesNotVisible\":\"2\","
        "\"ApproximateNumberOfMessagesDelayed\":\"0\","
        "\"VisibilityTimeout\":\"300\",\"QueueArn\":\"arn:q\"}}";
    struct omkt_sqs_queue_info q;

    OMKT_CHECK_INT(omkt_sqs_parse_info(ans, strlen(ans), &q, NULL), OMKT_OK,
                   "attributes");
    OMKT_CHECK_INT(q.visible, 7, "visible");
    OMKT_CHECK_INT(q.not_visible, 2, "not visible");
    OMKT_CHECK_INT(q.delayed, 0, "delayed");
    OMKT_CHECK_INT(q.visibility_timeout_s, 300, "visibility");
    OMKT_CHECK_STR(q.arn, "arn:q", "arn");
    omkt_sqs_queue_info_clear(&q);
    OMKT_CHECK_INT(omkt_sqs_parse_info("{}", 2, &q, NULL), OMKT_EHTTP,
                   "no Attributes");
}

int main(void)
{
    test_receive_body();
    test_create_body();
    test_parse_messages();
    test_parse_info();
    return omkt_test_done();
}

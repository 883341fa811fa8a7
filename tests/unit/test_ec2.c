/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ec2 - the pure parts of common/ec2: the RunInstances form (sorted,
 * encoded, user-data in base64, tags, spot, profile by name or ARN), the
 * parsing of EC2's instance XML (RunInstances, DescribeInstances pages;
 * the error mapping is in test_awsreq).  The protocol against a signature-
 * checking server is tests/cloud/test_ec2.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "common/ec2.h"
#include "common/err.h"
#include "omkt_test.h"

static void test_run_body(void)
{
    static const char *const sg[] = {"sg-1", "sg-2"};
    static const struct omkt_ec2_tag tags[] = {{"omkt:cluster", "prod a"},
                                               {"Name", "omkt-worker"}};
    struct omkt_ec2_run r = {
        .image_id = "ami-1",
        .instance_type = "c5.xlarge",
        .count = 2,
        .user_data = "#!/bin/sh\necho hi\n",
        .subnet_id = "subnet-9",
        .security_groups = sg,
        .nsecurity_groups = 2,
        .instance_profile = "omkt-worker",
        .tags = tags,
        .ntags = 2,
        .client_token = "tok-1",
    };
    char *s = omkt_ec2_run_body(&r, NULL);

    OMKT_CHECK_STR(
        s,
        "Action=RunInstances&ClientToken=tok-1"
        "&IamInstanceProfile.Name=omkt-worker&ImageId=ami-1"
        "&InstanceInitiatedShutdownBehavior=terminate"
        "&InstanceType=c5.xlarge&MaxCount=2&MinCount=2"
        "&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2&SubnetId=subnet-9"
        "&TagSpecification.1.ResourceType=instance"
        "&TagSpecification.1.Tag.1.Key=omkt%3Acluster"
        "&TagSpecification.1.Tag.1.Value=prod%20a"
        "&TagSpecification.1.Tag.2.Key=Name"
        "&TagSpecification.1.Tag.2.Value=omkt-worker"
        "&UserData=IyEvYmluL3NoCmVjaG8gaGkK&Version=2016-11-15",
        "RunInstances form: sorted, encoded, user-data in base64");
    free(s);
    r.is_spot = true;
    r.spot_max_price = "0.05";
    r.instance_profile = "arn:aws:iam::1:instance-profile/w";
    r.client_token = NULL;
    s = omkt_ec2_run_body(&r, NULL);
    OMKT_CHECK(s && strstr(s, "&InstanceMarketOptions.MarketType=spot&") &&
                   strstr(s, "SpotOptions.InstanceInterruptionBehavior="
                             "terminate") &&
                   strstr(s, "SpotOptions.MaxPrice=0.05") &&
                   strstr(s, "IamInstanceProfile.Arn=arn%3Aaws%3Aiam%3A%3A1"
                             "%3Ainstance-profile%2Fw") &&
                   strstr(s, "ClientToken=") &&
                   strlen(strstr(s, "ClientToken=")) > 12 + 32,
               "spot, profile by ARN, a random client token: %s",
               s ? s : "(null)");
    free(s);
}

static void test_run_checks(void)
{
    struct omkt_ec2_run r = {.image_id = "ami-1", .instance_type = "t3.micro"};
    struct omkt_errbuf eb = {0};
    char *big = calloc(1, OMKT_EC2_MAX_USERDATA + 2);

    OMKT_CHECK(omkt_ec2_run_body(&r, &eb) == NULL, "count 0 refused");
    OMKT_CHECK_STR(eb.msg, "ec2 RunInstances: count 0 is not 1..1000",
                   "count text");
    r.count = 1;
    memset(big, 'x', OMKT_EC2_MAX_USERDATA + 1);
    r.user_data = big;
    OMKT_CHECK(omkt_ec2_run_body(&r, NULL) == NULL, "user-data over 16 KiB");
    r.user_data = NULL;
    r.image_id = "";
    OMKT_CHECK(omkt_ec2_run_body(&r, NULL) == NULL, "no image");
    free(big);
}

static void test_parse(void)
{
    static const char page1[] =
        "<DescribeInstancesResponse><reservationSet><item><instancesSet>"
        "<item><instanceId>i-1</instanceId><instanceState><code>16</code>"
        "<name>running</name></instanceState><tagSet><item><key>k</key>"
        "<value>v</value></item></tagSet></item>"
        "<item><instanceId>i-2</instanceId><imageId>ami</imageId>"
        "<instanceState><code>0</code><name>pending</name></instanceState>"
        "</item></instancesSet></item></reservationSet>"
        "<nextToken>tok 2</nextToken></DescribeInstancesResponse>";
    static const char page2[] =
        "<DescribeInstancesResponse><reservationSet><item><instancesSet>"
        "<item><instanceId>i-3</instanceId></item></instancesSet></item>"
        "</reservationSet></DescribeInstancesResponse>";
    struct omkt_ec2_list l = {0};
    char *next = NULL;

    OMKT_CHECK_INT(omkt_ec2_parse_instances(page1, strlen(page1), &l, &next),
                   OMKT_OK, "page 1");
    OMKT_CHECK_STR(next, "tok 2", "next token");
    free(next);
    OMKT_CHECK_INT(omkt_ec2_parse_instances(page2, strlen(page2), &l, &next),
                   OMKT_OK, "page 2");
    OMKT_CHECK(next == NULL, "last page: no token");
    OMKT_CHECK_INT(l.n, 3, "instances of both pages");
    if (l.n == 3) {
        OMKT_CHECK_STR(l.v[0].id, "i-1", "id 1");
        OMKT_CHECK_STR(l.v[0].state, "running", "state 1");
        OMKT_CHECK_STR(l.v[1].id, "i-2", "id 2");
        OMKT_CHECK_STR(l.v[1].state, "pending", "state 2");
        OMKT_CHECK_STR(l.v[2].state, "unknown", "no state given");
    }
    omkt_ec2_list_clear(&l);
    OMKT_CHECK_INT(omkt_ec2_parse_instances("<x/>", 4, &l, NULL), OMKT_OK,
                   "no instance");
    OMKT_CHECK_INT(l.n, 0, "empty list");
}

int main(void)
{
    test_run_body();
    test_run_checks();
    test_parse();
    return omkt_test_done();
}

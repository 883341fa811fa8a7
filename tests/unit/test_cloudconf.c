/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cloudconf - the [cloud] section: defaults and bounds of the key
 * table, the policy names, and the per-account [cloud.account-ID]
 * override (its own policy, else [cloud]'s; a bad one refused).
 */
#include <stdlib.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/cloudconf.h"
#include "omkt_test.h"

static struct omkt_cloud_conf cc;
static const struct omkt_conf_section secs[] = {
    {"cloud", omkt_cloud_conf_keys, 0, &cc},
};

/* write_conf - @text into a new temp file; its path in @path. */
static void write_conf(char path[32], const char *text)
{
    int fd;

    snprintf(path, 32, "/tmp/omkt-cc-XXXXXX");
    fd = mkstemp(path);
    OMKT_CHECK(fd >= 0 && write(fd, text, strlen(text)) >= 0, "temp file");
    if (fd >= 0)
        close(fd);
}

/* load - @text as the configuration file of a program reading [cloud]. */
static int load(const char *text, char path[32], struct omkt_errbuf *eb)
{
    struct omkt_conf_section s = secs[0];

    s.nkeys = omkt_cloud_conf_nkeys;
    write_conf(path, text);
    omkt_conf_free(&s, 1);
    omkt_errbuf_clear(eb);
    return omkt_conf_load(path, &s, 1, eb);
}

static void test_defaults(void)
{
    struct omkt_errbuf eb = {0};
    char path[32];

    OMKT_CHECK_INT(load("[cloud]\n", path, &eb), OMKT_OK, "empty: %s", eb.msg);
    unlink(path);
    OMKT_CHECK_STR(cc.policy, "off", "policy off by default");
    OMKT_CHECK_INT(cc.overflow_after_ms, 120000, "overflow_after 2m");
    OMKT_CHECK_STR(cc.region, "us-east-1", "region");
    OMKT_CHECK_STR(cc.imds_endpoint, "http://169.254.169.254", "imds");
    OMKT_CHECK_STR(cc.jobs_queue, "omkt-jobs", "jobs queue");
    OMKT_CHECK_STR(cc.results_queue, "omkt-results", "results queue");
    OMKT_CHECK_STR(cc.dead_queue, "omkt-dead", "dead queue");
    OMKT_CHECK_INT(cc.max_receive_count, 5, "max_receive_count");
    OMKT_CHECK_INT(cc.visibility_ms, 300000, "visibility 5m");
    OMKT_CHECK_INT(cc.idle_terminate_ms, 600000, "idle_terminate 10m");
    OMKT_CHECK_INT(cc.bridge_jobs, 16, "bridge_jobs");
    OMKT_CHECK_INT(cc.max_instances, 0, "max_instances");
    OMKT_CHECK_INT(cc.jobs_per_instance, 2, "jobs_per_instance");
    OMKT_CHECK_INT(cc.start_after_ms, 30000, "start_after");
    OMKT_CHECK_INT(cc.cooldown_ms, 60000, "cooldown");
    OMKT_CHECK(!cc.is_spot && !cc.allow_private, "booleans off");
    OMKT_CHECK_STR(cc.cluster, "omkt", "cluster");
}

static void test_bounds(void)
{
    static const char *bad[] = {
        "[cloud]\nvisibility = 1s\n",       "[cloud]\nvisibility = 13h\n",
        "[cloud]\nmax_receive_count = 0\n", "[cloud]\njobs_per_instance = 0\n",
        "[cloud]\nspot = maybe\n",          "[cloud]\nnope = 1\n",
    };
    struct omkt_errbuf eb = {0};
    char path[32];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        OMKT_CHECK_INT(load(bad[i], path, &eb), OMKT_ECONF, "case %zu: %s", i,
                       eb.msg);
        unlink(path);
    }
}

static void test_policy_of(void)
{
    enum omkt_cloud_policy p = OMKT_CLOUD_OFF;
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_cloud_policy_of("always", &p, NULL), OMKT_OK, "ok");
    OMKT_CHECK_INT(p, OMKT_CLOUD_ALWAYS, "always");
    OMKT_CHECK_INT(omkt_cloud_policy_of("overflow", &p, NULL), OMKT_OK, "ok");
    OMKT_CHECK_INT(p, OMKT_CLOUD_OVERFLOW, "overflow");
    OMKT_CHECK_INT(omkt_cloud_policy_of("off", &p, NULL), OMKT_OK, "ok");
    OMKT_CHECK_INT(p, OMKT_CLOUD_OFF, "off");
    OMKT_CHECK_INT(omkt_cloud_policy_of("Always", &p, &eb), OMKT_EINVAL,
                   "case matters");
    OMKT_CHECK(strstr(eb.msg, "expected off, overflow or always") != NULL,
               "reason: %s", eb.msg);
    OMKT_CHECK_INT(omkt_cloud_policy_of(NULL, &p, NULL), OMKT_EINVAL, "NULL");
}

static void test_account(void)
{
    struct omkt_errbuf eb = {0};
    enum omkt_cloud_policy p = OMKT_CLOUD_OFF;
    char path[32];

    OMKT_CHECK_INT(load("[cloud]\npolicy = overflow\n[cloud.account-7]\n"
                        "policy = always\n[cloud.account-8]\npolicy = off\n"
                        "[cloud.account-9]\npolicy = sometimes\n",
                        path, &eb),
                   OMKT_OK, "loaded: %s", eb.msg);
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, path, 7, &p, &eb), OMKT_OK,
                   "account 7");
    OMKT_CHECK_INT(p, OMKT_CLOUD_ALWAYS, "account 7 always");
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, path, 8, &p, &eb), OMKT_OK,
                   "account 8");
    OMKT_CHECK_INT(p, OMKT_CLOUD_OFF, "account 8 off");
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, path, 5, &p, &eb), OMKT_OK,
                   "account 5");
    OMKT_CHECK_INT(p, OMKT_CLOUD_OVERFLOW, "account 5: [cloud]'s");
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, path, 9, &p, &eb),
                   OMKT_EINVAL, "account 9's policy is refused");
    OMKT_CHECK(strstr(eb.msg, "sometimes") != NULL, "reason: %s", eb.msg);
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, NULL, 7, &p, NULL), OMKT_OK,
                   "no file");
    OMKT_CHECK_INT(p, OMKT_CLOUD_OVERFLOW, "no file: [cloud]'s");
    unlink(path);
    write_conf(path, "[cloud.account-3]\nbudget = 1\n");
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_cloud_account_policy(&cc, path, 3, &p, &eb), OMKT_ECONF,
                   "unknown key in an account section");
    unlink(path);
}

/* The one rule for AWS endpoints: configured, else AWS's for the region. */
static void test_endpoint(void)
{
    struct omkt_cloud_conf c = {.region = "eu-west-1"};
    char buf[128];

    OMKT_CHECK_STR(omkt_cloud_endpoint(&c, "sqs", buf, sizeof(buf)),
                   "https://sqs.eu-west-1.amazonaws.com", "sqs default");
    OMKT_CHECK_STR(omkt_cloud_endpoint(&c, "ec2", buf, sizeof(buf)),
                   "https://ec2.eu-west-1.amazonaws.com", "ec2 default");
    c.sqs_endpoint = "http://127.0.0.1:9324";
    c.region = "";
    OMKT_CHECK_STR(omkt_cloud_endpoint(&c, "sqs", buf, sizeof(buf)),
                   "http://127.0.0.1:9324", "sqs configured");
    OMKT_CHECK_STR(omkt_cloud_endpoint(&c, "ec2", buf, sizeof(buf)),
                   "https://ec2.us-east-1.amazonaws.com", "no region");
}

int main(void)
{
    struct omkt_conf_section s = secs[0];

    test_defaults();
    test_bounds();
    test_policy_of();
    test_account();
    test_endpoint();
    s.nkeys = omkt_cloud_conf_nkeys;
    omkt_conf_free(&s, 1);
    return omkt_test_done();
}

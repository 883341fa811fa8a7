/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_scaler_userdata - the cloud worker's user-data: the script for a
 * known [cloud] configuration compared byte for byte, run by /bin/sh
 * (the configuration file it writes, compared exactly, with the fake
 * EC2's per-instance metadata endpoint taking over from the configured
 * one) and read back by the worker's [cloud] key table, quotes in
 * paths, control characters refused, EC2's 16 KiB limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/ec2.h"
#include "common/scaler_userdata.h"
#include "omkt_test.h"

static struct omkt_cloud_conf conf(void)
{
    return (struct omkt_cloud_conf){.region = "eu-west-1",
                                    .sqs_endpoint = "",
                                    .ec2_endpoint =
                                        "https://ec2.eu-west-1.amazonaws.com",
                                    .imds_endpoint = "http://169.254.169.254",
                                    .jobs_queue = "omkt-jobs",
                                    .results_queue = "omkt-results",
                                    .dead_queue = "omkt-dead",
                                    .max_receive_count = 5,
                                    .visibility_ms = 300000,
                                    .staging = "s3://bucket/omkt-cloud/",
                                    .idle_terminate_ms = 600000,
                                    .cluster = "prod",
                                    .max_instances = 4,
                                    .jobs_per_instance = 2};
}

static const char want_conf[] = "# cluster prod\n"
                                "[transcoderd]\n"
                                "queue = sqs\n"
                                "\n"
                                "[s3]\n"
                                "region = eu-west-1\n"
                                "imds = yes\n"
                                "imds_endpoint = IMDS\n"
                                "\n"
                                "[cloud]\n"
                                "region = eu-west-1\n"
                                "ec2_endpoint = "
                                "https://ec2.eu-west-1.amazonaws.com\n"
                                "allow_private = no\n"
                                "jobs_queue = omkt-jobs\n"
                                "results_queue = omkt-results\n"
                                "dead_queue = omkt-dead\n"
                                "max_receive_count = 5\n"
                                "visibility = 300000ms\n"
                                "staging = s3://bucket/omkt-cloud/\n"
                                "idle_terminate = 600000ms\n"
                                "cluster = prod\n"
                                "imds_endpoint = IMDS\n"
                                "\n";

static const char want_script[] =
    "#!/bin/sh\n"
    "# omkt cloud worker, rendered by the omkt scaler.  No secret\n"
    "# here: credentials come from the instance profile (IMDSv2).\n"
    "set -eu\n"
    "conf='/etc/omkt/omkt.conf'\n"
    "imds=${OMKT_IMDS_ENDPOINT:-'http://169.254.169.254'}\n"
    "umask 027\n"
    "mkdir -p \"$(dirname \"$conf\")\"\n"
    "{\n"
    "cat <<'OMKT_CONF_EOF'\n"
    "# cluster prod\n"
    "[transcoderd]\n"
    "queue = sqs\n"
    "\n"
    "OMKT_CONF_EOF\n"
    "cat <<'OMKT_CONF_EOF'\n"
    "[s3]\n"
    "region = eu-west-1\n"
    "imds = yes\n"
    "OMKT_CONF_EOF\n"
    "printf 'imds_endpoint = %s\\n\\n' \"$imds\"\n"
    "cat <<'OMKT_CONF_EOF'\n"
    "[cloud]\n"
    "region = eu-west-1\n"
    "ec2_endpoint = https://ec2.eu-west-1.amazonaws.com\n"
    "allow_private = no\n"
    "jobs_queue = omkt-jobs\n"
    "results_queue = omkt-results\n"
    "dead_queue = omkt-dead\n"
    "max_receive_count = 5\n"
    "visibility = 300000ms\n"
    "staging = s3://bucket/omkt-cloud/\n"
    "idle_terminate = 600000ms\n"
    "cluster = prod\n"
    "OMKT_CONF_EOF\n"
    "printf 'imds_endpoint = %s\\n\\n' \"$imds\"\n"
    "} > \"$conf.tmp\"\n"
    "mv \"$conf.tmp\" \"$conf\"\n"
    "exec '/usr/sbin/transcoderd' -c \"$conf\"\n";

static void test_golden(void)
{
    struct omkt_cloud_conf c = conf();
    char *ud = NULL;

    OMKT_CHECK_INT(omkt_scaler_userdata(&c, NULL, &ud, NULL), OMKT_OK,
                   "render the defaults");
    OMKT_CHECK_STR(ud, want_script, "the script, byte for byte");
    free(ud);
}

/* slurp - the whole file @path (new), NULL if unreadable. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = omkt_xcalloc(1, 65536);
    size_t n;

    if (f == NULL) {
        free(buf);
        return NULL;
    }
    n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* run_script - /bin/sh @script with @imds in OMKT_IMDS_ENDPOINT (NULL:
 * unset), stdout into @out; the exit status. */
static int run_script(const char *script, const char *imds, const char *out)
{
    pid_t pid;
    int st = 0;

    fflush(stdout); /* or the child's freopen writes our buffer again */
    pid = fork();
    if (pid == 0) {
        FILE *f = freopen(out, "w", stdout);

        if (f == NULL)
            _exit(126);
        if (imds)
            setenv("OMKT_IMDS_ENDPOINT", imds, 1);
        else
            unsetenv("OMKT_IMDS_ENDPOINT");
        execl("/bin/sh", "sh", script, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* expect_conf - @want_conf with IMDS replaced by @imds. */
static char *expect_conf(const char *imds)
{
    char *a = omkt_xstrdup(want_conf), *out, *p;

    p = strstr(a, "IMDS");
    *p = '\0';
    out = omkt_xasprintf("%s%s%s", a, imds, p + 4);
    free(a);
    a = out;
    p = strstr(a, "= IMDS");
    p[2] = '\0';
    out = omkt_xasprintf("%s%s%s", a, imds, p + 6);
    free(a);
    return out;
}

/* check_loads - the written file through the worker's [cloud] table:
 * every value the worker reads comes back as rendered. */
static void check_loads(const char *path, const char *imds)
{
    struct omkt_cloud_conf in = conf(), got = {0};
    struct omkt_conf_section sec = {"cloud", omkt_cloud_conf_keys,
                                    omkt_cloud_conf_nkeys, &got};
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_conf_load(path, &sec, 1, &eb), OMKT_OK,
                   "the worker's loader takes it %s", eb.msg);
    OMKT_CHECK_STR(got.region, in.region, "region");
    OMKT_CHECK_STR(got.ec2_endpoint, in.ec2_endpoint, "ec2_endpoint");
    OMKT_CHECK_STR(got.imds_endpoint, imds, "imds_endpoint");
    OMKT_CHECK_STR(got.jobs_queue, in.jobs_queue, "jobs_queue");
    OMKT_CHECK_STR(got.results_queue, in.results_queue, "results_queue");
    OMKT_CHECK_STR(got.dead_queue, in.dead_queue, "dead_queue");
    OMKT_CHECK_STR(got.staging, in.staging, "staging");
    OMKT_CHECK_STR(got.cluster, in.cluster, "cluster");
    OMKT_CHECK_INT(got.visibility_ms, in.visibility_ms, "visibility");
    OMKT_CHECK_INT(got.idle_terminate_ms, in.idle_terminate_ms, "idle");
    OMKT_CHECK_INT(got.max_receive_count, in.max_receive_count, "receives");
    OMKT_CHECK(!got.allow_private, "allow_private");
    omkt_conf_free(&sec, 1);
}

/* run_once - render for @dir, run with @imds, compare the conf file. */
static void run_once(const char *dir, const char *imds, const char *want_imds)
{
    struct omkt_cloud_conf c = conf();
    char *cpath = omkt_xasprintf("%s/etc dir/it's.conf", dir);
    char *spath = omkt_xasprintf("%s/user-data", dir);
    char *opath = omkt_xasprintf("%s/out", dir);
    struct omkt_scaler_worker w = {.conf_path = cpath, .program = "/bin/echo"};
    char *ud = NULL, *got, *want = expect_conf(want_imds), *echo;
    FILE *f;

    OMKT_CHECK_INT(omkt_scaler_userdata(&c, &w, &ud, NULL), OMKT_OK,
                   "render with a quote in the path");
    f = fopen(spath, "w");
    fputs(ud ? ud : "", f);
    fclose(f);
    OMKT_CHECK_INT(run_script(spath, imds, opath), 0, "sh runs it");
    got = slurp(cpath);
    OMKT_CHECK_STR(got, want, "the configuration it wrote (imds %s)",
                   want_imds);
    check_loads(cpath, want_imds);
    echo = omkt_xasprintf("-c %s\n", cpath);
    free(got);
    got = slurp(opath);
    OMKT_CHECK_STR(got, echo, "it execs the program with -c CONF");
    free(echo);
    free(got);
    free(want);
    free(ud);
    free(cpath);
    free(spath);
    free(opath);
}

static void test_run(void)
{
    char dir[] = "/tmp/omkt-ud.XXXXXX";
    char *cmd;

    if (mkdtemp(dir) == NULL) {
        OMKT_CHECK(0, "mkdtemp");
        return;
    }
    run_once(dir, NULL, "http://169.254.169.254");
    run_once(dir, "http://127.0.0.1:4242", "http://127.0.0.1:4242");
    cmd = omkt_xasprintf("%s/etc dir/it's.conf", dir);
    unlink(cmd);
    free(cmd);
    cmd = omkt_xasprintf("%s/etc dir", dir);
    rmdir(cmd);
    free(cmd);
    cmd = omkt_xasprintf("%s/user-data", dir);
    unlink(cmd);
    free(cmd);
    cmd = omkt_xasprintf("%s/out", dir);
    unlink(cmd);
    free(cmd);
    rmdir(dir);
}

static void test_refused(void)
{
    struct omkt_cloud_conf c = conf();
    struct omkt_errbuf eb = {0};
    char *big = omkt_xcalloc(1, OMKT_EC2_MAX_USERDATA + 1);
    char *ud = NULL;

    c.jobs_queue = "q\nOMKT_CONF_EOF\nrm -rf /";
    OMKT_CHECK_INT(omkt_scaler_userdata(&c, NULL, &ud, &eb), OMKT_EINVAL,
                   "a newline in a value is refused");
    OMKT_CHECK_STR(eb.msg,
                   "user-data: [cloud] jobs_queue holds a control character",
                   "the error names the key");
    OMKT_CHECK(ud == NULL, "no script");
    c = conf();
    memset(big, 'a', OMKT_EC2_MAX_USERDATA);
    c.staging = big;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_scaler_userdata(&c, NULL, &ud, &eb), OMKT_ETOOBIG,
                   "past 16 KiB: refused");
    OMKT_CHECK(strstr(eb.msg, "more than EC2's 16384") != NULL, "says %s",
               eb.msg);
    free(big);
}

/* test_s3_store - the worker's [s3] names the scaler's own store (the
 * bridge's staging area): endpoint, path addressing, allow_private. */
static void test_s3_store(void)
{
    struct omkt_cloud_conf c = conf();
    struct omkt_scaler_worker w = {.s3_endpoint = "http://127.0.0.1:9000",
                                   .s3_addressing = "path",
                                   .s3_allow_private = "yes"};
    struct omkt_errbuf eb = {0};
    char *ud = NULL;

    OMKT_CHECK_INT(omkt_scaler_userdata(&c, &w, &ud, NULL), OMKT_OK,
                   "render with a store");
    OMKT_CHECK(ud && strstr(ud, "[s3]\nendpoint = http://127.0.0.1:9000\n"
                                "addressing = path\nallow_private = yes\n"
                                "region = ") != NULL,
               "the [s3] section names it");
    free(ud);
    ud = NULL;
    w.s3_endpoint = "http://x\n[cloud]";
    OMKT_CHECK_INT(omkt_scaler_userdata(&c, &w, &ud, &eb), OMKT_EINVAL,
                   "a newline in the store's endpoint is refused");
    OMKT_CHECK_STR(eb.msg, "user-data: [s3] endpoint holds a control character",
                   "naming the key");
    free(ud);
}

int main(void)
{
    test_golden();
    test_s3_store();
    test_run();
    test_refused();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler_cli - one scaler candidate (common/scaler_svc) for the shell
 * tests (tests/cloud/test_scaler.sh): the database from the [db] section
 * of DBCONF, EC2 at EP, credentials as a daemon resolves them
 * (omkt_scaler_svc_open: DBCONF's [s3], else AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY), the cloud backlog read from BACKLOG_FILE
 * ("WAITING IN_FLIGHT"; missing: 0 0) at every tick: the stand-in for the
 * bridge's record of jobs sent and not yet resulted.
 *
 *   scaler_cli DBCONF EP HOLDER BACKLOG_FILE [KEY=VALUE ...]
 *
 * HOLDER "-": the daemon's default, "host:pid". *
 * Keys: cluster (omkt), max (3), per (2), start_after_ms (0),
 * cooldown_ms (1000), tick_ms (200), lease_ms (2000), backoff_ms
 * (10000), image, type,
 * spot (0/1), program and conf_path (the user-data's), imds (the
 * configured metadata endpoint), sqs_endpoint, idle_terminate_ms,
 * seconds (run that long; 0: until SIGTERM).  Prints one line per tick:
 *   tick leader=L instances=N waiting=W in_flight=F wanted=D started=S rc=R
 * and "error: <omkt code>: <text>" after a failed tick.  Exit 0; 1 when it
 * cannot start (the reason on stderr); 2: usage.
 */
#include <curl/curl.h>
#include <mysql.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "common/scaler_svc.h"

struct opts {
    struct omkt_cloud_conf cloud;
    struct omkt_scaler_svc_conf svc;
    const char *backlog_file;
    int seconds;
};

/* backlog - the bridge's stand-in: two numbers from a file. */
static int backlog(void *arg, struct omkt_db *db,
                   struct omkt_scaler_backlog *out, struct omkt_errbuf *eb)
{
    const char *path = arg;
    FILE *f = fopen(path, "r");

    (void)db; /* the bridge's count is SQL; this stand-in reads a file */
    *out = (struct omkt_scaler_backlog){0};
    if (f == NULL)
        return OMKT_OK;
    if (fscanf(f, "%d %d", &out->waiting, &out->in_flight) != 2) {
        fclose(f);
        omkt_errf(eb, "backlog file %s: want two numbers", path);
        return OMKT_EINVAL;
    }
    fclose(f);
    return OMKT_OK;
}

/* on_tick - one line per tick on stdout. */
static void on_tick(void *arg, const struct omkt_scaler_tick *t, int rc,
                    const struct omkt_errbuf *eb)
{
    (void)arg;
    printf("tick leader=%d instances=%d waiting=%d in_flight=%d wanted=%d"
           " started=%d rc=%d\n",
           t->is_leader, t->instances, t->backlog.waiting, t->backlog.in_flight,
           t->wanted, t->started, rc);
    if (rc != OMKT_OK)
        printf("error: %s: %s\n", omkt_strerror(rc), omkt_errbuf_str(eb, rc));
    fflush(stdout);
}

/* num - @v as a number, or exit 2. */
static int64_t num(const char *k, const char *v)
{
    char *end = NULL;
    long long n = strtoll(v, &end, 10);

    if (end == v || *end != '\0') {
        fprintf(stderr, "scaler_cli: %s=%s: not a number\n", k, v);
        exit(2);
    }
    return n;
}

/* set - one KEY=VALUE argument (@kv is modified). */
static void set(struct opts *o, char *kv)
{
    char *v = strchr(kv, '=');
    struct omkt_cloud_conf *c = &o->cloud;

    if (v == NULL) {
        fprintf(stderr, "scaler_cli: %s: want KEY=VALUE\n", kv);
        exit(2);
    }
    *v++ = '\0';
    if (strcmp(kv, "cluster") == 0)
        c->cluster = v;
    else if (strcmp(kv, "image") == 0)
        c->image = v;
    else if (strcmp(kv, "type") == 0)
        c->instance_type = v;
    else if (strcmp(kv, "program") == 0)
        o->svc.scaler.worker.program = v;
    else if (strcmp(kv, "conf_path") == 0)
        o->svc.scaler.worker.conf_path = v;
    else if (strcmp(kv, "imds") == 0)
        c->imds_endpoint = v;
    else if (strcmp(kv, "sqs_endpoint") == 0)
        c->sqs_endpoint = v;
    else if (strcmp(kv, "idle_terminate_ms") == 0)
        c->idle_terminate_ms = num(kv, v);
    else if (strcmp(kv, "max") == 0)
        c->max_instances = num(kv, v);
    else if (strcmp(kv, "per") == 0)
        c->jobs_per_instance = num(kv, v);
    else if (strcmp(kv, "start_after_ms") == 0)
        c->start_after_ms = num(kv, v);
    else if (strcmp(kv, "cooldown_ms") == 0)
        c->cooldown_ms = num(kv, v);
    else if (strcmp(kv, "tick_ms") == 0)
        o->svc.tick_ms = num(kv, v);
    else if (strcmp(kv, "backoff_ms") == 0)
        o->svc.scaler.backoff_ms = num(kv, v);
    else if (strcmp(kv, "lease_ms") == 0)
        o->svc.scaler.lease_ms = num(kv, v);
    else if (strcmp(kv, "spot") == 0)
        c->is_spot = num(kv, v) != 0;
    else if (strcmp(kv, "seconds") == 0)
        o->seconds = (int)num(kv, v);
    else {
        fprintf(stderr, "scaler_cli: unknown key %s\n", kv);
        exit(2);
    }
}

/* defaults - a small test cluster. */
static void defaults(struct opts *o, const char *ep, const char *holder)
{
    o->cloud = (struct omkt_cloud_conf){.region = "us-east-1",
                                        .ec2_endpoint = (char *)ep,
                                        .allow_private = true,
                                        .jobs_queue = "omkt-jobs",
                                        .results_queue = "omkt-results",
                                        .dead_queue = "omkt-dead",
                                        .max_receive_count = 5,
                                        .visibility_ms = 300000,
                                        .staging = "s3://omkt-test/omkt-cloud/",
                                        .idle_terminate_ms = 600000,
                                        .cluster = "omkt",
                                        .max_instances = 3,
                                        .jobs_per_instance = 2,
                                        .cooldown_ms = 1000,
                                        .image = "ami-0123456789abcdef0",
                                        .instance_type = "c5.large"};
    o->svc.scaler.cloud = &o->cloud;
    o->svc.scaler.holder = strcmp(holder, "-") == 0 ? NULL : holder;
    o->svc.scaler.lease_ms = 2000;
    o->svc.scaler.backlog = backlog;
    o->svc.tick_ms = 200;
    o->svc.on_tick = on_tick;
}

/* serve - run the candidate until SIGTERM/SIGINT or o->seconds. */
static int serve(struct opts *o, const char *conf_path)
{
    struct omkt_errbuf eb = {0};
    struct omkt_scaler_svc *s = NULL;
    struct timespec ts = {o->seconds > 0 ? o->seconds : 86400, 0};
    sigset_t set;
    int rc;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    rc = omkt_scaler_svc_open(conf_path, &o->svc, &s, &eb);
    if (rc == OMKT_OK && s == NULL)
        fprintf(stderr, "scaler_cli: max_instances is 0: scaling off\n");
    if (rc != OMKT_OK) {
        fprintf(stderr, "scaler_cli: %s\n", omkt_errbuf_str(&eb, rc));
        return 1;
    }
    (void)sigtimedwait(&set, NULL, &ts); /* a signal or the time is up */
    omkt_scaler_svc_stop(s);
    return 0;
}

int main(int argc, char **argv)
{
    struct omkt_db_conf dbc = {0};
    struct omkt_conf_section sec = {"db", omkt_db_conf_keys, omkt_db_conf_nkeys,
                                    &dbc};
    struct omkt_errbuf eb = {0};
    struct opts o = {0};
    int rc = 1;

    if (argc < 5) {
        fprintf(stderr, "usage: scaler_cli DBCONF EP HOLDER BACKLOG [K=V..]\n");
        return 2;
    }
    defaults(&o, argv[2], argv[3]);
    o.svc.scaler.backlog_arg = argv[4];
    for (int i = 5; i < argc; i++)
        set(&o, argv[i]);
    o.svc.db = &dbc;
    mysql_library_init(0, NULL, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (omkt_conf_load(argv[1], &sec, 1, &eb) != OMKT_OK)
        fprintf(stderr, "scaler_cli: %s\n", eb.msg);
    else
        rc = serve(&o, argv[1]);
    omkt_conf_free(&sec, 1);
    curl_global_cleanup();
    mysql_library_end();
    return rc;
}

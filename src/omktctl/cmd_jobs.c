/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_jobs - `omktctl jobs list|show|retry|cancel|enqueue`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_jobs.h"
#include "common/jobflow.h"
#include "common/parse.h"
#include "jobsplit.h"

const char cmd_jobs_usage[] =
    "usage: omktctl jobs list [--state S] [--task T] [--media ID] "
    "[--limit N] [--json]\n"
    "       omktctl jobs show ID [--json]   (a split job: its segments too)\n"
    "       omktctl jobs retry|cancel ID\n"
    "       omktctl jobs retry --state failed|cancelled [--task T] "
    "[--media ID]\n"
    "       omktctl jobs purge --older-than DURATION\n"
    "  (retry of many and purge draw a progress bar on a terminal)\n"
    "       omktctl jobs enqueue TASK [--payload P] [--count N] "
    "[--priority N] [--delay DURATION] [--max-attempts N]\n";

static int list(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {
        "--state=", "--task=", "--media=", "--limit=", NULL};
    static const char *const headers[] = {"id",      "task",  "state", "prio",
                                          "attempt", "max",   "owner", "pct",
                                          "created", "error", NULL};
    struct omkt_job_filter f = {.state = cli_opt(argc, argv, "--state"),
                                .task = cli_opt(argc, argv, "--task")};
    const char *limit = cli_opt(argc, argv, "--limit");
    const char *media = cli_opt(argc, argv, "--media");
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 ||
        (limit && omkt_parse_i64(limit, &f.limit) != OMKT_OK) ||
        (media && cli_id(media, &f.media_id) != 0))
        return 2;
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_job_list(c->db, &f, &r, &eb);
    return cli_finish(c, ret, r, &eb, headers);
}

/* show - one job's row; a split job's children after it (jobsplit.h). */
static int show(struct cli *c, int64_t id)
{
    static const char *const names[] = {
        "id",       "task",       "state",        "priority",    "run_after",
        "account",  "media",      "transcode",    "payload",     "worker_id",
        "owner",    "attempts",   "max_attempts", "lease_until", "progress",
        "tmp_dir",  "error_code", "error",        "created",     "started",
        "finished", "parent"};
    const size_t n = sizeof(names) / sizeof(*names);
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    json_t *o = NULL;
    int ret = omkt_job_show(c->db, id, &r, &eb);

    if (ret != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        return 1;
    }
    if (c->is_json)
        o = cli_row_json(r, 0, names, n);
    else
        cli_print_row(c, r, 0, names, n);
    ret = jobsplit_show(c, id, omkt_dbres_i64(r, 0, 6, 0), o);
    if (o != NULL)
        cli_dump(o);
    omkt_dbres_free(r);
    return ret;
}

/* one - show, retry or cancel one job. */
static int one(struct cli *c, const char *verb, const char *id_s)
{
    struct omkt_errbuf eb = {0};
    int64_t id = 0;
    int ret;

    if (cli_id(id_s, &id) != 0)
        return 2;
    if (cli_connect(c) != 0)
        return 1;
    if (strcmp(verb, "show") == 0) {
        ret = show(c, id);
        cli_close(c);
        return ret;
    }
    ret = strcmp(verb, "retry") == 0 ? omkt_jobflow_retry(c->db, id, &eb)
                                     : omkt_jobflow_cancel(c->db, id, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else
        printf("job %lld %s\n", (long long)id,
               strcmp(verb, "retry") == 0 ? "queued again" : "cancelled");
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

/* parse_enqueue - the options of `jobs enqueue`. */
static int parse_enqueue(int argc, char **argv, struct omkt_job_new *jn,
                         int64_t *count)
{
    static const char *const known[] = {
        "--payload=", "--count=",        "--priority=",
        "--delay=",   "--max-attempts=", NULL};
    const char *s;
    int64_t v = 0;

    if (cli_check_opts(argc, argv, known) != 0 || argc < 1 ||
        omkt_task_parse(argv[0], &jn->task) != OMKT_OK)
        return 2;
    jn->payload = cli_opt(argc, argv, "--payload");
    s = cli_opt(argc, argv, "--count");
    if (s && (omkt_parse_i64(s, count) != OMKT_OK || *count < 1))
        return 2;
    s = cli_opt(argc, argv, "--priority");
    if (s && omkt_parse_i64(s, &v) != OMKT_OK)
        return 2;
    jn->priority = (int)v;
    s = cli_opt(argc, argv, "--delay");
    if (s && omkt_parse_duration_ms(s, &jn->delay_ms) != OMKT_OK)
        return 2;
    s = cli_opt(argc, argv, "--max-attempts");
    if (s && (omkt_parse_i64(s, &v) != OMKT_OK || v < 1 || v > 1000))
        return 2;
    jn->max_attempts = s ? (int)v : 0;
    return 0;
}

static int enqueue(struct cli *c, int argc, char **argv)
{
    struct omkt_job_new jn = {0};
    struct omkt_errbuf eb = {0};
    int64_t count = 1, id = 0;
    int ret = OMKT_OK;

    if (parse_enqueue(argc, argv, &jn, &count) != 0) {
        fprintf(stderr, "%s", cmd_jobs_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_db_begin(c->db, &eb); /* one commit for a batch */
    for (int64_t i = 0; ret == OMKT_OK && i < count; i++)
        ret = omkt_job_enqueue(c->db, &jn, &id, &eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(c->db, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else if (count == 1)
        printf("%lld\n", (long long)id);
    else
        printf("%lld jobs queued (last id %lld)\n", (long long)count,
               (long long)id);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

int cmd_jobs(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {NULL};
    const char *verb = argc > 1 ? argv[1] : "";
    char *a[2];

    if (strcmp(verb, "list") == 0)
        return list(c, argc - 2, argv + 2);
    if (strcmp(verb, "enqueue") == 0)
        return enqueue(c, argc - 2, argv + 2);
    if (strcmp(verb, "purge") == 0)
        return cmd_bulk_purge(c, argc - 2, argv + 2);
    if (strcmp(verb, "retry") == 0 && cli_opt(argc, argv, "--state") != NULL)
        return cmd_bulk_retry(c, argc - 2, argv + 2);
    if (cli_check_opts(argc, argv, known) != 0)
        return 2;
    if (cli_args(argc - 1, argv + 1, known, a, 2) == 2 &&
        (strcmp(a[0], "show") == 0 || strcmp(a[0], "retry") == 0 ||
         strcmp(a[0], "cancel") == 0))
        return one(c, a[0], a[1]);
    fprintf(stderr, "%s", cmd_jobs_usage);
    return 2;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_bulk - omktctl's operations over many jobs, with a progress bar on
 * a terminal: `jobs retry --state S [--task T] [--media ID]` (every
 * matching failed or cancelled job queued again) and `jobs purge
 * --older-than DURATION` (finished jobs deleted in batches).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_jobs.h"
#include "common/db_jobstats.h"
#include "common/jobflow.h"
#include "common/parse.h"
#include "progress.h"

#define PURGE_BATCH 500
#define RETRY_MAX   1000000

/* retry_all - queue again every job of @ids (column 0); counts them. */
static int retry_all(struct cli *c, const struct omkt_dbres *ids, int64_t *done,
                     struct omkt_errbuf *eb)
{
    struct progress bar;
    int ret = OMKT_OK;

    progress_start(&bar, "retry", (int64_t)ids->nrows, c->is_json);
    for (size_t i = 0; i < ids->nrows; i++) {
        omkt_errbuf_clear(eb);
        ret = omkt_jobflow_retry(c->db, omkt_dbres_i64(ids, i, 0, 0), eb);
        if (ret == OMKT_ENOTFOUND) /* changed state meanwhile */
            ret = OMKT_OK;
        else if (ret == OMKT_OK)
            (*done)++;
        if (ret != OMKT_OK)
            break;
        progress_set(&bar, (int64_t)i + 1);
    }
    progress_end(&bar);
    return ret;
}

int cmd_bulk_retry(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {
        "--state=", "--task=", "--media=", NULL};
    struct omkt_job_filter f = {.state = cli_opt(argc, argv, "--state"),
                                .task = cli_opt(argc, argv, "--task"),
                                .limit = RETRY_MAX};
    const char *media = cli_opt(argc, argv, "--media");
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    int64_t done = 0;
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 ||
        (media && cli_id(media, &f.media_id) != 0))
        return 2;
    if (f.state == NULL ||
        (strcmp(f.state, "failed") != 0 && strcmp(f.state, "cancelled") != 0)) {
        fprintf(stderr, "omktctl: jobs retry: --state failed or "
                        "--state cancelled (or one job's ID)\n");
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_job_list(c->db, &f, &r, &eb);
    if (ret == OMKT_OK)
        ret = retry_all(c, r, &done, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", omkt_errbuf_str(&eb, ret));
    printf("%lld job%s queued again\n", (long long)done, done == 1 ? "" : "s");
    omkt_dbres_free(r);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

/* purge_all - delete in batches until none is left; counts them. */
static int purge_all(struct cli *c, int64_t age_s, int64_t total, int64_t *done,
                     struct omkt_errbuf *eb)
{
    struct progress bar;
    unsigned n = PURGE_BATCH;
    int ret = OMKT_OK;

    progress_start(&bar, "purge", total, c->is_json);
    while (ret == OMKT_OK && n == PURGE_BATCH) {
        ret = omkt_job_trim(c->db, age_s, PURGE_BATCH, &n, eb);
        if (ret == OMKT_OK)
            *done += n;
        progress_set(&bar, *done);
    }
    progress_end(&bar);
    return ret;
}

int cmd_bulk_purge(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {"--older-than=", NULL};
    const char *age = cli_opt(argc, argv, "--older-than");
    struct omkt_errbuf eb = {0};
    int64_t age_ms = 0, total = 0, done = 0;
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 || age == NULL ||
        omkt_parse_duration_ms(age, &age_ms) != OMKT_OK) {
        fprintf(stderr, "omktctl: jobs purge --older-than DURATION "
                        "(like 30d)\n");
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_jobstats_trimmable(c->db, age_ms / 1000, &total, &eb);
    if (ret == OMKT_OK)
        ret = purge_all(c, age_ms / 1000, total, &done, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", omkt_errbuf_str(&eb, ret));
    printf("%lld finished job%s purged\n", (long long)done,
           done == 1 ? "" : "s");
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

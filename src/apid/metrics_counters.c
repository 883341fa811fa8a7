/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_counters - all-time job counters for /metrics (see the header).
 * Every exported task appears, with zeros before its first job, so that
 * a series never vanishes; the internal `test` task is not exported.
 */
#include <inttypes.h>
#include <string.h>

#include "apid/metrics_counters.h"
#include "common/db_counters.h"
#include "common/db_jobs.h"

#define CLUSTER "scope=\"cluster\","

/* find - the row of @res for (@task, @outcome), or -1. */
static ssize_t find(const struct omkt_dbres *res, const char *task,
                    const char *outcome)
{
    for (size_t i = 0; i < res->nrows; i++)
        if (strcmp(omkt_dbres_str(res, i, 0), task) == 0 &&
            strcmp(omkt_dbres_str(res, i, 1), outcome) == 0)
            return (ssize_t)i;
    return -1;
}

/* cell - column @col of row @i, 0 when the row is absent. */
static int64_t cell(const struct omkt_dbres *res, ssize_t i, size_t col)
{
    return i < 0 ? 0 : omkt_dbres_i64(res, (size_t)i, col, 0);
}

/* finished - omkt_jobs_finished_total of one task. */
static void finished(struct sbuf *b, const struct omkt_dbres *res,
                     const char *task)
{
    static const char *const outcomes[] = {"done", "failed"};

    for (size_t k = 0; k < 2; k++)
        sbuf_printf(b,
                    "omkt_jobs_finished_total{" CLUSTER "task=\"%s\","
                    "outcome=\"%s\"} %" PRId64 "\n",
                    task, outcomes[k],
                    cell(res, find(res, task, outcomes[k]), 2));
}

/* histogram - omkt_job_run_seconds of one task's done jobs. */
static void histogram(struct sbuf *b, const struct omkt_dbres *res,
                      const char *task)
{
    ssize_t i = find(res, task, "done");
    const char *sum = i < 0 ? NULL : omkt_dbres_str(res, (size_t)i, 3);

    for (size_t k = 0; k < OMKT_COUNTERS_NBUCKETS; k++)
        sbuf_printf(b,
                    "omkt_job_run_seconds_bucket{" CLUSTER "task=\"%s\","
                    "le=\"%d\"} %" PRId64 "\n",
                    task, omkt_counters_buckets[k], cell(res, i, 4 + k));
    sbuf_printf(b,
                "omkt_job_run_seconds_bucket{" CLUSTER "task=\"%s\","
                "le=\"+Inf\"} %" PRId64 "\n"
                "omkt_job_run_seconds_sum{" CLUSTER "task=\"%s\"} %s\n"
                "omkt_job_run_seconds_count{" CLUSTER "task=\"%s\"} %" PRId64
                "\n",
                task, cell(res, i, 2), task, sum != NULL ? sum : "0", task,
                cell(res, i, 2));
}

int metrics_counters(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_counters_read(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_jobs_finished_total Jobs ended, by task and "
                   "outcome (failed: attempts exhausted or not retryable).\n"
                   "# TYPE omkt_jobs_finished_total counter\n");
    for (int t = OMKT_TASK_DOWNLOAD; t < OMKT_TASK_TEST; t++)
        finished(b, res, omkt_task_name((enum omkt_task)t));
    sbuf_printf(b, "# HELP omkt_job_run_seconds Run time of the jobs done "
                   "(started to finished of the last attempt).\n"
                   "# TYPE omkt_job_run_seconds histogram\n");
    for (int t = OMKT_TASK_DOWNLOAD; t < OMKT_TASK_TEST; t++)
        histogram(b, res, omkt_task_name((enum omkt_task)t));
    omkt_dbres_free(res);
    return OMKT_OK;
}

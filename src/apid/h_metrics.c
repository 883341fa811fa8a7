/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_metrics - GET /metrics, the Prometheus text format (the operator
 * credential, auth_admin).
 *
 * DESIGN: two kinds of series.  Cluster series are read from the shared
 * database, so every apid exports the same values: they carry the label
 * scope="cluster" and are left out of GET /metrics?scope=process, so an
 * operator scrapes one apid in full and the others with scope=process
 * (docs/api.md, Operators).  Process series (requests, connections, the
 * call log, omkt_db_up) are this apid's own.  No counter is rebuilt
 * from rows a purge removes: the all-time job counters come from
 * job_counters (metrics_counters.c); the older durations are gauges over
 * the jobs done in the last hour, named so.  The internal `test` task is
 * not exported.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/h_health.h"
#include "apid/metrics_cloud.h"
#include "apid/metrics_counters.h"
#include "apid/sbuf.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_jobstats.h"
#include "common/db_procs.h"
#include "common/db_segview.h"

#define CLUSTER "scope=\"cluster\","

/* exported_task - whether @t is shown: every task but the internal test. */
static bool exported_task(int t)
{
    return t != OMKT_TASK_TEST;
}

/* row_of - the row of @res whose column 0 is @task, or -1. */
static ssize_t row_of(const struct omkt_dbres *res, const char *task)
{
    for (size_t i = 0; i < res->nrows; i++)
        if (strcmp(omkt_dbres_str(res, i, 0), task) == 0)
            return (ssize_t)i;
    return -1;
}

/* m_jobs - omkt_jobs{task,state}, zeros included. */
static int m_jobs(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_jobstats_counts(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_jobs Jobs in the database by task and "
                   "state.\n# TYPE omkt_jobs gauge\n");
    for (int t = OMKT_TASK_DOWNLOAD; t <= OMKT_TASK_TEST; t++) {
        const char *task = omkt_task_name((enum omkt_task)t);

        for (size_t s = 0; exported_task(t) && s < OMKT_JOBSTATS_NSTATES; s++)
            sbuf_printf(
                b,
                "omkt_jobs{" CLUSTER "task=\"%s\",state=\"%s\"} "
                "%" PRId64 "\n",
                task, omkt_jobstats_states[s],
                omkt_jobstats_count_of(res, task, omkt_jobstats_states[s]));
    }
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* m_oldest - omkt_job_oldest_queued_seconds{task}, 0 with none queued. */
static int m_oldest(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_jobstats_oldest(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_job_oldest_queued_seconds Age of the oldest "
                   "queued job by task (0: none queued).\n"
                   "# TYPE omkt_job_oldest_queued_seconds gauge\n");
    for (int t = OMKT_TASK_DOWNLOAD; t < OMKT_TASK_TEST; t++) {
        const char *task = omkt_task_name((enum omkt_task)t);
        ssize_t i = row_of(res, task);

        sbuf_printf(b,
                    "omkt_job_oldest_queued_seconds{" CLUSTER "task=\"%s\"} "
                    "%" PRId64 "\n",
                    task, i < 0 ? 0 : omkt_dbres_i64(res, (size_t)i, 1, 0));
    }
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* durations_of - the last-hour gauges of one task, row @i of @res. */
static void durations_of(struct sbuf *b, const char *task,
                         const struct omkt_dbres *res, ssize_t i)
{
    static const char *const le[] = {"1", "5", "30", "60", "300", "1800"};
    const char *sum = i < 0 ? NULL : omkt_dbres_str(res, (size_t)i, 2);

    for (size_t k = 0; k < OMKT_ARRAY_LEN(le); k++)
        sbuf_printf(b,
                    "omkt_jobs_done_last_hour{" CLUSTER "task=\"%s\","
                    "le=\"%s\"} %" PRId64 "\n",
                    task, le[k],
                    i < 0 ? 0 : omkt_dbres_i64(res, (size_t)i, 3 + k, 0));
    sbuf_printf(b,
                "omkt_jobs_done_last_hour{" CLUSTER "task=\"%s\",le=\"+Inf\"}"
                " %" PRId64 "\n"
                "omkt_job_seconds_last_hour{" CLUSTER "task=\"%s\"} %s\n",
                task, i < 0 ? 0 : omkt_dbres_i64(res, (size_t)i, 1, 0), task,
                sum != NULL ? sum : "0");
}

/* m_durations - the jobs done in the last hour by run time, per task. */
static int m_durations(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_jobstats_durations(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b,
                "# HELP omkt_jobs_done_last_hour Jobs done in the last hour "
                "that ran at most le seconds (a sliding window, not a "
                "counter).\n# TYPE omkt_jobs_done_last_hour gauge\n"
                "# HELP omkt_job_seconds_last_hour Total run time of the jobs "
                "done in the last hour.\n"
                "# TYPE omkt_job_seconds_last_hour gauge\n");
    for (int t = OMKT_TASK_DOWNLOAD; t < OMKT_TASK_TEST; t++) {
        const char *task = omkt_task_name((enum omkt_task)t);

        durations_of(b, task, res, row_of(res, task));
    }
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* m_workers - omkt_workers_alive{role}. */
static int m_workers(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_proc_count_alive(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_workers_alive Running programs by role.\n"
                   "# TYPE omkt_workers_alive gauge\n");
    for (size_t i = 0; i < res->nrows; i++)
        sbuf_printf(b,
                    "omkt_workers_alive{" CLUSTER "role=\"%s\"} %" PRId64 "\n",
                    omkt_dbres_str(res, i, 0), omkt_dbres_i64(res, i, 1, 0));
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* m_segments - omkt_segment_jobs{state}: the children of split
 * transcodes (segments and audio), zeros included. */
static int m_segments(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_segview_counts c;
    int ret = omkt_segview_counts(db, &c, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_segment_jobs Segment and audio jobs of split "
                   "transcodes by state.\n"
                   "# TYPE omkt_segment_jobs gauge\n");
    for (size_t s = 0; s < OMKT_SEGVIEW_NSTATES; s++)
        sbuf_printf(b,
                    "omkt_segment_jobs{" CLUSTER "state=\"%s\"} %" PRId64 "\n",
                    omkt_jobstats_states[s], c.n[s]);
    return OMKT_OK;
}

/* m_cluster - the database's series; false when it did not answer. */
static bool m_cluster(struct omkt_db *db, struct sbuf *b)
{
    return db != NULL && m_jobs(db, b) == OMKT_OK &&
           m_oldest(db, b) == OMKT_OK && m_durations(db, b) == OMKT_OK &&
           m_workers(db, b) == OMKT_OK && m_segments(db, b) == OMKT_OK &&
           metrics_cloud(db, b) == OMKT_OK &&
           metrics_counters(db, b) == OMKT_OK;
}

/* m_requests - omkt_api_requests_total{api,action,code} of this process. */
static void m_requests(struct apid *a, struct sbuf *b)
{
    struct apid_stat *v = omkt_xcalloc(APID_STATS_MAX, sizeof(*v));
    size_t n = stats_snapshot(&a->stats, v);

    sbuf_printf(b, "# HELP omkt_api_requests_total HTTP requests answered "
                   "by this apid, by API, action and status.\n"
                   "# TYPE omkt_api_requests_total counter\n");
    for (size_t i = 0; i < n; i++)
        sbuf_printf(b,
                    "omkt_api_requests_total{api=\"%s\",action=\"%s\","
                    "code=\"%u\"} %" PRIu64 "\n",
                    v[i].api, v[i].action, v[i].status, v[i].count);
    free(v);
}

/* m_conns - what the connection guard did (connguard.h). */
static void m_conns(struct apid_connguard *g, struct sbuf *b)
{
    sbuf_printf(b,
                "# HELP omkt_api_connections_closed_total Client "
                "connections closed by apid's limits, by reason.\n"
                "# TYPE omkt_api_connections_closed_total counter\n"
                "omkt_api_connections_closed_total{reason=\"header_timeout\"} "
                "%" PRIu64 "\n"
                "omkt_api_connections_closed_total{reason=\"body_timeout\"} "
                "%" PRIu64 "\n"
                "omkt_api_connections_closed_total{reason=\"make_room\"} "
                "%" PRIu64 "\n"
                "# HELP omkt_api_connections_reserve_total Connections "
                "admitted over max_connections or per_ip_connections (only "
                "/health served).\n"
                "# TYPE omkt_api_connections_reserve_total counter\n"
                "omkt_api_connections_reserve_total %" PRIu64 "\n",
                atomic_load(&g->n_head_timeout),
                atomic_load(&g->n_body_timeout), atomic_load(&g->n_evicted),
                atomic_load(&g->n_reserve));
}

/* m_process - this apid's own series; @is_db: the database answered. */
static void m_process(struct apid *a, bool is_db, struct sbuf *b)
{
    m_requests(a, b);
    m_conns(&a->guard, b);
    sbuf_printf(b,
                "# HELP omkt_api_calls_dropped_total Calls not written to "
                "api_calls (log queue full, or the row refused).\n"
                "# TYPE omkt_api_calls_dropped_total counter\n"
                "omkt_api_calls_dropped_total %" PRIu64 "\n",
                calllog_dropped(&a->calls));
    sbuf_printf(b,
                "# HELP omkt_db_up The database answered this apid.\n"
                "# TYPE omkt_db_up gauge\nomkt_db_up %d\n",
                is_db ? 1 : 0);
}

/* is_process_only - the scrape asked for ?scope=process. */
static bool is_process_only(struct apid_req *r)
{
    const char *s =
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "scope");

    return s != NULL && strcmp(s, "process") == 0;
}

enum MHD_Result h_metrics(struct apid_req *r)
{
    struct sbuf b = {0};
    bool is_db;
    enum apid_auth v = auth_admin(r);

    if (v != APID_AUTH_OK)
        return apid_refuse_admin(r, v);
    is_db = is_process_only(r) ? apid_db_alive(r) != NULL
                               : m_cluster(apid_db(r), &b);
    m_process(r->a, is_db, &b);
    return apid_reply_text(r, 200, sbuf_take(&b), "text/plain; version=0.0.4");
}

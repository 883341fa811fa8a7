/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_health - GET /health (database reachable, schema version; no
 * credential, for load balancers) and GET /metrics (Prometheus text
 * format; the admin credential): jobs by task and state, job durations,
 * API requests of this process by action and status, workers alive.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/h_health.h"
#include "apid/sbuf.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_jobstats.h"
#include "common/db_procs.h"
#include "common/db_schema.h"
#include "common/version.h"

enum MHD_Result h_health(struct apid_req *r)
{
    struct omkt_errbuf eb = {0};
    unsigned version = 0;
    unsigned want = omkt_schema_latest();
    struct omkt_db *db = apid_db(r);
    bool is_ok;

    if (db == NULL || omkt_schema_version(db, &version, &eb) != OMKT_OK)
        return apid_reply_json(r, 503,
                               json_pack("{s:s, s:s, s:s, s:I}", "status",
                                         "error", "db", "unreachable",
                                         "version", OMKT_VERSION,
                                         "schema_expected", (json_int_t)want));
    is_ok = version == want;
    return apid_reply_json(r, is_ok ? 200 : 503,
                           json_pack("{s:s, s:s, s:s, s:I, s:I}", "status",
                                     is_ok ? "ok" : "schema_mismatch", "db",
                                     "ok", "version", OMKT_VERSION,
                                     "schema_version", (json_int_t)version,
                                     "schema_expected", (json_int_t)want));
}

/* need_admin - 401 asking for the operator credential. */
static enum MHD_Result need_admin(struct apid_req *r)
{
    struct MHD_Response *resp;
    static const char text[] = "{\"error\":{\"code\":\"unauthorized\","
                               "\"message\":\"operator credential "
                               "required\"}}";

    resp = MHD_create_response_from_buffer(
        strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return apid_queue(r, 401, NULL); /* a logged 500 */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Basic realm=\"omkt operators\"");
    return apid_queue(r, 401, resp);
}

enum MHD_Result apid_need_admin(struct apid_req *r)
{
    return need_admin(r);
}

static const char *const job_states[] = {"queued", "delayed", "running",
                                         "done",   "failed",  "cancelled"};

/* m_jobs - omkt_jobs{task,state}, zeros included. */
static int m_jobs(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int ret = omkt_jobstats_counts(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_jobs Jobs by task and state.\n"
                   "# TYPE omkt_jobs gauge\n");
    for (int t = OMKT_TASK_DOWNLOAD; t <= OMKT_TASK_TEST; t++) {
        const char *task = omkt_task_name((enum omkt_task)t);

        for (size_t s = 0; s < OMKT_ARRAY_LEN(job_states); s++) {
            int64_t n = 0;

            for (size_t i = 0; i < res->nrows; i++)
                if (strcmp(omkt_dbres_str(res, i, 0), task) == 0 &&
                    strcmp(omkt_dbres_str(res, i, 1), job_states[s]) == 0)
                    n = omkt_dbres_i64(res, i, 2, 0);
            sbuf_printf(b, "omkt_jobs{task=\"%s\",state=\"%s\"} %" PRId64 "\n",
                        task, job_states[s], n);
        }
    }
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* m_durations - omkt_job_duration_seconds histogram per task. */
static int m_durations(struct omkt_db *db, struct sbuf *b)
{
    static const char *const le[] = {"1", "5", "30", "60", "300", "1800"};
    struct omkt_dbres *res = NULL;
    int ret = omkt_jobstats_durations(db, &res, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_job_duration_seconds Run time of the done "
                   "jobs still in the table.\n"
                   "# TYPE omkt_job_duration_seconds histogram\n");
    for (size_t i = 0; i < res->nrows; i++) {
        const char *task = omkt_dbres_str(res, i, 0);
        const char *sum = omkt_dbres_str(res, i, 2);

        for (size_t k = 0; k < OMKT_ARRAY_LEN(le); k++)
            sbuf_printf(b,
                        "omkt_job_duration_seconds_bucket{task=\"%s\","
                        "le=\"%s\"} %" PRId64 "\n",
                        task, le[k], omkt_dbres_i64(res, i, 3 + k, 0));
        sbuf_printf(b,
                    "omkt_job_duration_seconds_bucket{task=\"%s\","
                    "le=\"+Inf\"} %" PRId64 "\n"
                    "omkt_job_duration_seconds_sum{task=\"%s\"} %s\n"
                    "omkt_job_duration_seconds_count{task=\"%s\"} %" PRId64
                    "\n",
                    task, omkt_dbres_i64(res, i, 1, 0), task, sum ? sum : "0",
                    task, omkt_dbres_i64(res, i, 1, 0));
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
        sbuf_printf(b, "omkt_workers_alive{role=\"%s\"} %" PRId64 "\n",
                    omkt_dbres_str(res, i, 0), omkt_dbres_i64(res, i, 1, 0));
    omkt_dbres_free(res);
    return OMKT_OK;
}

/* m_requests - omkt_api_requests_total{action,code} of this process. */
static void m_requests(struct apid *a, struct sbuf *b)
{
    struct apid_stat *v = omkt_xcalloc(APID_STATS_MAX, sizeof(*v));
    size_t n = stats_snapshot(&a->stats, v);

    sbuf_printf(b, "# HELP omkt_api_requests_total HTTP requests answered "
                   "by this apid, by action and status.\n"
                   "# TYPE omkt_api_requests_total counter\n");
    for (size_t i = 0; i < n; i++)
        sbuf_printf(b,
                    "omkt_api_requests_total{action=\"%s\",code=\"%u\"} "
                    "%" PRIu64 "\n",
                    v[i].action, v[i].status, v[i].count);
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

enum MHD_Result h_metrics(struct apid_req *r)
{
    struct sbuf b = {0};
    struct omkt_db *db;
    bool is_db = false;
    char *text;
    struct MHD_Response *resp;

    if (!apid_is_admin(r))
        return need_admin(r);
    db = apid_db(r);
    if (db != NULL)
        is_db = m_jobs(db, &b) == OMKT_OK && m_durations(db, &b) == OMKT_OK &&
                m_workers(db, &b) == OMKT_OK;
    m_requests(r->a, &b);
    m_conns(&r->a->guard, &b);
    sbuf_printf(&b,
                "# HELP omkt_api_calls_dropped_total Calls not written to "
                "api_calls (log queue full, or the row refused).\n"
                "# TYPE omkt_api_calls_dropped_total counter\n"
                "omkt_api_calls_dropped_total %" PRIu64 "\n",
                calllog_dropped(&r->a->calls));
    sbuf_printf(&b,
                "# HELP omkt_db_up The database answered this scrape.\n"
                "# TYPE omkt_db_up gauge\nomkt_db_up %d\n",
                is_db ? 1 : 0);
    text = sbuf_take(&b);
    resp = MHD_create_response_from_buffer(strlen(text), text,
                                           MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return apid_queue(r, 200, NULL); /* a logged 500 */
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4");
    return apid_queue(r, 200, resp);
}

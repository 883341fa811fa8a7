/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_dashboard - GET / and /status: the operator page.  Rendered on the
 * server from the database at each request (no JavaScript, no external
 * asset: the style sheet is compiled in) and refreshed by the browser
 * every 5 s: queue depth per task and state, running jobs with progress
 * bars, workers per host with heartbeat age and current job, recent
 * failures with their reasons, jobs done over the last hour, the split
 * transcodes in progress (dash_split.h), and the newest media with their
 * settings and running job (dash_media.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/dash_action.h"
#include "apid/dash_media.h"
#include "apid/dash_split.h"
#include "apid/h_dashboard.h"
#include "apid/h_health.h"
#include "apid/sbuf.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_jobstats.h"
#include "common/db_procs.h"
#include "common/version.h"

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;"
    "color:#1d2330}header{background:#1d2330;color:#fff;padding:10px 20px;"
    "display:flex;justify-content:space-between}h1{font-size:18px;margin:0}"
    "main{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,"
    "1fr));gap:16px;padding:16px}section{background:#fff;border-radius:6px;"
    "padding:12px 16px;box-shadow:0 1px 2px #0002}h2{font-size:15px;"
    "margin:0 0 8px}table{border-collapse:collapse;width:100%}td,th{"
    "padding:3px 6px;text-align:left;border-bottom:1px solid #eee}"
    "th{font-weight:600;color:#555}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}.z{color:#bbb}.bar{background:#e3e6eb;"
    "border-radius:3px;height:14px;width:160px;position:relative}"
    ".bar i{display:block;height:100%;background:#2f7de1;border-radius:3px}"
    ".bar b{position:absolute;left:4px;top:-2px;font-size:11px}"
    ".old{color:#c0392b;font-weight:600}.err{color:#c0392b}"
    ".total{font-size:28px;font-weight:600}svg text{font-size:10px;"
    "fill:#555}#media{grid-column:1/-1}td.url{max-width:360px;overflow:"
    "hidden;text-overflow:ellipsis;white-space:nowrap}.eta{color:#555}"
    "#filter{margin:0 0 8px}td.act{white-space:nowrap}td.act "
    "form{display:inline;margin-right:4px}";

/* s_queue - queue depth per task and state. */
static void s_queue(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;

    sbuf_printf(b, "<section id=queue><h2>Queue</h2><table><tr><th>task");
    for (size_t s = 0; s < OMKT_JOBSTATS_NSTATES; s++)
        sbuf_printf(b, "<th>%s", omkt_jobstats_states[s]);
    sbuf_printf(b, "</tr>");
    if (omkt_jobstats_counts(db, &res, NULL) == OMKT_OK) {
        for (int t = OMKT_TASK_DOWNLOAD; t <= OMKT_TASK_TEST; t++) {
            const char *task = omkt_task_name((enum omkt_task)t);

            sbuf_printf(b, "<tr><td>%s", task);
            for (size_t s = 0; s < OMKT_JOBSTATS_NSTATES; s++) {
                int64_t n =
                    omkt_jobstats_count_of(res, task, omkt_jobstats_states[s]);

                sbuf_printf(b, "<td class=\"n%s\" id=\"q-%s-%s\">%" PRId64,
                            n ? "" : " z", task, omkt_jobstats_states[s], n);
            }
            sbuf_printf(b, "</tr>");
        }
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</table></section>");
}

/* s_running - running jobs with progress bars. */
static void s_running(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;

    sbuf_printf(b, "<section id=running><h2>Running jobs</h2><table><tr>"
                   "<th>job<th>task<th>media<th>worker<th>for<th>progress"
                   "</tr>");
    if (omkt_jobstats_running(db, &res, NULL) == OMKT_OK) {
        for (size_t i = 0; i < res->nrows; i++) {
            int64_t pct = omkt_dbres_i64(res, i, 3, 0);

            sbuf_printf(b, "<tr><td>%s<td>%s<td>%s<td>",
                        omkt_dbres_str(res, i, 0), omkt_dbres_str(res, i, 1),
                        omkt_dbres_str(res, i, 2));
            sbuf_html(b, omkt_dbres_str(res, i, 4));
            sbuf_printf(b,
                        ":%s<td class=n>%" PRId64 " s<td><div class=bar>"
                        "<i style=\"width:%" PRId64 "%%\"></i><b>%" PRId64
                        "%%</b></div></tr>",
                        omkt_dbres_str(res, i, 5), omkt_dbres_i64(res, i, 6, 0),
                        pct, pct);
        }
        if (res->nrows == 0)
            sbuf_printf(b, "<tr><td colspan=6 class=z>none</tr>");
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</table></section>");
}

/* s_workers - programs per host, heartbeat age, current job. */
static void s_workers(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;

    sbuf_printf(b, "<section id=workers><h2>Workers</h2><table><tr>"
                   "<th>host<th>role<th>pid<th>state<th>heartbeat"
                   "<th>current job</tr>");
    if (omkt_proc_list(db, false, &res, NULL) == OMKT_OK) {
        for (size_t i = 0; i < res->nrows; i++) {
            const char *age = omkt_dbres_str(res, i, 5);
            bool is_old = age && strtod(age, NULL) > 15.0;

            sbuf_printf(b, "<tr><td>");
            sbuf_html(b, omkt_dbres_str(res, i, 1));
            sbuf_printf(b, "<td>");
            sbuf_html(b, omkt_dbres_str(res, i, 3));
            sbuf_printf(b, "<td>%s<td>%s<td class=\"n%s\">%s s ago<td>%s</tr>",
                        omkt_dbres_str(res, i, 2), omkt_dbres_str(res, i, 4),
                        is_old ? " old" : "", age ? age : "?",
                        omkt_dbres_str(res, i, 6));
        }
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</table></section>");
}

/* s_failures - the last failed jobs and why. */
static void s_failures(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;

    sbuf_printf(b, "<section id=failures><h2>Recent failures</h2><table><tr>"
                   "<th>job<th>task<th>media<th>tries<th>when<th>reason"
                   "</tr>");
    if (omkt_jobstats_failures(db, &res, NULL) == OMKT_OK) {
        for (size_t i = 0; i < res->nrows; i++) {
            sbuf_printf(b,
                        "<tr><td>%s<td>%s<td>%s<td class=n>%s<td>%.19s"
                        "<td class=err>",
                        omkt_dbres_str(res, i, 0), omkt_dbres_str(res, i, 1),
                        omkt_dbres_str(res, i, 2), omkt_dbres_str(res, i, 3),
                        omkt_dbres_str(res, i, 5));
            sbuf_html(b, omkt_dbres_str(res, i, 4));
            sbuf_printf(b, "</tr>");
        }
        if (res->nrows == 0)
            sbuf_printf(b, "<tr><td colspan=6 class=z>none</tr>");
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</table></section>");
}

/* chart - 12 five-minute bars of @v as inline SVG. */
static void chart(struct sbuf *b, const int64_t v[12])
{
    int64_t max = 1;

    for (int i = 0; i < 12; i++)
        max = v[i] > max ? v[i] : max;
    sbuf_printf(b, "<svg width=480 height=120 role=img>");
    for (int i = 0; i < 12; i++) {
        int64_t h = v[i] * 90 / max;

        sbuf_printf(b,
                    "<rect x=%d y=%" PRId64 " width=30 height=%" PRId64
                    " fill=\"#2f7de1\"/><text x=%d y=118>%" PRId64 "</text>",
                    i * 40 + 5, 100 - h, h, i * 40 + 8, v[i]);
    }
    sbuf_printf(b, "</svg><div class=z>each bar: jobs done in 5 minutes; "
                   "right: now</div>");
}

/* s_throughput - jobs done over the last hour, per task and in time. */
static void s_throughput(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;
    int64_t bucket[12] = {0}, total = 0;

    sbuf_printf(b, "<section id=throughput><h2>Throughput, last hour</h2>");
    if (omkt_jobstats_throughput(db, &res, NULL) == OMKT_OK) {
        for (size_t i = 0; i < res->nrows; i++) {
            int64_t k = omkt_dbres_i64(res, i, 1, 0);
            int64_t n = omkt_dbres_i64(res, i, 2, 0);

            if (k >= 0 && k < 12)
                bucket[k] += n;
            total += n;
        }
        sbuf_printf(b,
                    "<div><span class=total id=done-hour>%" PRId64
                    "</span> jobs done",
                    total);
        for (int t = OMKT_TASK_DOWNLOAD; t <= OMKT_TASK_TEST; t++) {
            const char *task = omkt_task_name((enum omkt_task)t);
            int64_t n = 0;

            for (size_t i = 0; i < res->nrows; i++)
                if (strcmp(omkt_dbres_str(res, i, 0), task) == 0)
                    n += omkt_dbres_i64(res, i, 2, 0);
            if (n > 0)
                sbuf_printf(b, " &middot; %s %" PRId64, task, n);
        }
        sbuf_printf(b, "</div>");
        chart(b, bucket);
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</section>");
}

/* page - the whole document. */
static void page(struct omkt_db *db, const struct dash_view *f, struct sbuf *b)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S UTC", &tm);
    sbuf_printf(b,
                "<!doctype html><html lang=en><head><meta charset=utf-8>"
                "<meta http-equiv=refresh content=5>"
                "<title>omkt status</title><style>%s</style></head><body>"
                "<header><h1>omkt cluster status</h1><span>%s &middot; "
                "apid %s &middot; refreshes every 5 s</span></header><main>",
                style, now, OMKT_VERSION);
    if (db == NULL) {
        sbuf_printf(b, "<section><h2 class=err>database unreachable"
                       "</h2></section>");
    } else {
        s_queue(db, b);
        s_running(db, b);
        dash_split(db, b);
        s_workers(db, b);
        s_throughput(db, b);
        s_failures(db, b);
        dash_media(db, f, b);
    }
    sbuf_printf(b, "</main></body></html>");
}

enum MHD_Result h_dashboard(struct apid_req *r)
{
    struct sbuf b = {0};
    enum apid_auth v = auth_admin(r);
    struct dash_view f;
    char csrf[DASH_CSRF_LEN + 1];

    if (v != APID_AUTH_OK)
        return apid_refuse_admin(r, v);
    dash_view_parse(
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "account"),
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "state"),
        &f);
    f.csrf = dash_csrf(r, csrf) ? csrf : NULL;
    page(apid_db_alive(r), &f, &b);
    return apid_reply_text(r, 200, sbuf_take(&b), "text/html; charset=utf-8");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_cloud - the cloud tier's series (see metrics_cloud.h).
 */
#include <inttypes.h>
#include <string.h>

#include "apid/metrics_cloud.h"
#include "common/alloc.h"
#include "common/db_cloud.h"
#include "common/db_procs.h"
#include "common/db_scaler.h"

/* label - @s as a Prometheus label value (backslash, quote and newline
 * escaped) into @buf of @size. */
static const char *label(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    for (; *s && n + 3 < size; s++) {
        if (*s == '\\' || *s == '"' || *s == '\n')
            buf[n++] = '\\';
        buf[n++] = *s == '\n' ? 'n' : *s;
    }
    buf[n] = '\0';
    return buf;
}

/* scaler_rows - the series of each cluster's scaler (db_scaler). */
static void scaler_rows(const struct omkt_dbres *r, struct sbuf *b)
{
    static const char *const states[] = {"pending", "running", "shutting-down",
                                         "stopping", "stopped"};
    char cl[160], ho[400];

    sbuf_printf(b, "# HELP omkt_cloud_instances Cloud worker instances by "
                   "state, as the leading scaler last described them.\n"
                   "# TYPE omkt_cloud_instances gauge\n");
    for (size_t i = 0; i < r->nrows; i++)
        for (size_t k = 0; k < OMKT_ARRAY_LEN(states); k++)
            sbuf_printf(b,
                        "omkt_cloud_instances{scope=\"cluster\",cluster="
                        "\"%s\",state=\"%s\"} %" PRId64 "\n",
                        label(omkt_dbres_str(r, i, 0), cl, sizeof(cl)),
                        states[k], omkt_dbres_i64(r, i, 4 + k, 0));
    sbuf_printf(b, "# HELP omkt_cloud_instances_age_seconds Since the "
                   "leading scaler counted the instances (-1: never).\n"
                   "# TYPE omkt_cloud_instances_age_seconds gauge\n");
    for (size_t i = 0; i < r->nrows; i++)
        sbuf_printf(b,
                    "omkt_cloud_instances_age_seconds{scope=\"cluster\","
                    "cluster=\"%s\"} %" PRId64 "\n",
                    label(omkt_dbres_str(r, i, 0), cl, sizeof(cl)),
                    omkt_dbres_i64(r, i, 3, -1));
    sbuf_printf(b, "# HELP omkt_cloud_scaler_starting Instances the "
                   "scaler's last decision started.\n"
                   "# TYPE omkt_cloud_scaler_starting gauge\n");
    for (size_t i = 0; i < r->nrows; i++)
        sbuf_printf(b,
                    "omkt_cloud_scaler_starting{scope=\"cluster\","
                    "cluster=\"%s\"} %" PRId64 "\n",
                    label(omkt_dbres_str(r, i, 0), cl, sizeof(cl)),
                    omkt_dbres_i64(r, i, 9, 0));
    sbuf_printf(b, "# HELP omkt_cloud_scaler_leader 1 while the named "
                   "candidate holds the scaler lease, 0 once it expired.\n"
                   "# TYPE omkt_cloud_scaler_leader gauge\n");
    for (size_t i = 0; i < r->nrows; i++)
        sbuf_printf(b,
                    "omkt_cloud_scaler_leader{scope=\"cluster\",cluster="
                    "\"%s\",holder=\"%s\"} %" PRId64 "\n",
                    label(omkt_dbres_str(r, i, 0), cl, sizeof(cl)),
                    label(omkt_dbres_str(r, i, 1), ho, sizeof(ho)),
                    omkt_dbres_i64(r, i, 2, 0));
}

/* metrics_scaler - the scalers' series; none when no scaler ever ran. */
static int metrics_scaler(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_scaler_state_read(db, &r, NULL);

    if (ret != OMKT_OK)
        return ret;
    if (r->nrows > 0)
        scaler_rows(r, b);
    omkt_dbres_free(r);
    return OMKT_OK;
}

/* metrics_faults - bridges whose last send failed, by reason (always
 * both series, 0 when none). */
static int metrics_faults(struct omkt_db *db, struct sbuf *b)
{
    static const char *const reasons[] = {"credentials", "unreachable"};
    struct omkt_dbres *r = NULL;
    int ret = omkt_proc_cloud_faults(db, &r, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b, "# HELP omkt_cloud_send_faults Bridges whose last send "
                   "to the cloud tier failed: keys refused (credentials) "
                   "or SQS/S3 unreachable; they send nothing meanwhile.\n"
                   "# TYPE omkt_cloud_send_faults gauge\n");
    for (size_t k = 0; k < OMKT_ARRAY_LEN(reasons); k++) {
        int64_t n = 0;

        for (size_t i = 0; i < r->nrows; i++)
            if (strcmp(omkt_dbres_str(r, i, 0), reasons[k]) == 0)
                n = omkt_dbres_i64(r, i, 1, 0);
        sbuf_printf(b,
                    "omkt_cloud_send_faults{scope=\"cluster\",reason=\"%s\"} "
                    "%" PRId64 "\n",
                    reasons[k], n);
    }
    omkt_dbres_free(r);
    return OMKT_OK;
}

int metrics_cloud(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_cloud_counts c;
    int ret = omkt_cloud_counts(db, &c, NULL);

    if (ret != OMKT_OK)
        return ret;
    sbuf_printf(b,
                "# HELP omkt_cloud_jobs_out Transcode jobs sent to cloud "
                "workers whose result has not come back.\n"
                "# TYPE omkt_cloud_jobs_out gauge\n"
                "omkt_cloud_jobs_out{scope=\"cluster\"} %" PRId64 "\n"
                "# HELP omkt_cloud_results_pending Results stored and not "
                "yet published by the bridge holding their job.\n"
                "# TYPE omkt_cloud_results_pending gauge\n"
                "omkt_cloud_results_pending{scope=\"cluster\"} %" PRId64 "\n"
                "# HELP omkt_cloud_dead_letters_pending Jobs back from the "
                "dead-letter queue, not yet failed.\n"
                "# TYPE omkt_cloud_dead_letters_pending gauge\n"
                "omkt_cloud_dead_letters_pending{scope=\"cluster\"} %" PRId64
                "\n",
                c.out, c.results, c.dead);
    ret = metrics_faults(db, b);
    return ret == OMKT_OK ? metrics_scaler(db, b) : ret;
}

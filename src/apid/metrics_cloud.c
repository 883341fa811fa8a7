/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_cloud - the cloud tier's series (see metrics_cloud.h).
 */
#include <inttypes.h>

#include "apid/metrics_cloud.h"
#include "common/db_cloud.h"

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
    return OMKT_OK;
}

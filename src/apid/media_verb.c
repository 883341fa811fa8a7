/* SPDX-License-Identifier: GPL-2.0-or-later */
/* media_verb - cancel or retry a whole media (see media_verb.h). */
#include <string.h>

#include "apid/media_verb.h"
#include "common/db_jobs.h"
#include "common/db_media.h"
#include "common/jobflow.h"

/* is_fit - whether a job in state @st is one that the verb changes. */
static bool is_fit(const char *st, bool is_cancel)
{
    if (is_cancel)
        return strcmp(st, "queued") == 0 || strcmp(st, "delayed") == 0 ||
               strcmp(st, "running") == 0 || strcmp(st, "waiting") == 0;
    return strcmp(st, "failed") == 0;
}

int media_verb(struct omkt_db *db, int64_t id, int64_t account_id,
               bool is_cancel, unsigned *n)
{
    struct omkt_media m = {0};
    struct omkt_dbres *j = NULL;
    int ret = omkt_media_get(db, id, &m, NULL);

    *n = 0;
    if (ret == OMKT_OK && account_id > 0 && m.account_id != account_id)
        ret = OMKT_ENOTFOUND;
    if (ret == OMKT_OK)
        ret = omkt_job_list_media(db, id, &j, NULL);
    for (size_t i = 0; ret == OMKT_OK && i < j->nrows; i++) {
        int64_t jid = omkt_dbres_i64(j, i, 0, 0);
        int rc = !is_fit(omkt_dbres_str(j, i, 2), is_cancel) ? OMKT_ENOTFOUND
                 : is_cancel ? omkt_jobflow_cancel(db, jid, NULL)
                             : omkt_jobflow_retry(db, jid, NULL);

        *n += rc == OMKT_OK;
        if (rc != OMKT_OK && rc != OMKT_ENOTFOUND)
            ret = rc;
    }
    omkt_dbres_free(j);
    omkt_media_clear(&m);
    return ret;
}

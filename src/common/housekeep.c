/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * housekeep - the maintenance job (see housekeep.h).
 *
 * DESIGN: every step works in small batches and is idempotent, so a run
 * cut short (crash, shutdown, lost lease) is simply finished by the next
 * one.  Files go before rows: a media is marked expired only once its
 * directory is gone.  Temp files are removed only when their job is not
 * running and they are older than ORPHAN_AGE_S (a rename may be in flight
 * on another host).  The next run is queued in the transaction that ends
 * this one, unless another maintenance job is already pending.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "db_api.h"
#include "db_jobs.h"
#include "db_media.h"
#include "db_segments.h"
#include "db_transcodes.h"
#include "fsops.h"
#include "housekeep.h"
#include "log.h"
#include "jobworker.h"

#define BATCH        200
#define ORPHAN_AGE_S 600

#define MK(name, def, field)                                                   \
    {                                                                          \
        name, OMKT_CONF_DURATION, def, 60000, 3650LL * 86400000, false, false, \
            offsetof(struct omkt_maint_conf, field)                            \
    }
const struct omkt_conf_key omkt_maint_conf_keys[] = {
    MK("retention", "30d", retention_ms),
    MK("keep_jobs", "7d", keep_jobs_ms),
    MK("keep_api_calls", "30d", keep_api_calls_ms),
    MK("interval", "1h", interval_ms),
};
const size_t omkt_maint_conf_nkeys = OMKT_ARRAY_LEN(omkt_maint_conf_keys);

static const struct omkt_maint_conf *conf;

/* purge_one - remove a media's directory, then mark it expired. */
static int purge_one(struct omkt_jobctx *ctx, int64_t account, int64_t id)
{
    char rel[128], dir[OMKT_PATH_MAX];
    int ret;

    if (omkt_media_dir(rel, sizeof(rel), account, id) != OMKT_OK)
        return OMKT_EINVAL;
    snprintf(dir, sizeof(dir), "%s/%s", ctx->d->common.docroot, rel);
    if (omkt_fs_remove_tree(dir, &ctx->eb) != OMKT_OK) {
        ctx->eb.retryable = true;
        return OMKT_EIO;
    }
    ret = omkt_transcode_expire_media(ctx->db, id, &ctx->eb);
    if (ret == OMKT_OK)
        ret = omkt_media_expire(ctx->db, id, &ctx->eb);
    return ret;
}

/* purge_old - originals and outputs past the retention. */
static int purge_old(struct omkt_jobctx *ctx, unsigned *n)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_media_list_old(ctx->db, conf->retention_ms / 1000, BATCH, &r,
                                  &ctx->eb);

    for (size_t i = 0; ret == OMKT_OK && i < r->nrows; i++) {
        if (omkt_jobctx_should_stop(ctx))
            break;
        ret = purge_one(ctx, omkt_dbres_i64(r, i, 1, 0),
                        omkt_dbres_i64(r, i, 0, 0));
        if (ret == OMKT_OK)
            (*n)++;
    }
    omkt_dbres_free(r);
    return ret;
}

/* tmp_job - the job id in ".NAME.tmp-JOBID-HOST-PID", or 0. */
static int64_t tmp_job(const char *name)
{
    const char *p = strstr(name, ".tmp-");

    if (name[0] != '.' || p == NULL)
        return 0;
    return strtoll(p + 5, NULL, 10);
}

/* sweep_dir - orphaned temp files in one media directory. */
static void sweep_dir(struct omkt_jobctx *ctx, const char *dir, unsigned *n)
{
    char path[OMKT_PATH_MAX];
    struct dirent *de;
    struct stat st;
    DIR *dp = opendir(dir);

    for (de = dp ? readdir(dp) : NULL; de != NULL; de = readdir(dp)) {
        int64_t job = tmp_job(de->d_name);
        bool running = true;

        if (job <= 0 ||
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
                (int)sizeof(path) ||
            lstat(path, &st) != 0 || time(NULL) - st.st_mtime < ORPHAN_AGE_S)
            continue;
        if (omkt_job_is_running(ctx->db, job, &running, NULL) == OMKT_OK &&
            !running && unlink(path) == 0)
            (*n)++;
    }
    if (dp != NULL)
        closedir(dp);
}

/* sweep_tmp - walk media/ACCOUNT/MEDIA directories for orphans. */
static void sweep_tmp(struct omkt_jobctx *ctx, unsigned *n)
{
    char top[OMKT_PATH_MAX], acc[OMKT_PATH_MAX], dir[OMKT_PATH_MAX];
    struct dirent *a, *m;
    DIR *dp, *ap;

    snprintf(top, sizeof(top), "%s/media", ctx->d->common.docroot);
    dp = opendir(top);
    for (a = dp ? readdir(dp) : NULL; a != NULL; a = readdir(dp)) {
        if (a->d_name[0] == '.' || snprintf(acc, sizeof(acc), "%s/%s", top,
                                            a->d_name) >= (int)sizeof(acc))
            continue;
        ap = opendir(acc);
        for (m = ap ? readdir(ap) : NULL; m != NULL; m = readdir(ap)) {
            if (m->d_name[0] != '.' && snprintf(dir, sizeof(dir), "%s/%s", acc,
                                                m->d_name) < (int)sizeof(dir))
                sweep_dir(ctx, dir, n);
        }
        if (ap != NULL)
            closedir(ap);
    }
    if (dp != NULL)
        closedir(dp);
}

/* sweep_segments - tmp/segments/ID of families that ended or are gone
 * (their last member died without removing it). */
static void sweep_segments(struct omkt_jobctx *ctx, unsigned *n)
{
    char top[OMKT_PATH_MAX], dir[OMKT_PATH_MAX];
    struct dirent *de;
    struct stat st;
    DIR *dp;

    snprintf(top, sizeof(top), "%s/tmp/segments", ctx->d->common.docroot);
    dp = opendir(top);
    for (de = dp ? readdir(dp) : NULL; de != NULL; de = readdir(dp)) {
        int64_t id = strtoll(de->d_name, NULL, 10);
        bool is_live = true;

        if (id <= 0 ||
            snprintf(dir, sizeof(dir), "%s/%s", top, de->d_name) >=
                (int)sizeof(dir) ||
            lstat(dir, &st) != 0 || time(NULL) - st.st_mtime < ORPHAN_AGE_S)
            continue;
        if (omkt_seg_is_live(ctx->db, id, &is_live, NULL) == OMKT_OK &&
            !is_live && omkt_fs_remove_tree(dir, NULL) == OMKT_OK)
            (*n)++;
    }
    if (dp != NULL)
        closedir(dp);
}

static int handle(struct omkt_jobctx *ctx)
{
    unsigned purged = 0, trimmed = 0, calls = 0, orphans = 0;
    int ret = purge_old(ctx, &purged);

    if (ret == OMKT_OK)
        ret = omkt_job_trim(ctx->db, conf->keep_jobs_ms / 1000, 10000, &trimmed,
                            &ctx->eb);
    if (ret == OMKT_OK)
        ret = omkt_api_calls_trim(ctx->db, conf->keep_api_calls_ms / 1000,
                                  50000, &calls, &ctx->eb);
    if (ret == OMKT_OK)
        sweep_tmp(ctx, &orphans);
    if (ret == OMKT_OK)
        sweep_segments(ctx, &orphans);
    omkt_log(OMKT_LOG_INFO,
             "job=%lld maintenance: %u media purged, %u jobs and %u API "
             "calls trimmed, %u orphaned temp files removed",
             (long long)ctx->job.id, purged, trimmed, calls, orphans);
    if (ret != OMKT_OK)
        ctx->eb.retryable = true;
    return ret;
}

/* queue_next - the next run, unless another one is already pending. */
static int queue_next(struct omkt_db *db, int64_t delay_ms, int pending_self,
                      struct omkt_errbuf *eb)
{
    struct omkt_job_new jn = {
        .task = OMKT_TASK_MAINTENANCE, .delay_ms = delay_ms, .max_attempts = 3};
    int64_t pending = 0;
    int ret = omkt_job_count_pending(db, OMKT_TASK_MAINTENANCE, &pending, eb);

    if (ret != OMKT_OK || pending > pending_self)
        return ret;
    return omkt_job_enqueue(db, &jn, NULL, eb);
}

static int on_done(struct omkt_jobctx *ctx)
{
    return queue_next(ctx->db, conf->interval_ms, 1, &ctx->eb);
}

static int on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                     bool is_final)
{
    (void)code;
    (void)reason;
    return is_final ? queue_next(ctx->db, conf->interval_ms, 0, &ctx->eb)
                    : OMKT_OK;
}

static const struct omkt_worker_spec maint_spec = {
    .task = OMKT_TASK_MAINTENANCE,
    .nthreads = 1,
    .handle = handle,
    .on_done = on_done,
    .on_failed = on_failed,
    .idle_poll_ms = 5000,
};

int omkt_maint_start(struct omkt_daemon *d, const struct omkt_maint_conf *mc,
                     struct omkt_errbuf *eb)
{
    struct omkt_db *db = omkt_daemon_connect(d);
    int ret = db ? queue_next(db, 0, 0, eb) : OMKT_EDB;

    conf = mc;
    omkt_db_close(db);
    if (ret != OMKT_OK)
        return ret;
    return omkt_worker_start(d, &maint_spec, eb);
}

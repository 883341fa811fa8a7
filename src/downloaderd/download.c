/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * download - the download job's handler and hooks (see download.h).
 *
 * DESIGN: files.  The original is media/ACCOUNT/MEDIA/original under the
 * document root.  An http download is written to ".original.part-JOBID"
 * in that directory, a name that outlives the attempt (reapers only
 * remove ".*.tmp-JOBID-*" names), so the next attempt of the same job
 * resumes it; it is fsynced, renamed to "original" and the directory
 * fsynced.  The partial is removed when the job fails for good.  A local
 * import is copied to a ".original.tmp-TAG" name, which a reaper removes
 * if we die.  Database writes happen only in the hooks, inside the job's
 * own transaction: media local + metadata job, or download_failed + alert.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/db_accounts.h"
#include "common/db_media.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/s3cred.h"
#include "download.h"
#include "fetch.h"
#include "local.h"
#include "s3src.h"

struct dl_job {
    struct omkt_media media;
    bool has_media;
    bool is_skip; /* the media is no longer remote: nothing to do */
    char rel_dir[256];
    char abs_dir[OMKT_PATH_MAX];
    char part[OMKT_PATH_MAX]; /* resumable partial (http) */
    char final[OMKT_PATH_MAX];
    int64_t size;
};

static const struct dl_conf *conf;

void download_init(const struct dl_conf *c)
{
    conf = c;
}

/* load - the media row; a media that is not remote is skipped. */
static int load(struct omkt_jobctx *ctx, struct dl_job *j)
{
    int ret = omkt_media_get(ctx->db, ctx->job.media_id, &j->media, &ctx->eb);

    if (ret == OMKT_ENOTFOUND)
        omkt_errf(&ctx->eb, "media %" PRId64 " not found", ctx->job.media_id);
    if (ret != OMKT_OK)
        return ret;
    j->has_media = true;
    if (strcmp(j->media.state, "remote") != 0) {
        omkt_log(OMKT_LOG_NOTICE, "job=%lld media=%" PRId64 " is %s: skipped",
                 (long long)ctx->job.id, j->media.id, j->media.state);
        j->is_skip = true;
    }
    return OMKT_OK;
}

/* prepare - the media directory, its temp-dir record and file names. */
static int prepare(struct omkt_jobctx *ctx, struct dl_job *j)
{
    const char *root = ctx->d->common.docroot;
    int ret = OMKT_OK;

    if (omkt_media_dir(j->rel_dir, sizeof(j->rel_dir), j->media.account_id,
                       j->media.id) != OMKT_OK ||
        snprintf(j->abs_dir, sizeof(j->abs_dir), "%s/%s", root, j->rel_dir) >=
            (int)sizeof(j->abs_dir) ||
        omkt_fs_partname(j->part, sizeof(j->part), j->abs_dir, "original",
                         ctx->job.id) != OMKT_OK ||
        snprintf(j->final, sizeof(j->final), "%s/original", j->abs_dir) >=
            (int)sizeof(j->final)) {
        omkt_errf(&ctx->eb, "path too long under %s", root);
        return OMKT_EINVAL;
    }
    ret = omkt_fs_mkdirs(j->abs_dir, 0750, &ctx->eb);
    if (ret != OMKT_OK)
        ctx->eb.retryable = true;
    if (ret == OMKT_OK)
        ret = omkt_job_set_tmp_dir(ctx->db, &ctx->job, j->rel_dir, &ctx->eb);
    return ret;
}

/*
 * http_url - the URL to fetch; new.  The reference's contract adds
 * app_key=<client key> to an OMKT media's URL (the CMS checks it); a REST
 * or media-nommer URL is fetched as given: a query parameter added to a
 * pre-signed URL breaks its signature and hands the key to a third party.
 */
static int http_url(struct omkt_jobctx *ctx, const struct dl_job *j, char **url)
{
    struct omkt_account a = {0};
    char *key = NULL, *q = NULL;
    int ret = OMKT_OK;

    *url = NULL;
    if (!omkt_media_is_omkt(&j->media)) {
        *url = omkt_xstrdup(j->media.url);
        return OMKT_OK;
    }
    ret = omkt_account_by_id(ctx->db, j->media.account_id, &a, &ctx->eb);
    if (ret == OMKT_OK) {
        key = omkt_http_escape(a.client_key);
        q = omkt_xasprintf("app_key=%s", key);
        *url = omkt_http_add_query(j->media.url, q);
    }
    free(q);
    free(key);
    omkt_account_clear(&a);
    return ret;
}

/* do_http - fetch into the resumable partial file. */
static int do_http(struct omkt_jobctx *ctx, struct dl_job *j)
{
    struct fetch_req rq = {
        .part_path = j->part,
        .max_size = conf->max_size,
        .lim = {.connect_timeout_ms = conf->connect_timeout_ms,
                .timeout_ms = conf->timeout_ms,
                .low_speed_bps = conf->min_speed,
                .low_speed_time_ms = conf->min_speed_time_ms,
                .allow_private = conf->allow_private},
        .ctx = ctx,
    };
    struct fetch_res res;
    char *url = NULL;
    CURL *h = curl_easy_init();
    int ret = h ? http_url(ctx, j, &url) : OMKT_ENOMEM;

    if (ret == OMKT_OK) {
        rq.url = url;
        ret = fetch_run(h, &rq, &res, &ctx->eb);
    }
    if (ret == OMKT_OK) {
        j->size = res.size;
        omkt_log(OMKT_LOG_INFO, "job=%lld fetched %" PRId64 " bytes%s",
                 (long long)ctx->job.id, res.size,
                 res.resumed_from > 0 ? " (resumed)" : "");
    }
    free(url);
    curl_easy_cleanup(h);
    return ret;
}

/* do_s3 - fetch an s3:// original into the resumable partial file. */
static int do_s3(struct omkt_jobctx *ctx, struct dl_job *j)
{
    struct s3src_req rq = {
        .uri = j->media.url,
        .job_options = j->media.job_options,
        .part_path = j->part,
        .max_size = conf->max_size,
        .lim = {.connect_timeout_ms = conf->connect_timeout_ms,
                .timeout_ms = conf->timeout_ms,
                .low_speed_bps = conf->min_speed,
                .low_speed_time_ms = conf->min_speed_time_ms},
        .ctx = ctx,
    };

    return s3src_fetch(&rq, &j->size, &ctx->eb);
}

/* do_local - copy from the import directory to a reaper-visible temp. */
static int do_local(struct omkt_jobctx *ctx, struct dl_job *j)
{
    char tag[128];
    struct local_req rq = {
        .import_dir = conf->import_dir,
        .name = j->media.url,
        .dst = j->part,
        .max_size = conf->max_size,
        .ctx = ctx,
    };

    if (omkt_fs_tmptag(tag, sizeof(tag), ctx->job.id) != OMKT_OK ||
        omkt_fs_tmpname(j->part, sizeof(j->part), j->abs_dir, "original",
                        tag) != OMKT_OK) {
        omkt_errf(&ctx->eb, "path too long under %s", j->abs_dir);
        return OMKT_EINVAL;
    }
    return local_import(&rq, &j->size, &ctx->eb);
}

/* publish - rename the complete file into place, durably. */
static int publish(struct omkt_jobctx *ctx, struct dl_job *j)
{
    int ret = omkt_fs_rename(j->part, j->final, &ctx->eb);

    if (ret == OMKT_OK)
        ret = omkt_fs_fsync_dir(j->abs_dir, &ctx->eb);
    if (ret != OMKT_OK)
        ctx->eb.retryable = true;
    return ret;
}

/* fetch_original - run the media's adapter. */
static int fetch_original(struct omkt_jobctx *ctx, struct dl_job *j)
{
    const char *adapter = j->media.adapter ? j->media.adapter : "http";

    if (strcmp(adapter, "local") == 0)
        return do_local(ctx, j);
    if (strcmp(adapter, "http") == 0 && omkt_s3_uri_is_s3(j->media.url))
        return do_s3(ctx, j);
    if (strcmp(adapter, "http") == 0)
        return do_http(ctx, j);
    omkt_errf(&ctx->eb, "unknown adapter '%s'", adapter);
    return OMKT_EINVAL;
}

int download_handle(struct omkt_jobctx *ctx)
{
    struct dl_job *j = omkt_xcalloc(1, sizeof(*j));
    int ret;

    ctx->data = j;
    ret = load(ctx, j);
    if (ret != OMKT_OK || j->is_skip)
        return ret;
    ret = prepare(ctx, j);
    if (ret == OMKT_OK)
        ret = fetch_original(ctx, j);
    if (ret == OMKT_OK)
        ret = publish(ctx, j);
    if (ret == OMKT_ESHUTDOWN)
        ret = omkt_jobctx_stop_code(ctx);
    return ret;
}

int download_on_done(struct omkt_jobctx *ctx)
{
    struct dl_job *j = ctx->data;
    struct omkt_errbuf eb = {0};
    char rel[OMKT_PATH_MAX];
    int ret;

    if (j == NULL || j->is_skip)
        return OMKT_OK;
    snprintf(rel, sizeof(rel), "%s/original", j->rel_dir);
    ret = omkt_media_set_local(ctx->db, j->media.id, rel, j->size, &eb);
    if (ret == OMKT_ELOST) {
        omkt_log(OMKT_LOG_NOTICE, "job=%lld %s: leaving it",
                 (long long)ctx->job.id, eb.msg);
        return OMKT_OK;
    }
    if (ret == OMKT_OK && j->media.do_metadata) {
        struct omkt_job_new jn = {
            .task = OMKT_TASK_METADATA,
            .priority = ctx->job.priority,
            .account_id = j->media.account_id,
            .media_id = j->media.id,
        };

        ret = omkt_job_enqueue(ctx->db, &jn, NULL, &eb);
    }
    if (ret != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "job=%lld recording download: %s",
                 (long long)ctx->job.id, eb.msg);
    return ret;
}

/* fail_media - download_failed + the alert, for a remote media. */
static int fail_media(struct omkt_jobctx *ctx, const struct omkt_media *m,
                      const char *reason)
{
    struct omkt_errbuf eb = {0};
    char *msg = omkt_xasprintf("download failed: %s", reason);
    int ret = omkt_media_set_download_failed(ctx->db, m->id, reason, &eb);

    if (ret == OMKT_ELOST)
        ret = OMKT_OK;       /* someone else changed it: not ours to report */
    else if (ret == OMKT_OK) /* an alert, or a notify_url POST (REST) */
        ret = omkt_notify_media_error(ctx->db, m, msg, &eb);
    if (ret != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "job=%lld recording failure: %s",
                 (long long)ctx->job.id, eb.msg);
    free(msg);
    return ret;
}

int download_on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                       bool is_final)
{
    struct dl_job *j = ctx->data;
    struct omkt_media m = {0};
    int ret = OMKT_OK;

    (void)code;
    if (!is_final)
        return OMKT_OK;
    if (j != NULL && j->part[0] != '\0' && unlink(j->part) != 0 &&
        errno != ENOENT)
        omkt_log(OMKT_LOG_WARN, "job=%lld unlink %s: %s",
                 (long long)ctx->job.id, j->part, omkt_errno_str(errno));
    if (j != NULL && j->has_media)
        return j->is_skip ? OMKT_OK : fail_media(ctx, &j->media, reason);
    /* The handler could not read the media (a DB outage): read it now. */
    ret = omkt_media_get(ctx->db, ctx->job.media_id, &m, NULL);
    if (ret == OMKT_OK && strcmp(m.state, "remote") == 0)
        ret = fail_media(ctx, &m, reason);
    if (ret == OMKT_ENOTFOUND)
        ret = OMKT_OK;
    omkt_media_clear(&m);
    return ret;
}

void download_cleanup(struct omkt_jobctx *ctx)
{
    struct dl_job *j = ctx->data;

    if (j != NULL)
        omkt_media_clear(&j->media);
    OMKT_FREE(ctx->data);
}

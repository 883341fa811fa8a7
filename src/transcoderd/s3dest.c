/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3dest - transcoderd's S3 destinations (see s3dest.h).  A client is
 * made per upload so temporary credentials are current.  common/s3.c retries
 * each request or part on its own and aborts a multipart upload that fails.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/db_accounts.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/path.h"
#include "common/notify.h"
#include "common/s3job.h"
#include "s3dest.h"

/* tell_uploading - the UPLOADING state for a media-nommer client. */
static int tell_uploading(struct omkt_jobctx *ctx, const struct omkt_media *m)
{
    int ret = omkt_notify_nommer_state(ctx->db, m, "UPLOADING", "", &ctx->eb);

    if (ret != OMKT_OK)
        ctx->eb.retryable = true; /* the database: try the job again */
    return ret;
}

#define COPY_MAX ((int64_t)5 << 30) /* CopyObject's limit: 5 GiB */

/* copy - @u made a server-side copy of @staged (s3://...), when
 * possible: *is_done says so.  A refusal (403: the destination's keys
 * may not read the staging bucket), a missing object or one over 5 GiB
 * leaves it to the upload. */
static int copy(struct omkt_jobctx *ctx, struct omkt_s3 *s3,
                const struct omkt_s3_uri *u, const char *staged,
                const char *path, bool *is_done)
{
    struct omkt_s3_uri from = {0};
    struct omkt_errbuf eb = {0};
    struct stat st;
    int ret;

    *is_done = false;
    if (staged == NULL || stat(path, &st) != 0 || st.st_size > COPY_MAX ||
        omkt_s3_uri_parse(staged, &from, NULL) != OMKT_OK)
        return OMKT_OK;
    ret = omkt_s3_copy(s3, &(struct omkt_s3_ref){from.bucket, from.key},
                       &(struct omkt_s3_ref){u->bucket, u->key}, &eb);
    omkt_s3_uri_clear(&from);
    if (ret == OMKT_OK) {
        *is_done = true;
        omkt_log(OMKT_LOG_INFO,
                 "job=%lld s3 %s/%s: copied from %s (%lld bytes, not "
                 "uploaded)",
                 (long long)ctx->job.id, u->bucket, u->key, staged,
                 (long long)st.st_size);
        return OMKT_OK;
    }
    if (ret == OMKT_EPERM || ret == OMKT_ENOTFOUND) {
        omkt_log(OMKT_LOG_NOTICE, "job=%lld s3 %s/%s: no copy (%s): uploaded",
                 (long long)ctx->job.id, u->bucket, u->key, eb.msg);
        return OMKT_OK;
    }
    if (!ctx->eb.is_set)
        ctx->eb = eb;
    return ret;
}

int s3dest_put(struct omkt_jobctx *ctx, const struct omkt_media *m,
               const char *dest, const char *path, const char *staged)
{
    const struct omkt_s3job_req jr = {
        .uri = dest,
        .job_options = m->job_options,
        .which = OMKT_S3JOB_DEST,
        .ctx = ctx,
    };
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    bool is_copied = false;
    int ret = omkt_s3job_open(&jr, &u, &s3, &ctx->eb);

    if (ret == OMKT_OK)
        ret = tell_uploading(ctx, m);
    if (ret == OMKT_OK)
        ret = copy(ctx, s3, &u, staged, path, &is_copied);
    if (ret == OMKT_OK && !is_copied)
        ret = omkt_s3_put_file(s3, u.bucket, u.key, path, &ctx->eb);
    if (ret == OMKT_OK && !is_copied) {
        struct omkt_s3_stats st = omkt_s3_stats(s3);

        omkt_log(OMKT_LOG_INFO,
                 "job=%lld s3 %s/%s: uploaded %" PRId64 " bytes, "
                 "%d requests, %d retries",
                 (long long)ctx->job.id, u.bucket, u.key, st.bytes_up,
                 st.requests, st.retries);
    }
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    return ret;
}

/* publish_output - the files of @o under @prefix (ending in '/'). */
static int publish_output(struct omkt_jobctx *ctx, const struct omkt_media *m,
                          const char *prefix, const struct s3dest_from *src,
                          const struct omkt_output_result *o)
{
    char absdir[OMKT_PATH_MAX], from[OMKT_PATH_MAX];
    int ret = omkt_path_join(absdir, sizeof(absdir), src->docroot, src->dir);

    for (size_t i = 0; ret == OMKT_OK && i < o->n_files; i++) {
        char *uri = omkt_xasprintf("%s%s/%s", prefix, src->dir, o->files[i]);

        ret = omkt_path_join(from, sizeof(from), absdir, o->files[i]);
        if (ret == OMKT_OK)
            ret = s3dest_put(ctx, m, uri, from,
                             tjob_staged_find(src->staged, o->files[i]));
        free(uri);
    }
    if (ret == OMKT_EINVAL)
        omkt_errf(&ctx->eb, "output path too long under %s", src->dir);
    return ret;
}

int s3dest_publish(struct omkt_jobctx *ctx, const struct omkt_media *m,
                   const struct s3dest_from *from,
                   const struct omkt_transcode_result *res)
{
    char *to = NULL, *prefix = NULL;
    int ret = omkt_account_publish_to(ctx->db, m->account_id, &to, &ctx->eb);

    if (ret != OMKT_OK) {
        ctx->eb.retryable = true; /* the database: try the job again */
        return ret;
    }
    if (to[0] != '\0') {
        size_t len = strlen(to);

        prefix = omkt_xasprintf("%s%s", to, to[len - 1] == '/' ? "" : "/");
    }
    for (size_t i = 0; prefix && ret == OMKT_OK && i < res->n; i++)
        if (res->outputs[i].status == OMKT_OK)
            ret = publish_output(ctx, m, prefix, from, &res->outputs[i]);
    free(prefix);
    free(to);
    return ret;
}

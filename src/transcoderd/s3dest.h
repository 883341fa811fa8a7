/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3dest - publishing an output to an s3:// destination (a media-nommer
 * job's dest_path): the object is complete (one PUT, or a multipart
 * upload completed) or absent (the multipart upload aborted), before the
 * job is marked done; a transient failure leaves the job to be retried.
 * The same for the outputs of an account with a publish-to prefix.
 */
#ifndef OMKT_TRANSCODERD_S3DEST_H
#define OMKT_TRANSCODERD_S3DEST_H

#include "common/db_media.h"
#include "common/jobworker.h"
#include "media/transcode.h"
#include "transcode_job.h"

/*
 * s3dest_put - upload the file @path as @dest (s3://..., maybe masked: the
 * secret is the one kept in @m's job options), telling a media-nommer
 * client UPLOADING first.  With @staged (the same file left in S3 by a
 * cloud worker, or NULL) the object is copied server-side instead; a
 * copy the destination's keys may not make (403), or of an object over
 * 5 GiB, falls back to the upload.  Errors in ctx->eb: OMKT_EPERM (403:
 * not retried), OMKT_ENOTFOUND (no such bucket), OMKT_ENET / OMKT_EHTTP
 * (retryable when transient), OMKT_ESHUTDOWN.
 */
int s3dest_put(struct omkt_jobctx *ctx, const struct omkt_media *m,
               const char *dest, const char *path, const char *staged);

/* Where a job's outputs are: files in @dir (relative) under @docroot,
 * and maybe in S3 too (@staged, may be NULL). */
struct s3dest_from {
    const char *docroot;
    const char *dir;
    const struct tjob_staged *staged;
};

/*
 * s3dest_publish - an OMKT or REST media's finished outputs (@res, from
 * @from) uploaded (or copied, s3dest_put) under its account's publish-to
 * prefix as PREFIX + dir + "/" + file; nothing when the account has
 * none.  Errors as s3dest_put.
 */
int s3dest_publish(struct omkt_jobctx *ctx, const struct omkt_media *m,
                   const struct s3dest_from *from,
                   const struct omkt_transcode_result *res);

#endif

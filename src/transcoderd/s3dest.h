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

/*
 * s3dest_put - upload the file @path as @dest (s3://..., maybe masked: the
 * secret is the one kept in @m's job options), telling a media-nommer
 * client UPLOADING first.  Errors in ctx->eb: OMKT_EPERM (403: not
 * retried), OMKT_ENOTFOUND (no such bucket), OMKT_ENET / OMKT_EHTTP
 * (retryable when transient), OMKT_ESHUTDOWN.
 */
int s3dest_put(struct omkt_jobctx *ctx, const struct omkt_media *m,
               const char *dest, const char *path);

/*
 * s3dest_publish - an OMKT or REST media's finished outputs (@res, files
 * in @dir under @docroot) uploaded under its account's publish-to prefix
 * as PREFIX + @dir + "/" + file; nothing when the account has none.
 * Errors as s3dest_put.
 */
int s3dest_publish(struct omkt_jobctx *ctx, const struct omkt_media *m,
                   const char *docroot, const char *dir,
                   const struct omkt_transcode_result *res);

#endif

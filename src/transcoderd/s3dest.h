/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3dest - publishing an output to an s3:// destination (a media-nommer
 * job's dest_path): the object is complete (one PUT, or a multipart
 * upload completed) or absent (the multipart upload aborted), before the
 * job is marked done; a transient failure leaves the job to be retried.
 */
#ifndef OMKT_TRANSCODERD_S3DEST_H
#define OMKT_TRANSCODERD_S3DEST_H

#include "common/db_media.h"
#include "common/jobworker.h"

/* s3dest_init - read the S3 sections of the configuration file @path. */
int s3dest_init(const char *path, struct omkt_errbuf *eb);

/* s3dest_finish - release what s3dest_init read. */
void s3dest_finish(void);

/*
 * s3dest_put - upload the file @path as @dest (s3://..., maybe masked: the
 * secret is the one kept in @m's job options), telling a media-nommer
 * client UPLOADING first.  Errors in ctx->eb: OMKT_EPERM (403: not
 * retried), OMKT_ENOTFOUND (no such bucket), OMKT_ENET / OMKT_EHTTP
 * (retryable when transient), OMKT_ESHUTDOWN.
 */
int s3dest_put(struct omkt_jobctx *ctx, const struct omkt_media *m,
               const char *dest, const char *path);

#endif

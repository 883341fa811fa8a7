/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3job - S3 locations of a job (a media's source, a media-nommer job's
 * destination) and the secrets they carry: the one place that knows
 * where an embedded secret is kept between apid and the workers.
 *
 * DESIGN: media-nommer's clients send s3://KEY:SECRET@bucket/key.  What
 * is shown (media.url, job_options.dest_path, hence the API, the
 * dashboard, error texts and callbacks) is the masked URI
 * (s3://KEY:****@bucket/key); the secret itself is kept in the media's
 * job_options under "s3_secrets" {"source": ..., "dest": ...}, which no
 * view, log line or callback shows.  Workers put it back when they open
 * the location (omkt_s3job_open).
 */
#ifndef OMKT_COMMON_S3JOB_H
#define OMKT_COMMON_S3JOB_H

#include <jansson.h>

#include "err.h"
#include "httpc.h"
#include "jobworker.h"
#include "s3.h"
#include "s3cred.h"

#define OMKT_S3JOB_SOURCE "source"
#define OMKT_S3JOB_DEST   "dest"

/*
 * omkt_s3job_hide - @uri (s3://...) as it may be shown: *shown is new
 * (masked when it embeds a secret, whose text then goes into @opts'
 * "s3_secrets" under @which).  OMKT_EINVAL (reason in @eb, masked) when
 * @uri is not a usable s3:// URI.
 */
int omkt_s3job_hide(const char *uri, json_t *opts, const char *which,
                    char **shown, struct omkt_errbuf *eb);

/*
 * omkt_s3job_init - read the S3 sections of the configuration file @path
 * for this process (at start-up; read-only afterwards).  Errors as
 * omkt_s3_conf_load.  omkt_s3job_finish releases them.
 */
int omkt_s3job_init(const char *path, struct omkt_errbuf *eb);
void omkt_s3job_finish(void);

/* How a worker opens a location.  Strings borrowed. */
struct omkt_s3job_req {
    const char *uri;                    /* as shown (maybe masked) */
    const char *job_options;            /* the media's, or NULL */
    const char *which;                  /* OMKT_S3JOB_SOURCE or _DEST */
    const struct omkt_http_limits *lim; /* NULL: the library's */
    int64_t max_object_bytes;           /* download cap; 0: none */
    struct omkt_jobctx *ctx;            /* its stop flag stops transfers */
};

/*
 * omkt_s3job_open - parse rq->uri (its masked secret replaced by the kept
 * one), resolve credentials (s3cred order, the sections omkt_s3job_init
 * read: the profile [s3.account-ID] of the job's account when there is
 * one, its per-account default, else [s3]) and make a client that stops when
 * rq->ctx must stop.  On OMKT_OK *u and *s3 are new (omkt_s3_uri_clear,
 * omkt_s3_free).  Errors as omkt_s3_uri_parse, omkt_s3_resolve and omkt_s3_new;
 * none is retryable.
 */
int omkt_s3job_open(const struct omkt_s3job_req *rq, struct omkt_s3_uri *u,
                    struct omkt_s3 **s3, struct omkt_errbuf *eb);

#endif

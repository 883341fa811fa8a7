/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudmsg - the two SQS message bodies of the cloud tier, one codec for
 * both ends: the job a bridge sends to cloud workers and the result a
 * worker sends back (docs/cloud.md, "Messages").
 *
 * DESIGN: JSON objects with a version field "v" (1); unknown fields are
 * ignored, missing required ones are OMKT_EINVAL, so a worker and a
 * bridge of neighbouring versions interoperate.  A job names its source
 * and its outputs' prefix in S3 (the worker needs no database and no
 * document root), the settings by id, and the definitions of the
 * settings the worker's catalogue cannot know (a site's own, a
 * media-nommer job's).  The token is fresh for every send of a job: the
 * bridge accepts a result only with the token it recorded, so a message
 * delivered twice is published once.  Bodies stay under SQS's 256 KiB.
 */
#ifndef OMKT_COMMON_CLOUDMSG_H
#define OMKT_COMMON_CLOUDMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

#define OMKT_CLOUDMSG_VERSION   1
#define OMKT_CLOUDMSG_TOKEN_LEN 32 /* hex characters */
#define OMKT_CLOUDMSG_MAX_SETS  32
#define OMKT_CLOUDMSG_MAX_BYTES (256 * 1024) /* SQS's limit of a body */

/* A job for a cloud worker (strings and json owned: omkt_cloud_job_clear). */
struct omkt_cloud_job {
    int64_t job_id; /* the database job */
    char token[OMKT_CLOUDMSG_TOKEN_LEN + 1];
    int64_t media_id;
    char *source;     /* s3://bucket/key of the staged original */
    char *out_prefix; /* s3://bucket/prefix/ : outputs go under it */
    int settings[OMKT_CLOUDMSG_MAX_SETS];
    size_t nsettings;
    json_t *defs;  /* {"<id>": {setting definition}} or NULL: the
                      catalogue's (omkt_setting_from_json's format) */
    bool is_batch; /* decode once for all settings ([transcoderd] batch) */
};

/* One setting's outcome in a result. */
struct omkt_cloud_output {
    int setting_id;
    int status;    /* OMKT_OK or the setting's own error code */
    char *message; /* why it failed; NULL when ok */
    char **files;  /* s3://... of each file, in the engine's order */
    char **names;  /* the engine's file names (relative), same order */
    size_t n_files;
    json_t *metadata; /* the engine's output metadata, or NULL */
};

/* A worker's answer (owned: omkt_cloud_result_clear). */
struct omkt_cloud_result {
    int64_t job_id;
    char token[OMKT_CLOUDMSG_TOKEN_LEN + 1];
    int receive_count; /* ApproximateReceiveCount of the job message */
    char *worker;      /* instance id or host, for logs */
    int code;          /* whole job: OMKT_OK, or why it failed */
    char *error;       /* NULL when code == OMKT_OK */
    bool retryable;    /* a failed job may be retried */
    bool is_dead;      /* over max_receive_count: not tried, give up */
    struct omkt_cloud_output *outputs;
    size_t noutputs;
};

/* omkt_cloudmsg_token - a fresh random token (hex) into @out. */
int omkt_cloudmsg_token(char out[OMKT_CLOUDMSG_TOKEN_LEN + 1],
                        struct omkt_errbuf *eb);

/* The job message: encode (new string; NULL on ENOMEM, with no or over
 * OMKT_CLOUDMSG_MAX_SETS settings, or over OMKT_CLOUDMSG_MAX_BYTES),
 * decode (@len bytes of untrusted text; OMKT_EINVAL with the reason when
 * malformed, a required field is missing or the body is over
 * OMKT_CLOUDMSG_MAX_BYTES; *j is zeroed then, and filled only on OMKT_OK).
 * Required: v, job_id > 0, token (32 lower-case hex digits), media_id >=
 * 0, source and out_prefix (s3://bucket/...), settings (1 to 32 ids > 0);
 * optional: defs (an object of at most 32 objects, each keyed by the
 * decimal id of one of the job's settings; both ends keep only a
 * definition's setting fields, omkt_cloudmsg_def_new), batch (false).
 * Encoding defs that break these rules gives NULL. */
/* omkt_cloudmsg_def_new - @obj's setting fields (those of a site setting,
 * docs/media.md; "id", a job's dest_path and secrets dropped) as a new
 * object, or NULL when @obj is not an object. */
json_t *omkt_cloudmsg_def_new(const json_t *obj);

char *omkt_cloud_job_encode(const struct omkt_cloud_job *j);
int omkt_cloud_job_decode(const char *body, size_t len,
                          struct omkt_cloud_job *j, struct omkt_errbuf *eb);
void omkt_cloud_job_clear(struct omkt_cloud_job *j);

/* The result message: the same. */
char *omkt_cloud_result_encode(const struct omkt_cloud_result *r);
int omkt_cloud_result_decode(const char *body, size_t len,
                             struct omkt_cloud_result *r,
                             struct omkt_errbuf *eb);
void omkt_cloud_result_clear(struct omkt_cloud_result *r);

#endif

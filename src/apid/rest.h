/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rest - the resources of the REST API, shared by h_rest.c (routing,
 * authentication, rate limit) and rest_media.c (the handlers), and the
 * submission path that media-nommer reuses.
 */
#ifndef OMKT_APID_REST_H
#define OMKT_APID_REST_H

#include <stdint.h>

#include "apid/apid.h"

/* One authenticated REST call. */
struct rest {
    struct apid_req *r;
    struct omkt_account acc;
};

enum MHD_Result rest_settings(struct rest *x);
enum MHD_Result rest_submit(struct rest *x);
enum MHD_Result rest_list(struct rest *x);
enum MHD_Result rest_get(struct rest *x, int64_t id);
enum MHD_Result rest_cancel(struct rest *x, int64_t id);
enum MHD_Result rest_retry(struct rest *x, int64_t id);
enum MHD_Result rest_file(struct rest *x, int64_t id, int64_t setting);

/* A submission (REST or media-nommer).  Strings are borrowed. */
struct rest_submission {
    const char *url;        /* http(s) source, or NULL with local_path */
    const char *local_path; /* relative to the docroot: already local */
    const char *settings;   /* "11,15" or NULL */
    const char *notify_url;
    const char *idempotency_key;
    const char *job_options; /* media-nommer mapping (JSON) or NULL */
    const char *external_id; /* REST: the CMS's reference, or NULL */
    int priority;
};

/*
 * rest_create - the media row and its first job (download, or metadata
 * for a local file) in one transaction.  *id is the media; *is_replay
 * when the idempotency key was already used (nothing created).
 */
int rest_create(struct omkt_db *db, int64_t account_id,
                const struct rest_submission *s, int64_t *id, bool *is_replay,
                struct omkt_errbuf *eb);

/* rest_media_json - the full media object of @id (owned by @account_id),
 * or NULL with *rc OMKT_ENOTFOUND / OMKT_EDB.  New reference. */
json_t *rest_media_json(struct apid_req *r, int64_t account_id, int64_t id,
                        int *rc);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_media - originals sent by CMSs (owns `media`).  A media belongs to one
 * account and is known to it by the CMS's own id (remote_id).  Its life:
 * remote -> local -> metadata_ok | metadata_failed -> expired, or
 * remote -> download_failed.  Paths are relative to the document root.
 * Media submitted through REST or media-nommer also carry the columns of
 * migration 0002 (want_settings, notify_url, idempotency_key, priority).
 */
#ifndef OMKT_COMMON_DB_MEDIA_H
#define OMKT_COMMON_DB_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct omkt_media {
    int64_t id;
    int64_t account_id;
    int64_t remote_id;
    char *url;
    char *adapter;
    bool do_metadata;
    char *state; /* remote, local, metadata_ok, metadata_failed, ... */
    char *path;  /* NULL until local */
    int64_t file_size;
    char *metadata; /* JSON text or NULL */
    char *error;
    char *created;
    char *want_settings; /* "11,15,101": transcodes to ask once probed */
    char *notify_url;    /* REST / media-nommer completion URL */
    int priority;
    char *job_options; /* media-nommer: the job's own setting (JSON) */
    char *external_id; /* REST: the CMS's own reference, or NULL */
};

/*
 * omkt_media_is_omkt - @m came through the OMKT protocol (app_new_media):
 * its remote_id is the CMS's media id (> 0).  REST and media-nommer media
 * have remote_id = -id.  Only OMKT media get the reference's OMKT
 * behaviour (app_key on the download URL, transcoder_send_* callbacks).
 */
static inline bool omkt_media_is_omkt(const struct omkt_media *m)
{
    return m->remote_id > 0;
}

struct omkt_media_new {
    int64_t account_id;
    int64_t remote_id;
    const char *url;
    const char *adapter;
    bool do_metadata;
    const char *local_path; /* non-NULL: already local (no download) */
};

/* omkt_media_add - OMKT_EEXIST when the account already has remote_id. */
int omkt_media_add(struct omkt_db *db, const struct omkt_media_new *mn,
                   int64_t *id, struct omkt_errbuf *eb);

/* A media submitted through REST or media-nommer.  Strings borrowed. */
struct omkt_media_submit {
    int64_t account_id;
    const char *url;
    const char *adapter;         /* "http" or "local" */
    const char *local_path;      /* non-NULL: already local (relative) */
    const char *want_settings;   /* "11,15" or NULL */
    const char *notify_url;      /* or NULL */
    const char *idempotency_key; /* or NULL */
    const char *job_options;     /* media-nommer mapping (JSON) or NULL */
    const char *external_id;     /* REST: the CMS's reference, or NULL */
    int priority;
};

/*
 * omkt_media_submit - insert the media row (remote_id = -id).  OMKT_EEXIST
 * when the account already used the idempotency key (*id is then the
 * existing media).  Call inside a transaction with the job enqueue.
 */
int omkt_media_submit(struct omkt_db *db, const struct omkt_media_submit *s,
                      int64_t *id, struct omkt_errbuf *eb);

/* omkt_media_by_key - the media of an idempotency key, ENOTFOUND. */
int omkt_media_by_key(struct omkt_db *db, int64_t account_id, const char *key,
                      int64_t *id, struct omkt_errbuf *eb);

/* omkt_media_get / find - OMKT_ENOTFOUND when absent.  *out is new
 * (omkt_media_clear).  find is scoped to the account. */
int omkt_media_get(struct omkt_db *db, int64_t id, struct omkt_media *out,
                   struct omkt_errbuf *eb);
int omkt_media_find(struct omkt_db *db, int64_t account_id, int64_t remote_id,
                    struct omkt_media *out, struct omkt_errbuf *eb);

/* omkt_media_set_local - remote -> local with the original's path/size. */
int omkt_media_set_local(struct omkt_db *db, int64_t id, const char *path,
                         int64_t file_size, struct omkt_errbuf *eb);

/* omkt_media_set_metadata - local -> metadata_ok (@json) or
 * metadata_failed (@error). */
int omkt_media_set_metadata(struct omkt_db *db, int64_t id, const char *json,
                            const char *error, struct omkt_errbuf *eb);

/* omkt_media_set_download_failed - remote -> download_failed. */
int omkt_media_set_download_failed(struct omkt_db *db, int64_t id,
                                   const char *error, struct omkt_errbuf *eb);

/*
 * omkt_media_list_old - up to @limit media created over @age_s ago and
 * not yet expired: columns id, account_id.  *res is new.
 */
int omkt_media_list_old(struct omkt_db *db, int64_t age_s, int64_t limit,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_media_expire - any state -> expired (files already removed). */
int omkt_media_expire(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

/*
 * omkt_media_reopen - a failed step is to be run again: download_failed ->
 * remote, metadata_failed -> local.  Other states are left alone.
 */
int omkt_media_reopen(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

/*
 * omkt_media_lock - lock media @id's row (SELECT ... FOR UPDATE) until the
 * transaction ends: whoever decides that a media has ended (its last
 * setting done, failed or cancelled) holds it, so two deciders take turns
 * and the second sees what the first committed (READ COMMITTED).  Lock
 * order: the job's row first, then the media, then its transcodes.
 * OMKT_ENOTFOUND when absent.
 */
int omkt_media_lock(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

/*
 * omkt_media_set_final - record @event as the media-level event of the
 * media's current round of work, only if none is recorded: OMKT_OK when
 * this call set it (queue the event), OMKT_EEXIST when one already was.
 */
int omkt_media_set_final(struct omkt_db *db, int64_t id, const char *event,
                         struct omkt_errbuf *eb);

/* omkt_media_clear_final - a new round of work (a retry): the next end of
 * the media gets its own media-level event. */
int omkt_media_clear_final(struct omkt_db *db, int64_t id,
                           struct omkt_errbuf *eb);

/*
 * omkt_media_view - one media of @account_id for the REST API: id,
 * state, url, created, error, metadata, want_settings, notify_url,
 * idempotency_key, priority, external_id.  *res is new (no row: not the
 * account's).
 */
int omkt_media_view(struct omkt_db *db, int64_t account_id, int64_t id,
                    struct omkt_dbres **res, struct omkt_errbuf *eb);

/*
 * omkt_media_children - the media's transcodes then jobs (notify jobs
 * excepted) in one result: kind ('t' or 'j'), then for 't': setting_id,
 * state, progress, cardinality, error; for 'j': id, task, state,
 * progress, error, parent_id (a segment's split transcode job, or NULL).
 * *res is new.
 *
 * XXX: reads `transcodes` and `jobs`, not `media`: one UNION keeps both
 * lists in one snapshot for the REST view of a media, so it lives with the
 * media it describes rather than split between db_transcodes and db_jobs.
 */
int omkt_media_children(struct omkt_db *db, int64_t id, struct omkt_dbres **res,
                        struct omkt_errbuf *eb);

/* Filters of omkt_media_list.  NULL/0: any. */
struct omkt_media_filter {
    int64_t account_id; /* required */
    const char *state;
    int64_t after_id; /* paging: ids below this (newest first); 0: start */
    int64_t limit;
};

/*
 * omkt_media_list - newest first: id, remote_id, state, url, created,
 * error, want_settings, priority.  *res is new.
 */
int omkt_media_list(struct omkt_db *db, const struct omkt_media_filter *f,
                    struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_export_dir - "export/ACCOUNT", where an account's media-nommer
 * jobs may publish (dest_path): never inside another account's files. */
int omkt_export_dir(char *buf, size_t size, int64_t account_id);

/* omkt_media_dir - "media/ACCOUNT/MEDIA", the media's directory. */
int omkt_media_dir(char *buf, size_t size, int64_t account_id,
                   int64_t media_id);

void omkt_media_clear(struct omkt_media *m);

#endif

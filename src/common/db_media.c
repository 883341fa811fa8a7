/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_media - rows of `media` and the media directory layout (see db_media.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_media.h"
#include "text.h"

int omkt_media_add(struct omkt_db *db, const struct omkt_media_new *mn,
                   int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO media (account_id, remote_id, url, adapter, do_metadata,"
        " state, path) VALUES (?, ?, ?, ?, ?, IF(? IS NULL, 'remote',"
        " 'local'), ?)";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(mn->account_id),
        OMKT_DBV_I(mn->remote_id),
        OMKT_DBV_S(mn->url),
        OMKT_DBV_S(mn->adapter),
        OMKT_DBV_I(mn->do_metadata ? 1 : 0),
        OMKT_DBV_S(mn->local_path),
        OMKT_DBV_S(mn->local_path),
    };
    int ret = omkt_db_insert(db, sql, v, OMKT_ARRAY_LEN(v), id, eb);

    if (ret == OMKT_EEXIST)
        omkt_errf(eb, "media %" PRId64 " already exists for this account",
                  mn->remote_id);
    return ret;
}

#define MEDIA_COLS                                                             \
    "SELECT id, account_id, remote_id, url, adapter, do_metadata, state,"      \
    " path, IFNULL(file_size, 0), metadata, error, created, want_settings,"    \
    " notify_url, priority, job_options, external_id FROM media "

/* fetch - run a media SELECT with @n values into @out. */
static int fetch(struct omkt_db *db, const char *sql, const struct omkt_dbv *v,
                 size_t n, struct omkt_media *out, struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, n, &r, eb);

    memset(out, 0, sizeof(*out));
    if (ret == OMKT_OK) {
        out->id = omkt_dbres_i64(r, 0, 0, 0);
        out->account_id = omkt_dbres_i64(r, 0, 1, 0);
        out->remote_id = omkt_dbres_i64(r, 0, 2, 0);
        out->url = omkt_dbres_dup(r, 0, 3);
        out->adapter = omkt_dbres_dup(r, 0, 4);
        out->do_metadata = omkt_dbres_i64(r, 0, 5, 1) != 0;
        out->state = omkt_dbres_dup(r, 0, 6);
        out->path = omkt_dbres_dup(r, 0, 7);
        out->file_size = omkt_dbres_i64(r, 0, 8, 0);
        out->metadata = omkt_dbres_dup(r, 0, 9);
        out->error = omkt_dbres_dup(r, 0, 10);
        out->created = omkt_dbres_dup(r, 0, 11);
        out->want_settings = omkt_dbres_dup(r, 0, 12);
        out->notify_url = omkt_dbres_dup(r, 0, 13);
        out->priority = (int)omkt_dbres_i64(r, 0, 14, 0);
        out->job_options = omkt_dbres_dup(r, 0, 15);
        out->external_id = omkt_dbres_dup(r, 0, 16);
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_media_get(struct omkt_db *db, int64_t id, struct omkt_media *out,
                   struct omkt_errbuf *eb)
{
    static const char sql[] = MEDIA_COLS "WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return fetch(db, sql, v, 1, out, eb);
}

int omkt_media_find(struct omkt_db *db, int64_t account_id, int64_t remote_id,
                    struct omkt_media *out, struct omkt_errbuf *eb)
{
    static const char sql[] =
        MEDIA_COLS "WHERE account_id = ? AND remote_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(account_id), OMKT_DBV_I(remote_id)};

    return fetch(db, sql, v, 2, out, eb);
}

int omkt_media_set_local(struct omkt_db *db, int64_t id, const char *path,
                         int64_t file_size, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET state = 'local', path = ?, file_size = ?,"
        " error = NULL WHERE id = ? AND state = 'remote'";
    struct omkt_dbv v[] = {OMKT_DBV_S(path), OMKT_DBV_I(file_size),
                           OMKT_DBV_I(id)};

    return omkt_db_exec_guarded(db, sql, v, 3, "media", id, eb);
}

int omkt_media_set_metadata(struct omkt_db *db, int64_t id, const char *json,
                            const char *error, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET state = IF(? IS NULL, 'metadata_failed',"
        " 'metadata_ok'), metadata = ?, error = LEFT(?, 1024)"
        " WHERE id = ? AND state IN ('local', 'metadata_ok',"
        " 'metadata_failed')";
    char *text = error ? omkt_text_dup(error, OMKT_DB_ERROR_MAX) : NULL;
    struct omkt_dbv v[] = {OMKT_DBV_S(json), OMKT_DBV_S(json), OMKT_DBV_S(text),
                           OMKT_DBV_I(id)};
    int ret = omkt_db_exec_guarded(db, sql, v, 4, "media", id, eb);

    free(text);
    return ret;
}

int omkt_media_set_download_failed(struct omkt_db *db, int64_t id,
                                   const char *error, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET state = 'download_failed', error = LEFT(?, 1024)"
        " WHERE id = ? AND state = 'remote'";
    char *text = omkt_text_dup(error ? error : "", OMKT_DB_ERROR_MAX);
    struct omkt_dbv v[] = {OMKT_DBV_S(text), OMKT_DBV_I(id)};
    int ret = omkt_db_exec_guarded(db, sql, v, 2, "media", id, eb);

    free(text);
    return ret;
}

int omkt_media_list_old(struct omkt_db *db, int64_t age_s, int64_t limit,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, account_id FROM media WHERE state <> 'expired'"
        " AND created < NOW() - INTERVAL ? SECOND ORDER BY created LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(age_s), OMKT_DBV_I(limit)};

    return omkt_db_query(db, sql, v, 2, res, eb);
}

int omkt_media_expire(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET state = 'expired', path = NULL WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_media_reopen(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET state = IF(state = 'download_failed', 'remote',"
        " 'local'), error = NULL WHERE id = ?"
        " AND state IN ('download_failed', 'metadata_failed')";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_media_by_key(struct omkt_db *db, int64_t account_id, const char *key,
                      int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id FROM media WHERE account_id = ?"
                              " AND idempotency_key = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(account_id), OMKT_DBV_S(key)};
    struct omkt_dbres *res = NULL;
    int ret = omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), &res, eb);

    *id = 0;
    if (ret == OMKT_OK && res->nrows == 0)
        ret = OMKT_ENOTFOUND;
    if (ret == OMKT_OK)
        *id = omkt_dbres_i64(res, 0, 0, 0);
    omkt_dbres_free(res);
    return ret;
}

/* media_insert - the row, with a placeholder remote_id. */
static int media_insert(struct omkt_db *db, const struct omkt_media_submit *s,
                        uint64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO media (account_id, remote_id, url, adapter, state, path,"
        " want_settings, notify_url, idempotency_key, priority, job_options,"
        " external_id) VALUES"
        " (?, -CAST(UUID_SHORT() DIV 2 AS SIGNED), ?, ?,"
        " IF(? IS NULL, 'remote', 'local'),"
        " ?, ?, ?, ?, ?, ?, ?)";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(s->account_id),  OMKT_DBV_S(s->url),
        OMKT_DBV_S(s->adapter),     OMKT_DBV_S(s->local_path),
        OMKT_DBV_S(s->local_path),  OMKT_DBV_S(s->want_settings),
        OMKT_DBV_S(s->notify_url),  OMKT_DBV_S(s->idempotency_key),
        OMKT_DBV_I(s->priority),    OMKT_DBV_S(s->job_options),
        OMKT_DBV_S(s->external_id),
    };

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, id, eb);
}

int omkt_media_submit(struct omkt_db *db, const struct omkt_media_submit *s,
                      int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE media SET remote_id = -id WHERE id = ?";
    struct omkt_errbuf local = {0};
    uint64_t new_id = 0;
    struct omkt_dbv v[1];
    int ret = media_insert(db, s, &new_id, &local);

    *id = 0;
    if (ret == OMKT_EDB && omkt_db_is_duplicate(db) &&
        s->idempotency_key != NULL) {
        ret = omkt_media_by_key(db, s->account_id, s->idempotency_key, id, eb);
        return ret == OMKT_OK ? OMKT_EEXIST : ret;
    }
    if (ret != OMKT_OK) {
        omkt_errf(eb, "%s", local.msg);
        return ret;
    }
    v[0] = OMKT_DBV_I((int64_t)new_id);
    ret = omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
    if (ret == OMKT_OK)
        *id = (int64_t)new_id;
    return ret;
}

int omkt_media_view(struct omkt_db *db, int64_t account_id, int64_t id,
                    struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, state, url, created, error, metadata, want_settings,"
        " notify_url, idempotency_key, priority, external_id FROM media"
        " WHERE id = ?"
        " AND account_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id), OMKT_DBV_I(account_id)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_media_children(struct omkt_db *db, int64_t id, struct omkt_dbres **res,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT 't', setting_id, state, '', progress, cardinality, error,"
        " NULL FROM transcodes WHERE media_id = ? UNION ALL SELECT 'j', id,"
        " task, state, progress, 0, error, parent_id FROM jobs WHERE"
        " media_id = ? AND task <> 'notify' ORDER BY 1 DESC, 2";
    struct omkt_dbv v[] = {OMKT_DBV_I(id), OMKT_DBV_I(id)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_media_list(struct omkt_db *db, const struct omkt_media_filter *f,
                    struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, remote_id, state, url, created, error, want_settings,"
        " priority FROM media WHERE account_id = ? AND (? IS NULL OR"
        " state = ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    struct omkt_dbv v[] = {
        OMKT_DBV_I(f->account_id), OMKT_DBV_S(f->state),
        OMKT_DBV_S(f->state),      OMKT_DBV_I(f->after_id),
        OMKT_DBV_I(f->after_id),   OMKT_DBV_I(f->limit > 0 ? f->limit : 50),
    };

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_media_lock(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id FROM media WHERE id = ? FOR UPDATE";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 1, &r, eb);

    omkt_dbres_free(r);
    return ret;
}

int omkt_media_set_final(struct omkt_db *db, int64_t id, const char *event,
                         struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE media SET final_event = ?"
                              " WHERE id = ? AND final_event IS NULL";
    struct omkt_dbv v[] = {OMKT_DBV_S(event), OMKT_DBV_I(id)};
    uint64_t n = 0;
    int ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), &n, NULL, eb);

    return ret == OMKT_OK && n != 1 ? OMKT_EEXIST : ret;
}

int omkt_media_clear_final(struct omkt_db *db, int64_t id,
                           struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE media SET final_event = NULL WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_export_dir(char *buf, size_t size, int64_t account_id)
{
    int n = snprintf(buf, size, "export/%" PRId64, account_id);

    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

int omkt_media_dir(char *buf, size_t size, int64_t account_id, int64_t media_id)
{
    int n =
        snprintf(buf, size, "media/%" PRId64 "/%" PRId64, account_id, media_id);

    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

void omkt_media_clear(struct omkt_media *m)
{
    if (m == NULL)
        return;
    free(m->url);
    free(m->adapter);
    free(m->state);
    free(m->path);
    free(m->metadata);
    free(m->error);
    free(m->created);
    free(m->want_settings);
    free(m->notify_url);
    free(m->job_options);
    free(m->external_id);
    memset(m, 0, sizeof(*m));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_transcodes - rows of `transcodes`. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_transcodes.h"
#include "text.h"

int omkt_transcode_add(struct omkt_db *db, int64_t media_id, int setting_id,
                       int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO transcodes (media_id, setting_id) VALUES (?, ?)";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id), OMKT_DBV_I(setting_id)};

    return omkt_db_insert(db, sql, v, 2, id, eb);
}

#define TRANSCODE_COLS                                                         \
    "SELECT id, media_id, setting_id, state, progress, cardinality, path,"     \
    " metadata, error FROM transcodes "

static int fetch(struct omkt_db *db, const char *sql, const struct omkt_dbv *v,
                 size_t n, struct omkt_transcode *out, struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, n, &r, eb);

    memset(out, 0, sizeof(*out));
    if (ret == OMKT_OK) {
        out->id = omkt_dbres_i64(r, 0, 0, 0);
        out->media_id = omkt_dbres_i64(r, 0, 1, 0);
        out->setting_id = (int)omkt_dbres_i64(r, 0, 2, 0);
        out->state = omkt_dbres_dup(r, 0, 3);
        out->progress = (int)omkt_dbres_i64(r, 0, 4, 0);
        out->cardinality = (int)omkt_dbres_i64(r, 0, 5, 0);
        out->path = omkt_dbres_dup(r, 0, 6);
        out->metadata = omkt_dbres_dup(r, 0, 7);
        out->error = omkt_dbres_dup(r, 0, 8);
    }
    omkt_dbres_free(r);
    return ret;
}

int omkt_transcode_get(struct omkt_db *db, int64_t id,
                       struct omkt_transcode *out, struct omkt_errbuf *eb)
{
    static const char sql[] = TRANSCODE_COLS "WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return fetch(db, sql, v, 1, out, eb);
}

int omkt_transcode_find(struct omkt_db *db, int64_t media_id, int setting_id,
                        struct omkt_transcode *out, struct omkt_errbuf *eb)
{
    static const char sql[] =
        TRANSCODE_COLS "WHERE media_id = ? AND setting_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id), OMKT_DBV_I(setting_id)};

    return fetch(db, sql, v, 2, out, eb);
}

int omkt_transcode_list(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, setting_id, state, progress, cardinality, path, error,"
        " updated FROM transcodes WHERE media_id = ? ORDER BY setting_id";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id)};

    return omkt_db_query(db, sql, v, 1, res, eb);
}

int omkt_transcode_start(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE transcodes SET progress = IF(state = 'running', progress, 0),"
        " state = 'running' WHERE id = ? AND state IN ('asked', 'running')";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec_guarded(db, sql, v, 1, "transcode", id, eb);
}

int omkt_transcode_progress(struct omkt_db *db, int64_t id, int percent,
                            struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE transcodes SET progress = ?"
                              " WHERE id = ? AND state = 'running'";
    struct omkt_dbv v[] = {OMKT_DBV_I(percent), OMKT_DBV_I(id)};

    return omkt_db_exec_guarded(db, sql, v, 2, "transcode", id, eb);
}

int omkt_transcode_done(struct omkt_db *db, int64_t id, const char *path,
                        int cardinality, const char *metadata,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE transcodes SET state = 'processed', progress = 100,"
        " path = ?, cardinality = ?, metadata = ?, error = NULL"
        " WHERE id = ? AND state = 'running'";
    struct omkt_dbv v[] = {OMKT_DBV_S(path), OMKT_DBV_I(cardinality),
                           OMKT_DBV_S(metadata), OMKT_DBV_I(id)};

    return omkt_db_exec_guarded(db, sql, v, 4, "transcode", id, eb);
}

int omkt_transcode_failed(struct omkt_db *db, int64_t id, const char *error,
                          struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE transcodes SET state = 'error', error = LEFT(?, 1024)"
        " WHERE id = ? AND state IN ('asked', 'running')";
    char *text = omkt_text_dup(error ? error : "", OMKT_DB_ERROR_MAX);
    struct omkt_dbv v[] = {OMKT_DBV_S(text), OMKT_DBV_I(id)};
    int ret = omkt_db_exec_guarded(db, sql, v, 2, "transcode", id, eb);

    free(text);
    return ret;
}

int omkt_transcode_expire_media(struct omkt_db *db, int64_t media_id,
                                struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE transcodes SET state = IF(state = 'processed', 'expired',"
        " IF(state IN ('asked', 'running'), 'cancelled', state)),"
        " path = NULL WHERE media_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id)};

    return omkt_db_exec(db, sql, v, 1, NULL, NULL, eb);
}

int omkt_transcode_set_open(struct omkt_db *db, int64_t id, bool is_open,
                            struct omkt_errbuf *eb)
{
    static const char reopen[] =
        "UPDATE transcodes SET state = 'asked', error = NULL, progress = 0"
        " WHERE id = ? AND state IN ('error', 'cancelled')";
    static const char cancel[] =
        "UPDATE transcodes SET state = 'cancelled'"
        " WHERE id = ? AND state IN ('asked', 'running')";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, is_open ? reopen : cancel, v, 1, NULL, NULL, eb);
}

void omkt_transcode_clear(struct omkt_transcode *t)
{
    if (t == NULL)
        return;
    free(t->state);
    free(t->path);
    free(t->metadata);
    free(t->error);
    memset(t, 0, sizeof(*t));
}

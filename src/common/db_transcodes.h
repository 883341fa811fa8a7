/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_transcodes - outputs asked for a media (owns `transcodes`), one row per
 * (media, setting).  Life: asked -> running -> processed | error, or
 * cancelled; processed -> expired when purged.
 */
#ifndef OMKT_COMMON_DB_TRANSCODES_H
#define OMKT_COMMON_DB_TRANSCODES_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct omkt_transcode {
    int64_t id;
    int64_t media_id;
    int setting_id;
    char *state;
    int progress;
    int cardinality;
    char *path; /* relative; a directory when cardinality > 1 */
    char *metadata;
    char *error;
};

/* omkt_transcode_add - OMKT_EEXIST when the media already has it. */
int omkt_transcode_add(struct omkt_db *db, int64_t media_id, int setting_id,
                       int64_t *id, struct omkt_errbuf *eb);

/* omkt_transcode_get - OMKT_ENOTFOUND when absent; *out is new. */
int omkt_transcode_get(struct omkt_db *db, int64_t id,
                       struct omkt_transcode *out, struct omkt_errbuf *eb);

/* omkt_transcode_find - by media and setting. */
int omkt_transcode_find(struct omkt_db *db, int64_t media_id, int setting_id,
                        struct omkt_transcode *out, struct omkt_errbuf *eb);

/* omkt_transcode_list - id, setting_id, state, progress, cardinality,
 * path, error, updated for a media, by setting.  *res is new. */
int omkt_transcode_list(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_transcode_start - asked|running -> running: progress 0 when it
 * was asked, kept when running (a split job claimed to join). */
int omkt_transcode_start(struct omkt_db *db, int64_t id,
                         struct omkt_errbuf *eb);

/* omkt_transcode_progress - running: 0-100. */
int omkt_transcode_progress(struct omkt_db *db, int64_t id, int percent,
                            struct omkt_errbuf *eb);

/* omkt_transcode_done - running -> processed. */
int omkt_transcode_done(struct omkt_db *db, int64_t id, const char *path,
                        int cardinality, const char *metadata,
                        struct omkt_errbuf *eb);

/* omkt_transcode_failed - asked|running -> error. */
int omkt_transcode_failed(struct omkt_db *db, int64_t id, const char *error,
                          struct omkt_errbuf *eb);

/* omkt_transcode_expire_media - every transcode of a purged media. */
int omkt_transcode_expire_media(struct omkt_db *db, int64_t media_id,
                                struct omkt_errbuf *eb);

/*
 * omkt_transcode_set_open - reopen (@is_open: error|cancelled -> asked)
 * or cancel (asked|running -> cancelled) transcode @id; a row in another
 * state is left alone.
 */
int omkt_transcode_set_open(struct omkt_db *db, int64_t id, bool is_open,
                            struct omkt_errbuf *eb);

void omkt_transcode_clear(struct omkt_transcode *t);

#endif

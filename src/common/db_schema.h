/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_schema - schema versions and migrations (owns `schema_migrations`).
 * The programs speak exactly one version: the highest compiled-in
 * migration.  Daemons refuse to start against any other.
 */
#ifndef OMKT_COMMON_DB_SCHEMA_H
#define OMKT_COMMON_DB_SCHEMA_H

#include <stdbool.h>

#include "db.h"

/* omkt_schema_latest - the version these programs need. */
unsigned omkt_schema_latest(void);

/* omkt_schema_version - the database's version (0: not initialised). */
int omkt_schema_version(struct omkt_db *db, unsigned *version,
                        struct omkt_errbuf *eb);

/*
 * omkt_schema_check - OMKT_OK when the database is at omkt_schema_latest(),
 * OMKT_ESCHEMA with advice in @eb otherwise.  Also checks the server is
 * MariaDB >= 10.6 or MySQL >= 8.0 (SKIP LOCKED).
 */
int omkt_schema_check(struct omkt_db *db, struct omkt_errbuf *eb);

/* Called before each pending migration (@done of @total ran so far) and
 * once at the end (@done == @total, @name NULL). */
typedef void omkt_schema_step_fn(void *ctx, unsigned done, unsigned total,
                                 const char *name);

struct omkt_schema_progress {
    omkt_schema_step_fn *fn;
    void *ctx;
};

/*
 * omkt_schema_migrate - apply every migration above the current version,
 * in order, recording each; @progress (may be NULL) hears of each step.
 * With @is_init, refuse (OMKT_EEXIST) a database that already has a
 * schema.  A current schema is left alone without any DDL statement (a
 * DML-only account may run it: *applied is 0).  A migration the account
 * lacks the rights for fails with OMKT_EPERM and advice in @eb.
 * *applied counts what ran.
 */
int omkt_schema_migrate(struct omkt_db *db, bool is_init,
                        const struct omkt_schema_progress *progress,
                        unsigned *applied, struct omkt_errbuf *eb);

#endif

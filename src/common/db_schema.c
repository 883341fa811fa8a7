/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_schema - apply the compiled-in migrations and check versions.
 *
 * DESIGN: migrations are forward-only SQL scripts (sql/migrations/), built
 * into the programs by tools/embed-sql.sh, so `omktctl db upgrade` needs no
 * installed files.  Each is recorded in schema_migrations after it ran.
 */
#include <string.h>

#include "db_schema.h"
#include "log.h"
#include "migrations.h"

/* Must match the table in sql/schema.sql (a test compares them). */
static const char create_migrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version       INT UNSIGNED NOT NULL,\n"
    "  name          VARCHAR(128) NOT NULL,\n"
    "  applied       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
    "  PRIMARY KEY (version)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

unsigned omkt_schema_latest(void)
{
    unsigned v = 0;

    for (unsigned i = 0; i < omkt_migrations_count; i++)
        if (omkt_migrations[i].version > v)
            v = omkt_migrations[i].version;
    return v;
}

/* has_table - does @name exist in the current database? */
static int has_table(struct omkt_db *db, const char *name, bool *out,
                     struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM information_schema.tables"
        " WHERE table_schema = DATABASE() AND table_name = ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(name)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *out = ret == OMKT_OK && omkt_dbres_i64(r, 0, 0, 0) > 0;
    omkt_dbres_free(r);
    return ret;
}

int omkt_schema_version(struct omkt_db *db, unsigned *version,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT IFNULL(MAX(version), 0) FROM schema_migrations";
    struct omkt_dbres *r = NULL;
    bool exists = false;
    int ret = has_table(db, "schema_migrations", &exists, eb);

    *version = 0;
    if (ret != OMKT_OK || !exists)
        return ret;
    ret = omkt_db_query(db, sql, NULL, 0, &r, eb);
    if (ret == OMKT_OK)
        *version = (unsigned)omkt_dbres_i64(r, 0, 0, 0);
    omkt_dbres_free(r);
    return ret;
}

/* check_server - SKIP LOCKED needs MariaDB 10.6+ or MySQL 8.0+. */
static int check_server(struct omkt_db *db, struct omkt_errbuf *eb)
{
    unsigned long v = omkt_db_server_version(db);
    unsigned long need = omkt_db_is_mariadb(db) ? 100600 : 80000;

    if (v >= need)
        return OMKT_OK;
    omkt_errf(eb,
              "database server %lu.%lu.%lu is too old: omkt needs MariaDB "
              ">= 10.6 or MySQL >= 8.0 (SELECT ... FOR UPDATE SKIP LOCKED)",
              v / 10000, v / 100 % 100, v % 100);
    return OMKT_ESCHEMA;
}

int omkt_schema_check(struct omkt_db *db, struct omkt_errbuf *eb)
{
    unsigned have = 0;
    unsigned want = omkt_schema_latest();
    int ret = check_server(db, eb);

    if (ret == OMKT_OK)
        ret = omkt_schema_version(db, &have, eb);
    if (ret != OMKT_OK || have == want)
        return ret;
    if (have == 0)
        omkt_errf(eb, "database has no omkt schema: run `omktctl db init`");
    else if (have < want)
        omkt_errf(eb,
                  "database schema is version %u, these programs need %u: "
                  "run `omktctl db upgrade`",
                  have, want);
    else
        omkt_errf(eb,
                  "database schema is version %u, newer than the %u these "
                  "programs know: upgrade the programs on this host",
                  have, want);
    return OMKT_ESCHEMA;
}

/* denied - word a missing privilege: schema changes are the DDL
 * account's (the DML account the daemons use cannot make them). */
static int denied(const char *what, struct omkt_errbuf *eb)
{
    omkt_errbuf_clear(eb);
    omkt_errf(eb,
              "%s not applied: this database account may not change the "
              "schema (that needs CREATE, ALTER and INDEX rights: the DML "
              "account the daemons use has none): run `omktctl -c FILE db "
              "upgrade` with a FILE whose [db] user is the DDL account",
              what);
    return OMKT_EPERM;
}

/* apply_one - run migration @m and record it. */
static int apply_one(struct omkt_db *db, const struct omkt_migration *m,
                     struct omkt_errbuf *eb)
{
    static const char record[] =
        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)";
    struct omkt_dbv v[] = {OMKT_DBV_I(m->version), OMKT_DBV_S(m->name)};
    int ret = omkt_db_script(db, m->sql, eb);

    if (ret == OMKT_OK)
        ret = omkt_db_exec(db, record, v, 2, NULL, NULL, eb);
    if (ret == OMKT_OK)
        omkt_log(OMKT_LOG_NOTICE, "schema: applied %s", m->name);
    else if (omkt_db_is_denied(db))
        ret = denied(m->name, eb);
    return ret;
}

/* pending - how many migrations are above version @have. */
static unsigned pending(unsigned have)
{
    unsigned n = 0;

    for (unsigned i = 0; i < omkt_migrations_count; i++)
        n += omkt_migrations[i].version > have;
    return n;
}

/* step - tell @p (may be NULL) where the upgrade is. */
static void step(const struct omkt_schema_progress *p, unsigned done,
                 unsigned total, const char *name)
{
    if (p != NULL && p->fn != NULL)
        p->fn(p->ctx, done, total, name);
}

/* apply_pending - every migration above @have, in order. */
static int apply_pending(struct omkt_db *db, unsigned have,
                         const struct omkt_schema_progress *p,
                         unsigned *applied, struct omkt_errbuf *eb)
{
    unsigned total = pending(have);
    int ret = OMKT_OK;

    for (unsigned i = 0; ret == OMKT_OK && i < omkt_migrations_count; i++) {
        if (omkt_migrations[i].version <= have)
            continue;
        step(p, *applied, total, omkt_migrations[i].name);
        ret = apply_one(db, &omkt_migrations[i], eb);
        if (ret == OMKT_OK)
            (*applied)++;
    }
    if (ret == OMKT_OK)
        step(p, *applied, total, NULL);
    return ret;
}

int omkt_schema_migrate(struct omkt_db *db, bool is_init,
                        const struct omkt_schema_progress *progress,
                        unsigned *applied, struct omkt_errbuf *eb)
{
    unsigned have = 0;
    bool has_jobs = false, has_versions = false;
    int ret = check_server(db, eb);

    *applied = 0;
    if (ret == OMKT_OK)
        ret = has_table(db, "schema_migrations", &has_versions, eb);
    if (ret == OMKT_OK)
        ret = omkt_schema_version(db, &have, eb);
    if (ret == OMKT_OK)
        ret = has_table(db, "jobs", &has_jobs, eb);
    if (ret != OMKT_OK)
        return ret;
    if (is_init && (have > 0 || has_jobs)) {
        omkt_errf(eb,
                  "database already has a schema (version %u): use "
                  "`omktctl db upgrade`",
                  have);
        return OMKT_EEXIST;
    }
    if (has_versions && pending(have) == 0)
        return OMKT_OK; /* nothing to do: no DDL, any account may ask */
    if (!has_versions) {
        ret = omkt_db_script(db, create_migrations, eb);
        if (ret != OMKT_OK && omkt_db_is_denied(db))
            return denied("schema_migrations", eb);
    }
    return ret == OMKT_OK ? apply_pending(db, have, progress, applied, eb)
                          : ret;
}

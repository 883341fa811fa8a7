/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * migrations - the schema migrations compiled into the programs
 * (generated from sql/migrations/ by tools/embed-sql.sh).  The highest
 * number is the schema version these programs speak.
 */
#ifndef OMKT_COMMON_MIGRATIONS_H
#define OMKT_COMMON_MIGRATIONS_H

struct omkt_migration {
    unsigned version;
    const char *name;
    const char *sql;
};

extern const struct omkt_migration omkt_migrations[];
extern const unsigned omkt_migrations_count;

#endif

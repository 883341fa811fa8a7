/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db - one MariaDB/MySQL connection with prepared statements only.
 *
 * Values never go into SQL text: callers pass arrays of struct omkt_dbv.
 * Results come back as a table of strings (struct omkt_dbres), which keeps
 * the binding code in one place.  Prepared statements are cached per
 * connection, keyed by the address of the caller's static SQL string.
 * A lost connection is re-established on the next call; errors that a
 * retry can cure (lost connection, deadlock, lock wait timeout) set
 * eb->retryable.  One connection per thread.
 */
#ifndef OMKT_COMMON_DB_H
#define OMKT_COMMON_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

/* The [db] configuration section. */
struct omkt_db_conf {
    char *host;
    int64_t port;
    char *socket;
    char *user;
    char *password;
    char *password_file;
    char *name;
    int64_t connect_timeout_ms;
    int64_t idle_trx_timeout_ms; /* 0: leave the server default */
};

enum omkt_dbv_type {
    OMKT_DBV_NULL,
    OMKT_DBV_I64,
    OMKT_DBV_STR,
    OMKT_DBV_DOUBLE,
};

/* A bound value.  Strings are borrowed for the duration of the call. */
struct omkt_dbv {
    enum omkt_dbv_type type;
    int64_t i;
    double d;
    const char *s;
};

#define OMKT_DBV_I(x) ((struct omkt_dbv){.type = OMKT_DBV_I64, .i = (x)})
#define OMKT_DBV_S(x)                                                          \
    ((x) == NULL ? (struct omkt_dbv){.type = OMKT_DBV_NULL}                    \
                 : (struct omkt_dbv){.type = OMKT_DBV_STR, .s = (x)})
#define OMKT_DBV_D(x) ((struct omkt_dbv){.type = OMKT_DBV_DOUBLE, .d = (x)})
#define OMKT_DBV_NUL  ((struct omkt_dbv){.type = OMKT_DBV_NULL})

/* Bytes of text an "error" column (VARCHAR(1024)) is given; writers cut
 * with omkt_text_dup (text.h) so a row is never refused for its text. */
#define OMKT_DB_ERROR_MAX 1024

/* A query result: nrows x ncols cells, NULL for SQL NULL. */
struct omkt_dbres {
    size_t nrows;
    size_t ncols;
    char **cells;
    size_t *lens;
};

struct omkt_db;

/* The [db] keys and their defaults, for programs' config tables. */
extern const struct omkt_conf_key omkt_db_conf_keys[];
extern const size_t omkt_db_conf_nkeys;

/*
 * omkt_db_open - connect with @conf (borrowed for the connection's life).
 * Sets READ COMMITTED, utf8mb4, and the idle transaction timeout.  On
 * OMKT_OK *out is new: release with omkt_db_close().  OMKT_EDB otherwise
 * (eb->retryable when the server could not be reached).
 */
int omkt_db_open(const struct omkt_db_conf *conf, struct omkt_db **out,
                 struct omkt_errbuf *eb);
void omkt_db_close(struct omkt_db *db);

/* omkt_db_connected - the connection is up (a cheap ping). */
bool omkt_db_ping(struct omkt_db *db);

/*
 * omkt_db_exec - run a statement that returns no rows.  *affected and
 * *insert_id are optional (may be NULL).
 */
int omkt_db_exec(struct omkt_db *db, const char *sql,
                 const struct omkt_dbv *params, size_t n, uint64_t *affected,
                 uint64_t *insert_id, struct omkt_errbuf *eb);

/*
 * omkt_db_exec_count - omkt_db_exec for the batch verbs (trim, promote,
 * mark dead): *count (optional) gets the rows changed, 0 on failure.
 */
int omkt_db_exec_count(struct omkt_db *db, const char *sql,
                       const struct omkt_dbv *params, size_t n, unsigned *count,
                       struct omkt_errbuf *eb);

/* omkt_db_query - run a SELECT; *res is new (omkt_dbres_free). */
int omkt_db_query(struct omkt_db *db, const char *sql,
                  const struct omkt_dbv *params, size_t n,
                  struct omkt_dbres **res, struct omkt_errbuf *eb);

/*
 * omkt_db_query_row - omkt_db_query for a SELECT that must find a row:
 * OMKT_ENOTFOUND (nothing in @eb, *res NULL) when it finds none.
 */
int omkt_db_query_row(struct omkt_db *db, const char *sql,
                      const struct omkt_dbv *params, size_t n,
                      struct omkt_dbres **res, struct omkt_errbuf *eb);

/* Transactions. rollback never fails visibly (it is the error path). */
int omkt_db_begin(struct omkt_db *db, struct omkt_errbuf *eb);
int omkt_db_commit(struct omkt_db *db, struct omkt_errbuf *eb);
void omkt_db_rollback(struct omkt_db *db);

/*
 * omkt_db_script - run a trusted multi-statement script (migrations only:
 * no values inside).
 */
int omkt_db_script(struct omkt_db *db, const char *sql, struct omkt_errbuf *eb);

/*
 * omkt_db_exec_one - a statement that must match exactly one row (a
 * guarded transition, an update by id): OMKT_ENOTFOUND when it matched
 * none (or several), for the caller to word.
 */
int omkt_db_exec_one(struct omkt_db *db, const char *sql,
                     const struct omkt_dbv *params, size_t n,
                     struct omkt_errbuf *eb);

/*
 * omkt_db_exec_guarded - a state change guarded in its WHERE clause: as
 * omkt_db_exec_one, but no match is OMKT_ELOST ("@what @id: not in the
 * expected state"), i.e. someone else moved the row on.
 */
int omkt_db_exec_guarded(struct omkt_db *db, const char *sql,
                         const struct omkt_dbv *params, size_t n,
                         const char *what, int64_t id, struct omkt_errbuf *eb);

/*
 * omkt_db_insert - an INSERT; *id (may be NULL) gets the new row's id.
 * A unique key violation is OMKT_EEXIST with nothing in @eb, for the
 * caller to word.
 */
int omkt_db_insert(struct omkt_db *db, const char *sql,
                   const struct omkt_dbv *params, size_t n, int64_t *id,
                   struct omkt_errbuf *eb);

/*
 * omkt_db_command - one trusted statement that takes no values and returns
 * no rows (LOCK TABLES, SET ...), in one round trip.
 */
int omkt_db_command(struct omkt_db *db, const char *sql,
                    struct omkt_errbuf *eb);

/* Cells. str is borrowed until omkt_dbres_free; i64 gives @def on NULL. */
const char *omkt_dbres_str(const struct omkt_dbres *r, size_t row, size_t col);
int64_t omkt_dbres_i64(const struct omkt_dbres *r, size_t row, size_t col,
                       int64_t def);
/* omkt_dbres_dup - a new copy of a cell, or NULL for SQL NULL. */
char *omkt_dbres_dup(const struct omkt_dbres *r, size_t row, size_t col);
void omkt_dbres_free(struct omkt_dbres *r);

/* omkt_db_server_version - e.g. 101119 for 10.11.19; 0 when unknown. */
unsigned long omkt_db_server_version(struct omkt_db *db);

/* omkt_db_is_mariadb - the server is MariaDB (not MySQL). */
bool omkt_db_is_mariadb(struct omkt_db *db);

/*
 * omkt_db_is_conflict - the last error was a deadlock or lock wait
 * timeout: roll back and run the transaction again.
 */
bool omkt_db_is_conflict(const struct omkt_db *db);

/* omkt_db_is_duplicate - the last error was a unique key violation. */
bool omkt_db_is_duplicate(const struct omkt_db *db);

/* omkt_db_is_denied - the last error was a missing privilege. */
bool omkt_db_is_denied(const struct omkt_db *db);

#endif

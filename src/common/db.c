/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db - MariaDB Connector/C wrapper: connect, prepared statements, results.
 *
 * DESIGN: one struct omkt_db per thread.  Statements are prepared once per
 * connection and cached by the address of the static SQL string.  When the
 * server goes away the connection is marked broken; the next call closes
 * every cached statement, reconnects and prepares again.  Callers decide
 * on backoff: a failed reconnect returns OMKT_EDB with eb->retryable.
 * Sessions run at READ COMMITTED in UTC, so every host agrees on NOW().
 */
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db.h"
#include "log.h"
#include "parse.h"

#define STMT_CACHE_MAX  96
#define MAX_PARAMS      1024
#define CELL_INLINE     64 /* most cells fit: one fetch, no second call */
#define RESULT_CELL_MAX (64u << 20) /* hard cap on one fetched cell */

struct cached_stmt {
    const char *sql;
    MYSQL_STMT *st;
};

struct omkt_db {
    MYSQL *my;
    const struct omkt_db_conf *conf;
    char *password;
    struct cached_stmt cache[STMT_CACHE_MAX];
    size_t ncache;
    bool is_broken;
    unsigned last_errno;
};

#define DBK(name, type, def, min, max, field)                                  \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct omkt_db_conf, field)                               \
    }
const struct omkt_conf_key omkt_db_conf_keys[] = {
    DBK("host", OMKT_CONF_STR, "localhost", 0, -1, host),
    DBK("port", OMKT_CONF_INT, "3306", 1, 65535, port),
    DBK("socket", OMKT_CONF_STR, NULL, 0, -1, socket),
    DBK("user", OMKT_CONF_STR, "omkt", 0, -1, user),
    {"password", OMKT_CONF_STR, NULL, 0, -1, false, true,
     offsetof(struct omkt_db_conf, password)},
    DBK("password_file", OMKT_CONF_STR, NULL, 0, -1, password_file),
    DBK("name", OMKT_CONF_STR, "omkt", 0, -1, name),
    DBK("connect_timeout", OMKT_CONF_DURATION, "5s", 1000, 600000,
        connect_timeout_ms),
    DBK("idle_transaction_timeout", OMKT_CONF_DURATION, "60s", 0, 86400000,
        idle_trx_timeout_ms),
};
const size_t omkt_db_conf_nkeys = OMKT_ARRAY_LEN(omkt_db_conf_keys);

/* is_retryable - a MySQL error a later attempt can cure. */
static bool is_retryable(unsigned err)
{
    switch (err) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case ER_QUERY_INTERRUPTED:
    case ER_CON_COUNT_ERROR:
        return true;
    default:
        return err >= 2000 && err < 3000; /* client-side: network trouble */
    }
}

/* is_connection_error - the connection is unusable after this error. */
static bool is_connection_error(unsigned err)
{
    return (err >= 2000 && err < 3000) || err == ER_SERVER_SHUTDOWN ||
           err == ER_CONNECTION_KILLED || err == 4031;
}

/* fail - translate a MySQL error into OMKT_EDB at the boundary. */
static int fail(struct omkt_db *db, unsigned err, const char *msg,
                const char *what, struct omkt_errbuf *eb)
{
    db->last_errno = err;
    if (is_connection_error(err))
        db->is_broken = true;
    if (eb != NULL && !eb->is_set)
        eb->retryable = is_retryable(err) || is_connection_error(err);
    omkt_errf(eb, "database: %s: %s (%u)", what, msg, err);
    return OMKT_EDB;
}

static int fail_my(struct omkt_db *db, const char *what, struct omkt_errbuf *eb)
{
    return fail(db, mysql_errno(db->my), mysql_error(db->my), what, eb);
}

static int fail_st(struct omkt_db *db, MYSQL_STMT *st, const char *what,
                   struct omkt_errbuf *eb)
{
    return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), what, eb);
}

/* read_password_file - first line of a 0600 file. */
static int read_password_file(const char *path, char **out,
                              struct omkt_errbuf *eb)
{
    char line[256];
    FILE *fp = fopen(path, "re");

    if (fp == NULL) {
        omkt_errf(eb, "db.password_file %s: %s", path, omkt_errno_str(errno));
        return OMKT_ECONF;
    }
    if (fgets(line, sizeof(line), fp) == NULL)
        line[0] = '\0';
    fclose(fp);
    *out = omkt_xstrdup(omkt_trim(line));
    return OMKT_OK;
}

/* session_setup - per-connection settings; plain SQL with no values. */
static int session_setup(struct omkt_db *db, struct omkt_errbuf *eb)
{
    char sql[128];

    if (mysql_query(db->my, "SET SESSION TRANSACTION ISOLATION LEVEL "
                            "READ COMMITTED") != 0 ||
        mysql_query(db->my, "SET time_zone = '+00:00'") != 0 ||
        mysql_query(db->my, "SET SESSION innodb_lock_wait_timeout = 10") != 0)
        return fail_my(db, "session setup", eb);
    if (db->conf->idle_trx_timeout_ms > 0 && omkt_db_is_mariadb(db)) {
        snprintf(sql, sizeof(sql),
                 "SET SESSION idle_transaction_timeout = %lld",
                 (long long)((db->conf->idle_trx_timeout_ms + 999) / 1000));
        if (mysql_query(db->my, sql) != 0)
            return fail_my(db, "session setup", eb);
    }
    return OMKT_OK;
}

/* drop_cache - forget every prepared statement (connection going away). */
static void drop_cache(struct omkt_db *db)
{
    for (size_t i = 0; i < db->ncache; i++)
        mysql_stmt_close(db->cache[i].st);
    db->ncache = 0;
}

/* connect_now - (re)establish db->my. */
static int connect_now(struct omkt_db *db, struct omkt_errbuf *eb)
{
    const struct omkt_db_conf *c = db->conf;
    unsigned timeout_s = (unsigned)((c->connect_timeout_ms + 999) / 1000);
    unsigned rw_timeout_s = 60;
    bool no = false;

    drop_cache(db);
    if (db->my != NULL)
        mysql_close(db->my);
    db->my = mysql_init(NULL);
    if (db->my == NULL)
        return OMKT_ENOMEM;
    mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
    mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rw_timeout_s);
    mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout_s);
    mysql_options(db->my, MYSQL_OPT_RECONNECT, &no);
    mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(db->my, c->host, c->user, db->password, c->name,
                           (unsigned)c->port,
                           (c->socket && *c->socket) ? c->socket : NULL,
                           CLIENT_FOUND_ROWS) == NULL) {
        int ret = fail_my(db, "connect", eb);

        if (eb != NULL)
            eb->retryable = mysql_errno(db->my) != ER_ACCESS_DENIED_ERROR &&
                            mysql_errno(db->my) != ER_BAD_DB_ERROR;
        db->is_broken = true;
        return ret;
    }
    db->is_broken = false;
    return session_setup(db, eb);
}

int omkt_db_open(const struct omkt_db_conf *conf, struct omkt_db **out,
                 struct omkt_errbuf *eb)
{
    struct omkt_db *db = omkt_xcalloc(1, sizeof(*db));
    int ret;

    *out = NULL;
    db->conf = conf;
    if (conf->password_file != NULL && *conf->password_file != '\0') {
        ret = read_password_file(conf->password_file, &db->password, eb);
        if (ret != OMKT_OK)
            goto out;
    } else {
        db->password = omkt_xstrdup(conf->password ? conf->password : "");
    }
    ret = connect_now(db, eb);
out:
    if (ret != OMKT_OK) {
        omkt_db_close(db);
        return ret;
    }
    *out = db;
    return OMKT_OK;
}

void omkt_db_close(struct omkt_db *db)
{
    if (db == NULL)
        return;
    drop_cache(db);
    if (db->my != NULL)
        mysql_close(db->my);
    free(db->password);
    free(db);
}

/* ensure - reconnect if the last call broke the connection. */
static int ensure(struct omkt_db *db, struct omkt_errbuf *eb)
{
    if (!db->is_broken)
        return OMKT_OK;
    omkt_log(OMKT_LOG_INFO, "database: reconnecting");
    return connect_now(db, eb);
}

bool omkt_db_ping(struct omkt_db *db)
{
    if (ensure(db, NULL) != OMKT_OK)
        return false;
    if (mysql_ping(db->my) != 0) {
        db->is_broken = true;
        return false;
    }
    return true;
}

/* stmt_get - the cached statement for @sql, prepared on first use. */
static int stmt_get(struct omkt_db *db, const char *sql, MYSQL_STMT **out,
                    struct omkt_errbuf *eb)
{
    MYSQL_STMT *st;
    int ret;

    for (size_t i = 0; i < db->ncache; i++) {
        if (db->cache[i].sql == sql) {
            *out = db->cache[i].st;
            return OMKT_OK;
        }
    }
    st = mysql_stmt_init(db->my);
    if (st == NULL)
        return fail_my(db, "statement init", eb);
    if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
        ret = fail_st(db, st, "prepare", eb);
        mysql_stmt_close(st);
        return ret;
    }
    if (db->ncache == STMT_CACHE_MAX) { /* evict the oldest */
        mysql_stmt_close(db->cache[0].st);
        memmove(db->cache, db->cache + 1,
                (STMT_CACHE_MAX - 1) * sizeof(db->cache[0]));
        db->ncache--;
    }
    db->cache[db->ncache].sql = sql;
    db->cache[db->ncache].st = st;
    db->ncache++;
    *out = st;
    return OMKT_OK;
}

/* bind_params - describe @params to the statement. */
static int bind_params(MYSQL_STMT *st, const struct omkt_dbv *params, size_t n,
                       MYSQL_BIND *b, unsigned long *lens,
                       struct omkt_errbuf *eb)
{
    if (n > MAX_PARAMS || n != mysql_stmt_param_count(st)) {
        omkt_errf(eb, "database: %zu values for %lu placeholders", n,
                  mysql_stmt_param_count(st));
        return OMKT_EINVAL;
    }
    memset(b, 0, n * sizeof(*b));
    for (size_t i = 0; i < n; i++) {
        switch (params[i].type) {
        case OMKT_DBV_NULL:
            b[i].buffer_type = MYSQL_TYPE_NULL;
            break;
        case OMKT_DBV_I64:
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = (void *)&params[i].i;
            break;
        case OMKT_DBV_DOUBLE:
            b[i].buffer_type = MYSQL_TYPE_DOUBLE;
            b[i].buffer = (void *)&params[i].d;
            break;
        case OMKT_DBV_STR:
            lens[i] = strlen(params[i].s);
            b[i].buffer_type = MYSQL_TYPE_STRING;
            b[i].buffer = (void *)params[i].s;
            b[i].buffer_length = lens[i];
            b[i].length = &lens[i];
            break;
        }
    }
    if (n > 0 && mysql_stmt_bind_param(st, b) != 0)
        return OMKT_EDB;
    return OMKT_OK;
}

/* run - prepare (cached), bind and execute. */
static int run(struct omkt_db *db, const char *sql,
               const struct omkt_dbv *params, size_t n, MYSQL_STMT **out,
               struct omkt_errbuf *eb)
{
    MYSQL_BIND *b = omkt_xcalloc(n ? n : 1, sizeof(*b));
    unsigned long *lens = omkt_xcalloc(n ? n : 1, sizeof(*lens));
    MYSQL_STMT *st = NULL;
    int ret;

    *out = NULL;
    ret = ensure(db, eb);
    if (ret == OMKT_OK)
        ret = stmt_get(db, sql, &st, eb);
    if (ret == OMKT_OK) {
        ret = bind_params(st, params, n, b, lens, eb);
        if (ret == OMKT_EDB) /* bind_params leaves the text to us */
            ret = fail_st(db, st, "bind", eb);
    }
    if (ret == OMKT_OK && mysql_stmt_execute(st) != 0)
        ret = fail_st(db, st, "execute", eb);
    if (ret == OMKT_OK)
        *out = st;
    free(lens);
    free(b);
    return ret;
}

int omkt_db_exec(struct omkt_db *db, const char *sql,
                 const struct omkt_dbv *params, size_t n, uint64_t *affected,
                 uint64_t *insert_id, struct omkt_errbuf *eb)
{
    MYSQL_STMT *st = NULL;
    int ret = run(db, sql, params, n, &st, eb);

    if (ret != OMKT_OK)
        return ret;
    if (affected != NULL)
        *affected = mysql_stmt_affected_rows(st);
    if (insert_id != NULL)
        *insert_id = mysql_stmt_insert_id(st);
    return OMKT_OK;
}

int omkt_db_exec_count(struct omkt_db *db, const char *sql,
                       const struct omkt_dbv *params, size_t n, unsigned *count,
                       struct omkt_errbuf *eb)
{
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, sql, params, n, &affected, NULL, eb);

    if (count != NULL)
        *count = (unsigned)affected;
    return ret;
}

/*
 * fetch_cell - copy column @col of the current row into a new string: from
 * the inline buffer when it fitted, else by fetching it again at its size.
 */
static int fetch_cell(MYSQL_STMT *st, MYSQL_BIND *b, unsigned col, char **cell,
                      size_t *len)
{
    unsigned long need = *b->length;
    MYSQL_BIND big;

    *cell = NULL;
    *len = 0;
    if (*b->is_null)
        return OMKT_OK;
    if (need > RESULT_CELL_MAX)
        return OMKT_ETOOBIG;
    *cell = omkt_xmalloc(need + 1);
    if (need < CELL_INLINE) {
        memcpy(*cell, b->buffer, need);
    } else {
        big = *b;
        big.buffer = *cell;
        big.buffer_length = need + 1;
        if (mysql_stmt_fetch_column(st, &big, col, 0) != 0) {
            OMKT_FREE(*cell);
            return OMKT_EDB;
        }
    }
    (*cell)[need] = '\0';
    *len = need;
    return OMKT_OK;
}

/* grow_rows - room for one more row of @ncols cells. */
static void grow_rows(struct omkt_dbres *r, size_t *cap)
{
    if ((r->nrows + 1) * r->ncols <= *cap)
        return;
    *cap = *cap ? *cap * 2 : r->ncols * 8;
    while (*cap < (r->nrows + 1) * r->ncols)
        *cap *= 2;
    r->cells = omkt_xrealloc(r->cells, *cap * sizeof(*r->cells));
    r->lens = omkt_xrealloc(r->lens, *cap * sizeof(*r->lens));
}

/* fetch_all - every row of an executed statement into @r. */
static int fetch_all(MYSQL_STMT *st, struct omkt_dbres *r,
                     struct omkt_errbuf *eb)
{
    MYSQL_BIND *b = omkt_xcalloc(r->ncols, sizeof(*b));
    unsigned long *lens = omkt_xcalloc(r->ncols, sizeof(*lens));
    my_bool *nulls = omkt_xcalloc(r->ncols, sizeof(*nulls));
    char *inline_buf = omkt_xcalloc(r->ncols, CELL_INLINE);
    size_t cap = 0;
    int ret = OMKT_OK;
    int rc;

    for (size_t c = 0; c < r->ncols; c++) {
        b[c].buffer_type = MYSQL_TYPE_STRING;
        b[c].buffer = inline_buf + c * CELL_INLINE;
        b[c].buffer_length = CELL_INLINE;
        b[c].length = &lens[c];
        b[c].is_null = &nulls[c];
    }
    if (mysql_stmt_bind_result(st, b) != 0 || mysql_stmt_store_result(st) != 0)
        ret = OMKT_EDB;
    while (ret == OMKT_OK) {
        rc = mysql_stmt_fetch(st);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1) {
            ret = OMKT_EDB;
            break;
        } /* else 0 or MYSQL_DATA_TRUNCATED: long cells are fetched again */
        grow_rows(r, &cap);
        for (size_t c = 0; c < r->ncols && ret == OMKT_OK; c++) {
            size_t at = r->nrows * r->ncols + c;
            ret =
                fetch_cell(st, &b[c], (unsigned)c, &r->cells[at], &r->lens[at]);
            if (ret != OMKT_OK) /* keep the table consistent for free */
                for (size_t k = c; k < r->ncols; k++)
                    r->cells[r->nrows * r->ncols + k] = NULL;
        }
        r->nrows++;
    }
    if (ret == OMKT_ETOOBIG)
        omkt_errf(eb, "database: result cell over %u bytes", RESULT_CELL_MAX);
    mysql_stmt_free_result(st);
    free(inline_buf);
    free(nulls);
    free(lens);
    free(b);
    return ret;
}

int omkt_db_query(struct omkt_db *db, const char *sql,
                  const struct omkt_dbv *params, size_t n,
                  struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    MYSQL_STMT *st = NULL;
    struct omkt_dbres *r;
    int ret;

    *res = NULL;
    ret = run(db, sql, params, n, &st, eb);
    if (ret != OMKT_OK)
        return ret;
    r = omkt_xcalloc(1, sizeof(*r));
    r->ncols = mysql_stmt_field_count(st);
    ret = fetch_all(st, r, eb);
    if (ret == OMKT_EDB)
        ret = fail_st(db, st, "fetch", eb);
    if (ret != OMKT_OK) {
        omkt_dbres_free(r);
        return ret;
    }
    *res = r;
    return OMKT_OK;
}

int omkt_db_query_row(struct omkt_db *db, const char *sql,
                      const struct omkt_dbv *params, size_t n,
                      struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    int ret = omkt_db_query(db, sql, params, n, res, eb);

    if (ret == OMKT_OK && (*res)->nrows == 0) {
        omkt_dbres_free(*res);
        *res = NULL;
        return OMKT_ENOTFOUND;
    }
    return ret;
}

int omkt_db_begin(struct omkt_db *db, struct omkt_errbuf *eb)
{
    int ret = ensure(db, eb);

    if (ret != OMKT_OK)
        return ret;
    if (mysql_query(db->my, "START TRANSACTION") != 0)
        return fail_my(db, "begin", eb);
    return OMKT_OK;
}

int omkt_db_commit(struct omkt_db *db, struct omkt_errbuf *eb)
{
    if (mysql_commit(db->my) != 0)
        return fail_my(db, "commit", eb);
    return OMKT_OK;
}

void omkt_db_rollback(struct omkt_db *db)
{
    if (!db->is_broken && mysql_rollback(db->my) != 0)
        db->is_broken = true; /* a failed rollback: start afresh */
}

/* drain_results - consume every result of a multi-statement script. */
static int drain_results(struct omkt_db *db, struct omkt_errbuf *eb)
{
    int rc;

    do {
        MYSQL_RES *res = mysql_store_result(db->my);

        if (res != NULL)
            mysql_free_result(res);
        else if (mysql_field_count(db->my) != 0)
            return fail_my(db, "script result", eb);
        rc = mysql_next_result(db->my);
        if (rc > 0)
            return fail_my(db, "script", eb);
    } while (rc == 0);
    return OMKT_OK;
}

int omkt_db_script(struct omkt_db *db, const char *sql, struct omkt_errbuf *eb)
{
    int ret = ensure(db, eb);

    if (ret != OMKT_OK)
        return ret;
    if (mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
        return fail_my(db, "enable multi statements", eb);
    if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
        ret = fail_my(db, "script", eb);
    else
        ret = drain_results(db, eb);
    if (!db->is_broken)
        mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return ret;
}

const char *omkt_dbres_str(const struct omkt_dbres *r, size_t row, size_t col)
{
    if (r == NULL || row >= r->nrows || col >= r->ncols)
        return NULL;
    return r->cells[row * r->ncols + col];
}

int64_t omkt_dbres_i64(const struct omkt_dbres *r, size_t row, size_t col,
                       int64_t def)
{
    const char *s = omkt_dbres_str(r, row, col);
    int64_t v = 0;

    if (s == NULL || omkt_parse_i64(s, &v) != OMKT_OK)
        return def;
    return v;
}

void omkt_dbres_free(struct omkt_dbres *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    free(r->lens);
    free(r);
}

unsigned long omkt_db_server_version(struct omkt_db *db)
{
    return db->my ? mysql_get_server_version(db->my) : 0;
}

bool omkt_db_is_mariadb(struct omkt_db *db)
{
    const char *info = db->my ? mysql_get_server_info(db->my) : NULL;

    return info != NULL && strstr(info, "MariaDB") != NULL;
}

bool omkt_db_is_conflict(const struct omkt_db *db)
{
    return db->last_errno == ER_LOCK_DEADLOCK ||
           db->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

bool omkt_db_is_duplicate(const struct omkt_db *db)
{
    return db->last_errno == ER_DUP_ENTRY;
}

bool omkt_db_is_denied(const struct omkt_db *db)
{
    return db->last_errno == ER_TABLEACCESS_DENIED_ERROR ||
           db->last_errno == ER_COLUMNACCESS_DENIED_ERROR ||
           db->last_errno == ER_DBACCESS_DENIED_ERROR ||
           db->last_errno == ER_SPECIFIC_ACCESS_DENIED_ERROR;
}

int omkt_db_command(struct omkt_db *db, const char *sql, struct omkt_errbuf *eb)
{
    int ret = ensure(db, eb);

    if (ret != OMKT_OK)
        return ret;
    if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
        return fail_my(db, "command", eb);
    return OMKT_OK;
}

int omkt_db_exec_one(struct omkt_db *db, const char *sql,
                     const struct omkt_dbv *params, size_t n,
                     struct omkt_errbuf *eb)
{
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, sql, params, n, &affected, NULL, eb);

    if (ret == OMKT_OK && affected != 1)
        return OMKT_ENOTFOUND;
    return ret;
}

int omkt_db_exec_guarded(struct omkt_db *db, const char *sql,
                         const struct omkt_dbv *params, size_t n,
                         const char *what, int64_t id, struct omkt_errbuf *eb)
{
    int ret = omkt_db_exec_one(db, sql, params, n, eb);

    if (ret != OMKT_ENOTFOUND)
        return ret;
    omkt_errf(eb, "%s %lld: not in the expected state", what, (long long)id);
    return OMKT_ELOST;
}

int omkt_db_insert(struct omkt_db *db, const char *sql,
                   const struct omkt_dbv *params, size_t n, int64_t *id,
                   struct omkt_errbuf *eb)
{
    struct omkt_errbuf local = {0};
    uint64_t new_id = 0;
    int ret = omkt_db_exec(db, sql, params, n, NULL, &new_id, &local);

    if (id != NULL)
        *id = ret == OMKT_OK ? (int64_t)new_id : 0;
    if (ret == OMKT_EDB && omkt_db_is_duplicate(db))
        return OMKT_EEXIST; /* the caller words it */
    if (ret != OMKT_OK) {
        omkt_errf(eb, "%s", local.msg);
        if (eb != NULL)
            eb->retryable = local.retryable;
    }
    return ret;
}

char *omkt_dbres_dup(const struct omkt_dbres *r, size_t row, size_t col)
{
    const char *s = omkt_dbres_str(r, row, col);

    return s ? omkt_xstrdup(s) : NULL;
}

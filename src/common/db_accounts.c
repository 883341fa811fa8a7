/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_accounts - account rows and API keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "alloc.h"
#include "db_accounts.h"
#include "randhex.h"
#include "s3cred.h"

int omkt_account_key_new(char key[OMKT_API_KEY_LEN + 1], struct omkt_errbuf *eb)
{
    return omkt_random_hex(key, OMKT_API_KEY_LEN, eb);
}

/* check_new - the limits the schema and the protocol impose. */
static int check_new(const struct omkt_account_new *an, struct omkt_errbuf *eb)
{
    if (an->email == NULL || *an->email == '\0' || strlen(an->email) > 255) {
        omkt_errf(eb, "email is required (at most 255 characters)");
        return OMKT_EINVAL;
    }
    if (an->client_key != NULL && strlen(an->client_key) > 32) {
        omkt_errf(eb, "client key is at most 32 characters");
        return OMKT_EINVAL;
    }
    if (an->url != NULL && *an->url != '\0' &&
        strncmp(an->url, "http://", 7) != 0 &&
        strncmp(an->url, "https://", 8) != 0) {
        omkt_errf(eb, "callback url must start with http:// or https://");
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

int omkt_account_add(struct omkt_db *db, const struct omkt_account_new *an,
                     int64_t *id, char api_key[OMKT_API_KEY_LEN + 1],
                     struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO accounts (email, api_key, client_key, url, adapters,"
        " rate_limit, is_admin) VALUES (?, ?, ?, ?, ?, ?, ?)";
    uint64_t new_id = 0;
    int ret = check_new(an, eb);

    *id = 0;
    if (ret == OMKT_OK)
        ret = omkt_account_key_new(api_key, eb);
    if (ret == OMKT_OK) {
        struct omkt_dbv v[] = {
            OMKT_DBV_S(an->email),
            OMKT_DBV_S(api_key),
            OMKT_DBV_S(an->client_key ? an->client_key : ""),
            OMKT_DBV_S(an->url ? an->url : ""),
            OMKT_DBV_S(an->adapters ? an->adapters : "http"),
            OMKT_DBV_I(an->rate_limit > 0 ? an->rate_limit : 600),
            OMKT_DBV_I(an->is_admin ? 1 : 0),
        };
        ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, &new_id, eb);
    }
    if (ret == OMKT_OK)
        *id = (int64_t)new_id;
    return ret;
}

/* dup_cell - new copy of a cell, "" for NULL. */
static char *dup_cell(const struct omkt_dbres *r, size_t col)
{
    const char *s = omkt_dbres_str(r, 0, col);

    return omkt_xstrdup(s ? s : "");
}

/* fetch_one - run an account SELECT with one value into @out. */
static int fetch_one(struct omkt_db *db, const char *sql, struct omkt_dbv v,
                     struct omkt_account *out, struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, &v, 1, &r, eb);

    memset(out, 0, sizeof(*out));
    if (ret == OMKT_OK) {
        out->id = omkt_dbres_i64(r, 0, 0, 0);
        out->email = dup_cell(r, 1);
        out->api_key = dup_cell(r, 2);
        out->client_key = dup_cell(r, 3);
        out->url = dup_cell(r, 4);
        out->adapters = dup_cell(r, 5);
        out->rate_limit = omkt_dbres_i64(r, 0, 6, 600);
        out->is_enabled = omkt_dbres_i64(r, 0, 7, 0) != 0;
        out->is_admin = omkt_dbres_i64(r, 0, 8, 0) != 0;
    }
    omkt_dbres_free(r);
    return ret;
}

#define ACCOUNT_COLS                                                           \
    "SELECT id, email, api_key, client_key, url, adapters, rate_limit,"        \
    " enabled, is_admin FROM accounts "

int omkt_account_by_key(struct omkt_db *db, const char *api_key,
                        struct omkt_account *out, struct omkt_errbuf *eb)
{
    static const char sql[] = ACCOUNT_COLS "WHERE api_key = ?";

    return fetch_one(db, sql, OMKT_DBV_S(api_key), out, eb);
}

int omkt_account_by_id(struct omkt_db *db, int64_t id, struct omkt_account *out,
                       struct omkt_errbuf *eb)
{
    static const char sql[] = ACCOUNT_COLS "WHERE id = ?";

    return fetch_one(db, sql, OMKT_DBV_I(id), out, eb);
}

/* update_by_id - set one column (the ? in @sql) of account @id. */
static int update_by_id(struct omkt_db *db, const char *sql,
                        struct omkt_dbv value, int64_t id,
                        struct omkt_errbuf *eb)
{
    struct omkt_dbv v[] = {value, OMKT_DBV_I(id)};
    int ret = omkt_db_exec_one(db, sql, v, 2, eb);

    if (ret == OMKT_ENOTFOUND)
        omkt_errf(eb, "no account %lld", (long long)id);
    return ret;
}

int omkt_account_set_enabled(struct omkt_db *db, int64_t id, bool is_enabled,
                             struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts SET enabled = ? WHERE id = ?";

    return update_by_id(db, sql, OMKT_DBV_I(is_enabled ? 1 : 0), id, eb);
}

int omkt_account_set_url(struct omkt_db *db, int64_t id, const char *url,
                         struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts SET url = ? WHERE id = ?";
    struct omkt_account_new an = {.email = "x", .url = url};
    int ret = check_new(&an, eb);

    return ret == OMKT_OK ? update_by_id(db, sql, OMKT_DBV_S(url), id, eb)
                          : ret;
}

int omkt_account_set_publish_to(struct omkt_db *db, int64_t id, const char *uri,
                                struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts SET publish_to = ? WHERE id = ?";
    struct omkt_s3_uri u = {0};

    if (uri[0] != '\0' && (strlen(uri) > 1024 || !omkt_s3_uri_is_s3(uri) ||
                           omkt_s3_uri_parse(uri, &u, eb) != OMKT_OK)) {
        omkt_errf(eb, "publish-to: an s3://bucket/prefix/ URI, or \"\"");
        return OMKT_EINVAL;
    }
    omkt_s3_uri_clear(&u);
    return update_by_id(db, sql, OMKT_DBV_S(uri), id, eb);
}

/* text_by_id - the one text column @sql selects of account @id into
 * *@out (new, "" for NULL). */
static int text_by_id(struct omkt_db *db, const char *sql, int64_t id,
                      char **out, struct omkt_errbuf *eb)
{
    const struct omkt_dbv p[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, p, 1, &r, eb);

    *out = NULL;
    if (ret == OMKT_OK)
        *out = omkt_xstrdup(omkt_dbres_str(r, 0, 0) ? omkt_dbres_str(r, 0, 0)
                                                    : "");
    omkt_dbres_free(r);
    return ret;
}

int omkt_account_publish_to(struct omkt_db *db, int64_t id, char **uri,
                            struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT publish_to FROM accounts WHERE id = ?";

    return text_by_id(db, sql, id, uri, eb);
}

/* is_origin_list - "*" or scheme://host[:port] words, spaces or commas. */
static bool is_origin_list(const char *s)
{
    if (strlen(s) > 1024)
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        bool is_sep = *p == ' ' || *p == ',';
        bool is_word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9') || strchr("*:/.-[]", *p);

        if (!is_sep && !is_word)
            return false;
    }
    return true;
}

int omkt_account_set_cors(struct omkt_db *db, int64_t id, const char *origins,
                          struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE accounts SET cors_origins = ? WHERE id = ?";

    if (!is_origin_list(origins)) {
        omkt_errf(eb, "cors: origins such as https://www.example.com "
                      "separated by spaces or commas, \"*\", or \"\"");
        return OMKT_EINVAL;
    }
    return update_by_id(db, sql, OMKT_DBV_S(origins), id, eb);
}

int omkt_account_cors(struct omkt_db *db, int64_t id, char **origins,
                      struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT cors_origins FROM accounts WHERE id = ?";

    return text_by_id(db, sql, id, origins, eb);
}

int omkt_account_rotate_key(struct omkt_db *db, int64_t id,
                            char api_key[OMKT_API_KEY_LEN + 1],
                            struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts SET api_key = ? WHERE id = ?";
    int ret = omkt_account_key_new(api_key, eb);

    return ret == OMKT_OK ? update_by_id(db, sql, OMKT_DBV_S(api_key), id, eb)
                          : ret;
}

int omkt_account_set_client_key(struct omkt_db *db, int64_t id,
                                const char *client_key, struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts SET client_key = ? WHERE id = ?";

    if (strlen(client_key) > OMKT_API_KEY_LEN) {
        omkt_errf(eb, "client key: at most %d characters", OMKT_API_KEY_LEN);
        return OMKT_EINVAL;
    }
    return update_by_id(db, sql, OMKT_DBV_S(client_key), id, eb);
}

int omkt_account_list(struct omkt_db *db, struct omkt_dbres **res,
                      struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, email, enabled, is_admin, url, adapters, rate_limit,"
        " created FROM accounts ORDER BY id";

    return omkt_db_query(db, sql, NULL, 0, res, eb);
}

bool omkt_account_allows(const struct omkt_account *a, const char *adapter)
{
    size_t n = strlen(adapter);
    const char *p = a->adapters;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        while (len > 0 && p[0] == ' ') {
            p++;
            len--;
        }
        if (len == n && strncmp(p, adapter, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

void omkt_account_clear(struct omkt_account *a)
{
    if (a == NULL)
        return;
    free(a->email);
    free(a->api_key);
    free(a->client_key);
    free(a->url);
    free(a->adapters);
    memset(a, 0, sizeof(*a));
}

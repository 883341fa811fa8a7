/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_accounts - CMS accounts (owns `accounts`): API key, client key sent
 * back on callbacks, callback URL, allowed adapters, rate limit, enabled.
 */
#ifndef OMKT_COMMON_DB_ACCOUNTS_H
#define OMKT_COMMON_DB_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define OMKT_API_KEY_LEN 32

struct omkt_account_new {
    const char *email;
    const char *url;
    const char *client_key; /* at most 32 characters */
    const char *adapters;   /* comma-separated; NULL: "http" */
    int64_t rate_limit;     /* calls per minute; 0: default 600 */
    bool is_admin;
};

struct omkt_account {
    int64_t id;
    char *email;
    char *api_key;
    char *client_key;
    char *url;
    char *adapters;
    int64_t rate_limit;
    bool is_enabled;
    bool is_admin;
};

/* omkt_account_key_new - 32 random lowercase hex characters + NUL. */
int omkt_account_key_new(char key[OMKT_API_KEY_LEN + 1],
                         struct omkt_errbuf *eb);

/* omkt_account_add - create; @api_key receives the new key. */
int omkt_account_add(struct omkt_db *db, const struct omkt_account_new *an,
                     int64_t *id, char api_key[OMKT_API_KEY_LEN + 1],
                     struct omkt_errbuf *eb);

/* omkt_account_by_key - OMKT_ENOTFOUND for an unknown key. */
int omkt_account_by_key(struct omkt_db *db, const char *api_key,
                        struct omkt_account *out, struct omkt_errbuf *eb);

/* omkt_account_by_id - OMKT_ENOTFOUND for an unknown id. */
int omkt_account_by_id(struct omkt_db *db, int64_t id, struct omkt_account *out,
                       struct omkt_errbuf *eb);

/* omkt_account_set_enabled - OMKT_ENOTFOUND for an unknown id. */
int omkt_account_set_enabled(struct omkt_db *db, int64_t id, bool is_enabled,
                             struct omkt_errbuf *eb);

/* omkt_account_set_url - a new callback URL (http:// or https://). */
int omkt_account_set_url(struct omkt_db *db, int64_t id, const char *url,
                         struct omkt_errbuf *eb);

/*
 * omkt_account_set_publish_to - where the account's outputs are also
 * published: an "s3://bucket/prefix/" URI, or "" for nowhere.  The URI is
 * stored as given (it may embed a key pair: it is shown masked, see
 * common/s3cred.h).  OMKT_EINVAL for anything else.
 */
int omkt_account_set_publish_to(struct omkt_db *db, int64_t id, const char *uri,
                                struct omkt_errbuf *eb);

/* omkt_account_publish_to - the account's publish-to URI (new, "" for
 * none).  OMKT_ENOTFOUND for an unknown id. */
int omkt_account_publish_to(struct omkt_db *db, int64_t id, char **uri,
                            struct omkt_errbuf *eb);

/*
 * omkt_account_set_cors - the origins allowed to fetch account @id's
 * streaming packages from a browser (docs/streaming.md#cors): origins
 * ("scheme://host[:port]") or "*", separated by spaces or commas, at most
 * 1024 bytes; "" for none.  OMKT_EINVAL for anything else.
 */
int omkt_account_set_cors(struct omkt_db *db, int64_t id, const char *origins,
                          struct omkt_errbuf *eb);

/* omkt_account_cors - account @id's allowed origins (new, "" for none).
 * OMKT_ENOTFOUND for an unknown id. */
int omkt_account_cors(struct omkt_db *db, int64_t id, char **origins,
                      struct omkt_errbuf *eb);

/* omkt_account_rotate_key - give the account a new API key. */
int omkt_account_rotate_key(struct omkt_db *db, int64_t id,
                            char api_key[OMKT_API_KEY_LEN + 1],
                            struct omkt_errbuf *eb);

/* omkt_account_list - id, email, enabled, admin, url, adapters, rate,
 * created.  *res is new. */
/* omkt_account_set_client_key - the secret sent back to the CMS as app_key
 * (and the callback signing key) of account @id becomes @client_key (at
 * most OMKT_API_KEY_LEN characters). */
int omkt_account_set_client_key(struct omkt_db *db, int64_t id,
                                const char *client_key, struct omkt_errbuf *eb);

int omkt_account_list(struct omkt_db *db, struct omkt_dbres **res,
                      struct omkt_errbuf *eb);

/* omkt_account_allows - is @adapter in the account's list? */
bool omkt_account_allows(const struct omkt_account *a, const char *adapter);

void omkt_account_clear(struct omkt_account *a);

#endif

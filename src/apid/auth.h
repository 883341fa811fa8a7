/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth - the one door of apid for API keys: the OMKT, REST and
 * media-nommer fronts and the operator pages all find a key's account
 * here, through the account cache (acache.h), and judge it the same way:
 * unknown, disabled, database away, over its calls per minute.  Each
 * front only maps the verdict to its own wire answer (OMKT codes
 * 502/503/500/504, REST and media-nommer 401/403/503/429).
 */
#ifndef OMKT_APID_AUTH_H
#define OMKT_APID_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/db_accounts.h"
#include "common/pkgsign.h"

struct apid_req;

/* The door's verdict. */
enum apid_auth {
    APID_AUTH_OK = 0,
    APID_AUTH_NO_KEY,   /* no credential at all */
    APID_AUTH_UNKNOWN,  /* no account has this key */
    APID_AUTH_DISABLED, /* the account is disabled */
    APID_AUTH_DB_DOWN,  /* the database cannot be reached */
    APID_AUTH_LIMITED,  /* over the account's calls per minute */
};

/* The longest credential read from a header. */
#define APID_AUTH_KEY_MAX 128

/*
 * auth_header_key - the API key the request's headers carry into @buf:
 * "X-API-Key: KEY", else "Authorization: Bearer KEY" or "Basic
 * base64(user:KEY)".  Returns @buf, or NULL when there is none.
 */
const char *auth_header_key(struct apid_req *r, char *buf, size_t size);

/*
 * auth_nommer_key - the API key of a media-nommer submission into @buf:
 * the one in its path ("/nommer/<key>/job/submit", pathkey.h), else the
 * headers' (auth_header_key).  Returns @buf, or NULL when there is none.
 * The key is never logged: paths are shown through pathkey_mask().
 */
const char *auth_nommer_key(struct apid_req *r, char *buf, size_t size);

/*
 * auth_check - the account of API key @key (may be NULL) into @acc (new
 * strings: omkt_account_clear, also on failure), enabled, with the
 * request's database connection ready, and, when @is_limited, one call
 * counted against its calls per minute.  Returns the verdict.
 */
enum apid_auth auth_check(struct apid_req *r, const char *key, bool is_limited,
                          struct omkt_account *acc);

/*
 * auth_signed - the verdict on a signed package URL (common/pkgsign.h):
 * the account of @p->account_id (the media's owner) into @acc (new
 * strings: omkt_account_clear, also on failure), enabled, with the
 * request's database connection ready, @sig_hex its signature of @p
 * (constant-time) and @p->expires not before @now_s.  APID_AUTH_UNKNOWN
 * for a bad or expired signature (403).  Never rate-limited: a player
 * fetches many segments.
 */
enum apid_auth auth_signed(struct apid_req *r, const struct omkt_pkgsign *p,
                           const char *sig_hex, int64_t now_s,
                           struct omkt_account *acc);

/*
 * auth_admin_key - the operator credential of the request ("Authorization:
 * Bearer K" or Basic with K as the password) into @buf.  Returns @buf, or
 * NULL when there is none.
 */
const char *auth_admin_key(struct apid_req *r, char *buf, size_t size);

/*
 * auth_admin - whether the request's headers carry the operator
 * credential: [apid] admin_key or the API key of an enabled admin
 * account.  APID_AUTH_OK, NO_KEY, UNKNOWN (not an operator's), or
 * DB_DOWN when the database cannot say.  While the database is away, a
 * key it confirmed in the last APID_ACACHE_GRACE_MS (acache.h) still
 * passes: the operator pages are read-only and must show the outage.
 */
enum apid_auth auth_admin(struct apid_req *r);

#endif

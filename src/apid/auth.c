/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth - API keys to accounts, one door for every front (see auth.h).
 *
 * DESIGN: the verdict is computed in one order for everybody: the key's
 * account (the cache first, then the database), disabled, the database
 * connection the handler will need, then the rate limit, which counts
 * the call only when everything else passed.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/pathkey.h"
#include "apid/server.h"
#include "common/daemon.h"
#include "common/parse.h"

/* bearer - the credential of "Bearer K" or "Basic b64(user:K)" into @out. */
static bool bearer(const char *auth, char *out, size_t size)
{
    unsigned char dec[256];
    size_t len;
    int n;
    const char *colon;

    if (auth == NULL)
        return false;
    if (strncasecmp(auth, "Bearer ", 7) == 0)
        return omkt_strlcpy(out, auth + 7, size) == OMKT_OK;
    if (strncasecmp(auth, "Basic ", 6) != 0)
        return false;
    len = strlen(auth + 6);
    if (len == 0 || len > 4 * ((sizeof(dec) - 1) / 3))
        return false;
    n = EVP_DecodeBlock(dec, (const unsigned char *)auth + 6, (int)len);
    if (n <= 0)
        return false;
    while (n > 0 && dec[n - 1] == '\0') /* base64 padding */
        n--;
    dec[n] = '\0';
    colon = strchr((const char *)dec, ':');
    return colon != NULL && omkt_strlcpy(out, colon + 1, size) == OMKT_OK;
}

/* same - constant-time string comparison. */
static bool same(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

/* lookup - the account of @key through the cache. */
static int lookup(struct apid_req *r, const char *key, struct omkt_account *out)
{
    memset(out, 0, sizeof(*out));
    if (key == NULL || key[0] == '\0')
        return OMKT_ENOTFOUND;
    return acache_lookup(&r->a->accounts, apid_db(r), key, out);
}

/* effective_rate - calls per minute allowed to @acc. */
static int64_t effective_rate(const struct apid *a,
                              const struct omkt_account *acc)
{
    /* 600 is the column default: such accounts follow the config. */
    return acc->rate_limit != 600 ? acc->rate_limit : a->conf.rate_limit;
}

const char *auth_header_key(struct apid_req *r, char *buf, size_t size)
{
    const char *k = apid_header(r, "X-API-Key");

    if (k != NULL)
        return omkt_strlcpy(buf, k, size) == OMKT_OK ? buf : NULL;
    if (bearer(apid_header(r, MHD_HTTP_HEADER_AUTHORIZATION), buf, size))
        return buf;
    return NULL;
}

const char *auth_nommer_key(struct apid_req *r, char *buf, size_t size)
{
    if (pathkey_nommer(r->url, buf, size) && buf[0] != '\0')
        return buf;
    return auth_header_key(r, buf, size);
}

enum apid_auth auth_check(struct apid_req *r, const char *key, bool is_limited,
                          struct omkt_account *acc)
{
    int rc;

    if (key == NULL || key[0] == '\0') {
        memset(acc, 0, sizeof(*acc));
        return APID_AUTH_NO_KEY;
    }
    rc = lookup(r, key, acc);
    if (rc == OMKT_ENOTFOUND)
        return APID_AUTH_UNKNOWN;
    if (rc != OMKT_OK)
        return APID_AUTH_DB_DOWN;
    r->account_id = acc->id; /* for the call log, whatever the verdict */
    if (!acc->is_enabled)
        return APID_AUTH_DISABLED;
    if (apid_db(r) == NULL)
        return APID_AUTH_DB_DOWN;
    if (is_limited &&
        !ratelimit_take(&r->a->rl, acc->id, effective_rate(r->a, acc),
                        omkt_wall_ms()))
        return APID_AUTH_LIMITED;
    return APID_AUTH_OK;
}

enum apid_auth auth_signed(struct apid_req *r, const struct omkt_pkgsign *p,
                           const char *sig_hex, int64_t now_s,
                           struct omkt_account *acc)
{
    struct omkt_db *db = apid_db(r);
    int rc;

    memset(acc, 0, sizeof(*acc));
    if (db == NULL)
        return APID_AUTH_DB_DOWN;
    rc = omkt_account_by_id(db, p->account_id, acc, NULL);
    if (rc == OMKT_ENOTFOUND)
        return APID_AUTH_UNKNOWN;
    if (rc != OMKT_OK)
        return APID_AUTH_DB_DOWN;
    r->account_id = acc->id;
    if (!omkt_pkgsign_valid(acc->api_key, p, sig_hex) || p->expires < now_s)
        return APID_AUTH_UNKNOWN;
    return acc->is_enabled ? APID_AUTH_OK : APID_AUTH_DISABLED;
}

/* admin_account - the verdict on @acc, an operator's account or not. */
static enum apid_auth admin_account(struct omkt_account *acc)
{
    enum apid_auth v =
        acc->is_admin && acc->is_enabled ? APID_AUTH_OK : APID_AUTH_UNKNOWN;

    omkt_account_clear(acc);
    return v;
}

const char *auth_admin_key(struct apid_req *r, char *buf, size_t size)
{
    if (!bearer(apid_header(r, MHD_HTTP_HEADER_AUTHORIZATION), buf, size) ||
        buf[0] == '\0')
        return NULL;
    return buf;
}

enum apid_auth auth_admin(struct apid_req *r)
{
    char key[APID_AUTH_KEY_MAX];
    struct omkt_account acc = {0};
    int rc;

    if (auth_admin_key(r, key, sizeof(key)) == NULL)
        return APID_AUTH_NO_KEY;
    if (r->a->conf.admin_key != NULL && r->a->conf.admin_key[0] != '\0' &&
        same(key, r->a->conf.admin_key))
        return APID_AUTH_OK;
    rc = lookup(r, key, &acc);
    if (rc == OMKT_OK)
        return admin_account(&acc);
    if (rc == OMKT_ENOTFOUND)
        return APID_AUTH_UNKNOWN;
    /* The database is away: a key it confirmed lately still counts. */
    if (acache_lookup_verified(&r->a->accounts, key, APID_ACACHE_GRACE_MS,
                               &acc) == OMKT_OK)
        return admin_account(&acc);
    return APID_AUTH_DB_DOWN;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acache - a short-lived cache of accounts by API key, so a busy client's
 * calls do not each cost a lookup.  An entry lives APID_ACACHE_TTL_MS:
 * disabling an account or rotating its key takes effect within that
 * time on every apid.  Unknown keys are never cached.
 *
 * DESIGN: an expired entry stays in its slot (until another key takes
 * the slot or the database says the key is gone) with the time the
 * database last confirmed it, so the read-only operator pages can still
 * recognise a credential verified before a database outage
 * (acache_lookup_verified).  Nothing else reads expired entries.
 */
#ifndef OMKT_APID_ACACHE_H
#define OMKT_APID_ACACHE_H

#include <pthread.h>
#include <stdint.h>

#include "common/db.h"
#include "common/db_accounts.h"

#define APID_ACACHE_SLOTS  256
#define APID_ACACHE_TTL_MS 1000
/* How long a key confirmed by the database is still recognised by the
 * operator pages while the database is unreachable. */
#define APID_ACACHE_GRACE_MS (3600 * 1000)

struct apid_acache_slot {
    char key[OMKT_API_KEY_LEN + 1];
    int64_t expires_ms;
    int64_t verified_ms; /* when the database last confirmed it */
    struct omkt_account acc;
};

struct apid_acache {
    pthread_mutex_t lock;
    struct apid_acache_slot slots[APID_ACACHE_SLOTS];
};

void acache_init(struct apid_acache *c);
void acache_destroy(struct apid_acache *c);

/*
 * acache_lookup - the account of @key (from the cache or @db) into @out
 * (new strings: omkt_account_clear).  OMKT_ENOTFOUND for an unknown key,
 * OMKT_EDB when the database fails.
 */
int acache_lookup(struct apid_acache *c, struct omkt_db *db, const char *key,
                  struct omkt_account *out);

/*
 * acache_lookup_verified - the account of @key into @out (new strings:
 * omkt_account_clear) from the cache alone, if the database confirmed
 * the key less than @max_age_ms ago, expired or not.  For the read-only
 * operator pages during a database outage.  OMKT_ENOTFOUND otherwise.
 */
int acache_lookup_verified(struct apid_acache *c, const char *key,
                           int64_t max_age_ms, struct omkt_account *out);

#endif

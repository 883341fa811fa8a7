/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acache - accounts by API key, cached briefly (see acache.h). */
#include <stdlib.h>
#include <string.h>

#include "apid/acache.h"
#include "common/alloc.h"
#include "common/daemon.h"

void acache_init(struct apid_acache *c)
{
    memset(c->slots, 0, sizeof(c->slots));
    pthread_mutex_init(&c->lock, NULL);
}

void acache_destroy(struct apid_acache *c)
{
    for (size_t i = 0; i < APID_ACACHE_SLOTS; i++)
        omkt_account_clear(&c->slots[i].acc);
    pthread_mutex_destroy(&c->lock);
}

/* slot_of - the direct-mapped slot of @key (FNV-1a). */
static size_t slot_of(const char *key)
{
    uint32_t h = 2166136261u;

    for (const char *p = key; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % APID_ACACHE_SLOTS;
}

/* copy - a deep copy of @a into @out. */
static void copy(struct omkt_account *out, const struct omkt_account *a)
{
    *out = *a;
    out->email = a->email ? omkt_xstrdup(a->email) : NULL;
    out->api_key = a->api_key ? omkt_xstrdup(a->api_key) : NULL;
    out->client_key = a->client_key ? omkt_xstrdup(a->client_key) : NULL;
    out->url = a->url ? omkt_xstrdup(a->url) : NULL;
    out->adapters = a->adapters ? omkt_xstrdup(a->adapters) : NULL;
}

/* forget - empty @s if it holds @key: the database no longer knows it
 * (deleted, or its key rotated), so no outage may bring it back. */
static void forget(struct apid_acache *c, struct apid_acache_slot *s,
                   const char *key)
{
    pthread_mutex_lock(&c->lock);
    if (strcmp(s->key, key) == 0) {
        omkt_account_clear(&s->acc);
        memset(s, 0, sizeof(*s));
    }
    pthread_mutex_unlock(&c->lock);
}

int acache_lookup(struct apid_acache *c, struct omkt_db *db, const char *key,
                  struct omkt_account *out)
{
    struct apid_acache_slot *s = &c->slots[slot_of(key)];
    int64_t now = omkt_now_ms();
    int ret;

    memset(out, 0, sizeof(*out));
    if (strlen(key) > OMKT_API_KEY_LEN)
        return OMKT_ENOTFOUND;
    pthread_mutex_lock(&c->lock);
    if (s->expires_ms > now && strcmp(s->key, key) == 0) {
        copy(out, &s->acc);
        pthread_mutex_unlock(&c->lock);
        return OMKT_OK;
    }
    pthread_mutex_unlock(&c->lock);
    if (db == NULL)
        return OMKT_EDB;
    ret = omkt_account_by_key(db, key, out, NULL);
    if (ret == OMKT_ENOTFOUND)
        forget(c, s, key);
    if (ret != OMKT_OK)
        return ret;
    pthread_mutex_lock(&c->lock);
    omkt_account_clear(&s->acc);
    copy(&s->acc, out);
    memcpy(s->key, key, strlen(key) + 1);
    s->expires_ms = now + APID_ACACHE_TTL_MS;
    s->verified_ms = now;
    pthread_mutex_unlock(&c->lock);
    return OMKT_OK;
}

int acache_lookup_verified(struct apid_acache *c, const char *key,
                           int64_t max_age_ms, struct omkt_account *out)
{
    struct apid_acache_slot *s = &c->slots[slot_of(key)];
    int64_t now = omkt_now_ms();
    int ret = OMKT_ENOTFOUND;

    memset(out, 0, sizeof(*out));
    if (strlen(key) > OMKT_API_KEY_LEN)
        return OMKT_ENOTFOUND;
    pthread_mutex_lock(&c->lock);
    if (s->verified_ms > 0 && now - s->verified_ms < max_age_ms &&
        strcmp(s->key, key) == 0) {
        copy(out, &s->acc);
        ret = OMKT_OK;
    }
    pthread_mutex_unlock(&c->lock);
    return ret;
}

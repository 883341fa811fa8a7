/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratelimit - per-account sliding-window call counter (see ratelimit.h). */
#include <stdlib.h>
#include <string.h>

#include "apid/ratelimit.h"

void ratelimit_init(struct apid_ratelimit *rl)
{
    memset(rl->slots, 0, sizeof(rl->slots));
    pthread_mutex_init(&rl->lock, NULL);
}

void ratelimit_destroy(struct apid_ratelimit *rl)
{
    pthread_mutex_destroy(&rl->lock);
}

/* slot - the account's slot (open addressing; slots are never freed),
 * taking a free one when @is_add; NULL when absent or full. */
static struct apid_rl_slot *slot(struct apid_ratelimit *rl, int64_t id,
                                 bool is_add)
{
    size_t h = (size_t)((uint64_t)id * 2654435761u) % APID_RL_SLOTS;

    for (size_t k = 0; k < APID_RL_SLOTS; k++) {
        struct apid_rl_slot *s = &rl->slots[(h + k) % APID_RL_SLOTS];

        if (s->account_id == id)
            return s;
        if (s->account_id == 0 && !is_add)
            return NULL;
        if (s->account_id == 0) {
            s->account_id = id;
            return s;
        }
    }
    return NULL;
}

bool ratelimit_take(struct apid_ratelimit *rl, int64_t account_id,
                    int64_t limit, int64_t now_ms)
{
    bool is_ok = true;
    struct apid_rl_slot *s;

    if (limit <= 0)
        return true;
    pthread_mutex_lock(&rl->lock);
    s = slot(rl, account_id, true);
    if (s != NULL)
        is_ok = omkt_ratewin_take(&s->w, limit, now_ms);
    pthread_mutex_unlock(&rl->lock);
    return is_ok;
}

/* by_account - qsort order of marks. */
static int by_account(const void *a, const void *b)
{
    const struct apid_rl_mark *x = a, *y = b;

    return (x->account_id > y->account_id) - (x->account_id < y->account_id);
}

size_t ratelimit_mark(struct apid_ratelimit *rl, int64_t minute,
                      struct apid_rl_mark *out)
{
    size_t n = 0;

    pthread_mutex_lock(&rl->lock);
    for (size_t i = 0; i < APID_RL_SLOTS; i++) {
        struct apid_rl_slot *s = &rl->slots[i];

        if (s->account_id == 0)
            continue;
        out[n].account_id = s->account_id;
        if (omkt_ratewin_mark(&s->w, minute, &out[n].m))
            n++;
    }
    pthread_mutex_unlock(&rl->lock);
    qsort(out, n, sizeof(*out), by_account);
    return n;
}

/* apply - @fn on the window of each marked account still known. */
static void
apply(struct apid_ratelimit *rl, const struct apid_rl_mark *m, size_t n,
      void (*fn)(struct omkt_ratewin *, const struct omkt_ratewin_mark *))
{
    pthread_mutex_lock(&rl->lock);
    for (size_t i = 0; i < n; i++) {
        struct apid_rl_slot *s = slot(rl, m[i].account_id, false);

        if (s != NULL)
            fn(&s->w, &m[i].m);
    }
    pthread_mutex_unlock(&rl->lock);
}

void ratelimit_sent(struct apid_ratelimit *rl, const struct apid_rl_mark *m,
                    size_t n)
{
    apply(rl, m, n, omkt_ratewin_sent);
}

void ratelimit_seen(struct apid_ratelimit *rl, const struct apid_rl_mark *m,
                    size_t n)
{
    apply(rl, m, n, omkt_ratewin_seen);
}

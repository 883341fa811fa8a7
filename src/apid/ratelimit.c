/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratelimit - per-account sliding-window call counter (see ratelimit.h). */
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

/* slot - the account's slot (open addressing), or NULL when full. */
static struct apid_rl_slot *slot(struct apid_ratelimit *rl, int64_t id)
{
    size_t h = (size_t)((uint64_t)id * 2654435761u) % APID_RL_SLOTS;

    for (size_t k = 0; k < APID_RL_SLOTS; k++) {
        struct apid_rl_slot *s = &rl->slots[(h + k) % APID_RL_SLOTS];

        if (s->account_id == id || s->account_id == 0) {
            s->account_id = id;
            return s;
        }
    }
    return NULL;
}

bool ratelimit_take(struct apid_ratelimit *rl, int64_t account_id,
                    int64_t limit, int64_t now_ms)
{
    int64_t minute = now_ms / 60000;
    int64_t into_ms = now_ms % 60000;
    bool is_ok = true;
    struct apid_rl_slot *s;

    if (limit <= 0)
        return true;
    pthread_mutex_lock(&rl->lock);
    s = slot(rl, account_id);
    if (s != NULL) {
        if (s->minute != minute) {
            s->prev = s->minute == minute - 1 ? s->cur : 0;
            s->cur = 0;
            s->minute = minute;
        }
        /* weighted: calls of the last 60 s, assuming an even spread */
        if (s->cur + s->prev * (60000 - into_ms) / 60000 >= limit)
            is_ok = false;
        else
            s->cur++;
    }
    pthread_mutex_unlock(&rl->lock);
    return is_ok;
}

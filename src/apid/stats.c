/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats - request counters by action and status (see stats.h). */
#include <string.h>

#include "apid/stats.h"

void stats_init(struct apid_stats *s)
{
    s->n = 0;
    pthread_mutex_init(&s->lock, NULL);
}

void stats_destroy(struct apid_stats *s)
{
    pthread_mutex_destroy(&s->lock);
}

void stats_count(struct apid_stats *s, const char *api, const char *action,
                 unsigned status)
{
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].status == status && strcmp(s->v[i].action, action) == 0 &&
            strcmp(s->v[i].api, api) == 0) {
            s->v[i].count++;
            pthread_mutex_unlock(&s->lock);
            return;
        }
    }
    if (s->n < APID_STATS_MAX) {
        s->v[s->n].api = api;
        s->v[s->n].action = action;
        s->v[s->n].status = status;
        s->v[s->n].count = 1;
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

size_t stats_snapshot(struct apid_stats *s, struct apid_stat *out)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->n;
    memcpy(out, s->v, n * sizeof(*out));
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats - counters of this apid process for /metrics: requests by API
 * (route_match's label), action (or route) and HTTP status.  A small
 * fixed table under a mutex.
 */
#ifndef OMKT_APID_STATS_H
#define OMKT_APID_STATS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define APID_STATS_MAX 256

struct apid_stat {
    const char *api;    /* static string */
    const char *action; /* static string */
    unsigned status;
    uint64_t count;
};

struct apid_stats {
    pthread_mutex_t lock;
    struct apid_stat v[APID_STATS_MAX];
    size_t n;
};

void stats_init(struct apid_stats *s);
void stats_destroy(struct apid_stats *s);

/* stats_count - one request to @api of @action (both static) answered
 * @status. */
void stats_count(struct apid_stats *s, const char *api, const char *action,
                 unsigned status);

/* stats_snapshot - copy the table into @out (APID_STATS_MAX entries). */
size_t stats_snapshot(struct apid_stats *s, struct apid_stat *out);

#endif

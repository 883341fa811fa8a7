/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_api - the per-call log of the HTTP front (owns `api_calls`): apid
 * writes it in batches, housekeeping trims it.  The REST/media-nommer
 * `media` statements are in db_media.c, the dashboard and /metrics
 * aggregates in db_jobstats.c (`jobs`) and db_procs.c (`processes`).
 */
#ifndef OMKT_COMMON_DB_API_H
#define OMKT_COMMON_DB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One logged API call.  Strings are borrowed. */
struct omkt_api_call {
    int64_t account_id; /* 0: none (public call or unknown key) */
    const char *action;
    const char *application;
    const char *version;
    int code;
    const char *remote_addr;
    int64_t at_ms; /* wall clock of the call, ms since the epoch */
};

/* omkt_api_calls_insert - log @n calls (batched multi-row INSERTs).  Any
 * bytes are fine: text is cleaned and cut to its column (text.h). */
int omkt_api_calls_insert(struct omkt_db *db, const struct omkt_api_call *c,
                          size_t n, struct omkt_errbuf *eb);

/*
 * omkt_api_calls_trim - delete up to @limit call log rows older than
 * @age_s; *n counts them (housekeeping).
 */
int omkt_api_calls_trim(struct omkt_db *db, int64_t age_s, int64_t limit,
                        unsigned *n, struct omkt_errbuf *eb);

#endif

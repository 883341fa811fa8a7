/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_rate - the SQL of the cluster-wide API rate limit (owns `api_rate`):
 * calls per account and wall-clock minute, summed over every apid.  Each
 * apid adds what it counted, reads back the totals and trims old minutes.
 */
#ifndef OMKT_COMMON_DB_RATE_H
#define OMKT_COMMON_DB_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One count: @calls calls of @account_id in @minute (unix time DIV 60). */
struct omkt_rate_row {
    int64_t account_id;
    int64_t minute;
    int64_t calls;
};

/*
 * omkt_rate_add - add the @n rows' calls to the stored counts (rows are
 * created as needed; calls must be > 0).  Written in primary key order,
 * so concurrent writers never deadlock one another, several rows per
 * statement.  Run it in a transaction: a failure then adds nothing.
 */
int omkt_rate_add(struct omkt_db *db, const struct omkt_rate_row *rows,
                  size_t n, struct omkt_errbuf *eb);

/* Counts read back: @v holds @n rows (new: omkt_rate_rows_clear). */
struct omkt_rate_rows {
    struct omkt_rate_row *v;
    size_t n;
};

/*
 * omkt_rate_read - the stored counts of the @n accounts @ids for every
 * minute >= @since, in no particular order.  On OMKT_OK @out is filled
 * (release with omkt_rate_rows_clear()); on failure it is left empty.
 */
int omkt_rate_read(struct omkt_db *db, const int64_t *ids, size_t n,
                   int64_t since, struct omkt_rate_rows *out,
                   struct omkt_errbuf *eb);

/* omkt_rate_rows_clear - free what omkt_rate_read gave; accepts empty. */
void omkt_rate_rows_clear(struct omkt_rate_rows *rows);

/*
 * omkt_rate_trim - delete up to @limit rows of minutes before @before;
 * *n (may be NULL) counts them.
 */
int omkt_rate_trim(struct omkt_db *db, int64_t before, int64_t limit,
                   unsigned *n, struct omkt_errbuf *eb);

#endif

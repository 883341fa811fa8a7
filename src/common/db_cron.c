/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_cron - transcoder_cron due lists and claims (see db_cron.h). */
#include "alloc.h"
#include "db_cron.h"

/* The due condition; its two values are active_s, inactive_s. */
#define CRON_DUE                                                               \
    " a.enabled = 1 AND a.url <> '' AND (a.cron_last IS NULL OR"               \
    " a.cron_last <= NOW() - INTERVAL IF(a.created > NOW() - INTERVAL 30 DAY"  \
    " OR EXISTS (SELECT 1 FROM api_calls c WHERE c.account_id = a.id"          \
    " AND c.created > NOW() - INTERVAL 30 DAY), ?, ?) SECOND)"

int omkt_cron_due(struct omkt_db *db, int64_t active_s, int64_t inactive_s,
                  struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT a.id, a.url, a.client_key"
        " FROM accounts a WHERE" CRON_DUE " ORDER BY a.id LIMIT 1000";
    struct omkt_dbv v[] = {OMKT_DBV_I(active_s), OMKT_DBV_I(inactive_s)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_cron_claim(struct omkt_db *db, int64_t id, int64_t active_s,
                    int64_t inactive_s, bool *is_claimed,
                    struct omkt_errbuf *eb)
{
    static const char sql[] = "UPDATE accounts a SET a.cron_last = NOW()"
                              " WHERE a.id = ? AND" CRON_DUE;
    struct omkt_dbv v[] = {OMKT_DBV_I(id), OMKT_DBV_I(active_s),
                           OMKT_DBV_I(inactive_s)};
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), &affected, NULL, eb);

    *is_claimed = ret == OMKT_OK && affected == 1;
    return ret;
}

int omkt_cron_ok(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE accounts SET cron_last_ok = NOW() WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};

    return omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, NULL, eb);
}

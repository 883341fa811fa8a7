/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_api - the API call log on `api_calls` (see db_api.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_api.h"
#include "text.h"

#define CALL_ROW "(NULLIF(?, 0), ?, ?, ?, ?, ?, FROM_UNIXTIME(? / 1000))"
/* Rows per multi-row INSERT: one statement of 1 row and one of 4 are
 * prepared and cached, whatever the batch length. */
#define CALL_BATCH 4

/* One call's text, cleaned and cut to its column (bytes <= characters):
 * a value MariaDB refuses would stop the whole batch, and with it the
 * log, for every account. */
struct call_text {
    char action[64 + 1];
    char application[128 + 1];
    char version[64 + 1];
    char remote_addr[64 + 1];
};

/* clean - @c's strings into @t (cut: fine). */
static void clean(const struct omkt_api_call *c, struct call_text *t)
{
    (void)omkt_text_copy(t->action, sizeof(t->action),
                         c->action ? c->action : "");
    (void)omkt_text_copy(t->application, sizeof(t->application),
                         c->application ? c->application : "");
    (void)omkt_text_copy(t->version, sizeof(t->version),
                         c->version ? c->version : "");
    (void)omkt_text_copy(t->remote_addr, sizeof(t->remote_addr),
                         c->remote_addr ? c->remote_addr : "");
}
#define CALL_INSERT                                                            \
    "INSERT INTO api_calls (account_id, action, application, version, code,"   \
    " remote_addr, created) VALUES "

/* calls_run - one INSERT of @n (1 or CALL_BATCH) calls. */
static int calls_run(struct omkt_db *db, const struct omkt_api_call *c,
                     size_t n, struct omkt_errbuf *eb)
{
    static const char sql1[] = CALL_INSERT CALL_ROW;
    static const char sqln[] =
        CALL_INSERT CALL_ROW "," CALL_ROW "," CALL_ROW "," CALL_ROW;
    struct omkt_dbv v[CALL_BATCH * 7];
    struct call_text t[CALL_BATCH];

    for (size_t i = 0; i < n; i++) {
        struct omkt_dbv *w = &v[i * 7];

        clean(&c[i], &t[i]);
        w[0] = OMKT_DBV_I(c[i].account_id);
        w[1] = OMKT_DBV_S(t[i].action);
        w[2] = OMKT_DBV_S(t[i].application);
        w[3] = OMKT_DBV_S(t[i].version);
        w[4] = OMKT_DBV_I(c[i].code);
        w[5] = OMKT_DBV_S(t[i].remote_addr);
        w[6] = OMKT_DBV_I(c[i].at_ms);
    }
    return omkt_db_exec(db, n == 1 ? sql1 : sqln, v, n * 7, NULL, NULL, eb);
}

int omkt_api_calls_insert(struct omkt_db *db, const struct omkt_api_call *c,
                          size_t n, struct omkt_errbuf *eb)
{
    size_t i = 0;
    int ret = OMKT_OK;

    while (ret == OMKT_OK && i < n) {
        size_t k = n - i >= CALL_BATCH ? CALL_BATCH : 1;

        ret = calls_run(db, c + i, k, eb);
        i += k;
    }
    return ret;
}

int omkt_api_calls_trim(struct omkt_db *db, int64_t age_s, int64_t limit,
                        unsigned *n, struct omkt_errbuf *eb)
{
    static const char sql[] = "DELETE FROM api_calls"
                              " WHERE created < NOW(3) - INTERVAL ? SECOND"
                              " LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(age_s), OMKT_DBV_I(limit)};

    return omkt_db_exec_count(db, sql, v, 2, n, eb);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media_verb - cancel or retry a whole media: every job of it in a
 * fitting state, through jobflow (omkt_jobflow_cancel / _retry).  The
 * REST API does it for an account's own media, the dashboard for an
 * operator on any media.
 */
#ifndef OMKT_APID_MEDIA_VERB_H
#define OMKT_APID_MEDIA_VERB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"

/*
 * media_verb - cancel (@is_cancel: its queued, delayed and running jobs)
 * or retry (its failed jobs) media @id; *n counts the jobs changed.
 * @account_id > 0 restricts it to that account's media, 0 allows any
 * (operators).  OMKT_ENOTFOUND when there is no such media (for that
 * account), OMKT_EDB when the database fails.
 */
int media_verb(struct omkt_db *db, int64_t id, int64_t account_id,
               bool is_cancel, unsigned *n);

#endif

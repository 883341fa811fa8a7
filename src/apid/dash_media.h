/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dash_media - the dashboard's "Media" section: the newest media with
 * their account, CMS id, source URL, state, the state of each setting,
 * the job running for them (task, host, progress, ETA), retry and
 * cancel buttons (POST forms, dash_action.h), and a filter by account
 * and job state (GET parameters, so a filtered view is a link).
 */
#ifndef OMKT_APID_DASH_MEDIA_H
#define OMKT_APID_DASH_MEDIA_H

#include "apid/sbuf.h"
#include "common/db.h"

/* What the section shows: the filter from the page's query string, and
 * the form token of the retry and cancel buttons (dash_action.h). */
struct dash_view {
    const char *account; /* an account id or email, "" for all; borrowed */
    const char *state;   /* a job state, "" for any; static */
    const char *csrf;    /* the buttons' token; borrowed */
};

/* dash_view_parse - @account and @state (query values, may be NULL or
 * anything) into @f; an unknown state means any.  @f->csrf is NULL. */
void dash_view_parse(const char *account, const char *state,
                     struct dash_view *f);

/* dash_media - append the section for @f, read from @db, to @b. */
void dash_media(struct omkt_db *db, const struct dash_view *f, struct sbuf *b);

#endif

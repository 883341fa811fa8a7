/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restcb_body - the bodies of REST callbacks: the one place that knows
 * their JSON (docs/callbacks.md "REST callbacks", docs/openapi.yaml
 * `callbacks:`).  Pure: no SQL, no I/O; restcb.c decides when each is
 * sent.  Every body starts with event, event_id, created, media_id and
 * external_id, in that order.
 */
#ifndef OMKT_COMMON_RESTCB_BODY_H
#define OMKT_COMMON_RESTCB_BODY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The fields every event carries.  Strings borrowed. */
struct omkt_restcb_head {
    const char *event;       /* format.done, format.failed, media.done, ... */
    const char *event_id;    /* "evt_" and 24 hex digits */
    const char *created;     /* "2026-12-03T07:00:00Z" */
    int64_t media_id;        /* the REST id */
    const char *external_id; /* the CMS's reference, or NULL */
};

/* One setting of a media, from its transcodes row.  Strings borrowed. */
struct omkt_restcb_setting {
    int setting_id;
    const char *state;    /* the row's: processed, error, cancelled, ... */
    const char *path;     /* the output, relative to the docroot, or NULL */
    int64_t cardinality;  /* files made */
    const char *metadata; /* the output's metadata (JSON text) or NULL */
    const char *error;    /* why it failed, or NULL */
};

/* The media-level outcome of media.* events.  Strings borrowed. */
struct omkt_restcb_end {
    const char *state; /* done, partial, failed, cancelled */
    const struct omkt_restcb_setting *settings;
    size_t n;
    const char *stage; /* media.failed: "download" or "metadata" */
    const char *error; /* media.failed: why */
};

/*
 * omkt_restcb_stamp - a fresh event id and the current time (UTC) for
 * @h's event_id and created, written into @id (OMKT_RESTCB_ID_LEN bytes)
 * and @when (OMKT_RESTCB_TIME_LEN bytes).  OMKT_EIO when no randomness.
 */
#define OMKT_RESTCB_ID_LEN   32
#define OMKT_RESTCB_TIME_LEN 24
int omkt_restcb_stamp(char *id, char *when, struct omkt_errbuf *eb);

/* omkt_restcb_setting_state - the API's name of a transcodes state:
 * processed -> done, error -> failed, asked/running -> processing, others
 * as they are (cancelled, expired). */
const char *omkt_restcb_setting_state(const char *row_state);

/* omkt_restcb_overall - media.done's state from its settings: done (all
 * done, or none asked), failed (none done), else partial. */
const char *omkt_restcb_overall(const struct omkt_restcb_setting *s, size_t n);

/* omkt_restcb_format_body - format.done (an output: path, download_path,
 * cardinality, metadata) or format.failed (error).  New reference. */
json_t *omkt_restcb_format_body(const struct omkt_restcb_head *h,
                                const struct omkt_restcb_setting *s);

/* omkt_restcb_media_body - media.done, media.cancelled or media.failed.
 * New reference. */
json_t *omkt_restcb_media_body(const struct omkt_restcb_head *h,
                               const struct omkt_restcb_end *e);

#endif

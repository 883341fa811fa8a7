/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits - the sizes apid accepts from a client, shared by its three
 * fronts (OMKT, REST, media-nommer) and listed in docs/api.md, "Limits".
 * A value over a limit is the client's error: OMKT answers a client code
 * (13 for a URL, 505 for a parameter), REST and media-nommer a 400, never
 * a server error.  The values fit the database columns they end in.
 */
#ifndef OMKT_APID_LIMITS_H
#define OMKT_APID_LIMITS_H

/* A source URL or callback URL, in bytes (media.url, notify_url are
 * VARCHAR(2048)). */
#define APID_URL_MAX 2048

/* app_subscribe's email and callback url (accounts.email VARCHAR(255),
 * accounts.url VARCHAR(1024)). */
#define APID_EMAIL_MAX       255
#define APID_ACCOUNT_URL_MAX 1024

/* A media-nommer dest_path, in bytes, relative to the export area. */
#define APID_DEST_MAX 1024

#endif

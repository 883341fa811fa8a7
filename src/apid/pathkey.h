/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathkey - media-nommer's submit path, which may carry the account's API
 * key: media-nommer-api-python is given only a base URL and posts to
 * "<base>/job/submit", so a base of "http://HOST:PORT/nommer/<key>" puts
 * the key in the path.  Pure functions (no MHD, no I/O): route.c asks
 * whether a path is a submit path, auth.c takes the key from it, and
 * every log line shows paths through pathkey_mask().
 */
#ifndef OMKT_APID_PATHKEY_H
#define OMKT_APID_PATHKEY_H

#include <stdbool.h>
#include <stddef.h>

/* The prefix of a path that carries a key. */
#define PATHKEY_PREFIX "/nommer/"

/*
 * pathkey_nommer - whether @path is a media-nommer submit path:
 *   [/nommer/<key>]/job/submit[/]
 * where the slash before "job" may be doubled (a base URL given with a
 * trailing slash: "<base>/" + "/job/submit").  <key> is one non-empty
 * segment.  On true, @key (@size bytes, may be NULL) gets the key, or ""
 * when the path has none; a key that does not fit makes it false.
 */
bool pathkey_nommer(const char *path, char *key, size_t size);

/*
 * pathkey_mask - @in (any text: a path, a log message quoting one) into
 * @out (@size bytes, cut when short) with the segment after every
 * "/nommer/" replaced by "****".
 */
void pathkey_mask(const char *in, char *out, size_t size);

#endif

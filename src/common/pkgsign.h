/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pkgsign - signed expiring URLs of a streaming package (docs/streaming.md):
 * a browser player fetches /v1/signed/EXP.SIG/media/M/package/S/FILE
 * without the API key.  SIG is the lowercase hex HMAC-SHA256, keyed with
 * the owning account's API key, of
 *   "omkt-pkg-v1\n<account>\n/media/<M>/package/<S>/\n<EXP>"
 * so it covers the account, the media, the package path prefix (every
 * file below it, which keeps the manifests' relative references working)
 * and the expiry (unix seconds).  Rotating the account's key revokes
 * every URL signed with the old one.  apid checks them, apid (REST) and
 * notifierd (OMKT callbacks) make them.
 */
#ifndef OMKT_COMMON_PKGSIGN_H
#define OMKT_COMMON_PKGSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hex digits of a signature, and room for a token "EXP.SIG". */
#define OMKT_PKGSIGN_SIG_HEX   64
#define OMKT_PKGSIGN_TOKEN_MAX 96

/* The streaming (HLS + DASH) package setting (docs/streaming.md). */
#define OMKT_STREAM_SETTING 1001

/* omkt_pkgsign_is_package - setting @id's output is a streaming package
 * directory served file by file. */
bool omkt_pkgsign_is_package(int64_t id);

/* What a signature covers. */
struct omkt_pkgsign {
    int64_t account_id;
    int64_t media_id;
    int64_t setting_id;
    int64_t expires; /* unix seconds */
};

/*
 * omkt_pkgsign_token - "EXP.SIG" of @p with @secret (the account's API
 * key) into @out.  OMKT_ETOOBIG when it does not fit, OMKT_ENOMEM when
 * libcrypto fails.
 */
int omkt_pkgsign_token(const char *secret, const struct omkt_pkgsign *p,
                       char *out, size_t size);

/*
 * omkt_pkgsign_valid - @sig_hex (any NUL-terminated bytes) is the
 * signature of @p with @secret; compared in constant time.  The expiry
 * is not judged here.
 */
bool omkt_pkgsign_valid(const char *secret, const struct omkt_pkgsign *p,
                        const char *sig_hex);

/*
 * omkt_pkgsign_url - "@base/v1/signed/EXP.SIG/media/M/package/S/@file"
 * into @out (@base without a trailing slash, may be "").  Errors as
 * omkt_pkgsign_token().
 */
int omkt_pkgsign_url(char *out, size_t size, const char *base,
                     const char *secret, const struct omkt_pkgsign *p,
                     const char *file);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sign - the X-Omkt-Signature header of callbacks (docs/callbacks.md):
 *   "t=<unix time>,v1=<hex HMAC-SHA256(client key, S)>"  where
 *   S = "<t>.<callback id>.<METHOD>.<hex SHA-256(body)>.<path?query>"
 * (the body is empty for GET; path?query is the request target exactly
 * as sent).
 */
#ifndef OMKT_NOTIFIERD_SIGN_H
#define OMKT_NOTIFIERD_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SIGN_HEADER_MAX 96 /* "t=" 20 digits ",v1=" 64 hex, NUL */

struct sign_input {
    const char *key; /* the account's client key */
    int64_t t;       /* unix seconds */
    const char *id;  /* callback id */
    const char *method;
    const char *target;
    const char *body; /* may be NULL: empty */
    size_t body_len;
};

/* sign_value - the header value into @out.  OMKT_ENOMEM/OMKT_ETOOBIG. */
int sign_value(const struct sign_input *in, char *out, size_t size);

#endif

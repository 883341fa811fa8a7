/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3sign - AWS Signature Version 4: the canonical request, the string to
 * sign, the signing key and the Authorization header, for S3 and for the
 * other AWS services (SQS, EC2) the cloud backend talks to.  Pure logic on
 * strings and OpenSSL's libcrypto (EVP, HMAC): no I/O, no clock.
 *
 * DESIGN: libcurl 7.88's CURLOPT_AWS_SIGV4 neither sorts query parameters
 * nor joins repeated headers, and it signs a path after its own rewriting;
 * so every request omkt signs goes through this one signer, which is tested
 * against every vector of the AWS SigV4 test suite (tests/unit/
 * test_s3sign.c).  S3 mode (is_normalize_path false) signs the path exactly
 * as sent, "//" and "." segments included, as S3 does; other services
 * normalise it (RFC 3986 dot segments, repeated slashes collapsed).
 * XXX: non-S3 services also double-encode the path; no caller sends a path
 * with escapes to them (they all use "/"), so that is not implemented.
 */
#ifndef OMKT_COMMON_S3SIGN_H
#define OMKT_COMMON_S3SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define OMKT_SHA256_HEX_LEN 64
#define OMKT_SIGV4_UNSIGNED "UNSIGNED-PAYLOAD"

struct omkt_s3_header {
    const char *name;
    const char *value;
};

/* One request as it goes on the wire.  All strings borrowed. */
struct omkt_sigv4_request {
    const char *method;
    const char *path;  /* as sent: percent-encoded, starts with '/' */
    const char *query; /* as sent, without '?'; NULL or "" when none */
    const struct omkt_s3_header *headers; /* every header to sign */
    size_t nheaders;
    const char *payload_hash; /* 64 lower-case hex, or UNSIGNED-PAYLOAD */
    bool is_normalize_path;   /* false for S3 */
};

/* Who signs, where and when.  All strings borrowed. */
struct omkt_sigv4_scope {
    const char *access_key;
    const char *secret_key;
    const char *region;
    const char *service;  /* "s3", "sqs", "ec2" */
    const char *amz_date; /* "YYYYMMDDTHHMMSSZ", also in the X-Amz-Date */
};

/* omkt_sha256_hex - lower-case hex SHA-256 of @len bytes at @buf. */
void omkt_sha256_hex(const void *buf, size_t len,
                     char out[OMKT_SHA256_HEX_LEN + 1]);

/*
 * omkt_sigv4_canonical - the canonical request of @r (new, free()) and its
 * signed header list "a;b;c" (new, free(); may be NULL when not wanted).
 * OMKT_EINVAL when the path does not start with '/', a header name is
 * empty or the payload hash is malformed.
 */
int omkt_sigv4_canonical(const struct omkt_sigv4_request *r, char **creq,
                         char **signed_headers);

/*
 * omkt_sigv4_string_to_sign - the string to sign for canonical request
 * @creq under @s (new, free()).  OMKT_EINVAL on a malformed amz_date.
 */
int omkt_sigv4_string_to_sign(const char *creq,
                              const struct omkt_sigv4_scope *s, char **sts);

/*
 * omkt_sigv4_signature - the hex signature of string-to-sign @sts with the
 * key derived from @s (secret, date, region, service).  OMKT_ENOMEM when
 * OpenSSL fails.
 */
int omkt_sigv4_signature(const char *sts, const struct omkt_sigv4_scope *s,
                         char out[OMKT_SHA256_HEX_LEN + 1]);

/*
 * omkt_sigv4_authorization - the value of the Authorization header for @r
 * signed with @s (new, free()).  The secret never appears in it.
 */
int omkt_sigv4_authorization(const struct omkt_sigv4_request *r,
                             const struct omkt_sigv4_scope *s, char **authz);

/*
 * omkt_s3_uri_encode - RFC 3986 encoding for AWS: every byte but
 * A-Z a-z 0-9 - . _ ~ becomes %XX (upper case); '/' is kept when
 * @keep_slash.  Returns a new string (free()).
 */
char *omkt_s3_uri_encode(const char *s, bool keep_slash);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3cred - where S3 credentials and settings come from: `s3://` URIs
 * (media-nommer's s3://KEY:SECRET@bucket/key), the [s3] configuration
 * section and its named profiles ([s3.NAME]), the standard AWS
 * environment variables, and the EC2 instance metadata service (IMDSv2).
 *
 * DESIGN: resolution order for one transfer is: credentials embedded in
 * the URI; else the chosen profile's keys (the [s3] section when no
 * profile is named); else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN; else IMDSv2 when the profile enables it.  A secret
 * is never put in an error text: URIs are shown through omkt_s3_uri_mask.
 * The IMDS endpoint is configurable (tests use a loopback fake); it is
 * only contacted when imds = yes.
 */
#ifndef OMKT_COMMON_S3CRED_H
#define OMKT_COMMON_S3CRED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "s3.h"

#define OMKT_S3_IMDS_DEFAULT "http://169.254.169.254"

/* A parsed s3:// URI (strings new; omkt_s3_uri_clear). */
struct omkt_s3_uri {
    char *bucket;
    char *key;
    struct omkt_s3_creds creds; /* both NULL when none embedded */
};

/*
 * omkt_s3_uri_parse - split "s3://[KEY:SECRET@]bucket/key".  The secret
 * may contain '/' and '+' (AWS secrets do) and may be percent-encoded;
 * the key is taken literally.  OMKT_EINVAL with a masked reason in @eb.
 */
int omkt_s3_uri_parse(const char *uri, struct omkt_s3_uri *out,
                      struct omkt_errbuf *eb);
void omkt_s3_uri_clear(struct omkt_s3_uri *u);

/* omkt_s3_uri_is_s3 - whether @s starts with "s3://". */
bool omkt_s3_uri_is_s3(const char *s);

/*
 * omkt_s3_uri_mask - @uri safe to show: an embedded secret becomes
 * "****" (new, free()).  Not an s3:// URI: a copy, cleaned as text.
 */
char *omkt_s3_uri_mask(const char *uri);

/* One [s3] or [s3.NAME] section (strings new). */
struct omkt_s3_profile {
    char *name; /* "" for [s3] */
    char *endpoint, *region;
    char *access_key, *secret_key, *session_token;
    enum omkt_s3_addressing addressing;
    int64_t part_size;
    int64_t max_attempts;
    bool is_imds;
    bool is_allow_private; /* the store is on loopback or a private LAN */
    char *imds_endpoint;
};

/* Every S3 section of a configuration file. */
struct omkt_s3_conf {
    struct omkt_s3_profile *v; /* v[0] is [s3], always present */
    size_t n;
};

/*
 * omkt_s3_conf_load - read the [s3] and [s3.NAME] sections of @path
 * (other sections are skipped; conf.c checks them).  Keys: endpoint,
 * region, addressing (virtual|path), access_key, secret_key,
 * secret_key_file (a 0600 file), session_token, part_size (5M..5G),
 * max_attempts (1..20), allow_private (yes|no), imds (yes|no),
 * imds_endpoint.  Profiles inherit
 * what they leave unset from [s3].  OMKT_ECONF with "file:line: reason".
 */
int omkt_s3_conf_load(const char *path, struct omkt_s3_conf *out,
                      struct omkt_errbuf *eb);
void omkt_s3_conf_free(struct omkt_s3_conf *c);

/* omkt_s3_conf_profile - profile @name ("" or NULL: [s3]); NULL if none. */
const struct omkt_s3_profile *omkt_s3_conf_profile(const struct omkt_s3_conf *c,
                                                   const char *name);

/* omkt_s3_conf_print - the sections, secrets masked. */
void omkt_s3_conf_print(FILE *out, const struct omkt_s3_conf *c);

/*
 * omkt_s3_creds_env - credentials from AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (new).  OMKT_ENOTFOUND
 * unless both key and secret are set.
 */
int omkt_s3_creds_env(struct omkt_s3_creds *out);

/*
 * omkt_s3_creds_imds - temporary credentials of the instance role from
 * IMDSv2 at @endpoint (NULL: 169.254.169.254): PUT a session token, GET
 * the role name, GET its credentials.  @region (may be NULL) gets the
 * instance's region (new).  OMKT_ENOTFOUND when no role, OMKT_ENET.
 */
int omkt_s3_creds_imds(const char *endpoint, struct omkt_s3_creds *out,
                       char **region, struct omkt_errbuf *eb);

/*
 * omkt_s3_resolve - credentials and client settings for a transfer of
 * @uri (may be NULL) with profile @profile of @conf (may be NULL: only
 * the environment and URI count).  @cfg's strings are borrowed from
 * @conf, @uri or the environment; *cr is new.
 */
int omkt_s3_resolve(const struct omkt_s3_conf *conf, const char *profile,
                    const struct omkt_s3_uri *uri, struct omkt_s3_config *cfg,
                    struct omkt_s3_creds *cr, struct omkt_errbuf *eb);

#endif

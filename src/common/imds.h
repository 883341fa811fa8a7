/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * imds - the EC2 instance metadata service (IMDSv2) as a cloud worker
 * reads it: its own instance id (to terminate itself when idle) and the
 * spot interruption notice (latest/meta-data/spot/instance-action), which
 * tells the worker to release its message at once and stop.  Instance
 * role credentials are s3cred's (omkt_s3_creds_imds).
 *
 * DESIGN: one client keeps a session token (PUT latest/api/token, TTL 6
 * hours) and renews it before it expires or when a GET answers 401.
 * The endpoint is configurable: production uses 169.254.169.254, tests a
 * loopback fake (tests never use 169.254.x).  The endpoint is the
 * operator's choice and link-local by nature, so the address policy lets
 * private addresses through for it alone.  Short timeouts: an instance
 * that cannot reach its metadata service must not hang its worker.
 * Not thread-safe per client.
 */
#ifndef OMKT_COMMON_IMDS_H
#define OMKT_COMMON_IMDS_H

#include <stddef.h>

#include "err.h"

#define OMKT_IMDS_DEFAULT "http://169.254.169.254"

/* A spot interruption notice: {"action": "terminate", "time": "..."}. */
struct omkt_imds_spot {
    char action[16]; /* terminate, stop or hibernate */
    char time[32];   /* ISO 8601 UTC, when it happens */
};

struct omkt_imds;

/* omkt_imds_new - a client of @endpoint (NULL or "": the default). */
int omkt_imds_new(const char *endpoint, struct omkt_imds **out,
                  struct omkt_errbuf *eb);
void omkt_imds_free(struct omkt_imds *m);

/*
 * omkt_imds_get - the body of GET @endpoint/latest/@path with a session
 * token (*out new, at most 64 KiB).  OMKT_ENOTFOUND on 404, OMKT_ENET
 * (retryable) when unreachable, OMKT_EHTTP on other statuses.
 */
int omkt_imds_get(struct omkt_imds *m, const char *path, char **out,
                  struct omkt_errbuf *eb);

/* omkt_imds_instance_id - this instance's id ("i-...", *id new). */
int omkt_imds_instance_id(struct omkt_imds *m, char **id,
                          struct omkt_errbuf *eb);

/* omkt_imds_spot_notice - OMKT_OK with @out filled when an interruption
 * is scheduled, OMKT_ENOTFOUND when none (the usual answer). */
int omkt_imds_spot_notice(struct omkt_imds *m, struct omkt_imds_spot *out,
                          struct omkt_errbuf *eb);

/* omkt_imds_parse_spot - the notice in @body (@len bytes).  OMKT_EINVAL
 * when it is not one.  Pure; exposed for tests. */
int omkt_imds_parse_spot(const char *body, size_t len,
                         struct omkt_imds_spot *out);

#endif

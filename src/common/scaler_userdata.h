/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler_userdata - the user-data of a cloud worker instance: a shell
 * script, rendered from the [cloud] configuration, that writes the
 * worker's configuration file and execs transcoderd with
 * `[transcoderd] queue = sqs`.
 *
 * DESIGN: no secret ever goes into user-data (anyone who can describe the
 * instance reads it): the worker's credentials come from its instance
 * profile through IMDSv2 (`[s3] imds = yes`), and struct omkt_cloud_conf
 * carries no secret to leak.  Values are written inside quoted
 * here-documents, so the shell expands nothing in them; a value with a
 * control character (a newline could end the document early) is refused.
 * The metadata endpoint is the configured one unless the instance's
 * environment has OMKT_IMDS_ENDPOINT (set only by the tests' fake EC2,
 * whose instances each have their own endpoint).  The script is at most
 * OMKT_EC2_MAX_USERDATA bytes (AWS's limit before base64).
 */
#ifndef OMKT_COMMON_SCALER_USERDATA_H
#define OMKT_COMMON_SCALER_USERDATA_H

#include "cloudconf.h"
#include "err.h"

#define OMKT_WORKER_CONF_DEFAULT    "/etc/omkt/omkt.conf"
#define OMKT_WORKER_PROGRAM_DEFAULT "/usr/sbin/transcoderd"

/* Where the image keeps things (strings borrowed; NULL: the default). */
struct omkt_scaler_worker {
    const char *conf_path;     /* the file the script writes */
    const char *program;       /* transcoderd on the image */
    const char *s3_endpoint;   /* [s3] endpoint for the worker; NULL: AWS's */
    const char *s3_addressing; /* "path"; NULL: the default */
    const char *s3_allow_private; /* "yes"; NULL: the default */
};

/*
 * omkt_scaler_userdata - the script for @c and @w in *out (new, free()).
 * OMKT_EINVAL when a value holds a control character, OMKT_ETOOBIG past
 * OMKT_EC2_MAX_USERDATA bytes; @eb names the key.
 */
int omkt_scaler_userdata(const struct omkt_cloud_conf *c,
                         const struct omkt_scaler_worker *w, char **out,
                         struct omkt_errbuf *eb);

#endif

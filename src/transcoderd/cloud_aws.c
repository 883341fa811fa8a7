/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cloud_aws - the cloud worker's AWS clients (see cloud_aws.h). */
#include <stdio.h>
#include <string.h>

#include "cloud_aws.h"

int cloud_aws_new(const struct cloud_env *e, const char *service,
                  struct omkt_aws **out, struct omkt_errbuf *eb)
{
    const struct omkt_cloud_conf *c = e->cf->cloud;
    struct omkt_aws_config cfg = {.region = c->region,
                                  .service = service,
                                  .lim = {.allow_private = c->allow_private}};
    struct omkt_s3_config s3cfg;
    struct omkt_s3_creds cr;
    char buf[256];
    int ret;

    *out = NULL;
    cfg.endpoint = omkt_cloud_endpoint(c, service, buf, sizeof(buf));
    ret = omkt_s3_resolve(&e->s3, NULL, NULL, &s3cfg, &cr, eb);
    if (ret == OMKT_OK)
        ret = omkt_aws_new(&cfg, &cr, out, eb);
    omkt_s3_creds_clear(&cr);
    return ret;
}

int cloud_s3_open(const struct cloud_env *e, const char *uri,
                  const struct omkt_s3_hooks *h, struct omkt_s3_uri *u,
                  struct omkt_s3 **s3, struct omkt_errbuf *eb)
{
    struct omkt_s3_config cfg;
    struct omkt_s3_creds cr;
    int ret = omkt_s3_uri_parse(uri, u, eb);

    *s3 = NULL;
    if (ret != OMKT_OK)
        return ret;
    ret = omkt_s3_resolve(&e->s3, NULL, u, &cfg, &cr, eb);
    if (ret == OMKT_OK)
        ret = omkt_s3_new(&cfg, &cr, s3, eb);
    omkt_s3_creds_clear(&cr);
    if (ret == OMKT_OK && h != NULL)
        omkt_s3_set_hooks(*s3, h);
    if (ret != OMKT_OK)
        omkt_s3_uri_clear(u);
    return ret;
}

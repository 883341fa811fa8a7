/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3job - S3 locations of jobs and their kept secrets (see s3job.h).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "s3job.h"

#define SECRETS "s3_secrets"

static struct omkt_s3_conf s3conf; /* read-only after omkt_s3job_init */
static bool has_conf;

int omkt_s3job_init(const char *path, struct omkt_errbuf *eb)
{
    int ret = omkt_s3_conf_load(path, &s3conf, eb);

    has_conf = ret == OMKT_OK;
    return ret;
}

void omkt_s3job_finish(void)
{
    if (has_conf)
        omkt_s3_conf_free(&s3conf);
    has_conf = false;
}

/* stop - the S3 client's stop hook: the job must stop. */
static bool stop(void *arg)
{
    return omkt_jobctx_should_stop(arg);
}

int omkt_s3job_hide(const char *uri, json_t *opts, const char *which,
                    char **shown, struct omkt_errbuf *eb)
{
    struct omkt_s3_uri u = {0};
    json_t *keep;
    int ret = omkt_s3_uri_parse(uri, &u, eb);

    *shown = NULL;
    if (ret != OMKT_OK)
        return ret;
    if (u.creds.secret_key != NULL) {
        keep = json_object_get(opts, SECRETS);
        if (!json_is_object(keep)) {
            keep = json_object();
            json_object_set_new(opts, SECRETS, keep);
        }
        json_object_set_new(keep, which, json_string(u.creds.secret_key));
    }
    *shown = omkt_s3_uri_mask(uri);
    omkt_s3_uri_clear(&u);
    return OMKT_OK;
}

/* keep_secret - u's access key with the kept secret (when there is one). */
static void keep_secret(struct omkt_s3_uri *u, const char *job_options,
                        const char *which)
{
    json_t *o;
    const char *s;

    if (u->creds.access_key == NULL || job_options == NULL)
        return;
    o = json_loads(job_options, 0, NULL);
    s = json_string_value(json_object_get(json_object_get(o, SECRETS), which));
    if (s != NULL) {
        if (u->creds.secret_key != NULL) /* wipe "****" like a secret */
            memset(u->creds.secret_key, 0, strlen(u->creds.secret_key));
        free(u->creds.secret_key);
        u->creds.secret_key = omkt_xstrdup(s);
    }
    json_decref(o);
}

int omkt_s3job_open(const struct omkt_s3job_req *rq, struct omkt_s3_uri *u,
                    struct omkt_s3 **s3, struct omkt_errbuf *eb)
{
    struct omkt_s3_config cfg;
    struct omkt_s3_creds cr = {0};
    int ret = omkt_s3_uri_parse(rq->uri, u, eb);

    *s3 = NULL;
    if (ret != OMKT_OK)
        return ret;
    keep_secret(u, rq->job_options, rq->which);
    ret = omkt_s3_resolve(has_conf ? &s3conf : NULL, NULL, u, &cfg, &cr, eb);
    if (ret == OMKT_OK) {
        bool is_private = cfg.lim.allow_private;

        if (rq->lim != NULL)
            cfg.lim = *rq->lim;
        cfg.lim.allow_private = is_private; /* the store's, not the job's */
        cfg.max_object_bytes = rq->max_object_bytes;
        ret = omkt_s3_new(&cfg, &cr, s3, eb);
    }
    if (ret == OMKT_OK && rq->ctx != NULL) {
        const struct omkt_s3_hooks h = {.stop = stop, .arg = rq->ctx};

        omkt_s3_set_hooks(*s3, &h);
    }
    omkt_s3_creds_clear(&cr);
    if (ret != OMKT_OK) {
        eb->retryable = false;
        omkt_s3_uri_clear(u);
    }
    return ret;
}

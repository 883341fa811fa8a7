/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_job - probe one original and record the outcome.
 *
 * DESIGN: the handler only reads (the media row, the file); every write
 * happens in the hooks, inside the transaction that ends the job: the
 * metadata, the media state, the callback job and the transcodes the
 * client asked up front (REST want_settings) appear together or not at
 * all.  A file that is not media fails at once (no retry) with an alert.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/db_media.h"
#include "common/fsops.h"
#include "common/notify.h"
#include "common/restcb.h"
#include "common/jobflow.h"
#include "common/path.h"
#include "media/probe.h"
#include "probe_job.h"

#define MAX_WANTED 32

static const struct probe_conf *conf;

struct probe_state {
    struct omkt_media media;
    char *json; /* the metadata, compact */
};

void probe_job_init(const struct probe_conf *pc)
{
    conf = pc;
}

/* load - the media row and the original's absolute path. */
static int load(struct omkt_jobctx *ctx, struct probe_state *ps, char *path,
                size_t size)
{
    int ret = omkt_media_get(ctx->db, ctx->job.media_id, &ps->media, &ctx->eb);

    if (ret == OMKT_ENOTFOUND) {
        omkt_errf(&ctx->eb, "media %" PRId64 " does not exist",
                  ctx->job.media_id);
        return OMKT_EINVAL;
    }
    if (ret != OMKT_OK) {
        ctx->eb.retryable = true;
        return ret;
    }
    if (ps->media.path == NULL ||
        omkt_path_under(conf->docroot, ps->media.path, path, size) != OMKT_OK) {
        omkt_errf(&ctx->eb, "media %" PRId64 " has no usable original path",
                  ps->media.id);
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

int probe_job_handle(struct omkt_jobctx *ctx)
{
    struct probe_state *ps = omkt_xcalloc(1, sizeof(*ps));
    struct omkt_probe_opts opts = {.want_crop = conf->is_crop_detect,
                                   .timeout_ms = 120000};
    char path[OMKT_PATH_MAX];
    json_t *meta = NULL;
    int ret;

    ctx->data = ps;
    ret = load(ctx, ps, path, sizeof(path));
    if (ret != OMKT_OK)
        return ret;
    ret = omkt_probe_file(path, &opts, &meta, &ctx->eb);
    if (ret == OMKT_EIO || ret == OMKT_ENOMEM)
        ctx->eb.retryable = true; /* NFS hiccup: try again later */
    if (ret != OMKT_OK)
        return ret;
    ps->json = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(meta);
    return ps->json ? OMKT_OK : OMKT_ENOMEM;
}

/* request_wanted - the settings a REST client asked with the media. */
static int request_wanted(struct omkt_jobctx *ctx, const struct omkt_media *m)
{
    int ids[MAX_WANTED];
    unsigned queued = 0;
    int n;

    if (m->want_settings == NULL || *m->want_settings == '\0')
        return OMKT_OK;
    n = omkt_jobflow_parse_ids(m->want_settings, ids, MAX_WANTED);
    if (n <= 0)
        return OMKT_OK; /* apid validated it; nothing sane to ask */
    return omkt_jobflow_request(ctx->db, m, ids, (size_t)n, NULL, &queued,
                                &ctx->eb);
}

/* notify_metadata - transcoder_send_metadata for OMKT media. */
static int notify_metadata(struct omkt_jobctx *ctx, const struct omkt_media *m,
                           const char *json)
{
    char id[32];
    json_t *params;
    int ret;

    if (m->remote_id <= 0)
        return OMKT_OK; /* REST media: told when its transcodes are done */
    snprintf(id, sizeof(id), "%" PRId64, m->remote_id);
    params = json_pack("{s:s, s:s}", "id", id, "metadata", json);
    if (params == NULL)
        return OMKT_ENOMEM;
    ret = omkt_notify_omkt(ctx->db, m->account_id, m->id,
                           "transcoder_send_metadata", params, &ctx->eb);
    json_decref(params);
    return ret;
}

int probe_job_done(struct omkt_jobctx *ctx)
{
    struct probe_state *ps = ctx->data;
    int ret = omkt_media_set_metadata(ctx->db, ps->media.id, ps->json, NULL,
                                      &ctx->eb);

    if (ret == OMKT_OK)
        ret = notify_metadata(ctx, &ps->media, ps->json);
    if (ret == OMKT_OK)
        ret = request_wanted(ctx, &ps->media);
    if (ret == OMKT_OK) /* a REST media with no setting asked ends here */
        ret = omkt_restcb_media_end(ctx->db, &ps->media, false, &ctx->eb);
    return ret;
}

int probe_job_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                     bool is_final)
{
    struct probe_state *ps = ctx->data;
    char msg[OMKT_ERRBUF_LEN + 64];
    int ret;

    (void)code;
    if (!is_final || ps == NULL || ps->media.id == 0)
        return OMKT_OK;
    snprintf(msg, sizeof(msg), "no track could be read: %s", reason);
    ret = omkt_media_set_metadata(ctx->db, ps->media.id, NULL, msg, &ctx->eb);
    if (ret == OMKT_ELOST)
        return OMKT_OK; /* already expired or re-probed: nothing to mark */
    if (ret == OMKT_OK)
        ret = omkt_notify_media_error(ctx->db, &ps->media, msg, &ctx->eb);
    return ret;
}

void probe_job_cleanup(struct omkt_jobctx *ctx)
{
    struct probe_state *ps = ctx->data;

    if (ps == NULL)
        return;
    omkt_media_clear(&ps->media);
    free(ps->json);
    free(ps);
    ctx->data = NULL;
}

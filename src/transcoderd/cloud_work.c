/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_work - one cloud job's download, engine and upload (see
 * cloud_work.h).
 *
 * DESIGN: the source is fetched to <scratch>/omkt-cloud-XXXXXX/source and
 * the engine writes into .../out (its temp names and renames stay
 * there); outputs are uploaded under out_prefix with the engine's file
 * names ("14.mp4", "101_01.jpg").  Settings come from the job's "defs"
 * when it carries the setting's definition (a site's own, a
 * media-nommer job's), else from this worker's catalogue.  Every S3
 * transfer and the engine stop as soon as the lease is lost or the
 * daemon stops.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cloud_aws.h"
#include "cloud_work.h"
#include "common/alloc.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/path.h"
#include "media/settings.h"
#include "media/transcode.h"

struct work {
    const struct cloud_env *e;
    const struct omkt_cloud_job *job;
    struct cloud_lease *lease;
    char dir[OMKT_PATH_MAX]; /* the job's temp directory ("" until made) */
    char src[OMKT_PATH_MAX];
    char out[OMKT_PATH_MAX];
    struct omkt_setting *own[OMKT_CLOUDMSG_MAX_SETS];
    const struct omkt_setting *sets[OMKT_CLOUDMSG_MAX_SETS];
    struct omkt_transcode_result res;
};

/* must_stop - the lease is gone or the daemon stops. */
static bool must_stop(void *arg)
{
    struct work *w = arg;

    return cloud_lease_is_lost(w->lease) || atomic_load(&w->e->d->is_stopping);
}

/* rm_tree - remove the job's temp directory and all it holds. */
static void rm_tree(const char *dir)
{
    struct omkt_errbuf eb = {0};

    if (*dir != '\0' && omkt_fs_remove_tree(dir, &eb) != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "cannot remove %s: %s", dir, eb.msg);
}

/* make_dirs - the job's temp directory, its out/ and the source's name. */
static int make_dirs(struct work *w, struct omkt_errbuf *eb)
{
    const char *scratch = w->e->cf->scratch;

    if (snprintf(w->dir, sizeof(w->dir), "%s/omkt-cloud-XXXXXX", scratch) >=
        (int)sizeof(w->dir)) {
        w->dir[0] = '\0';
        omkt_errf(eb, "scratch path too long: %s", scratch);
        return OMKT_EINVAL;
    }
    if (mkdtemp(w->dir) == NULL) {
        omkt_errf(eb, "mkdtemp under %s: %s", scratch, omkt_errno_str(errno));
        w->dir[0] = '\0';
        eb->retryable = true;
        return OMKT_EIO;
    }
    if (omkt_path_join(w->src, sizeof(w->src), w->dir, "source") != OMKT_OK ||
        omkt_path_join(w->out, sizeof(w->out), w->dir, "out") != OMKT_OK ||
        mkdir(w->out, 0750) != 0) {
        omkt_errf(eb, "cannot make %s/out", w->dir);
        eb->retryable = true;
        return OMKT_EIO;
    }
    return OMKT_OK;
}

/* download - the job's source into w->src. */
static int download(struct work *w, struct omkt_errbuf *eb)
{
    const struct omkt_s3_hooks h = {.stop = must_stop, .arg = w};
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    int ret = cloud_s3_open(w->e, w->job->source, &h, &u, &s3, eb);

    if (ret == OMKT_OK)
        ret = omkt_s3_get_file(s3, u.bucket, u.key, w->src, NULL, eb);
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    return ret;
}

/* pick_settings - the job's settings: its own definitions, else the
 * catalogue's.  Only when the job carries definitions. */
static int pick_settings(struct work *w, struct omkt_errbuf *eb)
{
    const struct omkt_cloud_job *j = w->job;

    for (size_t i = 0; i < j->nsettings; i++) {
        char key[16];
        json_t *def;
        int ret;

        snprintf(key, sizeof(key), "%d", j->settings[i]);
        def = json_object_get(j->defs, key);
        w->sets[i] = omkt_setting_find(j->settings[i]);
        if (def != NULL) {
            ret = omkt_setting_from_json(def, j->settings[i], &w->own[i], eb);
            if (ret != OMKT_OK)
                return ret;
            w->sets[i] = w->own[i];
        }
        if (w->sets[i] == NULL) {
            omkt_errf(eb, "unknown setting %d", j->settings[i]);
            return OMKT_EINVAL;
        }
    }
    return OMKT_OK;
}

/* log_defs - which settings the job defines itself (for the record). */
static void log_defs(const struct omkt_cloud_job *j)
{
    char ids[128] = "";
    size_t len = 0;
    const char *key;
    json_t *v;

    json_object_foreach(j->defs, key, v)
    {
        int n = snprintf(ids + len, sizeof(ids) - len, "%s%s",
                         len > 0 ? " " : "", key);

        if (n < 0 || (size_t)n >= sizeof(ids) - len)
            break;
        len += (size_t)n;
    }
    omkt_log(OMKT_LOG_INFO, "job=%" PRId64 " defs: %s", j->job_id, ids);
}

/* engine - settings [@i, @i + @n) in one pass. */
static int engine(struct work *w, size_t i, size_t n,
                  struct omkt_transcode_result *res, struct omkt_errbuf *eb)
{
    const struct tjob_conf *tc = w->e->cf->tc;
    struct omkt_transcode_opts opts = {
        .should_stop_fn = must_stop,
        .stop_ctx = w,
        .threads = (int)tc->threads,
        .limits = &tc->limits,
    };

    if (w->job->defs != NULL)
        return omkt_transcode_with(w->src, w->out, &w->sets[i], n, &opts, res,
                                   eb);
    return omkt_transcode(w->src, w->out, &w->job->settings[i], n, &opts, res,
                          eb);
}

/* run_engine - one pass for every setting (batch), or one per setting. */
static int run_engine(struct work *w, struct omkt_errbuf *eb)
{
    size_t n = w->job->nsettings;
    int ret = OMKT_OK;

    if (w->job->defs != NULL) {
        log_defs(w->job);
        ret = pick_settings(w, eb);
    }
    if (ret != OMKT_OK)
        return ret;
    if (w->job->is_batch || n == 1)
        return engine(w, 0, n, &w->res, eb);
    w->res.outputs = omkt_xcalloc(n, sizeof(*w->res.outputs));
    for (size_t i = 0; i < n; i++) {
        struct omkt_transcode_result one = {0};

        ret = engine(w, i, 1, &one, eb);
        if (one.n == 1)
            w->res.outputs[w->res.n++] = one.outputs[0];
        free(one.outputs); /* its only entry moved into w->res */
        if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
            return ret;
    }
    return OMKT_OK;
}

/* upload_output - the files of engine output @o, described in @co. */
static int upload_output(struct work *w, struct omkt_s3 *s3,
                         const struct omkt_s3_uri *to,
                         const struct omkt_output_result *o,
                         struct omkt_cloud_output *co, struct omkt_errbuf *eb)
{
    co->files = omkt_xcalloc(o->n_files + 1, sizeof(*co->files));
    co->names = omkt_xcalloc(o->n_files + 1, sizeof(*co->names));
    co->n_files = o->n_files;
    for (size_t i = 0; i < o->n_files; i++) {
        char path[OMKT_PATH_MAX];
        char *key = omkt_xasprintf("%s%s", to->key, o->files[i]);
        int ret = omkt_path_join(path, sizeof(path), w->out, o->files[i]);

        if (ret == OMKT_OK)
            ret = omkt_s3_put_file(s3, to->bucket, key, path, eb);
        if (ret == OMKT_OK)
            co->files[i] = omkt_xasprintf("s3://%s/%s", to->bucket, key);
        co->names[i] = omkt_xstrdup(o->files[i]);
        free(key);
        if (ret != OMKT_OK)
            return ret;
    }
    return OMKT_OK;
}

/* describe - output @o's status, message and metadata into @co. */
static void describe(const struct omkt_output_result *o,
                     struct omkt_cloud_output *co)
{
    co->setting_id = o->setting_id;
    co->status = o->status;
    if (o->status != OMKT_OK)
        co->message = omkt_xstrdup(o->message[0] ? o->message : "no output");
    if (o->metadata != NULL)
        co->metadata = json_incref(o->metadata);
}

/* upload - every successful output under out_prefix; r->outputs. */
static int upload(struct work *w, struct omkt_cloud_result *r,
                  struct omkt_errbuf *eb)
{
    const struct omkt_s3_hooks h = {.stop = must_stop, .arg = w};
    struct omkt_s3_uri to = {0};
    struct omkt_s3 *s3 = NULL;
    int ret = cloud_s3_open(w->e, w->job->out_prefix, &h, &to, &s3, eb);

    r->outputs = omkt_xcalloc(w->res.n + 1, sizeof(*r->outputs));
    for (size_t i = 0; ret == OMKT_OK && i < w->res.n; i++) {
        const struct omkt_output_result *o = &w->res.outputs[i];

        r->noutputs = i + 1;
        describe(o, &r->outputs[i]);
        if (o->status == OMKT_OK)
            ret = upload_output(w, s3, &to, o, &r->outputs[i], eb);
    }
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&to);
    return ret;
}

/* judge - the job's verdict from the engine's (as transcoderd's: a
 * setting that cannot be made fails alone, a source that cannot be read
 * fails the job). */
static int judge(const struct work *w, int ret, struct omkt_errbuf *eb)
{
    bool any_ok = false;

    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        return OMKT_ECANCELLED;
    for (size_t i = 0; i < w->res.n; i++)
        any_ok = any_ok || w->res.outputs[i].status == OMKT_OK;
    if (ret == OMKT_OK || any_ok)
        return OMKT_OK;
    if (ret == OMKT_ENOSPC || ret == OMKT_EIO) {
        eb->retryable = true;
        return ret;
    }
    return w->res.n == w->job->nsettings ? OMKT_OK : ret;
}

int cloud_work_run(const struct cloud_env *e, const struct omkt_cloud_job *job,
                   struct cloud_lease *lease, struct omkt_cloud_result *r,
                   struct omkt_errbuf *eb)
{
    struct work *w = omkt_xcalloc(1, sizeof(*w));
    struct omkt_errbuf engine_eb = {0}; /* a failed setting's reason stays
                                           out of the job's */
    int ret;

    *w = (struct work){.e = e, .job = job, .lease = lease};
    ret = make_dirs(w, eb);
    if (ret == OMKT_OK)
        ret = download(w, eb);
    if (ret == OMKT_OK) {
        ret = judge(w, run_engine(w, &engine_eb), &engine_eb);
        if (ret != OMKT_OK)
            *eb = engine_eb;
    }
    if (ret == OMKT_OK)
        ret = upload(w, r, eb);
    if (ret == OMKT_ESHUTDOWN || must_stop(w))
        ret = OMKT_ECANCELLED;
    omkt_transcode_result_clear(&w->res);
    for (size_t i = 0; i < job->nsettings; i++)
        omkt_setting_free(w->own[i]);
    rm_tree(w->dir);
    free(w);
    return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_omkt - the OpenMediaKit protocol (PROTOCOL.md section 1) on /api/:
 * app_get_settings, app_subscribe, app_new_media, app_request_format and
 * app_get_media, with its error codes, the per-account rate limit and the
 * per-call log (application and version).  Answers are
 * {"result":{"code":N,"message":"..."}} with HTTP status N when N > 100.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/catalogue.h"
#include "apid/files.h"
#include "apid/h_omkt.h"
#include "apid/limits.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"
#include "common/jobflow.h"
#include "common/log.h"
#include "common/path.h"
#include "common/text.h"
#include "media/settings.h"

/* One OMKT call. */
struct call {
    struct apid_req *r;
    struct omkt_account acc; /* id 0 for public calls */
    int code;                /* answered, for the call log */
};

/* code_status - the HTTP status of OMKT code @code. */
static unsigned code_status(int code)
{
    return code > 100 ? (unsigned)code : 200;
}

/* reply - {"result":{"code":N,"message":M}}. */
static enum MHD_Result reply(struct call *c, int code, const char *msg)
{
    c->code = code;
    return apid_reply_json(
        c->r, code_status(code),
        json_pack("{s:{s:i, s:s}}", "result", "code", code, "message", msg));
}

/* reply_json - a success body (stolen) with code 200. */
static enum MHD_Result reply_json(struct call *c, json_t *body)
{
    c->code = 200;
    return apid_reply_json(c->r, 200, body);
}

/* missing - 505 naming the parameter. */
static enum MHD_Result missing(struct call *c, const char *name, int rc)
{
    char msg[160];

    snprintf(msg, sizeof(msg), "%s parameter: %s",
             rc == OMKT_ENOTFOUND ? "missing" : "invalid", name);
    return reply(c, 505, msg);
}

/* too_many_ids - 505: the request names more settings than allowed. */
static enum MHD_Result too_many_ids(struct call *c)
{
    char msg[120];

    snprintf(msg, sizeof(msg),
             "invalid parameter: settings_id_list: at most %d ids per request",
             APID_LIST_MAX);
    return reply(c, 505, msg);
}

/* db_down - the database cannot be reached. */
static enum MHD_Result db_down(struct call *c)
{
    return reply(c, 500, "database unavailable, retry later");
}

static enum MHD_Result a_get_settings(struct call *c)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        c->r->a->catalogue_len, c->r->a->catalogue, MHD_RESPMEM_PERSISTENT);

    c->code = 200;
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    return apid_queue(c->r, 200, resp);
}

/* subscribe_check - the parameters of app_subscribe; 0 or a 505. */
static const char *subscribe_check(const struct apid_params *p)
{
    static const char *const need[] = {"email", "url", "app_key", "application",
                                       "version"};
    const char *url = params_get(p, "url");

    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (!params_has(p, need[i]))
            return need[i];
    if (strchr(params_get(p, "email"), '@') == NULL ||
        strlen(params_get(p, "email")) > APID_EMAIL_MAX)
        return "email";
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strlen(url) > APID_ACCOUNT_URL_MAX)
        return "url";
    if (strlen(params_get(p, "app_key")) > 32)
        return "app_key";
    return NULL;
}

static enum MHD_Result a_subscribe(struct call *c)
{
    const struct apid_params *p = &c->r->params;
    char key[OMKT_API_KEY_LEN + 1];
    struct omkt_errbuf eb = {0};
    struct omkt_account_new an = {0};
    const char *bad;
    int64_t id = 0;
    struct omkt_db *db;

    if (!c->r->a->conf.is_public)
        return reply(c, 508, "this server does not accept subscriptions");
    bad = subscribe_check(p);
    if (bad != NULL)
        return missing(c, bad,
                       params_has(p, bad) ? OMKT_EINVAL : OMKT_ENOTFOUND);
    db = apid_db(c->r);
    if (db == NULL)
        return db_down(c);
    an.email = params_get(p, "email");
    an.url = params_get(p, "url");
    an.client_key = params_get(p, "app_key");
    if (omkt_account_add(db, &an, &id, key, &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "app_subscribe: %s", eb.msg);
        return reply(c, 506, "could not create the account");
    }
    c->acc.id = id;
    omkt_log(OMKT_LOG_NOTICE, "account=%" PRId64 " subscribed (%s)", id,
             an.email);
    return reply_json(c, json_pack("{s:s, s:o}", "apikey", key, "settings",
                                   catalogue_json()));
}

/* adapter_check - 0 when @adapter/@url are acceptable, else the code
 * with *why (static text) for code 13. */
static int adapter_check(const struct omkt_account *acc, const char *adapter,
                         const char *url, const char **why)
{
    bool is_http = strcmp(adapter, "http") == 0;

    *why = "url refused by the adapter";
    if (!is_http && strcmp(adapter, "local") != 0)
        return 400;
    if (!omkt_account_allows(acc, adapter))
        return 405;
    if (strlen(url) > APID_URL_MAX) {
        *why = "url refused by the adapter: too long (at most "
               "2048 bytes)";
        return 13;
    }
    if (is_http)
        return strncmp(url, "http://", 7) == 0 ||
                       strncmp(url, "https://", 8) == 0
                   ? 0
                   : 13;
    /* local: a relative path under the import directory */
    return omkt_path_is_rel(url) ? 0 : 13;
}

/* new_media_rows - media row and download job, in one transaction. */
static int new_media_rows(struct omkt_db *db, const struct omkt_media_new *mn,
                          int *code, struct omkt_errbuf *eb)
{
    struct omkt_job_new jn = {.task = OMKT_TASK_DOWNLOAD,
                              .account_id = mn->account_id};
    int64_t id = 0;
    int ret = omkt_db_begin(db, eb);

    *code = 506;
    if (ret == OMKT_OK)
        ret = omkt_media_add(db, mn, &id, eb);
    if (ret == OMKT_EEXIST)
        *code = 507;
    if (ret != OMKT_OK)
        goto out;
    jn.media_id = id;
    *code = 15;
    ret = omkt_job_enqueue(db, &jn, NULL, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, eb);
    if (ret == OMKT_OK)
        *code = 200;
out:
    if (ret != OMKT_OK)
        omkt_db_rollback(db);
    return ret;
}

static enum MHD_Result a_new_media(struct call *c)
{
    const struct apid_params *p = &c->r->params;
    struct omkt_media_new mn = {.account_id = c->acc.id};
    struct omkt_errbuf eb = {0};
    const char *adapter = params_get(p, "adapter");
    const char *why = NULL;
    int rc = params_id(p, "id", &mn.remote_id);
    int code = 0;

    if (rc != OMKT_OK)
        return missing(c, "id", rc);
    if (!params_has(p, "url"))
        return missing(c, "url", OMKT_ENOTFOUND);
    mn.url = params_get(p, "url");
    mn.adapter = adapter && adapter[0] ? adapter : "http";
    mn.do_metadata = params_bool(p, "dometadata", true);
    code = adapter_check(&c->acc, mn.adapter, mn.url, &why);
    if (code == 400)
        return reply(c, 400, "unknown adapter");
    if (code == 405)
        return reply(c, 405, "adapter not allowed for this account");
    if (code == 13)
        return reply(c, 13, why);
    if (apid_db(c->r) == NULL)
        return db_down(c);
    if (new_media_rows(c->r->db, &mn, &code, &eb) == OMKT_OK)
        return reply(c, 200, "OK, Download task queued");
    if (code == 507)
        return reply(c, 507, "this media id was already added");
    omkt_log(OMKT_LOG_ERR, "account=%" PRId64 " app_new_media: %s", c->acc.id,
             eb.msg);
    if (eb.retryable) /* the database went away: not the client's fault */
        return db_down(c);
    return reply(c, code,
                 code == 15 ? "could not queue the download"
                            : "could not record the media");
}

/* A request_format in progress. */
struct fmt {
    int64_t ids[APID_LIST_MAX]; /* asked, deduplicated */
    int codes[APID_LIST_MAX];   /* per id: 200, 505, 507 */
    size_t n;
    size_t nknown;
};

/* fmt_classify - dedupe and mark unknown settings 505. */
static void fmt_classify(struct fmt *f, const int64_t *ids, size_t n)
{
    f->n = f->nknown = 0;
    for (size_t i = 0; i < n; i++) {
        bool is_dup = false;

        for (size_t k = 0; k < f->n; k++)
            is_dup = is_dup || f->ids[k] == ids[i];
        if (is_dup)
            continue;
        f->ids[f->n] = ids[i];
        f->codes[f->n] = ids[i] > 0 && ids[i] <= INT_MAX &&
                                 omkt_setting_find((int)ids[i]) != NULL
                             ? 200
                             : 505;
        f->nknown += f->codes[f->n] == 200;
        f->n++;
    }
}

/* STATUS_UNSEEN - a status omkt_jobflow_request has not written. */
#define STATUS_UNSEEN 1

/* fmt_failed_code - why omkt_jobflow_request failed: 15 when every row
 * was recorded (so queuing the job failed), else 506. */
static int fmt_failed_code(const int *status, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (status[j] != OMKT_OK && status[j] != OMKT_EEXIST)
            return 506;
    return 15;
}

/* fmt_rows - the known settings of @f asked through the one transcode
 * request (common/jobflow.c), in one transaction; ids asked before are
 * marked 507.  *code 200, 507, 506 or 15. */
static int fmt_rows(struct omkt_db *db, const struct omkt_media *m,
                    struct fmt *f, int *code, struct omkt_errbuf *eb)
{
    int ids[APID_LIST_MAX], status[APID_LIST_MAX];
    size_t at[APID_LIST_MAX], k = 0;
    unsigned queued = 0;
    int ret;

    for (size_t i = 0; i < f->n; i++) {
        if (f->codes[i] != 200)
            continue;
        at[k] = i;
        status[k] = STATUS_UNSEEN;
        ids[k++] = (int)f->ids[i]; /* known settings fit an int */
    }
    *code = 506;
    ret = omkt_db_begin(db, eb);
    if (ret == OMKT_OK)
        ret = omkt_jobflow_request(db, m, ids, k, status, &queued, eb);
    if (ret != OMKT_OK)
        *code = fmt_failed_code(status, k);
    for (size_t j = 0; ret == OMKT_OK && j < k; j++)
        if (status[j] == OMKT_EEXIST)
            f->codes[at[j]] = 507;
    if (ret == OMKT_OK && queued == 0) {
        *code = 507;
        ret = OMKT_EEXIST;
    }
    if (ret == OMKT_OK) {
        *code = 15;
        ret = omkt_db_commit(db, eb);
    }
    if (ret == OMKT_OK)
        *code = 200;
    else
        omkt_db_rollback(db);
    return ret;
}

/* fmt_body - the per-setting answer object. */
static json_t *fmt_body(const struct fmt *f)
{
    json_t *o = json_object();

    for (size_t i = 0; i < f->n; i++) {
        char key[32];
        const char *msg = f->codes[i] == 200   ? "Transcode requested"
                          : f->codes[i] == 505 ? "Unknown setting"
                                               : "Already requested";

        snprintf(key, sizeof(key), "%" PRId64, f->ids[i]);
        json_object_set_new(
            o, key,
            json_pack("{s:i, s:s}", "code", f->codes[i], "message", msg));
    }
    return o;
}

/* fmt_media - the media of the call, or an answered error. */
static bool fmt_media(struct call *c, int64_t remote_id, struct omkt_media *m,
                      enum MHD_Result *res)
{
    struct omkt_errbuf eb = {0};
    int rc;

    if (apid_db(c->r) == NULL) {
        *res = db_down(c);
        return false;
    }
    rc = omkt_media_find(c->r->db, c->acc.id, remote_id, m, &eb);
    if (rc == OMKT_ENOTFOUND)
        *res = reply(c, 404, "unknown media");
    else if (rc != OMKT_OK)
        *res = db_down(c);
    else if (strcmp(m->state, "metadata_ok") != 0)
        *res = reply(c, 505,
                     strcmp(m->state, "metadata_failed") == 0
                         ? "metadata extraction failed for this media"
                         : "metadata not yet known for this media");
    return rc == OMKT_OK && strcmp(m->state, "metadata_ok") == 0;
}

static enum MHD_Result a_request_format(struct call *c)
{
    const struct apid_params *p = &c->r->params;
    int64_t remote_id = 0, ids[APID_LIST_MAX];
    struct omkt_media m = {0};
    struct omkt_errbuf eb = {0};
    struct fmt f;
    size_t n = 0;
    int code = 0;
    enum MHD_Result res;
    int rc = params_id(p, "id", &remote_id);

    if (rc != OMKT_OK)
        return missing(c, "id", rc);
    rc = params_list(p, "settings_id_list", ids, APID_LIST_MAX, &n);
    if (rc == OMKT_ETOOBIG)
        return too_many_ids(c);
    if (rc != OMKT_OK)
        return missing(c, "settings_id_list", rc);
    if (!fmt_media(c, remote_id, &m, &res))
        goto out;
    fmt_classify(&f, ids, n);
    if (f.n == 0)
        res = reply(c, 505, "settings_id_list is empty");
    else if (f.nknown == 0)
        res = reply(c, 505, "no known setting in settings_id_list");
    else if (fmt_rows(c->r->db, &m, &f, &code, &eb) == OMKT_OK)
        res = reply_json(c, fmt_body(&f));
    else if (code == 507)
        res = reply(c, 507, "every setting was already requested");
    else if (eb.retryable) /* the database went away */
        res = db_down(c);
    else
        res = reply(c, code,
                    code == 15 ? "could not queue the transcode"
                               : "could not record the request");
    if (code != 200 && code != 507 && code != 0)
        omkt_log(OMKT_LOG_ERR, "account=%" PRId64 " app_request_format: %s",
                 c->acc.id, eb.msg);
out:
    omkt_media_clear(&m);
    return res;
}

/* media_err - files_send's errors as OMKT answers. */
static enum MHD_Result media_err(struct apid_req *r, int code, const char *msg)
{
    return apid_reply_json(
        r, code_status(code),
        json_pack("{s:{s:i, s:s}}", "result", "code", code, "message", msg));
}

static enum MHD_Result a_get_media(struct call *c)
{
    const struct apid_params *p = &c->r->params;
    struct omkt_media m = {0};
    struct omkt_transcode t = {0};
    int64_t remote_id = 0, setting = 0;
    enum MHD_Result res;
    int rc = params_id(p, "id", &remote_id);

    if (rc != OMKT_OK)
        return missing(c, "id", rc);
    rc = params_id(p, "settings_id", &setting);
    if (rc != OMKT_OK || setting > INT_MAX)
        return missing(c, "settings_id", rc ? rc : OMKT_EINVAL);
    if (apid_db(c->r) == NULL)
        return db_down(c);
    rc = omkt_media_find(c->r->db, c->acc.id, remote_id, &m, NULL);
    if (rc == OMKT_OK)
        rc = omkt_transcode_find(c->r->db, m.id, (int)setting, &t, NULL);
    if (rc == OMKT_OK && strcmp(t.state, "processed") != 0)
        rc = OMKT_ENOTFOUND;
    if (rc == OMKT_ENOTFOUND)
        res = reply(c, 404, "unknown media or transcode");
    else if (rc != OMKT_OK)
        res = db_down(c);
    else
        res =
            files_send(c->r, &m, &t, params_get(p, "content_range"), media_err);
    if (rc == OMKT_OK)
        c->code = (int)c->r->status;
    omkt_transcode_clear(&t);
    omkt_media_clear(&m);
    return res;
}

struct action {
    const char *name;
    bool is_public;
    bool is_limited;
    enum MHD_Result (*fn)(struct call *c);
};

static const struct action actions[] = {
    {"app_get_settings", true, false, a_get_settings},
    {"app_subscribe", true, true, a_subscribe},
    {"app_new_media", false, true, a_new_media},
    {"app_request_format", false, true, a_request_format},
    {"app_get_media", false, false, a_get_media},
};

/* auth - the door's verdict as OMKT codes 501/502/503/504 (and 500 when
 * the database is away); true when the call may go on. */
static bool auth(struct call *c, const struct action *a, enum MHD_Result *res)
{
    const struct apid_params *p = &c->r->params;

    if (!params_has(p, "transcoder_key") || !params_has(p, "application") ||
        !params_has(p, "version")) {
        *res = reply(c, 501,
                     "transcoder_key, application and version are "
                     "mandatory");
        return false;
    }
    *res = MHD_NO; /* every verdict below answers */
    switch (auth_check(c->r, params_get(p, "transcoder_key"), a->is_limited,
                       &c->acc)) {
    case APID_AUTH_OK:
        return true;
    case APID_AUTH_NO_KEY:
    case APID_AUTH_UNKNOWN:
        *res = reply(c, 502, "unknown transcoder_key");
        break;
    case APID_AUTH_DISABLED:
        *res = reply(c, 503, "this account is disabled");
        break;
    case APID_AUTH_DB_DOWN:
        *res = db_down(c);
        break;
    case APID_AUTH_LIMITED:
        *res = reply(c, 504, "too many calls per minute, slow down");
        break;
    }
    return false;
}

/* text_or_dash - @s cleaned into @buf (valid UTF-8, cut), "-" when
 * absent: client text goes into the log only this way. */
static const char *text_or_dash(char *buf, size_t size, const char *s)
{
    (void)omkt_text_copy(buf, size, s ? s : "-"); /* cut: fine for a log */
    return buf;
}

/* log_call - the per-call log: api_calls row and a log line. */
static void log_call(struct call *c, const char *action)
{
    const struct apid_params *p = &c->r->params;
    const char *app = params_get(p, "application");
    const char *ver = params_get(p, "version");
    char addr[64], app_text[128], ver_text[64];
    struct timespec ts;
    struct omkt_api_call ac = {
        .account_id = c->acc.id,
        .action = action,
        .application = app,
        .version = ver,
        .code = c->code,
        .remote_addr = addr,
    };

    clock_gettime(CLOCK_REALTIME, &ts);
    ac.at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    apid_remote_addr(c->r, addr, sizeof(addr));
    calllog_add(&c->r->a->calls, &ac); /* cleans the strings itself */
    omkt_log(OMKT_LOG_INFO,
             "call action=%s account=%" PRId64
             " application=%s version=%s code=%d addr=%s",
             action, c->acc.id, text_or_dash(app_text, sizeof(app_text), app),
             text_or_dash(ver_text, sizeof(ver_text), ver), c->code, addr);
}

/* find_action - the table entry of @name, or NULL. */
static const struct action *find_action(const char *name)
{
    for (size_t i = 0; name && i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

enum MHD_Result h_omkt(struct apid_req *r)
{
    struct call c = {.r = r};
    const char *name = params_get(&r->params, "action");
    const struct action *a = find_action(name);
    enum MHD_Result res;

    if (r->params.is_bad_utf8 || r->params.is_too_many) {
        r->action = "omkt_bad_request";
        res = reply(&c, 505,
                    r->params.is_bad_utf8 ? "parameters must be UTF-8"
                                          : "too many parameters");
    } else if (a == NULL) {
        r->action = "omkt_unknown";
        res = reply(&c, 404, name ? "unknown action" : "missing action");
    } else {
        r->action = a->name;
        if (a->is_public || auth(&c, a, &res))
            res = a->fn(&c);
    }
    /* The public catalogue is not an account's call: counted in /metrics
     * only, so a flood of it cannot crowd the call log. */
    if (a == NULL || a->fn != a_get_settings)
        log_call(&c, a ? a->name : "unknown");
    omkt_account_clear(&c.acc);
    return res;
}

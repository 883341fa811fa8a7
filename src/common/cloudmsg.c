/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudmsg - the job and result messages of the cloud tier (see
 * cloudmsg.h and docs/cloud.md, "Messages").
 *
 * DESIGN: decoding reads untrusted text (any SQS sender, a fuzzer):
 * every field is type- and range-checked, a failure leaves the output
 * zeroed and names the field in @eb.  Encoding builds the same shape and
 * refuses a body over OMKT_CLOUDMSG_MAX_BYTES (SQS would).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cloudmsg.h"
#include "randhex.h"

/* drop - json_decref(*@p) and NULL it: a builder's failure. */
static void drop(json_t **p)
{
    json_decref(*p);
    *p = NULL;
}

/* bad - the one refusal of a malformed message. */
static int bad(struct omkt_errbuf *eb, const char *what, const char *field)
{
    omkt_errf(eb, "bad cloud %s message: %s", what, field);
    return OMKT_EINVAL;
}

int omkt_cloudmsg_token(char out[OMKT_CLOUDMSG_TOKEN_LEN + 1],
                        struct omkt_errbuf *eb)
{
    return omkt_random_hex(out, OMKT_CLOUDMSG_TOKEN_LEN, eb);
}

/* is_token - @s is exactly OMKT_CLOUDMSG_TOKEN_LEN lower-case hex digits. */
static bool is_token(const char *s)
{
    size_t n = strlen(s);

    if (n != OMKT_CLOUDMSG_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strchr("0123456789abcdef", s[i]) == NULL)
            return false;
    return true;
}

/* is_s3_url - @s names an object or prefix in a bucket: s3://b/... */
static bool is_s3_url(const char *s)
{
    return strncmp(s, "s3://", 5) == 0 && s[5] != '\0' && s[5] != '/' &&
           strchr(s + 5, '/') != NULL;
}

/* is_plain_string - @v is a string without an embedded NUL (which would
 * cut the value silently). */
static bool is_plain_string(const json_t *v)
{
    return json_is_string(v) &&
           strlen(json_string_value(v)) == json_string_length(v);
}

/* get_i64 - integer field @key of @o within [@min, @max] into *out. */
static bool get_i64(const json_t *o, const char *key, int64_t min, int64_t max,
                    int64_t *out)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_integer(v) || json_integer_value(v) < min ||
        json_integer_value(v) > max)
        return false;
    *out = json_integer_value(v);
    return true;
}

/* get_int - get_i64 into an int. */
static bool get_int(const json_t *o, const char *key, int min, int max,
                    int *out)
{
    int64_t v;

    if (!get_i64(o, key, min, max, &v))
        return false;
    *out = (int)v;
    return true;
}

/* get_bool - optional boolean @key (absent: false). */
static bool get_bool(const json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);

    if (v == NULL) {
        *out = false;
        return true;
    }
    if (!json_is_boolean(v))
        return false;
    *out = json_is_true(v);
    return true;
}

/* get_str - string @key into a new *out; absent or null is *out NULL,
 * accepted only when !@is_required. */
static bool get_str(const json_t *o, const char *key, bool is_required,
                    char **out)
{
    json_t *v = json_object_get(o, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return !is_required;
    if (!is_plain_string(v))
        return false;
    *out = omkt_xstrdup(json_string_value(v));
    return true;
}

/* get_token - the "token" of @o into @out. */
static bool get_token(const json_t *o, char out[OMKT_CLOUDMSG_TOKEN_LEN + 1])
{
    json_t *v = json_object_get(o, "token");

    if (!json_is_string(v) || !is_token(json_string_value(v)))
        return false;
    memcpy(out, json_string_value(v), OMKT_CLOUDMSG_TOKEN_LEN + 1);
    return true;
}

/* load - @body parsed as a JSON object of a known version. */
static int load(const char *body, size_t len, const char *what, json_t **out,
                struct omkt_errbuf *eb)
{
    json_error_t jerr;
    json_t *root;
    int64_t v;

    *out = NULL;
    if (body == NULL)
        return bad(eb, what, "no body");
    if (len > OMKT_CLOUDMSG_MAX_BYTES) {
        omkt_errf(eb, "bad cloud %s message: %zu bytes, over %d", what, len,
                  OMKT_CLOUDMSG_MAX_BYTES);
        return OMKT_EINVAL;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        omkt_errf(eb, "bad cloud %s message: not JSON: %s", what, jerr.text);
        return OMKT_EINVAL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return bad(eb, what, "not a JSON object");
    }
    if (!get_i64(root, "v", 1, INT32_MAX, &v)) {
        json_decref(root);
        return bad(eb, what, "\"v\" is not a version >= 1");
    }
    *out = root;
    return OMKT_OK;
}

/* dump - @root as compact text (new), NULL when over the size limit;
 * steals @root. */
static char *dump(json_t *root)
{
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;

    json_decref(root);
    if (text != NULL && strlen(text) > OMKT_CLOUDMSG_MAX_BYTES)
        OMKT_FREE(text);
    return text;
}

/* settings_json - the job's setting ids as a JSON array (new). */
static json_t *settings_json(const struct omkt_cloud_job *j)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < j->nsettings; i++) {
        if (json_array_append_new(arr, json_integer(j->settings[i])) != 0)
            drop(&arr);
    }
    return arr;
}

/* The fields of a setting definition (docs/media.md, "Site settings"):
 * all a def keeps; anything else (a job's dest_path, its S3 secrets, a
 * sender's extras) is dropped, never sent and never trusted. */
static const char *const def_fields[] = {
    "based_on",  "type",     "slug",   "name",           "technical",
    "extension", "mime",     "format", "format_options", "recommend",
    "size_43",   "size_169", "size",   "video",          "audio",
};

json_t *omkt_cloudmsg_def_new(const json_t *obj)
{
    json_t *def;

    if (!json_is_object(obj))
        return NULL;
    def = json_object();
    for (size_t i = 0; def != NULL && i < OMKT_ARRAY_LEN(def_fields); i++) {
        json_t *v = json_object_get(obj, def_fields[i]);

        if (v != NULL && json_object_set(def, def_fields[i], v) != 0)
            drop(&def);
    }
    return def;
}

/* has_setting - @key is the decimal id of one of @j's settings. */
static bool has_setting(const struct omkt_cloud_job *j, const char *key)
{
    char id[16];

    for (size_t i = 0; i < j->nsettings; i++) {
        snprintf(id, sizeof(id), "%d", j->settings[i]);
        if (strcmp(id, key) == 0)
            return true;
    }
    return false;
}

/* defs_new - @defs as a job carries it (new; NULL when @defs is not an
 * object of at most OMKT_CLOUDMSG_MAX_SETS members, each keyed by one of
 * @j's settings and an object, kept to def_fields). */
static json_t *defs_new(const json_t *defs, const struct omkt_cloud_job *j)
{
    json_t *out, *v;
    const char *key;

    if (!json_is_object(defs) ||
        json_object_size(defs) > OMKT_CLOUDMSG_MAX_SETS)
        return NULL;
    out = json_object();
    json_object_foreach((json_t *)defs, key, v)
    {
        if (out == NULL || !has_setting(j, key) || !json_is_object(v) ||
            json_object_set_new(out, key, omkt_cloudmsg_def_new(v)) != 0) {
            drop(&out);
            break;
        }
    }
    return out;
}

char *omkt_cloud_job_encode(const struct omkt_cloud_job *j)
{
    json_t *root, *defs = NULL;

    if (j->nsettings == 0 || j->nsettings > OMKT_CLOUDMSG_MAX_SETS)
        return NULL;
    if (j->defs != NULL) {
        defs = defs_new(j->defs, j);
        if (defs == NULL)
            return NULL;
    }
    root = json_pack("{s:i, s:I, s:s, s:I, s:s?, s:s?, s:o, s:b}", "v",
                     OMKT_CLOUDMSG_VERSION, "job_id", (json_int_t)j->job_id,
                     "token", j->token, "media_id", (json_int_t)j->media_id,
                     "source", j->source, "out_prefix", j->out_prefix,
                     "settings", settings_json(j), "batch", j->is_batch);
    if (root != NULL && defs != NULL &&
        json_object_set(root, "defs", defs) != 0)
        drop(&root);
    json_decref(defs);
    return dump(root);
}

/* job_settings - the "settings" list of @o into @j. */
static bool job_settings(const json_t *o, struct omkt_cloud_job *j)
{
    json_t *arr = json_object_get(o, "settings");
    size_t n = json_array_size(arr);
    json_t *v;
    size_t i;

    if (!json_is_array(arr) || n == 0 || n > OMKT_CLOUDMSG_MAX_SETS)
        return false;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
            json_integer_value(v) > INT_MAX)
            return false;
        j->settings[i] = (int)json_integer_value(v);
    }
    j->nsettings = n;
    return true;
}

/* job_fields - every field of @o into @j; the name of the bad one, or
 * NULL. */
static const char *job_fields(const json_t *o, struct omkt_cloud_job *j)
{
    json_t *defs = json_object_get(o, "defs");

    if (!get_i64(o, "job_id", 1, INT64_MAX, &j->job_id))
        return "\"job_id\" is not an integer > 0";
    if (!get_token(o, j->token))
        return "\"token\" is not 32 hex digits";
    if (!get_i64(o, "media_id", 0, INT64_MAX, &j->media_id))
        return "\"media_id\" is not an integer >= 0";
    if (!get_str(o, "source", true, &j->source) || !is_s3_url(j->source))
        return "\"source\" is not s3://bucket/key";
    if (!get_str(o, "out_prefix", true, &j->out_prefix) ||
        !is_s3_url(j->out_prefix))
        return "\"out_prefix\" is not s3://bucket/prefix/";
    if (!job_settings(o, j))
        return "\"settings\" is not a list of 1 to 32 ids > 0";
    if (defs != NULL && !json_is_null(defs)) {
        j->defs = defs_new(defs, j);
        if (j->defs == NULL)
            return "\"defs\" is not an object of at most 32 settings "
                   "of the job";
    }
    if (!get_bool(o, "batch", &j->is_batch))
        return "\"batch\" is not a boolean";
    return NULL;
}

int omkt_cloud_job_decode(const char *body, size_t len,
                          struct omkt_cloud_job *j, struct omkt_errbuf *eb)
{
    json_t *root = NULL;
    const char *why;
    int ret;

    memset(j, 0, sizeof(*j));
    ret = load(body, len, "job", &root, eb);
    if (ret != OMKT_OK)
        return ret;
    why = job_fields(root, j);
    json_decref(root);
    if (why == NULL)
        return OMKT_OK;
    omkt_cloud_job_clear(j);
    return bad(eb, "job", why);
}

void omkt_cloud_job_clear(struct omkt_cloud_job *j)
{
    if (j == NULL)
        return;
    free(j->source);
    free(j->out_prefix);
    json_decref(j->defs);
    memset(j, 0, sizeof(*j));
}

/* strings_json - @v[0..@n) as a JSON array of strings (new). */
static json_t *strings_json(char *const *v, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (v[i] == NULL || json_array_append_new(arr, json_string(v[i])) != 0)
            drop(&arr);
    }
    return arr;
}

/* output_json - one output of a result (new). */
static json_t *output_json(const struct omkt_cloud_output *o)
{
    json_t *out =
        json_pack("{s:i, s:i, s:s?, s:o, s:o}", "setting_id", o->setting_id,
                  "status", o->status, "message", o->message, "files",
                  strings_json(o->files, o->n_files), "names",
                  strings_json(o->names, o->n_files));

    if (out != NULL && o->metadata != NULL &&
        json_object_set(out, "metadata", o->metadata) != 0)
        drop(&out);
    return out;
}

/* outputs_json - the outputs of @r (new). */
static json_t *outputs_json(const struct omkt_cloud_result *r)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < r->noutputs; i++) {
        if (json_array_append_new(arr, output_json(&r->outputs[i])) != 0)
            drop(&arr);
    }
    return arr;
}

char *omkt_cloud_result_encode(const struct omkt_cloud_result *r)
{
    if (r->noutputs > OMKT_CLOUDMSG_MAX_SETS)
        return NULL;
    return dump(json_pack(
        "{s:i, s:I, s:s, s:i, s:s?, s:i, s:s?, s:b, s:b, s:o}", "v",
        OMKT_CLOUDMSG_VERSION, "job_id", (json_int_t)r->job_id, "token",
        r->token, "receive_count", r->receive_count, "worker", r->worker,
        "code", r->code, "error", r->error, "retryable", r->retryable, "dead",
        r->is_dead, "outputs", outputs_json(r)));
}

/* take_strings - the string list @key of @o (@n entries) into a new *out. */
static bool take_strings(const json_t *o, const char *key, size_t n,
                         char ***out)
{
    json_t *arr = json_object_get(o, key);
    json_t *v;
    size_t i;

    *out = NULL;
    if (!json_is_array(arr) || json_array_size(arr) != n)
        return false;
    *out = omkt_xcalloc(n + 1, sizeof(**out));
    json_array_foreach(arr, i, v)
    {
        if (!is_plain_string(v))
            return false;
        (*out)[i] = omkt_xstrdup(json_string_value(v));
    }
    return true;
}

/* output_fields - one output object @o into @out; the bad field or NULL. */
static const char *output_fields(const json_t *o, struct omkt_cloud_output *out)
{
    json_t *meta = json_object_get(o, "metadata");
    size_t n = json_array_size(json_object_get(o, "files"));

    if (!json_is_object(o))
        return "an output is not an object";
    if (!get_int(o, "setting_id", 1, INT_MAX, &out->setting_id))
        return "an output's \"setting_id\" is not an integer > 0";
    if (!get_int(o, "status", INT_MIN, 0, &out->status))
        return "an output's \"status\" is not an error code <= 0";
    if (!get_str(o, "message", false, &out->message))
        return "an output's \"message\" is not a string";
    out->n_files = n;
    if (!take_strings(o, "files", n, &out->files))
        return "an output's \"files\" is not a list of strings";
    if (!take_strings(o, "names", n, &out->names))
        return "an output's \"names\" does not match its \"files\"";
    if (meta != NULL && !json_is_null(meta) && !json_is_object(meta))
        return "an output's \"metadata\" is not an object";
    if (json_is_object(meta))
        out->metadata = json_incref(meta);
    return NULL;
}

/* result_outputs - the "outputs" list of @o into @r. */
static const char *result_outputs(const json_t *o, struct omkt_cloud_result *r)
{
    json_t *arr = json_object_get(o, "outputs");
    const char *why;
    json_t *v;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) > OMKT_CLOUDMSG_MAX_SETS)
        return "\"outputs\" is not a list of at most 32";
    r->outputs = omkt_xcalloc(json_array_size(arr) + 1, sizeof(*r->outputs));
    json_array_foreach(arr, i, v)
    {
        r->noutputs = i + 1; /* cleared with what it holds on failure */
        why = output_fields(v, &r->outputs[i]);
        if (why != NULL)
            return why;
    }
    return NULL;
}

/* result_fields - every field of @o into @r; the bad field or NULL. */
static const char *result_fields(const json_t *o, struct omkt_cloud_result *r)
{
    if (!get_i64(o, "job_id", 1, INT64_MAX, &r->job_id))
        return "\"job_id\" is not an integer > 0";
    if (!get_token(o, r->token))
        return "\"token\" is not 32 hex digits";
    if (!get_int(o, "receive_count", 0, INT_MAX, &r->receive_count))
        return "\"receive_count\" is not an integer >= 0";
    if (!get_str(o, "worker", false, &r->worker))
        return "\"worker\" is not a string";
    if (!get_int(o, "code", INT_MIN, 0, &r->code))
        return "\"code\" is not an error code <= 0";
    if (!get_str(o, "error", false, &r->error))
        return "\"error\" is not a string";
    if (!get_bool(o, "retryable", &r->retryable))
        return "\"retryable\" is not a boolean";
    if (!get_bool(o, "dead", &r->is_dead))
        return "\"dead\" is not a boolean";
    return result_outputs(o, r);
}

int omkt_cloud_result_decode(const char *body, size_t len,
                             struct omkt_cloud_result *r,
                             struct omkt_errbuf *eb)
{
    json_t *root = NULL;
    const char *why;
    int ret;

    memset(r, 0, sizeof(*r));
    ret = load(body, len, "result", &root, eb);
    if (ret != OMKT_OK)
        return ret;
    why = result_fields(root, r);
    json_decref(root);
    if (why == NULL)
        return OMKT_OK;
    omkt_cloud_result_clear(r);
    return bad(eb, "result", why);
}

/* strings_free - a list of @n strings and the list. */
static void strings_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void omkt_cloud_result_clear(struct omkt_cloud_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->noutputs; i++) {
        struct omkt_cloud_output *o = &r->outputs[i];

        free(o->message);
        strings_free(o->files, o->n_files);
        strings_free(o->names, o->n_files);
        json_decref(o->metadata);
    }
    free(r->outputs);
    free(r->worker);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

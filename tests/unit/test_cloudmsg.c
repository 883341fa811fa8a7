/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cloudmsg - the cloud tier's job and result messages: the exact
 * JSON of each (docs/cloud.md, "Messages"), round trips, tokens, and
 * every malformed or incomplete body refused with OMKT_EINVAL and a
 * zeroed output; the size limit of SQS.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/cloudmsg.h"
#include "omkt_test.h"

#define TOKEN "0123456789abcdef0123456789abcdef"

static const char job_text[] =
    "{\"v\":1,\"job_id\":42,\"token\":\"" TOKEN "\",\"media_id\":7,"
    "\"source\":\"s3://b/omkt-cloud/src/42\","
    "\"out_prefix\":\"s3://b/omkt-cloud/out/42/\",\"settings\":[1,2],"
    "\"batch\":true,\"defs\":{\"2\":{\"based_on\":11,\"size\":\"320x240\"}}}";

static void test_job_roundtrip(void)
{
    struct omkt_cloud_job j = {0}, back = {0};
    char *text;

    OMKT_CHECK_INT(omkt_cloud_job_decode(job_text, strlen(job_text), &j, NULL),
                   OMKT_OK, "job decoded");
    OMKT_CHECK_INT(j.job_id, 42, "job_id");
    OMKT_CHECK_STR(j.token, TOKEN, "token");
    OMKT_CHECK_INT(j.media_id, 7, "media_id");
    OMKT_CHECK_STR(j.source, "s3://b/omkt-cloud/src/42", "source");
    OMKT_CHECK_STR(j.out_prefix, "s3://b/omkt-cloud/out/42/", "out_prefix");
    OMKT_CHECK_INT(j.nsettings, 2, "settings");
    OMKT_CHECK_INT(j.settings[1], 2, "second setting");
    OMKT_CHECK(j.is_batch, "batch");
    OMKT_CHECK(json_is_object(json_object_get(j.defs, "2")), "defs");
    text = omkt_cloud_job_encode(&j);
    OMKT_CHECK_STR(text, job_text, "encoded exactly");
    OMKT_CHECK_INT(omkt_cloud_job_decode(text, strlen(text), &back, NULL),
                   OMKT_OK, "re-decoded");
    OMKT_CHECK_STR(back.token, j.token, "token survives");
    free(text);
    omkt_cloud_job_clear(&back);
    omkt_cloud_job_clear(&j);
    omkt_cloud_job_clear(&j); /* twice is harmless */
}

static void test_job_defaults(void)
{
    static const char text[] =
        "{\"v\":2,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"defs\":null,\"future\":[1]}";
    struct omkt_cloud_job j;

    OMKT_CHECK_INT(omkt_cloud_job_decode(text, strlen(text), &j, NULL), OMKT_OK,
                   "a newer version with unknown fields is read");
    OMKT_CHECK(!j.is_batch && j.defs == NULL, "optional fields default");
    omkt_cloud_job_clear(&j);
}

static void test_job_refused(void)
{
    static const char *bad[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"v\":0,\"job_id\":1}",
        "{\"v\":1,\"token\":\"" TOKEN "\",\"media_id\":0,\"source\":"
        "\"s3://b/k\",\"out_prefix\":\"s3://b/o/\",\"settings\":[5]}",
        "{\"v\":1,\"job_id\":0,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"ABC\",\"media_id\":0,\"source\":"
        "\"s3://b/k\",\"out_prefix\":\"s3://b/o/\",\"settings\":[5]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"source\":"
        "\"s3://b/k\",\"out_prefix\":\"s3://b/o/\",\"settings\":[5]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"/etc/passwd\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"settings\":[5]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[1,\"2\"]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"defs\":[1]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"batch\":\"yes\"}",
        "{\"v\":1,\"v\":1}",
        /* defs: keyed by a setting of the job, objects */
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"defs\":{\"6\":{}}}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"defs\":{\"05\":{}}}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[5],\"defs\":{\"5\":\"libx264\"}}",
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        struct omkt_errbuf eb = {0};
        struct omkt_cloud_job j;

        OMKT_CHECK_INT(omkt_cloud_job_decode(bad[i], strlen(bad[i]), &j, &eb),
                       OMKT_EINVAL, "job %zu refused", i);
        OMKT_CHECK(eb.is_set && strstr(eb.msg, "bad cloud job") != NULL,
                   "job %zu: reason %s", i, eb.msg);
        OMKT_CHECK(j.source == NULL && j.defs == NULL && j.job_id == 0,
                   "job %zu: output zeroed", i);
    }
}

/* A def keeps only setting fields: a job's dest_path and secrets, an
 * "id" or a sender's extras never travel and are never trusted. */
static void test_job_defs_kept_to_settings(void)
{
    static const char text[] =
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"media_id\":0,"
        "\"source\":\"s3://b/k\",\"out_prefix\":\"s3://b/o/\","
        "\"settings\":[13],\"defs\":{\"13\":{\"id\":9,\"based_on\":13,"
        "\"dest_path\":\"export/1/x.mp4\",\"s3_secrets\":{\"dest\":\"k\"},"
        "\"video\":{\"codec\":\"libx264\"},\"audio\":null}}}";
    static const char want[] =
        "{\"based_on\":13,\"video\":{\"codec\":\"libx264\"},\"audio\":null}";
    struct omkt_cloud_job j;
    json_t *own = json_pack("{s:i, s:s, s:{s:s}}", "based_on", 13, "dest_path",
                            "s3://k:secret@b/x", "s3_secrets", "dest", "s");
    char *def = NULL, *enc;

    OMKT_CHECK_INT(omkt_cloud_job_decode(text, strlen(text), &j, NULL), OMKT_OK,
                   "a job with a nommer def decodes");
    def = json_dumps(json_object_get(j.defs, "13"), JSON_COMPACT);
    OMKT_CHECK_STR(def, want, "only the setting fields are kept");
    free(def);
    json_decref(j.defs);
    j.defs = json_pack("{s:o}", "13", own); /* as a bridge hands it over */
    enc = omkt_cloud_job_encode(&j);
    OMKT_CHECK(enc != NULL && strstr(enc, "secret") == NULL &&
                   strstr(enc, "dest_path") == NULL &&
                   strstr(enc, "\"defs\":{\"13\":{\"based_on\":13}}") != NULL,
               "encoding drops what is not a setting field: %s", enc);
    free(enc);
    json_object_set_new(j.defs, "14", json_object());
    OMKT_CHECK(omkt_cloud_job_encode(&j) == NULL,
               "a def of a setting the job does not ask: no message");
    omkt_cloud_job_clear(&j);
}

static void test_job_settings_limit(void)
{
    struct omkt_cloud_job j = {
        .job_id = 1, .source = "s3://b/k", .out_prefix = "s3://b/o/"};

    memcpy(j.token, TOKEN, sizeof(j.token));
    OMKT_CHECK(omkt_cloud_job_encode(&j) == NULL, "no settings: no message");
    j.nsettings = OMKT_CLOUDMSG_MAX_SETS + 1;
    OMKT_CHECK(omkt_cloud_job_encode(&j) == NULL, "too many settings");
}

/* result_sample - a result with one good and one failed output. */
static void result_sample(struct omkt_cloud_result *r)
{
    static char *files[] = {"s3://b/o/42/1/a.mp4", "s3://b/o/42/1/a.jpg"};
    static char *names[] = {"a.mp4", "a.jpg"};
    static struct omkt_cloud_output outs[2];

    outs[0] = (struct omkt_cloud_output){
        .setting_id = 1, .files = files, .names = names, .n_files = 2};
    outs[1] = (struct omkt_cloud_output){
        .setting_id = 2, .status = -8, .message = "bad media"};
    *r = (struct omkt_cloud_result){.job_id = 42,
                                    .receive_count = 3,
                                    .worker = "i-0abc",
                                    .outputs = outs,
                                    .noutputs = 2};
    memcpy(r->token, TOKEN, sizeof(r->token));
}

static void test_result_roundtrip(void)
{
    static const char want[] =
        "{\"v\":1,\"job_id\":42,\"token\":\"" TOKEN "\","
        "\"receive_count\":3,\"worker\":\"i-0abc\",\"code\":0,"
        "\"error\":null,\"retryable\":false,\"dead\":false,\"outputs\":["
        "{\"setting_id\":1,\"status\":0,\"message\":null,\"files\":["
        "\"s3://b/o/42/1/a.mp4\",\"s3://b/o/42/1/a.jpg\"],\"names\":["
        "\"a.mp4\",\"a.jpg\"],\"metadata\":{\"width\":64}},"
        "{\"setting_id\":2,\"status\":-8,\"message\":\"bad media\","
        "\"files\":[],\"names\":[]}]}";
    struct omkt_cloud_result r, back;
    json_t *meta = json_pack("{s:i}", "width", 64);
    char *text;

    result_sample(&r);
    r.outputs[0].metadata = meta;
    text = omkt_cloud_result_encode(&r);
    OMKT_CHECK_STR(text, want, "result encoded exactly");
    OMKT_CHECK_INT(omkt_cloud_result_decode(text, strlen(text), &back, NULL),
                   OMKT_OK, "result decoded");
    OMKT_CHECK_INT(back.noutputs, 2, "outputs");
    OMKT_CHECK_INT(back.receive_count, 3, "receive count");
    OMKT_CHECK_STR(back.worker, "i-0abc", "worker");
    OMKT_CHECK(back.error == NULL && !back.is_dead && !back.retryable, "flags");
    if (back.noutputs == 2) {
        OMKT_CHECK_INT(back.outputs[0].n_files, 2, "files");
        OMKT_CHECK_STR(back.outputs[0].names[1], "a.jpg", "name");
        OMKT_CHECK_STR(back.outputs[0].files[0], "s3://b/o/42/1/a.mp4", "file");
        OMKT_CHECK_INT(json_integer_value(
                           json_object_get(back.outputs[0].metadata, "width")),
                       64, "metadata");
        OMKT_CHECK_INT(back.outputs[1].status, -8, "failed output");
        OMKT_CHECK_STR(back.outputs[1].message, "bad media", "its reason");
    }
    json_decref(meta);
    free(text);
    omkt_cloud_result_clear(&back);
}

static void test_result_dead(void)
{
    struct omkt_cloud_result r, back;
    char *text;

    result_sample(&r);
    r.noutputs = 0;
    r.code = OMKT_EMEDIA;
    r.error = "received 6 times, over 5";
    r.is_dead = true;
    r.retryable = true;
    text = omkt_cloud_result_encode(&r);
    OMKT_CHECK_INT(omkt_cloud_result_decode(text, strlen(text), &back, NULL),
                   OMKT_OK, "dead result decoded");
    OMKT_CHECK(back.is_dead && back.retryable, "dead and retryable");
    OMKT_CHECK_INT(back.code, OMKT_EMEDIA, "code");
    OMKT_CHECK_STR(back.error, "received 6 times, over 5", "error");
    free(text);
    omkt_cloud_result_clear(&back);
}

static void test_result_refused(void)
{
    static const char *bad[] = {
        "{\"v\":1}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":3,\"outputs\":[]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":-1,"
        "\"code\":0,\"outputs\":[]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0,\"outputs\":[3]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0,\"outputs\":[{\"setting_id\":1,\"status\":0,"
        "\"files\":[\"s3://b/a\"],\"names\":[]}]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0,\"outputs\":[{\"setting_id\":1,\"status\":0,"
        "\"files\":[\"s3://b/a\"],\"names\":[\"a\\u0000b\"]}]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0,\"worker\":5,\"outputs\":[]}",
        "{\"v\":1,\"job_id\":1,\"token\":\"" TOKEN "\",\"receive_count\":1,"
        "\"code\":0,\"dead\":1,\"outputs\":[]}",
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        struct omkt_errbuf eb = {0};
        struct omkt_cloud_result r;

        OMKT_CHECK_INT(
            omkt_cloud_result_decode(bad[i], strlen(bad[i]), &r, &eb),
            OMKT_EINVAL, "result %zu refused", i);
        OMKT_CHECK(eb.is_set && strstr(eb.msg, "bad cloud result") != NULL,
                   "result %zu: reason %s", i, eb.msg);
        OMKT_CHECK(r.outputs == NULL && r.noutputs == 0 && r.worker == NULL,
                   "result %zu: output zeroed", i);
    }
}

static void test_size(void)
{
    size_t big = OMKT_CLOUDMSG_MAX_BYTES + 1;
    char *body = omkt_xmalloc(big);
    struct omkt_cloud_result r;
    struct omkt_cloud_job j;

    memset(body, ' ', big);
    OMKT_CHECK_INT(omkt_cloud_job_decode(body, big, &j, NULL), OMKT_EINVAL,
                   "an oversized job is refused unread");
    OMKT_CHECK_INT(omkt_cloud_result_decode(body, big, &r, NULL), OMKT_EINVAL,
                   "an oversized result is refused unread");
    result_sample(&r);
    r.error = body; /* a reason longer than SQS takes */
    body[big - 1] = '\0';
    OMKT_CHECK(omkt_cloud_result_encode(&r) == NULL,
               "an oversized result is not encoded");
    free(body);
}

static void test_token(void)
{
    char a[OMKT_CLOUDMSG_TOKEN_LEN + 1], b[OMKT_CLOUDMSG_TOKEN_LEN + 1];

    OMKT_CHECK_INT(omkt_cloudmsg_token(a, NULL), OMKT_OK, "token");
    OMKT_CHECK_INT(omkt_cloudmsg_token(b, NULL), OMKT_OK, "token");
    OMKT_CHECK_INT(strlen(a), OMKT_CLOUDMSG_TOKEN_LEN, "length");
    OMKT_CHECK(strspn(a, "0123456789abcdef") == OMKT_CLOUDMSG_TOKEN_LEN,
               "hex: %s", a);
    OMKT_CHECK(strcmp(a, b) != 0, "fresh each time");
}

int main(void)
{
    test_job_roundtrip();
    test_job_defaults();
    test_job_refused();
    test_job_defs_kept_to_settings();
    test_job_settings_limit();
    test_result_roundtrip();
    test_result_dead();
    test_result_refused();
    test_size();
    test_token();
    return omkt_test_done();
}

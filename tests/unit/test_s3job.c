/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_s3job - common/s3job: an s3:// URI's secret is masked in what is
 * shown and kept in the job options; opening the shown URI with those
 * options gives the secret back; a bad URI's error shows no secret.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/s3job.h"
#include "omkt_test.h"

#define SECRET "se/cr+et%2Fx"

static void test_hide(void)
{
    static const struct {
        const char *uri, *shown, *kept;
        int rc;
    } c[] = {
        {"s3://AK:" SECRET "@bkt/k/x.mp4", "s3://AK:****@bkt/k/x.mp4",
         "se/cr+et/x", OMKT_OK},
        {"s3://bkt/k", "s3://bkt/k", NULL, OMKT_OK},
        {"s3://AK:" SECRET "@bkt", NULL, NULL, OMKT_EINVAL},
        {"http://bkt/k", NULL, NULL, OMKT_EINVAL},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct omkt_errbuf eb = {0};
        json_t *opts = json_object();
        char *shown = NULL;
        const char *kept;

        OMKT_CHECK_INT(
            omkt_s3job_hide(c[i].uri, opts, OMKT_S3JOB_DEST, &shown, &eb),
            c[i].rc, "case %zu: rc", i);
        kept = json_string_value(json_object_get(
            json_object_get(opts, "s3_secrets"), OMKT_S3JOB_DEST));
        OMKT_CHECK_STR(shown ? shown : "(null)",
                       c[i].shown ? c[i].shown : "(null)", "case %zu: shown",
                       i);
        OMKT_CHECK_STR(kept ? kept : "(null)", c[i].kept ? c[i].kept : "(null)",
                       "case %zu: kept", i);
        OMKT_CHECK(strstr(eb.msg, "se/cr") == NULL, "case %zu: no secret in %s",
                   i, eb.msg);
        free(shown);
        json_decref(opts);
    }
}

/* test_open - the shown URI and the options give the secret back. */
static void test_open(void)
{
    struct omkt_errbuf eb = {0};
    json_t *opts = json_object();
    char *shown = NULL, *text;
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    struct omkt_s3job_req rq = {.which = OMKT_S3JOB_SOURCE};

    (void)omkt_s3job_hide("s3://AK:" SECRET "@bkt/k", opts, OMKT_S3JOB_SOURCE,
                          &shown, &eb);
    text = json_dumps(opts, JSON_COMPACT);
    rq.uri = shown;
    rq.job_options = text;
    OMKT_CHECK_INT(omkt_s3job_open(&rq, &u, &s3, &eb), OMKT_OK, "open: %s",
                   eb.msg);
    OMKT_CHECK_STR(u.creds.secret_key ? u.creds.secret_key : "(null)",
                   "se/cr+et/x", "the kept secret is back");
    OMKT_CHECK_STR(u.bucket ? u.bucket : "", "bkt", "bucket");
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    rq.which = OMKT_S3JOB_DEST; /* nothing kept for it: the mask stays */
    OMKT_CHECK_INT(omkt_s3job_open(&rq, &u, &s3, &eb), OMKT_OK, "open dest");
    OMKT_CHECK_STR(u.creds.secret_key ? u.creds.secret_key : "(null)", "****",
                   "no kept secret: the masked one (the store refuses it)");
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    free(text);
    free(shown);
    json_decref(opts);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_hide();
    test_open();
    curl_global_cleanup();
    return omkt_test_done();
}

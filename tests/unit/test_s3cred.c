/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_s3cred - s3:// URIs (a table), secret masking, [s3] profiles,
 * the AWS environment variables, resolution order, and IMDSv2 against a
 * fake metadata service on 127.0.0.1 (never the real 169.254.169.254).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/s3cred.h"
#include "omkt_test.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static void test_uri(void)
{
    static const struct {
        const char *in;
        int rc;
        const char *bucket, *key, *ak, *sk;
    } c[] = {
        {"s3://bkt/a/b.mp4", OMKT_OK, "bkt", "a/b.mp4", NULL, NULL},
        {"s3://AKID:" SECRET "@my.bucket/in/x y.mp4", OMKT_OK, "my.bucket",
         "in/x y.mp4", "AKID", SECRET},
        {"s3://AKID:a%2Fb%2Bc@bkt/k", OMKT_OK, "bkt", "k", "AKID", "a/b+c"},
        {"s3://AKID:s//ec@bkt/k@v//w", OMKT_OK, "bkt", "k@v//w", "AKID",
         "s//ec"},
        {"s3://bkt/k:colon", OMKT_OK, "bkt", "k:colon", NULL, NULL},
        {"s3://S3RVER:S3RVER@bkt/d/e/f", OMKT_OK, "bkt", "d/e/f", "S3RVER",
         "S3RVER"},
        {"s3://bkt", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://bkt/", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://b/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://bk!t/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://AKID:@bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://:sec@bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://AKID:sec/bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://user@bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://A K:sec@bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://AKID:se%0Ac@bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://bkt/a\nb", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"s3://bkt/\xff", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"http://bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
        {"S3://bkt/k", OMKT_EINVAL, NULL, NULL, NULL, NULL},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct omkt_s3_uri u;
        struct omkt_errbuf eb = {0};
        int rc = omkt_s3_uri_parse(c[i].in, &u, &eb);

        OMKT_CHECK_INT(rc, c[i].rc, "uri case %zu", i);
        OMKT_CHECK_STR(u.bucket, c[i].bucket, "bucket case %zu", i);
        OMKT_CHECK_STR(u.key, c[i].key, "key case %zu", i);
        OMKT_CHECK_STR(u.creds.access_key, c[i].ak, "access key case %zu", i);
        OMKT_CHECK_STR(u.creds.secret_key, c[i].sk, "secret case %zu", i);
        OMKT_CHECK(strstr(eb.msg, "ec@") == NULL &&
                       strstr(eb.msg, "EXAMPLEKEY") == NULL &&
                       strstr(eb.msg, ":sec") == NULL,
                   "no secret in the error of case %zu: %s", i, eb.msg);
        omkt_s3_uri_clear(&u);
    }
}

static void test_mask(void)
{
    static const struct {
        const char *in, *want;
    } c[] = {
        {"s3://AKID:" SECRET "@bkt/k", "s3://AKID:****@bkt/k"},
        {"s3://AKID:a/b@bkt/k@x", "s3://AKID:****@bkt/k@x"},
        {"s3://bkt/k", "s3://bkt/k"},
        {"s3://bkt/k:v", "s3://bkt/k:v"},
        {"http://h/x", "http://h/x"},
        {"s3://AKID:sec/bkt/k", "s3://AKID:****"},
        {"s3://bkt/a\nb", "s3://bkt/a?b"},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        char *m = omkt_s3_uri_mask(c[i].in);

        OMKT_CHECK_STR(m, c[i].want, "mask case %zu", i);
        free(m);
    }
}

/* write_file - @text into a new file @path with @mode. */
static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    if (f) {
        fputs(text, f);
        fclose(f);
    }
    (void)chmod(path, mode);
}

static void test_conf(const char *dir)
{
    char *conf = omkt_xasprintf("%s/omkt.conf", dir);
    char *sec = omkt_xasprintf("%s/secret", dir);
    char *text = omkt_xasprintf(
        "[db]\nname = x\n[s3]\nregion = eu-west-3\naccess_key = AK0\n"
        "secret_key = SK0\npart_size = 8M\n"
        "[s3.minio]\nendpoint = http://127.0.0.1:9000\n"
        "access_key = AK1\nsecret_key_file = %s\nmax_attempts = 2\n"
        "allow_private = yes\n"
        "[s3.aws]\nregion = us-west-2\n",
        sec);
    struct omkt_s3_conf c;
    struct omkt_errbuf eb = {0};
    const struct omkt_s3_profile *p;
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem;

    write_file(sec, "SK1-from-file\n", 0600);
    write_file(conf, text, 0600);
    OMKT_CHECK_INT(omkt_s3_conf_load(conf, &c, &eb), OMKT_OK, "conf: %s",
                   eb.msg);
    OMKT_CHECK_INT(c.n, 3, "[s3] and two profiles");
    p = omkt_s3_conf_profile(&c, "minio");
    OMKT_CHECK(p != NULL, "profile minio");
    if (p) {
        OMKT_CHECK_STR(p->secret_key, "SK1-from-file", "secret_key_file");
        OMKT_CHECK_STR(p->region, "eu-west-3", "region inherited");
        OMKT_CHECK_INT(p->part_size, 8 << 20, "part size inherited");
        OMKT_CHECK_INT(p->max_attempts, 2, "own max_attempts");
        OMKT_CHECK_INT(p->addressing, OMKT_S3_PATH, "endpoint: path-style");
        OMKT_CHECK(p->is_allow_private, "allow_private");
    }
    p = omkt_s3_conf_profile(&c, "aws");
    OMKT_CHECK(p && p->addressing == OMKT_S3_VIRTUAL &&
                   strcmp(p->region, "us-west-2") == 0 &&
                   strcmp(p->access_key, "AK0") == 0,
               "aws: virtual-hosted, own region, inherited keys");
    mem = open_memstream(&out, &outlen);
    if (mem) {
        omkt_s3_conf_print(mem, &c);
        fclose(mem);
    }
    OMKT_CHECK(out && strstr(out, "SK0") == NULL &&
                   strstr(out, "SK1") == NULL && strstr(out, "****"),
               "print masks secrets");
    free(out);
    omkt_s3_conf_free(&c);

    static const struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"[s3]\nbogus = 1\n", "2: unknown key 'bogus'"},
        {"[s3]\npart_size = 1M\n", "2: bad value for 'part_size'"},
        {"[s3]\naddressing = dns\n", "2: bad value"},
        {"[s3.bad name]\n", "1: bad s3 profile name"},
        {"[s3]\nnovalue\n", "2: expected"},
        {"[s3]\nendpoint = ftp://h\n", "2: bad value for 'endpoint'"},
        {"[s3]\nendpoint = http://h/x\n", "2: bad value for 'endpoint'"},
        {"[s3]\nendpoint = http://u@h\n", "2: bad value for 'endpoint'"},
        {"[s3]\nendpoint = https://\n", "2: bad value for 'endpoint'"},
    };
    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        omkt_errbuf_clear(&eb);
        write_file(conf, bad[i].text, 0600);
        OMKT_CHECK_INT(omkt_s3_conf_load(conf, &c, &eb), OMKT_ECONF,
                       "bad conf %zu", i);
        OMKT_CHECK(strstr(eb.msg, bad[i].want) != NULL, "bad conf %zu: %s", i,
                   eb.msg);
        omkt_s3_conf_free(&c);
    }
    /* a secret file others can read is refused */
    write_file(sec, "SK1\n", 0644);
    free(text);
    text = omkt_xasprintf("[s3]\nsecret_key_file = %s\n", sec);
    write_file(conf, text, 0600);
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_conf_load(conf, &c, &eb), OMKT_ECONF,
                   "world-readable secret_key_file refused");
    omkt_s3_conf_free(&c);
    (void)unlink(sec);
    (void)unlink(conf);
    free(text);
    free(sec);
    free(conf);
}

/* test_resolve - URI beats profile beats environment; none is an error. */
static void test_resolve(void)
{
    struct omkt_s3_profile prof[2] = {
        {.name = "", .region = "eu-west-3"},
        {.name = "p",
         .access_key = "PAK",
         .secret_key = "PSK",
         .endpoint = "http://127.0.0.1:1",
         .addressing = OMKT_S3_PATH},
    };
    struct omkt_s3_conf conf = {prof, 2};
    struct omkt_s3_uri u = {0};
    struct omkt_s3_config cfg;
    struct omkt_s3_creds cr;
    struct omkt_errbuf eb = {0};

    setenv("AWS_ACCESS_KEY_ID", "EAK", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ESK", 1);
    setenv("AWS_SESSION_TOKEN", "ETOK", 1);
    setenv("AWS_REGION", "ap-south-1", 1);
    OMKT_CHECK_INT(omkt_s3_uri_parse("s3://UAK:USK@bkt/k", &u, NULL), OMKT_OK,
                   "uri");
    OMKT_CHECK_INT(omkt_s3_resolve(&conf, "p", &u, &cfg, &cr, &eb), OMKT_OK,
                   "resolve uri");
    OMKT_CHECK_STR(cr.access_key, "UAK", "URI credentials first");
    OMKT_CHECK_STR(cfg.endpoint, "http://127.0.0.1:1", "profile endpoint");
    omkt_s3_creds_clear(&cr);
    OMKT_CHECK_INT(omkt_s3_resolve(&conf, "p", NULL, &cfg, &cr, &eb), OMKT_OK,
                   "resolve profile");
    OMKT_CHECK_STR(cr.access_key, "PAK", "then the profile");
    omkt_s3_creds_clear(&cr);
    OMKT_CHECK_INT(omkt_s3_resolve(&conf, "", NULL, &cfg, &cr, &eb), OMKT_OK,
                   "resolve env");
    OMKT_CHECK_STR(cr.access_key, "EAK", "then the environment");
    OMKT_CHECK_STR(cr.session_token, "ETOK", "with its session token");
    OMKT_CHECK_STR(cfg.region, "eu-west-3", "[s3] region over AWS_REGION");
    omkt_s3_creds_clear(&cr);
    OMKT_CHECK_INT(omkt_s3_resolve(NULL, NULL, NULL, &cfg, &cr, &eb), OMKT_OK,
                   "resolve env only");
    OMKT_CHECK_STR(cfg.region, "ap-south-1", "AWS_REGION");
    omkt_s3_creds_clear(&cr);
    OMKT_CHECK_INT(omkt_s3_resolve(&conf, "nope", NULL, &cfg, &cr, &eb),
                   OMKT_ECONF, "unknown profile");
    unsetenv("AWS_ACCESS_KEY_ID");
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_resolve(&conf, "", NULL, &cfg, &cr, &eb),
                   OMKT_ENOTFOUND, "no credentials anywhere: %s", eb.msg);
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_REGION");
    omkt_s3_uri_clear(&u);
}

/* ---- a fake IMDSv2 on 127.0.0.1 ---- */

struct imds {
    int requests;
    int no_token; /* GETs without the session token */
    bool has_role;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned st,
                             const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(c, st, r);

    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result imds_handler(void *cls, struct MHD_Connection *c,
                                    const char *url, const char *method,
                                    const char *ver, const char *data,
                                    size_t *size, void **ctx)
{
    static int marker;
    struct imds *st = cls;
    const char *tok;

    (void)ver;
    (void)data;
    if (*ctx == NULL) {
        *ctx = &marker;
        return MHD_YES;
    }
    *size = 0;
    st->requests++;
    if (strcmp(method, "PUT") == 0 && strcmp(url, "/latest/api/token") == 0)
        return MHD_lookup_connection_value(
                   c, MHD_HEADER_KIND, "X-aws-ec2-metadata-token-ttl-seconds")
                   ? reply(c, 200, "TOKEN-1")
                   : reply(c, 400, "");
    tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                      "X-aws-ec2-metadata-token");
    if (tok == NULL || strcmp(tok, "TOKEN-1") != 0) {
        st->no_token++;
        return reply(c, 401, "");
    }
    if (strcmp(url, "/latest/meta-data/iam/security-credentials/") == 0)
        return st->has_role ? reply(c, 200, "role-a\n") : reply(c, 404, "");
    if (strcmp(url, "/latest/meta-data/iam/security-credentials/role-a") == 0)
        return reply(c, 200,
                     "{\"Code\":\"Success\",\"AccessKeyId\":\"IAK\","
                     "\"SecretAccessKey\":\"ISK\",\"Token\":\"ITOK\","
                     "\"Expiration\":\"2099-01-01T00:00:00Z\"}");
    if (strcmp(url, "/latest/meta-data/placement/region") == 0)
        return reply(c, 200, "eu-north-1");
    return reply(c, 404, "");
}

static void test_imds(void)
{
    struct imds st = {0, 0, true};
    struct sockaddr_in sa = {.sin_family = AF_INET};
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    struct omkt_s3_creds cr;
    struct omkt_errbuf eb = {0};
    char *region = NULL, *ep;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                         imds_handler, &st, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_END);
    info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (info == NULL) {
        OMKT_CHECK(0, "fake IMDS did not start");
        return;
    }
    ep = omkt_xasprintf("http://127.0.0.1:%u", (unsigned)info->port);
    OMKT_CHECK_INT(omkt_s3_creds_imds(ep, &cr, &region, &eb), OMKT_OK,
                   "imds: %s", eb.msg);
    OMKT_CHECK_STR(cr.access_key, "IAK", "imds key");
    OMKT_CHECK_STR(cr.secret_key, "ISK", "imds secret");
    OMKT_CHECK_STR(cr.session_token, "ITOK", "imds token");
    OMKT_CHECK_STR(region, "eu-north-1", "imds region");
    OMKT_CHECK_INT(st.no_token, 0, "every GET carried the IMDSv2 token");
    OMKT_CHECK_INT(st.requests, 4, "token, role, credentials, region");
    omkt_s3_creds_clear(&cr);
    free(region);
    st.has_role = false;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_creds_imds(ep, &cr, NULL, &eb), OMKT_ENOTFOUND,
                   "no role: %s", eb.msg);
    {
        struct omkt_s3_profile prof = {
            .name = "", .is_imds = true, .imds_endpoint = ep};
        struct omkt_s3_conf conf = {&prof, 1};
        struct omkt_s3_config cfg;

        st.has_role = true;
        OMKT_CHECK_INT(omkt_s3_resolve(&conf, "", NULL, &cfg, &cr, &eb),
                       OMKT_OK, "resolve falls back to imds");
        OMKT_CHECK_STR(cr.access_key, "IAK", "imds through resolve");
        omkt_s3_creds_clear(&cr);
    }
    MHD_stop_daemon(d);
    free(ep);
}

int main(void)
{
    char dir[] = "/tmp/omkt-s3cred-XXXXXX";

    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_uri();
    test_mask();
    if (mkdtemp(dir) != NULL) {
        test_conf(dir);
        (void)rmdir(dir);
    }
    test_resolve();
    test_imds();
    curl_global_cleanup();
    return omkt_test_done();
}

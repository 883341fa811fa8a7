/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ec2 - EC2 Query API calls (see ec2.h).
 *
 * DESIGN: a form is a growing list of owned name/value pairs (names like
 * "TagSpecification.1.Tag.2.Key" are built at run time); omkt_aws_form
 * sorts and encodes it into the body that is signed and sent.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ec2.h"
#include "s3.h"
#include "text.h"

#define FORM_CT   "application/x-www-form-urlencoded; charset=utf-8"
#define MAX_PAGES 50
#define MSG_MAX   240

/* form - owned name/value pairs. */
struct form {
    struct omkt_aws_param *v;
    size_t n, cap;
};

/* put - append @value under the printf-built name. */
__attribute__((format(printf, 3, 4))) static void
put(struct form *f, const char *value, const char *fmt, ...)
{
    va_list ap;
    char name[128];

    va_start(ap, fmt);
    (void)vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->v = omkt_xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n].name = omkt_xstrdup(name);
    f->v[f->n].value = omkt_xstrdup(value);
    f->n++;
}

static void form_free(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free((char *)f->v[i].name);
        free((char *)f->v[i].value);
    }
    OMKT_FREE(f->v);
    f->n = f->cap = 0;
}

/* form_body - the encoded body of @f, then @f freed. */
static char *form_body(struct form *f)
{
    char *s = omkt_aws_form(f->v, f->n);

    form_free(f);
    return s;
}

/* ---- errors ---- */

static const char *const transient[] = {
    "RequestLimitExceeded", "InsufficientInstanceCapacity",
    "InsufficientCapacity", "Unavailable",
    "InternalError",        "ServiceUnavailable",
    "Throttling",           NULL};
static const char *const perm[] = {"AuthFailure",
                                   "SignatureDoesNotMatch",
                                   "UnauthorizedOperation",
                                   "InvalidClientTokenId",
                                   "OptInRequired",
                                   "Blocked",
                                   "IncompleteSignature",
                                   "MissingAuthenticationToken",
                                   "RequestExpired",
                                   "PendingVerification",
                                   NULL};
static const struct omkt_aws_errmap errmap = {transient, perm, NULL, NULL,
                                              NULL};

int omkt_ec2_classify(const char *what, long status, const char *body,
                      size_t len, struct omkt_errbuf *eb)
{
    char code[96], msg[MSG_MAX];

    if (status >= 200 && status < 300)
        return OMKT_OK;
    if (!omkt_s3_xml_text(body, len, "Code", code, sizeof(code)))
        (void)snprintf(code, sizeof(code), "-");
    if (!omkt_s3_xml_text(body, len, "Message", msg, sizeof(msg)))
        msg[0] = '\0';
    return omkt_aws_error(&errmap, what,
                          &(struct omkt_aws_fault){status, code, msg}, eb);
}

/* ---- answers ---- */

/* next_tag - the next "<@tag>" at or after @p in [p, end); NULL. */
static const char *next_tag(const char *p, const char *end, const char *tag)
{
    size_t n = strlen(tag);

    for (; p && p + n <= end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (p == NULL || p + n > end)
            return NULL;
        if (memcmp(p, tag, n) == 0)
            return p;
    }
    return NULL;
}

/* add_instance - the instance whose XML is [p, end). */
static void add_instance(struct omkt_ec2_list *out, const char *p,
                         const char *end)
{
    struct omkt_ec2_instance *in;
    const char *st = next_tag(p, end, "<instanceState>");

    out->v = omkt_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
    in = &out->v[out->n++];
    memset(in, 0, sizeof(*in));
    (void)omkt_s3_xml_text(p, (size_t)(end - p), "instanceId", in->id,
                           sizeof(in->id));
    if (st == NULL || !omkt_s3_xml_text(st, (size_t)(end - st), "name",
                                        in->state, sizeof(in->state)))
        (void)snprintf(in->state, sizeof(in->state), "unknown");
}

int omkt_ec2_parse_instances(const char *xml, size_t len,
                             struct omkt_ec2_list *out, char **next)
{
    const char *end = xml + len;
    const char *p = next_tag(xml, end, "<instanceId>");
    char tok[1024];

    if (next)
        *next = NULL;
    while (p) {
        const char *q = next_tag(p + 1, end, "<instanceId>");

        add_instance(out, p, q ? q : end);
        p = q;
    }
    if (next && omkt_s3_xml_text(xml, len, "nextToken", tok, sizeof(tok)) &&
        tok[0])
        *next = omkt_xstrdup(tok);
    return OMKT_OK;
}

void omkt_ec2_list_clear(struct omkt_ec2_list *l)
{
    if (l == NULL)
        return;
    OMKT_FREE(l->v);
    l->n = 0;
}

/* ---- calls ---- */

/* call - POST @body (steals it) as @action; *resp new on success. */
static int call(struct omkt_aws *c, const char *action, char *body,
                struct omkt_aws_resp *resp, struct omkt_errbuf *eb)
{
    char *what = omkt_xasprintf("ec2 %s", action);
    struct omkt_aws_call ac = {what, FORM_CT, NULL, body, strlen(body), 0};
    int rc = omkt_aws_post(c, &ac, omkt_ec2_classify, resp, eb);

    free(what);
    free(body);
    return rc;
}

/* base64 - @s base64-encoded (new). */
static char *base64(const char *s)
{
    size_t n = strlen(s);
    char *out = omkt_xmalloc(4 * ((n + 2) / 3) + 1);

    (void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
                          (int)n);
    return out;
}

/* run_checks - whether @r can be sent. */
static bool run_checks(const struct omkt_ec2_run *r, struct omkt_errbuf *eb)
{
    if (r->image_id == NULL || *r->image_id == '\0' ||
        r->instance_type == NULL || *r->instance_type == '\0') {
        omkt_errf(eb, "ec2 RunInstances: no image or instance type");
        return false;
    }
    if (r->count < 1 || r->count > 1000) {
        omkt_errf(eb, "ec2 RunInstances: count %d is not 1..1000", r->count);
        return false;
    }
    if (r->user_data && strlen(r->user_data) > OMKT_EC2_MAX_USERDATA) {
        omkt_errf(eb, "ec2 RunInstances: user-data over %d bytes",
                  OMKT_EC2_MAX_USERDATA);
        return false;
    }
    return true;
}

/* put_placement - subnet, security groups, profile, spot. */
static void put_placement(struct form *f, const struct omkt_ec2_run *r)
{
    const char *ip = r->instance_profile;

    if (r->subnet_id)
        put(f, r->subnet_id, "SubnetId");
    if (r->key_name && *r->key_name)
        put(f, r->key_name, "KeyName");
    for (size_t i = 0; i < r->nsecurity_groups; i++)
        put(f, r->security_groups[i], "SecurityGroupId.%zu", i + 1);
    if (ip && *ip)
        put(f, ip, "IamInstanceProfile.%s",
            strncmp(ip, "arn:", 4) == 0 ? "Arn" : "Name");
    if (!r->is_spot)
        return;
    put(f, "spot", "InstanceMarketOptions.MarketType");
    put(f, "one-time", "InstanceMarketOptions.SpotOptions.SpotInstanceType");
    put(f, "terminate",
        "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior");
    if (r->spot_max_price)
        put(f, r->spot_max_price, "InstanceMarketOptions.SpotOptions.MaxPrice");
}

char *omkt_ec2_run_body(const struct omkt_ec2_run *r, struct omkt_errbuf *eb)
{
    struct form f = {0};
    char count[16], token[33] = "";
    unsigned char rnd[16];

    if (!run_checks(r, eb))
        return NULL;
    (void)snprintf(count, sizeof(count), "%d", r->count);
    put(&f, "RunInstances", "Action");
    put(&f, OMKT_EC2_VERSION, "Version");
    put(&f, r->image_id, "ImageId");
    put(&f, r->instance_type, "InstanceType");
    put(&f, count, "MinCount");
    put(&f, count, "MaxCount");
    put(&f, "terminate", "InstanceInitiatedShutdownBehavior");
    if (r->client_token == NULL && RAND_bytes(rnd, sizeof(rnd)) == 1)
        for (size_t i = 0; i < sizeof(rnd); i++)
            (void)snprintf(token + 2 * i, 3, "%02x", rnd[i]);
    if (r->client_token || token[0])
        put(&f, r->client_token ? r->client_token : token, "ClientToken");
    if (r->user_data) {
        char *ud = base64(r->user_data);

        put(&f, ud, "UserData");
        free(ud);
    }
    put_placement(&f, r);
    if (r->ntags > 0)
        put(&f, "instance", "TagSpecification.1.ResourceType");
    for (size_t i = 0; i < r->ntags; i++) {
        put(&f, r->tags[i].key, "TagSpecification.1.Tag.%zu.Key", i + 1);
        put(&f, r->tags[i].value, "TagSpecification.1.Tag.%zu.Value", i + 1);
    }
    return form_body(&f);
}

int omkt_ec2_run_instances(struct omkt_aws *c, const struct omkt_ec2_run *r,
                           struct omkt_ec2_list *out, struct omkt_errbuf *eb)
{
    char *body = omkt_ec2_run_body(r, eb);
    struct omkt_aws_resp resp;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (body == NULL)
        return OMKT_EINVAL;
    rc = call(c, "RunInstances", body, &resp, eb);
    if (rc == OMKT_OK && out)
        rc = omkt_ec2_parse_instances(resp.body, resp.len, out, NULL);
    omkt_aws_resp_clear(&resp);
    return rc;
}

/* describe_body - one DescribeInstances page's form (new). */
static char *describe_body(const struct omkt_ec2_tag *tag, const char *token)
{
    static const char *const states[] = {"pending", "running", "shutting-down",
                                         "stopping", "stopped"};
    struct form f = {0};
    char *name;

    put(&f, "DescribeInstances", "Action");
    put(&f, OMKT_EC2_VERSION, "Version");
    put(&f, "instance-state-name", "Filter.1.Name");
    for (size_t i = 0; i < OMKT_ARRAY_LEN(states); i++)
        put(&f, states[i], "Filter.1.Value.%zu", i + 1);
    name = omkt_xasprintf("tag:%s", tag->key);
    put(&f, name, "Filter.2.Name");
    free(name);
    put(&f, tag->value, "Filter.2.Value.1");
    if (token)
        put(&f, token, "NextToken");
    return form_body(&f);
}

int omkt_ec2_describe(struct omkt_aws *c, const struct omkt_ec2_tag *tag,
                      struct omkt_ec2_list *out, struct omkt_errbuf *eb)
{
    struct omkt_aws_resp resp;
    char *token = NULL;
    int rc = OMKT_OK;

    memset(out, 0, sizeof(*out));
    for (int page = 0; page < MAX_PAGES && rc == OMKT_OK; page++) {
        char *next = NULL;

        rc = call(c, "DescribeInstances", describe_body(tag, token), &resp, eb);
        if (rc == OMKT_OK)
            rc = omkt_ec2_parse_instances(resp.body, resp.len, out, &next);
        omkt_aws_resp_clear(&resp);
        free(token);
        token = next;
        if (token == NULL)
            break;
    }
    free(token);
    if (rc != OMKT_OK)
        omkt_ec2_list_clear(out);
    return rc;
}

int omkt_ec2_terminate(struct omkt_aws *c, const char *const *ids, size_t n,
                       struct omkt_errbuf *eb)
{
    struct form f = {0};
    struct omkt_aws_resp resp;
    int rc;

    if (n < 1 || n > 1000) {
        omkt_errf(eb, "ec2 TerminateInstances: %zu ids is not 1..1000", n);
        return OMKT_EINVAL;
    }
    put(&f, "TerminateInstances", "Action");
    put(&f, OMKT_EC2_VERSION, "Version");
    for (size_t i = 0; i < n; i++)
        put(&f, ids[i], "InstanceId.%zu", i + 1);
    rc = call(c, "TerminateInstances", form_body(&f), &resp, eb);
    omkt_aws_resp_clear(&resp);
    return rc;
}

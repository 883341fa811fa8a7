/* SPDX-License-Identifier: GPL-2.0-or-later */
/* s3cred - S3 URIs, [s3] profiles, environment and IMDSv2 (s3cred.h). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "httpc.h"
#include "imds.h"
#include "parse.h"
#include "s3cred.h"
#include "text.h"

#define KEY_MAX      1024
#define SECRET_MAX   256
#define LINE_MAX_LEN 4096
#define SHOW_MAX     2048

bool omkt_s3_uri_is_s3(const char *s)
{
    return s != NULL && strncmp(s, "s3://", 5) == 0;
}

/* split - the parts of "KEY:SECRET@bucket/key" after "s3://": @at is the
 * '@' ending the credentials, or NULL when there are none. */
static void split(const char *rest, const char **at)
{
    size_t slash = strcspn(rest, "/");
    size_t colon = strcspn(rest, ":");

    *at = NULL;
    if (colon < slash) /* an access key id has no '/': credentials */
        *at = strchr(rest + colon, '@');
    else if (memchr(rest, '@', slash) != NULL)
        *at = memchr(rest, '@', slash);
}

/* show - @s cleaned for an error text or log: valid UTF-8, control bytes
 * as '?', bounded (new). */
static char *show(const char *s)
{
    char *out = omkt_text_dup(s, SHOW_MAX);

    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return out;
}

char *omkt_s3_uri_mask(const char *uri)
{
    const char *at;
    size_t colon, slash;
    char *raw, *out;

    if (!omkt_s3_uri_is_s3(uri))
        return show(uri ? uri : "");
    split(uri + 5, &at);
    colon = strcspn(uri + 5, ":");
    slash = strcspn(uri + 5, "/");
    if (at == NULL && colon >= slash)
        return show(uri);
    /* credentials, or what looks like their start: hide all after ':' */
    colon = strcspn(uri + 5, ":@");
    raw = omkt_xasprintf("s3://%.*s:****%s", (int)colon, uri + 5, at ? at : "");
    out = show(raw);
    free(raw);
    return out;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* pct_decode - @n bytes of @s with %XX decoded (new); NULL when the
 * result would hold a control byte or NUL. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = omkt_xmalloc(n + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 &&
            hexv(s[i + 2]) >= 0) {
            c = (unsigned char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        }
        if (c < 0x20 || c == 0x7f) {
            OPENSSL_cleanse(out, j);
            free(out);
            return NULL;
        }
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return out;
}

/* bucket_ok - S3 bucket names (and the looser legacy/compatible ones). */
static bool bucket_ok(const char *b, size_t n)
{
    if (n < 3 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)b[i]) && b[i] != '.' && b[i] != '-' &&
            b[i] != '_')
            return false;
    return true;
}

/* key_ok - an object key: 1..1024 bytes of UTF-8 without control bytes. */
static bool key_ok(const char *k)
{
    size_t n = strlen(k);

    if (n == 0 || n > KEY_MAX || !omkt_utf8_valid(k, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x20 || k[i] == 0x7f)
            return false;
    return true;
}

/* parse_creds - "KEY:SECRET" of @n bytes into @c. */
static int parse_creds(const char *s, size_t n, struct omkt_s3_creds *c)
{
    const char *colon = memchr(s, ':', n);

    if (colon == NULL || colon == s || colon + 1 == s + n)
        return OMKT_EINVAL;
    c->access_key = pct_decode(s, (size_t)(colon - s));
    c->secret_key = pct_decode(colon + 1, (size_t)(s + n - colon - 1));
    if (c->access_key == NULL || c->secret_key == NULL ||
        strlen(c->access_key) > 128 || strlen(c->secret_key) > SECRET_MAX)
        return OMKT_EINVAL;
    for (const char *p = c->access_key; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._~-", *p))
            return OMKT_EINVAL;
    return OMKT_OK;
}

int omkt_s3_uri_parse(const char *uri, struct omkt_s3_uri *out,
                      struct omkt_errbuf *eb)
{
    const char *rest, *at, *b;
    size_t blen;
    char *shown;

    memset(out, 0, sizeof(*out));
    if (!omkt_s3_uri_is_s3(uri)) {
        omkt_errf(eb, "not an s3:// URI");
        return OMKT_EINVAL;
    }
    rest = uri + 5;
    split(rest, &at);
    b = at ? at + 1 : rest;
    blen = strcspn(b, "/");
    if ((at &&
         parse_creds(rest, (size_t)(at - rest), &out->creds) != OMKT_OK) ||
        !bucket_ok(b, blen) || b[blen] != '/' || !key_ok(b + blen + 1)) {
        shown = omkt_s3_uri_mask(uri);
        omkt_errf(eb, "bad s3 URI %s: want s3://[KEY:SECRET@]bucket/key",
                  shown);
        free(shown);
        omkt_s3_uri_clear(out);
        return OMKT_EINVAL;
    }
    out->bucket = omkt_xstrndup(b, blen);
    out->key = omkt_xstrdup(b + blen + 1);
    return OMKT_OK;
}

void omkt_s3_uri_clear(struct omkt_s3_uri *u)
{
    if (u == NULL)
        return;
    OMKT_FREE(u->bucket);
    OMKT_FREE(u->key);
    omkt_s3_creds_clear(&u->creds);
}

/* ---- configuration ---- */

/* profile_state - a profile being read, with which keys were given. */
struct pstate {
    bool has_addressing, has_part, has_attempts, has_imds, has_private;
};

/* section_name - the profile name of "[s3]" / "[s3.NAME]", or NULL for
 * another section.  *bad set when it is an s3 section with a bad name. */
static const char *section_name(char *hdr, bool *bad)
{
    *bad = false;
    if (strcmp(hdr, "s3") == 0)
        return "";
    if (strncmp(hdr, "s3.", 3) != 0)
        return NULL;
    for (const char *p = hdr + 3; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            *bad = true;
    if (hdr[3] == '\0' || strlen(hdr + 3) > 64)
        *bad = true;
    return hdr + 3;
}

/* read_secret_file - first line of a file only its owner may read. */
static int read_secret_file(const char *path, char **out)
{
    FILE *f = fopen(path, "re");
    struct stat st;
    char line[LINE_MAX_LEN];
    int ret = OMKT_ECONF;

    if (f == NULL)
        return OMKT_EIO;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) == 0 &&
        fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0') {
            *out = omkt_xstrdup(line);
            ret = OMKT_OK;
        }
        OPENSSL_cleanse(line, sizeof(line));
    }
    fclose(f);
    return ret;
}

/* set_str - replace *@dst by a copy of @v. */
static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = omkt_xstrdup(v);
}

/* set_num - "part_size", "max_attempts". */
static int set_num(struct omkt_s3_profile *p, struct pstate *ps, const char *k,
                   const char *v)
{
    int64_t n = 0;

    if (strcmp(k, "part_size") == 0) {
        if (omkt_parse_size(v, &n) != OMKT_OK || n < OMKT_S3_MIN_PART ||
            n > ((int64_t)5 << 30))
            return OMKT_ECONF;
        p->part_size = n;
        ps->has_part = true;
        return OMKT_OK;
    }
    if (omkt_parse_i64(v, &n) != OMKT_OK || n < 1 || n > 20)
        return OMKT_ECONF;
    p->max_attempts = n;
    ps->has_attempts = true;
    return OMKT_OK;
}

/* set_key - one "key = value" of an s3 section. */
static int set_key(struct omkt_s3_profile *p, struct pstate *ps, const char *k,
                   const char *v)
{
    if (strcmp(k, "endpoint") == 0) {
        size_t auth = strcspn(v + strcspn(v, ":") + 3, "/?#@");

        /* scheme://host[:port], nothing else: the client builds paths */
        if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
            auth == 0 || v[strcspn(v, ":") + 3 + auth] != '\0')
            return OMKT_ECONF;
        set_str(&p->endpoint, v);
    } else if (strcmp(k, "region") == 0)
        set_str(&p->region, v);
    else if (strcmp(k, "access_key") == 0)
        set_str(&p->access_key, v);
    else if (strcmp(k, "secret_key") == 0)
        set_str(&p->secret_key, v);
    else if (strcmp(k, "session_token") == 0)
        set_str(&p->session_token, v);
    else if (strcmp(k, "imds_endpoint") == 0)
        set_str(&p->imds_endpoint, v);
    else if (strcmp(k, "secret_key_file") == 0) {
        free(p->secret_key);
        p->secret_key = NULL;
        return read_secret_file(v, &p->secret_key);
    } else if (strcmp(k, "addressing") == 0) {
        if (strcmp(v, "virtual") != 0 && strcmp(v, "path") != 0)
            return OMKT_ECONF;
        p->addressing = v[0] == 'v' ? OMKT_S3_VIRTUAL : OMKT_S3_PATH;
        ps->has_addressing = true;
    } else if (strcmp(k, "allow_private") == 0) {
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            return OMKT_ECONF;
        p->is_allow_private = v[0] == 'y';
        ps->has_private = true;
    } else if (strcmp(k, "imds") == 0) {
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            return OMKT_ECONF;
        p->is_imds = v[0] == 'y';
        ps->has_imds = true;
    } else if (strcmp(k, "part_size") == 0 || strcmp(k, "max_attempts") == 0)
        return set_num(p, ps, k, v);
    else
        return OMKT_EINVAL;
    return OMKT_OK;
}

/* loader - the state of omkt_s3_conf_load. */
struct loader {
    const char *path;
    unsigned line;
    struct omkt_s3_conf *c;
    struct pstate *ps;
    int cur; /* profile index, -1: another section */
};

/* open_section - "[name]". */
static int open_section(struct loader *l, char *hdr, struct omkt_errbuf *eb)
{
    bool bad;
    const char *name = section_name(hdr, &bad);

    l->cur = -1;
    if (name == NULL)
        return OMKT_OK;
    if (bad) {
        omkt_errf(eb, "%s:%u: bad s3 profile name [%s]", l->path, l->line, hdr);
        return OMKT_ECONF;
    }
    for (size_t i = 0; i < l->c->n; i++)
        if (strcmp(l->c->v[i].name, name) == 0) {
            l->cur = (int)i;
            return OMKT_OK;
        }
    l->c->v = omkt_xrealloc(l->c->v, (l->c->n + 1) * sizeof(*l->c->v));
    l->ps = omkt_xrealloc(l->ps, (l->c->n + 1) * sizeof(*l->ps));
    memset(&l->c->v[l->c->n], 0, sizeof(*l->c->v));
    memset(&l->ps[l->c->n], 0, sizeof(*l->ps));
    l->c->v[l->c->n].name = omkt_xstrdup(name);
    l->cur = (int)l->c->n++;
    return OMKT_OK;
}

/* one_line - a line of the file. */
static int one_line(struct loader *l, char *raw, struct omkt_errbuf *eb)
{
    char *s = omkt_trim(raw);
    char *eq;
    size_t n = strlen(s);
    int rc;

    if (n == 0 || s[0] == '#' || s[0] == ';')
        return OMKT_OK;
    if (s[0] == '[' && s[n - 1] == ']') {
        s[n - 1] = '\0';
        return open_section(l, omkt_trim(s + 1), eb);
    }
    if (l->cur < 0)
        return OMKT_OK; /* another program's section: conf.c checks it */
    eq = strchr(s, '=');
    if (eq == NULL) {
        omkt_errf(eb, "%s:%u: expected 'key = value'", l->path, l->line);
        return OMKT_ECONF;
    }
    *eq = '\0';
    rc = set_key(&l->c->v[l->cur], &l->ps[l->cur], omkt_trim(s),
                 omkt_trim(eq + 1));
    if (rc == OMKT_EINVAL)
        omkt_errf(eb, "%s:%u: unknown key '%s' in an s3 section", l->path,
                  l->line, omkt_trim(s));
    else if (rc != OMKT_OK)
        omkt_errf(eb, "%s:%u: bad value for '%s'", l->path, l->line,
                  omkt_trim(s));
    return rc == OMKT_OK ? OMKT_OK : OMKT_ECONF;
}

/* inherit - what profile @p leaves unset comes from [s3]. */
static void inherit(struct omkt_s3_profile *p, const struct pstate *ps,
                    const struct omkt_s3_profile *d, const struct pstate *dps)
{
    char **s[] = {&p->endpoint,   &p->region,        &p->access_key,
                  &p->secret_key, &p->session_token, &p->imds_endpoint};
    char *const ds[] = {d->endpoint,   d->region,        d->access_key,
                        d->secret_key, d->session_token, d->imds_endpoint};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(s); i++)
        if (*s[i] == NULL && ds[i] != NULL)
            *s[i] = omkt_xstrdup(ds[i]);
    if (!ps->has_addressing && dps->has_addressing)
        p->addressing = d->addressing;
    if (!ps->has_part)
        p->part_size = d->part_size;
    if (!ps->has_attempts)
        p->max_attempts = d->max_attempts;
    if (!ps->has_imds)
        p->is_imds = d->is_imds;
    if (!ps->has_private)
        p->is_allow_private = d->is_allow_private;
}

/* finish_profiles - defaults, inheritance and the "auto" addressing. */
static void finish_profiles(struct omkt_s3_conf *c, struct pstate *ps)
{
    for (size_t i = 1; i < c->n; i++)
        inherit(&c->v[i], &ps[i], &c->v[0], &ps[0]);
    for (size_t i = 0; i < c->n; i++) {
        bool has_addr = ps[i].has_addressing || (i > 0 && ps[0].has_addressing);

        /* virtual-hosted on AWS, path-style on a local store */
        if (!has_addr)
            c->v[i].addressing =
                c->v[i].endpoint ? OMKT_S3_PATH : OMKT_S3_VIRTUAL;
    }
}

int omkt_s3_conf_load(const char *path, struct omkt_s3_conf *out,
                      struct omkt_errbuf *eb)
{
    struct loader l = {path, 0, NULL, NULL, -1};
    char raw[LINE_MAX_LEN];
    FILE *f;
    int rc = OMKT_OK;

    memset(out, 0, sizeof(*out));
    l.c = out;
    out->v = omkt_xcalloc(1, sizeof(*out->v));
    out->v[0].name = omkt_xstrdup("");
    out->n = 1;
    l.ps = omkt_xcalloc(1, sizeof(*l.ps));
    f = fopen(path, "re");
    if (f == NULL) {
        omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
        free(l.ps);
        return OMKT_EIO;
    }
    while (rc == OMKT_OK && fgets(raw, sizeof(raw), f) != NULL) {
        l.line++;
        rc = one_line(&l, raw, eb);
    }
    fclose(f);
    OPENSSL_cleanse(raw, sizeof(raw));
    if (rc == OMKT_OK)
        finish_profiles(out, l.ps);
    free(l.ps);
    return rc;
}

void omkt_s3_conf_free(struct omkt_s3_conf *c)
{
    for (size_t i = 0; c && i < c->n; i++) {
        struct omkt_s3_profile *p = &c->v[i];
        struct omkt_s3_creds cr = {p->access_key, p->secret_key,
                                   p->session_token};

        omkt_s3_creds_clear(&cr);
        free(p->name);
        free(p->endpoint);
        free(p->region);
        free(p->imds_endpoint);
    }
    if (c) {
        OMKT_FREE(c->v);
        c->n = 0;
    }
}

const struct omkt_s3_profile *omkt_s3_conf_profile(const struct omkt_s3_conf *c,
                                                   const char *name)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->v[i].name, name ? name : "") == 0)
            return &c->v[i];
    return NULL;
}

void omkt_s3_conf_print(FILE *out, const struct omkt_s3_conf *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct omkt_s3_profile *p = &c->v[i];

        fprintf(out, "[s3%s%s]\n", p->name[0] ? "." : "", p->name);
        fprintf(out, "endpoint = %s\nregion = %s\naddressing = %s\n",
                p->endpoint ? p->endpoint : "", p->region ? p->region : "",
                p->addressing == OMKT_S3_PATH ? "path" : "virtual");
        fprintf(out, "access_key = %s\nsecret_key = %s\n",
                p->access_key ? p->access_key : "",
                p->secret_key ? "****" : "");
        fprintf(out, "session_token = %s\nimds = %s\n",
                p->session_token ? "****" : "", p->is_imds ? "yes" : "no");
    }
}

/* ---- environment and IMDSv2 ---- */

int omkt_s3_creds_env(struct omkt_s3_creds *out)
{
    const char *k = getenv("AWS_ACCESS_KEY_ID");
    const char *s = getenv("AWS_SECRET_ACCESS_KEY");
    const char *t = getenv("AWS_SESSION_TOKEN");

    memset(out, 0, sizeof(*out));
    if (k == NULL || s == NULL || *k == '\0' || *s == '\0')
        return OMKT_ENOTFOUND;
    out->access_key = omkt_xstrdup(k);
    out->secret_key = omkt_xstrdup(s);
    if (t && *t)
        out->session_token = omkt_xstrdup(t);
    return OMKT_OK;
}

/* imds_json - the credential fields of the role document @doc. */
static int imds_json(const char *doc, struct omkt_s3_creds *out,
                     struct omkt_errbuf *eb)
{
    json_t *j = json_loads(doc, 0, NULL);
    const char *k = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *s = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *t = json_string_value(json_object_get(j, "Token"));
    const char *code = json_string_value(json_object_get(j, "Code"));
    int rc = OMKT_OK;

    if (k == NULL || s == NULL || (code && strcmp(code, "Success") != 0)) {
        omkt_errf(eb, "imds: no credentials in the role document");
        rc = OMKT_EHTTP;
    } else {
        out->access_key = omkt_xstrdup(k);
        out->secret_key = omkt_xstrdup(s);
        out->session_token = t ? omkt_xstrdup(t) : NULL;
    }
    json_decref(j);
    return rc;
}

/* wipe - cleanse and free a metadata answer that may hold a secret. */
static void wipe(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

/* imds_steps - role, its credentials (and the region) through @m. */
static int imds_steps(struct omkt_imds *m, struct omkt_s3_creds *out,
                      char **region, struct omkt_errbuf *eb)
{
    char *list = NULL, *doc = NULL, *path = NULL, *reg = NULL;
    size_t n = 0;
    int rc = omkt_imds_get(m, "meta-data/iam/security-credentials/", &list, eb);

    if (rc == OMKT_OK)
        n = strcspn(list, "\r\n/?#");
    if (rc == OMKT_OK && n == 0) {
        omkt_errf(eb, "imds: the instance has no role");
        rc = OMKT_ENOTFOUND;
    }
    if (rc == OMKT_OK) {
        path = omkt_xasprintf("meta-data/iam/security-credentials/%.*s", (int)n,
                              list);
        rc = omkt_imds_get(m, path, &doc, eb);
    }
    if (rc == OMKT_OK)
        rc = imds_json(doc, out, eb);
    if (rc == OMKT_OK && region &&
        omkt_imds_get(m, "meta-data/placement/region", &reg, NULL) == OMKT_OK)
        *region = omkt_xstrndup(reg, strcspn(reg, "\r\n"));
    wipe(doc);
    free(reg);
    free(path);
    free(list);
    return rc;
}

int omkt_s3_creds_imds(const char *endpoint, struct omkt_s3_creds *out,
                       char **region, struct omkt_errbuf *eb)
{
    struct omkt_imds *m = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (region)
        *region = NULL;
    rc = omkt_imds_new(endpoint, &m, eb);
    if (rc == OMKT_OK)
        rc = imds_steps(m, out, region, eb);
    if (rc != OMKT_OK) {
        omkt_s3_creds_clear(out);
        if (region)
            OMKT_FREE(*region);
    }
    omkt_imds_free(m);
    return rc;
}

/* copy_creds - *@dst = copies of @k, @s, @t. */
static void copy_creds(struct omkt_s3_creds *dst, const char *k, const char *s,
                       const char *t)
{
    dst->access_key = omkt_xstrdup(k);
    dst->secret_key = omkt_xstrdup(s);
    dst->session_token = t && *t ? omkt_xstrdup(t) : NULL;
}

int omkt_s3_resolve(const struct omkt_s3_conf *conf, const char *profile,
                    const struct omkt_s3_uri *uri, struct omkt_s3_config *cfg,
                    struct omkt_s3_creds *cr, struct omkt_errbuf *eb)
{
    const struct omkt_s3_profile *p = omkt_s3_conf_profile(conf, profile);
    const char *env_region = getenv("AWS_REGION");

    memset(cfg, 0, sizeof(*cfg));
    memset(cr, 0, sizeof(*cr));
    if (p == NULL && profile && *profile) {
        omkt_errf(eb, "no s3 profile '%s' in the configuration", profile);
        return OMKT_ECONF;
    }
    if (env_region == NULL || *env_region == '\0')
        env_region = getenv("AWS_DEFAULT_REGION");
    cfg->endpoint = p ? p->endpoint : NULL;
    cfg->region = p && p->region ? p->region : env_region;
    cfg->addressing = p ? p->addressing : OMKT_S3_VIRTUAL;
    cfg->part_size = p ? p->part_size : 0;
    cfg->max_attempts = p ? (int)p->max_attempts : 0;
    cfg->lim.allow_private = p ? p->is_allow_private : false;
    if (uri && uri->creds.access_key && uri->creds.secret_key)
        copy_creds(cr, uri->creds.access_key, uri->creds.secret_key, NULL);
    else if (p && p->access_key && p->secret_key)
        copy_creds(cr, p->access_key, p->secret_key, p->session_token);
    else if (omkt_s3_creds_env(cr) == OMKT_OK)
        return OMKT_OK;
    else if (p && p->is_imds)
        return omkt_s3_creds_imds(p->imds_endpoint, cr, NULL, eb);
    else {
        omkt_errf(eb,
                  "no S3 credentials: none in the URI, the [s3%s%s] "
                  "section or AWS_ACCESS_KEY_ID, and imds is off",
                  profile && *profile ? "." : "", profile ? profile : "");
        return OMKT_ENOTFOUND;
    }
    return OMKT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3 - requests, retries and the multipart protocol (see s3.h).
 *
 * DESIGN: s3req describes one HTTP exchange; perform_once() builds the
 * URL, signs the headers (s3sign) and runs it on the client's handle;
 * perform() retries it when the failure is transient.  Bodies we upload
 * are in memory (a part at most), so a retry resends the same bytes with
 * the same checksums.  Response bodies are capped at RESP_MAX; a GET's
 * 2xx body goes to a file descriptor instead, capped at the object size.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "s3.h"
#include "s3sign.h"
#include "text.h"

#define RESP_MAX    (4 << 20)
#define DEF_PART    (16 << 20)
#define MD5_B64_LEN 24
#define SHA_B64_LEN 44
#define LABEL_MAX   320

struct omkt_s3 {
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    char *scheme; /* "http" or "https" */
    char *host;   /* authority: host[:port] */
    char *region;
    enum omkt_s3_addressing addressing;
    int64_t part_size;
    int max_attempts;
    int64_t backoff_ms, backoff_max_ms, max_object_bytes;
    struct omkt_http_limits lim; /* lim.allow_private: loopback/LAN stores */
    struct omkt_http_peer peer;  /* the address policy's verdict */
    char *connect_to;
    struct curl_slist *connect_list;
    struct omkt_s3_creds cr;
    struct omkt_s3_hooks hooks;
    struct omkt_s3_stats st;
    unsigned seed;
};

/* resp - a capped in-memory response body. */
struct resp {
    char *p;
    size_t len;
};

/* s3req - one exchange: what to send and what came back. */
struct s3req {
    const char *method;
    const char *bucket;
    const char *key;   /* NULL: the bucket itself */
    const char *query; /* encoded, NULL when none */
    const void *body;  /* upload body (PUT, POST) */
    size_t body_len;
    const char *content_md5; /* base64, NULL when none */
    const char *payload_sha; /* hex SHA-256 of body; NULL: computed */
    const char *checksum;    /* x-amz-checksum-sha256 (base64) or NULL */
    const char *content_type;
    const char *range;    /* "bytes=N-" */
    const char *if_match; /* ETag without quotes */
    const char *copy_src; /* x-amz-copy-source (CopyObject), or NULL */
    int fd;               /* 2xx GET body sink, -1: memory */
    int64_t fd_max;       /* bytes expected: the rest of the object */
    int64_t fd_max_full;  /* the whole object, when Range is ignored */
    /* results */
    long status;
    struct resp out;
    char etag[OMKT_S3_ETAG_MAX];
    int64_t content_length, range_start;
    int64_t fd_written;
    bool is_fd_failed, is_over_cap;
    int fd_errno;
    size_t body_off;
};

void omkt_s3_creds_clear(struct omkt_s3_creds *c)
{
    if (c == NULL)
        return;
    if (c->secret_key)
        OPENSSL_cleanse(c->secret_key, strlen(c->secret_key));
    if (c->session_token)
        OPENSSL_cleanse(c->session_token, strlen(c->session_token));
    OMKT_FREE(c->access_key);
    OMKT_FREE(c->secret_key);
    OMKT_FREE(c->session_token);
}

void omkt_s3_creds_copy(struct omkt_s3_creds *dst,
                        const struct omkt_s3_creds *src)
{
    dst->access_key = omkt_xstrdup(src->access_key);
    dst->secret_key = omkt_xstrdup(src->secret_key);
    if (src->session_token && *src->session_token)
        dst->session_token = omkt_xstrdup(src->session_token);
}

/* parse_endpoint - scheme and authority of @ep ("http(s)://host[:port]"). */
static int parse_endpoint(struct omkt_s3 *s3, const char *ep,
                          struct omkt_errbuf *eb)
{
    const char *p = strstr(ep, "://");
    size_t auth;

    if (p == NULL || !((p - ep == 4 && strncmp(ep, "http", 4) == 0) ||
                       (p - ep == 5 && strncmp(ep, "https", 5) == 0))) {
        omkt_errf(eb, "s3 endpoint must be http:// or https://");
        return OMKT_EINVAL;
    }
    auth = strcspn(p + 3, "/?#");
    if (auth == 0 || memchr(p + 3, '@', auth) != NULL ||
        strcspn(p + 3 + auth, "/") != 0 || strlen(p + 3 + auth) > 1) {
        omkt_errf(eb, "s3 endpoint must be scheme://host[:port] only");
        return OMKT_EINVAL;
    }
    s3->scheme = omkt_xstrndup(ep, (size_t)(p - ep));
    s3->host = omkt_xstrndup(p + 3, auth);
    return OMKT_OK;
}

/* copy_config - defaults applied, strings copied. */
static int copy_config(struct omkt_s3 *s3, const struct omkt_s3_config *cfg,
                       struct omkt_errbuf *eb)
{
    char *aws = NULL;
    int rc;

    s3->region =
        omkt_xstrdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
    if (cfg->endpoint == NULL || *cfg->endpoint == '\0')
        aws = omkt_xasprintf("https://s3.%s.amazonaws.com", s3->region);
    rc = parse_endpoint(s3, aws ? aws : cfg->endpoint, eb);
    free(aws);
    s3->addressing = cfg->addressing;
    s3->part_size = cfg->part_size > 0 ? cfg->part_size : DEF_PART;
    s3->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 4;
    s3->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 200;
    s3->backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : 10000;
    s3->max_object_bytes = cfg->max_object_bytes;
    s3->lim = cfg->lim;
    if (s3->lim.connect_timeout_ms <= 0)
        s3->lim.connect_timeout_ms = 10000;
    if (s3->lim.timeout_ms <= 0)
        s3->lim.timeout_ms = 3600 * 1000;
    if (cfg->connect_to && *cfg->connect_to) {
        s3->connect_to = omkt_xstrdup(cfg->connect_to);
        s3->connect_list = curl_slist_append(NULL, s3->connect_to);
        if (s3->connect_list == NULL)
            return OMKT_ENOMEM;
    }
    return rc;
}

int omkt_s3_new(const struct omkt_s3_config *cfg,
                const struct omkt_s3_creds *cr, struct omkt_s3 **out,
                struct omkt_errbuf *eb)
{
    struct omkt_s3 *s3 = omkt_xcalloc(1, sizeof(*s3));
    int rc;

    *out = NULL;
    if (cr == NULL || cr->access_key == NULL || cr->secret_key == NULL ||
        *cr->access_key == '\0' || *cr->secret_key == '\0') {
        omkt_errf(eb, "s3: no credentials");
        free(s3);
        return OMKT_EINVAL;
    }
    rc = copy_config(s3, cfg, eb);
    omkt_s3_creds_copy(&s3->cr, cr);
    s3->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    s3->h = curl_easy_init();
    if (rc == OMKT_OK && s3->h == NULL) {
        omkt_errf(eb, "s3: curl_easy_init failed");
        rc = OMKT_ENET;
    }
    if (rc != OMKT_OK) {
        omkt_s3_free(s3);
        return rc;
    }
    *out = s3;
    return OMKT_OK;
}

void omkt_s3_free(struct omkt_s3 *s3)
{
    if (s3 == NULL)
        return;
    if (s3->h)
        curl_easy_cleanup(s3->h);
    curl_slist_free_all(s3->connect_list);
    omkt_s3_creds_clear(&s3->cr);
    free(s3->scheme);
    free(s3->host);
    free(s3->region);
    free(s3->connect_to);
    free(s3);
}

void omkt_s3_set_hooks(struct omkt_s3 *s3, const struct omkt_s3_hooks *h)
{
    s3->hooks = *h;
}

struct omkt_s3_stats omkt_s3_stats(const struct omkt_s3 *s3)
{
    return s3->st;
}

/* ---- XML (minimal: S3 answers are flat and small) ---- */

/* xml_decode - @n bytes of element text with the five entities decoded. */
static void xml_decode(const char *s, size_t n, char *out, size_t size)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'},
                {"&lt;", '<'},
                {"&gt;", '>'},
                {"&quot;", '"'},
                {"&apos;", '\''}};
    char *tmp = omkt_xmalloc(n + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        bool done = false;

        for (size_t e = 0; s[i] == '&' && e < OMKT_ARRAY_LEN(ents); e++) {
            size_t l = strlen(ents[e].ent);

            if (i + l <= n && memcmp(s + i, ents[e].ent, l) == 0) {
                tmp[j++] = ents[e].c;
                i += l - 1;
                done = true;
                break;
            }
        }
        if (!done)
            tmp[j++] = s[i];
    }
    tmp[j] = '\0';
    (void)omkt_text_copy(out, size, tmp); /* cut is fine: bounded field */
    free(tmp);
}

/* xml_find - the text span of the first <@tag> in [@xml, @xml+@len). */
static const char *xml_find(const char *xml, size_t len, const char *tag,
                            size_t *n)
{
    char open[64], close[64];
    size_t lo, lc;
    const char *p, *e;

    if (snprintf(open, sizeof(open), "<%s>", tag) >= (int)sizeof(open))
        return NULL;
    (void)snprintf(close, sizeof(close), "</%s>", tag); /* same length+1 */
    lo = strlen(open);
    lc = strlen(close);
    p = memmem(xml, len, open, lo);
    if (p == NULL)
        return NULL;
    p += lo;
    e = memmem(p, len - (size_t)(p - xml), close, lc);
    if (e == NULL)
        return NULL;
    *n = (size_t)(e - p);
    return p;
}

bool omkt_s3_xml_text(const char *xml, size_t len, const char *tag, char *out,
                      size_t size)
{
    size_t n = 0;
    const char *p = xml ? xml_find(xml, len, tag, &n) : NULL;

    if (size > 0)
        out[0] = '\0';
    if (p == NULL)
        return false;
    xml_decode(p, n, out, size);
    return true;
}

/* clean - @s made safe for an error text in place: control bytes '?'. */
static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

/* label - "bucket/key" for error texts: valid UTF-8, no control bytes,
 * bounded (keys are client text). */
static void label(char *out, size_t size, const char *bucket, const char *key)
{
    char *raw = omkt_xasprintf("%s/%s", bucket, key ? key : "");

    (void)omkt_text_copy(out, size, raw); /* cut is fine: a label */
    clean(out);
    free(raw);
}

/* ---- one exchange ---- */

static size_t cb_write(char *data, size_t sz, size_t nm, void *arg)
{
    struct s3req *r = arg;
    size_t n = sz * nm;
    long st = r->status;

    if (r->fd >= 0 && st >= 200 && st < 300) {
        if (r->fd_written == 0 && st == 200 && r->range &&
            (ftruncate(r->fd, 0) != 0 || lseek(r->fd, 0, SEEK_SET) != 0)) {
            /* Range ignored: the whole object comes, start over */
            r->fd_errno = errno;
            r->is_fd_failed = true;
            return 0;
        }
        if (r->fd_written == 0 && st == 200 && r->range)
            r->fd_max = r->fd_max_full;
        if (r->fd_max >= 0 && r->fd_written + (int64_t)n > r->fd_max) {
            r->is_over_cap = true;
            return 0;
        }
        for (size_t off = 0; off < n;) {
            ssize_t w = write(r->fd, data + off, n - off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                r->fd_errno = w < 0 ? errno : ENOSPC;
                r->is_fd_failed = true;
                return 0;
            }
            off += (size_t)w;
        }
        r->fd_written += (int64_t)n;
        return n;
    }
    if (r->out.len + n > RESP_MAX) {
        r->is_over_cap = true;
        return 0;
    }
    r->out.p = omkt_xrealloc(r->out.p, r->out.len + n + 1);
    memcpy(r->out.p + r->out.len, data, n);
    r->out.len += n;
    r->out.p[r->out.len] = '\0';
    return n;
}

static size_t cb_read(char *buf, size_t sz, size_t nm, void *arg)
{
    struct s3req *r = arg;
    size_t n = sz * nm;

    if (n > r->body_len - r->body_off)
        n = r->body_len - r->body_off;
    memcpy(buf, (const char *)r->body + r->body_off, n);
    r->body_off += n;
    return n;
}

/* hdr_value - the value of header line @line if its name is @name. */
static bool hdr_value(const char *line, size_t n, const char *name, char *out,
                      size_t size)
{
    size_t nl = strlen(name);
    size_t s, e;

    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return false;
    s = nl + 1;
    while (s < n && (line[s] == ' ' || line[s] == '\t'))
        s++;
    e = n;
    while (e > s &&
           (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' '))
        e--;
    if (e - s >= size)
        e = s + size - 1;
    memcpy(out, line + s, e - s);
    out[e - s] = '\0';
    return true;
}

static size_t cb_header(char *data, size_t sz, size_t nm, void *arg)
{
    struct s3req *r = arg;
    size_t n = sz * nm;
    char v[OMKT_S3_ETAG_MAX];
    long st = 0;

    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or 100): forget the last */
        const char *sp = memchr(data, ' ', n);

        r->etag[0] = '\0';
        r->content_length = -1;
        r->range_start = -1;
        r->status = 0;
        if (sp && sscanf(sp, "%ld", &st) == 1)
            r->status = st;
        return n;
    }
    if (hdr_value(data, n, "etag", v, sizeof(v))) {
        size_t l = strlen(v);
        bool q = l >= 2 && v[0] == '"' && v[l - 1] == '"';

        (void)snprintf(r->etag, sizeof(r->etag), "%.*s", (int)(q ? l - 2 : l),
                       q ? v + 1 : v);
    } else if (hdr_value(data, n, "content-length", v, sizeof(v))) {
        if (sscanf(v, "%" SCNd64, &r->content_length) != 1)
            r->content_length = -1;
    } else if (hdr_value(data, n, "content-range", v, sizeof(v))) {
        if (sscanf(v, "bytes %" SCNd64, &r->range_start) != 1)
            r->range_start = -1;
    }
    return n;
}

/* xfer_ctx - what the progress callback needs. */
struct xfer_ctx {
    struct omkt_s3 *s3;
    struct s3req *r;
    bool is_stopped;
};

static int cb_xfer(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                   curl_off_t un)
{
    struct xfer_ctx *x = arg;

    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    if (x->s3->hooks.stop && x->s3->hooks.stop(x->s3->hooks.arg)) {
        x->is_stopped = true;
        return 1;
    }
    return 0;
}

/* amz_now - the current UTC time as "YYYYMMDDTHHMMSSZ". */
static void amz_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    (void)strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* target - Host value, wire path and URL of @r (all new). */
static void target(const struct omkt_s3 *s3, const struct s3req *r, char **host,
                   char **path, char **url)
{
    char *key = omkt_s3_uri_encode(r->key ? r->key : "", true);
    bool is_path = s3->addressing == OMKT_S3_PATH;

    *host = is_path ? omkt_xstrdup(s3->host)
                    : omkt_xasprintf("%s.%s", r->bucket, s3->host);
    *path = is_path ? omkt_xasprintf("/%s/%s", r->bucket, key)
                    : omkt_xasprintf("/%s", key);
    if (is_path && r->key == NULL)
        (*path)[strlen(*path) - 1] = '\0'; /* "/bucket", not "/bucket/" */
    *url = omkt_xasprintf("%s://%s%s%s%s", s3->scheme, *host, *path,
                          r->query ? "?" : "", r->query ? r->query : "");
    free(key);
}

/* Checksums of an upload body. */
struct sums {
    char md5[MD5_B64_LEN + 1];         /* Content-MD5 */
    char sha[OMKT_SHA256_HEX_LEN + 1]; /* x-amz-content-sha256 (signed) */
    char sha64[SHA_B64_LEN + 1];       /* x-amz-checksum-sha256 */
};

/* body_sums - the checksums of @len bytes at @buf in one pass (blocks
 * stay in cache for the second digest); all zero when OpenSSL fails,
 * which the server then refuses. */
static void body_sums(const void *buf, size_t len, struct sums *out)
{
    static const char hex[] = "0123456789abcdef";
    EVP_MD_CTX *m = EVP_MD_CTX_new(), *h = EVP_MD_CTX_new();
    unsigned char dm[EVP_MAX_MD_SIZE], dh[EVP_MAX_MD_SIZE];
    unsigned int nm = 0, nh = 0;
    bool ok = m && h && EVP_DigestInit_ex(m, EVP_md5(), NULL) == 1 &&
              EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1;

    for (size_t off = 0; ok && off < len; off += 256 * 1024) {
        size_t n = len - off < 256 * 1024 ? len - off : 256 * 1024;

        ok = EVP_DigestUpdate(m, (const char *)buf + off, n) == 1 &&
             EVP_DigestUpdate(h, (const char *)buf + off, n) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(m, dm, &nm) == 1 && nm == 16 &&
         EVP_DigestFinal_ex(h, dh, &nh) == 1 && nh == 32;
    if (!ok) {
        memset(dm, 0, 16);
        memset(dh, 0, 32);
    }
    (void)EVP_EncodeBlock((unsigned char *)out->md5, dm, 16);
    (void)EVP_EncodeBlock((unsigned char *)out->sha64, dh, 32);
    for (size_t i = 0; i < 32; i++) {
        out->sha[2 * i] = hex[dh[i] >> 4];
        out->sha[2 * i + 1] = hex[dh[i] & 15];
    }
    out->sha[OMKT_SHA256_HEX_LEN] = '\0';
    EVP_MD_CTX_free(m);
    EVP_MD_CTX_free(h);
}

/* add_hdr - append "name: value" to @l and to the signed set @h. */
static struct curl_slist *add_hdr(struct curl_slist *l,
                                  struct omkt_s3_header *h, size_t *nh,
                                  const char *name, const char *value)
{
    char *line = omkt_xasprintf("%s: %s", name, value);
    struct curl_slist *n = curl_slist_append(l, line);

    free(line);
    if (n == NULL) {
        curl_slist_free_all(l);
        return NULL;
    }
    h[*nh].name = name;
    h[*nh].value = value;
    (*nh)++;
    return n;
}

/* headers - the signed header list of @r (new curl list, NULL on OOM). */
static struct curl_slist *headers(struct omkt_s3 *s3, const struct s3req *r,
                                  const char *host, const char *path)
{
    struct omkt_s3_header h[10];
    size_t nh = 0;
    char date[17], hash[OMKT_SHA256_HEX_LEN + 1];
    struct curl_slist *l = curl_slist_append(NULL, "Expect:");
    struct omkt_sigv4_request sr;
    struct omkt_sigv4_scope sc = {s3->cr.access_key, s3->cr.secret_key,
                                  s3->region, "s3", date};
    char *authz = NULL, *line;

    amz_now(date);
    if (r->payload_sha)
        (void)snprintf(hash, sizeof(hash), "%s", r->payload_sha);
    else
        omkt_sha256_hex(r->body ? r->body : "", r->body ? r->body_len : 0,
                        hash);
    if (l)
        l = add_hdr(l, h, &nh, "Host", host);
    if (l)
        l = add_hdr(l, h, &nh, "x-amz-date", date);
    if (l)
        l = add_hdr(l, h, &nh, "x-amz-content-sha256", hash);
    if (l && s3->cr.session_token)
        l = add_hdr(l, h, &nh, "x-amz-security-token", s3->cr.session_token);
    if (l && r->range)
        l = add_hdr(l, h, &nh, "Range", r->range);
    if (l && r->content_md5)
        l = add_hdr(l, h, &nh, "Content-MD5", r->content_md5);
    if (l && r->checksum)
        l = add_hdr(l, h, &nh, "x-amz-checksum-sha256", r->checksum);
    if (l && r->content_type)
        l = add_hdr(l, h, &nh, "Content-Type", r->content_type);
    if (l && r->if_match)
        l = add_hdr(l, h, &nh, "If-Match", r->if_match);
    if (l && r->copy_src)
        l = add_hdr(l, h, &nh, "x-amz-copy-source", r->copy_src);
    if (l == NULL)
        return NULL;
    sr = (struct omkt_sigv4_request){r->method, path, r->query, h,
                                     nh,        hash, false};
    if (omkt_sigv4_authorization(&sr, &sc, &authz) != OMKT_OK) {
        curl_slist_free_all(l);
        return NULL;
    }
    line = omkt_xasprintf("Authorization: %s", authz);
    free(authz);
    struct curl_slist *n = curl_slist_append(l, line);

    free(line);
    if (n == NULL)
        curl_slist_free_all(l);
    return n;
}

/* setup_method - method, body and sinks of @r on the handle. */
static CURLcode setup_method(struct omkt_s3 *s3, struct s3req *r)
{
    CURL *h = s3->h;
    CURLcode rc = CURLE_OK;

    if (strcmp(r->method, "HEAD") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "PUT") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, cb_read);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_READDATA, r);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                                  (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "POST") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                              (curl_off_t)r->body_len);
        if (rc == CURLE_OK)
            rc =
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
    } else if (strcmp(r->method, "GET") != 0) {
        rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb_write);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb_header);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    return rc;
}

/* status_err - the error for a non-2xx status, text from S3's XML. */
static int status_err(const struct s3req *r, struct omkt_errbuf *eb)
{
    char code[64], msg[256], what[LABEL_MAX];
    int ret = OMKT_EHTTP;
    bool retry = r->status >= 500 || r->status == 429 || r->status == 408;

    if (!omkt_s3_xml_text(r->out.p, r->out.len, "Code", code, sizeof(code)))
        (void)snprintf(code, sizeof(code), "%s",
                       r->status == 404 ? "NotFound" : "-");
    if (!omkt_s3_xml_text(r->out.p, r->out.len, "Message", msg, sizeof(msg)))
        msg[0] = '\0';
    clean(code);
    clean(msg);
    label(what, sizeof(what), r->bucket, r->key);
    if (r->status == 404)
        ret = OMKT_ENOTFOUND;
    else if (r->status == 403)
        ret = OMKT_EPERM;
    omkt_errf(eb, "s3 %s %s: HTTP %ld %s%s%s", r->method, what, r->status, code,
              msg[0] ? ": " : "", msg);
    if (eb && retry)
        eb->retryable = true;
    return ret;
}

/* finish - the result of a performed exchange. */
static int finish(struct omkt_s3 *s3, struct s3req *r, CURLcode cc,
                  const struct xfer_ctx *x, struct omkt_errbuf *eb)
{
    const char *why = s3->errbuf[0] ? s3->errbuf : curl_easy_strerror(cc);
    struct omkt_errbuf refused = {0};
    char what[LABEL_MAX];

    label(what, sizeof(what), r->bucket, r->key);
    if (x->is_stopped) {
        omkt_errf(eb, "s3 %s %s: interrupted", r->method, what);
        return OMKT_ESHUTDOWN;
    }
    if (r->is_fd_failed) {
        omkt_errf(eb, "s3 %s %s: write: %s", r->method, what,
                  omkt_errno_str(r->fd_errno));
        return OMKT_EIO;
    }
    if (r->is_over_cap) {
        omkt_errf(eb, "s3 %s %s: response larger than expected", r->method,
                  what);
        return OMKT_ETOOBIG;
    }
    if (cc != CURLE_OK &&
        omkt_http_refused(&s3->peer, cc, &refused) != OMKT_OK) {
        omkt_errf(eb, "s3 %s %s: %s", r->method, what, refused.msg);
        return OMKT_EPERM; /* configuration, not transient */
    }
    if (cc != CURLE_OK) {
        omkt_errf(eb, "s3 %s %s: %s", r->method, what, why);
        if (eb)
            eb->retryable = true;
        return OMKT_ENET;
    }
    (void)curl_easy_getinfo(s3->h, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->status >= 200 && r->status < 300)
        return OMKT_OK;
    return status_err(r, eb);
}

/* reset_results - forget a previous attempt's answer. */
static void reset_results(struct s3req *r)
{
    OMKT_FREE(r->out.p);
    r->out.len = 0;
    r->status = 0;
    r->etag[0] = '\0';
    r->content_length = r->range_start = -1;
    r->fd_written = 0;
    r->is_fd_failed = r->is_over_cap = false;
    r->body_off = 0;
}

/* perform_once - sign and run @r once. */
static int perform_once(struct omkt_s3 *s3, struct s3req *r,
                        struct omkt_errbuf *eb)
{
    char *host = NULL, *path = NULL, *url = NULL;
    struct curl_slist *hl = NULL;
    struct xfer_ctx x = {s3, r, false};
    CURLcode cc;
    int ret;

    reset_results(r);
    ret = omkt_http_setup(s3->h, s3->errbuf, &s3->lim, &s3->peer, eb);
    if (ret != OMKT_OK)
        return ret;
    target(s3, r, &host, &path, &url);
    hl = headers(s3, r, host, path);
    cc = hl ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(s3->h, CURLOPT_URL, url);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(s3->h, CURLOPT_HTTPHEADER, hl);
    if (cc == CURLE_OK && s3->connect_list)
        cc = curl_easy_setopt(s3->h, CURLOPT_CONNECT_TO, s3->connect_list);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(s3->h, CURLOPT_NOPROGRESS, 0L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(s3->h, CURLOPT_XFERINFOFUNCTION, cb_xfer);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(s3->h, CURLOPT_XFERINFODATA, &x);
    if (cc == CURLE_OK)
        cc = setup_method(s3, r);
    if (cc == CURLE_OK && r->fd >= 0)
        cc = curl_easy_setopt(s3->h, CURLOPT_MAXFILESIZE_LARGE,
                              (curl_off_t)r->fd_max_full);
    if (cc == CURLE_OK) {
        s3->st.requests++;
        cc = curl_easy_perform(s3->h);
    }
    s3->st.bytes_up += (int64_t)r->body_off;
    s3->st.bytes_down += r->fd_written + (int64_t)r->out.len;
    ret = finish(s3, r, cc, &x, eb);
    /* the handle must not keep pointers into this frame */
    (void)curl_easy_setopt(s3->h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    free(host);
    free(path);
    free(url);
    return ret;
}

/* backoff - sleep before retry @attempt (1-based), capped and jittered;
 * false when the stop hook fires meanwhile. */
static bool backoff(struct omkt_s3 *s3, int attempt)
{
    int64_t d = s3->backoff_ms;
    struct timespec ts;

    for (int i = 1; i < attempt && d < s3->backoff_max_ms; i++)
        d *= 2;
    if (d > s3->backoff_max_ms)
        d = s3->backoff_max_ms;
    d = d / 2 + (int64_t)(rand_r(&s3->seed) % (unsigned)(d / 2 + 1));
    for (int64_t left = d; left > 0; left -= 100) {
        if (s3->hooks.stop && s3->hooks.stop(s3->hooks.arg))
            return false;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(left < 100 ? left : 100) * 1000000L;
        (void)nanosleep(&ts, NULL); /* EINTR: the loop re-checks stop */
    }
    return true;
}

/*
 * try_fn - one try of a retried operation on @arg: its error in @e
 * (e->retryable when trying again may help); *is_progress when it moved
 * data forward (a resumed download), which does not spend an attempt.
 */
typedef int (*try_fn)(struct omkt_s3 *s3, void *arg, struct omkt_errbuf *e,
                      bool *is_progress);

/* retry - @fn until it succeeds, fails for good or runs out of attempts,
 * backing off between tries; the last try's error goes to @eb. */
static int retry(struct omkt_s3 *s3, try_fn fn, void *arg,
                 struct omkt_errbuf *eb)
{
    struct omkt_errbuf e = {0};
    int rc = OMKT_OK;

    for (int a = 1; a <= s3->max_attempts; a++) {
        bool is_progress = false;

        omkt_errbuf_clear(&e);
        e.retryable = false;
        rc = fn(s3, arg, &e, &is_progress);
        if (rc != OMKT_OK && is_progress && e.retryable)
            a--; /* progress: go on without spending an attempt */
        if (rc == OMKT_OK || !e.retryable || a == s3->max_attempts)
            break;
        s3->st.retries++;
        if (!backoff(s3, a > 0 ? a : 1)) {
            rc = OMKT_ESHUTDOWN;
            break;
        }
    }
    if (rc != OMKT_OK) {
        omkt_errf(eb, "%s", e.msg);
        if (eb)
            eb->retryable = e.retryable;
    }
    return rc;
}

/* perform_try - a try_fn: one perform_once of the s3req @arg. */
static int perform_try(struct omkt_s3 *s3, void *arg, struct omkt_errbuf *e,
                       bool *is_progress)
{
    *is_progress = false;
    return perform_once(s3, arg, e);
}

/* perform - perform_once, retried while the failure is transient. */
static int perform(struct omkt_s3 *s3, struct s3req *r, struct omkt_errbuf *eb)
{
    return retry(s3, perform_try, r, eb);
}

/* ---- operations ---- */

int omkt_s3_head(struct omkt_s3 *s3, const char *bucket, const char *key,
                 struct omkt_s3_object *obj, struct omkt_errbuf *eb)
{
    struct s3req r = {.method = "HEAD", .bucket = bucket, .key = key, .fd = -1};
    int rc;

    memset(obj, 0, sizeof(*obj));
    rc = perform(s3, &r, eb);
    if (rc == OMKT_OK) {
        obj->size = r.content_length;
        (void)snprintf(obj->etag, sizeof(obj->etag), "%s", r.etag);
    }
    free(r.out.p);
    return rc;
}

int omkt_s3_delete(struct omkt_s3 *s3, const char *bucket, const char *key,
                   struct omkt_errbuf *eb)
{
    struct s3req r = {
        .method = "DELETE", .bucket = bucket, .key = key, .fd = -1};
    int rc = perform(s3, &r, eb);

    free(r.out.p);
    return rc;
}

int omkt_s3_put_buf(struct omkt_s3 *s3, const char *bucket, const char *key,
                    const void *buf, size_t len, struct omkt_errbuf *eb)
{
    struct sums sm;
    struct s3req r = {.method = "PUT",
                      .bucket = bucket,
                      .key = key,
                      .body = buf,
                      .body_len = len,
                      .content_md5 = sm.md5,
                      .payload_sha = sm.sha,
                      .checksum = sm.sha64,
                      .fd = -1};
    int rc;

    body_sums(buf, len, &sm);
    rc = perform(s3, &r, eb);
    free(r.out.p);
    return rc;
}

int omkt_s3_copy(struct omkt_s3 *s3, const struct omkt_s3_ref *from,
                 const struct omkt_s3_ref *to, struct omkt_errbuf *eb)
{
    char *k = omkt_s3_uri_encode(from->key, true);
    char *src = omkt_xasprintf("/%s/%s", from->bucket, k);
    struct s3req r = {.method = "PUT",
                      .bucket = to->bucket,
                      .key = to->key,
                      .copy_src = src,
                      .fd = -1};
    int rc = perform(s3, &r, eb);

    /* S3 may answer 200 and put the failure in the body. */
    if (rc == OMKT_OK &&
        (r.out.p == NULL || strstr(r.out.p, "CopyObjectResult") == NULL)) {
        omkt_errf(eb, "s3 copy to %s/%s failed: %.200s", to->bucket, to->key,
                  r.out.p ? r.out.p : "empty answer");
        if (eb != NULL)
            eb->retryable = true;
        rc = OMKT_EHTTP;
    }
    free(r.out.p);
    free(src);
    free(k);
    return rc;
}

/* ---- download ---- */

/* md5_fd_hex - hex MD5 of everything in @fd. */
static int md5_fd_hex(int fd, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *buf = omkt_xmalloc(1 << 16);
    int ret = OMKT_EIO;
    off_t off = 0;

    if (c == NULL || EVP_DigestInit_ex(c, EVP_md5(), NULL) != 1)
        goto out;
    for (;;) {
        ssize_t got = pread(fd, buf, 1 << 16, off);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        if (EVP_DigestUpdate(c, buf, (size_t)got) != 1)
            goto out;
        off += got;
    }
    if (EVP_DigestFinal_ex(c, md, &n) != 1 || n != 16)
        goto out;
    for (size_t i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
    ret = OMKT_OK;
out:
    EVP_MD_CTX_free(c);
    free(buf);
    return ret;
}

/* is_md5_etag - a single-part ETag: 32 hex digits, nothing else. */
static bool is_md5_etag(const char *e)
{
    if (strlen(e) != 32)
        return false;
    for (const char *p = e; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
              (*p >= 'A' && *p <= 'F')))
            return false;
    return true;
}

/* verify - size and (single-part) MD5 of the file against @o; a bad file
 * is emptied so that the retry starts over. */
static int verify(int fd, const char *what, const struct omkt_s3_object *o,
                  struct omkt_errbuf *eb)
{
    struct stat st;
    char md5[33];
    bool is_cut;

    if (fstat(fd, &st) != 0 || st.st_size != o->size) {
        omkt_errf(eb, "s3 GET %s: got %" PRId64 " bytes, want %" PRId64, what,
                  (int64_t)st.st_size, o->size);
        return OMKT_EIO;
    }
    if (!is_md5_etag(o->etag))
        return OMKT_OK; /* multipart or SSE-KMS ETag: size only */
    if (md5_fd_hex(fd, md5) != OMKT_OK) {
        omkt_errf(eb, "s3 GET %s: read back: %s", what, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    if (strcasecmp(md5, o->etag) != 0) {
        omkt_errf(eb, "s3 GET %s: MD5 %s does not match ETag %s", what, md5,
                  o->etag);
        /* emptied, the retry starts over; else retrying cannot help */
        is_cut = ftruncate(fd, 0) == 0;
        if (eb)
            eb->retryable = is_cut;
        return OMKT_EIO;
    }
    return OMKT_OK;
}

/* fetch_once - GET what @fd lacks of @o (Range from its size). */
static int fetch_once(struct omkt_s3 *s3, struct s3req *r, int fd,
                      const struct omkt_s3_object *o, struct omkt_errbuf *eb)
{
    char range[48];
    off_t have = lseek(fd, 0, SEEK_END);
    bool is_cut;
    int rc;

    if (have < 0) {
        omkt_errf(eb, "s3 GET: seek: %s", omkt_errno_str(errno));
        return OMKT_EIO;
    }
    if (have > o->size) {
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
            omkt_errf(eb, "s3 GET: truncate: %s", omkt_errno_str(errno));
            return OMKT_EIO;
        }
        have = 0;
    }
    if (have == o->size)
        return OMKT_OK;
    (void)snprintf(range, sizeof(range), "bytes=%" PRId64 "-", (int64_t)have);
    r->range = have > 0 ? range : NULL;
    r->fd_max = o->size - (int64_t)have;
    r->fd_max_full = o->size;
    rc = perform_once(s3, r, eb);
    r->range = NULL; /* @range dies with this frame */
    if (rc == OMKT_OK && r->status == 206 && r->range_start != have) {
        char what[LABEL_MAX];

        label(what, sizeof(what), r->bucket, r->key);
        omkt_errf(eb, "s3 GET %s: asked from %" PRId64 ", got from %" PRId64,
                  what, (int64_t)have, r->range_start);
        is_cut = ftruncate(fd, have) == 0; /* back to what we had */
        if (eb)
            eb->retryable = is_cut;
        return OMKT_EIO;
    }
    if (rc != OMKT_OK && r->status == 412) {
        /* the object changed since HEAD: what we hold is stale */
        is_cut = ftruncate(fd, 0) == 0;
        if (eb)
            eb->retryable = is_cut;
    }
    return rc;
}

/* One download: what fetch_try resumes. */
struct dl {
    const char *bucket, *key;
    int fd;
    const struct omkt_s3_object *o;
};

/* fetch_try - a try_fn: one fetch_once of the struct dl @arg. */
static int fetch_try(struct omkt_s3 *s3, void *arg, struct omkt_errbuf *e,
                     bool *is_progress)
{
    const struct dl *d = arg;
    struct s3req r = {.method = "GET",
                      .bucket = d->bucket,
                      .key = d->key,
                      .if_match = d->o->etag[0] ? d->o->etag : NULL,
                      .fd = d->fd};
    int rc = fetch_once(s3, &r, d->fd, d->o, e);

    *is_progress = r.fd_written > 0;
    free(r.out.p);
    return rc;
}

/* download - fetch_once until complete; a pass that made progress does
 * not count as an attempt. */
static int download(struct omkt_s3 *s3, const char *bucket, const char *key,
                    int fd, const struct omkt_s3_object *o,
                    struct omkt_errbuf *eb)
{
    struct dl d = {.bucket = bucket, .key = key, .fd = fd, .o = o};

    return retry(s3, fetch_try, &d, eb);
}

int omkt_s3_get_file(struct omkt_s3 *s3, const char *bucket, const char *key,
                     const char *path, struct omkt_s3_object *obj,
                     struct omkt_errbuf *eb)
{
    struct omkt_s3_object o;
    char what[512];
    int fd = -1;
    int ret;

    if (obj)
        memset(obj, 0, sizeof(*obj));
    label(what, sizeof(what), bucket, key);
    ret = omkt_s3_head(s3, bucket, key, &o, eb);
    if (ret != OMKT_OK)
        return ret;
    if (o.size < 0) {
        omkt_errf(eb, "s3 HEAD %s: no Content-Length", what);
        return OMKT_EHTTP;
    }
    if (s3->max_object_bytes > 0 && o.size > s3->max_object_bytes) {
        omkt_errf(eb,
                  "s3 GET %s: %" PRId64 " bytes is over the %" PRId64
                  " byte limit",
                  what, o.size, s3->max_object_bytes);
        return OMKT_ETOOBIG;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        omkt_errf(eb, "open %s: %s", path, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    ret = download(s3, bucket, key, fd, &o, eb);
    if (ret == OMKT_OK)
        ret = verify(fd, what, &o, eb);
    if (ret == OMKT_OK && obj)
        *obj = o;
    close(fd);
    return ret;
}

int omkt_s3_get_range(struct omkt_s3 *s3, const char *bucket, const char *key,
                      int64_t off, void *buf, size_t len, size_t *got,
                      struct omkt_errbuf *eb)
{
    char range[64];
    struct s3req r = {.method = "GET",
                      .bucket = bucket,
                      .key = key,
                      .range = range,
                      .fd = -1};
    struct omkt_errbuf e = {0};
    size_t skip = 0;
    int rc;

    *got = 0;
    if (off < 0 || len == 0 || len > RESP_MAX) {
        omkt_errf(eb, "s3 GET range: bad offset or length");
        return OMKT_EINVAL;
    }
    (void)snprintf(range, sizeof(range), "bytes=%" PRId64 "-%" PRId64, off,
                   off + (int64_t)len - 1);
    rc = perform(s3, &r, &e);
    if (rc != OMKT_OK && r.status == 416) {
        rc = OMKT_OK; /* at or past the end: nothing to read */
        r.out.len = 0;
    } else if (rc != OMKT_OK) {
        omkt_errf(eb, "%s", e.msg);
        if (eb)
            eb->retryable = e.retryable;
    } else if (r.status == 200) {
        /* Range ignored: the object from its start came; take our part */
        skip = (size_t)off < r.out.len ? (size_t)off : r.out.len;
    }
    if (rc == OMKT_OK) {
        *got = r.out.len - skip < len ? r.out.len - skip : len;
        if (*got > 0)
            memcpy(buf, r.out.p + skip, *got);
    }
    free(r.out.p);
    return rc;
}

/* ---- upload ---- */

/* read_at - exactly @len bytes of @fd at @off into @buf. */
static int read_at(int fd, void *buf, size_t len, off_t off)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return OMKT_EIO;
        got += (size_t)n;
    }
    return OMKT_OK;
}

/* mp_upload - a multipart upload in progress. */
struct mp_upload {
    const char *bucket, *key;
    char what[LABEL_MAX]; /* bucket/key for error texts */
    char id[512];
    char *id_enc;
    char (*etags)[OMKT_S3_ETAG_MAX];
    int nparts;
};

/* mp_initiate - CreateMultipartUpload; fills u->id. */
static int mp_initiate(struct omkt_s3 *s3, struct mp_upload *u,
                       struct omkt_errbuf *eb)
{
    struct s3req r = {.method = "POST",
                      .bucket = u->bucket,
                      .key = u->key,
                      .query = "uploads=",
                      .fd = -1};
    int rc = perform(s3, &r, eb);

    if (rc == OMKT_OK && (!omkt_s3_xml_text(r.out.p, r.out.len, "UploadId",
                                            u->id, sizeof(u->id)) ||
                          u->id[0] == '\0')) {
        omkt_errf(eb, "s3 POST %s?uploads: no UploadId in the answer", u->what);
        rc = OMKT_EHTTP;
    }
    if (rc == OMKT_OK)
        u->id_enc = omkt_s3_uri_encode(u->id, false);
    free(r.out.p);
    return rc;
}

/* mp_part - UploadPart @n (1-based) of @len bytes, retried on its own. */
static int mp_part(struct omkt_s3 *s3, struct mp_upload *u, int n,
                   const void *buf, size_t len, struct omkt_errbuf *eb)
{
    struct sums sm;
    char *q = omkt_xasprintf("partNumber=%d&uploadId=%s", n, u->id_enc);
    struct s3req r = {.method = "PUT",
                      .bucket = u->bucket,
                      .key = u->key,
                      .query = q,
                      .body = buf,
                      .body_len = len,
                      .content_md5 = sm.md5,
                      .payload_sha = sm.sha,
                      .fd = -1};
    int rc;

    /* XXX: no x-amz-checksum-sha256 on parts: S3 wants the algorithm
     * named at CreateMultipartUpload and every part's checksum repeated in
     * the completion; Content-MD5 and the signed SHA-256 cover the part */
    body_sums(buf, len, &sm);
    rc = perform(s3, &r, eb);
    if (rc == OMKT_OK && r.etag[0] == '\0') {
        omkt_errf(eb, "s3 PUT %s part %d: no ETag in the answer", u->what, n);
        rc = OMKT_EHTTP;
    }
    if (rc == OMKT_OK)
        (void)snprintf(u->etags[n - 1], OMKT_S3_ETAG_MAX, "%s", r.etag);
    free(r.out.p);
    free(q);
    return rc;
}

/* complete_body - the CompleteMultipartUpload XML (new). */
static char *complete_body(const struct mp_upload *u, size_t *len)
{
    size_t cap = 64 + (size_t)u->nparts * (64 + OMKT_S3_ETAG_MAX);
    char *body = omkt_xmalloc(cap);
    size_t n = (size_t)snprintf(body, cap, "<CompleteMultipartUpload>");

    for (int i = 0; i < u->nparts; i++)
        n += (size_t)snprintf(body + n, cap - n,
                              "<Part><PartNumber>%d</PartNumber>"
                              "<ETag>\"%s\"</ETag></Part>",
                              i + 1, u->etags[i]);
    n += (size_t)snprintf(body + n, cap - n, "</CompleteMultipartUpload>");
    *len = n;
    return body;
}

/* mp_complete - CompleteMultipartUpload with every part's ETag.  S3 may
 * fail a completion inside a 200 answer: that is retried too. */
static int mp_complete(struct omkt_s3 *s3, struct mp_upload *u,
                       struct omkt_errbuf *eb)
{
    char *q = omkt_xasprintf("uploadId=%s", u->id_enc);
    struct s3req r = {.method = "POST",
                      .bucket = u->bucket,
                      .key = u->key,
                      .query = q,
                      .content_type = "application/xml",
                      .fd = -1};
    char code[64] = "";
    int rc = OMKT_OK;

    r.body = complete_body(u, &r.body_len);
    for (int a = 1; a <= s3->max_attempts; a++) {
        rc = perform(s3, &r, eb);
        if (rc != OMKT_OK || r.out.p == NULL ||
            memmem(r.out.p, r.out.len, "<Error>", 7) == NULL)
            break;
        (void)omkt_s3_xml_text(r.out.p, r.out.len, "Code", code, sizeof(code));
        rc = OMKT_EHTTP;
        if (a < s3->max_attempts && !backoff(s3, a)) {
            rc = OMKT_ESHUTDOWN;
            break;
        }
    }
    if (rc == OMKT_EHTTP && code[0]) {
        omkt_errf(eb, "s3 POST %s?uploadId: %s", u->what, code);
        if (eb)
            eb->retryable = true;
    }
    free(r.out.p);
    free((void *)r.body);
    free(q);
    return rc;
}

/* mp_abort - AbortMultipartUpload, so that no orphan parts are left. */
static void mp_abort(struct omkt_s3 *s3, struct mp_upload *u)
{
    struct omkt_errbuf e = {0};
    struct omkt_s3_hooks saved = s3->hooks;
    char *q = omkt_xasprintf("uploadId=%s", u->id_enc);
    struct s3req r = {.method = "DELETE",
                      .bucket = u->bucket,
                      .key = u->key,
                      .query = q,
                      .fd = -1};

    char id[sizeof(u->id)];

    (void)snprintf(id, sizeof(id), "%s", u->id);
    clean(id);
    s3->hooks.stop = NULL; /* abort even while shutting down */
    if (perform(s3, &r, &e) != OMKT_OK && r.status != 404)
        omkt_log(OMKT_LOG_WARN,
                 "s3 multipart upload %s of %s not aborted (%s): "
                 "a bucket lifecycle rule must reclaim it",
                 id, u->what, e.msg);
    s3->hooks = saved;
    free(r.out.p);
    free(q);
}

/* mp_parts - read and upload every part of @fd (@size bytes). */
static int mp_parts(struct omkt_s3 *s3, struct mp_upload *u, int fd,
                    int64_t size, int64_t ps, struct omkt_errbuf *eb)
{
    char *buf = omkt_xmalloc((size_t)ps);
    int rc = OMKT_OK;

    for (int i = 0; rc == OMKT_OK && i < u->nparts; i++) {
        int64_t off = (int64_t)i * ps;
        size_t len = (size_t)(size - off < ps ? size - off : ps);

        if (read_at(fd, buf, len, (off_t)off) != OMKT_OK) {
            omkt_errf(eb, "s3 upload: read part %d: %s", i + 1,
                      omkt_errno_str(errno));
            rc = OMKT_EIO;
            break;
        }
        rc = mp_part(s3, u, i + 1, buf, len, eb);
        if (rc == OMKT_OK && s3->hooks.part_done)
            s3->hooks.part_done(s3->hooks.arg, i + 1);
    }
    free(buf);
    return rc;
}

/* multipart - upload @fd (@size bytes) in parts; complete or aborted. */
static int multipart(struct omkt_s3 *s3, const char *bucket, const char *key,
                     int fd, int64_t size, struct omkt_errbuf *eb)
{
    struct mp_upload u = {.bucket = bucket, .key = key};
    int64_t ps = s3->part_size;
    int rc;

    label(u.what, sizeof(u.what), bucket, key);
    if ((size + ps - 1) / ps > OMKT_S3_MAX_PARTS)
        ps = (size + OMKT_S3_MAX_PARTS - 1) / OMKT_S3_MAX_PARTS;
    if (ps > OMKT_S3_MAX_PART) {
        omkt_errf(eb, "s3 upload %s: %" PRId64 " bytes is over S3's limit",
                  u.what, size);
        return OMKT_ETOOBIG;
    }
    u.nparts = (int)((size + ps - 1) / ps);
    u.etags = omkt_xcalloc((size_t)u.nparts, sizeof(*u.etags));
    rc = mp_initiate(s3, &u, eb);
    if (rc == OMKT_OK) {
        rc = mp_parts(s3, &u, fd, size, ps, eb);
        if (rc == OMKT_OK)
            rc = mp_complete(s3, &u, eb);
        if (rc != OMKT_OK)
            mp_abort(s3, &u);
    }
    free(u.etags);
    free(u.id_enc);
    return rc;
}

int omkt_s3_put_file(struct omkt_s3 *s3, const char *bucket, const char *key,
                     const char *path, struct omkt_errbuf *eb)
{
    struct stat st;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ret = OMKT_EIO;

    if (fd < 0 || fstat(fd, &st) != 0) {
        omkt_errf(eb, "open %s: %s", path, omkt_errno_str(errno));
        goto out;
    }
    if (st.st_size > s3->part_size) {
        ret = multipart(s3, bucket, key, fd, (int64_t)st.st_size, eb);
        goto out;
    }
    buf = omkt_xmalloc((size_t)st.st_size + 1);
    if (read_at(fd, buf, (size_t)st.st_size, 0) != OMKT_OK) {
        omkt_errf(eb, "read %s: %s", path, omkt_errno_str(errno));
        goto out;
    }
    ret = omkt_s3_put_buf(s3, bucket, key, buf, (size_t)st.st_size, eb);
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return ret;
}

/* ---- listing ---- */

/* xml_unquote - strip the quotes S3 puts around ETags. */
static void xml_unquote(char *s)
{
    size_t l = strlen(s);

    if (l >= 2 && s[0] == '"' && s[l - 1] == '"') {
        memmove(s, s + 1, l - 2);
        s[l - 2] = '\0';
    }
}

/* list_query - the ListObjectsV2 query (new). */
static char *list_query(const char *prefix, const char *token, int max_keys)
{
    char *p = omkt_s3_uri_encode(prefix ? prefix : "", false);
    char *t = token ? omkt_s3_uri_encode(token, false) : NULL;
    char *q = omkt_xasprintf("%s%s%slist-type=2&max-keys=%d&prefix=%s",
                             t ? "continuation-token=" : "", t ? t : "",
                             t ? "&" : "", max_keys, p);

    free(p);
    free(t);
    return q;
}

/* list_parse - the <Contents> entries of @body, at most @max. */
static void list_parse(const char *body, size_t len, int max,
                       struct omkt_s3_list *out)
{
    const char *p = body;
    const char *end = body + len;
    char num[32], tok[1024];

    out->v = omkt_xcalloc((size_t)max, sizeof(*out->v));
    while (p && p < end && out->n < (size_t)max) {
        size_t n = 0;
        const char *c = xml_find(p, (size_t)(end - p), "Contents", &n);
        struct omkt_s3_entry *e = &out->v[out->n];
        char key[2048];

        if (c == NULL)
            break;
        if (omkt_s3_xml_text(c, n, "Key", key, sizeof(key))) {
            e->key = omkt_xstrdup(key);
            if (!omkt_s3_xml_text(c, n, "Size", num, sizeof(num)) ||
                sscanf(num, "%" SCNd64, &e->size) != 1)
                e->size = -1;
            if (omkt_s3_xml_text(c, n, "ETag", e->etag, sizeof(e->etag)))
                xml_unquote(e->etag);
            out->n++;
        }
        p = c + n;
    }
    out->is_truncated =
        omkt_s3_xml_text(body, len, "IsTruncated", num, sizeof(num)) &&
        strcmp(num, "true") == 0;
    if (out->is_truncated &&
        omkt_s3_xml_text(body, len, "NextContinuationToken", tok, sizeof(tok)))
        out->next_token = omkt_xstrdup(tok);
}

int omkt_s3_list(struct omkt_s3 *s3, const char *bucket, const char *prefix,
                 const char *token, int max_keys, struct omkt_s3_list *out,
                 struct omkt_errbuf *eb)
{
    char *q;
    struct s3req r = {.method = "GET", .bucket = bucket, .fd = -1};
    int rc;

    memset(out, 0, sizeof(*out));
    if (max_keys < 1 || max_keys > 1000) {
        omkt_errf(eb, "s3 list: max_keys %d not in 1..1000", max_keys);
        return OMKT_EINVAL;
    }
    q = list_query(prefix, token, max_keys);
    r.query = q;
    rc = perform(s3, &r, eb);
    if (rc == OMKT_OK)
        list_parse(r.out.p ? r.out.p : "", r.out.len, max_keys, out);
    free(r.out.p);
    free(q);
    return rc;
}

void omkt_s3_list_clear(struct omkt_s3_list *l)
{
    for (size_t i = 0; l && i < l->n; i++)
        free(l->v[i].key);
    if (l) {
        OMKT_FREE(l->v);
        OMKT_FREE(l->next_token);
        l->n = 0;
    }
}

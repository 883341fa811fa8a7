/* SPDX-License-Identifier: GPL-2.0-or-later */
/* s3sign - AWS SigV4 canonical request and signature (see s3sign.h). */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "s3sign.h"

/* sbuf - a growing string (internal; every size is bounded by inputs). */
struct sbuf {
    char *p;
    size_t len, cap;
};

/* sb_addn - append @n bytes of @s. */
static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = omkt_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* sb_add - append string @s. */
static void sb_add(struct sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

/* sb_take - the string built so far (new, free()); "" when empty. */
static char *sb_take(struct sbuf *b)
{
    char *p = b->p ? b->p : omkt_xstrdup("");

    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* enc_byte - append byte @c, %XX-encoded unless unreserved (or kept '/'). */
static void enc_byte(struct sbuf *b, unsigned char c, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3];

    if (is_unreserved(c) || (keep_slash && c == '/')) {
        sb_addn(b, (const char *)&c, 1);
        return;
    }
    e[0] = '%';
    e[1] = hex[c >> 4];
    e[2] = hex[c & 15];
    sb_addn(b, e, 3);
}

/*
 * reencode - append @n bytes of @s, already percent-encoded on the wire,
 * in canonical form: escapes decoded, then everything re-encoded.
 */
static void reencode(struct sbuf *b, const char *s, size_t n, bool keep_slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            c = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        enc_byte(b, c, keep_slash);
    }
}

char *omkt_s3_uri_encode(const char *s, bool keep_slash)
{
    struct sbuf b = {0};

    for (const char *p = s; *p; p++)
        enc_byte(&b, (unsigned char)*p, keep_slash);
    return sb_take(&b);
}

void omkt_sha256_hex(const void *buf, size_t len,
                     char out[OMKT_SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    /* Only fails on OOM inside OpenSSL; an all-zero hash then fails the
     * signature check at the server, never silently succeeds. */
    if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
        memset(md, 0, 32);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[OMKT_SHA256_HEX_LEN] = '\0';
}

/* canon_path_normalized - dot segments removed, empty segments dropped. */
static void canon_path_normalized(struct sbuf *b, const char *path)
{
    size_t n = strlen(path);
    size_t nseg = 0;
    const char **seg = omkt_xcalloc(n + 1, sizeof(*seg));
    size_t *seglen = omkt_xcalloc(n + 1, sizeof(*seglen));
    const char *p = path;

    while (*p) {
        size_t l;

        p += strspn(p, "/");
        l = strcspn(p, "/");
        if (l == 0)
            break;
        if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg > 0)
                nseg--;
        } else if (!(l == 1 && p[0] == '.')) {
            seg[nseg] = p;
            seglen[nseg++] = l;
        }
        p += l;
    }
    for (size_t i = 0; i < nseg; i++) {
        sb_add(b, "/");
        reencode(b, seg[i], seglen[i], false);
    }
    if (nseg == 0 || (n > 1 && path[n - 1] == '/'))
        sb_add(b, "/");
    free(seglen);
    free(seg);
}

/* qpair - one canonical query parameter. */
struct qpair {
    char *key, *val;
};

static int qpair_cmp(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : strcmp(x->val, y->val);
}

/* canon_query - parameters decoded, re-encoded and sorted. */
static void canon_query(struct sbuf *b, const char *q)
{
    size_t n = 0, cap = 1;
    struct qpair *v;

    if (q == NULL || *q == '\0')
        return;
    for (const char *p = q; *p; p++)
        cap += *p == '&';
    v = omkt_xcalloc(cap, sizeof(*v));
    while (*q) {
        size_t l = strcspn(q, "&");
        const char *eq = memchr(q, '=', l);
        size_t kl = eq ? (size_t)(eq - q) : l;
        struct sbuf k = {0}, val = {0};

        if (l > 0) {
            reencode(&k, q, kl, false);
            if (eq)
                reencode(&val, eq + 1, l - kl - 1, false);
            v[n].key = sb_take(&k);
            v[n++].val = sb_take(&val);
        }
        q += l;
        if (*q == '&')
            q++;
    }
    qsort(v, n, sizeof(*v), qpair_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sb_add(b, "&");
        sb_add(b, v[i].key);
        sb_add(b, "=");
        sb_add(b, v[i].val);
        free(v[i].key);
        free(v[i].val);
    }
    free(v);
}

/* hdr - one header, name lower-cased, value trimmed and collapsed. */
struct hdr {
    char *name, *val;
};

static struct hdr hdr_canon(const struct omkt_s3_header *h)
{
    struct hdr r;
    const char *s = h->value ? h->value : "";
    struct sbuf b = {0};
    bool space = false;

    r.name = omkt_xstrdup(h->name);
    for (char *p = r.name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = true;
            continue;
        }
        if (space && b.len > 0)
            sb_add(&b, " ");
        space = false;
        sb_addn(&b, s, 1);
    }
    r.val = sb_take(&b);
    return r;
}

/* canon_headers - "name:v1,v2\n" lines sorted by name (stable: repeated
 * headers keep their order) and the "a;b" list. */
static int canon_headers(struct sbuf *b, struct sbuf *sh,
                         const struct omkt_sigv4_request *r)
{
    struct hdr *h = omkt_xcalloc(r->nheaders + 1, sizeof(*h));
    int ret = OMKT_OK;

    for (size_t i = 0; i < r->nheaders; i++) {
        struct hdr t = hdr_canon(&r->headers[i]);
        size_t j = i;

        if (t.name[0] == '\0')
            ret = OMKT_EINVAL;
        while (j > 0 && strcmp(h[j - 1].name, t.name) > 0) {
            h[j] = h[j - 1];
            j--;
        }
        h[j] = t;
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        bool same = i > 0 && strcmp(h[i - 1].name, h[i].name) == 0;

        if (same) {
            b->len--; /* the previous line's '\n' */
            sb_add(b, ",");
        } else {
            if (i > 0)
                sb_add(sh, ";");
            sb_add(sh, h[i].name);
            sb_add(b, h[i].name);
            sb_add(b, ":");
        }
        sb_add(b, h[i].val);
        sb_add(b, "\n");
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        free(h[i].name);
        free(h[i].val);
    }
    free(h);
    return ret;
}

static bool hash_ok(const char *h)
{
    if (h == NULL)
        return false;
    if (strcmp(h, OMKT_SIGV4_UNSIGNED) == 0)
        return true;
    if (strlen(h) != OMKT_SHA256_HEX_LEN)
        return false;
    for (const char *p = h; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

int omkt_sigv4_canonical(const struct omkt_sigv4_request *r, char **creq,
                         char **signed_headers)
{
    struct sbuf b = {0}, sh = {0};
    int rc;

    *creq = NULL;
    if (signed_headers)
        *signed_headers = NULL;
    if (r->path == NULL || r->path[0] != '/' || !hash_ok(r->payload_hash))
        return OMKT_EINVAL;
    sb_add(&b, r->method);
    sb_add(&b, "\n");
    if (r->is_normalize_path)
        canon_path_normalized(&b, r->path);
    else
        reencode(&b, r->path, strlen(r->path), true);
    sb_add(&b, "\n");
    canon_query(&b, r->query);
    sb_add(&b, "\n");
    rc = canon_headers(&b, &sh, r);
    sb_add(&b, "\n");
    sb_add(&b, sh.p ? sh.p : "");
    sb_add(&b, "\n");
    sb_add(&b, r->payload_hash);
    if (rc != OMKT_OK) {
        free(b.p);
        free(sh.p);
        return rc;
    }
    *creq = sb_take(&b);
    if (signed_headers)
        *signed_headers = sb_take(&sh);
    else
        free(sh.p);
    return OMKT_OK;
}

/* date_ok - "YYYYMMDDTHHMMSSZ". */
static bool date_ok(const char *d)
{
    if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return false;
    for (size_t i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return false;
    return true;
}

int omkt_sigv4_string_to_sign(const char *creq,
                              const struct omkt_sigv4_scope *s, char **sts)
{
    char h[OMKT_SHA256_HEX_LEN + 1];

    *sts = NULL;
    if (!date_ok(s->amz_date))
        return OMKT_EINVAL;
    omkt_sha256_hex(creq, strlen(creq), h);
    *sts = omkt_xasprintf("AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
                          s->amz_date, s->amz_date, s->region, s->service, h);
    return OMKT_OK;
}

/* hmac - HMAC-SHA256 of @msg under @key into @out (32 bytes). */
static int hmac(const void *key, size_t keylen, const char *msg,
                unsigned char out[32])
{
    unsigned int n = 0;

    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
             strlen(msg), out, &n) == NULL ||
        n != 32)
        return OMKT_ENOMEM;
    return OMKT_OK;
}

int omkt_sigv4_signature(const char *sts, const struct omkt_sigv4_scope *s,
                         char out[OMKT_SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char k[32], sig[32];
    char date[9];
    char *secret = omkt_xasprintf("AWS4%s", s->secret_key);
    int rc;

    memcpy(date, s->amz_date, 8);
    date[8] = '\0';
    rc = hmac(secret, strlen(secret), date, k);
    if (rc == OMKT_OK)
        rc = hmac(k, 32, s->region, k);
    if (rc == OMKT_OK)
        rc = hmac(k, 32, s->service, k);
    if (rc == OMKT_OK)
        rc = hmac(k, 32, "aws4_request", k);
    if (rc == OMKT_OK)
        rc = hmac(k, 32, sts, sig);
    for (size_t i = 0; rc == OMKT_OK && i < 32; i++) {
        out[2 * i] = hex[sig[i] >> 4];
        out[2 * i + 1] = hex[sig[i] & 15];
    }
    out[OMKT_SHA256_HEX_LEN] = '\0';
    OPENSSL_cleanse(secret, strlen(secret));
    OPENSSL_cleanse(k, sizeof(k));
    free(secret);
    return rc;
}

int omkt_sigv4_authorization(const struct omkt_sigv4_request *r,
                             const struct omkt_sigv4_scope *s, char **authz)
{
    char *creq = NULL, *sh = NULL, *sts = NULL;
    char sig[OMKT_SHA256_HEX_LEN + 1];
    int rc;

    *authz = NULL;
    rc = omkt_sigv4_canonical(r, &creq, &sh);
    if (rc == OMKT_OK)
        rc = omkt_sigv4_string_to_sign(creq, s, &sts);
    if (rc == OMKT_OK)
        rc = omkt_sigv4_signature(sts, s, sig);
    if (rc == OMKT_OK)
        *authz = omkt_xasprintf("AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/"
                                "aws4_request, SignedHeaders=%s, Signature=%s",
                                s->access_key, s->amz_date, s->region,
                                s->service, sh, sig);
    free(creq);
    free(sh);
    free(sts);
    return rc;
}

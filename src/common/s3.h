/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3 - an S3 client for S3 and S3-compatible stores (MinIO, Ceph RGW,
 * Garage): GET (Range, resumable, verified), HEAD, PUT, multipart upload,
 * DELETE and ListObjectsV2 over libcurl, every request signed by s3sign.
 *
 * DESIGN: one client = one easy handle (omkt_http_setup options) + a copy
 * of the configuration and credentials; not thread-safe, make one per
 * thread (after curl_global_init in main).  Credentials are fixed for the
 * client's life: resolve them (s3cred) per transfer, so temporary ones
 * (IMDS, session tokens) are fresh.  Requests whose answer is transient
 * (network, 5xx, 429, 408) are retried up to max_attempts with capped, jittered
 * backoff; uploads of more than part_size bytes are multipart, each part
 * retried on its own, and any failure aborts the upload (AbortMultipartUpload)
 * so no orphan is left.  Uploads carry Content-MD5 and the payload's SHA-256;
 * downloads of single-part objects are checked against the ETag (MD5) and the
 * size. Errors: OMKT_ENOTFOUND (404: permanent), OMKT_EPERM (403: bad key, bad
 * signature, access denied), OMKT_ENET (network; eb->retryable), OMKT_EHTTP
 * (other status; retryable when 5xx), OMKT_EIO (local file or checksum),
 * OMKT_ETOOBIG, OMKT_ESHUTDOWN (stop hook).  Error texts name the method,
 * bucket, key, status and S3's Code and Message; never a secret.
 */
#ifndef OMKT_COMMON_S3_H
#define OMKT_COMMON_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "httpc.h"

#define OMKT_S3_MIN_PART  (5 * 1024 * 1024)
#define OMKT_S3_MAX_PARTS 10000
#define OMKT_S3_MAX_PART  ((int64_t)5 << 30) /* 5 GiB per part */
#define OMKT_S3_ETAG_MAX  128

/* Credentials (strings new; omkt_s3_creds_clear wipes and frees). */
struct omkt_s3_creds {
    char *access_key;
    char *secret_key;
    char *session_token; /* NULL unless temporary credentials */
};

enum omkt_s3_addressing {
    OMKT_S3_VIRTUAL, /* https://bucket.endpoint/key */
    OMKT_S3_PATH,    /* https://endpoint/bucket/key */
};

/* Client settings.  Strings borrowed during omkt_s3_new (copied). */
struct omkt_s3_config {
    const char *endpoint; /* "http(s)://host[:port]"; NULL: AWS for region */
    const char *region;   /* NULL: us-east-1 */
    enum omkt_s3_addressing addressing;
    int64_t part_size;        /* multipart above this; 0: 16 MiB */
    int max_attempts;         /* per request or part; 0: 4 */
    int64_t backoff_ms;       /* first retry delay; 0: 200 ms */
    int64_t backoff_max_ms;   /* cap; 0: 10 s */
    int64_t max_object_bytes; /* download cap; 0: none */
    struct omkt_http_limits lim;
    const char *connect_to; /* optional CURLOPT_CONNECT_TO entry */
};

/* Hooks.  stop: true to interrupt now (OMKT_ESHUTDOWN).  part_done: after
 * part @part (1-based) of a multipart upload is stored. */
struct omkt_s3_hooks {
    bool (*stop)(void *arg);
    void (*part_done)(void *arg, int part);
    void *arg;
};

/* What HEAD or GET learnt about an object. */
struct omkt_s3_object {
    int64_t size;
    char etag[OMKT_S3_ETAG_MAX]; /* without quotes */
};

/* Counters, for logs and benchmarks. */
struct omkt_s3_stats {
    int64_t bytes_up, bytes_down;
    int requests, retries;
};

struct omkt_s3_entry {
    char *key; /* new */
    int64_t size;
    char etag[OMKT_S3_ETAG_MAX];
};

/* One ListObjectsV2 page (omkt_s3_list_clear frees). */
struct omkt_s3_list {
    struct omkt_s3_entry *v;
    size_t n;
    bool is_truncated;
    char *next_token; /* new; NULL when not truncated */
};

struct omkt_s3;

/* omkt_s3_creds_clear - wipe and free the strings of @c (NULL ok). */
void omkt_s3_creds_clear(struct omkt_s3_creds *c);

/* omkt_s3_creds_copy - @dst (zeroed) gets copies of @src's strings; an
 * empty session token is none. */
void omkt_s3_creds_copy(struct omkt_s3_creds *dst,
                        const struct omkt_s3_creds *src);

/*
 * omkt_s3_new - a client for @cfg signing with @cr (both copied).
 * OMKT_EINVAL (bad endpoint, missing keys) or OMKT_ENET (curl).
 * Free with omkt_s3_free.
 */
int omkt_s3_new(const struct omkt_s3_config *cfg,
                const struct omkt_s3_creds *cr, struct omkt_s3 **out,
                struct omkt_errbuf *eb);
void omkt_s3_free(struct omkt_s3 *s3);

/* omkt_s3_set_hooks - install @h (copied) for later calls. */
void omkt_s3_set_hooks(struct omkt_s3 *s3, const struct omkt_s3_hooks *h);

/* omkt_s3_stats - counters since omkt_s3_new. */
struct omkt_s3_stats omkt_s3_stats(const struct omkt_s3 *s3);

/* omkt_s3_head - size and ETag of bucket/key. */
int omkt_s3_head(struct omkt_s3 *s3, const char *bucket, const char *key,
                 struct omkt_s3_object *obj, struct omkt_errbuf *eb);

/*
 * omkt_s3_get_file - download bucket/key into @path.  What @path already
 * holds is kept and the rest fetched with Range (resume), provided the
 * object is still the same (If-Match on its ETag); otherwise it starts
 * over.  A single-part object's MD5 must equal its ETag.  @obj (may be
 * NULL) gets size and ETag.  @path is written in place: give a temp name.
 */
int omkt_s3_get_file(struct omkt_s3 *s3, const char *bucket, const char *key,
                     const char *path, struct omkt_s3_object *obj,
                     struct omkt_errbuf *eb);

/*
 * omkt_s3_get_range - up to @len bytes of bucket/key from offset @off into
 * @buf (Range: bytes=off-off+len-1); *got is how many came (fewer at the
 * end of the object; 0 when @off is at or past it).
 */
int omkt_s3_get_range(struct omkt_s3 *s3, const char *bucket, const char *key,
                      int64_t off, void *buf, size_t len, size_t *got,
                      struct omkt_errbuf *eb);

/*
 * omkt_s3_put_file - upload @path as bucket/key: one PUT up to part_size
 * bytes, else a multipart upload that is complete or aborted.
 */
int omkt_s3_put_file(struct omkt_s3 *s3, const char *bucket, const char *key,
                     const char *path, struct omkt_errbuf *eb);

/*
 * omkt_s3_copy - server-side copy (CopyObject) of @from (an object this
 * client's credentials may read, at the same endpoint) to @to:
 * nothing goes through this host.  S3 copies up to 5 GiB in one call:
 * check the size first (omkt_s3_head) and upload bigger objects.
 */
struct omkt_s3_ref {
    const char *bucket;
    const char *key;
};
int omkt_s3_copy(struct omkt_s3 *s3, const struct omkt_s3_ref *from,
                 const struct omkt_s3_ref *to, struct omkt_errbuf *eb);

/* omkt_s3_put_buf - upload @len bytes at @buf with one PUT. */
int omkt_s3_put_buf(struct omkt_s3 *s3, const char *bucket, const char *key,
                    const void *buf, size_t len, struct omkt_errbuf *eb);

/* omkt_s3_delete - remove bucket/key (absent is not an error: S3 says
 * 204 either way). */
int omkt_s3_delete(struct omkt_s3 *s3, const char *bucket, const char *key,
                   struct omkt_errbuf *eb);

/*
 * omkt_s3_list - one ListObjectsV2 page of keys under @prefix (may be
 * NULL), at most @max_keys (1..1000), continuing after @token (NULL for
 * the first page).  *out is new: omkt_s3_list_clear.
 */
int omkt_s3_list(struct omkt_s3 *s3, const char *bucket, const char *prefix,
                 const char *token, int max_keys, struct omkt_s3_list *out,
                 struct omkt_errbuf *eb);
void omkt_s3_list_clear(struct omkt_s3_list *l);

/*
 * omkt_s3_xml_text - the text of the first <@tag> element of @xml (@len
 * bytes), entities decoded, into @out (@size bytes, cut at a UTF-8
 * boundary).  Returns false when there is no such element.  Exposed for
 * tests.
 */
bool omkt_s3_xml_text(const char *xml, size_t len, const char *tag, char *out,
                      size_t size);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* files - sending outputs with ranges (see files.h). */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apid/files.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/path.h"
#include "media/settings.h"
#include "media/zip.h"

#define ZIP_MAX_FILES 64

/* digits - a decimal number at *s (advanced), saturating at INT64_MAX
 * (a position past any file is still a position); false when none. */
static bool digits(const char **s, int64_t *v)
{
    const char *p = *s;

    *v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        int d = *p - '0';

        *v = *v > (INT64_MAX - d) / 10 ? INT64_MAX : *v * 10 + d;
    }
    *s = p;
    return true;
}

int files_parse_range(const char *h, int64_t size, struct files_range *out)
{
    const char *s;
    int64_t a = 0, b = -1;

    if (h == NULL || strncasecmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return OMKT_ENOTFOUND;
    s = h + 6;
    while (*s == ' ')
        s++;
    if (*s == '-') { /* suffix: the last N bytes */
        s++;
        if (!digits(&s, &b) || *s != '\0')
            return OMKT_ENOTFOUND;
        if (b == 0 || size == 0)
            return OMKT_EINVAL;
        out->first = b >= size ? 0 : size - b;
        out->last = size - 1;
        return OMKT_OK;
    }
    if (!digits(&s, &a) || *s++ != '-')
        return OMKT_ENOTFOUND;
    if (*s != '\0' && (!digits(&s, &b) || *s != '\0' || b < a))
        return OMKT_ENOTFOUND;
    if (a >= size)
        return OMKT_EINVAL;
    out->first = a;
    out->last = b < 0 || b >= size ? size - 1 : b;
    return OMKT_OK;
}

int files_parse_content_range(const char *s, int64_t size,
                              struct files_range *out)
{
    const char *p = s;
    int64_t a = 0, b = 0;
    bool is_ok = false;

    /* "A-B", either side may be empty (0, and 0 as an end means the
     * end); anything else means the whole file, as the reference's
     * pattern match falls back to. */
    (void)digits(&p, &a); /* none: 0 */
    if (*p == '-') {
        p++;
        (void)digits(&p, &b); /* none: 0 */
        is_ok = *p == '\0';
    }
    if (!is_ok)
        a = b = 0;
    if (a != 0 && b != 0 && a > b)
        return OMKT_EINVAL; /* start > end */
    if (a >= size)
        return OMKT_ETOOBIG; /* start beyond the file */
    if (b == 0 || b > size)
        b = size; /* to the end; the end clipped to the size */
    out->first = a;
    out->last = b - 1; /* may be first - 1: nothing to send */
    return OMKT_OK;
}

/* resolve - docroot/@rel, @rel inside the media's own directory (through
 * the path layer: clean, and no symlink out of the document root). */
static int resolve(const struct apid_req *r, const struct omkt_media *m,
                   const char *rel, char *out, size_t size)
{
    char dir[256];
    size_t n;

    if (rel == NULL ||
        omkt_media_dir(dir, sizeof(dir), m->account_id, m->id) != OMKT_OK)
        return OMKT_EPERM;
    n = strlen(dir);
    if (strncmp(rel, dir, n) != 0 || (rel[n] != '/' && rel[n] != '\0'))
        return OMKT_EPERM;
    return omkt_path_under(r->a->d->common.docroot, rel, out, size);
}

/* mime_of - the output's "mime" (new string) or the setting's. */
static char *mime_of(const struct omkt_transcode *t)
{
    json_t *md = t->metadata ? json_loads(t->metadata, 0, NULL) : NULL;
    const char *s = json_string_value(json_object_get(md, "mime"));
    const struct omkt_setting *st = omkt_setting_find(t->setting_id);
    char *ret;

    if (s == NULL)
        s = st && st->mime ? st->mime : "application/octet-stream";
    ret = omkt_xstrdup(s);
    json_decref(md);
    return ret;
}

/* What is known of the bytes being sent. */
struct files_meta {
    int64_t size;
    const char *mime;
    const char *etag;    /* strong validator, or NULL */
    const char *lastmod; /* HTTP-date, or NULL */
    const char *cache;   /* Cache-Control, or NULL */
};

/* if_range_ok - no If-Range, or it names what we have (RFC 7233 3.2);
 * otherwise the Range is ignored and everything is sent. */
static bool if_range_ok(struct apid_req *r, const struct files_meta *fm)
{
    const char *ir = apid_header(r, "If-Range");

    return ir == NULL || (fm->etag != NULL && strcmp(ir, fm->etag) == 0) ||
           (fm->lastmod != NULL && strcmp(ir, fm->lastmod) == 0);
}

/* pick_range - what to send of @size bytes: 0 with *rg and *status (200
 * or 206), or the error code (216 for content_range, 416 for Range) with
 * *why (static text). */
static int pick_range(struct apid_req *r, const char *content_range,
                      const struct files_meta *fm, struct files_range *rg,
                      unsigned *status, const char **why)
{
    int64_t size = fm->size;
    int rc;

    rg->first = 0;
    rg->last = size - 1;
    *status = 200;
    *why = "requested range not satisfiable";
    /* The reference takes an empty (or PHP-false "0") content_range as
     * none; otherwise it answers 200 with the bytes and no
     * Content-Range, and the original client accepts nothing else. */
    if (content_range != NULL && content_range[0] != '\0' &&
        strcmp(content_range, "0") != 0) {
        rc = files_parse_content_range(content_range, size, rg);
        if (rc != OMKT_OK) {
            *why = rc == OMKT_EINVAL
                       ? "Requested Range Not Satisfiable (start > end)"
                       : "Requested Range Not Satisfiable (start > size)";
            return 216;
        }
        return 0;
    }
    if (!if_range_ok(r, fm))
        return 0;
    rc = files_parse_range(apid_header(r, MHD_HTTP_HEADER_RANGE), size, rg);
    if (rc == OMKT_EINVAL) {
        snprintf(r->content_range, sizeof(r->content_range), "bytes */%" PRId64,
                 size);
        return 416;
    }
    if (rc == OMKT_OK)
        *status = 206;
    return 0;
}

/* reply_part - headers, then queue @resp for @status. */
static enum MHD_Result reply_part(struct apid_req *r, struct MHD_Response *resp,
                                  unsigned status, const struct files_range *rg,
                                  const struct files_meta *fm)
{
    if (resp == NULL)
        return MHD_NO;
    if (status == 206)
        snprintf(r->content_range, sizeof(r->content_range),
                 "bytes %" PRId64 "-%" PRId64 "/%" PRId64, rg->first, rg->last,
                 fm->size);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, fm->mime);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (fm->etag != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, fm->etag);
    if (fm->lastmod != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
                                fm->lastmod);
    if (fm->cache != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, fm->cache);
    return apid_queue(r, status, resp);
}

/* validators - a strong ETag and Last-Modified of a file. */
static void validators(const struct stat *st, char *etag, size_t esize,
                       char *lastmod, size_t lsize)
{
    struct tm tm;

    snprintf(etag, esize, "\"%llx-%llx-%llx\"", (unsigned long long)st->st_ino,
             (unsigned long long)st->st_size, (unsigned long long)st->st_mtime);
    gmtime_r(&st->st_mtime, &tm);
    strftime(lastmod, lsize, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* is_fresh - a conditional GET (RFC 9110 13.1.2, 13.1.3) whose copy is
 * current: If-None-Match names our ETag (or "*"), else, without it,
 * If-Modified-Since is our Last-Modified. */
static bool is_fresh(struct apid_req *r, const struct files_meta *fm)
{
    const char *inm = apid_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = apid_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);

    if (inm != NULL)
        return strcmp(inm, "*") == 0 || strstr(inm, fm->etag) != NULL;
    return ims != NULL && strcmp(ims, fm->lastmod) == 0;
}

/* send_file - one file, from its descriptor (sendfile); 304 when @o
 * allows conditional requests and the client's copy is current. */
static enum MHD_Result send_file(struct apid_req *r, const char *path,
                                 const struct files_opts *o, const char *cr,
                                 files_err_fn err)
{
    struct files_range rg;
    struct stat st;
    unsigned status = 200;
    struct MHD_Response *resp;
    char etag[64], lastmod[40];
    struct files_meta fm = {.mime = o->mime,
                            .etag = etag,
                            .lastmod = lastmod,
                            .cache = o->cache_control};
    const char *why = NULL;
    int code;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        omkt_log(OMKT_LOG_WARN, "output missing: %s", path);
        return err(r, 404, "output file missing");
    }
    fm.size = (int64_t)st.st_size;
    validators(&st, etag, sizeof(etag), lastmod, sizeof(lastmod));
    if (o->is_conditional && is_fresh(r, &fm)) {
        close(fd);
        rg.first = 0;
        rg.last = -1;
        return reply_part(
            r, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT),
            304, &rg, &fm);
    }
    code = pick_range(r, cr, &fm, &rg, &status, &why);
    if (code != 0) {
        close(fd);
        return err(r, code, why);
    }
    resp = MHD_create_response_from_fd_at_offset64(
        (uint64_t)(rg.last - rg.first + 1), fd, (uint64_t)rg.first);
    if (resp == NULL) { /* MHD owns fd only on success */
        close(fd);
        return apid_queue(r, status, NULL); /* a logged 500 with a body */
    }
    return reply_part(r, resp, status, &rg, &fm);
}

/* zip_names - the "files" of the output's metadata; *n of them. */
static int zip_names(const char *metadata, json_t **md, const char **names,
                     size_t *n)
{
    json_t *files, *it;
    size_t i;

    *n = 0;
    *md = metadata ? json_loads(metadata, 0, NULL) : NULL;
    files = json_object_get(*md, "files");
    if (!json_is_array(files) || json_array_size(files) == 0 ||
        json_array_size(files) > ZIP_MAX_FILES)
        return OMKT_ENOTFOUND;
    json_array_foreach(files, i, it)
    {
        if (!json_is_string(it))
            return OMKT_EINVAL;
        names[(*n)++] = json_string_value(it);
    }
    return OMKT_OK;
}

/* send_zip - a multi-file output as one stored zip, built in memory.
 * It has no validator: an If-Range always means the whole archive. */
static enum MHD_Result send_zip(struct apid_req *r, const char *dir,
                                const struct omkt_transcode *t, const char *cr,
                                files_err_fn err)
{
    const char *names[ZIP_MAX_FILES];
    struct omkt_errbuf eb = {0};
    struct files_meta fm = {.mime = "application/zip"};
    const char *why = NULL;
    struct files_range rg;
    json_t *md = NULL;
    void *buf = NULL;
    size_t n = 0, len = 0;
    unsigned status = 200;
    enum MHD_Result res;
    int code = 404;
    int rc = zip_names(t->metadata, &md, names, &n);

    if (rc == OMKT_OK)
        rc = omkt_zip_files_mem(dir, names, n, &buf, &len, &eb);
    json_decref(md);
    fm.size = (int64_t)len;
    if (rc == OMKT_OK)
        code = pick_range(r, cr, &fm, &rg, &status, &why);
    else
        omkt_log(OMKT_LOG_WARN, "zip of %s: %s", dir,
                 eb.is_set ? eb.msg : "no file list in the metadata");
    if (code != 0) {
        free(buf);
        return err(r, code, code == 404 ? "output files missing" : why);
    }
    res = reply_part(r,
                     MHD_create_response_from_buffer(
                         (size_t)(rg.last - rg.first + 1),
                         (char *)buf + rg.first, MHD_RESPMEM_MUST_COPY),
                     status, &rg, &fm);
    free(buf);
    return res;
}

enum MHD_Result files_send(struct apid_req *r, const struct omkt_media *m,
                           const struct omkt_transcode *t,
                           const char *content_range, files_err_fn err)
{
    char path[OMKT_PATH_MAX];
    const struct omkt_setting *st = omkt_setting_find(t->setting_id);
    bool is_multi = t->cardinality > 1 || (st && st->cardinality > 1);
    enum MHD_Result res;
    char *mime;

    if (resolve(r, m, t->path, path, sizeof(path)) != OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "transcode %" PRId64 ": path %s refused", t->id,
                 t->path ? t->path : "(null)");
        return err(r, 404, "output not available");
    }
    if (is_multi)
        return send_zip(r, path, t, content_range, err);
    mime = mime_of(t);
    res = send_file(r, path, &(struct files_opts){.mime = mime}, content_range,
                    err);
    free(mime);
    return res;
}

enum MHD_Result files_send_in(struct apid_req *r, const struct omkt_media *m,
                              const struct omkt_transcode *t, const char *file,
                              const struct files_opts *o, files_err_fn err)
{
    char rel[OMKT_PATH_MAX], path[OMKT_PATH_MAX];

    if (t->path == NULL ||
        omkt_path_join(rel, sizeof(rel), t->path, file) != OMKT_OK ||
        resolve(r, m, rel, path, sizeof(path)) != OMKT_OK)
        return err(r, 404, "no such file in this output");
    return send_file(r, path, o, NULL, err);
}

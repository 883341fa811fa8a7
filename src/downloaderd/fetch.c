/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetch - the libcurl side of a download (see fetch.h).
 *
 * DESIGN: resume.  The partial file is named after the job, not after the
 * process, so the next attempt of the same job (on any host) finds it.
 * When it is not empty we ask for "Range: bytes=N-".  The decision is
 * taken at the first body byte, once the final response's headers are in:
 * a 206 whose Content-Range starts at N is appended; any other 2xx means
 * the server ignored the range, so the file is truncated and the body
 * written from the start.  A 416 (the partial is no prefix the server
 * recognises) restarts once without a range.  The size cap counts the
 * bytes already there.  The address policy and the minimum speed are
 * omkt_http_setup's (common/httpc.h): the address actually connected is
 * checked on every hop, and an origin trickling under the minimum speed
 * for its window is cut (retried later, resuming).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "fetch.h"

#define MAX_REDIRS 5L

struct xfer {
    const struct fetch_req *rq;
    CURL *h;
    int fd;
    int64_t offset;  /* bytes kept from earlier attempts */
    int64_t written; /* body bytes written by this transfer */
    long status;
    bool is_decided; /* append or restart chosen */
    bool is_too_big;
    bool is_stopped;
    bool is_bad_range;
    int io_err;
    struct omkt_http_peer peer;
};

/* write_all - write(2) until done; errno on failure. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* range_start - the first byte of the last response's Content-Range. */
static bool range_start(CURL *h, int64_t *start)
{
    struct curl_header *hd = NULL;
    char *end = NULL;
    long long v;

    if (curl_easy_header(h, "Content-Range", 0, CURLH_HEADER, -1, &hd) !=
            CURLHE_OK ||
        strncmp(hd->value, "bytes ", 6) != 0)
        return false;
    errno = 0;
    v = strtoll(hd->value + 6, &end, 10);
    if (errno != 0 || end == hd->value + 6 || *end != '-')
        return false;
    *start = v;
    return true;
}

/* decide - at the first body byte: append to the partial or restart. */
static int decide(struct xfer *x)
{
    int64_t start = -1;
    long code = 0;

    (void)curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    if (x->offset > 0 && code == 206) {
        if (!range_start(x->h, &start) || start != x->offset) {
            x->is_bad_range = true; /* the next attempt starts afresh */
            if (ftruncate(x->fd, 0) != 0)
                x->io_err = errno;
            return -1;
        }
        return lseek(x->fd, x->offset, SEEK_SET) < 0 ? -1 : 0;
    }
    if (x->offset > 0)
        omkt_log(OMKT_LOG_INFO,
                 "job=%lld server ignored the range (HTTP %ld): restarting",
                 (long long)x->rq->ctx->job.id, code);
    x->offset = 0;
    if (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) < 0) {
        x->io_err = errno;
        return -1;
    }
    return 0;
}

/* on_write - CURLOPT_WRITEFUNCTION: body bytes into the partial file. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nmemb;

    if (!x->is_decided && decide(x) != 0)
        return 0;
    x->is_decided = true;
    if (x->offset + x->written + (int64_t)n > x->rq->max_size) {
        x->is_too_big = true;
        return 0;
    }
    if (write_all(x->fd, ptr, n) != 0) {
        x->io_err = errno;
        return 0;
    }
    x->written += (int64_t)n;
    return n;
}

/* on_progress - CURLOPT_XFERINFOFUNCTION: stop flag and progress. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct xfer *x = arg;

    (void)ultotal;
    (void)ulnow;
    if (omkt_jobctx_should_stop(x->rq->ctx)) {
        x->is_stopped = true;
        return 1;
    }
    if (dltotal > 0)
        omkt_jobctx_progress(x->rq->ctx, (int)(dlnow * 100 / dltotal));
    return 0;
}

/* set_callbacks - the options that point at @x. */
static CURLcode set_callbacks(CURL *h, struct xfer *x)
{
    CURLcode rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);

    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    return rc;
}

/* setup - every option of one transfer. */
static int setup(CURL *h, struct xfer *x, char *errbuf, struct omkt_errbuf *eb)
{
    char range[32];
    CURLcode rc;
    int ret = omkt_http_setup(h, errbuf, &x->rq->lim, &x->peer, eb);

    if (ret != OMKT_OK)
        return ret;
    snprintf(range, sizeof(range), "%" PRId64 "-", x->offset);
    rc = curl_easy_setopt(h, CURLOPT_URL, x->rq->url);
    if (rc == CURLE_OK)
        rc = set_callbacks(h, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRS);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    /* With a range the announced length is the rest: on_write checks. */
    if (rc == CURLE_OK && x->offset == 0)
        rc = curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                              (curl_off_t)x->rq->max_size);
    if (rc == CURLE_OK && x->offset > 0)
        rc = curl_easy_setopt(h, CURLOPT_RANGE, range);
    if (rc != CURLE_OK) {
        omkt_errf(eb, "curl setup: %s", curl_easy_strerror(rc));
        return OMKT_ENET;
    }
    return OMKT_OK;
}

/* http_error - a >= 400 status: 5xx, 408, 425 and 429 are transient. */
static int http_error(long code, struct omkt_errbuf *eb)
{
    omkt_errf(eb, "HTTP %ld", code);
    if (eb != NULL)
        eb->retryable =
            code >= 500 || code == 408 || code == 425 || code == 429;
    return OMKT_EHTTP;
}

/* transient - record a retryable failure. */
static int transient(int code, const char *what, const char *detail,
                     struct omkt_errbuf *eb)
{
    omkt_errf(eb, "%s: %s", what, detail);
    if (eb != NULL)
        eb->retryable = true;
    return code;
}

/* classify - map the outcome of curl_easy_perform to an omkt_err. */
static int classify(struct xfer *x, CURLcode rc, const char *errbuf,
                    struct omkt_errbuf *eb)
{
    const char *detail = *errbuf ? errbuf : curl_easy_strerror(rc);
    const struct omkt_http_limits *lim = &x->rq->lim;

    if (x->is_stopped)
        return OMKT_ESHUTDOWN;
    if (omkt_http_refused(&x->peer, rc, eb) != OMKT_OK)
        return OMKT_EPERM;
    if (x->is_too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        omkt_errf(eb, "larger than max_size (%" PRId64 " bytes)",
                  x->rq->max_size);
        return OMKT_ETOOBIG;
    }
    if (x->io_err != 0)
        return transient(OMKT_EIO, x->rq->part_path, omkt_errno_str(x->io_err),
                         eb);
    if (x->is_bad_range)
        return transient(OMKT_EHTTP, "resume", "bad Content-Range", eb);
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return http_error(x->status, eb);
    if (omkt_http_is_too_slow(x->h, lim, rc)) {
        omkt_errf(eb,
                  "too slow: under %" PRId64 " bytes/s for %" PRId64
                  " s (min_speed)",
                  lim->low_speed_bps, (lim->low_speed_time_ms + 999) / 1000);
        if (eb != NULL)
            eb->retryable = true; /* the next attempt resumes */
        return OMKT_ETIMEOUT;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return transient(OMKT_ETIMEOUT, "timed out", detail, eb);
    if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT ||
        rc == CURLE_TOO_MANY_REDIRECTS) {
        omkt_errf(eb, "refused: %s", detail);
        return OMKT_EPERM;
    }
    if (rc != CURLE_OK)
        return transient(OMKT_ENET, "transfer", detail, eb);
    if (x->status < 200 || x->status > 299) {
        omkt_errf(eb, "HTTP %ld", x->status);
        return OMKT_EHTTP;
    }
    return OMKT_OK;
}

/* transfer - one curl_easy_perform from x->offset. */
static int transfer(CURL *h, struct xfer *x, struct omkt_errbuf *eb)
{
    char errbuf[CURL_ERROR_SIZE];
    CURLcode rc;
    int ret = setup(h, x, errbuf, eb);

    if (ret != OMKT_OK)
        return ret;
    x->written = 0;
    x->is_decided = false;
    rc = curl_easy_perform(h);
    (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
    return classify(x, rc, errbuf, eb);
}

/* open_part - open (or create) the partial file; x->offset = its size. */
static int open_part(struct xfer *x, struct omkt_errbuf *eb)
{
    struct stat st;

    x->fd = open(x->rq->part_path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                 0640);
    if (x->fd < 0 || fstat(x->fd, &st) != 0) {
        omkt_errf(eb, "open %s: %s", x->rq->part_path, omkt_errno_str(errno));
        if (eb != NULL)
            eb->retryable = true;
        return OMKT_EIO;
    }
    x->offset = st.st_size <= x->rq->max_size ? (int64_t)st.st_size : 0;
    if (x->offset == 0 && st.st_size > 0 && ftruncate(x->fd, 0) != 0)
        return transient(OMKT_EIO, x->rq->part_path, omkt_errno_str(errno), eb);
    return OMKT_OK;
}

/* restart - after a 416: forget the partial and try once more. */
static int restart(CURL *h, struct xfer *x, struct omkt_errbuf *eb)
{
    omkt_log(OMKT_LOG_INFO, "job=%lld range not satisfiable: restarting",
             (long long)x->rq->ctx->job.id);
    omkt_errbuf_clear(eb);
    x->offset = 0;
    if (ftruncate(x->fd, 0) != 0)
        return transient(OMKT_EIO, x->rq->part_path, omkt_errno_str(errno), eb);
    return transfer(h, x, eb);
}

int fetch_run(CURL *h, const struct fetch_req *rq, struct fetch_res *res,
              struct omkt_errbuf *eb)
{
    struct xfer x = {.rq = rq, .h = h, .fd = -1};
    int64_t resumed_from;
    int ret;

    memset(res, 0, sizeof(*res));
    if (strncasecmp(rq->url, "http://", 7) != 0 &&
        strncasecmp(rq->url, "https://", 8) != 0) {
        omkt_errf(eb, "refused: only http and https URLs are downloaded");
        return OMKT_EPERM;
    }
    ret = open_part(&x, eb);
    resumed_from = x.offset;
    if (ret == OMKT_OK)
        ret = transfer(h, &x, eb);
    if (ret == OMKT_EHTTP && x.status == 416 && x.offset > 0)
        ret = restart(h, &x, eb);
    if (ret == OMKT_OK && !x.is_decided && x.offset > 0) {
        x.offset = 0; /* no body at all: the old bytes are not a file */
        if (ftruncate(x.fd, 0) != 0)
            ret = transient(OMKT_EIO, rq->part_path, omkt_errno_str(errno), eb);
    }
    if (ret == OMKT_OK && fsync(x.fd) != 0)
        ret = transient(OMKT_EIO, rq->part_path, omkt_errno_str(errno), eb);
    if (ret == OMKT_OK && x.offset + x.written == 0) {
        omkt_errf(eb, "empty file (0 bytes)");
        ret = OMKT_EMEDIA;
    }
    if (ret == OMKT_OK) {
        res->size = x.offset + x.written;
        res->resumed_from = x.offset > 0 ? resumed_from : 0;
        res->status = x.status;
    }
    if (x.fd >= 0)
        close(x.fd);
    return ret;
}

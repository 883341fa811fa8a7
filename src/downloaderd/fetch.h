/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetch - one libcurl transfer of an http(s) original into a partial file,
 * resuming what an earlier attempt left there, under the download policy:
 * http/https only (also on redirects), the peer address checked at every
 * connect (common/addrpol.h, through omkt_http_setup), a size cap, a total
 * time cap, a minimum speed, and the job's stop flag polled during the
 * transfer.
 */
#ifndef OMKT_DOWNLOADERD_FETCH_H
#define OMKT_DOWNLOADERD_FETCH_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/httpc.h"
#include "common/jobworker.h"

struct fetch_req {
    const char *url;             /* as it is fetched (app_key added for OMKT) */
    const char *part_path;       /* the partial file, kept across attempts */
    int64_t max_size;            /* bytes */
    struct omkt_http_limits lim; /* allow_private, min speed included */
    struct omkt_jobctx *ctx;     /* stop flag and progress */
};

struct fetch_res {
    int64_t size;         /* bytes in the partial file, complete */
    int64_t resumed_from; /* 0: downloaded from the start */
    long status;          /* final HTTP status */
};

/*
 * fetch_run - download rq->url into rq->part_path with @h (this thread's
 * handle).  On OMKT_OK the file holds the whole body, fsynced.  Failures
 * set eb (eb->retryable for transient causes: timeouts, 5xx, resets):
 * OMKT_EPERM (scheme or address refused), OMKT_ETOOBIG (over max_size),
 * OMKT_EHTTP (status), OMKT_ETIMEOUT (total time, or under the minimum
 * speed: "too slow"), OMKT_ENET, OMKT_EIO, OMKT_EMEDIA
 * (empty body), and OMKT_ESHUTDOWN when the job must stop (the caller
 * returns omkt_jobctx_stop_code()).
 */
int fetch_run(CURL *h, const struct fetch_req *rq, struct fetch_res *res,
              struct omkt_errbuf *eb);

#endif

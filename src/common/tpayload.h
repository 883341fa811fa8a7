/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpayload - the payload of a 'transcode' job, built and read here only:
 *   {"transcodes":[TID,...]}
 * the transcodes rows (ids > 0) of one media that the job makes together
 * (the source is decoded once for all of them).  apid and metadatad queue
 * it through omkt_jobflow_request (jobflow.h); transcoderd, the reaper and
 * the cancel/retry verbs read it back with omkt_tpayload_parse.  Nothing
 * here does I/O.
 */
#ifndef OMKT_COMMON_TPAYLOAD_H
#define OMKT_COMMON_TPAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Most transcode rows one job may carry. */
#define OMKT_TPAYLOAD_MAX 1024

/*
 * omkt_tpayload_build - the payload text for @tids[0..@n); new (free()).
 * NULL when @n is 0 or over OMKT_TPAYLOAD_MAX, or an id is not > 0.
 */
char *omkt_tpayload_build(const int64_t *tids, size_t n);

/*
 * omkt_tpayload_parse - the transcode row ids of payload @text.  On
 * OMKT_OK *tids is new (free()) and holds *n >= 1 ids.  OMKT_EINVAL (see
 * eb) when @text is NULL, not JSON, has no "transcodes" array, an entry
 * is not an integer > 0, the list is empty or longer than
 * OMKT_TPAYLOAD_MAX.
 */
int omkt_tpayload_parse(const char *text, int64_t **tids, size_t *n,
                        struct omkt_errbuf *eb);

#endif

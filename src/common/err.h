/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err - error codes and the caller-supplied error text buffer.
 *
 * Every function that can fail returns one of these codes.  The values are
 * stored in the database (jobs.error_code): never renumber or reuse them.
 * Human-readable detail goes into an optional struct omkt_errbuf; the first
 * writer wins so the most specific (lowest-level) reason is kept.
 */
#ifndef OMKT_COMMON_ERR_H
#define OMKT_COMMON_ERR_H

#include <stdbool.h>
#include <stddef.h>

enum omkt_err {
    OMKT_OK = 0,
    OMKT_ENOMEM = -1,
    OMKT_EINVAL = -2,
    OMKT_EIO = -3,
    OMKT_EDB = -4,
    OMKT_ENOTFOUND = -5,
    OMKT_ELOST = -6,     /* a job we held was taken away (lease, cancel) */
    OMKT_ESHUTDOWN = -7, /* interrupted by shutdown: release, don't fail */
    OMKT_EMEDIA = -8,
    OMKT_ENET = -9,
    OMKT_ECONF = -10,
    OMKT_ESCHEMA = -11,
    OMKT_ETOOBIG = -12,
    OMKT_EPERM = -13,
    OMKT_EEXIST = -14,
    OMKT_ENOSPC = -15,
    OMKT_ECANCELLED = -16,
    OMKT_EHTTP = -17,
    OMKT_ETIMEOUT = -18,
};

#define OMKT_ERRBUF_LEN 512

struct omkt_errbuf {
    char msg[OMKT_ERRBUF_LEN];
    bool is_set;
    bool retryable; /* a transient cause: retry later with backoff */
};

/* omkt_strerror - a short static name for @err ("invalid argument"). */
const char *omkt_strerror(int err);

/*
 * omkt_errf - record a printf-style reason in @eb unless one is already
 * recorded (first writer wins).  @eb may be NULL.  The text is cleaned
 * and cut by omkt_text_copy (text.h): valid UTF-8, whatever the
 * arguments held.
 */
void omkt_errf(struct omkt_errbuf *eb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* omkt_errbuf_clear - forget any recorded reason. */
void omkt_errbuf_clear(struct omkt_errbuf *eb);

/* omkt_errbuf_str - the recorded reason, or omkt_strerror(@err). */
const char *omkt_errbuf_str(const struct omkt_errbuf *eb, int err);

/* omkt_errno_str - thread-safe strerror(3) into a per-thread buffer. */
const char *omkt_errno_str(int errnum);

#endif

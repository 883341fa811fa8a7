/* SPDX-License-Identifier: GPL-2.0-or-later */
/* err - error names and the first-writer-wins error buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

const char *omkt_strerror(int err)
{
    switch ((enum omkt_err)err) {
    case OMKT_OK:
        return "success";
    case OMKT_ENOMEM:
        return "out of memory";
    case OMKT_EINVAL:
        return "invalid argument";
    case OMKT_EIO:
        return "input/output error";
    case OMKT_EDB:
        return "database error";
    case OMKT_ENOTFOUND:
        return "not found";
    case OMKT_ELOST:
        return "job lost (lease expired or cancelled)";
    case OMKT_ESHUTDOWN:
        return "interrupted by shutdown";
    case OMKT_EMEDIA:
        return "media error";
    case OMKT_ENET:
        return "network error";
    case OMKT_ECONF:
        return "configuration error";
    case OMKT_ESCHEMA:
        return "schema version mismatch";
    case OMKT_ETOOBIG:
        return "too large";
    case OMKT_EPERM:
        return "not permitted";
    case OMKT_EEXIST:
        return "already exists";
    case OMKT_ENOSPC:
        return "no space left";
    case OMKT_ECANCELLED:
        return "cancelled";
    case OMKT_EHTTP:
        return "HTTP error";
    case OMKT_ETIMEOUT:
        return "timed out";
    }
    return "unknown error";
}

void omkt_errf(struct omkt_errbuf *eb, const char *fmt, ...)
{
    char raw[2 * OMKT_ERRBUF_LEN];
    va_list ap;

    if (eb == NULL || eb->is_set)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    /* The reason is stored, logged and sent: valid UTF-8, never cut
     * inside a character (MariaDB refuses such a row). */
    (void)omkt_text_copy(eb->msg, sizeof(eb->msg), raw); /* cut: fine */
    eb->is_set = true;
}

void omkt_errbuf_clear(struct omkt_errbuf *eb)
{
    if (eb == NULL)
        return;
    eb->msg[0] = '\0';
    eb->is_set = false;
    eb->retryable = false;
}

const char *omkt_errbuf_str(const struct omkt_errbuf *eb, int err)
{
    if (eb != NULL && eb->is_set)
        return eb->msg;
    return omkt_strerror(err);
}

const char *omkt_errno_str(int errnum)
{
    static _Thread_local char buf[128];

    /* GNU strerror_r may return a static string instead of filling buf. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(errnum, buf, sizeof(buf));
#else
    if (strerror_r(errnum, buf, sizeof(buf)) != 0)
        snprintf(buf, sizeof(buf), "errno %d", errnum);
    return buf;
#endif
}

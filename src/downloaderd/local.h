/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * local - the "local" adapter: the CMS put the original on the shared
 * filesystem under the configured import directory and names it in the
 * media's url (an absolute path, a path relative to the import directory,
 * or a file:// URL).  Only non-empty regular files inside that directory
 * are taken: the name is opened beneath it in one openat2(2) call with
 * RESOLVE_BENEATH (symlinks that stay inside are followed; "..", absolute
 * symlinks and symlinks leading out are refused by the kernel), or, on
 * kernels without openat2, realpath(3) + a prefix check + O_NOFOLLOW.
 * They are copied, never linked or moved: the import directory belongs to
 * the CMS, which may rewrite or delete its files, and may be on another
 * filesystem.
 */
#ifndef OMKT_DOWNLOADERD_LOCAL_H
#define OMKT_DOWNLOADERD_LOCAL_H

#include <stdint.h>

#include "common/jobworker.h"

struct local_req {
    const char *import_dir; /* configured; NULL or "": adapter off */
    const char *name;       /* the media's url */
    const char *dst;        /* temp file to create (O_EXCL) */
    int64_t max_size;
    struct omkt_jobctx *ctx; /* stop flag, progress */
};

/*
 * local_import - copy the named file to rq->dst (fsynced).  *size gets its
 * length.  OMKT_EPERM (outside the import directory, not a regular file,
 * adapter off), OMKT_ENOTFOUND, OMKT_ETOOBIG, OMKT_EMEDIA (empty),
 * OMKT_EIO (eb->retryable), OMKT_ESHUTDOWN (stop).  rq->dst is removed on
 * failure.  @eb is required.
 */
int local_import(const struct local_req *rq, int64_t *size,
                 struct omkt_errbuf *eb);

#endif

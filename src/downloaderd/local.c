/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * local - import an original from the import directory (see local.h).
 *
 * DESIGN: the name is resolved with realpath(3), which follows every
 * symlink, and the result must lie strictly under the resolved import
 * directory; the file is then opened by that resolved name with
 * O_NOFOLLOW and must be a regular file.  XXX: a directory component
 * swapped for a symlink between realpath and open is not caught; the
 * import directory is written by the CMS, which is trusted that far.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "local.h"

#define COPY_CHUNK (1024 * 1024)

/* resolve - the real path of rq->name, which must be under import_dir. */
static int resolve(const struct local_req *rq, char *real, size_t size,
                   struct omkt_errbuf *eb)
{
    char root[PATH_MAX], joined[PATH_MAX];
    const char *name = rq->name;
    size_t len;

    if (rq->import_dir == NULL || *rq->import_dir == '\0') {
        omkt_errf(eb, "refused: the local adapter needs import_dir");
        return OMKT_EPERM;
    }
    if (strncmp(name, "file://", 7) == 0)
        name += 7;
    if (realpath(rq->import_dir, root) == NULL) {
        omkt_errf(eb, "import_dir %s: %s", rq->import_dir,
                  omkt_errno_str(errno));
        eb->retryable = true; /* the share may be remounting */
        return OMKT_EIO;
    }
    if (snprintf(joined, sizeof(joined), "%s%s%s", *name == '/' ? "" : root,
                 *name == '/' ? "" : "/", name) >= (int)sizeof(joined) ||
        size < PATH_MAX) {
        omkt_errf(eb, "refused: path too long");
        return OMKT_EPERM;
    }
    if (realpath(joined, real) == NULL) {
        omkt_errf(eb, "%s: %s", name, omkt_errno_str(errno));
        return errno == ENOENT ? OMKT_ENOTFOUND : OMKT_EPERM;
    }
    len = strlen(root);
    if (len == 1) /* import_dir is "/": everything is inside */
        len = 0;
    if (strncmp(real, root, len) != 0 || real[len] != '/') {
        omkt_errf(eb, "refused: %s is outside the import directory", name);
        return OMKT_EPERM;
    }
    return OMKT_OK;
}

/* open_source - open @real as a non-empty regular file within the cap. */
static int open_source(const char *real, int64_t max_size, int *fd,
                       int64_t *size, struct omkt_errbuf *eb)
{
    struct stat st;

    *fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (*fd < 0 || fstat(*fd, &st) != 0) {
        omkt_errf(eb, "open %s: %s", real, omkt_errno_str(errno));
        return OMKT_EPERM;
    }
    if (!S_ISREG(st.st_mode)) {
        omkt_errf(eb, "refused: %s is not a regular file", real);
        return OMKT_EPERM;
    }
    if (st.st_size > max_size) {
        omkt_errf(eb, "larger than max_size (%lld bytes)", (long long)max_size);
        return OMKT_ETOOBIG;
    }
    if (st.st_size == 0) {
        omkt_errf(eb, "empty file (0 bytes)");
        return OMKT_EMEDIA;
    }
    *size = st.st_size;
    return OMKT_OK;
}

/* io_error - a retryable I/O failure on @path. */
static int io_error(const char *path, struct omkt_errbuf *eb)
{
    omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
    eb->retryable = true;
    return OMKT_EIO;
}

/* copy_fd - @in to @out in chunks, polling the stop flag. */
static int copy_fd(int in, int out, const struct local_req *rq, int64_t size,
                   struct omkt_errbuf *eb)
{
    char *buf = omkt_xmalloc(COPY_CHUNK);
    int64_t done = 0;
    int ret = OMKT_OK;

    while (ret == OMKT_OK) {
        ssize_t n = read(in, buf, COPY_CHUNK);

        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (omkt_jobctx_should_stop(rq->ctx))
            ret = OMKT_ESHUTDOWN;
        else if (n < 0)
            ret = io_error(rq->name, eb);
        else if (write(out, buf, (size_t)n) != n)
            ret = io_error(rq->dst, eb);
        done += n > 0 ? n : 0;
        if (ret == OMKT_OK && done > rq->max_size) {
            omkt_errf(eb, "larger than max_size (grew while copied)");
            ret = OMKT_ETOOBIG;
        }
        omkt_jobctx_progress(rq->ctx, (int)(done * 100 / size));
    }
    free(buf);
    return ret;
}

int local_import(const struct local_req *rq, int64_t *size,
                 struct omkt_errbuf *eb)
{
    char real[PATH_MAX];
    int in = -1, out = -1;
    int64_t len = 0;
    int ret = resolve(rq, real, sizeof(real), eb);

    *size = 0;
    if (ret == OMKT_OK)
        ret = open_source(real, rq->max_size, &in, &len, eb);
    if (ret == OMKT_OK) {
        out = open(rq->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (out < 0)
            ret = io_error(rq->dst, eb);
    }
    if (ret == OMKT_OK)
        ret = copy_fd(in, out, rq, len, eb);
    if (ret == OMKT_OK && fsync(out) != 0)
        ret = io_error(rq->dst, eb);
    if (out >= 0 && close(out) != 0 && ret == OMKT_OK)
        ret = io_error(rq->dst, eb);
    if (out >= 0 && ret != OMKT_OK)
        unlink(rq->dst);
    if (in >= 0)
        close(in);
    if (ret == OMKT_OK)
        *size = len;
    return ret;
}

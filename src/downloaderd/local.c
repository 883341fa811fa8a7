/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * local - import an original from the import directory (see local.h).
 *
 * DESIGN: the name is opened relative to the import directory with
 * openat2(2) and RESOLVE_BENEATH, so the kernel refuses "..", absolute
 * symlinks and symlinks leading out while it resolves, in the same call
 * that opens: no component can be swapped for a symlink in between.
 * Symlinks that stay inside are followed.  An absolute name must start
 * with the import directory.  Kernels without openat2 (before 5.6, or a
 * seccomp filter answering ENOSYS) get the older check: realpath(3), the
 * result strictly under the import directory, then open with O_NOFOLLOW
 * (racy against a directory swapped in between).  The file must be a
 * non-empty regular file within max_size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/alloc.h"
#include "local.h"

#define COPY_CHUNK (1024 * 1024)

/* outside - the refusal of a name that leaves the import directory. */
static int outside(const char *name, struct omkt_errbuf *eb)
{
    omkt_errf(eb, "refused: %s is outside the import directory", name);
    return OMKT_EPERM;
}

/* relative - @name (no file://) relative to the import directory @dir
 * (as configured) or its resolved @root; NULL when it is elsewhere. */
static const char *relative(const char *name, const char *dir, const char *root)
{
    const char *bases[] = {dir, root};

    if (name[0] != '/')
        return name;
    for (size_t i = 0; i < OMKT_ARRAY_LEN(bases); i++) {
        size_t len = strlen(bases[i]);

        if (strcmp(bases[i], "/") == 0) /* everything is inside */
            return name[1] != '\0' ? name + 1 : NULL;
        while (len > 1 && bases[i][len - 1] == '/')
            len--;
        if (strncmp(name, bases[i], len) == 0 && name[len] == '/' &&
            name[len + 1] != '\0')
            return name + len + 1;
    }
    return NULL;
}

/* open_beneath - @rel under @root in one kernel call that never leaves
 * it; *is_missing (and *fd = -1) when the kernel has no openat2. */
static int open_beneath(const char *root, const char *rel, const char *name,
                        int *fd, bool *is_missing, struct omkt_errbuf *eb)
{
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int err;

    *fd = -1;
    if (dir < 0) {
        omkt_errf(eb, "import_dir %s: %s", root, omkt_errno_str(errno));
        eb->retryable = true;
        return OMKT_EIO;
    }
    *fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof(how));
    err = errno;
    close(dir);
    if (*fd >= 0)
        return OMKT_OK;
    *is_missing = err == ENOSYS;
    if (*is_missing)
        return OMKT_OK;
    if (err == EXDEV || err == ELOOP)
        return outside(name, eb);
    omkt_errf(eb, "%s: %s", name, omkt_errno_str(err));
    return err == ENOENT ? OMKT_ENOTFOUND : OMKT_EPERM;
}

/* resolve - the older check: the real path of @name under @root. */
static int resolve(const char *name, const char *root, char *real, size_t size,
                   struct omkt_errbuf *eb)
{
    char joined[PATH_MAX];
    size_t len;

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
    if (strncmp(real, root, len) != 0 || real[len] != '/')
        return outside(name, eb);
    return OMKT_OK;
}

/* open_input - rq->name opened inside the import directory, or why not. */
static int open_input(const struct local_req *rq, int *fd,
                      struct omkt_errbuf *eb)
{
    char root[PATH_MAX], real[PATH_MAX];
    const char *name = rq->name;
    const char *rel;
    bool is_missing = false;
    int ret;

    *fd = -1;
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
    rel = relative(name, rq->import_dir, root);
    if (rel == NULL)
        return outside(name, eb);
    ret = open_beneath(root, rel, name, fd, &is_missing, eb);
    if (ret != OMKT_OK || !is_missing)
        return ret;
    ret = resolve(name, root, real, sizeof(real), eb);
    if (ret != OMKT_OK)
        return ret;
    *fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (*fd >= 0)
        return OMKT_OK;
    omkt_errf(eb, "open %s: %s", real, omkt_errno_str(errno));
    return OMKT_EPERM;
}

/* check_source - @fd is a non-empty regular file within the cap. */
static int check_source(int fd, const char *real, int64_t max_size,
                        int64_t *size, struct omkt_errbuf *eb)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        omkt_errf(eb, "stat %s: %s", real, omkt_errno_str(errno));
        return OMKT_EIO;
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
    int in = -1, out = -1;
    int64_t len = 0;
    int ret = open_input(rq, &in, eb);

    *size = 0;
    if (ret == OMKT_OK)
        ret = check_source(in, rq->name, rq->max_size, &len, eb);
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

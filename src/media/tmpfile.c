/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpfile - temporary-name-then-rename publication of output files.  The
 * temporary file sits in the same directory as the final one so that the
 * rename is atomic on the shared filesystem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "media/tmpfile.h"

int omkt_errno_to_err(int errnum)
{
    switch (errnum) {
    case ENOSPC:
    case EDQUOT:
        return OMKT_ENOSPC;
    case EEXIST:
        return OMKT_EEXIST;
    case ENOENT:
        return OMKT_ENOTFOUND;
    default:
        return OMKT_EIO;
    }
}

int omkt_tmpfile_create(struct omkt_tmpfile *t, const char *dir,
                        const char *name, const char *tag,
                        struct omkt_errbuf *eb)
{
    int fd;
    int n1 = snprintf(t->name, sizeof(t->name), "%s", name);
    int n2 = snprintf(t->final, sizeof(t->final), "%s/%s", dir, name);
    int n3 = snprintf(t->tmp, sizeof(t->tmp), "%s/.%s.tmp-%s", dir, name, tag);

    t->has_tmp = false;
    if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof(t->name) ||
        (size_t)n2 >= sizeof(t->final) || (size_t)n3 >= sizeof(t->tmp)) {
        omkt_errf(eb, "path too long: %s/%s", dir, name);
        return OMKT_EINVAL;
    }
    fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              0640);
    if (fd < 0) {
        omkt_errf(eb, "create %s: %s", t->tmp, omkt_errno_str(errno));
        return omkt_errno_to_err(errno);
    }
    close(fd);
    t->has_tmp = true;
    return OMKT_OK;
}

int omkt_tmpfile_commit(struct omkt_tmpfile *t, struct omkt_errbuf *eb)
{
    int fd = open(t->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc;

    if (fd < 0) {
        omkt_errf(eb, "open %s: %s", t->tmp, omkt_errno_str(errno));
        return omkt_errno_to_err(errno);
    }
    rc = fsync(fd);
    if (rc != 0)
        omkt_errf(eb, "fsync %s: %s", t->tmp, omkt_errno_str(errno));
    close(fd);
    if (rc != 0)
        return omkt_errno_to_err(errno);
    if (rename(t->tmp, t->final) != 0) {
        omkt_errf(eb, "rename %s: %s", t->tmp, omkt_errno_str(errno));
        return omkt_errno_to_err(errno);
    }
    t->has_tmp = false;
    return OMKT_OK;
}

void omkt_tmpfile_discard(struct omkt_tmpfile *t)
{
    if (t->has_tmp)
        (void)unlink(t->tmp); /* best effort: the reaper cleans leftovers */
    t->has_tmp = false;
}

int omkt_dir_fsync(const char *dir, struct omkt_errbuf *eb)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ret = OMKT_OK;

    if (fd < 0 || fsync(fd) != 0) {
        omkt_errf(eb, "fsync %s: %s", dir, omkt_errno_str(errno));
        ret = omkt_errno_to_err(errno);
    }
    if (fd >= 0)
        close(fd);
    return ret;
}

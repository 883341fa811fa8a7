/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsops - temp names, atomic publication and cleanup on the doc root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsops.h"
#include "log.h"
#include "parse.h"
#include "path.h"

static char host_name[256];

const char *omkt_fs_hostname(void)
{
    if (host_name[0] == '\0' && gethostname(host_name, sizeof(host_name)) != 0)
        (void)omkt_strlcpy(host_name, "localhost", sizeof(host_name));
    host_name[sizeof(host_name) - 1] = '\0';
    return host_name;
}

void omkt_fs_set_hostname(const char *name)
{
    if (name != NULL && *name != '\0')
        (void)omkt_strlcpy(host_name, name, sizeof(host_name));
}

int omkt_fs_tmptag(char *buf, size_t size, int64_t job_id)
{
    int n = snprintf(buf, size, "%" PRId64 "-%s-%ld", job_id,
                     omkt_fs_hostname(), (long)getpid());

    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

int omkt_fs_tmpname(char *buf, size_t size, const char *dir, const char *name,
                    const char *tag)
{
    int n = snprintf(buf, size, "%s/.%s.tmp-%s", dir, name, tag);

    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

int omkt_fs_rename(const char *from, const char *to, struct omkt_errbuf *eb)
{
    struct stat st;
    int err;

    if (rename(from, to) == 0)
        return OMKT_OK;
    err = errno;
    if (access(from, F_OK) != 0 && errno == ENOENT && stat(to, &st) == 0) {
        omkt_log(OMKT_LOG_INFO, "rename %s: done by a retried call", to);
        return OMKT_OK;
    }
    omkt_errf(eb, "rename %s -> %s: %s", from, to, omkt_errno_str(err));
    return err == ENOSPC ? OMKT_ENOSPC : OMKT_EIO;
}

int omkt_fs_errno_err(int errnum)
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

int omkt_fs_tmpfile_create(struct omkt_fs_tmpfile *t, const char *dir,
                           const char *name, const char *tag,
                           struct omkt_errbuf *eb)
{
    t->fd = -1;
    t->has_tmp = false;
    if (!omkt_path_is_rel(name) || name[0] == '.' || strchr(name, '/')) {
        omkt_errf(eb, "bad output file name: %s", name);
        return OMKT_EINVAL;
    }
    if (omkt_strlcpy(t->name, name, sizeof(t->name)) != OMKT_OK ||
        omkt_path_join(t->final, sizeof(t->final), dir, name) != OMKT_OK ||
        omkt_fs_tmpname(t->tmp, sizeof(t->tmp), dir, name, tag) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s/%s", dir, name);
        return OMKT_ETOOBIG;
    }
    t->fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                 0640);
    if (t->fd < 0) {
        omkt_errf(eb, "create %s: %s", t->tmp, omkt_errno_str(errno));
        return omkt_fs_errno_err(errno);
    }
    t->has_tmp = true;
    return OMKT_OK;
}

int omkt_fs_tmpfile_commit(struct omkt_fs_tmpfile *t, struct omkt_errbuf *eb)
{
    int err = 0;
    int ret;

    if (t->fd >= 0 && fsync(t->fd) != 0)
        err = errno;
    if (t->fd >= 0 && close(t->fd) != 0 && err == 0)
        err = errno;
    t->fd = -1; /* closed even when close() fails */
    if (err != 0) {
        omkt_errf(eb, "fsync %s: %s", t->tmp, omkt_errno_str(err));
        return omkt_fs_errno_err(err);
    }
    ret = omkt_fs_rename(t->tmp, t->final, eb);
    if (ret == OMKT_OK)
        t->has_tmp = false; /* renamed: nothing left to remove */
    return ret;
}

void omkt_fs_tmpfile_discard(struct omkt_fs_tmpfile *t)
{
    if (!t->has_tmp) /* also a zeroed, never created @t: fd means nothing */
        return;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    (void)unlink(t->tmp); /* best effort: the reaper cleans leftovers */
    t->has_tmp = false;
}

/* copy_data - all of @in into @out in the kernel (no userspace buffer). */
static int copy_data(int in, int out)
{
    ssize_t n;
    bool is_plain = false; /* copy_file_range refused: use sendfile */

    for (;;) {
        n = is_plain ? sendfile(out, in, NULL, 1 << 30)
                     : copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (is_plain || (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
                         errno != EOPNOTSUPP))
            return -1;
        is_plain = true;
    }
}

/* copy_file - @src into a new file @tmp, fsynced. */
static int copy_file(const char *src, const char *tmp, struct omkt_errbuf *eb)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = -1;
    int err = 0;

    if (in >= 0)
        out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (in < 0 || out < 0 || copy_data(in, out) != 0 || fsync(out) != 0)
        err = errno;
    if (out >= 0 && close(out) != 0 && err == 0)
        err = errno;
    if (in >= 0)
        close(in);
    if (err == 0)
        return OMKT_OK;
    omkt_errf(eb, "copy %s -> %s: %s", src, tmp, omkt_errno_str(err));
    return err == ENOSPC || err == EDQUOT ? OMKT_ENOSPC : OMKT_EIO;
}

int omkt_fs_publish_copy(const char *src, const char *dst, const char *tag,
                         struct omkt_errbuf *eb)
{
    char dir[OMKT_PATH_MAX], tmp[OMKT_PATH_MAX];
    const char *slash = strrchr(dst, '/');
    int ret;

    if (slash == NULL || slash[1] == '\0' ||
        (size_t)(slash - dst) >= sizeof(dir)) {
        omkt_errf(eb, "destination %s: not an absolute file path", dst);
        return OMKT_EINVAL;
    }
    memcpy(dir, dst, (size_t)(slash - dst));
    dir[slash - dst] = '\0';
    ret = omkt_fs_mkdirs(dir, 0750, eb);
    if (ret == OMKT_OK)
        ret = omkt_fs_tmpname(tmp, sizeof(tmp), dir, slash + 1, tag);
    if (ret != OMKT_OK)
        return ret;
    (void)unlink(tmp); /* a stale one of this very job */
    if (link(src, tmp) != 0)
        ret = copy_file(src, tmp, eb);
    if (ret == OMKT_OK)
        ret = omkt_fs_rename(tmp, dst, eb);
    /* also after a successful rename: when @dst already was a link to
     * @src, rename(2) does nothing and leaves @tmp */
    (void)unlink(tmp);
    return ret == OMKT_OK ? omkt_fs_fsync_dir(dir, eb) : ret;
}

int omkt_fs_fsync_dir(const char *dir, struct omkt_errbuf *eb)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ret = OMKT_OK;

    if (fd < 0 || fsync(fd) != 0) {
        omkt_errf(eb, "fsync %s: %s", dir, omkt_errno_str(errno));
        ret = omkt_fs_errno_err(errno);
    }
    if (fd >= 0)
        close(fd);
    return ret;
}

int omkt_fs_mkdirs(const char *path, unsigned mode, struct omkt_errbuf *eb)
{
    char buf[OMKT_PATH_MAX];

    if (omkt_strlcpy(buf, path, sizeof(buf)) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", path);
        return OMKT_EINVAL;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            goto fail;
        *p = '/';
    }
    if (mkdir(buf, mode) == 0 || errno == EEXIST)
        return OMKT_OK;
fail:
    omkt_errf(eb, "mkdir %s: %s", buf, omkt_errno_str(errno));
    return errno == ENOSPC ? OMKT_ENOSPC : OMKT_EIO;
}

int omkt_fs_partname(char *buf, size_t size, const char *dir, const char *name,
                     int64_t job_id)
{
    int n = snprintf(buf, size, "%s/.%s.part-%" PRId64, dir, name, job_id);

    return (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
}

/* is_job_file - a temp file of the job (".NAME.tmp-JOBID-HOST-PID"), or
 * with @part set, one of its partials (".NAME.part-JOBID"). */
static bool is_job_file(const char *name, const char *tmp, const char *part)
{
    size_t len = strlen(name), plen = part ? strlen(part) : 0;

    if (name[0] != '.')
        return false;
    return strstr(name, tmp) != NULL ||
           (part != NULL && len > plen && strcmp(name + len - plen, part) == 0);
}

int omkt_fs_remove_job_tmp(const char *dir, int64_t job_id, bool with_partials,
                           unsigned *n)
{
    char tmp[48], part[48];
    char path[OMKT_PATH_MAX];
    struct dirent *de;
    DIR *dp = opendir(dir);

    *n = 0;
    if (dp == NULL)
        return errno == ENOENT ? OMKT_OK : OMKT_EIO;
    snprintf(tmp, sizeof(tmp), ".tmp-%" PRId64 "-", job_id);
    snprintf(part, sizeof(part), ".part-%" PRId64, job_id);
    for (de = readdir(dp); de != NULL; de = readdir(dp)) {
        if (!is_job_file(de->d_name, tmp, with_partials ? part : NULL))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
            (int)sizeof(path))
            continue;
        if (unlink(path) == 0 ||
            (errno == EISDIR && omkt_fs_remove_tree(path, NULL) == OMKT_OK))
            (*n)++;
    }
    closedir(dp);
    return OMKT_OK;
}

/* rm_entry - nftw callback: files, then (depth first) directories. */
static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
    return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int omkt_fs_remove_tree(const char *path, struct omkt_errbuf *eb)
{
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT)
        return OMKT_OK;
    omkt_errf(eb, "remove %s: %s", path, omkt_errno_str(errno));
    return OMKT_EIO;
}

/* sync_entry - nftw callback: fsync a file or (after its entries) a
 * directory. */
static int sync_entry(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    int fd;
    int rc;

    (void)st;
    (void)ftw;
    if (flag != FTW_F && flag != FTW_DP)
        return flag == FTW_SL ? 0 : -1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int omkt_fs_fsync_tree(const char *path, struct omkt_errbuf *eb)
{
    if (nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
        return OMKT_OK;
    omkt_errf(eb, "fsync %s: %s", path, omkt_errno_str(errno));
    return omkt_fs_errno_err(errno);
}

/* swap_dirs - put directory @tmp at @dst, which exists: exchanged in one
 * step where the filesystem can, else moved aside first.  The old tree
 * ends at @tmp. */
static int swap_dirs(const char *tmp, const char *dst, struct omkt_errbuf *eb)
{
    char old[OMKT_PATH_MAX];

    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_EXCHANGE) == 0)
        return OMKT_OK;
    if (errno != EINVAL && errno != ENOSYS) {
        omkt_errf(eb, "exchange %s: %s", dst, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    /* XXX: NFS has no RENAME_EXCHANGE: for a moment nothing is at @dst
     * (a reader gets 404, never a partial package). */
    if (snprintf(old, sizeof(old), "%s.old", tmp) >= (int)sizeof(old) ||
        rename(dst, old) != 0 || rename(tmp, dst) != 0 ||
        rename(old, tmp) != 0) {
        omkt_errf(eb, "replace %s: %s", dst, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    return OMKT_OK;
}

int omkt_fs_publish_dir(const char *tmp, const char *dst,
                        struct omkt_errbuf *eb)
{
    char parent[OMKT_PATH_MAX];
    char *slash;
    int ret = OMKT_OK;

    if (omkt_strlcpy(parent, dst, sizeof(parent)) != OMKT_OK ||
        (slash = strrchr(parent, '/')) == NULL) {
        omkt_errf(eb, "bad path: %s", dst);
        return OMKT_EINVAL;
    }
    *slash = '\0';
    if (rename(tmp, dst) != 0) {
        if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR) {
            omkt_errf(eb, "publish %s: %s", dst, omkt_errno_str(errno));
            return omkt_fs_errno_err(errno);
        }
        ret = swap_dirs(tmp, dst, eb);
        if (ret == OMKT_OK) /* the old package, now at @tmp */
            ret = omkt_fs_remove_tree(tmp, eb);
    }
    if (ret == OMKT_OK)
        ret = omkt_fs_fsync_dir(parent, eb);
    return ret;
}

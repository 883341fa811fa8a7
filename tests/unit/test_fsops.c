/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fsops - the temp-name-then-rename layer every writer on the shared
 * directory uses (the engine's outputs included): what is visible when,
 * the NFS-retried rename, errors mapped, nothing left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsops.h"
#include "omkt_test.h"

static char dir[512];

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static void test_commit(void)
{
    struct omkt_fs_tmpfile t;
    struct omkt_errbuf eb = {0};
    char buf[16] = "";
    int fd;

    OMKT_CHECK_INT(omkt_fs_tmpfile_create(&t, dir, "a.mp4", "7-h-1", &eb),
                   OMKT_OK, "create: %s", eb.msg);
    OMKT_CHECK(strstr(t.tmp, "/.a.mp4.tmp-7-h-1") != NULL, "temp name %s",
               t.tmp);
    OMKT_CHECK(exists(t.tmp) && !exists(t.final), "only the temp file");
    OMKT_CHECK(write(t.fd, "hello", 5) == 5, "write through t.fd");
    OMKT_CHECK_INT(omkt_fs_tmpfile_commit(&t, &eb), OMKT_OK, "commit: %s",
                   eb.msg);
    OMKT_CHECK(!exists(t.tmp) && exists(t.final), "renamed into place");
    fd = open(t.final, O_RDONLY);
    OMKT_CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 5 &&
                   memcmp(buf, "hello", 5) == 0,
               "content kept");
    if (fd >= 0)
        close(fd);
    omkt_fs_tmpfile_discard(&t); /* after commit: nothing to do */
    OMKT_CHECK(exists(t.final), "discard after commit keeps the file");
    OMKT_CHECK_INT(omkt_fs_fsync_dir(dir, &eb), OMKT_OK, "fsync dir");
}

/* A rename retried by the NFS client: done, but reported as failed. */
static void test_nfs_retried_rename(void)
{
    struct omkt_fs_tmpfile t;
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_fs_tmpfile_create(&t, dir, "b.mp4", "7-h-1", &eb),
                   OMKT_OK, "create");
    OMKT_CHECK(rename(t.tmp, t.final) == 0, "first (lost) rename");
    OMKT_CHECK_INT(omkt_fs_tmpfile_commit(&t, &eb), OMKT_OK,
                   "source gone, target there: success (%s)", eb.msg);
    OMKT_CHECK(!t.has_tmp, "nothing left to remove");
}

static void test_errors(void)
{
    static const char *bad[] = {"", ".hidden", "../x", "a/b", ".."};
    struct omkt_fs_tmpfile t, u;
    struct omkt_fs_tmpfile zero = {0};
    struct omkt_errbuf eb = {0};
    char longname[300];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        OMKT_CHECK_INT(omkt_fs_tmpfile_create(&t, dir, bad[i], "x", NULL),
                       OMKT_EINVAL, "name '%s' refused", bad[i]);
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    OMKT_CHECK_INT(omkt_fs_tmpfile_create(&t, dir, longname, "x", NULL),
                   OMKT_ETOOBIG, "a too long name is an error, not a cut");
    OMKT_CHECK_INT(omkt_fs_tmpfile_create(&t, dir, "c.mp4", "x", &eb), OMKT_OK,
                   "create c");
    OMKT_CHECK_INT(omkt_fs_tmpfile_create(&u, dir, "c.mp4", "x", NULL),
                   OMKT_EEXIST, "same temp name twice: EEXIST");
    omkt_fs_tmpfile_discard(&u); /* failed create: must not touch t's */
    OMKT_CHECK(exists(t.tmp), "a failed create leaves the other alone");
    omkt_fs_tmpfile_discard(&t);
    OMKT_CHECK(!exists(t.tmp) && !exists(t.final), "discard removes it");
    omkt_fs_tmpfile_discard(&zero); /* must not close fd 0 */
    OMKT_CHECK(fcntl(0, F_GETFD) != -1 || errno != EBADF,
               "a zeroed tmpfile's discard leaves fd 0 alone");
    OMKT_CHECK_INT(
        omkt_fs_tmpfile_create(&t, "/nonexistent/dir", "d", "x", NULL),
        OMKT_ENOTFOUND, "missing directory");
    OMKT_CHECK_INT(omkt_fs_errno_err(EDQUOT), OMKT_ENOSPC, "EDQUOT");
    OMKT_CHECK_INT(omkt_fs_errno_err(EACCES), OMKT_EIO, "EACCES");
}

int main(void)
{
    const char *base = getenv("OMKT_TMP");

    snprintf(dir, sizeof(dir), "%s/test_fsops.XXXXXX", base ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_commit();
    test_nfs_retried_rename();
    test_errors();
    return omkt_test_done();
}

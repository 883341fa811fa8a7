/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsops - files on the shared (NFS) document root.
 *
 * Writers never write in place: they write "dir/.NAME.tmp-TAG" where TAG is
 * "JOBID-HOST-PID", fsync, rename into place and fsync the directory.  A
 * reaper that takes a dead job back removes every "dir/.*.tmp-JOBID-*".
 */
#ifndef OMKT_COMMON_FSOPS_H
#define OMKT_COMMON_FSOPS_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "err.h"

#define OMKT_PATH_MAX 4096

/* omkt_fs_tmptag - "JOBID-HOST-PID" for this process and @job_id. */
int omkt_fs_tmptag(char *buf, size_t size, int64_t job_id);

/* omkt_fs_tmpname - "dir/.name.tmp-TAG". */
int omkt_fs_tmpname(char *buf, size_t size, const char *dir, const char *name,
                    const char *tag);

/*
 * omkt_fs_rename - rename(2) that treats "source gone, target present"
 * after a failed call as success (a retried NFS rename).
 */
int omkt_fs_rename(const char *from, const char *to, struct omkt_errbuf *eb);

/* omkt_fs_errno_err - @errnum as OMKT_ENOSPC (ENOSPC, EDQUOT), OMKT_EEXIST,
 * OMKT_ENOTFOUND (ENOENT) or OMKT_EIO. */
int omkt_fs_errno_err(int errnum);

/*
 * struct omkt_fs_tmpfile - a file written under its temporary name
 * (omkt_fs_tmpname) in its final directory and renamed into place only
 * once complete and fsync'd, so readers never see a partial file.
 */
struct omkt_fs_tmpfile {
    char name[256];            /* final name, relative to the directory */
    char tmp[OMKT_PATH_MAX];   /* dir/.name.tmp-tag */
    char final[OMKT_PATH_MAX]; /* dir/name */
    int fd;                    /* open for writing until commit; -1 */
    bool has_tmp;              /* the temporary file exists and is ours */
};

/*
 * omkt_fs_tmpfile_create - fill @t for @dir/@name and create its temporary
 * file exclusively (O_EXCL, O_NOFOLLOW); t->fd is open for writing.
 * @name is one path component.  OMKT_ETOOBIG when a path is too long,
 * OMKT_EINVAL for a bad name, OMKT_EEXIST/OMKT_EIO/OMKT_ENOSPC from
 * open(2).  Release with omkt_fs_tmpfile_commit() or _discard().
 */
int omkt_fs_tmpfile_create(struct omkt_fs_tmpfile *t, const char *dir,
                           const char *name, const char *tag,
                           struct omkt_errbuf *eb);

/*
 * omkt_fs_tmpfile_commit - fsync and close the temporary file and rename
 * it to its final name with omkt_fs_rename() (fsync the directory after
 * the last commit with omkt_fs_fsync_dir()).
 */
int omkt_fs_tmpfile_commit(struct omkt_fs_tmpfile *t, struct omkt_errbuf *eb);

/* omkt_fs_tmpfile_discard - close and remove the temporary file if it is
 * still there (harmless after a commit, a failed create or on a zeroed
 * @t). */
void omkt_fs_tmpfile_discard(struct omkt_fs_tmpfile *t);

/*
 * omkt_fs_publish_copy - make @dst (absolute; its directories are created)
 * a copy of the published file @src, atomically: a hard link (or, across
 * filesystems, a kernel-side copy, fsynced) under a temp name tagged @tag
 * in @dst's directory, renamed over @dst.  Outputs are never modified in
 * place, so sharing the inode is safe.  OMKT_EIO/OMKT_ENOSPC/OMKT_EINVAL
 * with the reason in @eb; nothing is left behind on failure.
 */
int omkt_fs_publish_copy(const char *src, const char *dst, const char *tag,
                         struct omkt_errbuf *eb);

/* omkt_fs_fsync_dir - make a rename in @dir durable. */
int omkt_fs_fsync_dir(const char *dir, struct omkt_errbuf *eb);

/* omkt_fs_mkdirs - mkdir -p with @mode. */
int omkt_fs_mkdirs(const char *path, unsigned mode, struct omkt_errbuf *eb);

/* omkt_fs_partname - "dir/.name.part-JOBID": a resumable partial file of
 * @job_id, kept across attempts (unlike temp names). */
int omkt_fs_partname(char *buf, size_t size, const char *dir, const char *name,
                     int64_t job_id);

/*
 * omkt_fs_remove_job_tmp - unlink every temp file of @job_id in @dir
 * (absolute), and its partial files too when @with_partials (the job
 * failed for good).  *n counts removals.  A missing directory is not an
 * error.
 */
int omkt_fs_remove_job_tmp(const char *dir, int64_t job_id, bool with_partials,
                           unsigned *n);

/* omkt_fs_hostname - this host's name as used in owners and temp tags. */
const char *omkt_fs_hostname(void);

/* omkt_fs_set_hostname - override (config common.host). */
void omkt_fs_set_hostname(const char *name);

/* omkt_fs_remove_tree - remove @path and everything under it (no
 * symlink followed); a missing @path is fine.  OMKT_EIO. */
int omkt_fs_remove_tree(const char *path, struct omkt_errbuf *eb);

/* omkt_fs_fsync_tree - fsync every file and directory under @path. */
int omkt_fs_fsync_tree(const char *path, struct omkt_errbuf *eb);

/*
 * omkt_fs_publish_dir - rename the finished directory @tmp (fsync'd, in
 * the same directory) to @dst, replacing a directory already there in
 * one step (RENAME_EXCHANGE; where the filesystem has none, it is moved
 * aside first), then remove the old one and fsync the parent.
 */
int omkt_fs_publish_dir(const char *tmp, const char *dst,
                        struct omkt_errbuf *eb);

#endif

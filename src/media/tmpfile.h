/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpfile - an output file written under a temporary name in its final
 * directory (".NAME.tmp-TAG") and renamed into place once complete and
 * fsync'd, so readers never see a partial file.  Internal to src/media.
 */
#ifndef OMKT_MEDIA_TMPFILE_H
#define OMKT_MEDIA_TMPFILE_H

#include <limits.h>
#include <stdbool.h>

#include "common/err.h"

struct omkt_tmpfile {
    char name[256];       /* final name, relative to the directory */
    char tmp[PATH_MAX];   /* dir/.name.tmp-tag */
    char final[PATH_MAX]; /* dir/name */
    bool has_tmp;         /* the temporary file exists and is ours */
};

/*
 * omkt_tmpfile_create - fill @t for @dir/@name and create the temporary
 * file exclusively (it must not exist).  OMKT_EINVAL when a path is too
 * long, OMKT_EEXIST/OMKT_EIO/OMKT_ENOSPC from open(2).
 */
int omkt_tmpfile_create(struct omkt_tmpfile *t, const char *dir,
                        const char *name, const char *tag,
                        struct omkt_errbuf *eb);

/*
 * omkt_tmpfile_commit - fsync the temporary file and rename it to its
 * final name (the directory is fsync'd by omkt_dir_fsync()).
 */
int omkt_tmpfile_commit(struct omkt_tmpfile *t, struct omkt_errbuf *eb);

/* omkt_tmpfile_discard - remove the temporary file if it is still there. */
void omkt_tmpfile_discard(struct omkt_tmpfile *t);

/* omkt_dir_fsync - fsync directory @dir (after renames). */
int omkt_dir_fsync(const char *dir, struct omkt_errbuf *eb);

/* omkt_errno_to_err - OMKT_ENOSPC, OMKT_EEXIST, OMKT_ENOTFOUND or OMKT_EIO. */
int omkt_errno_to_err(int errnum);

#endif

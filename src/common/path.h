/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path - the one path layer.  Paths in API requests and in the database
 * are relative to a root (the document root, an account's export
 * directory); this module joins them, refuses those that could leave
 * their root (absolute, "..", symlinks leading out) and never truncates.
 * No other code looks for ".." by hand (STYLE 6).
 */
#ifndef OMKT_COMMON_PATH_H
#define OMKT_COMMON_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * omkt_path_join - "@dir/@name" into @out of @size bytes, with exactly one
 * slash between them (@name may be empty: then @dir).  OMKT_ETOOBIG when
 * it does not fit (@out then holds "").
 */
int omkt_path_join(char *out, size_t size, const char *dir, const char *name);

/*
 * omkt_path_is_rel - @rel is a clean relative path naming something below
 * its root: not empty, not absolute, no empty, "." or ".." component (so
 * no "//" and no trailing "/"), no control bytes.  Lexical only.
 */
bool omkt_path_is_rel(const char *rel);

/*
 * omkt_path_under - @root/@rel into @out, when @rel passes
 * omkt_path_is_rel() and the part of it that exists does not leave @root
 * through a symlink (checked by the kernel with openat2 RESOLVE_BENEATH,
 * or by realpath(3) where openat2 is missing).  Returns OMKT_OK,
 * OMKT_EINVAL (not clean, or escapes), OMKT_ETOOBIG, or OMKT_EIO when
 * @root cannot be opened.
 */
int omkt_path_under(const char *root, const char *rel, char *out, size_t size);

#endif

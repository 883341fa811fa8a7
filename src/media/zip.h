/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zip - stored (uncompressed) zip archives of an output's files, written
 * with libzip, for app_get_media of multi-file settings (thumbnails).
 */
#ifndef OMKT_MEDIA_ZIP_H
#define OMKT_MEDIA_ZIP_H

#include <stddef.h>

#include "common/err.h"

/* Cap on the total size of the files put in one archive. */
#define OMKT_ZIP_MAX_BYTES (1024LL * 1024 * 1024)

/*
 * omkt_zip_files - write the files @names[0..@n) of directory @dir into a
 * stored zip at @zip_path (entries are named by their base names).  libzip
 * writes a temporary file next to @zip_path and renames it on success, so
 * readers never see a partial archive.  OMKT_EIO/OMKT_ENOTFOUND on file
 * errors, OMKT_EINVAL for a name with "/" or "..", OMKT_ETOOBIG past the
 * cap.
 */
int omkt_zip_files(const char *dir, const char *const *names, size_t n,
                   const char *zip_path, struct omkt_errbuf *eb);

/*
 * omkt_zip_files_mem - the same archive in memory: *buf is new (free()),
 * *len its size.
 */
int omkt_zip_files_mem(const char *dir, const char *const *names, size_t n,
                       void **buf, size_t *len, struct omkt_errbuf *eb);

#endif

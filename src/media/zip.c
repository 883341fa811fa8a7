/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zip - build stored zip archives with libzip (never by hand).  Entries
 * are added from files on disk; the archive goes to a path or to memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "common/path.h"
#include "media/zip.h"

/* add_files - every file as a stored entry of @za. */
static int add_files(zip_t *za, const char *dir, const char *const *names,
                     size_t n, struct omkt_errbuf *eb)
{
    char path[OMKT_PATH_MAX];
    long long total = 0;
    struct stat sb;

    for (size_t i = 0; i < n; i++) {
        zip_source_t *src;
        zip_int64_t idx;

        /* one clean component: the entry is named by it */
        if (!omkt_path_is_rel(names[i]) || strchr(names[i], '/') != NULL ||
            omkt_path_join(path, sizeof(path), dir, names[i]) != OMKT_OK) {
            omkt_errf(eb, "bad file name in archive: %s", names[i]);
            return OMKT_EINVAL;
        }
        if (stat(path, &sb) != 0) {
            omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
            return errno == ENOENT ? OMKT_ENOTFOUND : OMKT_EIO;
        }
        total += sb.st_size;
        if (total > OMKT_ZIP_MAX_BYTES) {
            omkt_errf(eb, "archive larger than %lld bytes", OMKT_ZIP_MAX_BYTES);
            return OMKT_ETOOBIG;
        }
        src = zip_source_file(za, path, 0, -1);
        idx = src ? zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            omkt_errf(eb, "zip %s: %s", names[i], zip_strerror(za));
            return OMKT_EIO;
        }
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    return OMKT_OK;
}

int omkt_zip_files(const char *dir, const char *const *names, size_t n,
                   const char *zip_path, struct omkt_errbuf *eb)
{
    int zerr = 0;
    zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    int ret = OMKT_EIO;

    if (za == NULL) {
        zip_error_t ze;

        zip_error_init_with_code(&ze, zerr);
        omkt_errf(eb, "zip %s: %s", zip_path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return OMKT_EIO;
    }
    ret = add_files(za, dir, names, n, eb);
    if (ret != OMKT_OK) {
        zip_discard(za);
        return ret;
    }
    if (zip_close(za) != 0) {
        omkt_errf(eb, "zip %s: %s", zip_path, zip_strerror(za));
        zip_discard(za);
        return OMKT_EIO;
    }
    return OMKT_OK;
}

/* read_all - the whole content of the (closed) buffer source @src. */
static int read_all(zip_source_t *src, void **buf, size_t *len,
                    struct omkt_errbuf *eb)
{
    zip_stat_t st;
    void *data;

    if (zip_source_open(src) != 0) {
        omkt_errf(eb, "zip: cannot reopen the archive buffer");
        return OMKT_EIO;
    }
    zip_stat_init(&st);
    if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        zip_source_close(src);
        omkt_errf(eb, "zip: archive size unknown");
        return OMKT_EIO;
    }
    data = omkt_xmalloc(st.size ? st.size : 1);
    if (zip_source_read(src, data, st.size) != (zip_int64_t)st.size) {
        free(data);
        zip_source_close(src);
        omkt_errf(eb, "zip: short read of the archive buffer");
        return OMKT_EIO;
    }
    zip_source_close(src);
    *buf = data;
    *len = st.size;
    return OMKT_OK;
}

int omkt_zip_files_mem(const char *dir, const char *const *names, size_t n,
                       void **buf, size_t *len, struct omkt_errbuf *eb)
{
    zip_error_t ze;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    int ret = OMKT_EIO;

    *buf = NULL;
    *len = 0;
    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (za == NULL) {
        omkt_errf(eb, "zip: %s", zip_error_strerror(&ze));
        goto out;
    }
    zip_source_keep(src); /* survive zip_close to be read back */
    ret = add_files(za, dir, names, n, eb);
    if (ret == OMKT_OK && zip_close(za) != 0) {
        omkt_errf(eb, "zip: %s", zip_strerror(za));
        ret = OMKT_EIO;
    }
    if (ret != OMKT_OK)
        goto out;
    za = NULL;
    ret = read_all(src, buf, len, eb);
out:
    if (za != NULL)
        zip_discard(za);
    zip_source_free(src);
    zip_error_fini(&ze);
    return ret;
}

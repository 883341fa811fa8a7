/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_metadata - libFuzzer target: an output's metadata JSON read back
 * from the database, as apid's app_get_media does for a multi-file
 * output (src/apid/files.c): its "files" list (strings, 1 to 64 of
 * them), and the stored zip of those files made by the media
 * engine (src/media/zip.c) from the output directory.
 *
 * Input: the metadata text (what transcoderd stores: the probe's fields
 * plus "cardinality" and "files").  The output directory is a temporary
 * one holding thumbnails as the engine names them (hNN.jpg and lNN.jpg as
 * the reference does; 101_NN.jpg and 101_NN_WxH.jpg before), made once.
 *
 * Oracles: ASan/UBSan and LeakSanitizer; a list with a name that is not
 * one plain component (a '/', "", "." or "..") is refused; a refusal has a
 * UTF-8 reason (it is logged); an archive that is made opens with libzip and
 * holds exactly the named files, stored, under their names.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "common/err.h"
#include "fuzz.h"
#include "media/zip.h"

#define NAMES_MAX 64 /* ZIP_MAX_FILES of files.c */

static char dir[64]; /* the output directory */

/* cleanup - remove the output directory at exit. */
static void cleanup(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        (void)unlink(path); /* best effort: a temp dir */
    }
    if (d != NULL)
        closedir(d);
    (void)rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const files[] = {"101_01.jpg",
                                        "101_02.jpg",
                                        "101_01_166x124.jpg",
                                        "101_02_166x124.jpg",
                                        "h01.jpg",
                                        "h02.jpg",
                                        "l01.jpg",
                                        "l02.jpg",
                                        "x"};
    char path[128];

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "/tmp/omkt-fuzz-meta.XXXXXX");
    FUZZ_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
    atexit(cleanup);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        f = fopen(path, "wb");
        FUZZ_ASSERT(f != NULL, "create a thumbnail");
        fprintf(f, "\xff\xd8\xff\xe0 thumbnail %zu \xff\xd9", i);
        fclose(f);
    }
    return 0;
}

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* check_zip - @buf holds exactly @names, stored. */
static void check_zip(void *buf, size_t len, const char *const *names, size_t n)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;

    zip_error_init(&ze);
    src = zip_source_buffer_create(buf, len, 0, &ze);
    FUZZ_ASSERT(src != NULL, "zip source");
    za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    FUZZ_ASSERT(za != NULL, "the archive made does not open");
    FUZZ_ASSERT(zip_get_num_entries(za, 0) == (zip_int64_t)n,
                "archive entry count is not the file count");
    for (size_t i = 0; i < n; i++) {
        zip_stat_t st;

        FUZZ_ASSERT(zip_stat_index(za, i, 0, &st) == 0, "zip stat");
        FUZZ_ASSERT(strcmp(st.name, names[i]) == 0, "entry named otherwise");
        FUZZ_ASSERT(st.comp_method == ZIP_CM_STORE, "entry not stored");
    }
    zip_close(za);
    zip_error_fini(&ze);
}

/* zip_list - the "files" of @md as app_get_media reads them. */
static void zip_list(json_t *md)
{
    json_t *files = json_object_get(md, "files");
    const char *names[NAMES_MAX];
    struct omkt_errbuf eb = {0};
    bool is_plain = true;
    void *buf = NULL;
    size_t n = 0, len = 0;
    json_t *it;
    size_t i;

    if (!json_is_array(files) || json_array_size(files) == 0 ||
        json_array_size(files) > NAMES_MAX)
        return;
    json_array_foreach(files, i, it)
    {
        if (!json_is_string(it))
            return;
        names[n++] = json_string_value(it);
        if (strchr(names[n - 1], '/') != NULL || names[n - 1][0] == '\0' ||
            strcmp(names[n - 1], ".") == 0 || strcmp(names[n - 1], "..") == 0)
            is_plain = false;
    }
    if (omkt_zip_files_mem(dir, names, n, &buf, &len, &eb) != OMKT_OK) {
        FUZZ_ASSERT(buf == NULL, "refused with an archive");
        FUZZ_ASSERT(eb.is_set && is_utf8(eb.msg), "refusal without UTF-8");
        return;
    }
    FUZZ_ASSERT(is_plain, "a name outside the output directory was zipped");
    check_zip(buf, len, names, n);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *md = json_loadb((const char *)data, size, 0, NULL);

    zip_list(md);
    json_decref(md);
    return 0;
}

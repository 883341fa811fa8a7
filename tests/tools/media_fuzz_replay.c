/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media_fuzz_replay - run the probe fuzz target over files (or every file
 * of directories) without libFuzzer, under the normal sanitizer build:
 * the fuzz corpus smoke test.  Exits 0 when every input ran.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../fuzz/fuzz_probe.c"

#define REPLAY_MAX_BYTES (4 * 1024 * 1024)

/* run_file - feed one file to the target; returns 0 or 1 (unreadable). */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0;
    int ret = 1;

    if (f == NULL)
        goto out;
    buf = malloc(REPLAY_MAX_BYTES);
    if (buf == NULL)
        goto out;
    n = fread(buf, 1, REPLAY_MAX_BYTES, f);
    if (ferror(f))
        goto out;
    LLVMFuzzerTestOneInput(buf, n);
    ret = 0;
out:
    if (f != NULL)
        fclose(f);
    free(buf);
    if (ret != 0)
        fprintf(stderr, "media_fuzz_replay: cannot read %s\n", path);
    return ret;
}

/* run_dir - every regular file of @dir. */
static int run_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    struct stat sb;
    int bad = 0;

    if (d == NULL)
        return 1;
    while ((e = readdir(d)) != NULL) {
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            bad |= run_file(path);
            (*count)++;
        }
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    struct stat sb;
    int count = 0;
    int bad = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            bad |= run_dir(argv[i], &count);
        } else {
            bad |= run_file(argv[i]);
            count++;
        }
    }
    printf("media_fuzz_replay: %d inputs\n", count);
    return bad;
}

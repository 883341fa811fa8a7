/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay - a plain main() for any harness fuzz/fuzz_<target>.c: runs
 * LLVMFuzzerTestOneInput once per file (or per regular file of each
 * directory argument, sorted), so the corpora replay under gcc with
 * ASan/UBSan where clang or libFuzzer is missing.  Prints the count;
 * exits 0 when every input ran, 1 when one could not be read (a broken
 * invariant aborts, as under libFuzzer).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES (4 * 1024 * 1024)

/* The harness may define LLVMFuzzerInitialize; weak so it need not. */
#pragma weak LLVMFuzzerInitialize

/* run_file - feed one file to the harness; 0, or 1 when unreadable. */
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
    if (getenv("FUZZ_REPLAY_VERBOSE") != NULL)
        fprintf(stderr, "replay: %s\n", path);
    LLVMFuzzerTestOneInput(buf, n);
    ret = 0;
out:
    if (f != NULL)
        fclose(f);
    free(buf);
    if (ret != 0)
        fprintf(stderr, "replay: cannot read %s\n", path);
    return ret;
}

/* run_dir - every regular file of @dir in name order. */
static int run_dir(const char *dir, int *count)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    char path[4096];
    struct stat sb;
    int bad = 0;

    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", dir);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

        if (len > 0 && (size_t)len < sizeof(path) && stat(path, &sb) == 0 &&
            S_ISREG(sb.st_mode)) {
            bad |= run_file(path);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    struct stat sb;
    int count = 0;
    int bad = 0;

    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            bad |= run_dir(argv[i], &count);
        } else {
            bad |= run_file(argv[i]);
            count++;
        }
    }
    printf("%s: %d inputs\n", argv[0], count);
    return bad;
}

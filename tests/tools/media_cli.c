/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media_cli - "media_cli probe ..." / "media_cli transcode ...": the
 * omktctl media subcommands without the rest of omktctl, for the media
 * tests and the benchmark.  Tools link only the libraries, so the
 * subcommands' source is compiled in here.
 *
 * OMKT_TEST_THREADS=N, when set, is "-j N" for a transcode that gives no
 * -j: the tests run codecs single-threaded (see tests/lsan.supp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "omktctl/cmd_media.c"

/* transcode - omktctl's transcode, "-j $OMKT_TEST_THREADS" first if set
 * and no -j is given. */
static int transcode(int argc, char **argv)
{
    const char *threads = getenv("OMKT_TEST_THREADS");
    char *args[64];

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-j") == 0)
            threads = NULL;
    if (threads == NULL || argc + 2 > (int)(sizeof(args) / sizeof(args[0])))
        return omktctl_cmd_transcode(argc, argv);
    args[0] = argv[0];
    args[1] = "-j";
    args[2] = (char *)threads;
    memcpy(args + 3, argv + 1, (size_t)(argc - 1) * sizeof(*argv));
    return omktctl_cmd_transcode(argc + 2, args);
}

int main(int argc, char **argv)
{
    const char *level = getenv("OMKT_LOG_LEVEL");

    if (level != NULL && omkt_log_level_parse(level) >= 0)
        omkt_log_threshold = omkt_log_level_parse(level);
    if (argc >= 2 && strcmp(argv[1], "probe") == 0)
        return omktctl_cmd_probe(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "transcode") == 0)
        return transcode(argc - 1, argv + 1);
    fprintf(stderr, "usage: media_cli probe|transcode ...\n");
    return 2;
}

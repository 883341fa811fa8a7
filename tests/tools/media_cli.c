/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media_cli - "media_cli probe ..." / "media_cli transcode ...": the
 * omktctl media subcommands without the rest of omktctl, for the media
 * tests and the benchmark.  Tools link only the libraries, so the
 * subcommands' source is compiled in here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "omktctl/cmd_media.c"

int main(int argc, char **argv)
{
    const char *level = getenv("OMKT_LOG_LEVEL");

    if (level != NULL && omkt_log_level_parse(level) >= 0)
        omkt_log_threshold = omkt_log_level_parse(level);
    if (argc >= 2 && strcmp(argv[1], "probe") == 0)
        return omktctl_cmd_probe(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "transcode") == 0)
        return omktctl_cmd_transcode(argc - 1, argv + 1);
    fprintf(stderr, "usage: media_cli probe|transcode ...\n");
    return 2;
}

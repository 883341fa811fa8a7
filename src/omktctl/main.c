/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omktctl - the administration command line: schema, accounts, jobs,
 * workers, draining hosts; and the media engine's probe and transcode,
 * which need neither a database nor a configuration file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/version.h"

#include "cmd_media.h"

#define DEFAULT_CONF "/etc/omkt/omkt.conf"

static const char usage_text[] =
    "usage: omktctl [-c FILE] COMMAND ...\n"
    "  -t                              check the configuration file\n"
    "  db init|upgrade|status          create or upgrade the schema\n"
    "  account add|list|disable|enable|key\n"
    "  jobs list|show|retry|cancel|enqueue\n"
    "  workers list [--all]            processes, heartbeat age, job\n"
    "  drain HOST [--undo]             stop claiming on HOST, then exit\n"
    "  probe FILE                      print the metadata JSON\n"
    "  transcode FILE OUTDIR ID...     produce settings (decoded once)\n"
    "  version\n";

struct command {
    const char *name;
    int (*fn)(struct cli *c, int argc, char **argv);
};

static const struct command commands[] = {
    {"db", cmd_db},           {"account", cmd_account}, {"jobs", cmd_jobs},
    {"workers", cmd_workers}, {"drain", cmd_drain},
};

int main(int argc, char **argv)
{
    struct cli c = {.conf_path = DEFAULT_CONF};
    int i = 1;

    if (argc > 2 && strcmp(argv[1], "-c") == 0) {
        c.conf_path = argv[2];
        i = 3;
    }
    if (i >= argc || strcmp(argv[i], "-h") == 0 ||
        strcmp(argv[i], "help") == 0) {
        fprintf(i >= argc ? stderr : stdout, "%s", usage_text);
        return i >= argc ? 2 : 0;
    }
    if (strcmp(argv[i], "-t") == 0) {
        if (cli_load(&c) != 0)
            return 2;
        fprintf(stderr, "omktctl: %s: configuration ok\n", c.conf_path);
        cli_close(&c);
        return 0;
    }
    if (strcmp(argv[i], "version") == 0 || strcmp(argv[i], "-V") == 0) {
        printf("omktctl %s\n", OMKT_VERSION);
        return 0;
    }
    if (strcmp(argv[i], "probe") == 0)
        return omktctl_cmd_probe(argc - i, argv + i);
    if (strcmp(argv[i], "transcode") == 0)
        return omktctl_cmd_transcode(argc - i, argv + i);
    for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
        if (strcmp(argv[i], commands[k].name) == 0)
            return commands[k].fn(&c, argc - i, argv + i);
    fprintf(stderr, "omktctl: unknown command '%s'\n%s", argv[i], usage_text);
    return 2;
}

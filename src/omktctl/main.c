/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omktctl - the administration command line: schema, accounts, jobs,
 * workers, hosts, draining, a live view; and the media engine's probe and
 * transcode, which need neither a database nor a configuration file.
 *
 * Global options (-c FILE, --config FILE, --json) may stand anywhere on
 * the line; `--help` or `-h` anywhere after a command prints that
 * command's usage and does nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/version.h"

#include "cmd_media.h"

#define DEFAULT_CONF "/etc/omkt/omkt.conf"

static const char usage_text[] =
    "usage: omktctl [-c FILE] [--json] COMMAND ...\n"
    "  -t                              check the configuration file\n"
    "  db init|upgrade|status          create or upgrade the schema\n"
    "  account add|list|disable|enable|key|client-key|url\n"
    "  jobs list|show|retry|cancel|enqueue|purge\n"
    "  workers list [--all]            processes, heartbeat age, job\n"
    "  hosts                           hosts seen, drained or not\n"
    "  drain HOST [--undo] [--force]   stop claiming on HOST, then exit\n"
    "  top [--once] [--interval S]     live view of queue and workers\n"
    "  probe FILE                      print the metadata JSON\n"
    "  transcode FILE OUTDIR ID...     produce settings (decoded once)\n"
    "  version\n"
    "`omktctl COMMAND --help` says more; --json prints listings as JSON.\n";

struct command {
    const char *name;
    int (*fn)(struct cli *c, int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    {"db", cmd_db, cmd_db_usage},
    {"account", cmd_account, cmd_account_usage},
    {"jobs", cmd_jobs, cmd_jobs_usage},
    {"workers", cmd_workers, cmd_workers_usage},
    {"drain", cmd_drain, cmd_drain_usage},
    {"hosts", cmd_hosts, cmd_hosts_usage},
    {"top", cmd_top, cmd_top_usage},
};

/* find - the command named @name, or NULL. */
static const struct command *find(const char *name)
{
    for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
        if (strcmp(name, commands[k].name) == 0)
            return &commands[k];
    return NULL;
}

/* globals - take -c FILE, --config FILE and --json out of argv (in
 * place); the new argc, or -1 when -c lacks its value. */
static int globals(struct cli *c, int argc, char **argv)
{
    int n = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
            if (++i >= argc)
                return -1;
            c->conf_path = argv[i];
        } else if (strcmp(argv[i], "--json") == 0) {
            c->is_json = true;
        } else {
            argv[n++] = argv[i];
        }
    }
    argv[n] = NULL;
    return n;
}

/* is_help - @s asks for help. */
static bool is_help(const char *s)
{
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 ||
           strcmp(s, "help") == 0;
}

/* help - usage of the command in argv[2] (`help CMD`) or of all. */
static int help(int argc, char **argv)
{
    const struct command *cmd = argc > 2 ? find(argv[2]) : NULL;

    printf("%s", cmd != NULL ? cmd->usage : usage_text);
    return 0;
}

/* builtin - -t, version, probe, transcode; -1 when @name is none. */
static int builtin(struct cli *c, int argc, char **argv)
{
    const char *name = argv[1];

    if (strcmp(name, "-t") == 0) {
        if (cli_load(c) != 0)
            return 2;
        fprintf(stderr, "omktctl: %s: configuration ok\n", c->conf_path);
        cli_close(c);
        return 0;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "-V") == 0 ||
        strcmp(name, "--version") == 0) {
        printf("omktctl %s\n", OMKT_VERSION);
        return 0;
    }
    if (strcmp(name, "probe") == 0)
        return omktctl_cmd_probe(argc - 1, argv + 1);
    if (strcmp(name, "transcode") == 0)
        return omktctl_cmd_transcode(argc - 1, argv + 1);
    return -1;
}

int main(int argc, char **argv)
{
    struct cli c = {.conf_path = DEFAULT_CONF};
    const struct command *cmd;
    int ret;

    argc = globals(&c, argc, argv);
    if (argc < 0) {
        fprintf(stderr, "omktctl: -c needs a file\n");
        return 2;
    }
    if (argc < 2) {
        fprintf(stderr, "%s", usage_text);
        return 2;
    }
    if (is_help(argv[1]))
        return help(argc, argv);
    cmd = find(argv[1]);
    for (int i = 2; cmd != NULL && i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("%s", cmd->usage);
            return 0;
        }
    if (cmd != NULL)
        return cmd->fn(&c, argc - 1, argv + 1);
    ret = builtin(&c, argc, argv);
    if (ret >= 0)
        return ret;
    fprintf(stderr, "omktctl: unknown command '%s'\n%s", argv[1], usage_text);
    return 2;
}

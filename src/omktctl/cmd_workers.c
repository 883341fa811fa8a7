/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_workers - `omktctl workers list`, `omktctl hosts` and `omktctl drain
 * HOST`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_procs.h"

const char cmd_workers_usage[] =
    "usage: omktctl workers list [--all] [--json]\n"
    "  running and draining processes (--all: stopped and dead ones too)\n"
    "  with their host, pid, role, heartbeat age and current job\n";

const char cmd_hosts_usage[] =
    "usage: omktctl hosts [--json]\n"
    "  every host a process has run on: processes running and draining,\n"
    "  whether it is drained, seconds since its last heartbeat\n";

const char cmd_drain_usage[] =
    "usage: omktctl drain HOST [--undo] [--force]\n"
    "  the processes on HOST finish their current job and exit; processes\n"
    "  started there later do not claim work until --undo.  HOST must be\n"
    "  one `omktctl hosts` lists (--force: drain a host not seen yet)\n";

int cmd_workers(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {"--all", NULL};
    static const char *const headers[] = {
        "id",          "host",    "pid", "role", "state", "heartbeat_age_s",
        "current_job", "started", NULL};
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    char *args[2];
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 ||
        cli_args(argc - 1, argv + 1, known, args, 2) != 1 ||
        strcmp(args[0], "list") != 0) {
        fprintf(stderr, "%s", cmd_workers_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_proc_list(c->db, cli_flag(argc, argv, "--all"), &r, &eb);
    return cli_finish(c, ret, r, &eb, headers);
}

int cmd_hosts(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {NULL};
    static const char *const headers[] = {
        "host", "running", "draining", "drained", "heartbeat_age_s", NULL};
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 ||
        cli_args(argc - 1, argv + 1, known, NULL, 0) != 0) {
        fprintf(stderr, "%s", cmd_hosts_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_host_list(c->db, &r, &eb);
    return cli_finish(c, ret, r, &eb, headers);
}

/* drain_host - (un)drain @host, refusing an unknown one unless @is_force. */
static int drain_host(struct cli *c, const char *host, bool is_undo,
                      bool is_force)
{
    struct omkt_errbuf eb = {0};
    bool is_known = false;
    unsigned n = 0;
    int ret = omkt_host_is_known(c->db, host, &is_known, &eb);

    if (ret == OMKT_OK && !is_known && !is_force) {
        fprintf(stderr,
                "omktctl: no process has run on host '%s' (`omktctl hosts` "
                "lists the hosts; --force drains it anyway)\n",
                host);
        return 1;
    }
    if (ret == OMKT_OK)
        ret = omkt_host_drain(c->db, host, !is_undo, &n, &eb);
    if (ret != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        return 1;
    }
    if (is_undo)
        printf("%s: undrained; new processes there claim work again\n", host);
    else
        printf("%s: draining %u process(es); they finish their current "
               "job and exit, and new ones there will not claim\n",
               host, n);
    return 0;
}

int cmd_drain(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {"--undo", "--force", NULL};
    char *host[1];
    int ret;

    if (cli_check_opts(argc, argv, known) != 0 ||
        cli_args(argc - 1, argv + 1, known, host, 1) != 1 ||
        host[0][0] == '-') {
        fprintf(stderr, "%s", cmd_drain_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = drain_host(c, host[0], cli_flag(argc, argv, "--undo"),
                     cli_flag(argc, argv, "--force"));
    cli_close(c);
    return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_workers - `omktctl workers list` and `omktctl drain HOST`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_procs.h"

int cmd_workers(struct cli *c, int argc, char **argv)
{
    static const char *const headers[] = {
        "id",          "host",    "pid", "role", "state", "heartbeat_age_s",
        "current_job", "started", NULL};
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    int ret;

    if (argc < 2 || strcmp(argv[1], "list") != 0 ||
        (argc > 2 && strcmp(argv[2], "--all") != 0)) {
        fprintf(stderr, "usage: omktctl workers list [--all]\n");
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_proc_list(c->db, argc > 2, &r, &eb);
    return cli_finish(c, ret, r, &eb, headers);
}

int cmd_drain(struct cli *c, int argc, char **argv)
{
    struct omkt_errbuf eb = {0};
    bool undo = argc == 3 && strcmp(argv[2], "--undo") == 0;
    unsigned n = 0;
    int ret;

    if (argc < 2 || argc > 3 || (argc == 3 && !undo)) {
        fprintf(stderr, "usage: omktctl drain HOST [--undo]\n");
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_host_drain(c->db, argv[1], !undo, &n, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else if (undo)
        printf("%s: undrained; new processes there claim work again\n",
               argv[1]);
    else
        printf("%s: draining %u process(es); they finish their current "
               "job and exit, and new ones there will not claim\n",
               argv[1], n);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

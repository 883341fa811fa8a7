/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_db - `omktctl db init|upgrade|status`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_schema.h"
#include "common/migrations.h"

/* status - the database's version against the programs'. */
static int status(struct cli *c)
{
    struct omkt_errbuf eb = {0};
    unsigned have = 0;

    if (omkt_schema_version(c->db, &have, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        return 1;
    }
    printf("schema version: %u\nprograms need: %u\n", have,
           omkt_schema_latest());
    for (unsigned i = 0; i < omkt_migrations_count; i++)
        printf("  %s %s\n",
               omkt_migrations[i].version <= have ? "applied" : "pending",
               omkt_migrations[i].name);
    if (have == omkt_schema_latest())
        return 0;
    printf("%s\n", have == 0 ? "not initialised: run `omktctl db init`"
                             : "run `omktctl db upgrade`");
    return 1;
}

int cmd_db(struct cli *c, int argc, char **argv)
{
    struct omkt_errbuf eb = {0};
    unsigned applied = 0;
    bool is_init;
    int ret;

    if (argc < 2 ||
        (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "upgrade") != 0 &&
         strcmp(argv[1], "status") != 0)) {
        fprintf(stderr, "usage: omktctl db init|upgrade|status\n");
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    if (strcmp(argv[1], "status") == 0) {
        ret = status(c);
        cli_close(c);
        return ret;
    }
    is_init = strcmp(argv[1], "init") == 0;
    ret = omkt_schema_migrate(c->db, is_init, &applied, &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else
        printf("schema at version %u (%u migration%s applied)\n",
               omkt_schema_latest(), applied, applied == 1 ? "" : "s");
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_db - `omktctl db init|upgrade|status`. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_schema.h"
#include "common/log.h"
#include "common/migrations.h"
#include "progress.h"

const char cmd_db_usage[] =
    "usage: omktctl db init       create the schema in an empty database\n"
    "       omktctl db upgrade    apply the pending migrations\n"
    "       omktctl db status [--json]\n"
    "                             the database's version against the "
    "programs'\n";

/* status_json - status as one JSON object. */
static void status_json(unsigned have)
{
    json_t *o = json_pack("{s:I, s:I, s:[]}", "schema_version",
                          (json_int_t)have, "programs_need",
                          (json_int_t)omkt_schema_latest(), "migrations");
    json_t *a = json_object_get(o, "migrations");

    for (unsigned i = 0; i < omkt_migrations_count; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "name", omkt_migrations[i].name, "state",
                         omkt_migrations[i].version <= have ? "applied"
                                                            : "pending"));
    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("\n");
    json_decref(o);
}

/* status - the database's version against the programs'. */
static int status(struct cli *c)
{
    struct omkt_errbuf eb = {0};
    unsigned have = 0;

    if (omkt_schema_version(c->db, &have, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        return 1;
    }
    if (c->is_json) {
        status_json(have);
        return have == omkt_schema_latest() ? 0 : 1;
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

/* The upgrade's bar: started at the first step (the total is known then). */
struct upgrade_bar {
    struct progress bar;
    bool is_json;
    bool is_started;
};

/* on_step - omkt_schema_step_fn for the bar. */
static void on_step(void *ctx, unsigned done, unsigned total, const char *name)
{
    struct upgrade_bar *u = ctx;

    (void)name; /* the bar has a fixed width; the log names each one */
    if (!u->is_started) {
        progress_start(&u->bar, "schema upgrade", total, u->is_json);
        u->is_started = true;
        if (u->bar.is_on) /* the bar says it: no log lines across it */
            omkt_log_threshold = OMKT_LOG_WARN;
    }
    progress_set(&u->bar, done);
}

/* migrate - init or upgrade, with a bar on a terminal; the exit code. */
static int migrate(struct cli *c, bool is_init)
{
    struct upgrade_bar u = {.is_json = c->is_json};
    struct omkt_schema_progress p = {.fn = on_step, .ctx = &u};
    struct omkt_errbuf eb = {0};
    unsigned applied = 0;
    int ret = omkt_schema_migrate(c->db, is_init, &p, &applied, &eb);

    if (u.is_started)
        progress_end(&u.bar);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else if (applied == 0)
        printf("schema at version %u: nothing to do (0 migrations "
               "applied)\n",
               omkt_schema_latest());
    else
        printf("schema at version %u (%u migration%s applied)\n",
               omkt_schema_latest(), applied, applied == 1 ? "" : "s");
    return ret == OMKT_OK ? 0 : 1;
}

int cmd_db(struct cli *c, int argc, char **argv)
{
    int ret;

    if (argc != 2 ||
        (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "upgrade") != 0 &&
         strcmp(argv[1], "status") != 0)) {
        fprintf(stderr, "%s", cmd_db_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    if (strcmp(argv[1], "status") == 0) {
        ret = status(c);
        cli_close(c);
        return ret;
    }
    ret = migrate(c, strcmp(argv[1], "init") == 0);
    cli_close(c);
    return ret;
}

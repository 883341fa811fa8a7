/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli - what omktctl's commands share: option lookup (options and
 * arguments in any order), the database connection from the config file,
 * and printing listings as tab-separated tables or, with --json, as JSON
 * arrays of objects.
 */
#ifndef OMKT_OMKTCTL_CLI_H
#define OMKT_OMKTCTL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/daemon.h"
#include "common/db.h"

struct cli {
    const char *conf_path;
    bool is_json; /* --json: listings as JSON */
    struct omkt_db_conf db_conf;
    struct omkt_common_conf common;
    struct omkt_db *db;
};

/* cli_opt - the value after "--name" in argv, or NULL. */
const char *cli_opt(int argc, char **argv, const char *name);
/* cli_flag - is "--name" present? */
bool cli_flag(int argc, char **argv, const char *name);
/* cli_check_opts - every "--x" in argv is in @known (NULL-terminated list of
 * "name" or "name=" for options taking a value); prints and returns 2. */
int cli_check_opts(int argc, char **argv, const char *const *known);

/*
 * cli_args - the arguments of argv that are not options (nor the values
 * of the options in @known, as for cli_check_opts), at most @max into
 * @out; returns how many there are (may exceed @max).
 */
int cli_args(int argc, char **argv, const char *const *known, char **out,
             int max);

/* cli_load - load the config ([db], [common]); prints errors.  0 or 1. */
int cli_load(struct cli *c);
/* cli_connect - load the config and connect; prints errors.  0 or 1. */
int cli_connect(struct cli *c);
void cli_close(struct cli *c);

/* cli_print - @res as a tab-separated table under @headers, or as a JSON
 * array of objects keyed by @headers when c->is_json (NULL is null, an
 * integer cell a number, anything else a string). */
void cli_print(const struct cli *c, const struct omkt_dbres *res,
               const char *const *headers);

/* cli_row_json - row @r of @res as an object keyed by @names (new), cells
 * typed as cli_print's. */
json_t *cli_row_json(const struct omkt_dbres *res, size_t r,
                     const char *const *names, size_t nnames);
/* cli_dump - @v (steals it) on stdout, one line of JSON. */
void cli_dump(json_t *v);

/* cli_print_row - row @row of @res as "name value" lines, or as one JSON
 * object when c->is_json. */
void cli_print_row(const struct cli *c, const struct omkt_dbres *res,
                   size_t row, const char *const *names, size_t nnames);

/*
 * cli_finish - end a command: print @res under @headers (or the error),
 * free @res (steals it), close the connection; the exit code.
 */
int cli_finish(struct cli *c, int ret, struct omkt_dbres *res,
               const struct omkt_errbuf *eb, const char *const *headers);

/* cli_id - parse a positive id argument; prints errors.  0 or 2. */
int cli_id(const char *s, int64_t *id);

int cmd_db(struct cli *c, int argc, char **argv);
int cmd_account(struct cli *c, int argc, char **argv);
int cmd_jobs(struct cli *c, int argc, char **argv);
int cmd_workers(struct cli *c, int argc, char **argv);
int cmd_drain(struct cli *c, int argc, char **argv);
int cmd_hosts(struct cli *c, int argc, char **argv);
int cmd_top(struct cli *c, int argc, char **argv);
/* cmd_bulk.c: `jobs retry --state S ...` and `jobs purge` (argv after
 * the verb). */
int cmd_bulk_retry(struct cli *c, int argc, char **argv);
int cmd_bulk_purge(struct cli *c, int argc, char **argv);

/* Each command's usage, printed by `omktctl CMD --help`. */
extern const char cmd_db_usage[], cmd_account_usage[], cmd_jobs_usage[],
    cmd_workers_usage[], cmd_drain_usage[], cmd_hosts_usage[], cmd_top_usage[];

#endif

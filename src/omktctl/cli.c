/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli - shared plumbing of omktctl's commands. */
#include <jansson.h>
#include <mysql.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/alloc.h"
#include "common/conf.h"
#include "common/parse.h"

const char *cli_opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

bool cli_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

/* known_opt - 0: unknown, 1: flag, 2: takes a value. */
static int known_opt(const char *arg, const char *const *known)
{
    size_t n = strlen(arg);

    for (size_t i = 0; known[i] != NULL; i++) {
        if (strncmp(known[i], arg, n) != 0)
            continue;
        if (known[i][n] == '\0')
            return 1;
        if (known[i][n] == '=' && known[i][n + 1] == '\0')
            return 2;
    }
    return 0;
}

int cli_check_opts(int argc, char **argv, const char *const *known)
{
    for (int i = 0; i < argc; i++) {
        int kind;

        if (strncmp(argv[i], "--", 2) != 0)
            continue;
        kind = known_opt(argv[i], known);
        if (kind == 0) {
            fprintf(stderr, "omktctl: unknown option %s\n", argv[i]);
            return 2;
        }
        if (kind == 2 && ++i >= argc) {
            fprintf(stderr, "omktctl: %s needs a value\n", argv[i - 1]);
            return 2;
        }
    }
    return 0;
}

int cli_args(int argc, char **argv, const char *const *known, char **out,
             int max)
{
    int n = 0;

    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            if (known_opt(argv[i], known) == 2)
                i++; /* its value */
            continue;
        }
        if (n < max)
            out[n] = argv[i];
        n++;
    }
    return n;
}

int cli_load(struct cli *c)
{
    struct omkt_conf_section secs[] = {
        {"db", omkt_db_conf_keys, omkt_db_conf_nkeys, &c->db_conf},
        {"common", omkt_common_conf_keys, omkt_common_conf_nkeys, &c->common},
    };
    struct omkt_errbuf eb = {0};

    if (omkt_conf_load(c->conf_path, secs, 2, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        omkt_conf_free(secs, 2);
        return 1;
    }
    return 0;
}

int cli_connect(struct cli *c)
{
    struct omkt_errbuf eb = {0};

    if (cli_load(c) != 0)
        return 1;
    mysql_library_init(0, NULL, NULL);
    if (omkt_db_open(&c->db_conf, &c->db, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        cli_close(c);
        return 1;
    }
    return 0;
}

void cli_close(struct cli *c)
{
    struct omkt_conf_section secs[] = {
        {"db", omkt_db_conf_keys, omkt_db_conf_nkeys, &c->db_conf},
        {"common", omkt_common_conf_keys, omkt_common_conf_nkeys, &c->common},
    };

    omkt_db_close(c->db);
    c->db = NULL;
    omkt_conf_free(secs, 2);
    mysql_library_end();
}

/* cell_json - cell (@r, @col) as a JSON value (new). */
static json_t *cell_json(const struct omkt_dbres *res, size_t r, size_t col)
{
    const char *s = omkt_dbres_str(res, r, col);
    int64_t v = 0;

    const char *d = s != NULL && s[0] == '-' ? s + 1 : s;

    if (s == NULL)
        return json_null();
    /* canonical integers only: "007", "+1" or "1e3" stay strings */
    if (d[0] >= '1' && d[0] <= '9' && strspn(d, "0123456789") == strlen(d) &&
        omkt_parse_i64(s, &v) == OMKT_OK)
        return json_integer((json_int_t)v);
    if (strcmp(s, "0") == 0)
        return json_integer(0);
    return json_string(s);
}

json_t *cli_row_json(const struct omkt_dbres *res, size_t r,
                     const char *const *names, size_t nnames)
{
    json_t *o = json_object();

    for (size_t col = 0; col < res->ncols && col < nnames; col++)
        json_object_set_new(o, names[col], cell_json(res, r, col));
    return o;
}

void cli_dump(json_t *v)
{
    json_dumpf(v, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("\n");
    json_decref(v);
}

void cli_print_row(const struct cli *c, const struct omkt_dbres *res,
                   size_t row, const char *const *names, size_t nnames)
{
    if (c->is_json) {
        cli_dump(cli_row_json(res, row, names, nnames));
        return;
    }
    for (size_t i = 0; i < res->ncols && i < nnames; i++) {
        const char *s = omkt_dbres_str(res, row, i);
        printf("%-13s %s\n", names[i], s ? s : "NULL");
    }
}

void cli_print(const struct cli *c, const struct omkt_dbres *res,
               const char *const *headers)
{
    size_t n = 0;

    while (headers[n] != NULL)
        n++;
    if (c->is_json) {
        json_t *a = json_array();

        for (size_t r = 0; r < res->nrows; r++)
            json_array_append_new(a, cli_row_json(res, r, headers, n));
        cli_dump(a);
        return;
    }
    for (size_t i = 0; headers[i] != NULL; i++)
        printf("%s%s", i ? "\t" : "", headers[i]);
    printf("\n");
    for (size_t r = 0; r < res->nrows; r++) {
        for (size_t col = 0; col < res->ncols; col++) {
            const char *s = omkt_dbres_str(res, r, col);
            printf("%s%s", col ? "\t" : "", s ? s : "NULL");
        }
        printf("\n");
    }
}

int cli_id(const char *s, int64_t *id)
{
    if (s == NULL || omkt_parse_i64(s, id) != OMKT_OK || *id <= 0) {
        fprintf(stderr, "omktctl: expected a positive id, got '%s'\n",
                s ? s : "");
        return 2;
    }
    return 0;
}

int cli_finish(struct cli *c, int ret, struct omkt_dbres *res,
               const struct omkt_errbuf *eb, const char *const *headers)
{
    if (ret == OMKT_OK && headers != NULL)
        cli_print(c, res, headers);
    else if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", omkt_errbuf_str(eb, ret));
    omkt_dbres_free(res);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

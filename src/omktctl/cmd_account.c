/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_account - `omktctl account add|list|disable|enable|key|client-key|
 * url|publish-to|cors`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/db_accounts.h"
#include "common/parse.h"

const char cmd_account_usage[] =
    "usage: omktctl account add --email E --url CALLBACK_URL "
    "[--client-key K] [--adapters http,...] [--rate N] [--admin]\n"
    "       omktctl account list [--json]\n"
    "       omktctl account disable|enable ID\n"
    "       omktctl account key ID          new API key (printed; the old "
    "one stops working)\n"
    "       omktctl account client-key ID [--client-key K]\n"
    "                                       new client key (app_key and "
    "callback\n"
    "                                       signing secret): K, or a random "
    "one\n"
    "       omktctl account url ID CALLBACK_URL\n"
    "       omktctl account publish-to ID s3://BUCKET/PREFIX/|\"\"\n"
    "                                       also publish the account's "
    "outputs\n"
    "                                       there (\"\": nowhere)\n"
    "       omktctl account cors ID \"https://a.example https://b.example\""
    "|\"*\"|\"\"\n"
    "                                       origins allowed to fetch its "
    "streams\n";

/* add - prints only the new API key on stdout. */
static int add(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {
        "--email=", "--url=", "--client-key=", "--adapters=", "--rate=",
        "--admin",  NULL};
    struct omkt_account_new an = {
        .email = cli_opt(argc, argv, "--email"),
        .url = cli_opt(argc, argv, "--url"),
        .client_key = cli_opt(argc, argv, "--client-key"),
        .adapters = cli_opt(argc, argv, "--adapters"),
        .is_admin = cli_flag(argc, argv, "--admin"),
    };
    const char *rate = cli_opt(argc, argv, "--rate");
    char key[OMKT_API_KEY_LEN + 1];
    struct omkt_errbuf eb = {0};
    int64_t id = 0;

    if (cli_check_opts(argc, argv, known) != 0)
        return 2;
    if (rate != NULL && omkt_parse_i64(rate, &an.rate_limit) != OMKT_OK) {
        fprintf(stderr, "omktctl: --rate: expected calls per minute\n");
        return 2;
    }
    if (an.email == NULL) {
        fprintf(stderr, "%s", cmd_account_usage);
        return 2;
    }
    if (cli_connect(c) != 0)
        return 1;
    if (omkt_account_add(c->db, &an, &id, key, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        cli_close(c);
        return 1;
    }
    printf("%s\n", key);
    fprintf(stderr, "account %lld created\n", (long long)id);
    cli_close(c);
    return 0;
}

static int list(struct cli *c)
{
    static const char *const headers[] = {"id",       "email",   "enabled",
                                          "admin",    "url",     "adapters",
                                          "rate/min", "created", NULL};
    struct omkt_errbuf eb = {0};
    struct omkt_dbres *r = NULL;
    int ret;

    if (cli_connect(c) != 0)
        return 1;
    ret = omkt_account_list(c->db, &r, &eb);
    return cli_finish(c, ret, r, &eb, headers);
}

/* set_client_key - @key (NULL: a random one) for @id; prints it. */
static int set_client_key(struct cli *c, int64_t id, const char *key,
                          struct omkt_errbuf *eb)
{
    char fresh[OMKT_API_KEY_LEN + 1];
    int ret = OMKT_OK;

    if (key == NULL) {
        ret = omkt_account_key_new(fresh, eb);
        key = fresh;
    }
    if (ret == OMKT_OK)
        ret = omkt_account_set_client_key(c->db, id, key, eb);
    if (ret == OMKT_OK)
        printf("%s\n", key);
    return ret;
}

/* change - disable, enable, rotate a key or set the URL of @id_s; @arg is
 * the URL or the client key given. */
static int change(struct cli *c, const char *verb, const char *id_s,
                  const char *arg)
{
    char key[OMKT_API_KEY_LEN + 1];
    struct omkt_errbuf eb = {0};
    int64_t id = 0;
    int ret;

    if (cli_id(id_s, &id) != 0)
        return 2;
    if (cli_connect(c) != 0)
        return 1;
    if (strcmp(verb, "key") == 0)
        ret = omkt_account_rotate_key(c->db, id, key, &eb);
    else if (strcmp(verb, "client-key") == 0)
        ret = set_client_key(c, id, arg, &eb);
    else if (strcmp(verb, "url") == 0)
        ret = omkt_account_set_url(c->db, id, arg, &eb);
    else if (strcmp(verb, "publish-to") == 0)
        ret = omkt_account_set_publish_to(c->db, id, arg, &eb);
    else if (strcmp(verb, "cors") == 0)
        ret = omkt_account_set_cors(c->db, id, arg, &eb);
    else
        ret = omkt_account_set_enabled(c->db, id, strcmp(verb, "enable") == 0,
                                       &eb);
    if (ret != OMKT_OK)
        fprintf(stderr, "omktctl: %s\n", eb.msg);
    else if (strcmp(verb, "key") == 0)
        printf("%s\n", key);
    cli_close(c);
    return ret == OMKT_OK ? 0 : 1;
}

int cmd_account(struct cli *c, int argc, char **argv)
{
    static const char *const known[] = {"--client-key=", NULL};
    char *a[4] = {NULL};
    int n;

    if (argc > 1 && strcmp(argv[1], "add") == 0)
        return add(c, argc - 2, argv + 2);
    if (cli_check_opts(argc, argv, known) != 0)
        return 2;
    n = cli_args(argc - 1, argv + 1, known, a, 4);
    if (n == 1 && strcmp(a[0], "list") == 0)
        return list(c);
    if (n == 2 && (strcmp(a[0], "disable") == 0 ||
                   strcmp(a[0], "enable") == 0 || strcmp(a[0], "key") == 0))
        return change(c, a[0], a[1], NULL);
    if (n == 2 && strcmp(a[0], "client-key") == 0)
        return change(c, a[0], a[1], cli_opt(argc, argv, "--client-key"));
    if (n == 3 &&
        (strcmp(a[0], "url") == 0 || strcmp(a[0], "publish-to") == 0 ||
         strcmp(a[0], "cors") == 0))
        return change(c, a[0], a[1], a[2]);
    fprintf(stderr, "%s", cmd_account_usage);
    return 2;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conftest - the cluster-wide part of `-t` (see conftest.h).
 *
 * DESIGN: the key tables of a program's own sections live with that
 * program (its main.c), and no program links another's.  So `apid -t`
 * checks [transcoderd] by running the transcoderd installed beside it
 * with -T (its own sections only, no database): one owner per table, and
 * the check is exactly what transcoderd will load at start.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conftest.h"
#include "db_schema.h"

/* The daemons of the cluster (omktctl reads only [db] and [common]). */
static const char *const programs[] = {
    "apid", "downloaderd", "metadatad", "transcoderd", "notifierd",
};

#define NPROGRAMS (sizeof(programs) / sizeof(*programs))

/* is_program - @name is one of the cluster's daemons. */
static bool is_program(const char *name)
{
    for (size_t i = 0; i < NPROGRAMS; i++)
        if (strcmp(programs[i], name) == 0)
            return true;
    return false;
}

/* self_dir - the directory of this executable into @dir. */
static int self_dir(char *dir, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", dir, len - 1);
    char *slash;

    if (n <= 0)
        return OMKT_EIO;
    dir[n] = '\0';
    slash = strrchr(dir, '/');
    if (slash == NULL)
        return OMKT_EIO;
    *slash = '\0';
    return OMKT_OK;
}

/* run_check - `@path -c @conf_path -T`; its exit status (-1: not run). */
static int run_check(const char *path, const char *conf_path)
{
    char *const argv[] = {(char *)path, "-c", (char *)conf_path, "-T", NULL};
    int status = 0;
    pid_t pid;

    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(path, argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int omkt_conftest_siblings(const char *self, const char *conf_path)
{
    char dir[PATH_MAX];
    char path[PATH_MAX + 32];
    int ret = OMKT_OK;

    if (!is_program(self)) /* a test tool: its own sections only */
        return OMKT_OK;
    if (self_dir(dir, sizeof(dir)) != OMKT_OK) {
        fprintf(stderr, "%s: cannot find the other programs: %s\n", self,
                omkt_errno_str(errno));
        return OMKT_ECONF;
    }
    for (size_t i = 0; i < NPROGRAMS; i++) {
        if (strcmp(programs[i], self) == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, programs[i]);
        if (access(path, X_OK) != 0) {
            fprintf(stderr, "%s: %s is not installed in %s: [%s] not checked\n",
                    self, programs[i], dir, programs[i]);
            continue;
        }
        if (run_check(path, conf_path) != 0)
            ret = OMKT_ECONF;
    }
    return ret;
}

int omkt_conftest_db(const char *self, const struct omkt_db_conf *conf)
{
    struct omkt_errbuf eb = {0};
    struct omkt_db *db = NULL;
    unsigned have = 0;
    int ret = omkt_db_open(conf, &db, &eb);

    if (ret != OMKT_OK) {
        fprintf(stderr, "%s: database: %s\n", self, eb.msg);
        return OMKT_EDB;
    }
    ret = omkt_schema_check(db, &eb);
    if (ret == OMKT_OK)
        ret = omkt_schema_version(db, &have, &eb);
    if (ret == OMKT_OK)
        fprintf(stderr,
                "%s: database: connected as %s to %s, schema version %u "
                "(what these programs speak)\n",
                self, conf->user ? conf->user : "",
                conf->name ? conf->name : "", have);
    else
        fprintf(stderr, "%s: database: %s\n", self, eb.msg);
    omkt_db_close(db);
    return ret == OMKT_OK || ret == OMKT_ESCHEMA ? ret : OMKT_EDB;
}

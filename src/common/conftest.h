/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conftest - what `PROGRAM -t` checks beyond the program's own sections:
 * the sections of every other program of the cluster (each program owns
 * its tables, so each checks its own: the installed siblings are run
 * with -T) and the database (the configured credentials, the schema
 * version).
 */
#ifndef OMKT_COMMON_CONFTEST_H
#define OMKT_COMMON_CONFTEST_H

#include "db.h"

/*
 * omkt_conftest_siblings - run `SIBLING -c @conf_path -T` for every other
 * daemon installed next to this executable; their errors go to stderr.
 * A sibling that is not installed is reported as not checked.  Returns
 * OMKT_OK when every one that ran accepted the file, else OMKT_ECONF.
 */
int omkt_conftest_siblings(const char *self, const char *conf_path);

/*
 * omkt_conftest_db - connect with @conf and check the schema version;
 * prints one line on stderr either way, prefixed by @self.  Returns
 * OMKT_OK, OMKT_EDB (cannot connect or query) or OMKT_ESCHEMA.
 */
int omkt_conftest_db(const char *self, const struct omkt_db_conf *conf);

#endif

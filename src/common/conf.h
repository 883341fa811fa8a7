/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf - the one configuration file: "key = value" lines under "[section]"
 * headers, '#' comments.  Each program declares the sections it reads as
 * tables of {key, type, default, min, max, required, target}; the loader
 * fills the targets, and rejects unknown keys, bad values and missing
 * required keys with "file:line: reason".  Sections that belong to other
 * programs are skipped (their own -t checks them), but a section name that
 * no program knows is an error.
 */
#ifndef OMKT_COMMON_CONF_H
#define OMKT_COMMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum omkt_conf_type {
    OMKT_CONF_STR,      /* char *, new (freed by omkt_conf_free) */
    OMKT_CONF_INT,      /* int64_t */
    OMKT_CONF_BOOL,     /* bool: yes/no, true/false, on/off, 1/0 */
    OMKT_CONF_DURATION, /* int64_t milliseconds: "300s", "100ms" */
    OMKT_CONF_SIZE,     /* int64_t bytes: "64M" */
};

struct omkt_conf_key {
    const char *name;
    enum omkt_conf_type type;
    const char *def; /* NULL: no default (empty string / 0) */
    int64_t min;     /* numeric bounds, inclusive; min > max: unbounded */
    int64_t max;
    bool is_required;
    bool is_secret; /* masked by omkt_conf_print */
    size_t offset;  /* of the target field in the section's struct */
};

struct omkt_conf_section {
    const char *name;
    const struct omkt_conf_key *keys;
    size_t nkeys;
    void *target; /* struct the offsets refer to; borrowed */
};

/*
 * omkt_conf_load - read @path into the targets of @secs.  Defaults are
 * applied first.  Returns OMKT_OK, OMKT_EIO (unreadable) or OMKT_ECONF
 * with "file:line: reason" in @eb.  On failure targets may be partly set:
 * call omkt_conf_free() anyway.
 */
int omkt_conf_load(const char *path, const struct omkt_conf_section *secs,
                   size_t n, struct omkt_errbuf *eb);

/* omkt_conf_defaults - apply only the defaults (no file). */
int omkt_conf_defaults(const struct omkt_conf_section *secs, size_t n,
                       struct omkt_errbuf *eb);

/* omkt_conf_print - the effective configuration, secrets masked. */
void omkt_conf_print(FILE *out, const struct omkt_conf_section *secs, size_t n);

/* omkt_conf_free - release the strings the loader stored in the targets. */
void omkt_conf_free(const struct omkt_conf_section *secs, size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress - a progress bar for omktctl's long operations (schema
 * upgrade, bulk retry, purge): "WHAT [#####-----]  42%  420/1000  ETA
 * 0:12" redrawn in place on stderr.  Only on a terminal: with stderr a
 * pipe or a file, or with --json, nothing is drawn (scripts see only
 * the final line on stdout).
 */
#ifndef OMKT_OMKTCTL_PROGRESS_H
#define OMKT_OMKTCTL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool is_on;
    const char *what; /* borrowed until progress_end */
    int64_t total;
    int64_t done;
    int64_t t0_ms;
    int64_t drawn_ms; /* when last drawn; redrawn at most 10 times a second */
};

/* progress_start - a bar for @total items when stderr is a terminal and
 * @is_json is false; otherwise every call below does nothing. */
void progress_start(struct progress *p, const char *what, int64_t total,
                    bool is_json);

/* progress_set - @done of the total are done (redrawn when due). */
void progress_set(struct progress *p, int64_t done);

/* progress_end - draw the last state and end the line. */
void progress_end(struct progress *p);

#endif

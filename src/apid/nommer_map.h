/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nommer_map - media-nommer's FFmpegNommer job_options (passes of
 * infile_options/outfile_options pairs, ffmpeg command-line options) mapped
 * onto the engine: the nearest catalogue setting, plus a site-setting JSON
 * object (docs/media.md) carrying the options the client gave.  Only a
 * whitelist of options is accepted, each value checked against its own
 * syntax; nothing here ever reaches a shell or a command line.
 */
#ifndef OMKT_APID_NOMMER_MAP_H
#define OMKT_APID_NOMMER_MAP_H

#include <jansson.h>
#include <stddef.h>

/*
 * nommer_map - map @job_options (borrowed: a JSON string, an object with
 * "options", one pass object or an array of passes).  On success returns
 * NULL, *base is the catalogue setting and *setting a new object; else
 * the reason is written to @msg and returned.
 */
const char *nommer_map(json_t *job_options, int *base, json_t **setting,
                       char *msg, size_t size);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * catalogue - what app_get_settings and app_subscribe tell an OMKT client
 * about the settings: the reference's catalogue (octopuce/omk-server,
 * modules/api/libs/settings.php), field for field, as static data.  The
 * engine's own description of each setting (media/settings.c) is what
 * it runs and what the REST API shows; this table is what the OMKT
 * protocol promises (PROTOCOL.md section 1, app_get_settings), so the
 * original clients see the slugs, names, sizes and types they were
 * written for (their settings strategy requests only settings whose
 * type is the media's: the reference says "video" for all 28 ids).
 * Never any command line.
 */
#ifndef OMKT_APID_CATALOGUE_H
#define OMKT_APID_CATALOGUE_H

#include <jansson.h>

/*
 * catalogue_json - the catalogue as the reference sends it: an object
 * keyed by setting id, each entry {"id","type","slug","name",
 * "technical","extension",["recommend":"1"],"size_43","size_169",
 * "cardinality"}, every value a string.  The 28 reference ids come
 * first, then the site settings (ids above 1000) with their own
 * descriptions.  New reference.
 */
json_t *catalogue_json(void);

#endif

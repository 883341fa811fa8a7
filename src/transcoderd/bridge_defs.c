/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_defs - the job message's setting definitions (see bridge_defs.h).
 *
 * DESIGN: the site settings are read again from the file transcoderd
 * loaded (omkt_settings_load_file checked it: a bad file stops the
 * daemon before this runs), kept as {"<id>": definition}, and never
 * changed after start-up; each job gets deep copies, so threads share
 * no reference counts.
 */
#include <stdio.h>

#include "bridge_defs.h"
#include "common/cloudmsg.h"

static json_t *site; /* {"<id>": definition}, or NULL */

int bridge_defs_load(const char *path, struct omkt_errbuf *eb)
{
    json_error_t jerr;
    json_t *root, *arr, *v;
    size_t i;

    bridge_defs_free();
    if (path == NULL || *path == '\0')
        return OMKT_OK;
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        omkt_errf(eb, "%s: %s", path, jerr.text);
        return OMKT_EIO;
    }
    arr = json_object_get(root, "settings");
    site = json_object();
    json_array_foreach(arr, i, v)
    {
        json_t *id = json_object_get(v, "id");
        char key[24];

        if (!json_is_integer(id))
            continue; /* refused by omkt_settings_load_file already */
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
        json_object_set_new(site, key, omkt_cloudmsg_def_new(v));
    }
    json_decref(root);
    return OMKT_OK;
}

void bridge_defs_free(void)
{
    json_decref(site);
    site = NULL;
}

/* own_def - a media-nommer job's setting (its job_options), new. */
static json_t *own_def(const char *job_options)
{
    json_t *o = json_loads(job_options, 0, NULL);
    json_t *def = omkt_cloudmsg_def_new(o);

    json_decref(o);
    return def;
}

json_t *bridge_defs_for(const struct tjob_work *w)
{
    json_t *own = NULL, *defs = json_object();

    if (w->media->job_options != NULL)
        own = own_def(w->media->job_options);
    for (size_t i = 0; defs != NULL && i < w->n; i++) {
        char key[16];
        json_t *def;

        snprintf(key, sizeof(key), "%d", w->ids[i]);
        def = own != NULL ? own : json_object_get(site, key);
        if (def != NULL)
            json_object_set_new(defs, key, json_deep_copy(def));
    }
    json_decref(own);
    if (json_object_size(defs) == 0) {
        json_decref(defs);
        defs = NULL;
    }
    return defs;
}

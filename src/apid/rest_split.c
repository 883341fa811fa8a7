/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_split - the REST "split" object (see rest_split.h). */
#include <string.h>

#include "apid/rest_split.h"

/* running_json - the running segments of @f, by segment. */
static json_t *running_json(const struct omkt_segview_family *f)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < f->nkids; i++) {
        const struct omkt_segview_child *k = &f->kids[i];

        if (k->seg < 0 || k->state == NULL || strcmp(k->state, "running") != 0)
            continue;
        json_array_append_new(arr, json_pack("{s:i, s:s?, s:i}", "segment",
                                             k->seg, "host", k->host,
                                             "progress", k->progress));
    }
    return arr;
}

json_t *rest_split_json(const struct omkt_segview_family *f)
{
    struct omkt_segview_tally t;

    omkt_segview_tally(f, &t);
    return json_pack("{s:I, s:s?, s:i, s:I, s:I, s:o, s:I, s:I, s:I, s:s}",
                     "job", (json_int_t)f->parent_id, "state", f->state,
                     "progress", f->progress, "segments",
                     (json_int_t)t.segments, "done", (json_int_t)t.done,
                     "running", running_json(f), "queued", (json_int_t)t.queued,
                     "failed", (json_int_t)t.failed, "cancelled",
                     (json_int_t)t.cancelled, "audio", t.audio);
}

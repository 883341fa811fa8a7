/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobsplit - a split job's children for `omktctl jobs show` (jobsplit.h). */
#include <inttypes.h>
#include <stdio.h>

#include "common/db_segview.h"
#include "jobsplit.h"

/* child_json - child @k as {"segment" (-1: the audio), "job", "state",
 * "attempts", "progress", "frames", "host"}. */
static json_t *child_json(const struct omkt_segview_child *k)
{
    return json_pack("{s:i, s:I, s:s?, s:i, s:i, s:I, s:s?}", "segment", k->seg,
                     "job", (json_int_t)k->job_id, "state", k->state,
                     "attempts", k->attempts, "progress", k->progress, "frames",
                     (json_int_t)k->frames, "host", k->host);
}

/* family_json - @f's tally and children. */
static json_t *family_json(const struct omkt_segview_family *f)
{
    struct omkt_segview_tally t;
    json_t *kids = json_array();

    omkt_segview_tally(f, &t);
    for (size_t i = 0; i < f->nkids; i++)
        json_array_append_new(kids, child_json(&f->kids[i]));
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "segments",
                     (json_int_t)t.segments, "done", (json_int_t)t.done,
                     "running", (json_int_t)t.running, "queued",
                     (json_int_t)t.queued, "failed", (json_int_t)t.failed,
                     "cancelled", (json_int_t)t.cancelled, "audio", t.audio,
                     "children", kids);
}

/* print_family - @f as a summary line and a table of its children. */
static void print_family(const struct omkt_segview_family *f)
{
    struct omkt_segview_tally t;

    omkt_segview_tally(f, &t);
    printf("%-13s %zu segments%s: %zu done, %zu running, %zu queued, "
           "%zu failed, %zu cancelled; audio %s\n",
           "split", t.segments, f->nkids > t.segments ? " + audio" : "", t.done,
           t.running, t.queued, t.failed, t.cancelled, t.audio);
    printf("  %-8s %-10s %-10s %-8s %-8s %-8s %s\n", "segment", "job", "state",
           "attempts", "progress", "frames", "host");
    for (size_t i = 0; i < f->nkids; i++) {
        const struct omkt_segview_child *k = &f->kids[i];
        char seg[16], frames[24];

        snprintf(seg, sizeof(seg), k->seg < 0 ? "audio" : "%d", k->seg);
        snprintf(frames, sizeof(frames), k->frames > 0 ? "%" PRId64 : "-",
                 k->frames);
        printf("  %-8s %-10" PRId64 " %-10s %-8d %-8d %-8s %s\n", seg,
               k->job_id, k->state ? k->state : "-", k->attempts, k->progress,
               frames, k->host ? k->host : "-");
    }
}

int jobsplit_show(const struct cli *c, int64_t job_id, int64_t media_id,
                  json_t *obj)
{
    struct omkt_segview v = {0};
    struct omkt_errbuf eb = {0};

    if (media_id <= 0)
        return 0;
    if (omkt_segview_media(c->db, media_id, &v, &eb) != OMKT_OK) {
        fprintf(stderr, "omktctl: %s\n", eb.msg);
        return 1;
    }
    for (size_t i = 0; i < v.n; i++) {
        if (v.fams[i].parent_id != job_id)
            continue;
        if (obj != NULL)
            json_object_set_new(obj, "split", family_json(&v.fams[i]));
        else
            print_family(&v.fams[i]);
    }
    omkt_segview_clear(&v);
    return 0;
}

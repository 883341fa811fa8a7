/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dash_split - the dashboard's split transcodes (see dash_split.h). */
#include <inttypes.h>
#include <string.h>

#include "apid/dash_split.h"
#include "common/db_segview.h"

/* Families shown at most (the newest). */
#define SPLIT_MAX 20

/* is_seen - child @k of @f runs on a host already named before it. */
static bool is_seen(const struct omkt_segview_family *f, size_t k)
{
    const char *h = f->kids[k].host;

    for (size_t i = 0; i < k; i++)
        if (f->kids[i].seg >= 0 && f->kids[i].state != NULL &&
            strcmp(f->kids[i].state, "running") == 0 &&
            (f->kids[i].host == h || (h != NULL && f->kids[i].host != NULL &&
                                      strcmp(f->kids[i].host, h) == 0)))
            return true;
    return false;
}

/* hosts - ", N running on A, B" (distinct hosts, escaped). */
static void hosts(const struct omkt_segview_family *f, size_t n, struct sbuf *b)
{
    const char *sep = " on ";

    sbuf_printf(b, ", %zu running", n);
    for (size_t k = 0; k < f->nkids; k++) {
        if (f->kids[k].seg < 0 || f->kids[k].state == NULL ||
            strcmp(f->kids[k].state, "running") != 0 || is_seen(f, k))
            continue;
        sbuf_printf(b, "%s", sep);
        sbuf_html(b, f->kids[k].host != NULL ? f->kids[k].host : "?");
        sep = ", ";
    }
}

/* join_note - what the split job itself is doing once it is queued or
 * running again (to join the segments). */
static const char *join_note(const struct omkt_segview_family *f)
{
    if (strcmp(f->state, "running") == 0)
        return ", joining";
    if (strcmp(f->state, "queued") == 0 || strcmp(f->state, "delayed") == 0)
        return ", join queued";
    return "";
}

/* line - "setting S: segments d/N done, ..." of setting @setting. */
static void line(const struct omkt_segview_family *f, int setting, int64_t tid,
                 struct sbuf *b)
{
    struct omkt_segview_tally t;

    omkt_segview_tally(f, &t);
    if (setting > 0)
        sbuf_printf(b, "setting %d", setting);
    else
        sbuf_printf(b, "transcode %" PRId64, tid);
    sbuf_printf(b, ": segments %zu/%zu done", t.done, t.segments);
    if (t.running > 0)
        hosts(f, t.running, b);
    if (t.queued > 0)
        sbuf_printf(b, ", %zu queued", t.queued);
    if (t.failed > 0)
        sbuf_printf(b, ", %zu failed", t.failed);
    if (t.cancelled > 0)
        sbuf_printf(b, ", %zu cancelled", t.cancelled);
    if (strcmp(t.audio, "none") == 0)
        sbuf_printf(b, ", no audio");
    else
        sbuf_printf(b, ", audio %s", t.audio);
    sbuf_printf(b, "%s", join_note(f));
}

/* family - one row per transcode that @f makes. */
static void family(const struct omkt_segview_family *f, struct sbuf *b)
{
    for (size_t k = 0; k < f->ntids; k++) {
        sbuf_printf(b,
                    "<tr id=\"split-%" PRId64 "-%d\"><td>%" PRId64
                    "<td>%" PRId64 "<td class=n>%d%%<td>",
                    f->parent_id, f->settings[k], f->media_id, f->parent_id,
                    f->progress);
        line(f, f->settings[k], f->tids[k], b);
        sbuf_printf(b, "</tr>");
    }
}

void dash_split(struct omkt_db *db, struct sbuf *b)
{
    struct omkt_segview v = {0};

    sbuf_printf(b, "<section id=split><h2>Split transcodes</h2><table><tr>"
                   "<th>media<th>job<th>progress<th>segments</tr>");
    if (omkt_segview_active(db, SPLIT_MAX, &v, NULL) == OMKT_OK) {
        for (size_t i = v.n; i-- > 0;)
            family(&v.fams[i], b);
        if (v.n == 0)
            sbuf_printf(b, "<tr><td colspan=4 class=z>none</tr>");
    }
    omkt_segview_clear(&v);
    sbuf_printf(b, "</table></section>");
}

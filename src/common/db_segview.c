/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_segview - read-only views of split transcodes (see db_segview.h). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_jobstats.h"
#include "db_segview.h"
#include "tpayload.h"

_Static_assert(OMKT_SEGVIEW_NSTATES == OMKT_JOBSTATS_NSTATES - 1,
               "a child is never waiting, the last of the job states");

/* The columns of a family query: one row per child, by parent then seg. */
#define FAMILY_COLUMNS                                                         \
    "SELECT p.id, p.media_id, p.state, p.progress, c.id, s.seg, c.state,"      \
    " c.progress, c.attempts, pr.host, s.frames, c.payload"
#define FAMILY_JOINS                                                           \
    " JOIN job_segments s ON s.parent_id = p.id JOIN jobs c ON c.id ="         \
    " s.job_id LEFT JOIN processes pr ON pr.id = c.worker_id"
enum {
    COL_PARENT,
    COL_MEDIA,
    COL_PSTATE,
    COL_PPROGRESS,
    COL_CHILD,
    COL_SEG,
    COL_CSTATE,
    COL_CPROGRESS,
    COL_ATTEMPTS,
    COL_HOST,
    COL_FRAMES,
    COL_PAYLOAD,
};

/* count_families - the distinct parents of @r (rows grouped by parent). */
static size_t count_families(const struct omkt_dbres *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->nrows; i++)
        if (i == 0 || omkt_dbres_i64(r, i, COL_PARENT, 0) !=
                          omkt_dbres_i64(r, i - 1, COL_PARENT, 0))
            n++;
    return n;
}

/* child_at - row @i of @r as a child. */
static void child_at(const struct omkt_dbres *r, size_t i,
                     struct omkt_segview_child *k)
{
    k->job_id = omkt_dbres_i64(r, i, COL_CHILD, 0);
    k->seg = (int)omkt_dbres_i64(r, i, COL_SEG, 0);
    k->state = omkt_dbres_str(r, i, COL_CSTATE);
    k->progress = (int)omkt_dbres_i64(r, i, COL_CPROGRESS, 0);
    k->attempts = (int)omkt_dbres_i64(r, i, COL_ATTEMPTS, 0);
    k->host = omkt_dbres_str(r, i, COL_HOST);
    k->frames = omkt_dbres_i64(r, i, COL_FRAMES, 0);
}

/* family_at - the family whose first row is @first, @n rows long. */
static void family_at(const struct omkt_dbres *r, size_t first, size_t n,
                      struct omkt_segview_family *f)
{
    f->parent_id = omkt_dbres_i64(r, first, COL_PARENT, 0);
    f->media_id = omkt_dbres_i64(r, first, COL_MEDIA, 0);
    f->state = omkt_dbres_str(r, first, COL_PSTATE);
    f->progress = (int)omkt_dbres_i64(r, first, COL_PPROGRESS, 0);
    f->kids = omkt_xcalloc(n, sizeof(*f->kids));
    f->nkids = n;
    for (size_t k = 0; k < n; k++) {
        child_at(r, first + k, &f->kids[k]);
        /* Every child carries the same list; the first readable one
         * says it (a child whose payload does not parse adds nothing). */
        if (f->tids == NULL)
            (void)omkt_tpayload_parse(omkt_dbres_str(r, first + k, COL_PAYLOAD),
                                      &f->tids, &f->ntids, NULL);
    }
    f->settings = omkt_xcalloc(f->ntids ? f->ntids : 1, sizeof(*f->settings));
}

/* build - the families of @rows into @v, which steals @rows. */
static void build(struct omkt_dbres *rows, struct omkt_segview *v)
{
    size_t first = 0;

    v->rows = rows;
    v->n = 0;
    v->fams = omkt_xcalloc(count_families(rows) + 1, sizeof(*v->fams));
    for (size_t i = 1; i <= rows->nrows; i++) {
        if (i < rows->nrows && omkt_dbres_i64(rows, i, COL_PARENT, 0) ==
                                   omkt_dbres_i64(rows, first, COL_PARENT, 0))
            continue;
        family_at(rows, first, i - first, &v->fams[v->n++]);
        first = i;
    }
}

/* name_settings - the setting id of every family row from @t, rows of
 * (transcode id, setting id). */
static void name_settings(struct omkt_segview *v, const struct omkt_dbres *t)
{
    for (size_t f = 0; f < v->n; f++) {
        struct omkt_segview_family *fam = &v->fams[f];

        for (size_t k = 0; k < fam->ntids; k++)
            for (size_t i = 0; i < t->nrows; i++)
                if (omkt_dbres_i64(t, i, 0, 0) == fam->tids[k])
                    fam->settings[k] = (int)omkt_dbres_i64(t, i, 1, 0);
    }
}

/*
 * load - run @rows_sql and @tr_sql (both with @p[0..@n)) into @v: the
 * families, then their transcode rows' settings.
 */
static int load(struct omkt_db *db, const char *rows_sql, const char *tr_sql,
                const struct omkt_dbv *p, size_t n, struct omkt_segview *v,
                struct omkt_errbuf *eb)
{
    struct omkt_dbres *rows = NULL, *tr = NULL;
    int ret;

    memset(v, 0, sizeof(*v));
    ret = omkt_db_query(db, rows_sql, p, n, &rows, eb);
    if (ret != OMKT_OK)
        return ret;
    if (rows->nrows == 0) {
        omkt_dbres_free(rows);
        return OMKT_OK;
    }
    ret = omkt_db_query(db, tr_sql, p, n, &tr, eb);
    if (ret != OMKT_OK) {
        omkt_dbres_free(rows);
        return ret;
    }
    build(rows, v);
    name_settings(v, tr);
    omkt_dbres_free(tr);
    return OMKT_OK;
}

int omkt_segview_media(struct omkt_db *db, int64_t media_id,
                       struct omkt_segview *v, struct omkt_errbuf *eb)
{
    static const char rows_sql[] =
        FAMILY_COLUMNS " FROM jobs p" FAMILY_JOINS " WHERE p.media_id = ?"
                       " ORDER BY p.id, s.seg";
    static const char tr_sql[] =
        "SELECT id, setting_id FROM transcodes WHERE media_id = ?";
    struct omkt_dbv p[] = {OMKT_DBV_I(media_id)};

    return load(db, rows_sql, tr_sql, p, OMKT_ARRAY_LEN(p), v, eb);
}

/*
 * The transcode jobs in progress come from k_jobs_claim (task, state);
 * only those with job_segments rows (an index probe each) are families.
 */
int omkt_segview_active(struct omkt_db *db, unsigned max,
                        struct omkt_segview *v, struct omkt_errbuf *eb)
{
#define ACTIVE                                                                 \
    " x.task = 'transcode' AND x.state IN ('waiting', 'queued', 'delayed',"    \
    " 'running') AND EXISTS(SELECT 1 FROM job_segments y WHERE"                \
    " y.parent_id = x.id)"
    static const char rows_sql[] =
        FAMILY_COLUMNS " FROM (SELECT x.id FROM jobs x WHERE" ACTIVE
                       " ORDER BY x.id DESC LIMIT ?) f JOIN jobs p ON"
                       " p.id = f.id" FAMILY_JOINS " ORDER BY p.id, s.seg";
    /* every transcode row of those families' media: a few more rows
     * than the families make, in one statement */
    static const char tr_sql[] =
        "SELECT t.id, t.setting_id FROM transcodes t WHERE t.media_id IN"
        " (SELECT m.media_id FROM (SELECT x.media_id FROM jobs x WHERE" ACTIVE
        " ORDER BY x.id DESC LIMIT ?) m)";
#undef ACTIVE
    struct omkt_dbv p[] = {OMKT_DBV_I(max)};

    return load(db, rows_sql, tr_sql, p, OMKT_ARRAY_LEN(p), v, eb);
}

void omkt_segview_clear(struct omkt_segview *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->fams[i].tids);
        free(v->fams[i].settings);
        free(v->fams[i].kids);
    }
    free(v->fams);
    omkt_dbres_free(v->rows);
    memset(v, 0, sizeof(*v));
}

const struct omkt_segview_family *
omkt_segview_find(const struct omkt_segview *v, int setting)
{
    for (size_t i = v->n; i-- > 0;)
        for (size_t k = 0; k < v->fams[i].ntids; k++)
            if (setting > 0 && v->fams[i].settings[k] == setting)
                return &v->fams[i];
    return NULL;
}

/* is - @state (may be NULL) is @want. */
static bool is(const char *state, const char *want)
{
    return state != NULL && strcmp(state, want) == 0;
}

/* audio_state - the static name of an audio child's state. */
static const char *audio_state(const char *state)
{
    static const char *const names[] = {"done", "running", "failed",
                                        "cancelled"};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(names); i++)
        if (is(state, names[i]))
            return names[i];
    return "queued"; /* queued, or delayed for a retry */
}

void omkt_segview_tally(const struct omkt_segview_family *f,
                        struct omkt_segview_tally *t)
{
    memset(t, 0, sizeof(*t));
    t->audio = "none";
    for (size_t i = 0; i < f->nkids; i++) {
        const char *st = f->kids[i].state;

        if (f->kids[i].seg < 0) {
            t->audio = audio_state(st);
            continue;
        }
        t->segments++;
        if (is(st, "done"))
            t->done++;
        else if (is(st, "running"))
            t->running++;
        else if (is(st, "failed"))
            t->failed++;
        else if (is(st, "cancelled"))
            t->cancelled++;
        else
            t->queued++;
    }
}

int omkt_segview_counts(struct omkt_db *db, struct omkt_segview_counts *c,
                        struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT state, COUNT(*) FROM jobs"
                              " WHERE parent_id IS NOT NULL GROUP BY state";
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, NULL, 0, &r, eb);

    memset(c, 0, sizeof(*c));
    for (size_t i = 0; ret == OMKT_OK && i < r->nrows; i++)
        for (size_t s = 0; s < OMKT_SEGVIEW_NSTATES; s++)
            if (is(omkt_dbres_str(r, i, 0), omkt_jobstats_states[s]))
                c->n[s] = omkt_dbres_i64(r, i, 1, 0);
    omkt_dbres_free(r);
    return ret;
}

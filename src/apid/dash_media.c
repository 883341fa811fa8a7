/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dash_media - the dashboard's media list (see dash_media.h). */
#include <inttypes.h>
#include <string.h>

#include "apid/dash_media.h"
#include "common/alloc.h"
#include "common/db_jobstats.h"

void dash_view_parse(const char *account, const char *state,
                     struct dash_view *f)
{
    f->account = account != NULL ? account : "";
    f->state = "";
    f->csrf = NULL;
    for (size_t i = 0; state != NULL && i < OMKT_JOBSTATS_NSTATES; i++)
        if (strcmp(state, omkt_jobstats_states[i]) == 0)
            f->state = omkt_jobstats_states[i];
}

/* form - the filter: an account field and a job state menu. */
static void form(const struct dash_view *f, struct sbuf *b)
{
    sbuf_printf(b, "<form method=get id=filter>account <input name=account "
                   "size=24 value=\"");
    sbuf_html(b, f->account);
    sbuf_printf(b, "\"> with a job <select name=state><option value=\"\">"
                   "in any state</option>");
    for (size_t i = 0; i < OMKT_JOBSTATS_NSTATES; i++)
        sbuf_printf(b, "<option%s>%s</option>",
                    strcmp(f->state, omkt_jobstats_states[i]) == 0 ? " selected"
                                                                   : "",
                    omkt_jobstats_states[i]);
    sbuf_printf(b, "</select> <button>filter</button></form>");
}

/* running - "task on host, N% (ETA M s)" of row @i, or "-". */
static void running(const struct omkt_dbres *res, size_t i, struct sbuf *b)
{
    const char *task = omkt_dbres_str(res, i, 6);
    int64_t pct = omkt_dbres_i64(res, i, 8, 0);
    int64_t secs = omkt_dbres_i64(res, i, 9, 0);

    if (task == NULL || task[0] == '\0') {
        sbuf_printf(b, "<td class=z>-");
        return;
    }
    sbuf_printf(b, "<td>%s on ", task);
    sbuf_html(b, omkt_dbres_str(res, i, 7));
    sbuf_printf(b, ", %" PRId64 "%%", pct);
    if (pct > 0 && pct < 100) /* the rate so far, kept */
        sbuf_printf(b, " <span class=eta>(ETA %" PRId64 " s)</span>",
                    secs * (100 - pct) / pct);
}

/* buttons - retry and cancel of media @id. */
static void buttons(const char *id, const char *csrf, struct sbuf *b)
{
    static const char *const verbs[] = {"retry", "cancel"};

    sbuf_printf(b, "<td class=act>");
    for (size_t k = 0; csrf != NULL && k < OMKT_ARRAY_LEN(verbs); k++)
        sbuf_printf(b,
                    "<form method=post action=\"/status/media/%s/%s\">"
                    "<input type=hidden name=csrf value=\"%s\">"
                    "<button id=\"%s-%s\">%s</button></form>",
                    id, verbs[k], csrf, verbs[k], id, verbs[k]);
}

/* row - one media. */
static void row(const struct omkt_dbres *res, size_t i, const char *csrf,
                struct sbuf *b)
{
    int64_t remote = omkt_dbres_i64(res, i, 2, 0);

    sbuf_printf(b, "<tr id=\"m-%s\"><td>%s<td>", omkt_dbres_str(res, i, 0),
                omkt_dbres_str(res, i, 0));
    sbuf_html(b, omkt_dbres_str(res, i, 1));
    /* REST and media-nommer media have no CMS id (remote_id = -id) */
    if (remote > 0)
        sbuf_printf(b, "<td class=n>%" PRId64, remote);
    else
        sbuf_printf(b, "<td class=z>REST");
    sbuf_printf(b, "<td class=url>");
    sbuf_html(b, omkt_dbres_str(res, i, 3));
    sbuf_printf(b, "<td>%s<td>", omkt_dbres_str(res, i, 4));
    sbuf_html(b, omkt_dbres_str(res, i, 5));
    running(res, i, b);
    buttons(omkt_dbres_str(res, i, 0), csrf, b);
    sbuf_printf(b, "</tr>");
}

void dash_media(struct omkt_db *db, const struct dash_view *f, struct sbuf *b)
{
    struct omkt_dbres *res = NULL;

    sbuf_printf(b, "<section id=media><h2>Media</h2>");
    form(f, b);
    sbuf_printf(b, "<table><tr><th>media<th>account<th>CMS id<th>source"
                   "<th>state<th>settings<th>running<th></tr>");
    if (omkt_jobstats_media(db, f->account, f->state, &res, NULL) == OMKT_OK) {
        for (size_t i = 0; i < res->nrows; i++)
            row(res, i, f->csrf, b);
        if (res->nrows == 0)
            sbuf_printf(b, "<tr><td colspan=8 class=z>none</tr>");
    }
    omkt_dbres_free(res);
    sbuf_printf(b, "</table></section>");
}

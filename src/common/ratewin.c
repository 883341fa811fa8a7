/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratewin - sliding-window arithmetic of the rate limit (see ratewin.h). */
#include <string.h>

#include "ratewin.h"

#define MINUTE_MS 60000

int64_t omkt_ratewin_minute(int64_t now_ms)
{
    return now_ms / MINUTE_MS;
}

/* roll - move @w forward to @minute.  A minute behind @w's (a clock step
 * back, a call racing the flusher) leaves it as it is. */
static void roll(struct omkt_ratewin *w, int64_t minute)
{
    if (minute <= w->minute)
        return;
    if (minute == w->minute + 1) {
        w->prev = w->cur;
        w->sent_prev = w->sent_cur;
    } else {
        w->prev = 0;
        w->sent_prev = 0;
    }
    w->cur = 0;
    w->sent_cur = 0;
    w->minute = minute;
}

/* unseen - this process's calls that a read-back including @own of them
 * did not see yet. */
static int64_t unseen(int64_t mine, int64_t own)
{
    return mine > own ? mine - own : 0;
}

int64_t omkt_ratewin_count(struct omkt_ratewin *w, int64_t now_ms)
{
    int64_t into_ms = now_ms % MINUTE_MS;
    int64_t cur, prev;

    roll(w, omkt_ratewin_minute(now_ms));
    if (omkt_ratewin_minute(now_ms) < w->minute)
        into_ms = 0; /* behind: as at the start of w's minute */
    cur = w->cur;
    prev = w->prev;
    if (w->seen_minute > 0 && w->seen_minute == w->minute) {
        cur = w->seen_cur + unseen(w->cur, w->own_cur);
        prev = w->seen_prev + unseen(w->prev, w->own_prev);
    } else if (w->seen_minute > 0 && w->seen_minute == w->minute - 1) {
        /* rolled over since the read-back: its minute is now prev */
        prev = w->seen_cur + unseen(w->prev, w->own_cur);
    }
    /* rounded up: the estimate never lets a call through early */
    return cur + (prev * (MINUTE_MS - into_ms) + MINUTE_MS - 1) / MINUTE_MS;
}

bool omkt_ratewin_take(struct omkt_ratewin *w, int64_t limit, int64_t now_ms)
{
    if (limit <= 0)
        return true;
    if (omkt_ratewin_count(w, now_ms) >= limit)
        return false;
    w->cur++;
    return true;
}

bool omkt_ratewin_mark(struct omkt_ratewin *w, int64_t minute,
                       struct omkt_ratewin_mark *m)
{
    roll(w, minute);
    memset(m, 0, sizeof(*m));
    m->minute = w->minute;
    m->cur = w->cur;
    m->prev = w->prev;
    m->new_cur = w->cur - w->sent_cur;
    m->new_prev = w->prev - w->sent_prev;
    return w->cur > 0 || w->prev > 0;
}

void omkt_ratewin_sent(struct omkt_ratewin *w,
                       const struct omkt_ratewin_mark *m)
{
    if (w->minute == m->minute) {
        if (m->cur > w->sent_cur)
            w->sent_cur = m->cur;
        if (m->prev > w->sent_prev)
            w->sent_prev = m->prev;
    } else if (w->minute == m->minute + 1 && m->cur > w->sent_prev) {
        w->sent_prev = m->cur; /* rolled over meanwhile */
    }
}

void omkt_ratewin_seen(struct omkt_ratewin *w,
                       const struct omkt_ratewin_mark *m)
{
    w->seen_minute = m->minute;
    w->seen_cur = m->total_cur;
    w->seen_prev = m->total_prev;
    w->own_cur = m->cur;
    w->own_prev = m->prev;
}

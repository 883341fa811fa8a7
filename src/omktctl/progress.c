/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress - the terminal progress bar (see progress.h). */
#include <stdio.h>
#include <unistd.h>

#include "common/daemon.h"
#include "progress.h"

#define WIDTH     30
#define REDRAW_MS 100

void progress_start(struct progress *p, const char *what, int64_t total,
                    bool is_json)
{
    *p = (struct progress){
        .is_on = !is_json && total > 0 && isatty(STDERR_FILENO),
        .what = what,
        .total = total,
        .t0_ms = omkt_now_ms(),
        .drawn_ms = -REDRAW_MS,
    };
    progress_set(p, 0);
}

/* eta - "m:ss" left at the pace so far, "-:--" before any is done. */
static void eta(const struct progress *p, int64_t now, char *out, size_t len)
{
    int64_t left_s;

    if (p->done <= 0) {
        snprintf(out, len, "-:--");
        return;
    }
    left_s = (now - p->t0_ms) * (p->total - p->done) / p->done / 1000;
    snprintf(out, len, "%lld:%02lld", (long long)(left_s / 60),
             (long long)(left_s % 60));
}

/* draw - the bar, in place. */
static void draw(struct progress *p, int64_t now)
{
    char bar[WIDTH + 1];
    char left[32];
    int64_t pct = p->done * 100 / p->total;
    int64_t fill = p->done * WIDTH / p->total;

    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[WIDTH] = '\0';
    eta(p, now, left, sizeof(left));
    fprintf(stderr, "\r%s [%s] %3lld%%  %lld/%lld  ETA %s ", p->what, bar,
            (long long)pct, (long long)p->done, (long long)p->total, left);
    fflush(stderr);
    p->drawn_ms = now;
}

void progress_set(struct progress *p, int64_t done)
{
    int64_t now;

    if (!p->is_on)
        return;
    p->done = done > p->total ? p->total : done;
    now = omkt_now_ms();
    if (now - p->drawn_ms >= REDRAW_MS || p->done == p->total)
        draw(p, now);
}

void progress_end(struct progress *p)
{
    if (!p->is_on)
        return;
    draw(p, omkt_now_ms());
    fputc('\n', stderr);
    p->is_on = false;
}

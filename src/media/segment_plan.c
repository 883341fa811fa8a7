/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_plan - omkt_segment_plan(): segment boundaries on keyframes.
 *
 * DESIGN: targets are multiples of the length from the source's start,
 * not from the previous boundary, so one far keyframe does not shift
 * every later segment.  A boundary must be at least half a length after
 * the previous one and before the end; the keyframe nearest the target
 * among those wins (the earlier one on a tie).  After a boundary far
 * past its target (a long gap between keyframes), the multiples closer
 * than three quarters of a length to it are skipped, so the next segment
 * is not a short one.  One pass over the keys: boundaries only move
 * forward.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "media/segment_plan.h"

/* is_ascending - are @key_us strictly ascending? */
static bool is_ascending(const int64_t *key_us, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (key_us[i] <= key_us[i - 1])
            return false;
    return true;
}

/* dist - |a - b| without overflow for the times used here. */
static int64_t dist(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

/*
 * nearest - index of the key nearest @target among those in (@lo, @hi]
 * from index @from on; -1 when none.
 */
static ptrdiff_t nearest(const int64_t *key_us, size_t n, size_t from,
                         int64_t lo, int64_t hi, int64_t target)
{
    ptrdiff_t best = -1;

    for (size_t i = from; i < n && key_us[i] <= hi; i++) {
        if (key_us[i] <= lo)
            continue;
        if (best >= 0 && dist(key_us[i], target) >= dist(key_us[best], target))
            break; /* ascending: further keys are further away */
        best = (ptrdiff_t)i;
    }
    return best;
}

int omkt_segment_plan(const int64_t *key_us, size_t n_keys, int64_t duration_us,
                      int64_t length_us, int64_t **bounds, size_t *n_bounds)
{
    int64_t half = length_us / 2, prev = 0;
    size_t from = 0, n = 0;
    int64_t *out;

    *bounds = NULL;
    *n_bounds = 0;
    if (length_us <= 0 || duration_us <= 0 || !is_ascending(key_us, n_keys))
        return OMKT_EINVAL;
    out = omkt_xcalloc(n_keys ? n_keys : 1, sizeof(*out));
    for (int64_t t = length_us; t <= duration_us - half; t += length_us) {
        ptrdiff_t k;

        if (t < prev + length_us / 4 * 3)
            continue; /* past a late boundary: no short segment after it */
        k = nearest(key_us, n_keys, from, prev + half - 1, duration_us - half,
                    t);
        if (k < 0)
            continue;
        out[n++] = key_us[k];
        prev = key_us[k];
        from = (size_t)k + 1;
    }
    if (n == 0) {
        free(out);
        return OMKT_OK;
    }
    *bounds = out;
    *n_bounds = n;
    return OMKT_OK;
}

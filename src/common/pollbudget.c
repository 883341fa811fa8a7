/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pollbudget - the idle poll budget arithmetic (see pollbudget.h). */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pollbudget.h"

#define MIN_PER_S 0.001
#define MAX_PER_S 100000.0

int omkt_pollbudget_parse(const char *s, double *per_s)
{
    static const struct {
        const char *unit;
        double seconds;
    } units[] = {{"/s", 1}, {"/min", 60}, {"/h", 3600}};
    char *end = NULL;
    double v;

    *per_s = 0;
    if (strcmp(s, "off") == 0)
        return OMKT_OK;
    if (*s < '0' || *s > '9')
        return OMKT_EINVAL; /* no sign, space, "inf" or "nan" */
    v = strtod(s, &end);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        v /= units[i].seconds;
        if (v < MIN_PER_S || v > MAX_PER_S)
            return OMKT_EINVAL;
        *per_s = v;
        return OMKT_OK;
    }
    return OMKT_EINVAL;
}

int omkt_pollbudget_check(const char *value, struct omkt_errbuf *eb)
{
    double per_s = 0;

    if (value == NULL || omkt_pollbudget_parse(value, &per_s) == OMKT_OK)
        return OMKT_OK;
    omkt_errf(eb,
              "common.poll_budget = %s: expected polls per second of the"
              " whole cluster, such as 20/s, 1200/min or off",
              value);
    return OMKT_ECONF;
}

double omkt_pollbudget_mean_ms(double per_s, unsigned nprocs, unsigned nthreads)
{
    double n = (double)(nprocs ? nprocs : 1) * (nthreads ? nthreads : 1);

    return per_s > 0 ? n * 1000.0 / per_s : 0;
}

/* clamp - @ms within the budget's bounds. */
static int64_t clamp(const struct omkt_pollbudget *pb, double ms)
{
    if (ms < (double)pb->min_ms)
        return pb->min_ms;
    if (ms > (double)pb->max_ms)
        return pb->max_ms;
    return (int64_t)ms;
}

int64_t omkt_pollbudget_next_ms(const struct omkt_pollbudget *pb,
                                unsigned nprocs, unsigned nthreads,
                                uint32_t rnd)
{
    double mean = omkt_pollbudget_mean_ms(pb->per_s, nprocs, nthreads);
    double half = mean * 0.5;

    /* Near the cap, a narrower jitter keeps the mean (clamping the top
     * of 0.5..1.5x would shorten it, and poll above the budget). */
    if (mean + half > (double)pb->max_ms)
        half = (double)pb->max_ms > mean ? (double)pb->max_ms - mean : 0;
    return clamp(pb, mean - half + 2 * half * ((double)rnd / 4294967296.0));
}

int64_t omkt_pollbudget_first_ms(const struct omkt_pollbudget *pb,
                                 unsigned nprocs, unsigned nthreads,
                                 uint32_t rnd)
{
    double mean = omkt_pollbudget_mean_ms(pb->per_s, nprocs, nthreads);

    return clamp(pb, mean * ((double)rnd / 4294967296.0));
}

unsigned omkt_pollbudget_fresh_s(int64_t heartbeat_ms)
{
    return (unsigned)((heartbeat_ms * 3 + 999) / 1000);
}

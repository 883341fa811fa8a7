/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scale_sim - bench/scale: the real omkt_scale_decide (common/cloudscale)
 * against a model of media-nommer's feederd/ec2nommerd policy, on one
 * simulated day of uploads (bursts and quiet hours, long-tailed job
 * lengths, seeded RNG), at 1x, 10x and 100x the trace.  Prints p50/p95
 * wait (arrival to start), instance-hours and the most instances live at
 * once for each, and the ratios omkt / media-nommer.  See README.md for
 * the model and what it leaves out.
 *
 *   scale_sim [-s SEED] [-b BOOT_S] [-v]
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cloudscale.h"

#define DT     1.0   /* simulation step, seconds */
#define PER    2     /* jobs per instance, both policies */
#define IDLE_S 600.0 /* idle terminate, both policies */
#define NOM_TICK                                                               \
    60.0                /* feederd auto-scale, nommerd job check,              \
                           nommerd heartbeat: all 60 s */
#define NOM_THRESH 2    /* JOB_OVERFLOW_THRESH */
#define OMKT_TICK  10.0 /* scaler_svc's default tick */
#define HORIZON    (8 * 86400.0)

enum who { NOMMER, OMKT };

struct job {
    double arrive, len, start;
};

struct inst {
    double launch, ready, end; /* end < 0: alive */
    double last_activity;
    double slot_end[PER]; /* < 0: free */
    double next_check;    /* nommer: job check and heartbeat */
};

struct sim {
    enum who who;
    int max;
    double boot_s;
    struct job *jobs;
    size_t njobs, arrived, next; /* next: first job not started (FIFO) */
    struct inst *in;
    size_t nin, cap;
    size_t done;
    int max_live;
    struct omkt_scale_policy pol;
    struct omkt_scale_state st;
};

/* ---- random numbers (xorshift64*) ---- */

static uint64_t rng_state;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) /
           9007199254740992.0;
}

static double expo(double rate)
{
    return -log(1.0 - uniform()) / rate;
}

static double normal(void)
{
    return sqrt(-2.0 * log(1.0 - uniform())) * cos(2 * M_PI * uniform());
}

/* ---- the trace ---- */

/* uploads per hour of the day at 1x: quiet nights, a working day */
static const double hourly[24] = {2,  2,  2,  2,  2,  2,  2,  6,
                                  12, 25, 25, 25, 15, 15, 25, 25,
                                  25, 25, 10, 10, 10, 5,  5,  5};

/* job_len - long-tailed: log-normal, median 4 min, sigma 1, 15 s..4 h */
static double job_len(void)
{
    double l = 240.0 * exp(1.0 * normal());

    return l < 15 ? 15 : l > 14400 ? 14400 : l;
}

static int by_arrival(const void *a, const void *b)
{
    const struct job *x = a, *y = b;

    return (x->arrive > y->arrive) - (x->arrive < y->arrive);
}

/* add_job - append one upload at @t. */
static void add_job(struct job **v, size_t *n, size_t *cap, double t)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *v = realloc(*v, *cap * sizeof(**v));
        if (*v == NULL)
            abort();
    }
    (*v)[(*n)++] = (struct job){.arrive = t, .len = job_len(), .start = -1};
}

/* make_trace - a day at @scale x: Poisson per hour plus 5 bursts (a
 * batch of 20..60 uploads within 5 minutes, between 8:00 and 22:00). */
static struct job *make_trace(uint64_t seed, int scale, size_t *n)
{
    struct job *v = NULL;
    size_t cap = 0;

    rng_state = seed ? seed : 1;
    *n = 0;
    for (int h = 0; h < 24; h++)
        for (double t = h * 3600.0 + expo(hourly[h] * scale / 3600.0);
             t < (h + 1) * 3600.0; t += expo(hourly[h] * scale / 3600.0))
            add_job(&v, n, &cap, t);
    for (int b = 0; b < 5; b++) {
        double at = 8 * 3600.0 + uniform() * 14 * 3600.0;
        int size = (20 + (int)(uniform() * 41)) * scale;

        for (int i = 0; i < size; i++)
            add_job(&v, n, &cap, at + uniform() * 300.0);
    }
    qsort(v, *n, sizeof(*v), by_arrival);
    return v;
}

/* ---- instances ---- */

static int live(const struct sim *s)
{
    int n = 0;

    for (size_t i = 0; i < s->nin; i++)
        n += s->in[i].end < 0;
    return n;
}

static int running(const struct inst *in)
{
    int n = 0;

    for (int k = 0; k < PER; k++)
        n += in->slot_end[k] >= 0;
    return n;
}

static void launch(struct sim *s, int n, double t)
{
    for (int i = 0; i < n; i++) {
        struct inst *in;

        if (s->nin == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->in = realloc(s->in, s->cap * sizeof(*s->in));
            if (s->in == NULL)
                abort();
        }
        in = &s->in[s->nin++];
        *in = (struct inst){.launch = t, .ready = t + s->boot_s, .end = -1};
        in->last_activity = in->ready;
        in->next_check = in->ready; /* nommerd: LoopingCall(now=True) */
        for (int k = 0; k < PER; k++)
            in->slot_end[k] = -1;
    }
    if (live(s) > s->max_live)
        s->max_live = live(s);
}

/* take - up to @n queued jobs onto @in's free slots at @t. */
static void take(struct sim *s, struct inst *in, int n, double t)
{
    for (int k = 0; k < PER && n > 0 && s->next < s->arrived; k++) {
        struct job *j;

        if (in->slot_end[k] >= 0)
            continue;
        j = &s->jobs[s->next++];
        j->start = t;
        in->slot_end[k] = t + j->len;
        n--;
        if (s->who == NOMMER)
            in->last_activity = t; /* i_did_something() at job start */
    }
}

/* finish - free the slots whose job ended by @t. */
static void finish(struct sim *s, struct inst *in, double t)
{
    for (int k = 0; k < PER; k++)
        if (in->slot_end[k] >= 0 && in->slot_end[k] <= t) {
            if (s->who == OMKT)
                in->last_activity = in->slot_end[k];
            in->slot_end[k] = -1;
            s->done++;
        }
}

/* ---- the two policies ---- */

/* nommer_worker - ec2nommerd: every 60 s pop up to the free slots; the
 * heartbeat terminates an instance with nothing running whose last job
 * START is over NOMMERD_MAX_INACTIVITY ago. */
static void nommer_worker(struct sim *s, struct inst *in, double t)
{
    if (t < in->next_check)
        return;
    in->next_check += NOM_TICK;
    take(s, in, PER - running(in), t);
    if (running(in) == 0 && t - in->last_activity > IDLE_S)
        in->end = t;
}

/* omkt_worker - long polls: takes a job as soon as a slot is free;
 * terminates itself after idle_terminate with nothing running. */
static void omkt_worker(struct sim *s, struct inst *in, double t)
{
    take(s, in, PER, t);
    if (running(in) == 0 && t - in->last_activity >= IDLE_S)
        in->end = t;
}

/* nommer_scale - feederd's EC2InstanceManager.spawn_if_needed, as in
 * its code: unfinished = every job not done; capacity = instances x 2;
 * spawn max(overage / 2, 1) capped at MAX (not at MAX - live: it can
 * overshoot the maximum). */
static void nommer_scale(struct sim *s, double t)
{
    int n = live(s);
    int unfinished = (int)(s->arrived - s->done);
    int capacity = n * PER, overage, add;

    if (n >= s->max || unfinished == 0)
        return;
    if (!(unfinished >= (capacity ? capacity + NOM_THRESH : 0) || n == 0))
        return;
    overage = unfinished - capacity - (capacity > 0 ? NOM_THRESH : 0);
    if (overage <= 0)
        return;
    add = overage / PER;
    add = add < 1 ? 1 : add > s->max ? s->max : add;
    launch(s, add, t);
}

/* omkt_scale - the real decision, on the bridge's exact backlog. */
static void omkt_scale(struct sim *s, double t)
{
    int run = 0, n;
    struct omkt_scale_input in;

    for (size_t i = 0; i < s->nin; i++)
        if (s->in[i].end < 0)
            run += running(&s->in[i]);
    in = (struct omkt_scale_input){.now_ms = (int64_t)(t * 1000),
                                   .backlog = (int)(s->arrived - s->next),
                                   .in_flight = run,
                                   .instances = live(s)};
    n = omkt_scale_decide(&s->pol, &s->st, &in);
    if (n > 0) {
        launch(s, n, t);
        omkt_scale_started(&s->st, in.now_ms);
    }
}

/* ---- the run ---- */

/* step - one DT of the world at @t. */
static void step(struct sim *s, double t, uint64_t tick)
{
    while (s->arrived < s->njobs && s->jobs[s->arrived].arrive <= t)
        s->arrived++;
    for (size_t i = 0; i < s->nin; i++) {
        struct inst *in = &s->in[i];

        if (in->end >= 0 || t < in->ready)
            continue;
        finish(s, in, t);
        if (s->who == NOMMER)
            nommer_worker(s, in, t);
        else
            omkt_worker(s, in, t);
    }
    if (s->who == NOMMER && tick > 0 && tick % (uint64_t)NOM_TICK == 0)
        nommer_scale(s, t);
    if (s->who == OMKT && tick % (uint64_t)OMKT_TICK == 0)
        omkt_scale(s, t);
}

struct result {
    size_t jobs, unstarted;
    double p50, p95, inst_hours;
    int max_live;
};

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* summarise - waits and costs of a finished run. */
static void summarise(const struct sim *s, double t_end, struct result *r)
{
    double *w = calloc(s->njobs ? s->njobs : 1, sizeof(*w));
    size_t n = 0;

    if (w == NULL)
        abort();
    for (size_t i = 0; i < s->njobs; i++)
        if (s->jobs[i].start >= 0)
            w[n++] = s->jobs[i].start - s->jobs[i].arrive;
    qsort(w, n, sizeof(*w), by_double);
    r->jobs = s->njobs;
    r->unstarted = s->njobs - n;
    r->p50 = n ? w[n / 2] : 0;
    r->p95 = n ? w[(size_t)(n * 0.95)] : 0;
    r->inst_hours = 0;
    for (size_t i = 0; i < s->nin; i++)
        r->inst_hours +=
            ((s->in[i].end >= 0 ? s->in[i].end : t_end) - s->in[i].launch) /
            3600.0;
    r->max_live = s->max_live;
    free(w);
}

/* run - one policy on a copy of @trace. */
static void run(enum who who, int max, double boot_s, const struct job *trace,
                size_t n, struct result *r)
{
    struct sim s = {.who = who, .max = max, .boot_s = boot_s, .njobs = n};
    uint64_t tick = 0;
    double t = 0;

    s.jobs = malloc((n ? n : 1) * sizeof(*s.jobs));
    if (s.jobs == NULL)
        abort();
    memcpy(s.jobs, trace, n * sizeof(*s.jobs));
    s.pol = (struct omkt_scale_policy){.max_instances = max,
                                       .jobs_per_instance = PER,
                                       .start_after_ms = 30000,
                                       .cooldown_ms = 60000,
                                       .backoff_ms = 10000,
                                       .backoff_max_ms = 600000};
    for (; t < HORIZON; t += DT, tick++) {
        step(&s, t, tick);
        if (s.done == n && live(&s) == 0)
            break;
    }
    summarise(&s, t, r);
    free(s.jobs);
    free(s.in);
}

static void row(const char *who, int scale, int max, const struct result *r)
{
    printf("%4dx %5d  %-6s %7zu %9.0f %9.0f %10.1f %8d", scale, max, who,
           r->jobs, r->p50, r->p95, r->inst_hours, r->max_live);
    if (r->unstarted)
        printf("  (%zu never started in 8 days)", r->unstarted);
    printf("\n");
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : (a > 0 ? INFINITY : 1.0);
}

/* ratios - one line of omkt / media-nommer figures. */
static void ratios(const char *what, const struct result *om,
                   const struct result *nom)
{
    printf("      ratio omkt/nommer%s: p50 wait %.2f, p95 wait %.2f, "
           "instance-hours %.2f\n",
           what, ratio(om->p50, nom->p50), ratio(om->p95, nom->p95),
           ratio(om->inst_hours, nom->inst_hours));
}

/* compare - both policies on one trace at one maximum; when
 * media-nommer overshot its maximum, omkt again with a maximum of the
 * peak media-nommer reached (the same instances at the peak). */
static void compare(const struct job *trace, size_t n, int scale, int max,
                    double boot_s)
{
    struct result nom, om;

    run(NOMMER, max, boot_s, trace, n, &nom);
    run(OMKT, max, boot_s, trace, n, &om);
    row("nommer", scale, max, &nom);
    row("omkt", scale, max, &om);
    ratios("", &om, &nom);
    if (nom.max_live <= max)
        return;
    run(OMKT, nom.max_live, boot_s, trace, n, &om);
    row("omkt", scale, nom.max_live, &om);
    ratios(" (same peak)", &om, &nom);
}

int main(int argc, char **argv)
{
    static const int scales[] = {1, 10, 100};
    uint64_t seed = 20261202;
    double boot_s = 90;
    int c;

    while ((c = getopt(argc, argv, "s:b:")) != -1) {
        if (c == 's')
            seed = strtoull(optarg, NULL, 10);
        else if (c == 'b')
            boot_s = strtod(optarg, NULL);
        else
            return 2;
    }
    printf("# seed %llu, boot %.0f s, %d jobs/instance, idle terminate %.0f "
           "s; waits in seconds\n",
           (unsigned long long)seed, boot_s, PER, IDLE_S);
    printf("scale   max  policy    jobs  p50_wait  p95_wait inst_hours "
           "max_live\n");
    for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
        size_t n;
        struct job *trace = make_trace(seed, scales[i], &n);

        compare(trace, n, scales[i], 3, boot_s);
        if (scales[i] > 1)
            compare(trace, n, scales[i], 3 * scales[i], boot_s);
        free(trace);
    }
    return 0;
}

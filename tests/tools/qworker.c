/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qworker - a queue worker daemon for tests and benchmarks, built on the
 * same skeleton as the real daemons (common/daemon.c, common/jobworker.c).
 * It claims jobs of task 'test'; the payload says what to do:
 *   "sleep_ms=N"  work for N ms (polling should_stop), then succeed
 *   "crash"       die by SIGKILL while holding the job
 *   "fail"        fail (retryable)
 *   "slow_done_ms=N"  succeed, its completion transaction holding the
 *                 job's row for N ms (the heartbeat's renewal waits)
 *   anything else succeed at once
 * Every completion is appended as "JOBID PROCID\n" to the file named by
 * $QWORKER_LOG (one write(2) with O_APPEND: lines never interleave).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/jobworker.h"

struct qconf {
    int64_t workers;
};

static struct qconf qc;

static const struct omkt_conf_key qkeys[] = {
    {"workers", OMKT_CONF_INT, "1", 1, 64, false, false,
     offsetof(struct qconf, workers)},
};

static int log_fd = -1;

/* sleep_ms - "work" in 10 ms steps, stopping when told to. */
static int sleep_work(struct omkt_jobctx *ctx, int64_t ms)
{
    for (int64_t t = 0; t < ms; t += 10) {
        if (omkt_jobctx_should_stop(ctx))
            return omkt_jobctx_stop_code(ctx);
        omkt_jobctx_progress(ctx, (int)(t * 100 / ms));
        usleep(10000);
    }
    return OMKT_OK;
}

static int handle(struct omkt_jobctx *ctx)
{
    const char *p = ctx->job.payload ? ctx->job.payload : "";
    int64_t ms = 0;

    if (strcmp(p, "crash") == 0)
        kill(getpid(), SIGKILL);
    if (strcmp(p, "fail") == 0) {
        omkt_errf(&ctx->eb, "asked to fail");
        ctx->eb.retryable = true;
        return OMKT_EIO;
    }
    if (strncmp(p, "sleep_ms=", 9) == 0 && omkt_parse_i64(p + 9, &ms) == 0)
        return sleep_work(ctx, ms);
    return OMKT_OK;
}

/* on_done - in the completion transaction, the job's row locked: hold it
 * for the "slow_done_ms=N" payload. */
static int on_done(struct omkt_jobctx *ctx)
{
    const char *p = ctx->job.payload ? ctx->job.payload : "";
    int64_t ms = 0;

    if (strncmp(p, "slow_done_ms=", 13) == 0 &&
        omkt_parse_i64(p + 13, &ms) == 0 && ms > 0)
        usleep((useconds_t)ms * 1000);
    return OMKT_OK;
}

/* cleanup - log a completion once its transaction committed. */
static void cleanup(struct omkt_jobctx *ctx)
{
    char line[64];
    int n = snprintf(line, sizeof(line), "%lld %lld\n", (long long)ctx->job.id,
                     (long long)ctx->job.worker_id);

    if (ctx->is_done && log_fd >= 0 && write(log_fd, line, (size_t)n) != n)
        omkt_log(OMKT_LOG_ERR, "cannot write the completion log");
}

static struct omkt_worker_spec wspec = {
    .task = OMKT_TASK_TEST,
    .handle = handle,
    .on_done = on_done,
    .cleanup = cleanup,
};

static int start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    wspec.nthreads = (unsigned)qc.workers;
    return omkt_worker_daemon_start(d, eb);
}

int main(int argc, char **argv)
{
    static const struct omkt_conf_section secs[] = {
        {"qworker", qkeys, 1, &qc},
    };
    const struct omkt_daemon_spec spec = {
        .name = "qworker",
        .sections = secs,
        .nsections = 1,
        .start = start,
        .finish = omkt_worker_daemon_finish,
        .ctx = &wspec,
    };
    const char *path = getenv("QWORKER_LOG");

    if (path != NULL)
        log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    return omkt_daemon_run(&spec, argc, argv);
}

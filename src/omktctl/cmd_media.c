/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_media - "omktctl probe" and "omktctl transcode": the media engine
 * from the command line, for operators and for the tests and benchmark.
 * Output files are named as in media/transcode.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/parse.h"
#include "media/avlog.h"
#include "media/probe.h"
#include "media/settings.h"
#include "media/transcode.h"
#include "omktctl/cmd_media.h"

#define MAX_SETTINGS 64
#define BAR_WIDTH    40

/* Set by SIGINT/SIGTERM; the engine polls it. */
static volatile sig_atomic_t stop_flag;
_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "stop flag is an int");

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* catch_signals - SIGINT/SIGTERM set the stop flag. */
static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* quiet_ffmpeg - FFmpeg errors only, through omkt_log. */
static void quiet_ffmpeg(void)
{
    omkt_media_log_init(getenv("OMKT_AV_VERBOSE") ? AV_LOG_INFO : AV_LOG_QUIET);
}

int omktctl_cmd_probe(int argc, char **argv)
{
    struct omkt_probe_opts opts = {.stop = (const volatile int *)&stop_flag};
    struct omkt_errbuf eb = {0};
    json_t *meta = NULL;
    int argi = 1;
    int rc;

    if (argi < argc && strcmp(argv[argi], "-c") == 0) {
        opts.want_crop = true;
        argi++;
    }
    if (argc - argi != 1) {
        fprintf(stderr, "usage: omktctl probe [-c] FILE\n");
        return 2;
    }
    quiet_ffmpeg();
    catch_signals();
    rc = omkt_probe_file(argv[argi], &opts, &meta, &eb);
    if (rc != OMKT_OK) {
        fprintf(stderr, "omktctl: probe %s: %s\n", argv[argi],
                omkt_errbuf_str(&eb, rc));
        return 1;
    }
    rc = json_dumpf(meta, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(meta);
    return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
}

/* bar - draw the progress bar on the terminal. */
static void bar(void *ctx, double fraction)
{
    int filled = (int)(fraction * BAR_WIDTH);
    char line[BAR_WIDTH + 1];

    (void)ctx;
    memset(line, '#', (size_t)filled);
    memset(line + filled, '.', (size_t)(BAR_WIDTH - filled));
    line[BAR_WIDTH] = 0;
    fprintf(stderr, "\r[%s] %3d%%", line, (int)(fraction * 100));
    fflush(stderr);
}

/* parse_ids - the SETTING arguments as integers. */
static int parse_ids(char **args, int n, int *ids)
{
    for (int i = 0; i < n; i++)
        if (omkt_parse_int(args[i], &ids[i]) != OMKT_OK || ids[i] <= 0) {
            fprintf(stderr, "omktctl: bad setting id: %s\n", args[i]);
            return 2;
        }
    return 0;
}

/* report - print the files, and the failures on stderr. */
static int report(const char *outdir, const struct omkt_transcode_result *res)
{
    const char *last = "";
    int code = 0;

    for (size_t i = 0; i < res->n; i++) {
        const struct omkt_output_result *r = &res->outputs[i];

        if (r->status != OMKT_OK && strcmp(r->message, last) != 0)
            fprintf(stderr, "omktctl: %s\n", r->message); /* once a job */
        if (r->status != OMKT_OK) {
            last = r->message;
            code = 1;
        }
        for (size_t k = 0; k < r->n_files; k++)
            printf("%s/%s\n", outdir, r->files[k]);
    }
    return fflush(stdout) == 0 ? code : 1;
}

/* take_flags - "-s SITE.json" (site settings) and "-j N" (threads). */
static int take_flags(int *argi, int argc, char **argv, int *threads)
{
    struct omkt_errbuf eb = {0};
    int rc;

    while (*argi + 1 < argc && argv[*argi][0] == '-') {
        if (strcmp(argv[*argi], "-j") == 0) {
            if (omkt_parse_int(argv[*argi + 1], threads) != OMKT_OK ||
                *threads < 0 || *threads > 64)
                return 2;
        } else if (strcmp(argv[*argi], "-s") == 0) {
            rc = omkt_settings_load_file(argv[*argi + 1], &eb);
            if (rc != OMKT_OK) {
                fprintf(stderr, "omktctl: %s\n", omkt_errbuf_str(&eb, rc));
                return 1;
            }
        } else {
            return 2;
        }
        *argi += 2;
    }
    return 0;
}

int omktctl_cmd_transcode(int argc, char **argv)
{
    struct omkt_transcode_opts opts = {.stop =
                                           (const volatile int *)&stop_flag};
    struct omkt_transcode_result res = {0};
    struct omkt_errbuf eb = {0};
    int ids[MAX_SETTINGS];
    int argi = 1;
    int code;
    int rc;

    code = take_flags(&argi, argc, argv, &opts.threads);
    if (code == 1)
        return code;
    if (code != 0 || argc - argi < 3 || argc - argi - 2 > MAX_SETTINGS) {
        fprintf(stderr, "usage: omktctl transcode [-s SITE.json] [-j THREADS] "
                        "FILE OUTDIR SETTING...\n");
        return 2;
    }
    code = parse_ids(argv + argi + 2, argc - argi - 2, ids);
    if (code != 0)
        return code;
    if (mkdir(argv[argi + 1], 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "omktctl: %s: %s\n", argv[argi + 1],
                omkt_errno_str(errno));
        return 1;
    }
    quiet_ffmpeg();
    catch_signals();
    if (isatty(STDERR_FILENO))
        opts.progress_fn = bar;
    rc = omkt_transcode(argv[argi], argv[argi + 1], ids,
                        (size_t)(argc - argi - 2), &opts, &res, &eb);
    if (opts.progress_fn != NULL)
        fputc('\n', stderr);
    code = report(argv[argi + 1], &res);
    if (rc != OMKT_OK)
        code = 1;
    omkt_transcode_result_clear(&res);
    omkt_settings_clear();
    return code;
}

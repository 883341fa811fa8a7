/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_transcode - omkt_transcode() through its C interface on a raw
 * video written here: progress reports, result entries, a failing setting
 * beside a good one, and cancellation through should_stop_fn leaving no
 * file behind.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libavutil/log.h>

#include "common/alloc.h"
#include "common/err.h"
#include "media/settings.h"
#include "media/transcode.h"
#include "omkt_test.h"

#define W      64
#define H      48
#define FRAMES 50

static char tmpdir[512];

struct watch {
    int calls;
    double last;
    bool is_monotonic;
    int cancel_after; /* should_stop answers true after this many calls */
    int stop_calls;
    long sleep_ms;      /* should_stop sleeps this long (a slow job) */
    const char *output; /* a file that must exist when progress is 1 */
    int early_full;     /* progress 1 reported before it existed */
    double max_running; /* highest progress before the final one */
};

static void on_progress(void *ctx, double f)
{
    struct watch *w = ctx;
    struct stat st;

    if (w->output != NULL && f >= 1.0 && stat(w->output, &st) != 0)
        w->early_full++;
    if (f < 1.0 && f > w->max_running)
        w->max_running = f;
    if (f < w->last)
        w->is_monotonic = false;
    w->last = f;
    w->calls++;
}

static bool should_stop(void *ctx)
{
    struct watch *w = ctx;

    if (w->sleep_ms > 0)
        nanosleep(&(struct timespec){0, w->sleep_ms * 1000000L}, NULL);
    return w->cancel_after >= 0 && ++w->stop_calls > w->cancel_after;
}

/* write_y4m - a 2 s 64x48 raw video file; returns its path (static). */
static const char *write_y4m(void)
{
    static char path[1024];
    size_t fsize = W * H * 3 / 2;
    unsigned char *frame = omkt_xmalloc(fsize);
    FILE *f;

    snprintf(path, sizeof(path), "%s/src.y4m", tmpdir);
    f = fopen(path, "wb");
    if (f == NULL)
        return path;
    fprintf(f, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n", W, H);
    for (int n = 0; n < FRAMES; n++) {
        for (size_t i = 0; i < fsize; i++)
            frame[i] = (unsigned char)(i + (size_t)n * 3);
        fputs("FRAME\n", f);
        fwrite(frame, 1, fsize, f);
    }
    fclose(f);
    free(frame);
    return path;
}

/* count_files - entries of @dir, dot files included. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_ok_and_partial_failure(const char *src)
{
    struct watch w = {.is_monotonic = true, .cancel_after = -1};
    struct omkt_transcode_opts o = {.progress_fn = on_progress,
                                    .progress_ctx = &w,
                                    .should_stop_fn = should_stop,
                                    .stop_ctx = &w,
                                    .tmp_tag = "unit-1"};
    int ids[] = {11, 52, 4242};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    char out[600];
    int rc;

    snprintf(out, sizeof(out), "%s/ok", tmpdir);
    mkdir(out, 0750);
    rc = omkt_transcode(src, out, ids, 3, &o, &res, &eb);
    OMKT_CHECK_INT(rc, OMKT_EMEDIA, "first failure returned: %s", eb.msg);
    OMKT_CHECK_INT(res.n, 3, "three results");
    OMKT_CHECK_INT(res.outputs[0].status, OMKT_OK, "11 ok: %s",
                   res.outputs[0].message);
    OMKT_CHECK(res.outputs[0].n_files == 1 &&
                   strcmp(res.outputs[0].files[0], "11.mp4") == 0,
               "11.mp4 listed");
    OMKT_CHECK(json_is_object(res.outputs[0].metadata) &&
                   json_integer_value(json_object_get(res.outputs[0].metadata,
                                                      "cardinality")) == 1,
               "output metadata with cardinality");
    OMKT_CHECK_STR(
        json_string_value(json_object_get(res.outputs[0].metadata, "mime")),
        "video/mp4", "output mime");
    OMKT_CHECK_INT(res.outputs[1].status, OMKT_EMEDIA, "52 needs audio");
    OMKT_CHECK(strstr(res.outputs[1].message, "needs audio") != NULL,
               "52 says why: %s", res.outputs[1].message);
    OMKT_CHECK_INT(res.outputs[2].status, OMKT_ENOTFOUND, "4242 unknown");
    OMKT_CHECK(w.calls >= 2 && w.last == 1.0 && w.is_monotonic,
               "progress: %d calls, last %.2f", w.calls, w.last);
    OMKT_CHECK_INT(count_files(out), 1, "only 11.mp4 in the directory");
    omkt_transcode_result_clear(&res);
}

static void test_cancel(const char *src)
{
    struct watch w = {.is_monotonic = true, .cancel_after = 10};
    struct omkt_transcode_opts o = {
        .should_stop_fn = should_stop, .stop_ctx = &w, .tmp_tag = "unit-2"};
    volatile int stop = 0;
    int ids[] = {11, 101};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    char out[600];

    snprintf(out, sizeof(out), "%s/cancel", tmpdir);
    mkdir(out, 0750);
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 2, &o, &res, &eb),
                   OMKT_ECANCELLED, "cancelled: %s", eb.msg);
    OMKT_CHECK_INT(res.outputs[1].status, OMKT_ECANCELLED, "entry says so");
    OMKT_CHECK_INT(count_files(out), 0, "nothing left after cancel");
    omkt_transcode_result_clear(&res);

    o.should_stop_fn = NULL;
    o.stop = &stop;
    stop = 1;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 2, &o, &res, &eb),
                   OMKT_ESHUTDOWN, "shutdown: %s", eb.msg);
    OMKT_CHECK_INT(count_files(out), 0, "nothing left after shutdown");
    omkt_transcode_result_clear(&res);
}

/* track_str - key @k of the first track of @meta, or "". */
static const char *track_str(json_t *meta, const char *k)
{
    json_t *t = json_array_get(json_object_get(meta, "tracks"), 0);
    const char *v = json_string_value(json_object_get(t, k));

    return v ? v : "";
}

/* job_setting - a setting of @json with id @id (new), or NULL. */
static struct omkt_setting *job_setting(const char *json, int id)
{
    struct omkt_errbuf eb = {0};
    struct omkt_setting *s = NULL;
    json_t *j = json_loads(json, 0, NULL);

    OMKT_CHECK_INT(omkt_setting_from_json(j, id, &s, &eb), OMKT_OK,
                   "job setting %d: %s", id, eb.msg);
    json_decref(j);
    return s;
}

static void test_job_settings(const char *src)
{
    struct omkt_setting *s[2] = {
        job_setting("{\"based_on\":11,\"size\":\"32x32\",\"video\":"
                    "{\"filter\":\"crop=32:48:0:0,hflip\",\"fps\":10},"
                    "\"audio\":null}",
                    11),
        job_setting("{\"based_on\":12,\"video\":{\"filter\":"
                    "\"crop=999:999\"}}",
                    12)};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    json_t *m;
    char out[600];
    int rc;

    snprintf(out, sizeof(out), "%s/job", tmpdir);
    mkdir(out, 0750);
    if (s[0] == NULL || s[1] == NULL)
        goto out;
    rc = omkt_transcode_with(src, out, (const struct omkt_setting **)s, 2, NULL,
                             &res, &eb);
    OMKT_CHECK_INT(rc, OMKT_EMEDIA, "the bad filter fails: %s", eb.msg);
    m = res.outputs[0].metadata;
    OMKT_CHECK_INT(res.outputs[0].status, OMKT_OK, "job 11 ok: %s",
                   res.outputs[0].message);
    OMKT_CHECK(strcmp(track_str(m, "width"), "22") == 0 &&
                   strcmp(track_str(m, "height"), "32") == 0,
               "cropped 32x48 fit in 32x32: %sx%s", track_str(m, "width"),
               track_str(m, "height"));
    OMKT_CHECK_STR(track_str(m, "frames"), "20", "10 fps: 20 frames in 2 s");
    OMKT_CHECK_INT(res.outputs[1].status, OMKT_EMEDIA, "crop too big fails");
    OMKT_CHECK(strstr(res.outputs[1].message, "filter") != NULL,
               "and says so: %s", res.outputs[1].message);
    OMKT_CHECK_INT(count_files(out), 1, "only 11.mp4 in the directory");
    omkt_transcode_result_clear(&res);
out:
    omkt_setting_free(s[0]);
    omkt_setting_free(s[1]);
}

/* An option no encoder or muxer takes is an error, not silently ignored. */
static void test_unknown_options(const char *src)
{
    static const struct {
        const char *json;
        const char *what;
    } c[] = {
        {"{\"based_on\":11,\"video\":{\"options\":\"nosuchopt=1\"}}",
         "video encoder option 'nosuchopt'"},
        {"{\"based_on\":12,\"video\":{\"options\":\"preset=veryfast:"
         "bogus=3\"}}",
         "video encoder option 'bogus'"},
        {"{\"based_on\":11,\"format_options\":\"movflags=+faststart:"
         "nosuchmux=2\"}",
         "muxer option 'nosuchmux'"},
    };
    char out[600];

    snprintf(out, sizeof(out), "%s/opts", tmpdir);
    mkdir(out, 0750);
    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct omkt_setting *s = job_setting(c[i].json, 11);
        struct omkt_transcode_result res;
        struct omkt_errbuf eb = {0};

        if (s == NULL)
            continue;
        OMKT_CHECK_INT(omkt_transcode_with(src, out,
                                           (const struct omkt_setting **)&s, 1,
                                           NULL, &res, &eb),
                       OMKT_EINVAL, "case %zu fails: %s", i, eb.msg);
        OMKT_CHECK(strstr(res.outputs[0].message, c[i].what) != NULL,
                   "case %zu names it: %s", i, res.outputs[0].message);
        OMKT_CHECK_INT(count_files(out), 0, "case %zu: no file left", i);
        omkt_transcode_result_clear(&res);
        omkt_setting_free(s);
    }
}

/* run_one - setting @json (id 11) of @src into a fresh @sub dir. */
static int run_one(const char *src, const char *json, const char *sub,
                   const struct omkt_out_limits *lim, char *msg, size_t size)
{
    struct omkt_setting *s = job_setting(json, 11);
    struct omkt_transcode_opts o = {.limits = lim};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    char out[600];
    int rc;

    snprintf(out, sizeof(out), "%s/%s", tmpdir, sub);
    mkdir(out, 0750);
    if (s == NULL)
        return -1000;
    rc = omkt_transcode_with(src, out, (const struct omkt_setting **)&s, 1, &o,
                             &res, &eb);
    snprintf(msg, size, "%s", res.outputs[0].message);
    OMKT_CHECK_INT(count_files(out), rc == OMKT_OK ? 1 : 0,
                   "%s: files left as expected", sub);
    omkt_transcode_result_clear(&res);
    omkt_setting_free(s);
    return rc;
}

/* Output duration and pixel rate are bounded relative to the source, and
 * an output stretched by a filter is stopped early. */
static void test_limits(const char *src)
{
    struct omkt_out_limits px = {200, 10000, 400, 0};
    char msg[OMKT_ERRBUF_LEN + 64];
    const char *from;
    double out_s = 0, in_s = 99;

    OMKT_CHECK_INT(run_one(src,
                           "{\"based_on\":11,\"audio\":null,\"video\":"
                           "{\"filter\":\"setpts=20*PTS\"}}",
                           "lim1", NULL, msg, sizeof(msg)),
                   OMKT_ETOOBIG, "2 s stretched to 40 s fails: %s", msg);
    from = strstr(msg, "longer than allowed: ");
    OMKT_CHECK(from != NULL && sscanf(from,
                                      "longer than allowed: %lf s from "
                                      "%lf s",
                                      &out_s, &in_s) == 2,
               "says how long: %s", msg);
    OMKT_CHECK(in_s < 1.0 && out_s < 12.0,
               "stopped early: %.2f s out of %.2f s read", out_s, in_s);
    OMKT_CHECK_INT(run_one(src,
                           "{\"based_on\":11,\"audio\":null,\"video\":"
                           "{\"filter\":\"setpts=1.5*PTS\"}}",
                           "lim2", NULL, msg, sizeof(msg)),
                   OMKT_OK, "1.5 times as long is fine: %s", msg);
    OMKT_CHECK_INT(run_one(src, "{\"based_on\":11,\"audio\":null}", "lim3", &px,
                           msg, sizeof(msg)),
                   OMKT_ETOOBIG, "64x48 to 320x240 over 4x the pixel rate: %s",
                   msg);
    OMKT_CHECK(strstr(msg, "pixels/s") != NULL, "says why: %s", msg);
    px.pixel_rate_max = 320 * 240 * 25;
    OMKT_CHECK_INT(run_one(src, "{\"based_on\":11,\"audio\":null}", "lim4", &px,
                           msg, sizeof(msg)),
                   OMKT_OK, "within the absolute cap: %s", msg);
}

/* A source cut short (a truncated upload) is transcoded as far as it
 * decodes, and every output's metadata says so. */
static void test_cut(const char *src)
{
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    char out[600], whole[700], cut[700];
    int ids[] = {11};
    json_t *sc;
    FILE *in, *to;
    long size;
    char *buf;

    snprintf(out, sizeof(out), "%s/cut", tmpdir);
    mkdir(out, 0750);
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 1, NULL, &res, &eb), OMKT_OK,
                   "whole: %s", eb.msg);
    OMKT_CHECK(res.n == 1 && json_object_get(res.outputs[0].metadata,
                                             "source_cut") == NULL,
               "a whole source is not cut");
    omkt_transcode_result_clear(&res);
    /* its first 30 %: the moov (faststart) says 2 s, the data ~0.6 s */
    snprintf(whole, sizeof(whole), "%s/11.mp4", out);
    snprintf(cut, sizeof(cut), "%s/cut.mp4", tmpdir);
    in = fopen(whole, "rb");
    to = fopen(cut, "wb");
    if (in == NULL || to == NULL || fseek(in, 0, SEEK_END) != 0)
        return;
    size = ftell(in);
    rewind(in);
    buf = omkt_xmalloc((size_t)size);
    if (fread(buf, 1, (size_t)size, in) == (size_t)size)
        fwrite(buf, 1, (size_t)(size * 3 / 10), to);
    free(buf);
    fclose(in);
    fclose(to);
    snprintf(out, sizeof(out), "%s/cut2", tmpdir);
    mkdir(out, 0750);
    OMKT_CHECK_INT(omkt_transcode(cut, out, ids, 1, NULL, &res, &eb), OMKT_OK,
                   "the readable part is transcoded: %s", eb.msg);
    sc = res.n == 1 ? json_object_get(res.outputs[0].metadata, "source_cut")
                    : NULL;
    OMKT_CHECK(json_is_object(sc), "the metadata says the source is cut");
    OMKT_CHECK(sc != NULL &&
                   atof(json_string_value(json_object_get(sc, "time"))) < 1.0 &&
                   strcmp(json_string_value(json_object_get(sc, "announced")),
                          "2.00") == 0,
               "decoded %s s of %s s",
               json_string_value(json_object_get(sc, "time")),
               json_string_value(json_object_get(sc, "announced")));
    omkt_transcode_result_clear(&res);
}

/* halve_duration - the Matroska Duration of file @path, halved in place
 * (a container announcing less than it holds). */
static bool halve_duration(const char *path)
{
    unsigned char buf[4096], *d;
    FILE *f = fopen(path, "r+b");
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    uint64_t bits = 0;
    double v;

    d = n > 3 ? memmem(buf, n - 3, "\x44\x89\x88", 3) : NULL;
    if (d == NULL || d + 11 > buf + n) {
        if (f != NULL)
            fclose(f);
        return false;
    }
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | d[3 + i];
    memcpy(&v, &bits, sizeof(v));
    v /= 2;
    memcpy(&bits, &v, sizeof(v));
    for (int i = 7; i >= 0; i--, bits >>= 8)
        d[3 + i] = (unsigned char)(bits & 0xff);
    fseek(f, (long)(d - buf), SEEK_SET);
    fwrite(d, 1, 11, f);
    return fclose(f) == 0;
}

/* Progress reaches 1 only once the outputs are written and published,
 * even when the source holds more than its container announces (here a
 * WebM saying 1 s of its 2 s). */
static void test_progress_end(const char *src)
{
    struct watch w = {.is_monotonic = true, .cancel_after = -1};
    struct omkt_transcode_opts o = {.progress_fn = on_progress,
                                    .progress_ctx = &w,
                                    .should_stop_fn = should_stop,
                                    .stop_ctx = &w,
                                    .tmp_tag = "unit-p"};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    char out[600], webm[700], mp4[700];
    int ids[] = {21}, ids2[] = {11};

    snprintf(out, sizeof(out), "%s/progress", tmpdir);
    mkdir(out, 0750);
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 1, NULL, &res, &eb), OMKT_OK,
                   "webm source: %s", eb.msg);
    omkt_transcode_result_clear(&res);
    snprintf(webm, sizeof(webm), "%s/21.webm", out);
    OMKT_CHECK(halve_duration(webm), "webm duration halved");
    snprintf(mp4, sizeof(mp4), "%s/11.mp4", out);
    w.output = mp4;
    w.sleep_ms = 20; /* progress (every 250 ms) seen all along the run */
    OMKT_CHECK_INT(omkt_transcode(webm, out, ids2, 1, &o, &res, &eb), OMKT_OK,
                   "transcode: %s", eb.msg);
    OMKT_CHECK(w.max_running > 0.5, "progress seen late in the run (%.2f)",
               w.max_running);
    OMKT_CHECK_INT(w.early_full, 0, "no 100 %% before the output is there");
    OMKT_CHECK(w.last == 1.0 && w.is_monotonic, "ends at 100 %% (%.2f)",
               w.last);
    omkt_transcode_result_clear(&res);
}

/* A cancel that arrives while the outputs drain (after the last packet,
 * before publishing) is a cancel: ECANCELLED, nothing published.  Inline
 * outputs (threads = 1) make the calls to should_stop the same on every
 * run: count them, then cancel at the last one. */
static void test_cancel_in_drain(const char *src)
{
    struct watch w = {.is_monotonic = true, .cancel_after = INT_MAX};
    struct omkt_transcode_opts o = {.should_stop_fn = should_stop,
                                    .stop_ctx = &w,
                                    .threads = 1,
                                    .tmp_tag = "unit-d"};
    struct omkt_transcode_result res;
    struct omkt_errbuf eb = {0};
    int ids[] = {11};
    char out[600];

    snprintf(out, sizeof(out), "%s/drain", tmpdir);
    mkdir(out, 0750);
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 1, &o, &res, &eb), OMKT_OK,
                   "counting run: %s", eb.msg);
    omkt_transcode_result_clear(&res);
    snprintf(out, sizeof(out), "%s/drain2", tmpdir);
    mkdir(out, 0750);
    w.cancel_after = w.stop_calls - 1;
    w.stop_calls = 0;
    OMKT_CHECK_INT(omkt_transcode(src, out, ids, 1, &o, &res, &eb),
                   OMKT_ECANCELLED, "cancelled at call %d: %s",
                   w.cancel_after + 1, eb.msg);
    OMKT_CHECK_INT(count_files(out), 0, "nothing published");
    omkt_transcode_result_clear(&res);
}

int main(void)
{
    const char *base = getenv("OMKT_TMP");
    const char *src;

    av_log_set_level(AV_LOG_QUIET);
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_media_transcode.XXXXXX",
             base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    src = write_y4m();
    test_ok_and_partial_failure(src);
    test_cancel(src);
    test_job_settings(src);
    test_unknown_options(src);
    test_limits(src);
    test_cut(src);
    test_progress_end(src);
    test_cancel_in_drain(src);
    return omkt_test_done();
}

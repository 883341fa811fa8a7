/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_cli - segment-parallel transcoding of one file in one process,
 * for tests/media/test_segments.sh: the engine's scan, plan, segment
 * encodes, audio and join (media/segment_*.h) in the order the job
 * queue will run them, without the database.
 *
 *   segment_cli split SRC OUTDIR SETTING LENGTH_MS WORKDIR [BOUNDS]
 *
 * BOUNDS ("4.04,8", seconds) replaces the plan, to make bad splits on
 * purpose: the tests show that their checks see them.
 * prints "bounds: T1 T2 ..." (seconds), one "segment I START END FRAMES"
 * line per segment and "joined FRAMES", leaves OUTDIR/<id>.<ext> and
 * removes the intermediate files from WORKDIR.  Exit 0 on success.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "common/log.h"
#include "common/parse.h"
#include "common/fsops.h"
#include "common/path.h"
#include "media/avlog.h"
#include "media/segment_encode.h"
#include "media/segment_join.h"
#include "media/segment_plan.h"

struct split {
    const char *src, *outdir, *workdir;
    const char *forced; /* BOUNDS, or NULL */
    const struct omkt_setting *set;
    int64_t length_ms;
    int64_t *bounds;
    size_t n_bounds;
    bool has_audio;
};

/* force - the boundaries of BOUNDS. */
static int force(struct split *sp)
{
    const char *c = sp->forced;
    char *end;

    sp->bounds = calloc(strlen(c) + 1, sizeof(*sp->bounds));
    if (sp->bounds == NULL)
        return OMKT_ENOMEM;
    while (*c != 0) {
        sp->bounds[sp->n_bounds++] = (int64_t)(strtod(c, &end) * 1e6 + 0.5);
        if (end == c || (*end != ',' && *end != 0))
            return OMKT_EINVAL;
        c = *end == ',' ? end + 1 : end;
    }
    return OMKT_OK;
}

/* plan - scan and plan; prints the boundaries. */
static int plan(struct split *sp, struct omkt_errbuf *eb)
{
    struct omkt_segment_src ss;
    int ret = omkt_segment_scan(sp->src, NULL, &ss, eb);

    if (ret != OMKT_OK)
        return ret;
    ret = sp->forced != NULL
              ? force(sp)
              : omkt_segment_plan(ss.key_us, ss.n_keys, ss.duration_us,
                                  sp->length_ms * 1000, &sp->bounds,
                                  &sp->n_bounds);
    sp->has_audio = ss.has_audio;
    printf("keys: %zu, duration %.3f s, audio %s\nbounds:", ss.n_keys,
           (double)ss.duration_us / 1e6, ss.has_audio ? "yes" : "no");
    for (size_t i = 0; i < sp->n_bounds; i++)
        printf(" %.6f", (double)sp->bounds[i] / 1e6);
    printf("\n");
    omkt_segment_src_clear(&ss);
    return ret;
}

/* encode_all - every segment, then the audio. */
static int encode_all(const struct split *sp, struct omkt_errbuf *eb)
{
    const char *threads = getenv("OMKT_TEST_THREADS"); /* as media_cli's */
    struct omkt_transcode_opts opts = {0};
    int ret = OMKT_OK;

    if (threads != NULL && omkt_parse_int(threads, &opts.threads) != OMKT_OK)
        opts.threads = 0; /* as without it: automatic */
    for (size_t i = 0; i <= sp->n_bounds && ret == OMKT_OK; i++) {
        struct omkt_segment_spec spec = {
            .set = sp->set,
            .index = (int)i,
            .start_us = i == 0 ? 0 : sp->bounds[i - 1],
            .end_us = i < sp->n_bounds ? sp->bounds[i] : OMKT_SEGMENT_END,
        };
        int64_t frames = 0;

        ret = omkt_segment_encode(sp->src, sp->workdir, &spec, &opts, &frames,
                                  eb);
        if (ret == OMKT_OK)
            printf("segment %zu %.6f %s %" PRId64 "\n", i,
                   (double)spec.start_us / 1e6, i < sp->n_bounds ? "-" : "end",
                   frames);
    }
    if (ret == OMKT_OK && sp->has_audio)
        ret = omkt_segment_audio(sp->src, sp->workdir, sp->set, NULL, eb);
    return ret;
}

/* remove_all - the intermediate files. */
static void remove_all(const struct split *sp)
{
    char name[64], path[OMKT_PATH_MAX];

    for (int i = -1; i <= (int)sp->n_bounds; i++)
        if (omkt_segment_name(name, sizeof(name), sp->set->id, i) == OMKT_OK &&
            omkt_path_join(path, sizeof(path), sp->workdir, name) == OMKT_OK)
            (void)unlink(path); /* may not exist after a failure */
}

static int split(struct split *sp)
{
    struct omkt_errbuf eb = {0};
    struct omkt_segment_join j = {
        .set = sp->set, .dir = sp->workdir, .outdir = sp->outdir};
    int64_t frames = 0;
    int ret = plan(sp, &eb);

    if (ret == OMKT_OK)
        ret = encode_all(sp, &eb);
    j.n_segments = sp->n_bounds + 1;
    j.has_audio = sp->has_audio;
    if (ret == OMKT_OK)
        ret = omkt_segment_join(&j, &frames, &eb);
    if (ret == OMKT_OK)
        printf("joined %" PRId64 "\n", frames);
    else
        fprintf(stderr, "segment_cli: %s\n", omkt_errbuf_str(&eb, ret));
    if (getenv("SEGMENT_CLI_KEEP") == NULL) /* for debugging */
        remove_all(sp);
    free(sp->bounds);
    return ret == OMKT_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *level = getenv("OMKT_LOG_LEVEL");
    struct split sp = {0};
    int id = 0;

    if (level != NULL && omkt_log_level_parse(level) >= 0)
        omkt_log_threshold = omkt_log_level_parse(level);
    omkt_media_log_init(AV_LOG_ERROR);
    if (argc < 7 || argc > 8 || strcmp(argv[1], "split") != 0 ||
        omkt_parse_int(argv[4], &id) != OMKT_OK ||
        omkt_parse_i64(argv[5], &sp.length_ms) != OMKT_OK) {
        fprintf(stderr, "usage: segment_cli split SRC OUTDIR SETTING "
                        "LENGTH_MS WORKDIR [BOUNDS]\n");
        return 2;
    }
    sp.src = argv[2];
    sp.outdir = argv[3];
    sp.workdir = argv[6];
    sp.forced = argc == 8 ? argv[7] : NULL;
    sp.set = omkt_setting_find(id);
    if (sp.set == NULL || !omkt_segment_can_split(sp.set)) {
        fprintf(stderr, "segment_cli: setting %d cannot be split\n", id);
        return 2;
    }
    return split(&sp);
}

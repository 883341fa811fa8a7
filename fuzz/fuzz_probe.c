/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_probe - libFuzzer target: the probe of arbitrary bytes, with crop
 * detection and the first frames of every track decoded (the path an
 * uploaded file takes through metadatad).  Built by fuzz/fuzz.mk; linked
 * with fuzz/replay.c into tests/fuzz_replay_probe, it replays a corpus
 * under the normal sanitizer build (tests/media/test_fuzz_smoke.sh).
 */
#include <stddef.h>
#include <stdint.h>

#include <libavutil/log.h>

#include "media/probe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    av_log_set_level(AV_LOG_QUIET);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct omkt_probe_opts opts = {
        .want_crop = true, .decode_frames = 4, .timeout_ms = 5000};
    json_t *meta = NULL;

    if (omkt_probe_buffer(data, size, &opts, &meta, NULL) == OMKT_OK) {
        char *s = json_dumps(meta, JSON_COMPACT);

        free(s); /* serialising must work on whatever we produced */
        json_decref(meta);
    }
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_probe - the probe on in-memory inputs built here: a small
 * raw video (y4m), a WAV tone, and hostile inputs (empty, random bytes,
 * truncated, a header claiming 30000x30000 pixels).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "common/alloc.h"
#include "common/err.h"
#include "media/probe.h"
#include "omkt_test.h"

#define Y4M_W 32
#define Y4M_H 24

/* y4m - @frames frames of a 32x24 gradient; *len set; free() it. */
static unsigned char *y4m(int frames, const char *head, size_t *len)
{
    size_t fsize = Y4M_W * Y4M_H * 3 / 2;
    size_t hlen = strlen(head);
    unsigned char *buf = omkt_xmalloc(hlen + (size_t)frames * (6 + fsize));
    size_t pos = hlen;

    memcpy(buf, head, hlen);
    for (int f = 0; f < frames; f++) {
        memcpy(buf + pos, "FRAME\n", 6);
        pos += 6;
        for (size_t i = 0; i < fsize; i++)
            buf[pos + i] = (unsigned char)(i * 7 + (size_t)f * 13);
        pos += fsize;
    }
    *len = pos;
    return buf;
}

/* put_le - little-endian @v in @n bytes at @p. */
static void put_le(unsigned char *p, unsigned v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* wav - one second of 8 kHz mono 16-bit samples; free() it. */
static unsigned char *wav(size_t *len)
{
    unsigned data = 8000 * 2;
    unsigned char *b = omkt_xcalloc(1, 44 + data);

    memcpy(b, "RIFF", 4);
    put_le(b + 4, 36 + data, 4);
    memcpy(b + 8, "WAVEfmt ", 8);
    put_le(b + 16, 16, 4);
    put_le(b + 20, 1, 2);
    put_le(b + 22, 1, 2);
    put_le(b + 24, 8000, 4);
    put_le(b + 28, 16000, 4);
    put_le(b + 32, 2, 2);
    put_le(b + 34, 16, 2);
    memcpy(b + 36, "data", 4);
    put_le(b + 40, data, 4);
    for (unsigned i = 0; i < data; i += 2)
        put_le(b + 44 + i, (i * 37) & 0x3fff, 2);
    *len = 44 + data;
    return b;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_video(void)
{
    size_t len;
    unsigned char *b =
        y4m(25, "YUV4MPEG2 W32 H24 F25:1 Ip A1:1 C420jpeg\n", &len);
    struct omkt_probe_opts opts = {.want_crop = true, .decode_frames = 5};
    struct omkt_errbuf eb = {0};
    json_t *meta = NULL, *t;

    OMKT_CHECK_INT(omkt_probe_buffer(b, len, &opts, &meta, &eb), OMKT_OK,
                   "y4m: %s", eb.msg);
    t = json_array_get(json_object_get(meta, "tracks"), 0);
    OMKT_CHECK_STR(str(meta, "type"), "video", "type");
    OMKT_CHECK_STR(str(meta, "box"), "yuv4mpegpipe", "box");
    OMKT_CHECK_STR(str(meta, "time"), "1.00", "time");
    OMKT_CHECK_STR(str(meta, "time-estimate"), "00:00:01.00", "estimate");
    OMKT_CHECK_INT(json_integer_value(json_object_get(meta, "file_size")),
                   (long long)len, "file_size");
    OMKT_CHECK_STR(str(t, "width"), "32", "width");
    OMKT_CHECK_STR(str(t, "height"), "24", "height");
    OMKT_CHECK_STR(str(t, "DAR1"), "4", "DAR1");
    OMKT_CHECK_STR(str(t, "DAR2"), "3", "DAR2");
    OMKT_CHECK_STR(str(t, "fps"), "25", "fps");
    OMKT_CHECK(str(meta, "cropw") != NULL, "crop detected");
    json_decref(meta);
    free(b);
}

static void test_audio(void)
{
    size_t len;
    unsigned char *b = wav(&len);
    struct omkt_errbuf eb = {0};
    json_t *meta = NULL, *t;

    OMKT_CHECK_INT(omkt_probe_buffer(b, len, NULL, &meta, &eb), OMKT_OK,
                   "wav: %s", eb.msg);
    t = json_array_get(json_object_get(meta, "tracks"), 0);
    OMKT_CHECK_STR(str(meta, "type"), "audio", "wav type");
    OMKT_CHECK_STR(str(meta, "box"), "wav", "wav box");
    OMKT_CHECK_STR(str(meta, "bitrate"), "128", "wav bitrate");
    OMKT_CHECK_STR(str(t, "samplerate"), "8000", "samplerate");
    OMKT_CHECK_INT(json_integer_value(json_object_get(t, "channels")), 1,
                   "channels is an integer");
    json_decref(meta);
    free(b);
}

static void test_hostile(void)
{
    size_t len, i;
    unsigned char *big =
        y4m(1, "YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\n", &len);
    unsigned char *ok =
        y4m(3, "YUV4MPEG2 W32 H24 F25:1 Ip A1:1 C420jpeg\n", &len);
    unsigned char rnd[4096];
    struct omkt_probe_opts opts = {.decode_frames = 3};
    struct omkt_errbuf eb = {0};
    json_t *meta = NULL;
    unsigned seed = 12345;

    OMKT_CHECK_INT(omkt_probe_buffer(big, 1000, &opts, &meta, &eb), OMKT_EMEDIA,
                   "30000x30000 refused: %s", eb.msg);
    OMKT_CHECK(meta == NULL, "no metadata");
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_probe_buffer(ok, 0, &opts, &meta, &eb), OMKT_EMEDIA,
                   "empty: %s", eb.msg);
    for (i = 0; i < sizeof(rnd); i++) {
        seed = seed * 1103515245u + 12345u;
        rnd[i] = (unsigned char)(seed >> 16);
    }
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_probe_buffer(rnd, sizeof(rnd), &opts, &meta, &eb),
                   OMKT_EMEDIA, "random bytes: %s", eb.msg);
    for (i = 1; i < len; i += len / 7) { /* truncations: no crash */
        int rc = omkt_probe_buffer(ok, i, &opts, &meta, NULL);

        OMKT_CHECK(rc == OMKT_OK || rc == OMKT_EMEDIA, "truncated at %zu: %d",
                   i, rc);
        json_decref(meta);
        meta = NULL;
    }
    free(big);
    free(ok);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    test_video();
    test_audio();
    test_hostile();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_nommer_map - media-nommer's FFmpegNommer job_options mapped
 * onto the engine (src/apid/nommer_map.c): the catalogue setting chosen
 * by codec, format and size; the site-setting object carrying the
 * client's options (docs/media.md), for the shapes media-nommer's client
 * sends (its presets: passes of [name, value] pairs; objects; a JSON
 * string); and the refusals (unknown options, bad values, input options,
 * too many passes, contradictions).  Every mapped setting is one the
 * engine accepts (omkt_setting_from_json), as h_nommer checks.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "apid/nommer_map.h"
#include "common/alloc.h"
#include "common/err.h"
#include "media/settings.h"
#include "omkt_test.h"

/* media-nommer's web_medium preset (media_nommer_api.presets). */
#define WEB_MEDIUM                                                             \
    "{\"nommer\":\"media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer\","     \
    "\"options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"],"             \
    "[\"preset\",\"medium\"],[\"vprofile\",\"baseline\"],[\"b\",\"400k\"],"    \
    "[\"bufsize\",\"400k\"],[\"vf\",\"yadif,scale='640:trunc(ow/a/2)*2'\"],"   \
    "[\"pass\",\"1\"],[\"f\",\"mp4\"],[\"keyint_min\",\"60\"],[\"g\","         \
    "\"120\"],[\"an\",null]]},{\"outfile_options\":[[\"vcodec\",\"libx264\"]," \
    "[\"preset\",\"medium\"],[\"vprofile\",\"baseline\"],[\"b\",\"400k\"],"    \
    "[\"bufsize\",\"400k\"],[\"vf\",\"yadif,scale='640:trunc(ow/a/2)*2'\"],"   \
    "[\"pass\",\"2\"],[\"acodec\",\"libfaac\"],[\"ab\",\"128k\"],[\"async\","  \
    "\"480\"],[\"keyint_min\",\"60\"],[\"g\",\"120\"],[\"f\",\"mp4\"]],"       \
    "\"move_atom_to_front\":true}]}"

/* pass - job_options of one pass with outfile_options @pairs. */
#define PASS(pairs) "{\"options\":[{\"outfile_options\":[" pairs "]}]}"

/* map - nommer_map of @json (parsed); the setting's compact JSON (keys
 * sorted) in @out, or the refusal.  Returns the base, or -1. */
static int map(const char *json, char *out, size_t size)
{
    json_error_t jerr;
    json_t *jo = json_loads(json, JSON_DECODE_ANY, &jerr);
    json_t *setting = NULL;
    char msg[OMKT_ERRBUF_LEN];
    const char *why;
    int base = -1;
    char *text;

    if (jo == NULL) {
        snprintf(out, size, "bad test JSON: %s", jerr.text);
        return -1;
    }
    why = nommer_map(jo, &base, &setting, msg, sizeof(msg));
    json_decref(jo);
    if (why != NULL) {
        snprintf(out, size, "%s", why);
        return -1;
    }
    text = json_dumps(setting, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, size, "%s", text ? text : "(null)");
    free(text);
    json_decref(setting);
    return base;
}

static void test_base(void)
{
    static const struct {
        const char *json;
        int base;
    } c[] = {
        {WEB_MEDIUM, 13}, /* libx264, no -s: 480p */
        {PASS("[\"vcodec\",\"libx264\"],[\"s\",\"320x240\"]"), 11},
        {PASS("[\"vcodec\",\"h264\"],[\"s\",\"640x360\"]"), 12},
        {PASS("[\"s\",\"1280x720\"]"), 14},
        {PASS("[\"s\",\"1920x1080\"]"), 15},
        {PASS("[\"vcodec\",\"libvpx\"],[\"s\",\"1280x720\"]"), 24},
        {PASS("[\"f\",\"webm\"]"), 23},
        {PASS("[\"vcodec\",\"flv\"],[\"s\",\"1920x1080\"]"), 3},
        {PASS("[\"f\",\"flv\"],[\"s\",\"320x240\"]"), 1},
        {PASS("[\"vcodec\",\"mpeg2video\"],[\"s\",\"720x576\"]"), 34},
        {PASS("[\"f\",\"vob\"]"), 33},
        {PASS("[\"vn\",null],[\"acodec\",\"libmp3lame\"]"), 52},
        {PASS("[\"vn\",null],[\"f\",\"mp3\"]"), 52},
        {PASS("[\"vn\",null],[\"acodec\",\"libvorbis\"]"), 62},
        {PASS("[\"vn\",null],[\"acodec\",\"libopus\"],[\"f\",\"ogg\"]"), 62},
        {PASS("[\"vn\",null],[\"acodec\",\"aac\"]"), 72},
        {PASS(""), 13},
        {"{\"options\":[{}]}", 13}, /* a pass without outfile_options */
    };
    char out[2048];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int base = map(c[i].json, out, sizeof(out));
        struct omkt_errbuf eb = {0};
        struct omkt_setting *s = NULL;
        json_t *setting = json_loads(out, 0, NULL);

        OMKT_CHECK_INT(base, c[i].base, "case %zu base (%s)", i, out);
        OMKT_CHECK(base < 0 || omkt_setting_find(base) != NULL,
                   "case %zu: %d is in the catalogue", i, base);
        OMKT_CHECK_INT(omkt_setting_from_json(setting, base, &s, &eb), OMKT_OK,
                       "case %zu: the engine takes it: %s", i, eb.msg);
        omkt_setting_free(s);
        json_decref(setting);
    }
}

/* The setting object carries the client's options, canonicalised. */
static void test_setting(void)
{
    static const struct {
        const char *json, *want;
    } c[] = {
        {WEB_MEDIUM,
         "{\"audio\":{\"bitrate\":\"128k\",\"codec\":\"aac\",\"filter\":"
         "\"aresample=async=480\"},\"based_on\":13,\"extension\":\"mp4\","
         "\"format\":\"mp4\",\"format_options\":\"movflags=+faststart\","
         "\"mime\":\"video/mp4\",\"size\":\"source\",\"type\":\"video\","
         "\"video\":{\"bitrate\":\"400k\",\"bufsize\":\"400k\",\"codec\":"
         "\"libx264\",\"filter\":\"yadif,scale='640:trunc(ow/a/2)*2'\","
         "\"options\":\"preset=medium:profile=baseline:g=120:keyint_min="
         "60\"}}"},
        /* an object of options, numbers as JSON numbers */
        {"{\"options\":{\"outfile_options\":{\"vcodec\":\"libvpx\",\"b\":"
         "\"800k\",\"s\":\"640x360\",\"acodec\":\"vorbis\",\"ab\":128000,"
         "\"ar\":44100,\"ac\":2,\"f\":\"webm\",\"r\":\"30000/1001\"}}}",
         "{\"audio\":{\"bitrate\":\"128000\",\"channels\":2,\"codec\":"
         "\"libvorbis\",\"samplerate\":44100},\"based_on\":22,\"extension\":"
         "\"webm\",\"format\":\"webm\",\"mime\":\"video/webm\",\"size\":"
         "\"640x360\",\"type\":\"video\",\"video\":{\"bitrate\":\"800k\","
         "\"codec\":\"libvpx\",\"fps\":\"30000/1001\"}}"},
        /* audio only */
        {PASS("[\"vn\",null],[\"acodec\",\"mp3\"],[\"ab\",\"192k\"],[\"f\","
              "\"mp3\"]"),
         "{\"audio\":{\"bitrate\":\"192k\",\"codec\":\"libmp3lame\"},"
         "\"based_on\":52,\"extension\":\"mp3\",\"format\":\"mp3\",\"mime\":"
         "\"audio/mpeg\",\"size\":\"source\",\"type\":\"audio\",\"video\":"
         "null}"},
        /* no audio; movflags given; flags and ignored options */
        {PASS("[\"an\"],[\"movflags\",\"+faststart\"],[\"threads\",\"0\"],"
              "[\"pass\",\"1\"],[\"maxrate\",\"2M\"],[\"c:v\",\"libx264\"]"),
         "{\"audio\":null,\"based_on\":13,\"format_options\":\"movflags=+"
         "faststart\",\"size\":\"source\",\"type\":\"video\",\"video\":{"
         "\"codec\":\"libx264\",\"maxrate\":\"2M\"}}"},
    };
    char out[2048];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        (void)map(c[i].json, out, sizeof(out));
        OMKT_CHECK_STR(out, c[i].want, "setting %zu", i);
    }
}

/* The shapes job_options arrive in give the same mapping. */
static void test_shapes(void)
{
    static const char *const c[] = {
        PASS("[\"vcodec\",\"libvpx\"],[\"s\",\"640x360\"]"),
        "{\"options\":{\"outfile_options\":[[\"vcodec\",\"libvpx\"],[\"s\","
        "\"640x360\"]]}}",
        "[{\"outfile_options\":{\"vcodec\":\"libvpx\",\"s\":\"640x360\"}}]",
        "{\"outfile_options\":[[\"vcodec\",\"libvpx\"],[\"s\",\"640x360\"]]}",
        "\"{\\\"options\\\":[{\\\"outfile_options\\\":[[\\\"vcodec\\\","
        "\\\"libvpx\\\"],[\\\"s\\\",\\\"640x360\\\"]]}]}\"",
        "{\"options\":[{\"infile_options\":[],\"outfile_options\":[[\"vcodec\","
        "\"libvpx\"],[\"s\",\"640x360\"]]}]}",
    };
    char want[2048], out[2048];

    OMKT_CHECK_INT(map(c[0], want, sizeof(want)), 22, "the reference shape");
    for (size_t i = 1; i < OMKT_ARRAY_LEN(c); i++) {
        OMKT_CHECK_INT(map(c[i], out, sizeof(out)), 22, "shape %zu: %s", i,
                       out);
        OMKT_CHECK_STR(out, want, "shape %zu: same setting", i);
    }
}

static void test_refused(void)
{
    static const struct {
        const char *json, *want; /* want: a prefix of the reason */
    } c[] = {
        {PASS("[\"x264opts\",\"keyint=25\"]"), "unsupported option -x264opts"},
        {PASS("[\"i\",\"/etc/passwd\"]"), "unsupported option -i"},
        {PASS("[\"b\",\"fast\"]"), "bad value for -b: fast"},
        {PASS("[\"b\",\"1k2\"]"), "bad value for -b"},
        {PASS("[\"s\",\"10x10\"]"), "bad value for -s"},
        {PASS("[\"s\",\"640x360x2\"]"), "bad value for -s"},
        {PASS("[\"ar\",\"7999\"]"), "bad value for -ar"},
        {PASS("[\"ac\",\"9\"]"), "bad value for -ac"},
        {PASS("[\"vcodec\",\"libx265\"]"), "bad value for -vcodec"},
        {PASS("[\"f\",\"image2\"]"), "bad value for -f"},
        {PASS("[\"vf\",\"scale=1:1;[x]movie=/a\"]"), "bad value for -vf"},
        {PASS("[\"af\",\"volume=0.5|1\"]"), "bad value for -af"},
        {PASS("[\"an\",\"1\"]"), "bad value for -an"},
        {PASS("[\"vcodec\"]"), "bad value for -vcodec: (none)"},
        {PASS("[\"pass\",\"3\"]"), "bad value for -pass"},
        {PASS("[\"g\",\"0\"]"), "bad value for -g"},
        {PASS("[\"ab\",[1]]"), "outfile_options: [name, value] pairs"},
        {PASS("[\"b\",\"1k\",\"x\"]"), "outfile_options: [name, value] pairs"},
        {PASS("\"b\""), "outfile_options: [name, value] pairs"},
        {"{\"options\":[{\"outfile_options\":\"-b 1k\"}]}",
         "outfile_options: [name, value] pairs"},
        {"{\"options\":[{\"infile_options\":[[\"ss\",\"10\"]]}]}",
         "each pass is an object; infile_options are not supported"},
        {"{\"options\":[1]}", "each pass is an object"},
        {"{\"options\":[{},{},{}]}", "job_options: one or two passes"},
        {"{\"options\":[]}", "job_options: one or two passes"},
        {"42", "job_options: one or two passes"},
        {"\"not json\"", "job_options: one or two passes"},
        {PASS("[\"an\",null],[\"vn\",null]"), "-an and -vn together"},
        {PASS("[\"vcodec\",\"libvpx\"],[\"preset\",\"fast\"]"),
         "-preset and -profile apply to libx264 only"},
        {PASS("[\"vn\",null],[\"profile\",\"high\"]"),
         "-preset and -profile apply to libx264 only"},
        /* a bad first pass refuses the job although the last is fine */
        {"{\"options\":[{\"outfile_options\":[[\"q\",\"1\"]]},{}]}",
         "unsupported option -q"},
    };
    char out[2048];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int base = map(c[i].json, out, sizeof(out));

        OMKT_CHECK_INT(base, -1, "refused %zu", i);
        OMKT_CHECK(strncmp(out, c[i].want, strlen(c[i].want)) == 0,
                   "refused %zu: \"%s\" starts with \"%s\"", i, out, c[i].want);
    }
    OMKT_CHECK_INT(map("null", out, sizeof(out)), -1, "null job_options");
}

/*
 * A refusal quotes the client's text cut to a length: the cut must not
 * split a UTF-8 character, or jansson refuses the reply h_nommer builds
 * from it (the client then got an empty body instead of the reason).
 */
static void test_reason_utf8(void)
{
    static const struct {
        const char *key;
        int pad; /* ASCII bytes before the two-byte character */
    } c[] = {
        {"b", 79}, {"b", 78}, {"b", 200}, {NULL, 39}, {NULL, 38}, {NULL, 100},
    };
    char json[1024], text[512], out[2048];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        json_t *j;

        memset(text, '1', (size_t)c[i].pad);
        memcpy(text + c[i].pad, "\xc3\xa9", 3); /* U+00E9, NUL included */
        if (c[i].key != NULL)
            snprintf(json, sizeof(json), PASS("[\"%s\",\"%s\"]"), c[i].key,
                     text);
        else
            snprintf(json, sizeof(json), PASS("[\"x%s\",\"1\"]"), text);
        OMKT_CHECK_INT(map(json, out, sizeof(out)), -1, "utf8 %zu refused", i);
        j = json_string(out);
        OMKT_CHECK(j != NULL, "utf8 %zu: the reason is UTF-8", i);
        json_decref(j);
    }
}

int main(void)
{
    test_base();
    test_setting();
    test_shapes();
    test_refused();
    test_reason_utf8();
    return omkt_test_done();
}

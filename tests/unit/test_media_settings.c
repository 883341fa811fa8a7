/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_settings - the catalogue table, its app_get_settings view,
 * site settings files, output geometry, and zip archives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "common/alloc.h"
#include "common/err.h"
#include "media/geometry.h"
#include "media/settings.h"
#include "media/ufilter.h"
#include "media/zip.h"
#include "omkt_test.h"

static char tmpdir[512];

static void test_catalogue(void)
{
    static const int ids[] = {1,  2,  3,  11, 12, 13, 14, 15,  21,  22,
                              23, 24, 25, 31, 32, 33, 34, 35,  51,  52,
                              53, 61, 62, 63, 71, 72, 73, 101, 1001};
    json_t *cat = omkt_settings_catalogue_json();
    json_t *e = json_object_get(cat, "14");

    for (size_t i = 0; i < OMKT_ARRAY_LEN(ids); i++)
        OMKT_CHECK(omkt_setting_find(ids[i]) != NULL, "setting %d", ids[i]);
    OMKT_CHECK(omkt_setting_find(4) == NULL, "no setting 4");
    OMKT_CHECK_INT(omkt_settings_count(), OMKT_ARRAY_LEN(ids), "count");
    OMKT_CHECK_INT(json_object_size(cat), OMKT_ARRAY_LEN(ids), "json size");
    OMKT_CHECK_STR(json_string_value(json_object_get(e, "id")), "14", "id");
    OMKT_CHECK_STR(json_string_value(json_object_get(e, "size_169")),
                   "1280x720", "size_169");
    OMKT_CHECK_STR(json_string_value(json_object_get(e, "size_43")), "960x720",
                   "size_43");
    OMKT_CHECK_STR(json_string_value(json_object_get(e, "extension")), "mp4",
                   "extension");
    OMKT_CHECK(json_object_get(e, "vcodec") == NULL &&
                   json_object_get(e, "vopts") == NULL,
               "no encoder options exposed");
    OMKT_CHECK_STR(json_string_value(json_object_get(
                       json_object_get(cat, "101"), "cardinality")),
                   "40", "thumbnails cardinality");
    json_decref(cat);
}

static void test_geometry(void)
{
    static const struct {
        int w, h, sn, sd, rot, ow, oh;
        int mode; /* 0: snap to the boxes, 1: fit, 2: source size */
    } c[] = {
        {1920, 1080, 1, 1, 0, 640, 360, 0},  /* 16:9 */
        {640, 480, 1, 1, 0, 480, 360, 0},    /* 4:3 */
        {720, 576, 16, 15, 0, 480, 360, 0},  /* DV PAL 4:3 anamorphic */
        {720, 576, 64, 45, 0, 640, 360, 0},  /* DV PAL 16:9 anamorphic */
        {1920, 800, 1, 1, 0, 640, 266, 0},   /* 2.4:1 inside the 16:9 box */
        {1000, 1000, 1, 1, 0, 360, 360, 0},  /* square */
        {1920, 1080, 1, 1, 90, 360, 640, 0}, /* portrait phone */
        {1080, 1920, 1, 1, 0, 360, 640, 0},  /* portrait coded */
        {640, 480, 1, 1, 270, 360, 480, 0},  /* 4:3 turned */
        {1280, 1024, 1, 1, 0, 450, 360, 0},  /* 5:4 */
        /* fit (media-nommer -s 640x360): the aspect kept, no snapping */
        {640, 480, 1, 1, 0, 480, 360, 1},
        {1920, 1080, 1, 1, 0, 640, 360, 1},
        {720, 576, 16, 15, 0, 480, 360, 1},
        {1080, 1920, 1, 1, 0, 202, 360, 1},
        /* source size: the display size, even, square pixels */
        {720, 576, 16, 15, 0, 768, 576, 2},
        {1920, 1080, 1, 1, 90, 1080, 1920, 2},
        {321, 241, 1, 1, 0, 322, 242, 2},
        {16384, 4096, 1, 1, 0, 8192, 2048, 2},
        /* scale=400:trunc(ow/a/2)*2 of 1280x720 gives 400x224 with SAR
         * 224:225: the scaler's rounding, kept at the size asked for */
        {400, 224, 224, 225, 0, 400, 224, 2},
        {720, 480, 10, 11, 0, 654, 480, 2}, /* NTSC 4:3: anamorphic */
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct omkt_geom_src s = {c[i].w, c[i].h, c[i].sn, c[i].sd, c[i].rot};
        struct omkt_geom_box box = {
            480, 360, 640, 360, c[i].mode == 1, c[i].mode == 2};
        int w = 0, h = 0;

        if (c[i].mode == 1) /* one box for both aspects, as -s gives */
            box.w43 = 640;
        OMKT_CHECK_INT(omkt_geom_fit(&s, &box, &w, &h), OMKT_OK, "fit %zu", i);
        OMKT_CHECK(w == c[i].ow && h == c[i].oh && w % 2 == 0 && h % 2 == 0,
                   "case %zu: %dx%d, want %dx%d", i, w, h, c[i].ow, c[i].oh);
    }
    OMKT_CHECK_INT(omkt_geom_rotation(-90.0), 270, "rotation -90");
    OMKT_CHECK_INT(omkt_geom_rotation(450.0), 90, "rotation 450");
    {
        struct omkt_geom_src bad = {0, 10, 1, 1, 0};
        struct omkt_geom_box box = {480, 360, 640, 360, false, false};
        int w, h;

        OMKT_CHECK_INT(omkt_geom_fit(&bad, &box, &w, &h), OMKT_EINVAL,
                       "zero width");
    }
}

/* write_file - @text into tmpdir/@name; returns the path (static). */
static const char *write_file(const char *name, const char *text)
{
    static char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static void test_site(void)
{
    static const struct {
        const char *json, *want; /* want: substring of the error */
    } bad[] = {
        {"{\"settings\":[{\"id\":12}]}", "integer > 1000"},
        {"{\"settings\":[{\"id\":1001,\"based_on\":999}]}", "1001"},
        {"{\"settings\":[{\"id\":1002,\"based_on\":11,\"video\":"
         "{\"codec\":\"nosuchcodec\"}}]}",
         "1002: unknown video encoder"},
        {"{\"settings\":[{\"id\":1003,\"based_on\":11,\"size_43\":\"3x3\"}]}",
         "1003"},
        {"{\"settings\":[{\"id\":1004,\"based_on\":52},"
         "{\"id\":1004,\"based_on\":52}]}",
         "1004: duplicate"},
        {"{\"settings\":[{\"id\":1005,\"type\":\"audio\",\"slug\":\"a\","
         "\"name\":\"a\",\"extension\":\"mp3\",\"mime\":\"audio/mpeg\"}]}",
         "1005: unknown or missing format"},
        {"[1,2]", "expected"},
    };
    const char *good = "{\"settings\":[{\"id\":1001,\"based_on\":11,"
                       "\"slug\":\"mp4-low\",\"name\":\"MP4 low\","
                       "\"video\":{\"bitrate\":\"300k\"},"
                       "\"audio\":{\"bitrate\":64000}}]}";
    struct omkt_errbuf eb = {0};
    const struct omkt_setting *s;

    OMKT_CHECK_INT(omkt_settings_load_file(write_file("good.json", good), &eb),
                   OMKT_OK, "good site file: %s", eb.msg);
    s = omkt_setting_find(1001);
    OMKT_CHECK(s != NULL && s->vbitrate == 300000 && s->abitrate == 64000 &&
                   strcmp(s->vcodec, "libx264") == 0 && s->w169 == 426,
               "site setting 1001 based on 11");
    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        omkt_errbuf_clear(&eb);
        OMKT_CHECK_INT(
            omkt_settings_load_file(write_file("bad.json", bad[i].json), &eb),
            OMKT_ECONF, "bad case %zu", i);
        OMKT_CHECK(strstr(eb.msg, bad[i].want) != NULL,
                   "bad case %zu names it: %s", i, eb.msg);
    }
    OMKT_CHECK(omkt_setting_find(1001) != NULL, "kept after a bad load");
    omkt_settings_clear();
    s = omkt_setting_find(1001);
    OMKT_CHECK(s != NULL && s->type == OMKT_SETTING_STREAMING,
               "cleared: 1001 is the built-in ladder again");
}

/* test_streaming - 1001 built in; a site ladder replaces it. */
static void test_streaming(void)
{
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"settings\":[{\"id\":1001,\"type\":\"streaming\",\"ladder\":"
         "[{\"height\":480,\"bitrate\":\"1M\"},{\"height\":360,"
         "\"bitrate\":\"1M\"}]}]}",
         "1001: a field"},
        {"{\"settings\":[{\"id\":1001,\"type\":\"streaming\",\"gop\":20}]}",
         "1001: gop"},
        {"{\"settings\":[{\"id\":1001,\"type\":\"streaming\",\"video\":"
         "{\"codec\":\"libvpx\"}}]}",
         "1001: a streaming setting encodes video with libx264"},
        {"{\"settings\":[{\"id\":1001,\"type\":\"streaming\",\"ladder\":[]}]}",
         "1001: a field"},
    };
    const char *good = "{\"settings\":[{\"id\":1001,\"type\":\"streaming\","
                       "\"gop\":4,\"ladder\":[{\"height\":144,\"bitrate\":"
                       "\"200k\"},{\"height\":360,\"bitrate\":\"700k\","
                       "\"maxrate\":\"1M\",\"bufsize\":\"2M\"}]}]}";
    const struct omkt_setting *s = omkt_setting_find(1001);
    size_t n = omkt_settings_count();
    struct omkt_errbuf eb = {0};

    OMKT_CHECK(s != NULL && s->type == OMKT_SETTING_STREAMING &&
                   s->n_rungs == 5 && s->rungs[0].height == 240 &&
                   s->rungs[4].height == 1080 && s->gop_ms == 2000,
               "built-in 1001: 240p to 1080p, GOP 2 s");
    OMKT_CHECK_INT(omkt_settings_load_file(write_file("st.json", good), &eb),
                   OMKT_OK, "site ladder: %s", eb.msg);
    s = omkt_setting_find(1001);
    OMKT_CHECK(s != NULL && s->n_rungs == 2 && s->rungs[1].height == 360 &&
                   s->rungs[1].maxrate == 1000000 && s->gop_ms == 4000 &&
                   strcmp(s->vcodec, "libx264") == 0 && s->abitrate == 128000,
               "site ladder replaces the built-in one, defaults kept");
    OMKT_CHECK_INT(omkt_settings_count(), n, "replaced, not added");
    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        omkt_errbuf_clear(&eb);
        OMKT_CHECK_INT(
            omkt_settings_load_file(write_file("bad.json", bad[i].json), &eb),
            OMKT_ECONF, "bad ladder %zu", i);
        OMKT_CHECK(strstr(eb.msg, bad[i].want) != NULL,
                   "bad ladder %zu names it: %s", i, eb.msg);
    }
    omkt_settings_clear();
}

static void test_zip(void)
{
    const char *names[] = {"a.jpg", "b.jpg"};
    char zpath[1024];
    struct omkt_errbuf eb = {0};
    zip_stat_t st;
    zip_t *za;
    void *buf = NULL;
    size_t len = 0;

    write_file("a.jpg", "AAAA");
    write_file("b.jpg", "BBBBBBBB");
    snprintf(zpath, sizeof(zpath), "%s/t.zip", tmpdir);
    OMKT_CHECK_INT(omkt_zip_files(tmpdir, names, 2, zpath, &eb), OMKT_OK,
                   "zip to file: %s", eb.msg);
    za = zip_open(zpath, ZIP_RDONLY, NULL);
    OMKT_CHECK(za != NULL && zip_get_num_entries(za, 0) == 2, "2 entries");
    if (za != NULL) {
        OMKT_CHECK(zip_stat_index(za, 1, 0, &st) == 0 &&
                       st.comp_method == ZIP_CM_STORE && st.size == 8 &&
                       strcmp(st.name, "b.jpg") == 0,
                   "stored entry b.jpg");
        zip_close(za);
    }
    OMKT_CHECK_INT(omkt_zip_files_mem(tmpdir, names, 2, &buf, &len, &eb),
                   OMKT_OK, "zip to memory");
    OMKT_CHECK(len > 12 && memcmp(buf, "PK\003\004", 4) == 0, "zip magic");
    free(buf);
    {
        const char *evil[] = {"../x", "a/b.jpg", ".", "", "x\001y"};
        const char *fine[] = {"a..b.jpg"};

        for (size_t i = 0; i < OMKT_ARRAY_LEN(evil); i++)
            OMKT_CHECK_INT(omkt_zip_files(tmpdir, &evil[i], 1, zpath, &eb),
                           OMKT_EINVAL, "refuse '%s'", evil[i]);
        write_file("a..b.jpg", "C");
        OMKT_CHECK_INT(omkt_zip_files(tmpdir, fine, 1, zpath, &eb), OMKT_OK,
                       "a name with two dots is a name: %s", eb.msg);
    }
}

static void test_ufilter(void)
{
    static const struct {
        const char *chain;
        bool is_video;
        int rc;
    } c[] = {
        {"hflip", true, OMKT_OK},
        {"crop=320:240:0:0,hflip,eq=contrast=1.2", true, OMKT_OK},
        {"scale='min(640,iw)':-2", true, OMKT_OK},
        {"volume=0.5,highpass=f=200", false, OMKT_OK},
        {"movie=/etc/passwd", true, OMKT_EINVAL},
        {"drawtext=textfile=/etc/passwd", true, OMKT_EINVAL},
        {"amovie=/etc/passwd", false, OMKT_EINVAL},
        {"hflip;[in]vflip", true, OMKT_EINVAL},
        {"[in]hflip", true, OMKT_EINVAL},
        {"hflip,", true, OMKT_EINVAL},
        {"", true, OMKT_EINVAL},
        {"volume=2", true, OMKT_EINVAL}, /* audio filter in a video chain */
        {"scale='a,b", true, OMKT_EINVAL},
        {"hflip@x", true, OMKT_EINVAL},
        {"eq=contrast=1.2\\,movie=x", true, OMKT_EINVAL},
    };
    struct omkt_errbuf eb = {0};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        omkt_errbuf_clear(&eb);
        OMKT_CHECK_INT(omkt_ufilter_check(c[i].chain, c[i].is_video, &eb),
                       c[i].rc, "ufilter case %zu: %s (%s)", i, c[i].chain,
                       eb.msg);
    }
}

static void test_job_setting(void)
{
    static const struct {
        const char *json, *want; /* want: "" or a substring of the error */
    } c[] = {
        {"{\"based_on\":11,\"size\":\"640x360\",\"video\":{\"codec\":"
         "\"libx264\",\"bitrate\":\"300k\",\"filter\":\"hflip\",\"fps\":"
         "\"30000/1001\"},\"audio\":{\"filter\":\"volume=0.5\","
         "\"channels\":1}}",
         ""},
        {"{\"based_on\":11,\"size\":\"source\",\"audio\":null}", ""},
        {"{\"based_on\":52,\"type\":\"audio\",\"video\":null}", ""},
        {"{\"based_on\":11,\"video\":{\"filter\":\"movie=/x\"}}",
         "job setting 12: video filter \"movie\" is not allowed"},
        {"{\"based_on\":11,\"video\":{\"fps\":\"fast\"}}", "wrong type"},
        {"{\"based_on\":11,\"video\":{\"fps\":120}}", "wrong type"},
        {"{\"based_on\":11,\"size\":\"641x360\"}", "wrong type"},
        {"{\"based_on\":4242}", "not a built-in"},
        {"{\"based_on\":11,\"video\":{\"codec\":\"nosuch\"}}",
         "unknown video encoder"},
        {"[1]", "not a JSON object"},
        {"{\"based_on\":13,\"format\":\"matroska\",\"extension\":"
         "\"mkv\",\"video\":{\"codec\":\"mpeg4\"}}",
         ""},
        {"{\"based_on\":13,\"format\":\"matroska\",\"format_options\":"
         "\"cluster_size_limit=100000\"}",
         ""},
    };
    struct omkt_errbuf eb = {0};
    struct omkt_setting *s = NULL;
    json_t *j;
    int rc;

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        omkt_errbuf_clear(&eb);
        j = json_loads(c[i].json, 0, NULL);
        rc = omkt_setting_from_json(j, 12, &s, &eb);
        OMKT_CHECK(c[i].want[0] ? rc != OMKT_OK && s == NULL &&
                                      strstr(eb.msg, c[i].want) != NULL
                                : rc == OMKT_OK && s != NULL && s->id == 12,
                   "job setting case %zu: rc %d, %s", i, rc, eb.msg);
        if (i == 0 && s != NULL)
            OMKT_CHECK(s->size_mode == OMKT_SIZE_FIT && s->w43 == 640 &&
                           s->h43 == 360 && s->fps_num == 30000 &&
                           s->fps_den == 1001 && s->channels == 1 &&
                           s->vbitrate == 300000 &&
                           strcmp(s->vfilter, "hflip") == 0 &&
                           strcmp(s->afilter, "volume=0.5") == 0 &&
                           strcmp(s->muxer, "mp4") == 0,
                       "job setting fields");
        if (i == 1 && s != NULL)
            OMKT_CHECK(s->acodec == NULL && s->size_mode == OMKT_SIZE_SOURCE,
                       "no audio, source size");
        if (i == 10 && s != NULL) /* 13's mp4 and x264 options don't fit */
            OMKT_CHECK(s->mux_opts == NULL && s->vopts == NULL &&
                           s->aopts == omkt_setting_find(13)->aopts,
                       "another muxer and encoder drop the base's options");
        if (i == 11 && s != NULL)
            OMKT_CHECK(s->mux_opts != NULL &&
                           strcmp(s->mux_opts, "cluster_size_limit=100000") ==
                               0 &&
                           s->vopts != NULL,
                       "options given are kept");
        omkt_setting_free(s);
        s = NULL;
        json_decref(j);
    }
}

int main(void)
{
    const char *base = getenv("OMKT_TMP");

    snprintf(tmpdir, sizeof(tmpdir), "%s/test_media_settings.XXXXXX",
             base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_catalogue();
    test_geometry();
    test_site();
    test_streaming();
    test_ufilter();
    test_job_setting();
    test_zip();
    return omkt_test_done();
}

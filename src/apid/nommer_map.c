/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nommer_map - media-nommer options onto the engine (see nommer_map.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/nommer_map.h"
#include "common/alloc.h"
#include "common/text.h"

#define PASSES_MAX 2

/* The options of the last pass, validated. */
struct nopts {
    const char *vcodec, *acodec, *f, *vf, *af, *preset, *profile;
    const char *movflags, *b, *ab, *r, *s, *bufsize, *maxrate;
    long ar, ac, g, keyint_min, async;
    bool an, vn, is_faststart;
    char store[24][32]; /* numbers given as JSON numbers, as text */
    size_t nstore;
};

/* in_list - @v is one of the NULL-terminated @list. */
static bool in_list(const char *v, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(v, *list) == 0)
            return true;
    return false;
}

/* only - every character of @v is alphanumeric or in @extra. */
static bool only(const char *v, const char *extra, size_t max)
{
    size_t n = strlen(v);

    if (n == 0 || n > max)
        return false;
    for (const char *p = v; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && strchr(extra, *p) == NULL)
            return false;
    return true;
}

/* is_rate - "400k", "2M", "128000". */
static bool is_rate(const char *v)
{
    size_t n = strlen(v);

    return only(v, ".", 16) && isdigit((unsigned char)v[0]) &&
           strspn(v, "0123456789.") >= n - 1 &&
           strchr("0123456789kKmM", v[n - 1]) != NULL;
}

/* is_size - "WxH", 16..8192 each. */
static bool is_size(const char *v)
{
    char *end = NULL;
    long w = strtol(v, &end, 10), h;

    if (end == v || *end != 'x')
        return false;
    v = end + 1;
    h = strtol(v, &end, 10);
    return end != v && *end == '\0' && w >= 16 && w <= 8192 && h >= 16 &&
           h <= 8192;
}

/* int_in - a whole decimal number in [lo, hi], or -1. */
static long int_in(const char *v, long lo, long hi)
{
    char *end = NULL;
    long x = strtol(v, &end, 10);

    return end != v && *end == '\0' && x >= lo && x <= hi ? x : -1;
}

static const char *const vcodecs[] = {"libx264",    "h264",  "libvpx",
                                      "libvpx-vp9", "flv",   "flv1",
                                      "mpeg2video", "mpeg4", NULL};
static const char *const acodecs[] = {
    "aac",       "libfaac", "libfdk_aac", "libmp3lame", "mp3",
    "libvorbis", "vorbis",  "mp2",        "libopus",    NULL};
static const char *const formats[] = {"mp4", "ipod", "mov",      "webm",
                                      "flv", "mpeg", "vob",      "mp3",
                                      "ogg", "adts", "matroska", NULL};
static const char *const profiles[] = {"baseline", "main", "high", NULL};

/* value_text - a JSON option value as text (NULL for null/flags). */
static const char *value_text(struct nopts *o, json_t *v, bool *is_ok)
{
    *is_ok = true;
    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if ((json_is_integer(v) || json_is_real(v)) &&
        o->nstore < OMKT_ARRAY_LEN(o->store)) {
        char *b = o->store[o->nstore++];

        if (json_is_integer(v))
            snprintf(b, sizeof(o->store[0]), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
        else
            snprintf(b, sizeof(o->store[0]), "%g", json_real_value(v));
        return b;
    }
    *is_ok = false;
    return NULL;
}

/* take_str - a string option checked by @is_valid; false when bad. */
static bool take_str(const char **dst, const char *v, bool is_valid)
{
    if (v == NULL || !is_valid)
        return false;
    *dst = v;
    return true;
}

/* take_int - an integer option in [lo, hi]; false when bad. */
static bool take_int(long *dst, const char *v, long lo, long hi)
{
    long x = int_in(v, lo, hi);

    if (x < 0)
        return false;
    *dst = x;
    return true;
}

/* take_flag - a flag option (no value); false when given a value. */
static bool take_flag(bool *dst, const char *v)
{
    if (v != NULL)
        return false;
    *dst = true;
    return true;
}

/* clip - how many bytes of client text @s to quote in a message: at most
 * @max, never splitting a UTF-8 character (the message goes into a JSON
 * reply, which must be valid UTF-8). */
static int clip(const char *s, size_t max)
{
    return (int)omkt_utf8_cut(s, strlen(s), max);
}
/* take_opt - one outfile option; false (and @msg) when refused. */
static bool take_opt(struct nopts *o, const char *k, const char *v, char *msg,
                     size_t size)
{
    bool ok;
    const char *vv = v ? v : "";

    if (strcmp(k, "vcodec") == 0 || strcmp(k, "c:v") == 0)
        ok = take_str(&o->vcodec, v, in_list(vv, vcodecs));
    else if (strcmp(k, "acodec") == 0 || strcmp(k, "c:a") == 0)
        ok = take_str(&o->acodec, v, in_list(vv, acodecs));
    else if (strcmp(k, "b") == 0 || strcmp(k, "b:v") == 0)
        ok = take_str(&o->b, v, is_rate(vv));
    else if (strcmp(k, "ab") == 0 || strcmp(k, "b:a") == 0)
        ok = take_str(&o->ab, v, is_rate(vv));
    else if (strcmp(k, "ar") == 0)
        ok = take_int(&o->ar, vv, 8000, 192000);
    else if (strcmp(k, "ac") == 0)
        ok = take_int(&o->ac, vv, 1, 8);
    else if (strcmp(k, "s") == 0)
        ok = take_str(&o->s, v, is_size(vv));
    else if (strcmp(k, "r") == 0)
        ok = take_str(&o->r, v, only(vv, "./", 16));
    else if (strcmp(k, "vf") == 0)
        ok = take_str(&o->vf, v, only(vv, "_=:,.+*/()'-", 512));
    else if (strcmp(k, "af") == 0)
        ok = take_str(&o->af, v, only(vv, "_=:,.+*/()'-", 512));
    else if (strcmp(k, "f") == 0)
        ok = take_str(&o->f, v, in_list(vv, formats));
    else if (strcmp(k, "preset") == 0)
        ok = take_str(&o->preset, v, only(vv, "", 16));
    else if (strcmp(k, "profile") == 0 || strcmp(k, "vprofile") == 0 ||
             strcmp(k, "profile:v") == 0)
        ok = take_str(&o->profile, v, in_list(vv, profiles));
    else if (strcmp(k, "movflags") == 0)
        ok = take_str(&o->movflags, v, only(vv, "_+-", 64));
    else if (strcmp(k, "bufsize") == 0 || strcmp(k, "maxrate") == 0)
        ok = take_str(k[0] == 'b' ? &o->bufsize : &o->maxrate, v, is_rate(vv));
    else if (strcmp(k, "g") == 0 || strcmp(k, "keyint_min") == 0)
        ok = take_int(k[0] == 'g' ? &o->g : &o->keyint_min, vv, 1, 10000);
    else if (strcmp(k, "async") == 0) /* as ffmpeg: aresample=async=N */
        ok = take_int(&o->async, vv, 1, 1000000);
    else if (strcmp(k, "pass") == 0)
        ok = int_in(vv, 1, 2) > 0; /* one decode feeds every output */
    else if (strcmp(k, "threads") == 0)
        ok = int_in(vv, 0, 64) >= 0; /* the engine sizes its threads */
    else if (strcmp(k, "an") == 0 || strcmp(k, "vn") == 0)
        ok = take_flag(k[0] == 'a' ? &o->an : &o->vn, v);
    else {
        snprintf(msg, size, "unsupported option -%.*s", clip(k, 40), k);
        return false;
    }
    if (!ok)
        snprintf(msg, size, "bad value for -%.*s: %.*s", clip(k, 40), k,
                 clip(v ? v : "(none)", 80), v ? v : "(none)");
    return ok;
}

/* take_object - outfile_options given as {"name": value}. */
static bool take_object(struct nopts *o, json_t *out, char *msg, size_t size)
{
    const char *key;
    json_t *it;
    bool is_ok = true;

    json_object_foreach(out, key, it)
    {
        const char *v = value_text(o, it, &is_ok);

        if (!is_ok) {
            snprintf(msg, size, "bad value for -%.*s", clip(key, 40), key);
            return false;
        }
        if (!take_opt(o, key, v, msg, size))
            return false;
    }
    return true;
}

/* take_pairs - outfile_options given as [["name", value], ...]. */
static bool take_pairs(struct nopts *o, json_t *out, char *msg, size_t size)
{
    json_t *it;
    size_t i;
    bool is_ok = true;

    json_array_foreach(out, i, it)
    {
        json_t *k = json_array_get(it, 0);
        const char *v = value_text(o, json_array_get(it, 1), &is_ok);

        if (!json_is_array(it) || json_array_size(it) < 1 ||
            json_array_size(it) > 2 || !json_is_string(k) || !is_ok) {
            snprintf(msg, size, "outfile_options: [name, value] pairs");
            return false;
        }
        if (!take_opt(o, json_string_value(k), v, msg, size))
            return false;
    }
    return true;
}

/* take_pass - one pass object: its outfile_options. */
static bool take_pass(struct nopts *o, json_t *pass, char *msg, size_t size)
{
    json_t *in = json_object_get(pass, "infile_options");
    json_t *out = json_object_get(pass, "outfile_options");

    if (!json_is_object(pass) ||
        (in != NULL && json_object_size(in) + json_array_size(in) > 0)) {
        snprintf(msg, size,
                 "each pass is an object; infile_options are "
                 "not supported");
        return false;
    }
    o->is_faststart = json_is_true(json_object_get(pass, "move_atom_to_front"));
    if (json_is_object(out))
        return take_object(o, out, msg, size);
    if (json_is_array(out))
        return take_pairs(o, out, msg, size);
    if (out == NULL)
        return true;
    snprintf(msg, size, "outfile_options: [name, value] pairs");
    return false;
}

/* rung - 0..4 for 240p..1080p from the height of -s (480p without). */
static int rung(const char *s)
{
    static const int heights[] = {240, 360, 480, 720};
    const char *x = s ? strchr(s, 'x') : NULL;
    long h = x ? strtol(x + 1, NULL, 10) : 480;
    int i = 0;

    while (i < 4 && h > heights[i])
        i++;
    return i;
}

/* has - @v is one of the three names. */
static bool has(const char *v, const char *a, const char *b, const char *c)
{
    return v != NULL &&
           (strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, c) == 0);
}

/* base_of - the catalogue setting nearest to the options. */
static int base_of(const struct nopts *o)
{
    int k = rung(o->s);

    if (o->vn) {
        if (has(o->acodec, "libmp3lame", "mp3", "mp3") ||
            has(o->f, "mp3", "mp3", "mp3"))
            return 52;
        if (has(o->acodec, "libvorbis", "vorbis", "libopus") ||
            has(o->f, "ogg", "ogg", "ogg"))
            return 62;
        return 72;
    }
    if (has(o->vcodec, "libvpx", "libvpx-vp9", "libvpx") ||
        has(o->f, "webm", "webm", "webm"))
        return 21 + k;
    if (has(o->vcodec, "flv", "flv1", "flv") || has(o->f, "flv", "flv", "flv"))
        return 1 + (k > 2 ? 2 : k);
    if (has(o->vcodec, "mpeg2video", "mpeg2video", "mpeg2video") ||
        has(o->f, "mpeg", "vob", "vob"))
        return 31 + k;
    return 11 + k;
}

/* is_x264 - will the video be encoded by libx264 (given or by default)? */
static bool is_x264(const struct nopts *o)
{
    int b = base_of(o);

    if (o->vcodec != NULL)
        return has(o->vcodec, "libx264", "h264", "libx264");
    return b >= 11 && b <= 15;
}

/* canon - the engine's encoder name for a client's codec name. */
static const char *canon(const char *c)
{
    static const char *const map[][2] = {
        {"h264", "libx264"},     {"libfaac", "aac"}, {"mp3", "libmp3lame"},
        {"vorbis", "libvorbis"}, {"flv1", "flv"},
    };

    for (size_t i = 0; c != NULL && i < OMKT_ARRAY_LEN(map); i++)
        if (strcmp(c, map[i][0]) == 0)
            return map[i][1];
    return c;
}

/* video_json - the "video" member, or NULL when there is nothing. */
static json_t *video_json(const struct nopts *o)
{
    char opts[160] = "";
    size_t n = 0;

    /* each part is short and checked: the buffer cannot overflow */
    if (o->preset)
        n += (size_t)snprintf(opts + n, sizeof(opts) - n, ":preset=%s",
                              o->preset);
    if (o->profile)
        n += (size_t)snprintf(opts + n, sizeof(opts) - n, ":profile=%s",
                              o->profile);
    if (o->g > 0)
        n += (size_t)snprintf(opts + n, sizeof(opts) - n, ":g=%ld", o->g);
    if (o->keyint_min > 0)
        (void)snprintf(opts + n, sizeof(opts) - n, ":keyint_min=%ld",
                       o->keyint_min);
    return json_pack("{s:s*, s:s*, s:s*, s:s*, s:s*, s:s*, s:s*}", "codec",
                     canon(o->vcodec), "bitrate", o->b, "maxrate", o->maxrate,
                     "bufsize", o->bufsize, "options",
                     opts[0] ? opts + 1 : NULL, "filter", o->vf, "fps", o->r);
}

/* container - extension and MIME type of muxer @f (NULL: keep the base's). */
static void container(const char *f, bool is_audio, const char **ext,
                      const char **mime)
{
    static const char *const map[][4] = {
        {"mp4", "mp4", "video/mp4", "audio/mp4"},
        {"ipod", "m4a", "audio/mp4", "audio/mp4"},
        {"mov", "mov", "video/quicktime", "video/quicktime"},
        {"webm", "webm", "video/webm", "audio/webm"},
        {"flv", "flv", "video/x-flv", "video/x-flv"},
        {"mpeg", "mpg", "video/mpeg", "audio/mpeg"},
        {"vob", "vob", "video/mpeg", "video/mpeg"},
        {"mp3", "mp3", "audio/mpeg", "audio/mpeg"},
        {"ogg", "ogg", "video/ogg", "audio/ogg"},
        {"adts", "aac", "audio/aac", "audio/aac"},
        {"matroska", "mkv", "video/x-matroska", "audio/x-matroska"},
    };

    *ext = NULL;
    *mime = NULL;
    for (size_t i = 0; f != NULL && i < OMKT_ARRAY_LEN(map); i++)
        if (strcmp(f, map[i][0]) == 0) {
            *ext = map[i][1];
            *mime = map[i][is_audio ? 3 : 2];
        }
}

/* setting_json - the job-setting object of docs/media.md. */
static json_t *setting_json(const struct nopts *o, int base)
{
    char fopts[96] = "";
    const char *ext, *mime;
    char af[600];
    json_t *audio;

    if (o->async > 0)
        snprintf(af, sizeof(af), "aresample=async=%ld%s%s", o->async,
                 o->af ? "," : "", o->af ? o->af : "");
    audio = json_pack("{s:s*, s:s*, s:s*}", "codec", canon(o->acodec),
                      "bitrate", o->ab, "filter", o->async > 0 ? af : o->af);

    if (o->ar > 0)
        json_object_set_new(audio, "samplerate", json_integer(o->ar));
    if (o->ac > 0)
        json_object_set_new(audio, "channels", json_integer(o->ac));
    if (o->movflags)
        snprintf(fopts, sizeof(fopts), "movflags=%s", o->movflags);
    else if (o->is_faststart) /* qt-faststart, done by the muxer */
        snprintf(fopts, sizeof(fopts), "movflags=+faststart");
    if (o->an) {
        json_decref(audio);
        audio = json_null();
    }
    container(o->f, o->vn, &ext, &mime);
    return json_pack("{s:i, s:s, s:s*, s:s*, s:s*, s:s*, s:s, s:o, s:o}",
                     "based_on", base, "type", o->vn ? "audio" : "video",
                     "format", o->f, "extension", ext, "mime", mime,
                     "format_options", fopts[0] ? fopts : NULL, "size",
                     o->s ? o->s : "source", "video",
                     o->vn ? json_null() : video_json(o), "audio", audio);
}

/* passes_of - the array of passes inside @jo (borrowed), or NULL. */
static json_t *passes_of(json_t *jo, json_t **owned)
{
    *owned = NULL;
    if (json_is_string(jo)) {
        *owned = json_loads(json_string_value(jo), JSON_DECODE_ANY, NULL);
        jo = *owned;
    }
    if (json_is_object(jo) && json_object_get(jo, "options") != NULL)
        jo = json_object_get(jo, "options");
    if (json_is_object(jo)) { /* a single pass */
        json_t *arr = json_pack("[O]", jo);

        json_decref(*owned);
        *owned = arr;
        return arr;
    }
    return json_is_array(jo) ? jo : NULL;
}

const char *nommer_map(json_t *job_options, int *base, json_t **setting,
                       char *msg, size_t size)
{
    struct nopts o;
    json_t *owned = NULL;
    json_t *passes = passes_of(job_options, &owned);
    json_t *pass;
    size_t i;
    bool is_ok = true;

    memset(&o, 0, sizeof(o));
    *setting = NULL;
    *base = 0;
    if (passes == NULL || json_array_size(passes) == 0 ||
        json_array_size(passes) > PASSES_MAX) {
        snprintf(msg, size,
                 "job_options: one or two passes of "
                 "outfile_options");
        is_ok = false;
    }
    json_array_foreach(passes, i, pass)
    {
        if (is_ok) {
            memset(&o, 0, sizeof(o)); /* the last pass makes the output */
            is_ok = take_pass(&o, pass, msg, size);
        }
    }
    if (is_ok && o.an && o.vn) {
        snprintf(msg, size, "-an and -vn together leave nothing to encode");
        is_ok = false;
    }
    if (is_ok && (o.preset || o.profile) && !is_x264(&o)) {
        snprintf(msg, size, "-preset and -profile apply to libx264 only");
        is_ok = false;
    }
    if (is_ok) {
        *base = base_of(&o);
        *setting = setting_json(&o, *base);
    }
    json_decref(owned);
    return is_ok ? NULL : msg;
}

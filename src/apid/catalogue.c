/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * catalogue - the OMKT settings catalogue as the reference publishes it
 * (see catalogue.h).  The rows below are the data of omk-server's
 * modules/api/libs/settings.php: ids, slugs, names, technical texts,
 * extensions, "recommend" marks, box sizes and cardinalities, unchanged
 * (tests/api/test_omkt.sh compares every field).
 */
#include <stdbool.h>
#include <stdio.h>

#include "apid/catalogue.h"
#include "common/alloc.h"
#include "media/settings.h"

/* One entry of the reference's catalogue. */
struct ref_setting {
    int id;
    const char *slug;
    const char *name;
    const char *technical;
    const char *extension;
    bool is_recommended;
    const char *size_43;
    const char *size_169;
    int cardinality;
};

/* ref - the reference's 28 settings, in its order; all of type "video". */
static const struct ref_setting ref[] = {
    {1, "video_240p_flv",
     "Video at very low definition and flash sorenson format",
     "flv container, sorenson video at 280kb/s, mp3 audio at 64kb/s and 22KHz, "
     "426x240 pixels on 16:9, 25fps",
     "flv", false, "320x240", "426x240", 1},
    {2, "video_360p_flv", "Video at low definition and flash sorenson format",
     "flv container, sorenson video at 440kb/s, mp3 audio at 128kb/s and "
     "44KHz, 640x360 pixels on 16:9, 25fps",
     "flv", false, "480x360", "640x360", 1},
    {3, "video_480p_flv", "Video at low definition and flash sorenson format",
     "flv container, sorenson video at 440kb/s, mp3 audio at 128kb/s and "
     "44KHz, 854x480 pixels on 16:9, 25fps",
     "flv", false, "640x480", "854x480", 1},
    {11, "video_240p_mp4",
     "Video at very low definition and portable mp4 format",
     "mp4 container, single-pass h264 video baseline coding, between 512 and "
     "800kbps, aac audio at 96kbps and 44KHz, 426x240 pixels on 16:9, 25fps",
     "mp4", true, "320x240", "426x240", 1},
    {12, "video_360p_mp4", "Video at low definition and portable mp4 format",
     "mp4 container, single-pass h264 video main coding, between 800Kbps and "
     "2Mbps, aac audio at 96kbps and 44KHz, 640x360 pixels on 16:9, 25fps",
     "mp4", false, "480x360", "640x360", 1},
    {13, "video_480p_mp4",
     "Video at standard definition and portable mp4 format",
     "mp4 container, single-pass h264 video main coding, between 2 and 4Mbps, "
     "aac audio at 128kbps and 44KHz, 854x480 pixels on 16:9, up to 30fps",
     "mp4", false, "640x480", "854x480", 1},
    {14, "video_720p_mp4", "Video at high definition and portable mp4 format",
     "mp4 container, single-pass h264 video main coding, between 4 and 8Mbps, "
     "aac audio at 192kbps and 44KHz, 1280x720 pixels on 16:9, up to 30fps",
     "mp4", true, "960x720", "1280x720", 1},
    {15, "video_1080p_mp4",
     "Video at full-hd definition and portable mp4 format",
     "mp4 container, single-pass h264 video main coding, between 8 and 12Mbps, "
     "aac audio at 192kbps and 44KHz, 1920x1080 pixels on 16:9, up to 30fps",
     "mp4", true, "1440x1080", "1920x1080", 1},
    {21, "video_240p_webm",
     "Video at very low definition and webm opensource format",
     "webm container, vp8 video at 280kb/s, vorbis audio at 64kb/s and 22KHz, "
     "426x240 pixels on 16:9, 25fps",
     "webm", false, "320x240", "426x240", 1},
    {22, "video_360p_webm",
     "Video at low definition and webm opensource format",
     "webm container, vp8 video at 440kb/s, vorbis audio at 128kb/s and 44KHz, "
     "640x360 pixels on 16:9, 25fps",
     "webm", false, "480x360", "640x360", 1},
    {23, "video_480p_webm",
     "Video at standard definition webm opensource format",
     "webm container, vp8 video at 680kb/s, vorbis audio at 128kb/s and 44KHz, "
     "854x480 pixels on 16:9, 30fps",
     "webm", false, "640x480", "854x480", 1},
    {24, "video_720p_webm",
     "Video at high definition and webm opensource format",
     "webm container, vp8 video at 1650kb/s, vorbis audio at 192kb/s and "
     "44KHz, 1280x720 pixels on 16:9, 30fps",
     "webm", false, "960x720", "1280x720", 1},
    {25, "video_1080p_webm",
     "Video at full-hd definition and webm opensource format",
     "webm container, vp8 video at 4000kb/s, vorbis audio at 192kb/s and "
     "44KHz, 1920x1080 pixels on 16:9, 30fps",
     "webm", false, "1440x1080", "1920x1080", 1},
    {31, "video_240p_mpeg",
     "Video at very low definition and mpeg broadcast format",
     "mpeg container, mpeg2 video at 280kb/s, mpeg2 audio at 64kb/s and 22KHz, "
     "426x240 pixels on 16:9, 25fps",
     "mpg", false, "320x240", "426x240", 1},
    {32, "video_360p_mpeg", "Video at low definition and mpeg broadcast format",
     "mpeg container, mpeg2 video at 440kb/s, mpeg2 audio at 128kb/s and "
     "44KHz, 640x360 pixels on 16:9, 25fps",
     "mpg", false, "480x360", "640x360", 1},
    {33, "video_480p_mpeg",
     "Video at standard definition mpeg broadcast format",
     "mpeg container, mpeg2 video at 680kb/s, mpeg2 audio at 128kb/s and "
     "44KHz, 854x480 pixels on 16:9, 30fps",
     "mpg", false, "640x480", "854x480", 1},
    {34, "video_720p_mpeg",
     "Video at high definition and mpeg broadcast format",
     "mpeg container, mpeg2 video at 1650kb/s, mpeg2 audio at 192kb/s and "
     "44KHz, 1280x720 pixels on 16:9, 30fps",
     "mpg", false, "960x720", "1280x720", 1},
    {35, "video_1080p_mpeg",
     "Video at full-hd definition and mpeg broadcast format",
     "mpeg container, mpeg2 video at 4000kb/s, mpeg2 audio at 192kb/s and "
     "44KHz, 1920x1080 pixels on 16:9, 30fps",
     "mpg", false, "1440x1080", "1920x1080", 1},
    {51, "audio_64k_mp3", "Audio track only, with low quality",
     "mp3 container, mp3 audio track at 64Kb/s and 22KHz, stereo", "mp3", false,
     "na", "na", 1},
    {52, "audio_128k_mp3", "Audio track only, with standard quality",
     "mp3 container, mp3 audio track at 128Kb/s and 44KHz, stereo", "mp3",
     false, "na", "na", 1},
    {53, "audio_v0_mp3", "Audio track only, with highest mp3 quality",
     "mp3 container, mp3 audio track at V0 quality and 44KHz, stereo", "mp3",
     false, "na", "na", 1},
    {61, "audio_64k_vorbis",
     "Audio track only, with low quality and opensource vorbis codec",
     "ogg container, vorbis audio track at 64Kb/s and 22KHz, stereo", "ogg",
     false, "na", "na", 1},
    {62, "audio_128k_vorbis",
     "Audio track only, with standard quality and opensource vorbis codec",
     "ogg container, vorbis audio track at 128Kb/s and 44KHz, stereo", "ogg",
     false, "na", "na", 1},
    {63, "audio_v0_vorbis",
     "Audio track only, with highest quality and opensource vorbis codec",
     "ogg container, vorbis audio track at V0 quality and 44KHz, stereo", "ogg",
     false, "na", "na", 1},
    {71, "audio_64k_aac", "Audio track only, with low quality and aac codec",
     "mp4 container, aac audio track at 64kb/s quality and 22KHz, stereo",
     "m4a", false, "na", "na", 1},
    {72, "audio_128k_aac",
     "Audio track only, with standard quality and aac codec",
     "mp4 container, aac audio track at 128kb/s quality and 44KHz, stereo",
     "m4a", false, "na", "na", 1},
    {73, "audio_192k_aac",
     "Audio track only, with highest quality and aac codec",
     "mp4 container, aac audio track at 192kb/s quality and 44KHz, stereo",
     "m4a", false, "na", "na", 1},
    {101, "20_original_and_small_thumbs_jpg",
     "20 thumbnails at original size and small size in JPEG",
     "Up to 20 JPEG images at 60% quality, with at least 1 minute between "
     "each, at original WxH and at 100x100px",
     "jpg", true, "1440x1080", "1920x1080", 40},
};

/* put - @key: a string. */
static void put(json_t *o, const char *key, const char *val)
{
    json_object_set_new(o, key, json_string(val));
}

/* put_int - @key: @v as a decimal string (the reference's style). */
static void put_int(json_t *o, const char *key, int v)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%d", v);
    put(o, key, buf);
}

/* ref_json - one reference entry, fields in the reference's order. */
static json_t *ref_json(const struct ref_setting *s)
{
    json_t *o = json_object();

    put_int(o, "id", s->id);
    put(o, "type", "video");
    put(o, "slug", s->slug);
    put(o, "name", s->name);
    put(o, "technical", s->technical);
    put(o, "extension", s->extension);
    if (s->is_recommended)
        put(o, "recommend", "1");
    put(o, "size_43", s->size_43);
    put(o, "size_169", s->size_169);
    put_int(o, "cardinality", s->cardinality);
    return o;
}

/* size_text - "WxH" of a box, or the reference's "na" for none. */
static void size_text(char *buf, size_t size, int w, int h)
{
    if (w > 0 && h > 0)
        snprintf(buf, size, "%dx%d", w, h);
    else
        snprintf(buf, size, "na");
}

/* site_json - a site setting (id > 1000) in the same shape. */
static json_t *site_json(const struct omkt_setting *s)
{
    json_t *o = json_object();
    char box[32];

    put_int(o, "id", s->id);
    put(o, "type", omkt_setting_type_name(s->type));
    put(o, "slug", s->slug ? s->slug : "");
    put(o, "name", s->name ? s->name : "");
    put(o, "technical", s->technical ? s->technical : "");
    put(o, "extension", s->extension ? s->extension : "");
    if (s->is_recommended)
        put(o, "recommend", "1");
    size_text(box, sizeof(box), s->w43, s->h43);
    put(o, "size_43", box);
    size_text(box, sizeof(box), s->w169, s->h169);
    put(o, "size_169", box);
    put_int(o, "cardinality", s->cardinality);
    return o;
}

json_t *catalogue_json(void)
{
    json_t *all = json_object();
    char key[16];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(ref); i++) {
        snprintf(key, sizeof(key), "%d", ref[i].id);
        json_object_set_new(all, key, ref_json(&ref[i]));
    }
    for (size_t i = 0; i < omkt_settings_count(); i++) {
        const struct omkt_setting *s = omkt_setting_at(i);

        if (s->id < OMKT_SETTING_SITE_MIN)
            continue;
        snprintf(key, sizeof(key), "%d", s->id);
        json_object_set_new(all, key, site_json(s));
    }
    return all;
}

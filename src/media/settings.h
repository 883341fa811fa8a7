/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * settings - the transcoding settings catalogue (PROTOCOL.md section 4) as
 * data: one row per setting with its container, codecs and encoder options,
 * plus site-specific settings (ids > 1000) loaded from a JSON file.
 *
 * DESIGN: the built-in table is const.  Site settings live in a
 * process-global array that omkt_settings_load_file() replaces; like the
 * rest of the configuration it is written once at start-up, before any
 * thread reads the catalogue, and is read-only afterwards.  Pointers
 * returned by the accessors stay valid until the next load or
 * omkt_settings_clear().
 */
#ifndef OMKT_MEDIA_SETTINGS_H
#define OMKT_MEDIA_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

#define OMKT_SETTING_THUMBS   101
#define OMKT_SETTING_SITE_MIN 1001
#define OMKT_SETTING_STREAM   1001 /* the built-in HLS + DASH ladder */
#define OMKT_RUNGS_MAX        10
#define OMKT_THUMBS_MAX       20
#define OMKT_THUMB_SMALL_PX   166 /* the small ones fit in this box */

/* How the output size follows the boxes (docs/media.md, "size"). */
enum omkt_size_mode {
    OMKT_SIZE_BOXES = 0, /* snap to the 4:3 or 16:9 box, else fit the 16:9 */
    OMKT_SIZE_FIT,       /* keep the display aspect inside the 16:9 box */
    OMKT_SIZE_SOURCE,    /* the source's display size (square pixels) */
};

enum omkt_setting_type {
    OMKT_SETTING_VIDEO = 0, /* video (+ audio when the source has it) */
    OMKT_SETTING_AUDIO,     /* audio only: never decodes video */
    OMKT_SETTING_THUMBS_T,  /* JPEG thumbnails, cardinality > 1 */
    OMKT_SETTING_STREAMING, /* an HLS + DASH package (media/package.h) */
};

/* struct omkt_rung - one video rendition of a streaming ladder. */
struct omkt_rung {
    int height;                        /* box height; the width follows */
    int64_t bitrate, maxrate, bufsize; /* bits/s; 0 = unset */
};

struct omkt_setting {
    int id;
    enum omkt_setting_type type;
    const char *slug;
    const char *name;
    const char *technical; /* human text for app_get_settings */
    const char *extension; /* "mp4", no dot */
    const char *mime;      /* of the output file */
    const char *muxer;     /* libavformat short name */
    const char *mux_opts;  /* "key=value:key=value" muxer options */
    bool is_recommended;
    int w43, h43, w169, h169; /* output boxes; 0 for audio */
    const char *vcodec;       /* encoder name; NULL for audio only */
    int64_t vbitrate, vmaxrate, vbufsize; /* bits/s; 0 = unset */
    const char *vopts;                    /* private encoder options */
    const char *acodec;                   /* encoder name; NULL = none */
    int64_t abitrate;                     /* bits/s; 0 with aquality */
    int aquality; /* -q:a value when >= 0 (VBR), else -1 */
    int samplerate, channels;
    const char *aopts;
    int cardinality; /* maximum number of files (40 for thumbnails) */
    enum omkt_size_mode size_mode;
    const char *vfilter;  /* checked user filters before scaling, or NULL */
    const char *afilter;  /* checked user filters before resampling */
    int fps_num, fps_den; /* forced output frame rate; 0/0: the source's */
    /* Streaming only: the ladder (ascending heights) and the GOP. */
    const struct omkt_rung *rungs;
    size_t n_rungs;
    int64_t gop_ms; /* closed GOP and segment length */
    /* Segment-parallel transcoding (transcoderd's [transcoderd]
     * segment_min / segment_length when 0); segment_min_ms -1: never. */
    int64_t segment_min_ms, segment_length_ms;
};

/* omkt_setting_find - the setting @id (built-in or site), or NULL.  A
 * site setting of id 1001 replaces the built-in streaming ladder. */
const struct omkt_setting *omkt_setting_find(int id);

/* omkt_settings_count - number of settings, built-in and site. */
size_t omkt_settings_count(void);

/*
 * omkt_setting_at - the @i-th setting (0 <= i < omkt_settings_count()), in
 * ascending id order within built-ins then site settings; NULL past the end.
 */
const struct omkt_setting *omkt_setting_at(size_t i);

/*
 * omkt_settings_catalogue_json - what app_get_settings returns: an object
 * keyed by id string, each value {id,type,slug,name,technical,extension,
 * recommend,size_43,size_169,cardinality} as strings ("recommend" only when
 * "1").  Never encoder options.  Returns a new reference.
 */
json_t *omkt_settings_catalogue_json(void);

/*
 * omkt_settings_load_file - replace the site settings by those of the JSON
 * file @path (format in docs/media.md).  All or nothing: on any bad entry
 * the previous site settings are kept and OMKT_ECONF is returned with a
 * message naming the entry in @eb; OMKT_EIO when the file cannot be read.
 * Not thread-safe: call at start-up.
 */
int omkt_settings_load_file(const char *path, struct omkt_errbuf *eb);

/*
 * omkt_setting_from_json - a setting made from @obj (borrowed; the fields
 * of a site setting in docs/media.md, "id" ignored) with id @id, for one
 * job.  On OMKT_OK *out is new (release with omkt_setting_free()); else
 * OMKT_EINVAL with the reason in @eb.  Thread-safe once the site settings
 * are loaded (it reads the built-in row named by "based_on").
 */
int omkt_setting_from_json(json_t *obj, int id, struct omkt_setting **out,
                           struct omkt_errbuf *eb);

/* omkt_setting_free - release a setting of omkt_setting_from_json(). */
void omkt_setting_free(struct omkt_setting *s);

/* omkt_settings_clear - forget the site settings. */
void omkt_settings_clear(void);

/* omkt_setting_type_name - "video", "audio", "thumbnails", "streaming". */
const char *omkt_setting_type_name(enum omkt_setting_type type);

#endif

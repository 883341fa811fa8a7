/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ufilter - the allowed user filter chains (see ufilter.h). */
#include <ctype.h>
#include <string.h>

#include "common/alloc.h"
#include "media/ufilter.h"

/* Pure transforms of frames: no file, device, code or graph options. */
static const char *const video_ok[] = {
    "boxblur",   "bwdif",     "colorchannelmixer",
    "copy",      "crop",      "deband",
    "deblock",   "dejudder",  "eq",
    "fade",      "fps",       "format",
    "gblur",     "hflip",     "hqdn3d",
    "hue",       "negate",    "null",
    "pad",       "rotate",    "scale",
    "setdar",    "setpts",    "setsar",
    "smartblur", "transpose", "trim",
    "unsharp",   "vflip",     "yadif",
};
static const char *const audio_ok[] = {
    "acompressor", "afade",    "aformat",  "anull",   "aresample",  "asetpts",
    "atempo",      "atrim",    "bandpass", "compand", "dynaudnorm", "equalizer",
    "highpass",    "loudnorm", "lowpass",  "pan",     "volume",
};

/* allowed - is @name (length @len) in the list for the kind? */
static bool allowed(const char *name, size_t len, bool is_video)
{
    const char *const *l = is_video ? video_ok : audio_ok;
    size_t n = is_video ? OMKT_ARRAY_LEN(video_ok) : OMKT_ARRAY_LEN(audio_ok);

    for (size_t i = 0; i < n; i++)
        if (strlen(l[i]) == len && memcmp(l[i], name, len) == 0)
            return true;
    return false;
}

/* check_one - the filter at @f up to the next top-level comma. */
static int check_one(const char *f, size_t len, bool is_video,
                     struct omkt_errbuf *eb)
{
    size_t name = 0;

    while (name < len && (isalnum((unsigned char)f[name]) || f[name] == '_'))
        name++;
    if (name == 0 || (name < len && f[name] != '=')) {
        omkt_errf(eb, "filter \"%.*s\": expected name or name=arguments",
                  (int)(len > 40 ? 40 : len), f);
        return OMKT_EINVAL;
    }
    if (!allowed(f, name, is_video)) {
        omkt_errf(eb, "%s filter \"%.*s\" is not allowed",
                  is_video ? "video" : "audio", (int)(name > 40 ? 40 : name),
                  f);
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

int omkt_ufilter_check(const char *chain, bool is_video, struct omkt_errbuf *eb)
{
    size_t len = strlen(chain);
    size_t start = 0;
    bool in_quote = false;

    if (len == 0 || len > OMKT_UFILTER_MAX ||
        strpbrk(chain, "[];\\@\"\n\r\t") != NULL) {
        omkt_errf(eb,
                  "filter chain: 1 to %d characters, one linear chain "
                  "(no labels, ';', '@', escapes or double quotes)",
                  OMKT_UFILTER_MAX);
        return OMKT_EINVAL;
    }
    for (size_t i = 0; i <= len; i++) {
        if (i < len && chain[i] == '\'')
            in_quote = !in_quote;
        if (i < len && (in_quote || chain[i] != ','))
            continue;
        if (check_one(chain + start, i - start, is_video, eb) != OMKT_OK)
            return OMKT_EINVAL;
        start = i + 1;
    }
    if (in_quote) {
        omkt_errf(eb, "filter chain: unbalanced quote");
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

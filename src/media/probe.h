/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe - the OMKT metadata JSON (PROTOCOL.md section 3) of a media file,
 * read with libavformat/libavcodec (never by parsing tool output).
 */
#ifndef OMKT_MEDIA_PROBE_H
#define OMKT_MEDIA_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

struct omkt_probe_opts {
    bool want_crop;    /* decode some frames, add cropw/croph/cropx/cropy */
    int decode_frames; /* also decode up to this many frames (0 = none) */
    const volatile int *stop; /* non-zero stops the probe; may be NULL */
    int timeout_ms;           /* 0 = no limit */
};

/*
 * omkt_probe_file - the metadata JSON of @path.  @opts may be NULL.  On
 * OMKT_OK *out is new (json_decref).  Fields: mime, file_size (integer),
 * box, type, time, time-estimate, bitrate, frames, tracks[] (type, codec,
 * codec-sub, lang, bitrate; audio samplerate, channels (integer); video
 * width, height, pixelfmt, fps, DAR1/DAR2, PAR1/PAR2, rotation), numbers
 * as strings in the reference's style, plus crop fields when asked.
 * Returns OMKT_EMEDIA with a clear message when the file is not media or
 * has no readable audio or video track (or claims a frame larger than the
 * engine's limit), OMKT_ENOTFOUND/OMKT_EIO for file errors,
 * OMKT_ESHUTDOWN when *stop was set, OMKT_ETIMEOUT past timeout_ms.
 */
int omkt_probe_file(const char *path, const struct omkt_probe_opts *opts,
                    json_t **out, struct omkt_errbuf *eb);

/*
 * omkt_probe_buffer - the same for @len bytes at @data (the fuzz target
 * and tests).  "file_size" is @len and "mime" comes from the container.
 */
int omkt_probe_buffer(const uint8_t *data, size_t len,
                      const struct omkt_probe_opts *opts, json_t **out,
                      struct omkt_errbuf *eb);

#endif

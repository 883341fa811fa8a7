/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hlsdash - the manifests of a streaming package, written from measured
 * segments: each rendition's HLS media playlist (index.m3u8), the HLS
 * multivariant playlist (master.m3u8) and the DASH MPD (manifest.mpd),
 * every reference relative to the package root.  BANDWIDTH is the peak
 * segment bit rate (RFC 8216bis: the highest rate of any run of segments
 * lasting 0.5 to 1.5 target durations; the video's plus the audio's),
 * AVERAGE-BANDWIDTH the whole rendition's, both measured from the files.
 * Internal to src/media, driven by package.c.
 */
#ifndef OMKT_MEDIA_HLSDASH_H
#define OMKT_MEDIA_HLSDASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavutil/rational.h>

#include "common/err.h"

struct omkt_seg {
    int64_t dur_us;
    int64_t bytes;
};

/* struct omkt_rend - one rendition: directory "<id>" of the package. */
struct omkt_rend {
    char id[24]; /* "v0", "v1", ... or "a0" */
    bool is_video;
    int width, height;
    AVRational fps;
    int sample_rate, channels;
    char codecs[32]; /* RFC 6381: "avc1.64001f", "mp4a.40.2" */
    struct omkt_seg *segs;
    size_t n_segs;
    int64_t dur_us, peak_bps, avg_bps;
};

/*
 * omkt_hls_take_media - read the segments that the hls muxer listed in
 * @pkgdir/<id>/index.m3u8 (named seg_00001.m4s, ... in order), measure
 * them and write that playlist again in the package's form.
 * OMKT_EMEDIA (not the expected playlist) or OMKT_EIO.
 */
int omkt_hls_take_media(const char *pkgdir, struct omkt_rend *r,
                        struct omkt_errbuf *eb);

/* omkt_hls_write_master - @pkgdir/master.m3u8 for video renditions
 * @r[0..@n) and at most one audio rendition among them. */
int omkt_hls_write_master(const char *pkgdir, const struct omkt_rend *r,
                          size_t n, struct omkt_errbuf *eb);

/* omkt_dash_write_mpd - @pkgdir/manifest.mpd over the same segments. */
int omkt_dash_write_mpd(const char *pkgdir, const struct omkt_rend *r, size_t n,
                        int64_t gop_us, struct omkt_errbuf *eb);

/* omkt_codecs_avc - "avc1.PPCCLL" from H.264 extradata (avcC or Annex
 * B); "avc1.640028" (High 4.0) when it holds no SPS. */
void omkt_codecs_avc(const uint8_t *ed, int size, char *buf, size_t len);

/* omkt_rend_clear - release @r's segment list. */
void omkt_rend_clear(struct omkt_rend *r);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hlsdash - HLS and DASH manifests of a package from measured segments.
 *
 * DESIGN: the hls muxer cuts and names the segments; this module trusts
 * only the files: it reads the muxer's list, stats every segment, and
 * writes every manifest itself, so BANDWIDTH, CODECS and the DASH
 * timeline come from the same numbers.  Times in the MPD use a 1 ms
 * timescale, rounded from the running sum (no drift).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/fsops.h"
#include "common/path.h"
#include "media/hlsdash.h"

#define SEGS_MAX   100000
#define LINE_MAX_B 1024

/* write_text - @text as the new file @dir/@name (fsync'd later, with the
 * whole package). */
static int write_text(const char *dir, const char *name, const char *text,
                      size_t len, struct omkt_errbuf *eb)
{
    char path[OMKT_PATH_MAX];
    FILE *f;
    int ret = OMKT_OK;

    if (omkt_path_join(path, sizeof(path), dir, name) != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", dir);
        return OMKT_ETOOBIG;
    }
    f = fopen(path, "we");
    if (f == NULL || fwrite(text, 1, len, f) != len)
        ret = omkt_fs_errno_err(errno);
    if (f != NULL && fclose(f) != 0)
        ret = omkt_fs_errno_err(errno);
    if (ret != OMKT_OK)
        omkt_errf(eb, "write %s: %s", path, omkt_errno_str(errno));
    return ret;
}

/* finish_text - close memstream @m and write its text as @dir/@name. */
static int finish_text(FILE *m, char **buf, size_t *len, const char *dir,
                       const char *name, struct omkt_errbuf *eb)
{
    int ret;

    if (fclose(m) != 0 || *buf == NULL) {
        free(*buf);
        return OMKT_ENOMEM;
    }
    ret = write_text(dir, name, *buf, *len, eb);
    free(*buf);
    return ret;
}

/* add_seg - segment @num (from 1) of @dur_us, measured in @rdir. */
static int add_seg(struct omkt_rend *r, const char *rdir, const char *uri,
                   int64_t dur_us, struct omkt_errbuf *eb)
{
    char want[32], path[OMKT_PATH_MAX];
    struct stat st;

    snprintf(want, sizeof(want), "seg_%05zu.m4s", r->n_segs + 1);
    if (strcmp(uri, want) != 0 || r->n_segs >= SEGS_MAX || dur_us <= 0) {
        omkt_errf(eb, "%s: unexpected segment %s", r->id, uri);
        return OMKT_EMEDIA;
    }
    if (omkt_path_join(path, sizeof(path), rdir, uri) != OMKT_OK ||
        stat(path, &st) != 0) {
        omkt_errf(eb, "%s/%s: %s", r->id, uri, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    if (r->n_segs % 64 == 0)
        r->segs = omkt_xrealloc(r->segs, (r->n_segs + 64) * sizeof(*r->segs));
    r->segs[r->n_segs].dur_us = dur_us;
    r->segs[r->n_segs].bytes = (int64_t)st.st_size;
    r->n_segs++;
    return OMKT_OK;
}

/* read_list - the muxer's playlist: "#EXTINF:d," then the segment. */
static int read_list(FILE *f, struct omkt_rend *r, const char *rdir,
                     struct omkt_errbuf *eb)
{
    char line[LINE_MAX_B];
    int64_t dur_us = -1;
    int ret = OMKT_OK;

    while (ret == OMKT_OK && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "#EXTINF:", 8) == 0)
            dur_us = llround(strtod(line + 8, NULL) * 1e6);
        else if (line[0] != '#' && line[0] != '\0') {
            ret = add_seg(r, rdir, line, dur_us, eb);
            dur_us = -1;
        }
    }
    if (ret == OMKT_OK && r->n_segs == 0) {
        omkt_errf(eb, "%s: no segment", r->id);
        ret = OMKT_EMEDIA;
    }
    return ret;
}

/* target_s - EXT-X-TARGETDURATION: the longest segment, rounded. */
static int64_t target_s(const struct omkt_rend *r)
{
    int64_t max_us = 0;

    for (size_t i = 0; i < r->n_segs; i++)
        max_us = r->segs[i].dur_us > max_us ? r->segs[i].dur_us : max_us;
    return max_us < 1500000 ? 1 : (max_us + 500000) / 1000000;
}

/*
 * peak_from - the highest bit rate of the runs of segments starting at
 * @i that last 0.5 to 1.5 target durations (RFC 8216bis, "peak segment
 * bit rate"), or 0 when none does.
 */
static int64_t peak_from(const struct omkt_rend *r, size_t i, int64_t t_us)
{
    int64_t dur = 0, bytes = 0, peak = 0;

    for (size_t k = i; k < r->n_segs; k++) {
        dur += r->segs[k].dur_us;
        bytes += r->segs[k].bytes;
        if (dur > t_us + t_us / 2)
            break;
        if (dur * 2 >= t_us) {
            int64_t bps = (int64_t)ceil((double)bytes * 8e6 / (double)dur);

            peak = bps > peak ? bps : peak;
        }
    }
    return peak;
}

/* measure - duration, peak and average bit rates of @r's segments. */
static void measure(struct omkt_rend *r)
{
    int64_t bytes = 0, t_us = target_s(r) * 1000000;

    r->dur_us = 0;
    r->peak_bps = 0;
    for (size_t i = 0; i < r->n_segs; i++) {
        int64_t bps = peak_from(r, i, t_us);

        r->peak_bps = bps > r->peak_bps ? bps : r->peak_bps;
        r->dur_us += r->segs[i].dur_us;
        bytes += r->segs[i].bytes;
    }
    r->avg_bps = (int64_t)ceil((double)bytes * 8e6 / (double)r->dur_us);
    if (r->peak_bps < r->avg_bps) /* too short for any run */
        r->peak_bps = r->avg_bps;
}

/* write_media - @r's playlist in the package's form. */
static int write_media(const char *rdir, const struct omkt_rend *r,
                       struct omkt_errbuf *eb)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (m == NULL)
        return OMKT_ENOMEM;
    fprintf(m,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%" PRId64
            "\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
            "#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n",
            target_s(r));
    for (size_t i = 0; i < r->n_segs; i++)
        fprintf(m, "#EXTINF:%.6f,\nseg_%05zu.m4s\n",
                (double)r->segs[i].dur_us / 1e6, i + 1);
    fputs("#EXT-X-ENDLIST\n", m);
    return finish_text(m, &buf, &len, rdir, "index.m3u8", eb);
}

int omkt_hls_take_media(const char *pkgdir, struct omkt_rend *r,
                        struct omkt_errbuf *eb)
{
    char rdir[OMKT_PATH_MAX], path[OMKT_PATH_MAX];
    FILE *f;
    int ret;

    if (omkt_path_join(rdir, sizeof(rdir), pkgdir, r->id) != OMKT_OK ||
        omkt_path_join(path, sizeof(path), rdir, "index.m3u8") != OMKT_OK) {
        omkt_errf(eb, "path too long: %s", pkgdir);
        return OMKT_ETOOBIG;
    }
    f = fopen(path, "re");
    if (f == NULL) {
        omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
        return OMKT_EIO;
    }
    ret = read_list(f, r, rdir, eb);
    fclose(f);
    if (ret != OMKT_OK)
        return ret;
    measure(r);
    return write_media(rdir, r, eb);
}

/* audio_of - the audio rendition among @r[0..@n), or NULL. */
static const struct omkt_rend *audio_of(const struct omkt_rend *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!r[i].is_video)
            return &r[i];
    return NULL;
}

int omkt_hls_write_master(const char *pkgdir, const struct omkt_rend *r,
                          size_t n, struct omkt_errbuf *eb)
{
    const struct omkt_rend *a = audio_of(r, n);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (m == NULL)
        return OMKT_ENOMEM;
    fputs("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n", m);
    if (a != NULL)
        fprintf(m,
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"audio\","
                "LANGUAGE=\"und\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"%d\","
                "URI=\"%s/index.m3u8\"\n",
                a->channels, a->id);
    for (size_t i = 0; i < n; i++) {
        if (!r[i].is_video)
            continue;
        fprintf(m,
                "#EXT-X-STREAM-INF:BANDWIDTH=%" PRId64
                ",AVERAGE-BANDWIDTH=%" PRId64 ",RESOLUTION=%dx%d,"
                "CODECS=\"%s%s%s\",FRAME-RATE=%.3f%s\n%s/index.m3u8\n",
                r[i].peak_bps + (a ? a->peak_bps : 0),
                r[i].avg_bps + (a ? a->avg_bps : 0), r[i].width, r[i].height,
                r[i].codecs, a ? "," : "", a ? a->codecs : "", av_q2d(r[i].fps),
                a ? ",AUDIO=\"aac\"" : "", r[i].id);
    }
    return finish_text(m, &buf, &len, pkgdir, "master.m3u8", eb);
}

/* timeline - @r's SegmentTemplate, with runs of equal durations. */
static void timeline(FILE *m, const struct omkt_rend *r)
{
    int64_t cum_us = 0, t = 0;
    size_t i = 0;

    fprintf(m,
            "        <SegmentTemplate timescale=\"1000\" "
            "initialization=\"%s/init.mp4\" media=\"%s/seg_$Number%%05d$.m4s\" "
            "startNumber=\"1\">\n          <SegmentTimeline>\n",
            r->id, r->id);
    while (i < r->n_segs) {
        int64_t end = (cum_us + r->segs[i].dur_us + 500) / 1000;
        int64_t d = end - t;
        size_t rep = 0;

        cum_us += r->segs[i].dur_us;
        for (i++; i < r->n_segs; i++, rep++) {
            int64_t e2 = (cum_us + r->segs[i].dur_us + 500) / 1000;

            if (e2 - end != d)
                break;
            cum_us += r->segs[i].dur_us;
            end = e2;
        }
        fprintf(m, "            <S t=\"%" PRId64 "\" d=\"%" PRId64 "\"", t, d);
        if (rep > 0)
            fprintf(m, " r=\"%zu\"", rep);
        fputs("/>\n", m);
        t = end;
    }
    fputs("          </SegmentTimeline>\n        </SegmentTemplate>\n", m);
}

/* representation - one <Representation> of @r. */
static void representation(FILE *m, const struct omkt_rend *r)
{
    if (r->is_video)
        fprintf(m,
                "      <Representation id=\"%s\" codecs=\"%s\" "
                "bandwidth=\"%" PRId64 "\" width=\"%d\" height=\"%d\" "
                "frameRate=\"%d/%d\" sar=\"1:1\">\n",
                r->id, r->codecs, r->peak_bps, r->width, r->height, r->fps.num,
                r->fps.den);
    else
        fprintf(m,
                "      <Representation id=\"%s\" codecs=\"%s\" "
                "bandwidth=\"%" PRId64 "\" audioSamplingRate=\"%d\">\n"
                "        <AudioChannelConfiguration schemeIdUri=\"urn:mpeg:"
                "dash:23003:3:audio_channel_configuration:2011\" "
                "value=\"%d\"/>\n",
                r->id, r->codecs, r->peak_bps, r->sample_rate, r->channels);
    timeline(m, r);
    fputs("      </Representation>\n", m);
}

/* adaptation_set - the <AdaptationSet> of every rendition of a kind. */
static void adaptation_set(FILE *m, const struct omkt_rend *r, size_t n,
                           bool is_video)
{
    bool any = false;

    for (size_t i = 0; i < n; i++)
        any |= r[i].is_video == is_video;
    if (!any)
        return;
    fprintf(m,
            "    <AdaptationSet id=\"%d\" contentType=\"%s\" "
            "mimeType=\"%s\" segmentAlignment=\"true\" startWithSAP=\"1\"%s>\n",
            is_video ? 0 : 1, is_video ? "video" : "audio",
            is_video ? "video/mp4" : "audio/mp4",
            is_video ? "" : " lang=\"und\"");
    for (size_t i = 0; i < n; i++)
        if (r[i].is_video == is_video)
            representation(m, &r[i]);
    fputs("    </AdaptationSet>\n", m);
}

int omkt_dash_write_mpd(const char *pkgdir, const struct omkt_rend *r, size_t n,
                        int64_t gop_us, struct omkt_errbuf *eb)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int64_t dur_us = 0;

    if (m == NULL)
        return OMKT_ENOMEM;
    for (size_t i = 0; i < n; i++)
        dur_us = r[i].dur_us > dur_us ? r[i].dur_us : dur_us;
    fprintf(m,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
            "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" "
            "type=\"static\" mediaPresentationDuration=\"PT%.3fS\" "
            "minBufferTime=\"PT%.3fS\">\n  <Period id=\"0\" start=\"PT0S\">\n",
            (double)dur_us / 1e6, 2.0 * (double)gop_us / 1e6);
    adaptation_set(m, r, n, true);
    adaptation_set(m, r, n, false);
    fputs("  </Period>\n</MPD>\n", m);
    return finish_text(m, &buf, &len, pkgdir, "manifest.mpd", eb);
}

/* sps_at - the 3 bytes after an SPS NAL header at @p, or NULL. */
static const uint8_t *find_sps(const uint8_t *ed, int size)
{
    if (size >= 4 && ed[0] == 1) /* avcC: profile, compat, level */
        return ed + 1;
    for (int i = 0; i + 6 < size; i++)
        if (ed[i] == 0 && ed[i + 1] == 0 && ed[i + 2] == 1 &&
            (ed[i + 3] & 0x1f) == 7)
            return ed + i + 4;
    return NULL;
}

void omkt_codecs_avc(const uint8_t *ed, int size, char *buf, size_t len)
{
    const uint8_t *p = ed != NULL ? find_sps(ed, size) : NULL;

    if (p == NULL)
        snprintf(buf, len, "avc1.640028");
    else
        snprintf(buf, len, "avc1.%02x%02x%02x", p[0], p[1], p[2]);
}

void omkt_rend_clear(struct omkt_rend *r)
{
    free(r->segs);
    r->segs = NULL;
    r->n_segs = 0;
}

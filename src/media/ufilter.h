/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ufilter - filters a client may ask for (media-nommer's -vf and -af, a
 * setting's video.filter and audio.filter): one linear chain of filters
 * from a fixed list of pure picture and sound transforms.  Filters that
 * read or write files (movie, drawtext, subtitles, lut3d...), run code
 * (frei0r, ladspa) or fork the graph are never accepted, and neither are
 * labels, several chains or escapes.
 */
#ifndef OMKT_MEDIA_UFILTER_H
#define OMKT_MEDIA_UFILTER_H

#include <stdbool.h>

#include "common/err.h"

#define OMKT_UFILTER_MAX 512 /* bytes of a chain */

/*
 * omkt_ufilter_check - is @chain ("hflip,eq=contrast=1.2") a chain of
 * allowed @is_video (else audio) filters?  OMKT_OK, or OMKT_EINVAL with
 * the reason (naming the filter) in @eb.  Arguments are checked by
 * libavfilter when the chain is built.
 */
int omkt_ufilter_check(const char *chain, bool is_video,
                       struct omkt_errbuf *eb);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * avlog - route FFmpeg's av_log() into omkt_log(), rate-limited.
 */
#ifndef OMKT_MEDIA_AVLOG_H
#define OMKT_MEDIA_AVLOG_H

/*
 * omkt_media_log_init - install the av_log callback; FFmpeg messages at
 * or above @max_av_level (AV_LOG_ERROR, AV_LOG_WARNING, ...) are logged,
 * at most 20 lines a second.  Call once at start-up.
 */
void omkt_media_log_init(int max_av_level);

#endif

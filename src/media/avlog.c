/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * avlog - the av_log callback: formats FFmpeg's message into one line and
 * hands it to omkt_log, dropping lines beyond a per-second budget so that
 * a corrupt file cannot flood the journal.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "common/log.h"
#include "media/avlog.h"

#define LINES_PER_SECOND 20

/* Rate-limit state (logging settings are process-global by design). */
static atomic_llong window_s;
static atomic_int window_lines;

/* allowed - is one more line allowed in the current second? */
static bool allowed(void)
{
    long long now = (long long)time(NULL);
    long long seen = atomic_load(&window_s);

    if (seen != now && atomic_compare_exchange_strong(&window_s, &seen, now))
        atomic_store(&window_lines, 0);
    return atomic_fetch_add(&window_lines, 1) < LINES_PER_SECOND;
}

/* av_callback - av_log_set_callback() target. */
static void av_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[1024];
    int print_prefix = 1;
    size_t len;
    enum omkt_log_level ol;

    if (level > av_log_get_level() || !allowed())
        return;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line),
                        &print_prefix);
    len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = 0;
    if (len == 0)
        return;
    ol = level <= AV_LOG_ERROR     ? OMKT_LOG_WARN
         : level <= AV_LOG_WARNING ? OMKT_LOG_NOTICE
                                   : OMKT_LOG_DEBUG;
    omkt_log(ol, "ffmpeg: %s", line);
}

void omkt_media_log_init(int max_av_level)
{
    av_log_set_level(max_av_level);
    av_log_set_callback(av_callback);
}

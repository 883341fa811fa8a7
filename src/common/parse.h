/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse - strict parsing of integers, durations ("300s", "100ms", "5m")
 * and sizes ("64M"), and a bounded string copy.  Used by the config loader,
 * the CLI and the HTTP front; nothing here allocates.
 */
#ifndef OMKT_COMMON_PARSE_H
#define OMKT_COMMON_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* omkt_parse_i64 - whole-string decimal integer.  OMKT_EINVAL otherwise. */
int omkt_parse_i64(const char *s, int64_t *out);

/* omkt_parse_int - as omkt_parse_i64, within int range. */
int omkt_parse_int(const char *s, int *out);

/*
 * omkt_parse_duration_ms - "250ms", "30s", "5m" (or "5min"), "2h", "7d" or a
 * bare number of seconds, to milliseconds.  OMKT_EINVAL on anything else.
 */
int omkt_parse_duration_ms(const char *s, int64_t *out_ms);

/* omkt_parse_size - "512", "64K", "64M", "2G" (powers of 1024) to bytes. */
int omkt_parse_size(const char *s, int64_t *out);

/*
 * omkt_strlcpy - copy @src into @dst of @size bytes, always terminated.
 * Returns OMKT_OK, or OMKT_ETOOBIG when @src was truncated.
 */
int omkt_strlcpy(char *dst, const char *src, size_t size);

/* omkt_trim - strip leading and trailing blanks in place; returns @s+k. */
char *omkt_trim(char *s);

#endif

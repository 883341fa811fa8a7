/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text - the one place where text from outside (clients, files, remote
 * servers, FFmpeg, MariaDB) is validated, cleaned and cut.  Whatever is
 * logged, stored in the database, echoed in a reply or put into JSON goes
 * through here, so it is valid UTF-8 and never cut inside a character.
 * Nothing here allocates except omkt_text_dup().
 */
#ifndef OMKT_COMMON_TEXT_H
#define OMKT_COMMON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* omkt_utf8_valid - @s[0..@len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF).  NUL bytes are valid. */
bool omkt_utf8_valid(const char *s, size_t len);

/*
 * omkt_utf8_cut - the largest length <= @max at which @s[0..@len) can be
 * cut without splitting a UTF-8 sequence: a cut never leaves a lead byte
 * or an incomplete sequence at the end.  Invalid bytes count as one
 * character each.
 */
size_t omkt_utf8_cut(const char *s, size_t len, size_t max);

/*
 * omkt_text_copy - copy @src into @dst of @size bytes, each invalid byte
 * replaced by U+FFFD, cut at a character boundary, always NUL-terminated
 * (so the result is valid UTF-8).  Returns OMKT_OK, or OMKT_ETOOBIG when
 * something was cut.  @size must be at least 1.
 */
int omkt_text_copy(char *dst, size_t size, const char *src);

/* omkt_text_dup - as omkt_text_copy into a new string (free()) of at most
 * @max bytes before its NUL. */
char *omkt_text_dup(const char *src, size_t max);

#endif

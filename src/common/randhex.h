/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * randhex - random tokens as lower-case hex text, from getrandom(2): the
 * one place that makes them (cloud message tokens; API keys can use it
 * too).
 */
#ifndef OMKT_COMMON_RANDHEX_H
#define OMKT_COMMON_RANDHEX_H

#include <stddef.h>

#include "err.h"

/*
 * omkt_random_hex - @nhex (even, at most 128) random hex digits into
 * @out (@nhex + 1 bytes, NUL-terminated).  On failure OMKT_EIO (reason
 * in @eb; @out is "") or OMKT_EINVAL for a bad @nhex.
 */
int omkt_random_hex(char *out, size_t nhex, struct omkt_errbuf *eb);

#endif

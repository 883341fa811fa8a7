/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version - the release these programs belong to. */
#ifndef OMKT_COMMON_VERSION_H
#define OMKT_COMMON_VERSION_H

#define OMKT_VERSION "0.1.0"

#endif

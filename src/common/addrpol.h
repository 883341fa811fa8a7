/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addrpol - which peer addresses an outgoing request may connect to: one
 * policy for downloads, callbacks, transcoder_cron and any later endpoint,
 * applied by omkt_http_setup (httpc.h) at connect time.  Without
 * allow_private, only globally routable unicast addresses are allowed:
 * loopback, RFC 1918 private, link-local, CGNAT, unspecified, multicast,
 * reserved, IPv6 unique-local/site-local, and IPv4 addresses hidden in
 * IPv4-mapped, IPv4-compatible or NAT64 IPv6 forms are refused.
 */
#ifndef OMKT_COMMON_ADDRPOL_H
#define OMKT_COMMON_ADDRPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* omkt_addrpol_is_refused - @sa (of @len bytes) is not a public address; a
 * family other than IPv4/IPv6 is refused too.  @what gets a short name of
 * the class ("loopback") when refused; may be NULL. */
bool omkt_addrpol_is_refused(const struct sockaddr *sa, socklen_t len,
                             const char **what);

/* omkt_addrpol_format - numeric text of @sa into @buf ("?" when unknown). */
void omkt_addrpol_format(const struct sockaddr *sa, char *buf, size_t size);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addrpol - which peer addresses a download may connect to.  Without
 * allow_private, only globally routable unicast addresses are allowed:
 * loopback, RFC 1918 private, link-local, CGNAT, unspecified, multicast,
 * reserved, IPv6 unique-local/site-local, and IPv4 addresses hidden in
 * IPv4-mapped, IPv4-compatible or NAT64 IPv6 forms are refused.
 */
#ifndef OMKT_DOWNLOADERD_ADDRPOL_H
#define OMKT_DOWNLOADERD_ADDRPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* addrpol_is_refused - @sa (of @len bytes) is not a public address; a
 * family other than IPv4/IPv6 is refused too.  @what gets a short name of
 * the class ("loopback") when refused; may be NULL. */
bool addrpol_is_refused(const struct sockaddr *sa, socklen_t len,
                        const char **what);

/* addrpol_format - numeric text of @sa into @buf ("?" when unknown). */
void addrpol_format(const struct sockaddr *sa, char *buf, size_t size);

#endif

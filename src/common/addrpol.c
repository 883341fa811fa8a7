/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addrpol - the address classes outgoing requests must not reach (see
 * addrpol.h).
 *
 * DESIGN: the check runs on the socket address libcurl is about to
 * connect to (CURLOPT_OPENSOCKETFUNCTION), so it applies to the address
 * actually used, after DNS, on every redirect hop and every new
 * connection; a name that resolves to a public address once and a private
 * one later (DNS rebinding) is caught at connect time.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addrpol.h"
#include "alloc.h"

struct v4net {
    uint32_t net;
    unsigned bits;
    const char *what;
};

static const struct v4net v4_refused[] = {
    {0x00000000u, 8, "unspecified"},     /* 0.0.0.0/8 */
    {0x0a000000u, 8, "private"},         /* 10.0.0.0/8 */
    {0x64400000u, 10, "shared (CGNAT)"}, /* 100.64.0.0/10 */
    {0x7f000000u, 8, "loopback"},        /* 127.0.0.0/8 */
    {0xa9fe0000u, 16, "link-local"},     /* 169.254.0.0/16 */
    {0xac100000u, 12, "private"},        /* 172.16.0.0/12 */
    {0xc0000000u, 24, "IETF protocol"},  /* 192.0.0.0/24 */
    {0xc0a80000u, 16, "private"},        /* 192.168.0.0/16 */
    {0xc6120000u, 15, "benchmarking"},   /* 198.18.0.0/15 */
    {0xe0000000u, 4, "multicast"},       /* 224.0.0.0/4 */
    {0xf0000000u, 4, "reserved"},        /* 240.0.0.0/4, broadcast */
};

/* v4_class - the refused class of host-order @a, or NULL. */
static const char *v4_class(uint32_t a)
{
    for (size_t i = 0; i < OMKT_ARRAY_LEN(v4_refused); i++) {
        uint32_t mask = 0xffffffffu << (32 - v4_refused[i].bits);

        if ((a & mask) == v4_refused[i].net)
            return v4_refused[i].what;
    }
    return NULL;
}

/* v4_at - the IPv4 address at byte @off of @b, host order. */
static uint32_t v4_at(const uint8_t *b, size_t off)
{
    return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
           (uint32_t)b[off + 2] << 8 | b[off + 3];
}

/* v4_of - the IPv4 address at byte 12 of @b, host order. */
static uint32_t v4_of(const uint8_t *b)
{
    return v4_at(b, 12);
}

/* v6_embedded - the class of forms that carry an IPv4 address, or NULL
 * (*is_v4 says whether @b is such a form at all). */
static const char *v6_embedded(const uint8_t *b, bool *is_v4)
{
    static const uint8_t zero[12] = {0};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
    uint32_t a = v4_of(b);

    *is_v4 = true;
    if (memcmp(b, zero, 12) == 0) {
        if (a == 0)
            return "unspecified";
        if (a == 1)
            return "loopback";
        return v4_class(a) ? v4_class(a) : "IPv4-compatible";
    }
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_class(a);
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 2002:V4ADDR::/48 */
        return v4_class(v4_at(b, 2));
    *is_v4 = false;
    return NULL;
}

/* v6_class - the refused class of @b (16 bytes), or NULL. */
static const char *v6_class(const uint8_t *b)
{
    static const uint8_t nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};
    static const uint8_t discard[8] = {0x01, 0};
    static const uint8_t doc[4] = {0x20, 0x01, 0x0d, 0xb8};
    bool is_v4 = false;
    const char *cls = v6_embedded(b, &is_v4);

    if (is_v4)
        return cls;
    if (memcmp(b, nat64_local, 6) == 0)
        return "NAT64 local-use"; /* 64:ff9b:1::/48 */
    if (memcmp(b, discard, 8) == 0)
        return "discard"; /* 100::/64 */
    if (memcmp(b, doc, 4) == 0)
        return "documentation"; /* 2001:db8::/32 */
    if ((b[0] & 0xfe) == 0xfc)
        return "unique-local";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return "link-local";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return "site-local";
    if (b[0] == 0xff)
        return "multicast";
    return NULL;
}

bool omkt_addrpol_is_refused(const struct sockaddr *sa, socklen_t len,
                             const char **what)
{
    const char *cls = "unsupported family";

    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        cls = v4_class(ntohl(in->sin_addr.s_addr));
    } else if (sa->sa_family == AF_INET6 &&
               len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        cls = v6_class(in6->sin6_addr.s6_addr);
    }
    if (what != NULL)
        *what = cls;
    return cls != NULL;
}

void omkt_addrpol_format(const struct sockaddr *sa, char *buf, size_t size)
{
    const void *a = NULL;

    if (sa->sa_family == AF_INET)
        a = &((const struct sockaddr_in *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (a == NULL || inet_ntop(sa->sa_family, a, buf, (socklen_t)size) == NULL)
        snprintf(buf, size, "?");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_addrpol - the address policy every outgoing request goes through
 * (common/addrpol.h): which peer addresses are refused and under which
 * class, IPv4 and IPv6, including IPv4 hidden in IPv6 forms.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/addrpol.h"
#include "common/alloc.h"
#include "omkt_test.h"

/* refused - the policy's answer for numeric address @text; *what its
 * class (NULL when allowed). */
static bool refused(const char *text, const char **what)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

    *what = NULL;
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
        return omkt_addrpol_is_refused((struct sockaddr *)&in, sizeof(in),
                                       what);
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
        return omkt_addrpol_is_refused((struct sockaddr *)&in6, sizeof(in6),
                                       what);
    *what = "unparsable test case";
    return true;
}

static void test_classes(void)
{
    static const struct {
        const char *addr;
        const char *what; /* NULL: allowed */
    } c[] = {
        /* IPv4 */
        {"127.0.0.1", "loopback"},
        {"127.255.255.254", "loopback"},
        {"0.0.0.0", "unspecified"},
        {"10.1.2.3", "private"},
        {"172.16.0.1", "private"},
        {"172.31.255.255", "private"},
        {"192.168.1.1", "private"},
        {"169.254.169.254", "link-local"},
        {"100.64.0.1", "shared (CGNAT)"},
        {"100.127.255.255", "shared (CGNAT)"},
        {"192.0.0.8", "IETF protocol"},
        {"198.18.0.1", "benchmarking"},
        {"224.0.0.1", "multicast"},
        {"255.255.255.255", "reserved"},
        {"8.8.8.8", NULL},
        {"172.32.0.1", NULL},
        {"100.128.0.1", NULL},
        {"203.0.113.7", NULL}, /* the "public" address of the tests */
        /* IPv6 */
        {"::1", "loopback"},
        {"::", "unspecified"},
        {"fe80::1", "link-local"},
        {"fc00::1", "unique-local"},
        {"fd12:3456::1", "unique-local"},
        {"fec0::1", "site-local"},
        {"ff02::1", "multicast"},
        {"2001:db8::1", "documentation"},
        {"100::1", "discard"},
        {"2606:4700::1111", NULL},
        {"2a00:1450:4007:80e::200e", NULL},
        /* IPv4 in IPv6 clothing */
        {"::ffff:127.0.0.1", "loopback"},
        {"::ffff:10.0.0.1", "private"},
        {"::ffff:169.254.169.254", "link-local"},
        {"::ffff:8.8.8.8", NULL},
        {"::127.0.0.1", "loopback"},
        {"::8.8.8.8", "IPv4-compatible"},
        {"64:ff9b::127.0.0.1", "loopback"},
        {"64:ff9b::192.168.0.1", "private"},
        {"64:ff9b::100.64.0.1", "shared (CGNAT)"},
        {"64:ff9b::8.8.8.8", NULL},
        {"64:ff9b:1::a00:1", "NAT64 local-use"},
        {"2002:7f00:1::1", "loopback"},      /* 6to4 of 127.0.0.1 */
        {"2002:a9fe:a9fe::1", "link-local"}, /* 6to4 of 169.254.169.254 */
        {"2002:808:808::1", NULL},           /* 6to4 of 8.8.8.8 */
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        const char *what = NULL;
        bool is_refused = refused(c[i].addr, &what);

        OMKT_CHECK(is_refused == (c[i].what != NULL), "%s %s", c[i].addr,
                   c[i].what ? "refused" : "allowed");
        if (c[i].what != NULL)
            OMKT_CHECK_STR(what, c[i].what, "%s class", c[i].addr);
    }
}

static void test_other_families(void)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr sa = {.sa_family = AF_UNIX};
    const char *what = NULL;

    OMKT_CHECK(omkt_addrpol_is_refused(&sa, sizeof(sa), &what),
               "AF_UNIX refused");
    OMKT_CHECK_STR(what, "unsupported family", "AF_UNIX class");
    inet_pton(AF_INET, "8.8.8.8", &in.sin_addr);
    OMKT_CHECK(omkt_addrpol_is_refused((struct sockaddr *)&in, 4, NULL),
               "a short IPv4 sockaddr is refused");
}

static void test_format(void)
{
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    struct sockaddr sa = {.sa_family = AF_UNIX};
    char buf[64];

    inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
    omkt_addrpol_format((struct sockaddr *)&in6, buf, sizeof(buf));
    OMKT_CHECK_STR(buf, "::ffff:127.0.0.1", "IPv6 text");
    omkt_addrpol_format(&sa, buf, sizeof(buf));
    OMKT_CHECK_STR(buf, "?", "unknown family");
}

int main(void)
{
    test_classes();
    test_other_families();
    test_format();
    return omkt_test_done();
}

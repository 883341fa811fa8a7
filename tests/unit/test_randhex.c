/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_randhex - random hex tokens: length, alphabet, freshness, bounds. */
#include <string.h>

#include "common/alloc.h"
#include "common/randhex.h"
#include "omkt_test.h"

static void test_tokens(void)
{
    static const size_t lens[] = {0, 2, 32, 128};
    char a[129], b[129];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(lens); i++) {
        OMKT_CHECK_INT(omkt_random_hex(a, lens[i], NULL), OMKT_OK, "%zu",
                       lens[i]);
        OMKT_CHECK_INT(strlen(a), lens[i], "length %zu", lens[i]);
        OMKT_CHECK(strspn(a, "0123456789abcdef") == lens[i], "hex: %s", a);
    }
    OMKT_CHECK_INT(omkt_random_hex(a, 32, NULL), OMKT_OK, "one");
    OMKT_CHECK_INT(omkt_random_hex(b, 32, NULL), OMKT_OK, "another");
    OMKT_CHECK(strcmp(a, b) != 0, "fresh each time");
}

static void test_bounds(void)
{
    struct omkt_errbuf eb = {0};
    char out[200] = "x";

    OMKT_CHECK_INT(omkt_random_hex(out, 3, &eb), OMKT_EINVAL, "odd length");
    OMKT_CHECK(out[0] == '\0' && eb.is_set, "empty, with a reason");
    OMKT_CHECK_INT(omkt_random_hex(out, 130, NULL), OMKT_EINVAL, "too long");
}

int main(void)
{
    test_tokens();
    test_bounds();
    return omkt_test_done();
}

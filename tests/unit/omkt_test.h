/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omkt_test - a tiny TAP harness for the unit tests.  Each test binary
 * calls its test functions from main() and returns omkt_test_done(), which
 * is 0 when every check passed and 1 otherwise (77 means skipped).
 */
#ifndef OMKT_TESTS_OMKT_TEST_H
#define OMKT_TESTS_OMKT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int omkt_test_n;
static int omkt_test_failed;

#define OMKT_CHECK(cond, ...)                                                  \
    do {                                                                       \
        omkt_test_n++;                                                         \
        if (cond) {                                                            \
            printf("ok %d - ", omkt_test_n);                                   \
        } else {                                                               \
            omkt_test_failed++;                                                \
            printf("not ok %d - %s:%d: ", omkt_test_n, __FILE__, __LINE__);    \
        }                                                                      \
        printf(__VA_ARGS__);                                                   \
        printf("\n");                                                          \
    } while (0)

#define OMKT_CHECK_INT(got, want, ...)                                         \
    do {                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);               \
        OMKT_CHECK(g_ == w_, __VA_ARGS__);                                     \
        if (g_ != w_)                                                          \
            printf("#   got %lld, want %lld\n", g_, w_);                       \
    } while (0)

#define OMKT_CHECK_STR(got, want, ...)                                         \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;               \
        OMKT_CHECK(same_, __VA_ARGS__);                                        \
        if (!same_)                                                            \
            printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)",        \
                   w_ ? w_ : "(null)");                                        \
    } while (0)

static inline int omkt_test_done(void)
{
    printf("1..%d\n", omkt_test_n);
    return omkt_test_failed ? 1 : 0;
}

#endif

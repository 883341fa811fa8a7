/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_media_segment_plan - segment boundaries on keyframes: regular
 * keyframes give the multiples of the length, irregular ones the nearest
 * keyframe, sparse ones every keyframe far enough apart; no segment
 * (first or last) shorter than half a length; short sources and sources
 * without keyframes are one segment; bad input is refused.
 */
#include <stdlib.h>

#include "media/segment_plan.h"
#include "omkt_test.h"

#define S(x)     ((int64_t)((x)*1000000.0))
#define MAX_KEYS 64
#define END      (-1)

struct pcase {
    const char *what;
    double keys[MAX_KEYS]; /* seconds, END-terminated */
    double duration, length;
    double want[MAX_KEYS]; /* seconds, END-terminated */
};

/* to_us - the END-terminated seconds @s as microseconds; returns count. */
static size_t to_us(const double *s, int64_t *us)
{
    size_t n = 0;

    while (n < MAX_KEYS && s[n] != END) {
        us[n] = S(s[n]);
        n++;
    }
    return n;
}

static void check_case(const struct pcase *c)
{
    int64_t keys[MAX_KEYS], want[MAX_KEYS], *got = NULL;
    size_t nk = to_us(c->keys, keys), nw = to_us(c->want, want), ng = 0;
    int rc =
        omkt_segment_plan(keys, nk, S(c->duration), S(c->length), &got, &ng);
    bool same = rc == OMKT_OK && ng == nw;

    for (size_t i = 0; same && i < nw; i++)
        same = got[i] == want[i];
    OMKT_CHECK(same, "%s: %zu boundaries", c->what, ng);
    for (size_t i = 0; !same && i < ng; i++)
        printf("#   got %.3f s\n", (double)got[i] / 1e6);
    free(got);
}

static void test_plans(void)
{
    static const struct pcase c[] = {
        {"keys every 2 s, 20 s in 4 s",
         {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, END},
         20,
         4,
         {4, 8, 12, 16, END}},
        {"keys every 1 s, 60 s in 10 s",
         {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
          32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
          48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, END},
         60,
         10,
         {10, 20, 30, 40, 50, END}},
        {"irregular keys: the nearest one",
         {0, 3.2, 4.6, 7.9, 9.1, 11.5, 13.0, 16.4, END},
         20,
         4,
         {4.6, 7.9, 11.5, 16.4, END}},
        {"a tie: the earlier key", {0, 3, 5, 9, END}, 12, 4, {3, 9, END}},
        {"last segment at least half a length",
         {0, 2, 4, 6, 8, 10, 12, 14, 16, END},
         17,
         4,
         {4, 8, 12, END}},
        {"first segment at least half a length",
         {0, 1.9, 5.5, 9, END},
         12,
         4,
         {5.5, END}},
        {"sparse keys: each one far enough",
         {0, 10, 20, 30, 40, END},
         50,
         4,
         {10, 20, 30, 40, END}},
        {"shorter than 1.5 lengths: one segment",
         {0, 2, 4, END},
         5.9,
         4,
         {END}},
        {"no keyframe but the first: one segment", {0, END}, 60, 4, {END}},
        {"no keyframe at all: one segment", {END}, 60, 4, {END}},
        {"a long gap, then regular keys",
         {0, 1, 2, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, END},
         40,
         4,
         {2, 30, 36, END}},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        check_case(&c[i]);
}

static void test_bad_input(void)
{
    int64_t keys[] = {0, 2000000, 1000000};
    int64_t dup[] = {0, 1000000, 1000000};
    int64_t *b = (int64_t *)&b; /* must be reset to NULL */
    size_t n = 7;

    OMKT_CHECK_INT(omkt_segment_plan(keys, 3, S(10), S(4), &b, &n), OMKT_EINVAL,
                   "unsorted keys refused");
    OMKT_CHECK(b == NULL && n == 0, "outputs cleared on failure");
    OMKT_CHECK_INT(omkt_segment_plan(dup, 3, S(10), S(4), &b, &n), OMKT_EINVAL,
                   "repeated keys refused");
    OMKT_CHECK_INT(omkt_segment_plan(keys, 1, S(10), 0, &b, &n), OMKT_EINVAL,
                   "zero length refused");
    OMKT_CHECK_INT(omkt_segment_plan(keys, 1, 0, S(4), &b, &n), OMKT_EINVAL,
                   "unknown duration refused");
}

int main(void)
{
    test_plans();
    test_bad_input();
    return omkt_test_done();
}

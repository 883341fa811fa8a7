/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_text - UTF-8 validation, cutting and cleaning (common/text). */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"
#include "omkt_test.h"

static void test_valid(void)
{
    static const struct {
        const char *in;
        bool ok;
    } c[] = {
        {"plain", true},
        {"caf\xC3\xA9", true},
        {"\xE2\x82\xAC", true},      /* euro sign */
        {"\xF0\x9F\x8E\xAC", true},  /* clapper board */
        {"\xFF", false},             /* never in UTF-8 */
        {"\xC3", false},             /* truncated */
        {"\xC0\xAF", false},         /* overlong '/' */
        {"\xE0\x80\xAF", false},     /* overlong '/' */
        {"\xED\xA0\x80", false},     /* surrogate */
        {"\xF4\x90\x80\x80", false}, /* above U+10FFFF */
        {"\xE2\x82", false},         /* cut euro */
        {"a\x80", false},            /* stray continuation */
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK_INT(omkt_utf8_valid(c[i].in, strlen(c[i].in)), c[i].ok,
                       "valid case %zu", i);
}

static void test_cut(void)
{
    static const struct {
        const char *in;
        size_t max;
        size_t want;
    } c[] = {
        {"abc", 10, 3},
        {"abc", 2, 2},
        {"a\xE2\x82\xAC", 3, 1}, /* never inside the euro sign */
        {"a\xE2\x82\xAC", 4, 4},
        {"a\xE2\x82\xAC", 2, 1},
        {"\xF0\x9F\x8E\xAC", 3, 0},
        {"\xFF\xFF", 1, 1}, /* invalid bytes are characters of their own */
        {"", 0, 0},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK_INT(omkt_utf8_cut(c[i].in, strlen(c[i].in), c[i].max),
                       c[i].want, "cut case %zu", i);
}

static void test_copy(void)
{
    static const struct {
        const char *in;
        size_t size;
        int rc;
        const char *want;
    } c[] = {
        {"abc", 8, OMKT_OK, "abc"},
        {"abcdef", 4, OMKT_ETOOBIG, "abc"},
        {"ab\xE2\x82\xAC", 5, OMKT_ETOOBIG, "ab"},
        {"ab\xE2\x82\xAC", 6, OMKT_OK, "ab\xE2\x82\xAC"},
        {"\xFF", 8, OMKT_OK, "\xEF\xBF\xBD"},
        {"a\xFF", 4, OMKT_ETOOBIG, "a"}, /* the U+FFFD does not fit */
        {"x\xC3", 8, OMKT_OK, "x\xEF\xBF\xBD"},
        {"", 1, OMKT_OK, ""},
    };
    char buf[16];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        OMKT_CHECK_INT(omkt_text_copy(buf, c[i].size, c[i].in), c[i].rc,
                       "copy rc case %zu", i);
        OMKT_CHECK_STR(buf, c[i].want, "copy case %zu", i);
        OMKT_CHECK(omkt_utf8_valid(buf, strlen(buf)), "copy case %zu valid", i);
    }
}

/* Every cut of a long mixed string stays valid and within bounds. */
static void test_dup_all_cuts(void)
{
    const char *s = "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC\xFF\xF0\x9F\x8E\xAC z";
    bool is_ok = true;

    for (size_t max = 0; max < 24; max++) {
        char *d = omkt_text_dup(s, max);

        if (strlen(d) > max || !omkt_utf8_valid(d, strlen(d)))
            is_ok = false;
        free(d);
    }
    OMKT_CHECK(is_ok, "omkt_text_dup: valid and bounded at every cut");
}

int main(void)
{
    test_valid();
    test_cut();
    test_copy();
    test_dup_all_cuts();
    return omkt_test_done();
}

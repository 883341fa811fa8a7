/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_pathkey - media-nommer's submit paths and the API key some
 * of them carry (src/apid/pathkey.c): what the unmodified client posts to
 * for a base URL with and without the key and with a trailing slash,
 * what is not a submit path, a key too long for the buffer, and the
 * masking that keeps keys out of log lines.
 */
#include <stdbool.h>
#include <string.h>

#include "apid/pathkey.h"
#include "common/alloc.h"
#include "omkt_test.h"

static void test_paths(void)
{
    static const struct {
        const char *path;
        bool is_submit;
        const char *key;
    } c[] = {
        {"/job/submit", true, ""},
        {"/job/submit/", true, ""},
        {"//job/submit", true, ""}, /* base "http://h:p/" */
        {"//job/submit/", true, ""},
        {"/nommer/K123/job/submit", true, "K123"},
        {"/nommer/K123/job/submit/", true, "K123"},
        {"/nommer/K123//job/submit", true, "K123"}, /* trailing slash */
        {"/nommer/a-b_c.d~e/job/submit", true, "a-b_c.d~e"},
        {"/nommer//job/submit", false, ""}, /* empty key */
        {"/nommer/K/x/job/submit", false, ""},
        {"/nommer/K/job/submit/x", false, ""},
        {"/nommer/K", false, ""},
        {"/nommer/K/", false, ""},
        {"///job/submit", false, ""},
        {"/job/submit//", false, ""},
        {"/job/submitx", false, ""},
        {"/v1/job/submit", false, ""},
        {"/nommerK/job/submit", false, ""},
        {"", false, ""},
    };
    char key[64];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        OMKT_CHECK_INT(pathkey_nommer(c[i].path, key, sizeof(key)),
                       c[i].is_submit, "case %zu: %s", i, c[i].path);
        OMKT_CHECK_STR(key, c[i].key, "case %zu: key", i);
        OMKT_CHECK_INT(pathkey_nommer(c[i].path, NULL, 0), c[i].is_submit,
                       "case %zu: without a buffer", i);
    }
    OMKT_CHECK(!pathkey_nommer("/nommer/12345/job/submit", key, 5),
               "a key that does not fit: refused");
    OMKT_CHECK(pathkey_nommer("/nommer/1234/job/submit", key, 5) &&
                   strcmp(key, "1234") == 0,
               "a key that just fits");
}

static void test_mask(void)
{
    static const struct {
        const char *in, *want;
    } c[] = {
        {"/nommer/SECRET/job/submit", "/nommer/****/job/submit"},
        {"/nommer/SECRET//job/submit/", "/nommer/****//job/submit/"},
        {"/nommer/SECRET", "/nommer/****"},
        {"POST /nommer/SECRET?x=1: bad", "POST /nommer/****?x=1: bad"},
        {"a /nommer/S1/ b /nommer/S2/c", "a /nommer/****/ b /nommer/****/c"},
        {"/nommer//job", "/nommer//job"},
        {"/job/submit/", "/job/submit/"},
        {"", ""},
    };
    char out[64], small[12];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        pathkey_mask(c[i].in, out, sizeof(out));
        OMKT_CHECK_STR(out, c[i].want, "mask case %zu", i);
    }
    pathkey_mask("/nommer/SECRETKEY/job", small, sizeof(small));
    OMKT_CHECK_STR(small, "/nommer/***", "cut short, the key still hidden");
}

int main(void)
{
    test_paths();
    test_mask();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_notifierd_sign - the X-Omkt-Signature value of callbacks
 * (src/notifierd/sign.c, docs/callbacks.md) against vectors computed
 * independently (Python's hmac and hashlib): the body's SHA-256 and the
 * request target are signed, an empty or NULL body is the empty body,
 * binary bodies count by length, and a buffer too small is OMKT_ETOOBIG.
 */
#include <stdbool.h>
#include <string.h>

#include "notifierd/sign.h"
#include "omkt_test.h"

#define KEY "0123456789abcdef0123456789abcdef"

static void test_vectors(void)
{
    static const struct {
        struct sign_input in;
        const char *want;
    } c[] = {
        {{KEY, 1764633600, "cb-42", "POST", "/omk/hook.php?x=1",
          "{\"media_id\":7,\"status\":\"ok\"}", 28},
         "t=1764633600,v1=a4ff9390bc572fddf1bc8f9e712a4d12a5af4a93d6d8b58e1944"
         "9f2d108ea578"},
        {{KEY, 1764633600, "cb-42", "GET",
          "/api/index.php?action=transcoder_send_format&id=12", NULL, 0},
         "t=1764633600,v1=9c9bd4c41bc22e247922f219c2fce24ffc4098b1db5128231b11"
         "94d289faea3e"},
        /* a NULL body and an empty one sign the same */
        {{KEY, 1764633600, "cb-42", "GET",
          "/api/index.php?action=transcoder_send_format&id=12", "", 0},
         "t=1764633600,v1=9c9bd4c41bc22e247922f219c2fce24ffc4098b1db5128231b11"
         "94d289faea3e"},
        /* body_len is ignored for a NULL body */
        {{KEY, 1764633600, "cb-42", "GET",
          "/api/index.php?action=transcoder_send_format&id=12", NULL, 99},
         "t=1764633600,v1=9c9bd4c41bc22e247922f219c2fce24ffc4098b1db5128231b11"
         "94d289faea3e"},
        {{"", 0, "", "GET", "", NULL, 0},
         "t=0,v1=cb081f35da677f164d4730adf831d91ad86ad21b54fd7f179ac8c4a5dcf6d3"
         "0d"},
        /* UTF-8 key, negative time, bytes with NULs: by length */
        {{"k\xc3\xa9y", -1, "id", "POST", "/", "\0\1\2", 3},
         "t=-1,v1=27524542d574828a17190976a4ed0c882a909262dcef01d81d419c5d2bffa"
         "771"},
        {{"secret", INT64_MAX, "x", "POST", "/p", "a", 1},
         "t=9223372036854775807,v1=730c8b2af6cb74283256af51318ab8f9c35b64e020"
         "93a6f93be1e407701e0aee"},
    };
    char out[SIGN_HEADER_MAX];

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        memset(out, 'x', sizeof(out));
        OMKT_CHECK_INT(sign_value(&c[i].in, out, sizeof(out)), OMKT_OK,
                       "case %zu: signs", i);
        OMKT_CHECK_STR(out, c[i].want, "case %zu: value", i);
    }
}

/* Each part of the signed string changes the signature. */
static void test_parts(void)
{
    const struct sign_input base = {KEY,     1764633600, "cb-42", "POST",
                                    "/hook", "{}",       2};
    struct sign_input v[6];
    char want[SIGN_HEADER_MAX], got[SIGN_HEADER_MAX];

    for (size_t i = 0; i < 6; i++)
        v[i] = base;
    v[0].key = "another key";
    v[1].t = base.t + 1;
    v[2].id = "cb-43";
    v[3].method = "GET";
    v[4].target = "/hook?";
    v[5].body = "{ }";
    v[5].body_len = 3;
    OMKT_CHECK_INT(sign_value(&base, want, sizeof(want)), OMKT_OK, "base");
    for (size_t i = 0; i < 6; i++) {
        OMKT_CHECK_INT(sign_value(&v[i], got, sizeof(got)), OMKT_OK,
                       "variant %zu signs", i);
        /* the same t= prefix except for variant 1: compare the MACs */
        OMKT_CHECK(strcmp(strstr(got, ",v1="), strstr(want, ",v1=")) != 0,
                   "variant %zu: another MAC", i);
    }
}

/* The buffer: the exact size fits, one byte less is OMKT_ETOOBIG. */
static void test_size(void)
{
    const struct sign_input in = {KEY, INT64_MIN, "cb", "POST", "/", "x", 1};
    char out[SIGN_HEADER_MAX];
    size_t need;

    OMKT_CHECK_INT(sign_value(&in, out, sizeof(out)), OMKT_OK,
                   "the longest time fits SIGN_HEADER_MAX");
    need = strlen(out) + 1;
    OMKT_CHECK_INT(need, 2 + 20 + 4 + 64 + 1, "t=<20>,v1=<64 hex>");
    OMKT_CHECK_INT(sign_value(&in, out, need), OMKT_OK, "exact size");
    OMKT_CHECK_INT(sign_value(&in, out, need - 1), OMKT_ETOOBIG,
                   "one byte short");
    OMKT_CHECK_INT(sign_value(&in, out, 1), OMKT_ETOOBIG, "one byte");
}

int main(void)
{
    test_vectors();
    test_parts();
    test_size();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_parse - integers, durations, sizes and bounded copies. */
#include "common/alloc.h"
#include "common/err.h"
#include "common/parse.h"
#include "omkt_test.h"

static void test_i64(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t want;
    } c[] = {
        {"0", OMKT_OK, 0},
        {"-12", OMKT_OK, -12},
        {"12abc", OMKT_EINVAL, 0},
        {"", OMKT_EINVAL, 0},
        {" 1", OMKT_EINVAL, 0},
        {"99999999999999999999", OMKT_EINVAL, 0},
        {"9223372036854775807", OMKT_OK, INT64_MAX},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int64_t v = -1;
        OMKT_CHECK_INT(omkt_parse_i64(c[i].in, &v), c[i].rc, "i64 rc %s",
                       c[i].in);
        OMKT_CHECK_INT(v, c[i].want, "i64 value %s", c[i].in);
    }
}

static void test_duration(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t ms;
    } c[] = {
        {"300s", OMKT_OK, 300000},  {"100ms", OMKT_OK, 100},
        {"5m", OMKT_OK, 300000},    {"2h", OMKT_OK, 7200000},
        {"5min", OMKT_OK, 300000},  {"5mn", OMKT_EINVAL, 0},
        {"7d", OMKT_OK, 604800000}, {"30", OMKT_OK, 30000},
        {"-1s", OMKT_EINVAL, 0},    {"5x", OMKT_EINVAL, 0},
        {"s", OMKT_EINVAL, 0},      {"10 s", OMKT_EINVAL, 0},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int64_t v = -1;
        OMKT_CHECK_INT(omkt_parse_duration_ms(c[i].in, &v), c[i].rc,
                       "duration rc %s", c[i].in);
        OMKT_CHECK_INT(v, c[i].ms, "duration value %s", c[i].in);
    }
}

static void test_size(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t bytes;
    } c[] = {
        {"512", OMKT_OK, 512},
        {"64K", OMKT_OK, 65536},
        {"64M", OMKT_OK, 67108864},
        {"2g", OMKT_OK, 2147483648LL},
        {"1T", OMKT_OK, 1099511627776LL},
        {"1Q", OMKT_EINVAL, 0},
        {"1MB", OMKT_EINVAL, 0},
        {"-5", OMKT_EINVAL, 0},
        {"99999999999T", OMKT_EINVAL, 0},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int64_t v = -1;
        OMKT_CHECK_INT(omkt_parse_size(c[i].in, &v), c[i].rc, "size rc %s",
                       c[i].in);
        OMKT_CHECK_INT(v, c[i].bytes, "size value %s", c[i].in);
    }
}

static void test_strlcpy_trim(void)
{
    char buf[4];
    char t[] = "  a b \t\n";

    OMKT_CHECK_INT(omkt_strlcpy(buf, "abc", sizeof(buf)), OMKT_OK, "fits");
    OMKT_CHECK_INT(omkt_strlcpy(buf, "abcd", sizeof(buf)), OMKT_ETOOBIG,
                   "truncated");
    OMKT_CHECK_STR(buf, "abc", "truncated content");
    OMKT_CHECK_STR(omkt_trim(t), "a b", "trim");
}

int main(void)
{
    test_i64();
    test_duration();
    test_size();
    test_strlcpy_trim();
    return omkt_test_done();
}

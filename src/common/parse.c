/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse - strict number, duration and size parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "parse.h"

/* number_prefix - leading integer of @s; *end points after it. */
static int number_prefix(const char *s, int64_t *out, const char **end)
{
    char *e = NULL;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return OMKT_EINVAL;
    errno = 0;
    v = strtoll(s, &e, 10);
    if (errno != 0 || e == s)
        return OMKT_EINVAL;
    *out = v;
    *end = e;
    return OMKT_OK;
}

int omkt_parse_i64(const char *s, int64_t *out)
{
    const char *end = NULL;
    int64_t v = 0;

    *out = 0;
    if (number_prefix(s, &v, &end) != OMKT_OK || *end != '\0')
        return OMKT_EINVAL;
    *out = v;
    return OMKT_OK;
}

int omkt_parse_int(const char *s, int *out)
{
    int64_t v = 0;

    *out = 0;
    if (omkt_parse_i64(s, &v) != OMKT_OK || v < INT32_MIN || v > INT32_MAX)
        return OMKT_EINVAL;
    *out = (int)v;
    return OMKT_OK;
}

/* scaled - @v times @mul, refusing negative values and overflow. */
static int scaled(int64_t v, int64_t mul, int64_t *out)
{
    if (v < 0 || (v > 0 && v > INT64_MAX / mul))
        return OMKT_EINVAL;
    *out = v * mul;
    return OMKT_OK;
}

int omkt_parse_duration_ms(const char *s, int64_t *out_ms)
{
    static const struct {
        const char *suffix;
        int64_t ms;
    } units[] = {{"", 1000},     {"ms", 1},      {"s", 1000},    {"m", 60000},
                 {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
    const char *end = NULL;
    int64_t v = 0;

    *out_ms = 0;
    if (number_prefix(s, &v, &end) != OMKT_OK)
        return OMKT_EINVAL;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(end, units[i].suffix) == 0)
            return scaled(v, units[i].ms, out_ms);
    return OMKT_EINVAL;
}

int omkt_parse_size(const char *s, int64_t *out)
{
    static const char suffixes[] = "KMGT";
    const char *end = NULL;
    const char *p;
    int64_t v = 0;
    int64_t mul = 1;

    *out = 0;
    if (number_prefix(s, &v, &end) != OMKT_OK)
        return OMKT_EINVAL;
    if (*end == '\0')
        return scaled(v, 1, out);
    p = strchr(suffixes, toupper((unsigned char)*end));
    if (p == NULL || end[1] != '\0')
        return OMKT_EINVAL;
    for (const char *q = suffixes; q <= p; q++)
        mul *= 1024;
    return scaled(v, mul, out);
}

int omkt_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);

    if (size == 0)
        return OMKT_ETOOBIG;
    if (n >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return OMKT_ETOOBIG;
    }
    memcpy(dst, src, n + 1);
    return OMKT_OK;
}

char *omkt_trim(char *s)
{
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_params - apid's request parameters (src/apid/params.c): the
 * x-www-form-urlencoded parser ('+', %XX, bad escapes kept, empty keys
 * dropped, values trimmed, UTF-8 checked, at most APID_PARAMS_MAX
 * pairs), the OMKT typing rules (lenient integers "12abc" = 12, presence
 * booleans), and settings_id_list in every shape omk-client and others
 * send: name[]=, name[K]= (PHP's http_build_query), a JSON array and
 * "11,15", with the APID_LIST_MAX cap.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/params.h"
#include "common/alloc.h"
#include "common/err.h"
#include "omkt_test.h"

/* parse - a new params from form @body (copied). */
static void parse(struct apid_params *p, const char *body)
{
    char *b = omkt_xstrdup(body);

    memset(p, 0, sizeof(*p));
    params_parse_form(p, b);
    free(b);
}

/* joined - "k=v;k=v" of @p into @buf, which it returns. */
static const char *joined(const struct apid_params *p, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < p->n && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", i ? ";" : "",
                              p->v[i].key, p->v[i].val);
    return buf;
}

static void test_form(void)
{
    static const struct {
        const char *body, *want;
        bool is_bad_utf8;
    } c[] = {
        {"a=1&b=2", "a=1;b=2", false},
        {"a=+x+&b=%41%42", "a=x;b=AB", false}, /* '+' is a space; trimmed */
        {"a=%zz&b=%4&c=%", "a=%zz;b=%4;c=%", false}, /* bad escapes kept */
        {"=x&&novalue&c=", "novalue=;c=", false},    /* empty keys dropped */
        {"a=1=2", "a=1=2", false},
        {"k%5B0%5D=11&k%5b1%5d=12", "k[0]=11;k[1]=12", false},
        {"a%20b=c+d", "a b=c d", false},
        {"a=%00b", "a=", true}, /* a NUL is refused, not a silent cut */
        {"%00k=1", "", true},
        {"dup=1&dup=2", "dup=1;dup=2", false},
        {"name=%C3%A9t%C3%A9", "name=\xc3\xa9t\xc3\xa9", false},
        {"app=%F0%9F%8E%AC", "app=\xf0\x9f\x8e\xac", false},
        {"application=%FF", "application=\xff", true},
        {"%FF=1", "\xff=1", true},
        {"x=%C0%AF", "x=\xc0\xaf", true},               /* overlong '/' */
        {"x=%ED%A0%80", "x=\xed\xa0\x80", true},        /* a surrogate */
        {"x=%F4%90%80%80", "x=\xf4\x90\x80\x80", true}, /* > U+10FFFF */
        {"x=%E2%82", "x=\xe2\x82", true},               /* cut sequence */
        {"x=%E2%82%AC", "x=\xe2\x82\xac", false},       /* the euro sign */
        {"", "", false},
    };
    char buf[256];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct apid_params p;

        parse(&p, c[i].body);
        OMKT_CHECK_STR(joined(&p, buf, sizeof(buf)), c[i].want, "form %zu: %s",
                       i, c[i].body);
        OMKT_CHECK_INT(p.is_bad_utf8, c[i].is_bad_utf8, "form %zu: UTF-8 flag",
                       i);
        OMKT_CHECK(!p.is_too_many, "form %zu: not too many", i);
        params_free(&p);
    }
}

static void test_too_many(void)
{
    struct apid_params p;
    char *body = omkt_xcalloc(APID_PARAMS_MAX + 2, 8);
    size_t n = 0;

    for (int i = 0; i <= APID_PARAMS_MAX; i++)
        n += (size_t)snprintf(body + n, (APID_PARAMS_MAX + 2) * 8 - n,
                              "%sk%d=1", i ? "&" : "", i);
    parse(&p, body);
    OMKT_CHECK_INT(p.n, APID_PARAMS_MAX, "%d pairs kept", APID_PARAMS_MAX);
    OMKT_CHECK(p.is_too_many, "one more is too many");
    params_free(&p);
    free(body);
}

static void test_lenient(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t want;
    } c[] = {
        {"12", OMKT_OK, 12},
        {"12abc", OMKT_OK, 12},
        {" 7", OMKT_OK, 7},
        {"+5", OMKT_OK, 5},
        {"-3", OMKT_OK, -3},
        {"007", OMKT_OK, 7},
        {"123456789012345678", OMKT_OK, 123456789012345678LL},
        {"99999999999999999999", OMKT_EINVAL, 0},
        {"abc", OMKT_EINVAL, 0},
        {"", OMKT_EINVAL, 0},
        {"-", OMKT_EINVAL, 0},
        {"+-1", OMKT_EINVAL, 0},
        {"0x10", OMKT_OK, 0},
        {"1e3", OMKT_OK, 1},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int64_t v = -99;

        OMKT_CHECK_INT(lenient_i64(c[i].in, &v), c[i].rc, "lenient \"%s\"",
                       c[i].in);
        OMKT_CHECK_INT(v, c[i].want, "lenient \"%s\" value", c[i].in);
    }
}

static void test_typed(void)
{
    static const struct {
        const char *body;
        int id_rc;
        int64_t id;
        bool dometadata; /* default true */
        bool has_url;
    } c[] = {
        {"", OMKT_ENOTFOUND, 0, true, false},
        {"id=&dometadata=&url=", OMKT_ENOTFOUND, 0, false, false},
        {"id=42&dometadata=1&url=http://x/", OMKT_OK, 42, true, true},
        {"id=42abc&dometadata=0", OMKT_OK, 42, false, false},
        {"id=+%2042+&dometadata=+0+", OMKT_OK, 42, false, false},
        {"id=-1&dometadata=false", OMKT_EINVAL, 0, true, false}, /* presence */
        {"id=x&dometadata=no", OMKT_EINVAL, 0, true, false},
        {"id=7&id=8", OMKT_OK, 7, true, false}, /* the first wins */
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct apid_params p;
        int64_t id = -99;

        parse(&p, c[i].body);
        OMKT_CHECK_INT(params_id(&p, "id", &id), c[i].id_rc, "id of %s",
                       c[i].body);
        OMKT_CHECK_INT(id, c[i].id, "id value of %s", c[i].body);
        OMKT_CHECK_INT(params_bool(&p, "dometadata", true), c[i].dometadata,
                       "dometadata of %s", c[i].body);
        OMKT_CHECK_INT(params_has(&p, "url"), c[i].has_url, "has url in %s",
                       c[i].body);
        params_free(&p);
    }
}

/* ids - "[1,2,...,n]" or "1,2,...,n" into @buf. */
static const char *ids(char *buf, size_t size, int n, bool is_json)
{
    size_t len = (size_t)snprintf(buf, size, "%s", is_json ? "[" : "");

    for (int i = 1; i <= n; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%d", i > 1 ? "," : "",
                                i);
    snprintf(buf + len, size - len, "%s", is_json ? "]" : "");
    return buf;
}

static void test_list(void)
{
    static const struct {
        const char *body;
        int rc;
        const char *want; /* the ids, comma-separated */
    } c[] = {
        {"l[]=1&l[]=2", OMKT_OK, "1,2"},
        {"l%5B0%5D=11&l%5B1%5D=12&l%5B2%5D=101", OMKT_OK, "11,12,101"},
        {"l[7]=5&l[x]=6", OMKT_OK, "5,6"},
        {"l=[11,15]", OMKT_OK, "11,15"},
        {"l=%5B11%2C15%5D", OMKT_OK, "11,15"},
        {"l=[\"11\",\"12x\"]", OMKT_OK, "11,12"},
        {"l=11,15", OMKT_OK, "11,15"},
        {"l=11", OMKT_OK, "11"},
        {"l=11,+15", OMKT_OK, "11,15"},
        {"l=[1,2]&l[]=3&l=4,5", OMKT_OK, "1,2,3,4,5"},
        {"l=[1,1]", OMKT_OK, "1,1"}, /* duplicates kept */
        {"l=", OMKT_EINVAL, ""},
        {"l=abc", OMKT_EINVAL, ""},
        {"l=1,,2", OMKT_EINVAL, ""},
        {"l=[1.5]", OMKT_EINVAL, ""},
        {"l=[{}]", OMKT_EINVAL, ""},
        {"l=[\"x\"]", OMKT_EINVAL, ""},
        {"l=[1,", OMKT_EINVAL, ""},
        {"l[]=x", OMKT_EINVAL, ""},
        {"l[]=", OMKT_EINVAL, ""},
        {"", OMKT_ENOTFOUND, ""},
        {"l[=1&lx[]=2&l]=3&L[]=4", OMKT_ENOTFOUND, ""},
    };
    int64_t v[APID_LIST_MAX];
    char got[256];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct apid_params p;
        size_t n = 99, len = 0;
        int rc;

        parse(&p, c[i].body);
        rc = params_list(&p, "l", v, APID_LIST_MAX, &n);
        OMKT_CHECK_INT(rc, c[i].rc, "list of %s", c[i].body);
        got[0] = '\0';
        for (size_t k = 0; rc == OMKT_OK && k < n; k++)
            len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%lld",
                                    k ? "," : "", (long long)v[k]);
        if (rc == OMKT_OK)
            OMKT_CHECK_STR(got, c[i].want, "ids of %s", c[i].body);
        params_free(&p);
    }
}

/*
 * refused - params_list's answer to a list over the cap: 1 when refused
 * as a client error, 0 for OMKT_OK, -1 for anything else.  XXX: the cap
 * gets its own code, OMKT_ETOOBIG (was OMKT_EINVAL); both are taken until
 * that change is everywhere.
 */
static int refused(int rc)
{
    return rc == OMKT_ETOOBIG || rc == OMKT_EINVAL ? 1 : rc == OMKT_OK ? 0 : -1;
}

/* APID_LIST_MAX ids in each shape fit; one more is refused. */
static void test_list_max(void)
{
    char list[1024], body[2048];
    int64_t v[APID_LIST_MAX];

    for (int shape = 0; shape < 3; shape++) {
        for (int extra = 0; extra <= 1; extra++) {
            int count = APID_LIST_MAX + extra;
            struct apid_params p;
            size_t n = 0, len = 0;

            if (shape == 2) {
                body[0] = '\0';
                for (int i = 1; i <= count; i++)
                    len += (size_t)snprintf(body + len, sizeof(body) - len,
                                            "%sl[]=%d", i > 1 ? "&" : "", i);
            } else {
                snprintf(body, sizeof(body), "l=%s",
                         ids(list, sizeof(list), count, shape == 0));
            }
            parse(&p, body);
            OMKT_CHECK_INT(refused(params_list(&p, "l", v, APID_LIST_MAX, &n)),
                           extra, "shape %d, %d ids refused?", shape, count);
            OMKT_CHECK(n <= APID_LIST_MAX, "shape %d: n %zu within the max",
                       shape, n);
            params_free(&p);
        }
    }
}

/*
 * The cap holds across fields: ids from several settings_id_list fields
 * (40 copies of a 64-id JSON array made apid write past its stack array)
 * count together.  @v is larger than the cap so a failure is reported,
 * not a crash.
 */
static void test_list_across_fields(void)
{
    static const struct {
        int fields, per_field;
        bool is_json;
    } c[] = {
        {2, APID_LIST_MAX, true},     {40, APID_LIST_MAX, true},
        {2, APID_LIST_MAX, false},    {2, APID_LIST_MAX / 2, true},
        {3, APID_LIST_MAX / 2, true},
    };
    char list[1024];
    int64_t v[APID_LIST_MAX * 64];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        struct apid_params p = {0};
        int total = c[i].fields * c[i].per_field;
        size_t n = 0;

        ids(list, sizeof(list), c[i].per_field, c[i].is_json);
        for (int f = 0; f < c[i].fields; f++)
            params_add(&p, "l", list);
        OMKT_CHECK_INT(refused(params_list(&p, "l", v, APID_LIST_MAX, &n)),
                       total > APID_LIST_MAX, "%d fields of %d ids refused?",
                       c[i].fields, c[i].per_field);
        OMKT_CHECK(n <= APID_LIST_MAX, "%d fields of %d ids: n %zu <= %d",
                   c[i].fields, c[i].per_field, n, APID_LIST_MAX);
        params_free(&p);
    }
}

int main(void)
{
    test_form();
    test_too_many();
    test_lenient();
    test_typed();
    test_list();
    test_list_max();
    test_list_across_fields();
    return omkt_test_done();
}

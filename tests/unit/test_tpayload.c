/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tpayload - the transcode job payload codec: what is built reads
 * back, and every malformed payload is refused (not half-read).
 */
#include <stdlib.h>

#include "common/alloc.h"
#include "common/tpayload.h"
#include "omkt_test.h"

static void test_roundtrip(void)
{
    const int64_t ids[] = {7, 12, 9000000000LL};
    char *text = omkt_tpayload_build(ids, OMKT_ARRAY_LEN(ids));
    int64_t *back = NULL;
    size_t n = 0;

    OMKT_CHECK_STR(text, "{\"transcodes\":[7,12,9000000000]}", "built");
    OMKT_CHECK_INT(omkt_tpayload_parse(text, &back, &n, NULL), OMKT_OK,
                   "parsed");
    OMKT_CHECK_INT(n, 3, "count");
    for (size_t i = 0; back != NULL && i < n; i++)
        OMKT_CHECK_INT(back[i], ids[i], "id %zu", i);
    free(back);
    free(text);
    OMKT_CHECK(omkt_tpayload_build(ids, 0) == NULL, "no rows: no payload");
}

static void test_refused(void)
{
    static const char *bad[] = {
        NULL,
        "",
        "[1,2]",
        "{}",
        "{\"transcodes\":[]}",
        "{\"transcodes\":3}",
        "{\"transcodes\":[1,\"2\"]}",
        "{\"transcodes\":[1,0]}",
        "{\"transcodes\":[-4]}",
        "{\"transcodes\":[1.5]}",
        "{\"transcodes\":[1,2",
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(bad); i++) {
        struct omkt_errbuf eb = {0};
        int64_t *t = (int64_t *)&eb; /* must be reset to NULL */
        size_t n = 99;

        OMKT_CHECK_INT(omkt_tpayload_parse(bad[i], &t, &n, &eb), OMKT_EINVAL,
                       "case %zu refused", i);
        OMKT_CHECK(t == NULL && n == 0 && eb.is_set, "case %zu: %s", i, eb.msg);
    }
}

int main(void)
{
    test_roundtrip();
    test_refused();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_notifierd_form - the body of media-nommer's form notifications
 * (src/notifierd/form.c): pairs in the order given, names and values
 * percent-encoded (what urllib's parse_qs and PHP's $_POST read back),
 * empty values kept, anything that is not an array of two-string pairs
 * refused.
 */
#include <jansson.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "notifierd/form.h"
#include "omkt_test.h"

static void test_bodies(void)
{
    static const struct {
        const char *fields; /* JSON */
        const char *want;   /* NULL: refused */
    } c[] = {
        {"[]", ""},
        {"[[\"unique_id\",\"7\"],[\"job_state\",\"PENDING\"],"
         "[\"job_state_details\",\"\"]]",
         "unique_id=7&job_state=PENDING&job_state_details="},
        /* order is the array's, not sorted */
        {"[[\"b\",\"1\"],[\"a\",\"2\"]]", "b=1&a=2"},
        {"[[\"job_state_details\",\"download failed: HTTP 404 & more=1+2\"]]",
         "job_state_details=download%20failed%3A%20HTTP%20404%20%26%20more%3D1"
         "%2B2"},
        {"[[\"dest_path\",\"out/a b/\\u00e9.mp4\"]]",
         "dest_path=out%2Fa%20b%2F%C3%A9.mp4"},
        {"[[\"m\",\"{\\\"a\\\":[1]}\"],[\"x~-._\",\"~-._\"]]",
         "m=%7B%22a%22%3A%5B1%5D%7D&x~-._=~-._"},
        {"{}", NULL},
        {"[[\"a\"]]", NULL},
        {"[[\"a\",\"b\",\"c\"]]", NULL},
        {"[[\"a\",1]]", NULL},
        {"[\"a=b\"]", NULL},
        {"[[\"a\",\"1\"],[null,\"2\"]]", NULL},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        json_t *f = json_loads(c[i].fields, 0, NULL);
        char *got = form_encode(f);

        if (c[i].want == NULL)
            OMKT_CHECK(got == NULL, "case %zu refused: %s", i, c[i].fields);
        else
            OMKT_CHECK_STR(got ? got : "(null)", c[i].want, "case %zu", i);
        free(got);
        json_decref(f);
    }
    OMKT_CHECK(form_encode(NULL) == NULL, "NULL refused");
}

int main(void)
{
    test_bodies();
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_restcb_body - the REST callback bodies, byte for byte as
 * docs/callbacks.md shows them: field order, nulls, the output object,
 * the settings list, invalid UTF-8 cleaned, states mapped, the overall
 * state of media.done, and fresh event ids.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/restcb_body.h"
#include "omkt_test.h"

static const struct omkt_restcb_head head = {
    "format.done", "evt_0123456789abcdef01234567", "2026-12-03T07:00:00Z", 12,
    "cms-42"};

/* dump - @b as compact text (steals @b); new. */
static char *dump(json_t *b)
{
    char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;

    json_decref(b);
    return text ? text : omkt_xstrdup("(null)");
}

static void test_format(void)
{
    struct omkt_restcb_setting done = {
        11,  "processed", "media/1/12/11.mp4", 1, "{\"mime\":\"video/mp4\"}",
        NULL};
    struct omkt_restcb_setting failed = {52, "error", NULL,
                                         0,  NULL,    "needs audio \xff"};
    struct omkt_restcb_head h = head;
    char *t = dump(omkt_restcb_format_body(&h, &done));

    OMKT_CHECK_STR(t,
                   "{\"event\":\"format.done\",\"event_id\":"
                   "\"evt_0123456789abcdef01234567\",\"created\":"
                   "\"2026-12-03T07:00:00Z\",\"media_id\":12,\"external_id\":"
                   "\"cms-42\",\"setting_id\":11,\"state\":\"done\","
                   "\"output\":{\"path\":\"media/1/12/11.mp4\","
                   "\"download_path\":\"/v1/media/12/transcodes/11/file\","
                   "\"cardinality\":1,\"metadata\":{\"mime\":\"video/mp4\"}},"
                   "\"error\":null}",
                   "format.done");
    free(t);
    h.event = "format.failed";
    h.external_id = NULL;
    t = dump(omkt_restcb_format_body(&h, &failed));
    OMKT_CHECK(strstr(t, "\"external_id\":null,\"setting_id\":52,\"state\":"
                         "\"failed\",\"output\":null,\"error\":\"needs "
                         "audio ") != NULL,
               "format.failed: %s", t);
    free(t);
}

static void test_media(void)
{
    struct omkt_restcb_setting s[] = {
        {11, "processed", "p", 1, NULL, NULL},
        {52, "error", NULL, 0, NULL, "needs audio"},
    };
    struct omkt_restcb_end e = {"partial", s, 2, NULL, NULL};
    struct omkt_restcb_end f = {"failed", NULL, 0, "download",
                                "download failed: HTTP 404"};
    struct omkt_restcb_head h = head;
    char *t;

    h.event = "media.done";
    t = dump(omkt_restcb_media_body(&h, &e));
    OMKT_CHECK(strstr(t, "\"external_id\":\"cms-42\",\"state\":\"partial\","
                         "\"settings\":[{\"setting_id\":11,\"state\":\"done\","
                         "\"error\":null},{\"setting_id\":52,\"state\":"
                         "\"failed\",\"error\":\"needs audio\"}],\"error\":"
                         "null}") != NULL,
               "media.done: %s", t);
    free(t);
    h.event = "media.failed";
    t = dump(omkt_restcb_media_body(&h, &f));
    OMKT_CHECK(strstr(t, "\"state\":\"failed\",\"settings\":[],\"stage\":"
                         "\"download\",\"error\":\"download failed: HTTP "
                         "404\"}") != NULL,
               "media.failed: %s", t);
    free(t);
}

static void test_states(void)
{
    static const struct {
        const char *row, *api;
    } c[] = {
        {"processed", "done"},      {"error", "failed"},
        {"cancelled", "cancelled"}, {"asked", "processing"},
        {"running", "processing"},  {"expired", "expired"},
    };
    struct omkt_restcb_setting all[] = {{1, "processed", 0, 0, 0, 0},
                                        {2, "processed", 0, 0, 0, 0}};
    struct omkt_restcb_setting mixed[] = {{1, "processed", 0, 0, 0, 0},
                                          {2, "cancelled", 0, 0, 0, 0}};
    struct omkt_restcb_setting none[] = {{1, "error", 0, 0, 0, 0},
                                         {2, "cancelled", 0, 0, 0, 0}};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK_STR(omkt_restcb_setting_state(c[i].row), c[i].api, "%s",
                       c[i].row);
    OMKT_CHECK_STR(omkt_restcb_overall(all, 2), "done", "all done");
    OMKT_CHECK_STR(omkt_restcb_overall(mixed, 2), "partial", "some done");
    OMKT_CHECK_STR(omkt_restcb_overall(none, 2), "failed", "none done");
    OMKT_CHECK_STR(omkt_restcb_overall(none, 0), "done", "nothing asked");
}

static void test_stamp(void)
{
    char a[OMKT_RESTCB_ID_LEN], b[OMKT_RESTCB_ID_LEN];
    char when[OMKT_RESTCB_TIME_LEN];

    OMKT_CHECK_INT(omkt_restcb_stamp(a, when, NULL), OMKT_OK, "stamp");
    OMKT_CHECK_INT(omkt_restcb_stamp(b, when, NULL), OMKT_OK, "stamp again");
    OMKT_CHECK(strncmp(a, "evt_", 4) == 0 && strlen(a) == 28 &&
                   strspn(a + 4, "0123456789abcdef") == 24,
               "event id: %s", a);
    OMKT_CHECK(strcmp(a, b) != 0, "fresh each time");
    OMKT_CHECK(strlen(when) == 20 && when[10] == 'T' && when[19] == 'Z',
               "created: %s", when);
}

int main(void)
{
    test_format();
    test_media();
    test_states();
    test_stamp();
    return omkt_test_done();
}

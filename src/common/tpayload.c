/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tpayload - the transcode job's payload codec (see tpayload.h). */
#include <jansson.h>
#include <stdlib.h>

#include "alloc.h"
#include "tpayload.h"

char *omkt_tpayload_build(const int64_t *tids, size_t n)
{
    json_t *arr = json_array();
    json_t *root = NULL;
    char *text = NULL;
    bool is_ok = arr != NULL && n > 0 && n <= OMKT_TPAYLOAD_MAX;

    for (size_t i = 0; is_ok && i < n; i++)
        is_ok = tids[i] > 0 &&
                json_array_append_new(arr, json_integer(tids[i])) == 0;
    if (is_ok)
        root = json_pack("{s:O}", "transcodes", arr);
    if (root != NULL)
        text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    json_decref(arr);
    return text;
}

/* bad - the one refusal of a malformed payload. */
static int bad(struct omkt_errbuf *eb, const char *why)
{
    omkt_errf(eb, "bad transcode job payload: %s", why);
    return OMKT_EINVAL;
}

/* take - the ids of @arr into a new array. */
static int take(json_t *arr, int64_t **tids, size_t *n, struct omkt_errbuf *eb)
{
    size_t len = json_array_size(arr);
    int64_t *out = NULL;
    json_t *v;
    size_t i;

    if (len == 0)
        return bad(eb, "no transcode rows");
    if (len > OMKT_TPAYLOAD_MAX)
        return bad(eb, "too many transcode rows");
    out = omkt_xcalloc(len, sizeof(*out));
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            free(out);
            return bad(eb, "a transcode row id is not an integer > 0");
        }
        out[i] = json_integer_value(v);
    }
    *tids = out;
    *n = len;
    return OMKT_OK;
}

int omkt_tpayload_parse(const char *text, int64_t **tids, size_t *n,
                        struct omkt_errbuf *eb)
{
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    json_t *arr = json_object_get(root, "transcodes");
    int ret;

    *tids = NULL;
    *n = 0;
    if (!json_is_array(arr))
        ret = bad(eb, "no \"transcodes\" list");
    else
        ret = take(arr, tids, n, eb);
    json_decref(root);
    return ret;
}

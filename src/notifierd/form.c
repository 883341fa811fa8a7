/* SPDX-License-Identifier: GPL-2.0-or-later */
/* form - form-urlencoded bodies of ordered pairs (see form.h). */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/httpc.h"
#include "form.h"

/* append_pair - "@body&name=value" (or without "&" when @body is ""); the
 * old @body is freed.  NULL when @pair is not two strings. */
static char *append_pair(char *body, json_t *pair)
{
    const char *n = json_string_value(json_array_get(pair, 0));
    const char *v = json_string_value(json_array_get(pair, 1));
    char *en, *ev, *out;

    if (n == NULL || v == NULL || json_array_size(pair) != 2) {
        free(body);
        return NULL;
    }
    en = omkt_http_escape(n);
    ev = omkt_http_escape(v);
    out = omkt_xasprintf("%s%s%s=%s", body, body[0] ? "&" : "", en, ev);
    free(en);
    free(ev);
    free(body);
    return out;
}

char *form_encode(json_t *fields)
{
    char *body;
    size_t i;
    json_t *pair;

    if (!json_is_array(fields))
        return NULL;
    body = omkt_xstrdup("");
    json_array_foreach(fields, i, pair)
    {
        body = append_pair(body, pair);
        if (body == NULL)
            return NULL;
    }
    return body;
}

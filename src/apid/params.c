/* SPDX-License-Identifier: GPL-2.0-or-later */
/* params - request parameters with the OMKT typing rules (see params.h). */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apid/params.h"
#include "common/alloc.h"
#include "common/err.h"
#include "common/parse.h"
#include "common/text.h"

void params_add(struct apid_params *p, const char *key, const char *val)
{
    char *v;

    if (p->n == APID_PARAMS_MAX) {
        p->is_too_many = true;
        return;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = omkt_xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    if (val == NULL)
        val = "";
    if (!omkt_utf8_valid(key, strlen(key)) ||
        !omkt_utf8_valid(val, strlen(val)))
        p->is_bad_utf8 = true;
    v = omkt_xstrdup(val);
    p->v[p->n].key = omkt_xstrdup(key);
    p->v[p->n].val = omkt_xstrdup(omkt_trim(v));
    free(v);
    p->n++;
}

/* hexval - one hex digit, or -1. */
static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* url_decode - '+' and %XX in place; bad escapes are kept verbatim.
 * Returns false when a %00 was decoded: C strings would silently cut the
 * value there, so the caller refuses the request instead. */
static bool url_decode(char *s)
{
    char *w = s;
    bool is_ok = true;

    for (char *q = s; *q != '\0'; q++) {
        if (*q == '+') {
            *w++ = ' ';
        } else if (*q == '%' && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
            *w = (char)(hexval(q[1]) * 16 + hexval(q[2]));
            is_ok = is_ok && *w != '\0';
            w++;
            q += 2;
        } else {
            *w++ = *q;
        }
    }
    *w = '\0';
    return is_ok;
}

void params_parse_form(struct apid_params *p, const char *body)
{
    char *copy = omkt_xstrdup(body); /* the raw body stays for the handler */
    char *pair = copy;

    while (pair != NULL) {
        char *amp = strchr(pair, '&');
        char *eq;

        if (amp != NULL)
            *amp = '\0';
        eq = strchr(pair, '=');
        if (eq != NULL)
            *eq = '\0';
        if (!url_decode(pair) || (eq != NULL && !url_decode(eq + 1)))
            p->is_bad_utf8 = true; /* a NUL byte: not text either */
        if (pair[0] != '\0')
            params_add(p, pair, eq ? eq + 1 : "");
        pair = amp ? amp + 1 : NULL;
    }
    free(copy);
}

const char *params_get(const struct apid_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0)
            return p->v[i].val;
    return NULL;
}

bool params_has(const struct apid_params *p, const char *key)
{
    const char *v = params_get(p, key);

    return v != NULL && v[0] != '\0';
}

bool params_bool(const struct apid_params *p, const char *key, bool def)
{
    const char *v = params_get(p, key);

    if (v == NULL)
        return def;
    return v[0] != '\0' && strcmp(v, "0") != 0;
}

int lenient_i64(const char *s, int64_t *out)
{
    int64_t v = 0;
    bool is_neg = false;

    *out = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '-' || *s == '+')
        is_neg = *s++ == '-';
    if (!isdigit((unsigned char)*s))
        return OMKT_EINVAL;
    for (; isdigit((unsigned char)*s); s++) {
        if (v > (INT64_MAX - 9) / 10)
            return OMKT_EINVAL;
        v = v * 10 + (*s - '0');
    }
    *out = is_neg ? -v : v;
    return OMKT_OK;
}

int params_id(const struct apid_params *p, const char *key, int64_t *out)
{
    const char *v = params_get(p, key);
    int64_t x = 0;

    *out = 0;
    if (v == NULL || v[0] == '\0')
        return OMKT_ENOTFOUND;
    if (lenient_i64(v, &x) != OMKT_OK || x <= 0)
        return OMKT_EINVAL;
    *out = x;
    return OMKT_OK;
}

/* push - append @v to ids[0..*n); OMKT_ETOOBIG when @max are there. */
static int push(int64_t *ids, size_t max, size_t *n, int64_t v)
{
    if (*n >= max)
        return OMKT_ETOOBIG;
    ids[(*n)++] = v;
    return OMKT_OK;
}

/* push_text - append the lenient integer @s. */
static int push_text(int64_t *ids, size_t max, size_t *n, const char *s)
{
    int64_t v = 0;

    if (lenient_i64(s, &v) != OMKT_OK)
        return OMKT_EINVAL;
    return push(ids, max, n, v);
}

/* list_from_json - the items of a JSON array @arr (numbers or numeric
 * strings). */
static int list_from_json(const json_t *arr, int64_t *ids, size_t max,
                          size_t *n)
{
    size_t i;
    json_t *it;
    int ret = OMKT_OK;

    json_array_foreach(arr, i, it)
    {
        if (json_is_integer(it))
            ret = push(ids, max, n, json_integer_value(it));
        else if (json_is_string(it))
            ret = push_text(ids, max, n, json_string_value(it));
        else
            ret = OMKT_EINVAL;
        if (ret != OMKT_OK)
            break;
    }
    return ret;
}

/* list_from_text - "[11,15]" (JSON) or "11,15" or "11", appended to
 * ids[0..*n) without ever writing past ids[@max - 1]. */
static int list_from_text(const char *text, int64_t *ids, size_t max, size_t *n)
{
    json_t *arr = NULL;
    size_t before = *n;
    int ret = OMKT_EINVAL;

    if (text[0] != '[') {
        const char *q = text;

        while (*q != '\0') {
            ret = push_text(ids, max, n, q);
            if (ret != OMKT_OK)
                return ret;
            q = strchr(q, ',');
            q = q ? q + 1 : "";
        }
        return *n > before ? OMKT_OK : OMKT_EINVAL;
    }
    arr = json_loads(text, JSON_DECODE_ANY, NULL);
    if (json_is_array(arr))
        ret = list_from_json(arr, ids, max, n);
    json_decref(arr);
    return ret;
}

/* is_list_key - "key[]" or "key[ANYTHING]". */
static bool is_list_key(const char *k, const char *key, size_t klen)
{
    size_t len = strlen(k);

    return strncmp(k, key, klen) == 0 && k[klen] == '[' && len > klen + 1 &&
           k[len - 1] == ']';
}

int params_list(const struct apid_params *p, const char *key, int64_t *ids,
                size_t max, size_t *n)
{
    size_t klen = strlen(key);
    bool is_found = false;
    int rc = OMKT_OK;

    *n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const char *k = p->v[i].key;

        if (strcmp(k, key) == 0) {
            is_found = true;
            rc = list_from_text(p->v[i].val, ids, max, n);
        } else if (is_list_key(k, key, klen)) {
            is_found = true;
            rc = push_text(ids, max, n, p->v[i].val);
        }
        if (rc != OMKT_OK)
            return rc;
    }
    return is_found ? OMKT_OK : OMKT_ENOTFOUND;
}

void params_free(struct apid_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].val);
    }
    OMKT_FREE(p->v);
    p->n = p->cap = 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * params - the parameters of one request: the query string and a
 * form-encoded body, in order, with the OMKT typing rules (lenient
 * integers, presence booleans, trimmed strings) and the three forms of
 * a list parameter (name[]=, name[K]= and a JSON array string).
 */
#ifndef OMKT_APID_PARAMS_H
#define OMKT_APID_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APID_PARAMS_MAX 256
/* Ids per list parameter in one request (docs/api.md, "Limits"). */
#define APID_LIST_MAX 64

struct apid_param {
    char *key;
    char *val; /* trimmed, never NULL */
};

struct apid_params {
    struct apid_param *v;
    size_t n;
    size_t cap;
    bool is_bad_utf8; /* some key or value is not UTF-8 (or holds a NUL) */
    bool is_too_many;
};

/* params_add - copy @key/@val (val may be NULL: empty) at the end. */
void params_add(struct apid_params *p, const char *key, const char *val);

/* params_parse_form - add every pair of an x-www-form-urlencoded @body
 * (left untouched: a handler may still read it raw, e.g. a JSON body
 * sent with the form content type). */
void params_parse_form(struct apid_params *p, const char *body);

/* params_get - the first value of @key (borrowed), or NULL. */
const char *params_get(const struct apid_params *p, const char *key);

/* params_has - @key is present with a non-empty value. */
bool params_has(const struct apid_params *p, const char *key);

/*
 * params_bool - OMKT booleans: @def when absent, else true unless empty
 * or "0".
 */
bool params_bool(const struct apid_params *p, const char *key, bool def);

/*
 * params_id - a lenient strictly positive integer ("12abc" is 12).
 * OMKT_ENOTFOUND when absent or empty, OMKT_EINVAL when zero, negative
 * or not starting with a digit (an id 0 could never be called back: the
 * reference's clients treat it as "no id").
 */
int params_id(const struct apid_params *p, const char *key, int64_t *out);

/* lenient_i64 - the OMKT integer rule on one string. */
int lenient_i64(const char *s, int64_t *out);

/*
 * params_list - the integers of list parameter @key: "key[]", "key[K]"
 * fields, or one "key" holding a JSON array ("[11,15]") or "11,15".
 * *n is the count (duplicates kept).  OMKT_ENOTFOUND when absent,
 * OMKT_EINVAL when not parseable, OMKT_ETOOBIG when the request holds
 * more than @max ids in all its forms together (ids[] is never written
 * past @max).
 */
int params_list(const struct apid_params *p, const char *key, int64_t *ids,
                size_t max, size_t *n);

void params_free(struct apid_params *p);

#endif

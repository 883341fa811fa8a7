/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_multipart - libFuzzer target: a multipart/form-data body (what
 * PHP's curl sends for an array of POST fields) through apid's parser
 * (src/apid/multipart.c), fed in pieces as the network cuts it, then
 * into the request's parameters.
 *
 * Input: byte 0 picks the piece size (1..256), then the Content-Type
 * header value up to the first newline, then the body.
 *
 * Oracles: ASan/UBSan and LeakSanitizer; at most APID_PARAMS_MAX fields;
 * is_bad_utf8 set when a stored key or value is not UTF-8; the same
 * fields, in the same order, whatever the piece size (the body read in
 * one piece is the reference): TCP may cut a body anywhere (FUZZ_SKIP
 * name cut).
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "apid/multipart.h"
#include "apid/params.h"
#include "fuzz.h"

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* parse - @body of type @ct fed in pieces of @piece bytes into @p. */
static void parse(const char *ct, const char *body, size_t len, size_t piece,
                  struct apid_params *p)
{
    struct multipart m;

    if (!multipart_start(&m, ct))
        return;
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;

        if (!multipart_feed(&m, body + off, n))
            break;
    }
    multipart_finish(&m, p);
    FUZZ_ASSERT(m.buf == NULL && m.len == 0, "not released");
    multipart_finish(&m, NULL); /* idempotent */
}

/* check - the fields of @p against the flags. */
static void check(const struct apid_params *p)
{
    bool any_bad = false;

    FUZZ_ASSERT(p->n <= APID_PARAMS_MAX, "more than APID_PARAMS_MAX fields");
    for (size_t i = 0; i < p->n; i++)
        if (!is_utf8(p->v[i].key) || !is_utf8(p->v[i].val))
            any_bad = true;
    FUZZ_ASSERT(!any_bad || p->is_bad_utf8, "non-UTF-8 field not flagged");
}

/* same - @a and @b hold the same fields in the same order. */
static bool same(const struct apid_params *a, const struct apid_params *b)
{
    if (a->n != b->n || a->is_bad_utf8 != b->is_bad_utf8)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, b->v[i].key) != 0 ||
            strcmp(a->v[i].val, b->v[i].val) != 0)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct apid_params whole = {0}, cut = {0};
    char *text;
    char *nl;
    const char *body;
    size_t piece, body_len;

    if (size < 2)
        return 0;
    piece = (size_t)data[0] + 1;
    text = fuzz_strndup(data + 1, size - 1);
    nl = memchr(text, '\n', size - 1);
    if (nl == NULL) {
        free(text);
        return 0;
    }
    *nl = '\0';
    body = nl + 1;
    body_len = size - 1 - (size_t)(body - text);
    parse(text, body, body_len, body_len + 1, &whole);
    parse(text, body, body_len, piece, &cut);
    check(&whole);
    check(&cut);
    /* a body refused in pieces may have been refused at another point */
    if (!whole.is_too_many && !cut.is_too_many && !fuzz_skip("cut"))
        FUZZ_ASSERT(same(&whole, &cut), "fields depend on how the body is cut");
    params_free(&whole);
    params_free(&cut);
    free(text);
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_params - libFuzzer target: the parameters of an OMKT request as
 * apid reads them (src/apid/params.c) and what h_omkt does with them
 * before any SQL: the action, the typed fields, settings_id_list in every
 * shape, and the call-log row (src/apid/calllog.c).
 *
 * Input: the query string, a newline, the x-www-form-urlencoded body (no
 * newline: all of it is the body).  The query is parsed like a form too
 * (libmicrohttpd decodes '+' and %XX the same way).
 *
 * Oracles: ASan/UBSan; settings_id_list decoded into a stack array of
 * APID_LIST_MAX ids exactly as h_omkt does (overflow = stack report);
 * is_bad_utf8 set exactly when a stored key or value is not UTF-8 (jansson
 * decides); lenient integers agree with strtoll on their digits; every
 * string queued for the call log is valid UTF-8, cut at a character
 * boundary (client text is never cut at a byte count; MariaDB refused
 * such a row, and the whole batch with it, until db_api.c cleaned text
 * too; FUZZ_SKIP name calllog-utf8).
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "apid/calllog.h"
#include "apid/params.h"
#include "common/alloc.h"
#include "common/text.h"
#include "common/err.h"
#include "fuzz.h"

/* The keys h_omkt reads. */
static const char *const keys[] = {
    "action",      "transcoder_key", "application",     "version", "id",
    "url",         "adapter",        "dometadata",      "email",   "app_key",
    "settings_id", "content_range",  "settings_id_list"};

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* check_lenient - lenient_i64 against strtoll on the same digits. */
static void check_lenient(const char *s)
{
    int64_t v = 0;
    const char *p = s;
    long long ref;
    char *end = NULL;

    if (lenient_i64(s, &v) != OMKT_OK) {
        FUZZ_ASSERT(v == 0, "lenient_i64 failed but wrote a value");
        return;
    }
    while (isspace((unsigned char)*p))
        p++;
    errno = 0;
    ref = strtoll(p, &end, 10);
    FUZZ_ASSERT(errno == 0 && end != p,
                "lenient_i64 took what strtoll refuses");
    FUZZ_ASSERT(ref == v, "lenient_i64 differs from strtoll");
}

/* check_params - the stored pairs against the flags: is_bad_utf8 is set
 * exactly when a stored pair is not UTF-8, or when the input decoded a
 * NUL byte (%00, refused rather than cut; @has_nul). */
static void check_params(const struct apid_params *p, bool has_nul)
{
    bool any_bad = false;

    FUZZ_ASSERT(p->n <= APID_PARAMS_MAX, "more than APID_PARAMS_MAX pairs");
    for (size_t i = 0; i < p->n; i++) {
        FUZZ_ASSERT(p->v[i].key != NULL && p->v[i].val != NULL, "NULL pair");
        if (!is_utf8(p->v[i].key) || !is_utf8(p->v[i].val))
            any_bad = true;
        FUZZ_ASSERT(omkt_utf8_valid(p->v[i].val, strlen(p->v[i].val)) ==
                        is_utf8(p->v[i].val),
                    "omkt_utf8_valid disagrees with jansson");
        check_lenient(p->v[i].val);
    }
    FUZZ_ASSERT(any_bad ? p->is_bad_utf8 : p->is_bad_utf8 == has_nul,
                "is_bad_utf8 does not match the stored pairs");
}

/* use_params - what h_omkt reads, as it reads it. */
static void use_params(const struct apid_params *p)
{
    int64_t ids[APID_LIST_MAX]; /* as h_omkt's a_request_format */
    int64_t id = 0;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < OMKT_ARRAY_LEN(keys); i++) {
        const char *v = params_get(p, keys[i]);

        FUZZ_ASSERT(params_has(p, keys[i]) == (v != NULL && v[0] != '\0'),
                    "params_has disagrees with params_get");
    }
    (void)params_bool(p, "dometadata", true);
    rc = params_id(p, "id", &id);
    FUZZ_ASSERT(rc != OMKT_OK || id >= 0, "params_id gave a negative id");
    FUZZ_ASSERT(rc == OMKT_OK || id == 0, "params_id failed with a value");
    rc = params_list(p, "settings_id_list", ids, APID_LIST_MAX, &n);
    FUZZ_ASSERT(n <= APID_LIST_MAX, "params_list counted past its max");
    FUZZ_ASSERT(rc != OMKT_ENOTFOUND || n == 0, "absent list with ids");
}

/* log_row - the call-log row as h_omkt's log_call queues it. */
static void log_row(const struct apid_params *p)
{
    static struct apid_calllog cl;
    struct omkt_api_call ac = {
        .account_id = 1,
        .action = "unknown",
        .application = params_get(p, "application"),
        .version = params_get(p, "version"),
        .code = 505,
        .remote_addr = "127.0.0.1",
    };
    const struct apid_call *d;

    if (cl.q == NULL) { /* a queue without its flusher thread */
        cl.q = calloc(APID_CALLLOG_MAX, sizeof(*cl.q));
        FUZZ_ASSERT(cl.q != NULL, "out of memory");
        pthread_mutex_init(&cl.lock, NULL);
        cl.is_started = true;
    }
    cl.n = 0;
    calllog_add(&cl, &ac);
    FUZZ_ASSERT(cl.n == 1, "call not queued");
    d = &cl.q[0];
    if (fuzz_skip("calllog-utf8"))
        return;
    FUZZ_ASSERT(is_utf8(d->application), "api_calls.application not UTF-8");
    FUZZ_ASSERT(is_utf8(d->version), "api_calls.version not UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct apid_params p = {0};
    char *text = fuzz_strndup(data, size);
    char *nl = memchr(text, '\n', size);
    char *body = text;
    bool has_nul = false;

    if (nl != NULL) {
        *nl = '\0';
        params_parse_form(&p, text); /* the query string first */
        has_nul = strstr(text, "%00") != NULL;
        body = nl + 1;
    }
    params_parse_form(&p, body);
    /* What the parser saw: each part up to its first raw NUL byte. */
    check_params(&p, has_nul || strstr(body, "%00") != NULL);
    use_params(&p);
    log_row(&p);
    params_free(&p);
    free(text);
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_nommer_map - libFuzzer target: a media-nommer submission's
 * job_options through the option mapper (src/apid/nommer_map.c) and the
 * engine's check of the setting it makes (omkt_setting_from_json), as
 * h_nommer runs them before recording the job.
 *
 * Input: the JSON body media-nommer's client POSTs ({"source_path": ...,
 * "job_options": {...}}); when it has no job_options member, the whole
 * input is taken as job_options (a JSON value or, not JSON, a string).
 *
 * Oracles: ASan/UBSan; every answer h_nommer would build can be built:
 * the refusal message is valid UTF-8 (else jansson refuses the reply and
 * the client gets an empty body; FUZZ_SKIP name reason-utf8), a mapped setting
 * serialises, and the setting the mapper made is one the engine accepts or
 * refuses with a UTF-8 reason.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "apid/nommer_map.h"
#include "common/err.h"
#include "fuzz.h"
#include "media/settings.h"

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* check_setting - the engine's view of the mapped setting. */
static void check_setting(json_t *setting, int base)
{
    struct omkt_errbuf eb = {0};
    struct omkt_setting *s = NULL;
    char msg[OMKT_ERRBUF_LEN + 32];
    char *text = json_dumps(setting, JSON_COMPACT | JSON_SORT_KEYS);

    FUZZ_ASSERT(text != NULL, "mapped setting does not serialise");
    free(text);
    FUZZ_ASSERT(omkt_setting_find(base) != NULL,
                "mapped onto a setting that is not in the catalogue");
    if (omkt_setting_from_json(setting, base, &s, &eb) == OMKT_OK) {
        FUZZ_ASSERT(s != NULL, "setting OK but NULL");
        omkt_setting_free(s);
        return;
    }
    /* h_nommer's reply text */
    snprintf(msg, sizeof(msg), "job_options: %s", eb.msg);
    FUZZ_ASSERT(eb.is_set, "setting refused without a reason");
    FUZZ_ASSERT(fuzz_skip("reason-utf8") || is_utf8(msg),
                "setting refusal is not UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    json_t *opts = json_object_get(body, "job_options");
    json_t *owned = NULL;
    json_t *setting = NULL;
    char msg[OMKT_ERRBUF_LEN + 32];
    const char *why;
    int base = -1;

    if (opts == NULL) {
        owned = body != NULL ? json_incref(body)
                             : json_stringn_nocheck((const char *)data, size);
        opts = owned;
    }
    memset(msg, 0, sizeof(msg));
    why = nommer_map(opts, &base, &setting, msg, sizeof(msg));
    if (why != NULL) {
        FUZZ_ASSERT(setting == NULL && base == 0, "refused with a setting");
        FUZZ_ASSERT(why[0] != '\0', "refused without a reason");
        FUZZ_ASSERT(fuzz_skip("reason-utf8") || is_utf8(why),
                    "refusal message is not UTF-8");
    } else {
        FUZZ_ASSERT(json_is_object(setting), "mapped without a setting");
        check_setting(setting, base);
    }
    json_decref(setting);
    json_decref(owned);
    json_decref(body);
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_cloudmsg - libFuzzer target: the decoders of the cloud tier's SQS
 * messages (src/common/cloudmsg.c), the job a cloud worker reads and the
 * result a bridge reads.  Any sender with access to the queue writes
 * these bodies, so both decoders take untrusted text.
 *
 * Input: a message body (all of it), decoded as a job and as a result.
 *
 * Oracles: ASan/UBSan and LeakSanitizer; a refusal is OMKT_EINVAL with a
 * UTF-8 reason and a zeroed output; a decoded message encodes, and the
 * encoding decodes to a message that encodes to the same text (the
 * codec's fixed point); a decoded job has 1 to OMKT_CLOUDMSG_MAX_SETS
 * settings and a 32-digit token.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "common/cloudmsg.h"
#include "common/err.h"
#include "fuzz.h"

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* check_job - decode @data as a job; a decoded one must round-trip. */
static void check_job(const char *data, size_t size)
{
    struct omkt_errbuf eb = {0};
    struct omkt_cloud_job j, back;
    char *text, *again;

    if (omkt_cloud_job_decode(data, size, &j, &eb) != OMKT_OK) {
        FUZZ_ASSERT(eb.is_set && is_utf8(eb.msg), "job refusal reason");
        FUZZ_ASSERT(j.source == NULL && j.defs == NULL && j.nsettings == 0,
                    "refused job not zeroed");
        return;
    }
    FUZZ_ASSERT(j.nsettings >= 1 && j.nsettings <= OMKT_CLOUDMSG_MAX_SETS,
                "job settings count");
    FUZZ_ASSERT(strlen(j.token) == OMKT_CLOUDMSG_TOKEN_LEN, "job token");
    text = omkt_cloud_job_encode(&j);
    if (text != NULL) { /* NULL: re-encoded over the size limit */
        FUZZ_ASSERT(omkt_cloud_job_decode(text, strlen(text), &back, NULL) ==
                        OMKT_OK,
                    "an encoded job does not decode");
        again = omkt_cloud_job_encode(&back);
        FUZZ_ASSERT(again != NULL && strcmp(text, again) == 0,
                    "job encoding is not a fixed point");
        free(again);
        omkt_cloud_job_clear(&back);
    }
    free(text);
    omkt_cloud_job_clear(&j);
}

/* check_result - decode @data as a result; a decoded one must round-trip. */
static void check_result(const char *data, size_t size)
{
    struct omkt_errbuf eb = {0};
    struct omkt_cloud_result r, back;
    char *text, *again;

    if (omkt_cloud_result_decode(data, size, &r, &eb) != OMKT_OK) {
        FUZZ_ASSERT(eb.is_set && is_utf8(eb.msg), "result refusal reason");
        FUZZ_ASSERT(r.outputs == NULL && r.noutputs == 0 && r.error == NULL,
                    "refused result not zeroed");
        return;
    }
    text = omkt_cloud_result_encode(&r);
    if (text != NULL) {
        FUZZ_ASSERT(omkt_cloud_result_decode(text, strlen(text), &back, NULL) ==
                        OMKT_OK,
                    "an encoded result does not decode");
        again = omkt_cloud_result_encode(&back);
        FUZZ_ASSERT(again != NULL && strcmp(text, again) == 0,
                    "result encoding is not a fixed point");
        free(again);
        omkt_cloud_result_clear(&back);
    }
    free(text);
    omkt_cloud_result_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_job((const char *)data, size);
    check_result((const char *)data, size);
    return 0;
}

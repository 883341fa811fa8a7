/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sign - HMAC-SHA256 callback signatures (see sign.h), with libcrypto. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "sign.h"

/* hex - @n bytes of @in as lowercase hex into @out (2n+1 bytes). */
static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int sign_value(const struct sign_input *in, char *out, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    char body_hex[2 * EVP_MAX_MD_SIZE + 1], mac_hex[2 * EVP_MAX_MD_SIZE + 1];
    unsigned int md_len = 0;
    char *msg = NULL;
    int n, ret = OMKT_ENOMEM;

    if (EVP_Digest(in->body ? in->body : "", in->body ? in->body_len : 0, md,
                   &md_len, EVP_sha256(), NULL) != 1)
        goto out;
    hex(md, md_len, body_hex);
    msg = omkt_xasprintf("%" PRId64 ".%s.%s.%s.%s", in->t, in->id, in->method,
                         body_hex, in->target);
    if (HMAC(EVP_sha256(), in->key, (int)strlen(in->key),
             (const unsigned char *)msg, strlen(msg), md, &md_len) == NULL)
        goto out;
    hex(md, md_len, mac_hex);
    n = snprintf(out, size, "t=%" PRId64 ",v1=%s", in->t, mac_hex);
    ret = (n < 0 || (size_t)n >= size) ? OMKT_ETOOBIG : OMKT_OK;
out:
    free(msg);
    return ret;
}

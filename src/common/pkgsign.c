/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkgsign - signed package URLs with libcrypto (see pkgsign.h). */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "pkgsign.h"

bool omkt_pkgsign_is_package(int64_t id)
{
    return id == OMKT_STREAM_SETTING;
}

/* mac_hex - the signature of @p with @secret as hex into @out. */
static int mac_hex(const char *secret, const struct omkt_pkgsign *p,
                   char out[OMKT_PKGSIGN_SIG_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char msg[160];
    int n = snprintf(msg, sizeof(msg),
                     "omkt-pkg-v1\n%" PRId64 "\n/media/%" PRId64
                     "/package/%" PRId64 "/\n%" PRId64,
                     p->account_id, p->media_id, p->setting_id, p->expires);

    out[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof(msg))
        return OMKT_ETOOBIG;
    if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
             (const unsigned char *)msg, (size_t)n, md, &md_len) == NULL ||
        md_len * 2 != OMKT_PKGSIGN_SIG_HEX)
        return OMKT_ENOMEM;
    for (unsigned int i = 0; i < md_len; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * md_len] = '\0';
    return OMKT_OK;
}

int omkt_pkgsign_token(const char *secret, const struct omkt_pkgsign *p,
                       char *out, size_t size)
{
    char sig[OMKT_PKGSIGN_SIG_HEX + 1];
    int n;
    int ret = mac_hex(secret, p, sig);

    if (ret != OMKT_OK)
        return ret;
    n = snprintf(out, size, "%" PRId64 ".%s", p->expires, sig);
    return n < 0 || (size_t)n >= size ? OMKT_ETOOBIG : OMKT_OK;
}

bool omkt_pkgsign_valid(const char *secret, const struct omkt_pkgsign *p,
                        const char *sig_hex)
{
    char want[OMKT_PKGSIGN_SIG_HEX + 1];

    if (mac_hex(secret, p, want) != OMKT_OK ||
        strlen(sig_hex) != OMKT_PKGSIGN_SIG_HEX)
        return false;
    return CRYPTO_memcmp(want, sig_hex, OMKT_PKGSIGN_SIG_HEX) == 0;
}

int omkt_pkgsign_url(char *out, size_t size, const char *base,
                     const char *secret, const struct omkt_pkgsign *p,
                     const char *file)
{
    char tok[OMKT_PKGSIGN_TOKEN_MAX];
    int n;
    int ret = omkt_pkgsign_token(secret, p, tok, sizeof(tok));

    if (ret != OMKT_OK)
        return ret;
    n = snprintf(out, size,
                 "%s/v1/signed/%s/media/%" PRId64 "/package/%" PRId64 "/%s",
                 base, tok, p->media_id, p->setting_id, file);
    return n < 0 || (size_t)n >= size ? OMKT_ETOOBIG : OMKT_OK;
}

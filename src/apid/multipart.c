/* SPDX-License-Identifier: GPL-2.0-or-later */
/* multipart - multipart/form-data bodies (see multipart.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apid/multipart.h"
#include "common/alloc.h"

/* field - MHD's iterator: start or continue a field's value. */
static enum MHD_Result field(void *cls, enum MHD_ValueKind kind,
                             const char *key, const char *filename,
                             const char *content_type,
                             const char *transfer_encoding, const char *data,
                             uint64_t off, size_t size)
{
    struct multipart *m = cls;
    struct mp_field *f;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (filename != NULL || key == NULL)
        return MHD_YES; /* uploads are not parameters */
    if (off == 0) {
        if (m->n == APID_PARAMS_MAX) {
            m->is_bad = true;
            return MHD_NO;
        }
        m->v = omkt_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
        m->v[m->n++] = (struct mp_field){omkt_xstrdup(key), NULL, 0};
    }
    f = &m->v[m->n - 1];
    f->val = omkt_xrealloc(f->val, f->len + size + 1);
    if (size > 0)
        memcpy(f->val + f->len, data, size);
    f->len += size;
    f->val[f->len] = '\0';
    return MHD_YES;
}

bool multipart_start(struct multipart *m, struct MHD_Connection *conn)
{
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);

    memset(m, 0, sizeof(*m));
    if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0)
        return false;
    m->pp = MHD_create_post_processor(conn, 16 * 1024, field, m);
    return m->pp != NULL;
}

bool multipart_feed(struct multipart *m, const char *data, size_t len)
{
    if (m->pp == NULL || m->is_bad)
        return false;
    if (MHD_post_process(m->pp, data, len) != MHD_YES)
        m->is_bad = true;
    return !m->is_bad;
}

void multipart_finish(struct multipart *m, struct apid_params *p)
{
    if (m->pp != NULL)
        (void)MHD_destroy_post_processor(m->pp); /* NO: a truncated body */
    if (p != NULL && m->is_bad)
        p->is_too_many = true;
    for (size_t i = 0; i < m->n; i++) {
        /* a NUL inside a value would cut it: refuse it as not UTF-8 */
        if (p != NULL && strlen(m->v[i].val ? m->v[i].val : "") == m->v[i].len)
            params_add(p, m->v[i].key, m->v[i].val);
        else if (p != NULL)
            p->is_bad_utf8 = true;
        free(m->v[i].key);
        free(m->v[i].val);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

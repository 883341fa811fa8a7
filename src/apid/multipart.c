/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multipart - multipart/form-data bodies (see multipart.h).
 *
 * DESIGN: the body is kept behind a virtual "\r\n" so every delimiter,
 * the first included, is "\r\n--BOUNDARY" and one memmem finds it.
 * A part is: delimiter, optional spaces, CRLF, header lines, an empty
 * line, the content up to the next delimiter; the last delimiter is
 * followed by "--".  Anything else is a bad body.  No pointer ever
 * leaves [buf, buf + len): every search is bounded by the end.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apid/multipart.h"
#include "common/alloc.h"

/* A piece of the body, not NUL-terminated. */
struct span {
    const char *s;
    size_t len;
};

/* skip_ws - past spaces and tabs in [s, end). */
static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/*
 * param_value - the value of a header parameter at @s: a token up to
 * ';' or a quoted string (backslash escapes one byte).  Sets *v and
 * returns the position after it.
 */
static const char *param_value(const char *s, const char *end, struct span *v)
{
    const char *start;

    if (s < end && *s == '"') {
        start = ++s;
        while (s < end && *s != '"')
            s += (*s == '\\' && s + 1 < end) ? 2 : 1;
        *v = (struct span){start, (size_t)(s - start)};
        return s < end ? s + 1 : s;
    }
    start = s;
    while (s < end && *s != ';' && *s != ' ' && *s != '\t')
        s++;
    *v = (struct span){start, (size_t)(s - start)};
    return s;
}

/*
 * find_param - the value of parameter @name (e.g. "name") in the
 * parameter list [s, end) of a header ("; a=1; b="2"").  False when
 * absent.
 */
static bool find_param(const char *s, const char *end, const char *name,
                       struct span *v)
{
    size_t n = strlen(name);
    bool is_found = false;

    while (s < end) {
        struct span cur;
        bool is_it;

        s = skip_ws(s, end);
        is_it = (size_t)(end - s) > n && strncasecmp(s, name, n) == 0 &&
                s[n] == '=';
        while (s < end && *s != '=' && *s != ';')
            s++;
        if (s < end && *s == '=') {
            s = param_value(s + 1, end, &cur);
            if (is_it && !is_found) {
                *v = cur;
                is_found = true;
            }
        }
        while (s < end && *s != ';')
            s++;
        if (s < end)
            s++;
    }
    return is_found;
}

bool multipart_start(struct multipart *m, const char *content_type)
{
    static const char type[] = "multipart/form-data";
    const char *end;
    struct span b;

    memset(m, 0, sizeof(*m));
    if (content_type == NULL ||
        strncasecmp(content_type, type, sizeof(type) - 1) != 0)
        return false;
    m->buf = omkt_xmalloc(2);
    memcpy(m->buf, "\r\n", 2);
    m->len = 2;
    end = content_type + strlen(content_type);
    if (!find_param(content_type + sizeof(type) - 1, end, "boundary", &b) ||
        b.len == 0 || b.len > MULTIPART_BOUNDARY_MAX ||
        memchr(b.s, '\r', b.len) != NULL || memchr(b.s, '\n', b.len) != NULL) {
        m->is_bad = true;
        return true;
    }
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, b.s, b.len);
    m->delim_len = b.len + 4;
    return true;
}

bool multipart_feed(struct multipart *m, const char *data, size_t len)
{
    if (m->buf == NULL || m->is_bad)
        return false;
    m->buf = omkt_xrealloc(m->buf, m->len + len);
    if (len > 0)
        memcpy(m->buf + m->len, data, len);
    m->len += len;
    return true;
}

/*
 * disposition - the field name of a part whose headers are [h, end):
 * false when the part is not a plain field (no Content-Disposition, no
 * name, or a filename: an upload).
 */
static bool disposition(const char *h, const char *end, struct span *name)
{
    static const char cd[] = "content-disposition:";
    struct span file;

    while (h < end) {
        const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);

        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - h) >= sizeof(cd) - 1 &&
            strncasecmp(h, cd, sizeof(cd) - 1) == 0) {
            const char *v = h + sizeof(cd) - 1;

            return find_param(v, eol, "name", name) &&
                   !find_param(v, eol, "filename", &file);
        }
        h = eol + 2;
    }
    return false;
}

/* add_field - @name = @val into @p; a NUL would cut either: refused as
 * not UTF-8. */
static void add_field(struct apid_params *p, struct span name, struct span val)
{
    char *k;
    char *v;

    if (memchr(name.s, '\0', name.len) != NULL ||
        memchr(val.s, '\0', val.len) != NULL) {
        p->is_bad_utf8 = true;
        return;
    }
    k = omkt_xmalloc(name.len + 1);
    memcpy(k, name.s, name.len);
    k[name.len] = '\0';
    v = omkt_xmalloc(val.len + 1);
    memcpy(v, val.s, val.len);
    v[val.len] = '\0';
    params_add(p, k, v);
    free(k);
    free(v);
}

/*
 * part - the part after the delimiter at @s: add its field, set *next
 * to the next delimiter.  Returns 1 for a part, 0 at the closing
 * delimiter, -1 on a bad or truncated body.
 */
static int part(const struct multipart *m, const char *s, struct apid_params *p,
                const char **next)
{
    const char *end = m->buf + m->len;
    const char *hdr;
    const char *body;
    struct span name;

    s += m->delim_len;
    if (end - s >= 2 && s[0] == '-' && s[1] == '-')
        return 0;
    s = skip_ws(s, end);
    if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
        return -1;
    hdr = s + 2;
    if (end - hdr >= 2 && hdr[0] == '\r' && hdr[1] == '\n') {
        body = hdr + 2; /* no header lines */
    } else {
        s = memmem(hdr, (size_t)(end - hdr), "\r\n\r\n", 4);
        if (s == NULL)
            return -1;
        body = s + 4;
    }
    *next = memmem(body, (size_t)(end - body), m->delim, m->delim_len);
    if (*next == NULL)
        return -1;
    if (body > hdr && disposition(hdr, body - 2, &name))
        add_field(p, name, (struct span){body, (size_t)(*next - body)});
    return 1;
}

void multipart_finish(struct multipart *m, struct apid_params *p)
{
    const char *s = NULL;
    int rc = -1;

    if (p != NULL && m->buf != NULL && !m->is_bad) {
        s = memmem(m->buf, m->len, m->delim, m->delim_len);
        rc = s != NULL ? 1 : -1;
        while (rc == 1)
            rc = part(m, s, p, &s);
    }
    if (p != NULL && m->buf != NULL && rc != 0)
        p->is_too_many = true; /* XXX: the only "bad request" flag */
    free(m->buf);
    memset(m, 0, sizeof(*m));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alloc - abort-on-OOM allocation wrappers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

/* oom - report and abort; logging could itself allocate, so write(2). */
static void oom(size_t n)
{
    char msg[96];
    int len =
        snprintf(msg, sizeof(msg), "fatal: out of memory (%zu bytes)\n", n);

    if (len > 0)
        (void)!write(STDERR_FILENO, msg, (size_t)len);
    abort();
}

void *omkt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *omkt_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (p == NULL)
        oom(nmemb * size);
    return p;
}

void *omkt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

char *omkt_xstrdup(const char *s)
{
    return omkt_xstrndup(s, strlen(s));
}

char *omkt_xstrndup(const char *s, size_t n)
{
    char *p = omkt_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *omkt_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int len;

    va_start(ap, fmt);
    len = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (len < 0)
        oom(0);
    return s;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc - allocation that never returns NULL: on exhaustion it logs and
 * aborts, so callers do not check.  Plus small helpers used everywhere.
 */
#ifndef OMKT_COMMON_ALLOC_H
#define OMKT_COMMON_ALLOC_H

#include <stddef.h>

#define OMKT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OMKT_FREE(p)                                                           \
    do {                                                                       \
        free(p);                                                               \
        (p) = NULL;                                                            \
    } while (0)

void *omkt_xmalloc(size_t n);
void *omkt_xcalloc(size_t nmemb, size_t size);
void *omkt_xrealloc(void *p, size_t n);
char *omkt_xstrdup(const char *s);
char *omkt_xstrndup(const char *s, size_t n);
/* omkt_xasprintf - new string from a format; free() it. */
char *omkt_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz - what every harness fuzz/fuzz_<target>.c shares: the libFuzzer
 * entry points (also called by the replay driver fuzz/replay.c) and the
 * oracle helpers.  A harness aborts (FUZZ_ASSERT) when an invariant of the
 * code under test breaks, so libFuzzer and the replay both report it.
 */
#ifndef OMKT_FUZZ_FUZZ_H
#define OMKT_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LLVMFuzzerTestOneInput - run one input; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerInitialize - optional, once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* FUZZ_ASSERT - abort with file:line and @what when @cond is false. */
#define FUZZ_ASSERT(cond, what)                                                \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", __FILE__,    \
                    __LINE__, (what));                                         \
            abort();                                                           \
        }                                                                      \
    } while (0)

/*
 * fuzz_skip - the oracle @name is listed in $FUZZ_SKIP (comma-separated):
 * a known, reported bug that a long run should fuzz past rather than
 * stop at (e.g. FUZZ_SKIP=calllog-utf8,reason-utf8 make fuzz).
 */
static inline bool fuzz_skip(const char *name)
{
    const char *list = getenv("FUZZ_SKIP");
    size_t len = strlen(name);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n == len && strncmp(p, name, len) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* fuzz_strndup - @data[0..@size) as a new NUL-terminated string. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif

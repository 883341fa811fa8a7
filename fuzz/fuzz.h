/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz - what every harness fuzz/fuzz_<target>.c shares: the libFuzzer
 * entry points (also called by the replay driver fuzz/replay.c) and the
 * oracle helpers.  A harness aborts (FUZZ_ASSERT) when an invariant of the
 * code under test breaks, so libFuzzer and the replay both report it.
 */
#ifndef OMKT_FUZZ_FUZZ_H
#define OMKT_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

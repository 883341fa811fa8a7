/* SPDX-License-Identifier: GPL-2.0-or-later */
/* downloaderd - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "downloaderd: not yet implemented\n");
    return 1;
}

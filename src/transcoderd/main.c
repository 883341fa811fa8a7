/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transcoderd - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "transcoderd: not yet implemented\n");
    return 1;
}

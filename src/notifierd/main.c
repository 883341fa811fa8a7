/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notifierd - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "notifierd: not yet implemented\n");
    return 1;
}

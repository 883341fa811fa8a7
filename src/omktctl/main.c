/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omktctl - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "omktctl: not yet implemented\n");
    return 1;
}

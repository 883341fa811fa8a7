/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apid - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "apid: not yet implemented\n");
    return 1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metadatad - placeholder main while the skeleton lands. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "metadatad: not yet implemented\n");
    return 1;
}

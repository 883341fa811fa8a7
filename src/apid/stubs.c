/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stubs - handlers not written yet. */
#include "apid/apid.h"

enum MHD_Result h_nommer(struct apid_req *r)
{
    return apid_reply_error(r, 501, "not_implemented", "not implemented");
}

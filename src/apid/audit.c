/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit - the call log of the REST and media-nommer fronts (audit.h). */
#include <inttypes.h>
#include <string.h>

#include "apid/audit.h"
#include "apid/pathkey.h"
#include "apid/server.h"
#include "common/log.h"
#include "common/text.h"

void audit_call(struct apid_req *r, const char *api)
{
    char path[200], action[64], agent[128], addr[64];
    const char *ua = apid_header(r, MHD_HTTP_HEADER_USER_AGENT);
    struct omkt_api_call ac = {
        .account_id = r->account_id,
        .action = action,
        .application = ua,
        .version = "",
        .code = (int)r->status,
        .remote_addr = addr,
        .at_ms = omkt_wall_ms(),
    };

    pathkey_mask(r->url, path, sizeof(path)); /* never the key */
    if (snprintf(action, sizeof(action), "%s %s", r->method, path) >=
        (int)sizeof(action))
        action[sizeof(action) - 1] = '\0'; /* cut to the column: fine */
    apid_remote_addr(r, addr, sizeof(addr));
    calllog_add(&r->a->calls, &ac);
    (void)omkt_text_copy(agent, sizeof(agent), ua ? ua : "-"); /* cut: fine */
    (void)omkt_text_copy(path, sizeof(path), action);
    omkt_log(OMKT_LOG_INFO,
             "call api=%s action=%s account=%" PRId64 " application=%s "
             "code=%u addr=%s",
             api, path, r->account_id, agent, r->status, addr);
}

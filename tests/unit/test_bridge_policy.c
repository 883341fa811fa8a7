/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_bridge_policy - the bridge's offload decision as a pure function:
 * every policy against queue, wait, idle local workers and capacity.
 */
#include "common/alloc.h"
#include "common/bridge_policy.h"
#include "omkt_test.h"

#define OFF    OMKT_CLOUD_OFF
#define OVER   OMKT_CLOUD_OVERFLOW
#define ALWAYS OMKT_CLOUD_ALWAYS

static void test_decide(void)
{
    static const struct {
        struct omkt_bridge_view v;
        bool want;
        const char *why;
    } c[] = {
        {{OFF, true, 600000, 120000, 0, 0, 16}, false, "off never offloads"},
        {{ALWAYS, true, 0, 120000, 4, 0, 16}, true, "always: at once"},
        {{ALWAYS, false, 0, 120000, 0, 0, 16}, false, "always: nothing queued"},
        {{ALWAYS, true, 0, 120000, 0, 16, 16}, false, "always: bridge full"},
        {{ALWAYS, true, 0, 120000, 0, 15, 16}, true, "always: one slot left"},
        {{OVER, true, 119999, 120000, 0, 0, 16}, false, "overflow: too young"},
        {{OVER, true, 120000, 120000, 0, 0, 16}, false, "overflow: exactly"},
        {{OVER, true, 120001, 120000, 0, 0, 16}, true, "overflow: waited"},
        {{OVER, true, 120001, 120000, -1, 0, 16}, true, "overflow: unknown"},
        {{OVER, true, 900000, 120000, 1, 0, 16}, false, "overflow: idle local"},
        {{OVER, false, 900000, 120000, 0, 0, 16}, false, "overflow: no job"},
        {{OVER, true, 900000, 120000, 0, 16, 16}, false, "overflow: full"},
        {{OVER, true, 900000, 0, 0, 0, 16}, true, "overflow: threshold 0"},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK(omkt_bridge_should_offload(&c[i].v) == c[i].want,
                   "case %zu: %s", i, c[i].why);
}

int main(void)
{
    test_decide();
    return omkt_test_done();
}

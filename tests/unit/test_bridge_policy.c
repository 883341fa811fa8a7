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

/* The cluster's idle slots from the processes table's view. */
static void test_idle_slots(void)
{
    static const struct omkt_proc_load p[] = {
        {2, true, 400, 1},  /* one free slot */
        {4, true, 1000, 4}, /* full */
        {1, true, 1001, 0}, /* silent: its host died */
        {3, false, 100, 0}, /* draining or on a drained host */
        {2, true, 0, 3},    /* over (a claim racing the count) */
        {1, true, -50, 0},  /* clocks: a beat "from the future" */
    };

    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 0, 1000), 0, "no transcoderd");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 1, 1000), 1, "one idle slot");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 2, 1000), 1, "a full one adds 0");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 3, 1000), 1, "a silent one 0");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 4, 1000), 1, "a drained one 0");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 5, 1000), 1, "over capacity 0");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 6, 1000), 2, "fresh beat");
    OMKT_CHECK_INT(omkt_bridge_idle_slots(p, 6, 300), 1, "stricter fresh");
}

int main(void)
{
    test_decide();
    test_idle_slots();
    return omkt_test_done();
}

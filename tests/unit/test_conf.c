/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_conf - the config loader: types, defaults, errors with file:line. */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/conf.h"
#include "omkt_test.h"

struct tconf {
    char *name;
    int64_t count;
    bool flag;
    int64_t wait_ms;
    int64_t size;
};

static struct tconf tc;

static const struct omkt_conf_key keys[] = {
    {"name", OMKT_CONF_STR, "dflt", 0, -1, false, false,
     offsetof(struct tconf, name)},
    {"count", OMKT_CONF_INT, "3", 1, 10, false, false,
     offsetof(struct tconf, count)},
    {"flag", OMKT_CONF_BOOL, "no", 0, -1, false, false,
     offsetof(struct tconf, flag)},
    {"wait", OMKT_CONF_DURATION, "1s", 0, -1, true, false,
     offsetof(struct tconf, wait_ms)},
    {"size", OMKT_CONF_SIZE, "1K", 0, -1, false, false,
     offsetof(struct tconf, size)},
};

static const struct omkt_conf_section secs[] = {
    {"apid", keys, OMKT_ARRAY_LEN(keys), &tc},
};

/* load - write @text to a temp file and load it. */
static int load(const char *text, struct omkt_errbuf *eb)
{
    char path[] = "/tmp/omkt-conf-XXXXXX";
    int fd = mkstemp(path);
    int ret;

    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        return -100;
    close(fd);
    omkt_errbuf_clear(eb);
    omkt_conf_free(secs, 1);
    ret = omkt_conf_load(path, secs, 1, eb);
    unlink(path);
    return ret;
}

static void test_values(void)
{
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(load("# c\n[apid]\nname = x y \ncount=7\nflag = on\n"
                        "wait = 250ms\nsize = 2M\n[transcoderd]\nother = 1\n"
                        "[s3]\nregion = eu\n[s3.media]\nbucket = b\n"
                        "[cloud]\npolicy = x\n[cloud.account-12]\n",
                        &eb),
                   OMKT_OK, "valid file: %s", eb.msg);
    OMKT_CHECK_STR(tc.name, "x y", "string trimmed");
    OMKT_CHECK_INT(tc.count, 7, "int");
    OMKT_CHECK(tc.flag, "bool on");
    OMKT_CHECK_INT(tc.wait_ms, 250, "duration");
    OMKT_CHECK_INT(tc.size, 2 << 20, "size");
    OMKT_CHECK_INT(load("[apid]\nwait = 2s\n", &eb), OMKT_OK, "defaults");
    OMKT_CHECK_STR(tc.name, "dflt", "string default");
    OMKT_CHECK_INT(tc.count, 3, "int default");
}

static void test_errors(void)
{
    static const struct {
        const char *text;
        const char *msg_part;
    } c[] = {
        {"[apid]\nwait = 1s\nnope = 1\n", ":3: unknown key 'nope' in [apid]"},
        {"[apid]\nwait = 1s\ncount = 11\n",
         ":3: apid.count = 11: out of range"},
        {"[apid]\nwait = 1s\ncount = 1x\n", ":3: apid.count = 1x: expected an"},
        {"[apid]\nwait = 1s\nflag = maybe\n",
         ":3: apid.flag = maybe: expected"},
        {"[apid]\nwait = 1s\njunk\n", ":3: expected 'key = value'"},
        {"[apid\n", ":1: unterminated section header"},
        {"[zzz]\n", ":1: unknown section [zzz]"},
        {"[s3.]\n", ":1: unknown section [s3.]"},
        {"[s3x]\n", ":1: unknown section [s3x]"},
        {"[cloud.account-]\n", ":1: unknown section [cloud.account-]"},
        {"[cloud.account-0]\n", ":1: unknown section [cloud.account-0]"},
        {"[cloud.account-1x]\n", ":1: unknown section [cloud.account-1x]"},
        {"[cloud.x]\n", ":1: unknown section [cloud.x]"},
        {"[apid]\n", "missing required key apid.wait"},
    };
    struct omkt_errbuf eb = {0};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        OMKT_CHECK_INT(load(c[i].text, &eb), OMKT_ECONF, "case %zu fails", i);
        OMKT_CHECK(strstr(eb.msg, c[i].msg_part) != NULL,
                   "case %zu message '%s' has '%s'", i, eb.msg, c[i].msg_part);
    }
}

int main(void)
{
    test_values();
    test_errors();
    omkt_conf_free(secs, 1);
    return omkt_test_done();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_path - joining and confining relative paths (common/path). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/path.h"
#include "omkt_test.h"

static void test_join(void)
{
    static const struct {
        const char *dir, *name;
        size_t size;
        int rc;
        const char *want;
    } c[] = {
        {"/m", "a.mp4", 64, OMKT_OK, "/m/a.mp4"},
        {"/m/", "a.mp4", 64, OMKT_OK, "/m/a.mp4"},
        {"/m", "/a.mp4", 64, OMKT_OK, "/m/a.mp4"},
        {"/", "a", 64, OMKT_OK, "/a"},
        {"/m", "", 64, OMKT_OK, "/m"},
        {"/m", "abcd", 7, OMKT_ETOOBIG, ""},
        {"/m", "abc", 7, OMKT_OK, "/m/abc"},
    };
    char out[64];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        OMKT_CHECK_INT(omkt_path_join(out, c[i].size, c[i].dir, c[i].name),
                       c[i].rc, "join rc case %zu", i);
        OMKT_CHECK_STR(out, c[i].want, "join case %zu", i);
    }
}

static void test_is_rel(void)
{
    static const struct {
        const char *in;
        bool ok;
    } c[] = {
        {"in/a.mp4", true},  {"a", true},     {".hidden", true},
        {"a..b", true},      {"", false},     {".", false},
        {"dotdir/.", false}, {"..", false},   {"a/../b", false},
        {"../etc/x", false}, {"/a", false},   {"a//b", false},
        {"a/", false},       {"a\nb", false}, {"a\x7f", false},
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK_INT(omkt_path_is_rel(c[i].in), c[i].ok, "is_rel %s",
                       c[i].in);
}

/* A real tree: root/in/f, root/up -> .., root/abs -> /etc, root/ok -> in */
static void test_under(void)
{
    char root[] = "/tmp/omkt-path-XXXXXX";
    char p[PATH_MAX], out[PATH_MAX];
    static const struct {
        const char *rel;
        int rc;
    } c[] = {
        {"in/f", OMKT_OK},
        {"in/new/deeper", OMKT_OK},
        {"ok/f", OMKT_OK},
        {"up/etc/passwd", OMKT_EINVAL},
        {"up", OMKT_EINVAL},
        {"abs/passwd", OMKT_EINVAL},
        {"abs/nothere/x", OMKT_EINVAL},
        {"../x", OMKT_EINVAL},
        {"/etc/passwd", OMKT_EINVAL},
    };

    if (mkdtemp(root) == NULL) {
        OMKT_CHECK(0, "mkdtemp");
        return;
    }
    snprintf(p, sizeof(p), "%s/in", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/in/f", root);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof(p), "%s/up", root);
    (void)!symlink("..", p);
    snprintf(p, sizeof(p), "%s/abs", root);
    (void)!symlink("/etc", p);
    snprintf(p, sizeof(p), "%s/ok", root);
    (void)!symlink("in", p);
    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK_INT(omkt_path_under(root, c[i].rel, out, sizeof(out)),
                       c[i].rc, "under %s", c[i].rel);
    OMKT_CHECK_INT(omkt_path_under(root, "in/f", out, 8), OMKT_ETOOBIG,
                   "under: truncation is an error");
    {
        static const char *const names[] = {"in/f", "in", "up", "abs", "ok"};

        for (size_t i = 0; i < OMKT_ARRAY_LEN(names); i++) {
            snprintf(p, sizeof(p), "%s/%s", root, names[i]);
            (void)remove(p); /* best effort: a temp tree */
        }
        (void)rmdir(root);
    }
}

int main(void)
{
    test_join();
    test_is_rel();
    test_under();
    return omkt_test_done();
}

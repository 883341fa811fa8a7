/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path - joining and confining relative paths (see path.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"
#include "path.h"

int omkt_path_join(char *out, size_t size, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    int n;

    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    while (name[0] == '/')
        name++;
    if (name[0] == '\0')
        n = snprintf(out, size, "%.*s", (int)dl, dir);
    else
        n = snprintf(out, size, "%.*s%s%s", (int)dl, dir,
                     dl > 0 && dir[dl - 1] == '/' ? "" : "/", name);
    if (n < 0 || (size_t)n >= size) {
        if (size > 0)
            out[0] = '\0';
        return OMKT_ETOOBIG;
    }
    return OMKT_OK;
}

bool omkt_path_is_rel(const char *rel)
{
    const char *p = rel;

    if (rel[0] == '\0' || rel[0] == '/')
        return false;
    for (;;) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
                return false;
        if (p[n] == '\0')
            return true;
        p += n + 1;
    }
}

/* beneath - open @rel below @dirfd with RESOLVE_BENEATH: 0 when it
 * resolves inside, -1 with errno (EXDEV: it leaves; ENOSYS: no openat2). */
static int beneath(int dirfd, const char *rel)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* realpath_inside - the fallback without openat2: the real path of the
 * existing @abs lies under the real path of @root. */
static bool realpath_inside(const char *root, const char *abs)
{
    char rr[PATH_MAX], ra[PATH_MAX];
    size_t n;

    if (realpath(root, rr) == NULL || realpath(abs, ra) == NULL)
        return false;
    n = strlen(rr);
    return strncmp(rr, ra, n) == 0 &&
           (ra[n] == '/' || ra[n] == '\0' || (n == 1 && rr[0] == '/'));
}

/* inside - @part (existing or not) does not leave @dirfd (@root).  0 when
 * inside, 1 when it leaves, -1 with errno ENOENT when it does not exist. */
static int inside(int dirfd, const char *root, const char *part)
{
    char abs[PATH_MAX];

    if (beneath(dirfd, part) == 0)
        return 0;
    if (errno != ENOSYS)
        return errno == ENOENT ? -1 : 1; /* EXDEV, ELOOP, EACCES: refuse */
    if (omkt_path_join(abs, sizeof(abs), root, part) != OMKT_OK)
        return 1;
    if (access(abs, F_OK) != 0) {
        errno = ENOENT;
        return -1;
    }
    return realpath_inside(root, abs) ? 0 : 1;
}

/* existing_inside - the longest existing prefix of @rel stays below
 * @dirfd (@root): walk up from the full path until something exists. */
static bool existing_inside(int dirfd, const char *root, const char *rel)
{
    char part[PATH_MAX];
    int n = snprintf(part, sizeof(part), "%s", rel);

    if (n < 0 || (size_t)n >= sizeof(part))
        return false;
    for (;;) {
        int rc = inside(dirfd, root, part);
        char *slash;

        if (rc >= 0)
            return rc == 0;
        slash = strrchr(part, '/');
        if (slash == NULL)
            return true; /* nothing of it exists yet */
        *slash = '\0';
    }
}

int omkt_path_under(const char *root, const char *rel, char *out, size_t size)
{
    int dirfd;
    bool is_inside;

    if (size > 0)
        out[0] = '\0';
    if (!omkt_path_is_rel(rel))
        return OMKT_EINVAL;
    if (omkt_path_join(out, size, root, rel) != OMKT_OK)
        return OMKT_ETOOBIG;
    dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        out[0] = '\0';
        return OMKT_EIO;
    }
    is_inside = existing_inside(dirfd, root, rel);
    close(dirfd);
    if (!is_inside) {
        out[0] = '\0';
        return OMKT_EINVAL;
    }
    return OMKT_OK;
}

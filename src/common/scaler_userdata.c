/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler_userdata - render a cloud worker's user-data (see
 * scaler_userdata.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ec2.h"
#include "scaler_userdata.h"

#define EOD "OMKT_CONF_EOF" /* here-document delimiter */

/* One "key = value" line of the worker's configuration. */
struct line {
    const char *key;
    const char *value;
};

/* is_clean - @s has no control character (and so no newline). */
static bool is_clean(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* check_lines - every value of @l (@n lines) is clean. */
static int check_lines(const struct line *l, size_t n, const char *section,
                       struct omkt_errbuf *eb)
{
    for (size_t i = 0; i < n; i++)
        if (!is_clean(l[i].value)) {
            omkt_errf(eb, "user-data: [%s] %s holds a control character",
                      section, l[i].key);
            return OMKT_EINVAL;
        }
    return OMKT_OK;
}

/* put_quoted - @s as one single-quoted shell word. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* put_section - "[name]" and its non-empty lines in a quoted document,
 * then the metadata endpoint line (expanded by the shell). */
static void put_section(FILE *f, const char *name, const struct line *l,
                        size_t n)
{
    fprintf(f, "cat <<'" EOD "'\n[%s]\n", name);
    for (size_t i = 0; i < n; i++)
        if (l[i].value[0] != '\0')
            fprintf(f, "%s = %s\n", l[i].key, l[i].value);
    fputs(EOD "\nprintf 'imds_endpoint = %s\\n\\n' \"$imds\"\n", f);
}

/* Numbers of the [cloud] section, formatted. */
struct nums {
    char receives[24], visibility[32], idle[32];
};

/* cloud_lines - the [cloud] keys a worker reads; 12 lines. */
static void cloud_lines(const struct omkt_cloud_conf *c, struct nums *nu,
                        struct line *l)
{
    snprintf(nu->receives, sizeof(nu->receives), "%" PRId64,
             c->max_receive_count);
    snprintf(nu->visibility, sizeof(nu->visibility), "%" PRId64 "ms",
             c->visibility_ms);
    snprintf(nu->idle, sizeof(nu->idle), "%" PRId64 "ms", c->idle_terminate_ms);
    l[0] = (struct line){"region", c->region ? c->region : ""};
    l[1] =
        (struct line){"sqs_endpoint", c->sqs_endpoint ? c->sqs_endpoint : ""};
    l[2] =
        (struct line){"ec2_endpoint", c->ec2_endpoint ? c->ec2_endpoint : ""};
    l[3] = (struct line){"allow_private", c->allow_private ? "yes" : "no"};
    l[4] = (struct line){"jobs_queue", c->jobs_queue ? c->jobs_queue : ""};
    l[5] = (struct line){"results_queue",
                         c->results_queue ? c->results_queue : ""};
    l[6] = (struct line){"dead_queue", c->dead_queue ? c->dead_queue : ""};
    l[7] = (struct line){"max_receive_count", nu->receives};
    l[8] = (struct line){"visibility", nu->visibility};
    l[9] = (struct line){"staging", c->staging ? c->staging : ""};
    l[10] = (struct line){"idle_terminate", nu->idle};
    l[11] = (struct line){"cluster", c->cluster ? c->cluster : ""};
}

/* put_head - the shebang, comment, paths and metadata endpoint. */
static void put_head(FILE *f, const struct omkt_cloud_conf *c, const char *conf,
                     const char *imds)
{
    fputs("#!/bin/sh\n"
          "# omkt cloud worker, rendered by the omkt scaler.  No secret\n"
          "# here: credentials come from the instance profile (IMDSv2).\n"
          "set -eu\nconf=",
          f);
    put_quoted(f, conf);
    fputs("\nimds=${OMKT_IMDS_ENDPOINT:-", f);
    put_quoted(f, imds && imds[0] ? imds : "http://169.254.169.254");
    fprintf(f,
            "}\numask 027\nmkdir -p \"$(dirname \"$conf\")\"\n{\n"
            "cat <<'" EOD "'\n# cluster %s\n[transcoderd]\nqueue = sqs\n\n" EOD
            "\n",
            c->cluster ? c->cluster : "");
}

/* render - write the whole script to @f; OMKT_EINVAL on a bad value. */
static int render(FILE *f, const struct omkt_cloud_conf *c,
                  const struct omkt_scaler_worker *w, struct omkt_errbuf *eb)
{
    const char *conf =
        w && w->conf_path ? w->conf_path : OMKT_WORKER_CONF_DEFAULT;
    const char *prog =
        w && w->program ? w->program : OMKT_WORKER_PROGRAM_DEFAULT;
    const char *s3ep = w && w->s3_endpoint ? w->s3_endpoint : "";
    const char *s3ad = w && w->s3_addressing ? w->s3_addressing : "";
    const char *s3ap = w && w->s3_allow_private ? w->s3_allow_private : "";
    struct line s3[] = {{"endpoint", s3ep},
                        {"addressing", s3ad},
                        {"allow_private", s3ap},
                        {"region", c->region ? c->region : ""},
                        {"imds", "yes"}};
    struct line paths[] = {
        {"conf_path", conf},
        {"program", prog},
        {"imds_endpoint", c->imds_endpoint ? c->imds_endpoint : ""}};
    struct line cl[12];
    struct nums nu;

    cloud_lines(c, &nu, cl);
    if (check_lines(paths, OMKT_ARRAY_LEN(paths), "scaler", eb) != OMKT_OK ||
        check_lines(s3, OMKT_ARRAY_LEN(s3), "s3", eb) != OMKT_OK ||
        check_lines(cl, OMKT_ARRAY_LEN(cl), "cloud", eb) != OMKT_OK)
        return OMKT_EINVAL;
    put_head(f, c, conf, c->imds_endpoint);
    put_section(f, "s3", s3, OMKT_ARRAY_LEN(s3));
    put_section(f, "cloud", cl, OMKT_ARRAY_LEN(cl));
    fputs("} > \"$conf.tmp\"\nmv \"$conf.tmp\" \"$conf\"\nexec ", f);
    put_quoted(f, prog);
    fputs(" -c \"$conf\"\n", f);
    return OMKT_OK;
}

int omkt_scaler_userdata(const struct omkt_cloud_conf *c,
                         const struct omkt_scaler_worker *w, char **out,
                         struct omkt_errbuf *eb)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int ret;

    *out = NULL;
    if (f == NULL)
        return OMKT_ENOMEM;
    ret = render(f, c, w, eb);
    if (fclose(f) != 0 && ret == OMKT_OK)
        ret = OMKT_ENOMEM;
    if (ret == OMKT_OK && len > OMKT_EC2_MAX_USERDATA) {
        omkt_errf(eb, "user-data: %zu bytes, more than EC2's %d", len,
                  OMKT_EC2_MAX_USERDATA);
        ret = OMKT_ETOOBIG;
    }
    if (ret == OMKT_OK)
        *out = buf;
    else
        free(buf);
    return ret;
}

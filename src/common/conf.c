/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf - the key = value configuration loader.
 *
 * DESIGN: a single pass over the file; each line is a section header, a
 * comment/blank line or an assignment.  Assignments in a section this
 * program reads are typed against its table; every other known section is
 * skipped.  Values are stored through the table's offsets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "conf.h"
#include "parse.h"

/* Every section any program of the project reads. */
static const char *const known_sections[] = {
    "db",        "common",      "apid",      "downloaderd",
    "metadatad", "transcoderd", "notifierd", "maintenance",
    "omktctl",   "cloud",       "qworker",   "s3",
};

#define LINE_MAX_LEN 4096

struct cursor {
    const char *path;
    unsigned line;
    const struct omkt_conf_section *sec; /* NULL: skipping this section */
    bool *seen;                          /* per key of sec, for required */
};

/* field - address of @k's target inside @sec. */
static void *field(const struct omkt_conf_section *sec,
                   const struct omkt_conf_key *k)
{
    return (char *)sec->target + k->offset;
}

/* parse_bool - the spellings of yes and no. */
static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < OMKT_ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return OMKT_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return OMKT_OK;
        }
    }
    return OMKT_EINVAL;
}

/* parse_number - an INT, DURATION or SIZE value, bounds checked. */
static int parse_number(const struct omkt_conf_key *k, const char *v,
                        int64_t *out)
{
    int rc = OMKT_EINVAL;

    if (k->type == OMKT_CONF_INT)
        rc = omkt_parse_i64(v, out);
    else if (k->type == OMKT_CONF_DURATION)
        rc = omkt_parse_duration_ms(v, out);
    else if (k->type == OMKT_CONF_SIZE)
        rc = omkt_parse_size(v, out);
    if (rc != OMKT_OK)
        return rc;
    if (k->min <= k->max && (*out < k->min || *out > k->max))
        return OMKT_ETOOBIG;
    return OMKT_OK;
}

static const char *type_hint(enum omkt_conf_type t)
{
    switch (t) {
    case OMKT_CONF_STR:
        return "a string";
    case OMKT_CONF_INT:
        return "an integer";
    case OMKT_CONF_BOOL:
        return "yes or no";
    case OMKT_CONF_DURATION:
        return "a duration like 300s, 100ms, 5m";
    case OMKT_CONF_SIZE:
        return "a size like 512K, 64M, 2G";
    }
    return "a value";
}

/* clear_value - the zero value of @k's type. */
static void clear_value(const struct omkt_conf_section *sec,
                        const struct omkt_conf_key *k)
{
    void *dst = field(sec, k);

    if (k->type == OMKT_CONF_STR)
        OMKT_FREE(*(char **)dst);
    else if (k->type == OMKT_CONF_BOOL)
        *(bool *)dst = false;
    else
        *(int64_t *)dst = 0;
}

/* set_value - store @v into @k's target; OMKT_ECONF with reason in @eb. */
static int set_value(const struct cursor *c, const struct omkt_conf_key *k,
                     const char *v, struct omkt_errbuf *eb)
{
    void *dst = field(c->sec, k);
    int64_t num = 0;
    int rc;

    if (k->type == OMKT_CONF_STR) {
        free(*(char **)dst);
        *(char **)dst = omkt_xstrdup(v);
        return OMKT_OK;
    }
    if (k->type == OMKT_CONF_BOOL) {
        rc = parse_bool(v, (bool *)dst);
    } else {
        rc = parse_number(k, v, &num);
        if (rc == OMKT_OK)
            *(int64_t *)dst = num;
    }
    if (rc == OMKT_ETOOBIG) {
        omkt_errf(eb, "%s:%u: %s.%s = %s: out of range [%lld, %lld]", c->path,
                  c->line, c->sec->name, k->name, v, (long long)k->min,
                  (long long)k->max);
        return OMKT_ECONF;
    }
    if (rc != OMKT_OK) {
        omkt_errf(eb, "%s:%u: %s.%s = %s: expected %s", c->path, c->line,
                  c->sec->name, k->name, v, type_hint(k->type));
        return OMKT_ECONF;
    }
    return OMKT_OK;
}

/* is_cloud_account - @name is "cloud.account-ID", ID a positive number. */
static bool is_cloud_account(const char *name)
{
    static const char prefix[] = "cloud.account-";
    const char *id = name + sizeof(prefix) - 1;

    return strncmp(name, prefix, sizeof(prefix) - 1) == 0 && *id >= '1' &&
           *id <= '9' && strspn(id, "0123456789") == strlen(id);
}

/* open_section - handle "[name]": select it, skip it, or reject it. */
static int open_section(struct cursor *c, const struct omkt_conf_section *secs,
                        size_t n, bool **seen_all, const char *name,
                        struct omkt_errbuf *eb)
{
    c->sec = NULL;
    c->seen = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(secs[i].name, name) == 0) {
            c->sec = &secs[i];
            c->seen = seen_all[i];
            return OMKT_OK;
        }
    }
    for (size_t i = 0; i < OMKT_ARRAY_LEN(known_sections); i++)
        if (strcmp(known_sections[i], name) == 0)
            return OMKT_OK;
    /* S3 profiles ([s3.NAME]) are read and checked by common/s3cred.c. */
    if (strncmp(name, "s3.", 3) == 0 && name[3] != '\0')
        return OMKT_OK;
    /* Per-account cloud policies: common/cloudconf.c reads them. */
    if (is_cloud_account(name))
        return OMKT_OK;
    omkt_errf(eb, "%s:%u: unknown section [%s]", c->path, c->line, name);
    return OMKT_ECONF;
}

/* assign - handle "key = value" in the current section. */
static int assign(struct cursor *c, char *line, struct omkt_errbuf *eb)
{
    char *eq = strchr(line, '=');
    char *key;
    char *val;

    if (eq == NULL) {
        omkt_errf(eb, "%s:%u: expected 'key = value'", c->path, c->line);
        return OMKT_ECONF;
    }
    *eq = '\0';
    key = omkt_trim(line);
    val = omkt_trim(eq + 1);
    if (c->sec == NULL)
        return OMKT_OK; /* another program's section */
    for (size_t i = 0; i < c->sec->nkeys; i++) {
        if (strcmp(c->sec->keys[i].name, key) == 0) {
            c->seen[i] = true;
            return set_value(c, &c->sec->keys[i], val, eb);
        }
    }
    omkt_errf(eb, "%s:%u: unknown key '%s' in [%s]", c->path, c->line, key,
              c->sec->name);
    return OMKT_ECONF;
}

/* handle_line - one line of the file. */
static int handle_line(struct cursor *c, const struct omkt_conf_section *secs,
                       size_t n, bool **seen_all, char *raw,
                       struct omkt_errbuf *eb)
{
    char *line = omkt_trim(raw);
    size_t len = strlen(line);

    if (len == 0 || line[0] == '#' || line[0] == ';')
        return OMKT_OK;
    if (line[0] != '[')
        return assign(c, line, eb);
    if (line[len - 1] != ']') {
        omkt_errf(eb, "%s:%u: unterminated section header", c->path, c->line);
        return OMKT_ECONF;
    }
    line[len - 1] = '\0';
    return open_section(c, secs, n, seen_all, omkt_trim(line + 1), eb);
}

/* check_required - every required key of every section was given. */
static int check_required(const char *path, const struct omkt_conf_section *s,
                          size_t n, bool **seen_all, struct omkt_errbuf *eb)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < s[i].nkeys; k++) {
            if (s[i].keys[k].is_required && !seen_all[i][k]) {
                omkt_errf(eb, "%s: missing required key %s.%s", path, s[i].name,
                          s[i].keys[k].name);
                return OMKT_ECONF;
            }
        }
    }
    return OMKT_OK;
}

/* read_lines - feed every line of @fp to handle_line. */
static int read_lines(FILE *fp, struct cursor *c,
                      const struct omkt_conf_section *secs, size_t n,
                      bool **seen_all, struct omkt_errbuf *eb)
{
    char buf[LINE_MAX_LEN];
    int rc = OMKT_OK;

    while (rc == OMKT_OK && fgets(buf, sizeof(buf), fp) != NULL) {
        c->line++;
        if (strchr(buf, '\n') == NULL && !feof(fp)) {
            omkt_errf(eb, "%s:%u: line too long", c->path, c->line);
            return OMKT_ECONF;
        }
        rc = handle_line(c, secs, n, seen_all, buf, eb);
    }
    return rc;
}

int omkt_conf_load(const char *path, const struct omkt_conf_section *secs,
                   size_t n, struct omkt_errbuf *eb)
{
    struct cursor c = {.path = path};
    bool **seen_all = omkt_xcalloc(n ? n : 1, sizeof(*seen_all));
    FILE *fp = NULL;
    int ret;

    for (size_t i = 0; i < n; i++)
        seen_all[i] = omkt_xcalloc(secs[i].nkeys + 1, sizeof(bool));
    ret = omkt_conf_defaults(secs, n, eb);
    if (ret != OMKT_OK)
        goto out;
    fp = fopen(path, "re");
    if (fp == NULL) {
        omkt_errf(eb, "%s: %s", path, omkt_errno_str(errno));
        ret = OMKT_EIO;
        goto out;
    }
    ret = read_lines(fp, &c, secs, n, seen_all, eb);
    if (ret == OMKT_OK)
        ret = check_required(path, secs, n, seen_all, eb);
out:
    if (fp != NULL)
        fclose(fp);
    for (size_t i = 0; i < n; i++)
        free(seen_all[i]);
    free(seen_all);
    return ret;
}

int omkt_conf_defaults(const struct omkt_conf_section *secs, size_t n,
                       struct omkt_errbuf *eb)
{
    for (size_t i = 0; i < n; i++) {
        struct cursor c = {.path = "(defaults)", .sec = &secs[i]};

        for (size_t k = 0; k < secs[i].nkeys; k++) {
            const struct omkt_conf_key *key = &secs[i].keys[k];
            int rc;

            if (key->def == NULL) {
                clear_value(&secs[i], key);
                continue;
            }
            rc = set_value(&c, key, key->def, eb);
            if (rc != OMKT_OK)
                return rc; /* a bad default is a programming error */
        }
    }
    return OMKT_OK;
}

/* print_value - one "key = value" line. */
static void print_value(FILE *out, const struct omkt_conf_section *sec,
                        const struct omkt_conf_key *k)
{
    const void *p = (const char *)sec->target + k->offset;
    const char *s;

    switch (k->type) {
    case OMKT_CONF_STR:
        s = *(char *const *)p;
        if (k->is_secret && s != NULL && *s != '\0')
            s = "********";
        fprintf(out, "%s = %s\n", k->name, s ? s : "");
        break;
    case OMKT_CONF_BOOL:
        fprintf(out, "%s = %s\n", k->name, *(const bool *)p ? "yes" : "no");
        break;
    case OMKT_CONF_DURATION:
        fprintf(out, "%s = %lldms\n", k->name, (long long)*(const int64_t *)p);
        break;
    case OMKT_CONF_INT:
    case OMKT_CONF_SIZE:
        fprintf(out, "%s = %lld\n", k->name, (long long)*(const int64_t *)p);
        break;
    }
}

void omkt_conf_print(FILE *out, const struct omkt_conf_section *secs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s[%s]\n", i ? "\n" : "", secs[i].name);
        for (size_t k = 0; k < secs[i].nkeys; k++)
            print_value(out, &secs[i], &secs[i].keys[k]);
    }
}

void omkt_conf_free(const struct omkt_conf_section *secs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < secs[i].nkeys; k++) {
            if (secs[i].keys[k].type == OMKT_CONF_STR) {
                char **p =
                    (char **)((char *)secs[i].target + secs[i].keys[k].offset);
                OMKT_FREE(*p);
            }
        }
    }
}

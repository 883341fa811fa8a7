/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_settings - libFuzzer target: the settings JSON readers of the
 * media engine (src/media/settings.c): a site settings file
 * ({"settings": [...]}, omkt_settings_load_file) or one job setting
 * (an object, omkt_setting_from_json, as transcoderd reads a
 * media-nommer job's stored job_options), and the app_get_settings
 * catalogue made from what was loaded.
 *
 * Input: JSON text.  A file is handed to the loader through a memfd.
 *
 * Oracles: ASan/UBSan and LeakSanitizer; a failure always has a reason,
 * in UTF-8 (it is logged and, for media-nommer, sent to the client); a
 * setting that loads has an id in range and a catalogue that serialises;
 * a refused file leaves the previous site settings (none) in place.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "common/err.h"
#include "fuzz.h"
#include "media/settings.h"

/* is_utf8 - jansson's verdict on @s. */
static bool is_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;

    json_decref(j);
    return ok;
}

/* check_catalogue - app_get_settings of what is loaded now. */
static void check_catalogue(size_t want)
{
    json_t *cat = omkt_settings_catalogue_json();
    char *text = json_dumps(cat, JSON_COMPACT);

    FUZZ_ASSERT(text != NULL, "catalogue does not serialise");
    FUZZ_ASSERT(json_object_size(cat) == omkt_settings_count(),
                "catalogue and count disagree");
    FUZZ_ASSERT(omkt_settings_count() == want, "unexpected setting count");
    for (size_t i = 0; i < omkt_settings_count(); i++)
        FUZZ_ASSERT(omkt_setting_at(i) != NULL, "hole in the settings");
    free(text);
    json_decref(cat);
}

/* load_file - @data as a site settings file. */
static void load_file(const uint8_t *data, size_t size, size_t builtin)
{
    struct omkt_errbuf eb = {0};
    char path[64];
    int fd = memfd_create("settings.json", MFD_CLOEXEC);
    int rc;

    FUZZ_ASSERT(fd >= 0, "memfd_create");
    FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size, "memfd write");
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    rc = omkt_settings_load_file(path, &eb);
    close(fd);
    if (rc != OMKT_OK) {
        FUZZ_ASSERT(eb.is_set && is_utf8(eb.msg), "refusal without UTF-8");
        check_catalogue(builtin);
        return;
    }
    FUZZ_ASSERT(omkt_settings_count() >= builtin, "built-ins lost");
    for (size_t i = builtin; i < omkt_settings_count(); i++)
        FUZZ_ASSERT(omkt_setting_at(i)->id >= OMKT_SETTING_SITE_MIN,
                    "site setting with a built-in id");
    check_catalogue(omkt_settings_count());
    omkt_settings_clear();
}

/* job_setting - @obj as a media-nommer job's setting. */
static void job_setting(json_t *obj)
{
    struct omkt_errbuf eb = {0};
    struct omkt_setting *s = NULL;
    json_t *based = json_object_get(obj, "based_on");
    int id = json_is_integer(based) ? (int)json_integer_value(based) : 13;

    if (omkt_setting_from_json(obj, id, &s, &eb) == OMKT_OK) {
        FUZZ_ASSERT(s != NULL && s->id == id, "setting with another id");
        FUZZ_ASSERT(s->extension != NULL && s->mime != NULL,
                    "setting without extension or mime");
        omkt_setting_free(s);
        return;
    }
    FUZZ_ASSERT(s == NULL, "refused with a setting");
    FUZZ_ASSERT(eb.is_set && is_utf8(eb.msg), "refusal without UTF-8");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    av_log_set_level(AV_LOG_QUIET);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static size_t builtin;
    json_t *root = json_loadb((const char *)data, size, 0, NULL);

    if (builtin == 0)
        builtin = omkt_settings_count();
    if (json_is_object(root) && json_object_get(root, "settings") != NULL)
        load_file(data, size, builtin);
    else if (root != NULL)
        job_setting(root);
    json_decref(root);
    return 0;
}

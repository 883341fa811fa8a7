/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_defs - the setting definitions a job message carries to cloud
 * workers (the job's "defs", docs/cloud.md "Messages"): a cloud worker
 * knows the built-in catalogue only, so a media-nommer job's own setting
 * (media.job_options) and a site's settings ([common] settings_file)
 * travel with the job.
 */
#ifndef OMKT_TRANSCODERD_BRIDGE_DEFS_H
#define OMKT_TRANSCODERD_BRIDGE_DEFS_H

#include <jansson.h>

#include "common/err.h"
#include "transcode_job.h"

/*
 * bridge_defs_load - keep the site settings of @path (the file transcoderd
 * loaded at start-up; NULL or "": none) as definitions to send.  Call
 * once at start-up, before the bridge's threads.  OMKT_EIO / OMKT_ECONF
 * with the reason in @eb.
 */
int bridge_defs_load(const char *path, struct omkt_errbuf *eb);
void bridge_defs_free(void);

/*
 * bridge_defs_for - the "defs" of @w's job message (new; NULL when the
 * worker's catalogue knows every setting): for a media-nommer job its
 * own setting under each of its ids, else the site setting of each id
 * that is one.  Only setting fields (omkt_cloudmsg_def_new): a job's
 * dest_path and S3 secrets never leave.  Thread-safe.
 */
json_t *bridge_defs_for(const struct tjob_work *w);

#endif

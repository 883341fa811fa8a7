/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_media - the media subcommands of omktctl: "probe" and "transcode".
 * Neither needs a database or a configuration file.
 */
#ifndef OMKT_OMKTCTL_CMD_MEDIA_H
#define OMKT_OMKTCTL_CMD_MEDIA_H

/*
 * omktctl_cmd_probe - argv = {"probe", [-c], FILE}: print the metadata
 * JSON of FILE on stdout (-c adds crop detection).  Returns the exit code:
 * 0 ok, 1 failure, 2 usage.
 */
int omktctl_cmd_probe(int argc, char **argv);

/*
 * omktctl_cmd_transcode - argv = {"transcode", [-s SITE.json], [-j N],
 * FILE, OUTDIR, SETTING...}: produce the settings (decoding FILE once) into
 * OUTDIR, print one line per output file, a progress bar when stderr is a
 * terminal.  -j: threads per codec (default 0, auto).  SIGINT/SIGTERM stop it
 * and remove partial outputs.  Returns 0 when every setting succeeded, 1
 * otherwise, 2 on usage errors.
 */
int omktctl_cmd_transcode(int argc, char **argv);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_send - the bridge's engine (a tjob_engine_fn): a job's outputs
 * made by a cloud worker.  Stage the source in S3, record the send (a
 * fresh token) on the job, send the job message, wait for the result the
 * results poller stored for that token, then fetch the outputs into the
 * media's directory (temp name, fsync, rename) and return them as the
 * local engine would, so transcoderd's hooks record them and queue the
 * usual callbacks.  A job that already has a send (its bridge died, the
 * job was reaped and claimed again) is adopted: no second send until
 * the send is older than resend_after.
 */
#ifndef OMKT_TRANSCODERD_BRIDGE_SEND_H
#define OMKT_TRANSCODERD_BRIDGE_SEND_H

#include "bridge_aws.h"
#include "transcode_job.h"

/* bridge_send_init - the shared configuration (borrowed until exit). */
void bridge_send_init(const struct bridge_env *e);

/* bridge_send_unstage - when the job ends (its cleanup hook): remove the
 * outputs the worker left in S3 (tjob_staged_of), kept until then so S3
 * destinations are copied from them. */
void bridge_send_unstage(struct omkt_jobctx *ctx);

/* bridge_send_is_paused - a send failed on the cloud's side (SQS or S3
 * unreachable, keys refused) moments ago: take no job to send.  The
 * pause doubles from 1 s to 16 s per failure and ends at a success. */
bool bridge_send_is_paused(void);

int bridge_engine(struct omkt_jobctx *ctx, const struct tjob_work *w,
                  struct omkt_transcode_result *res);

#endif

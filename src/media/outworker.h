/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outworker - run one output (output.c) on a thread of its own, fed decoded
 * frames through a bounded queue, so that several outputs of one decode
 * encode in parallel.  Internal to src/media.
 *
 * DESIGN: the pipeline thread pushes frame references; the worker owns
 * its output while it runs (filters, encoders, muxer, finish) and the
 * pipeline touches the output again only after omkt_outworker_join().  The
 * queue's mutex guards the items and the flags; nothing else is shared.
 */
#ifndef OMKT_MEDIA_OUTWORKER_H
#define OMKT_MEDIA_OUTWORKER_H

#include <stdbool.h>

#include <libavutil/frame.h>

#include "common/err.h"
#include "media/output.h"

struct omkt_outworker;

/*
 * omkt_outworker_start - a thread running @o (borrowed until join).  *out is
 * new (omkt_outworker_join then omkt_outworker_free).  OMKT_ENOMEM when the
 * thread cannot be created.
 */
int omkt_outworker_start(struct omkt_out *o, struct omkt_outworker **out);

/*
 * omkt_outworker_push - queue @f (steals it) for the video or audio chain;
 * blocks while the queue is full.  Returns false (and frees @f) once the
 * output has failed or the worker was stopped.
 */
bool omkt_outworker_push(struct omkt_outworker *w, AVFrame *f, bool is_video);

/* omkt_outworker_is_alive - still taking frames? */
bool omkt_outworker_is_alive(struct omkt_outworker *w);

/*
 * omkt_outworker_join - end of input: when @is_abort the queued frames are
 * dropped and the output is left unfinished, else the worker flushes and
 * finishes it (omkt_out_finish).  Waits for the thread.
 */
void omkt_outworker_join(struct omkt_outworker *w, bool is_abort);

/* omkt_outworker_free - release a joined worker (NULL is fine). */
void omkt_outworker_free(struct omkt_outworker *w);

#endif

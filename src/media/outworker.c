/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outworker - an output on its own thread behind a bounded frame queue.
 * The queue holds references, never copies, and is small, so memory stays
 * bounded by a few frames per output.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "media/outworker.h"

#define QUEUE_LEN 8

struct item {
    AVFrame *frame;
    bool is_video;
};

struct omkt_outworker {
    struct omkt_out *out;
    pthread_t thread;
    bool has_thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* an item, a free slot, or a flag */
    struct item q[QUEUE_LEN];
    size_t head, len;
    bool is_eof, is_abort, is_dead;
};

/* take - the next item; false at the end (eof with an empty queue, abort). */
static bool take(struct omkt_outworker *w, struct item *it)
{
    bool has_item;

    pthread_mutex_lock(&w->lock);
    while (w->len == 0 && !w->is_eof && !w->is_abort)
        pthread_cond_wait(&w->changed, &w->lock);
    has_item = w->len > 0 && !w->is_abort;
    if (has_item) {
        *it = w->q[w->head];
        w->head = (w->head + 1) % QUEUE_LEN;
        w->len--;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return has_item;
}

/* mark_dead - stop taking frames (the output failed or ended). */
static void mark_dead(struct omkt_outworker *w)
{
    pthread_mutex_lock(&w->lock);
    w->is_dead = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
}

/* run - the thread: feed the output until the end, then finish it. */
static void *run(void *arg)
{
    struct omkt_outworker *w = arg;
    struct item it;
    int rc = OMKT_OK;
    bool is_abort;

    while (take(w, &it)) {
        if (rc == OMKT_OK)
            rc = it.is_video ? omkt_out_video(w->out, it.frame)
                             : omkt_out_audio(w->out, it.frame);
        av_frame_free(&it.frame);
        if (rc != OMKT_OK)
            mark_dead(w); /* later items are only freed */
    }
    pthread_mutex_lock(&w->lock);
    is_abort = w->is_abort;
    pthread_mutex_unlock(&w->lock);
    if (!is_abort && rc == OMKT_OK)
        (void)omkt_out_finish(w->out); /* the status stays in the output */
    mark_dead(w);
    return NULL;
}

int omkt_outworker_start(struct omkt_out *o, struct omkt_outworker **out)
{
    struct omkt_outworker *w = omkt_xcalloc(1, sizeof(*w));

    *out = NULL;
    w->out = o;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        omkt_outworker_free(w);
        return OMKT_ENOMEM;
    }
    w->has_thread = true;
    *out = w;
    return OMKT_OK;
}

bool omkt_outworker_push(struct omkt_outworker *w, AVFrame *f, bool is_video)
{
    bool is_taken = false;

    pthread_mutex_lock(&w->lock);
    while (w->len == QUEUE_LEN && !w->is_dead && !w->is_abort)
        pthread_cond_wait(&w->changed, &w->lock);
    if (!w->is_dead && !w->is_abort && !w->is_eof) {
        w->q[(w->head + w->len) % QUEUE_LEN] = (struct item){f, is_video};
        w->len++;
        is_taken = true;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    if (!is_taken)
        av_frame_free(&f);
    return is_taken;
}

bool omkt_outworker_is_alive(struct omkt_outworker *w)
{
    bool is_alive;

    pthread_mutex_lock(&w->lock);
    is_alive = !w->is_dead && !w->is_abort;
    pthread_mutex_unlock(&w->lock);
    return is_alive;
}

void omkt_outworker_join(struct omkt_outworker *w, bool is_abort)
{
    if (w == NULL || !w->has_thread)
        return;
    pthread_mutex_lock(&w->lock);
    w->is_eof = true;
    w->is_abort |= is_abort;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->has_thread = false;
}

void omkt_outworker_free(struct omkt_outworker *w)
{
    if (w == NULL)
        return;
    omkt_outworker_join(w, true);
    for (; w->len > 0; w->len--) {
        av_frame_free(&w->q[w->head].frame);
        w->head = (w->head + 1) % QUEUE_LEN;
    }
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

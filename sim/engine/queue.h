/*
 * The event queue: a 4-ary min-heap of small fixed-size entries.
 *
 * Order is total and deterministic: time, then event kind (so that at one
 * instant an observation sees the state before that instant's scheduled
 * actions), then target id, then generation. Two runs that push the same
 * events therefore pop them in the same order on any machine.
 *
 * Firms hold at most one live event each; rescheduling a firm bumps its
 * generation and the stale entry is dropped when it surfaces (lazy
 * deletion), which keeps an entry at 16 bytes and the heap at about one
 * entry per firm.
 */
#ifndef ZZ_QUEUE_H
#define ZZ_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zz_event {
    double t;        /* days since start                                    */
    uint32_t id;     /* firm index, or programme/action/observation index   */
    uint16_t kind;   /* enum zz_event_kind (sim.h)                           */
    uint16_t gen;    /* firm events: the firm's generation when scheduled    */
} zz_event;

typedef struct zz_queue {
    zz_event *heap;
    size_t n, cap;
    int root_free;   /* the root was taken and not yet refilled (see below) */
} zz_queue;

int zz_queue_init(zz_queue *q, size_t cap);
void zz_queue_free(zz_queue *q);
int zz_queue_push(zz_queue *q, zz_event e);
/* Removes the earliest event into *e; 0 if the queue is empty. The root is
 * left free: a push before the next take fills it by one sift-down instead
 * of a pop's sift-down plus a push's sift-up. Most events schedule exactly
 * one successor, so this halves the heap work of the common case. */
int zz_queue_take(zz_queue *q, zz_event *e);
/* Earliest pending time, or +inf. */
double zz_queue_next_time(zz_queue *q);
size_t zz_queue_size(const zz_queue *q);

#endif

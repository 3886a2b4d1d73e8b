/*
 * The engine's worker threads: a fixed pool that runs the parts of one parallel region at a time,
 * the calling thread included. Between regions the workers spin for a short while before sleeping,
 * so the back-to-back regions of a network pass (a few microseconds apart) start without a futex
 * wake-up; a pool that always slept spent about 7% of a UNet pass in the scheduler.
 *
 * The caller takes part too and, when no part is left to claim, waits for the workers still inside
 * one: it spins as briefly, then sleeps until the last of them wakes it. Sleeping matters when other
 * processes load the machine: a worker that the OS has descheduled in the middle of a part needs a
 * core, and a caller spinning or yielding in a loop keeps one from it.
 *
 * Publishing a region is a seqlock: the caller marks the generation odd, waits until no worker is
 * inside the previous region, writes the region, then marks the generation even again. A worker
 * announces itself (`inside`) and re-checks the generation before reading the region, so it never
 * reads one that is being rewritten.
 */
#include "CKernels.h"

#include <pthread.h>
#include <stdatomic.h>

#define CK_MAX_WORKERS 255
#define CK_SPIN_ROUNDS 1000   /* pause instructions, about 15–30 µs */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t done;       /* the last part of a region has finished (for a sleeping caller) */
    pthread_mutex_t callers;   /* one region at a time (the interpreter is single-threaded, tests are not) */
    atomic_size_t generation;  /* even: a region is published; odd: being written */
    atomic_size_t next;        /* the next unclaimed part */
    atomic_size_t remaining;   /* parts not yet finished */
    atomic_size_t inside;      /* workers between their generation check and leaving the region */
    atomic_size_t sleepers;
    atomic_int caller_sleeping;
    size_t parts, helpers;     /* the region: its parts, and how many workers may join it */
    ck_task_fn fn;
    void *ctx;
    size_t started;            /* workers created so far */
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };

static inline void ck_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Set while this thread runs a part: a region started from inside one runs serially. */
static _Thread_local int ck_in_region;

/* Claims and runs parts until none is left. */
static void ck_drain(ck_task_fn fn, void *ctx, size_t parts) {
    ck_in_region = 1;
    for (;;) {
        size_t i = atomic_fetch_add(&pool.next, 1);
        if (i >= parts) break;
        fn(ctx, i);
        /* The last part wakes a caller that sleeps waiting for it (the caller announces itself
         * before it re-checks `remaining` under the lock, so one of the two sees the other). */
        if (atomic_fetch_sub(&pool.remaining, 1) == 1 && atomic_load(&pool.caller_sleeping)) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_broadcast(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    ck_in_region = 0;
}

static void *ck_worker(void *arg) {
    size_t index = (size_t)arg;
    size_t seen = atomic_load(&pool.generation);
    for (;;) {
        /* Wait for a newer, fully published region: spin first, then sleep. */
        size_t g = atomic_load(&pool.generation);
        for (int spin = 0; (g == seen || (g & 1)) && spin < CK_SPIN_ROUNDS; spin++) {
            ck_relax();
            g = atomic_load(&pool.generation);
        }
        if (g == seen || (g & 1)) {
            pthread_mutex_lock(&pool.lock);
            atomic_fetch_add(&pool.sleepers, 1);
            while ((g = atomic_load(&pool.generation)) == seen || (g & 1)) pthread_cond_wait(&pool.wake, &pool.lock);
            atomic_fetch_sub(&pool.sleepers, 1);
            pthread_mutex_unlock(&pool.lock);
        }
        atomic_fetch_add(&pool.inside, 1);
        if (atomic_load(&pool.generation) == g) {
            seen = g;
            if (index < pool.helpers) ck_drain(pool.fn, pool.ctx, pool.parts);
        }
        atomic_fetch_sub(&pool.inside, 1);
    }
    return NULL;
}

void ck_parallel(size_t parts, size_t threads, ck_task_fn fn, void *ctx) {
    if (threads > CK_MAX_WORKERS + 1) threads = CK_MAX_WORKERS + 1;
    if (parts <= 1 || threads <= 1 || ck_in_region) {
        for (size_t i = 0; i < parts; i++) fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&pool.callers);
    while (pool.started < threads - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&t, &attr, ck_worker, (void *)pool.started);
        pthread_attr_destroy(&attr);
        if (failed) break;
        pool.started++;
    }
    size_t helpers = pool.started < threads - 1 ? pool.started : threads - 1;
    if (helpers == 0) {
        pthread_mutex_unlock(&pool.callers);
        for (size_t i = 0; i < parts; i++) fn(ctx, i);
        return;
    }
    /* Publish: odd generation, wait for stragglers of the last region, write, even generation. */
    atomic_fetch_add(&pool.generation, 1);
    while (atomic_load(&pool.inside) != 0) ck_relax();
    pool.fn = fn;
    pool.ctx = ctx;
    pool.parts = parts;
    pool.helpers = helpers;
    atomic_store(&pool.next, 0);
    atomic_store(&pool.remaining, parts);
    atomic_fetch_add(&pool.generation, 1);
    if (atomic_load(&pool.sleepers) != 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    ck_drain(fn, ctx, parts);
    /* Parts still running: spin briefly, then sleep until the last one finishes (it may belong to a
     * worker the OS has descheduled, which then needs a core more than this thread does). */
    for (int spin = 0; atomic_load(&pool.remaining) != 0 && spin < CK_SPIN_ROUNDS; spin++) ck_relax();
    if (atomic_load(&pool.remaining) != 0) {
        pthread_mutex_lock(&pool.lock);
        atomic_store(&pool.caller_sleeping, 1);
        while (atomic_load(&pool.remaining) != 0) pthread_cond_wait(&pool.done, &pool.lock);
        atomic_store(&pool.caller_sleeping, 0);
        pthread_mutex_unlock(&pool.lock);
    }
    pthread_mutex_unlock(&pool.callers);
}

/* Ctrl-C: a plain atomic int, so the signal handler's store is async-signal-safe. */
static atomic_int interrupt_requested;

void ck_interrupt_set(int requested) { atomic_store_explicit(&interrupt_requested, requested != 0, memory_order_relaxed); }

int ck_interrupt_requested(void) { return atomic_load_explicit(&interrupt_requested, memory_order_relaxed); }
